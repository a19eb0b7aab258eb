-- Typical cases (附件2): each accepted form is a new case, counted in the month of receipt. The tip
-- source can identify a whistleblower: it is stored, never logged, and shown to admins only.
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    unit_code     TEXT NOT NULL,
    period        TEXT NOT NULL,               -- YYYY-MM of receipt
    message_row   INTEGER NOT NULL REFERENCES messages (id),
    received_at   TEXT NOT NULL,
    attachment    TEXT NOT NULL,
    receipt_no    TEXT NOT NULL,
    tip_source    TEXT,
    facts         TEXT,
    enforcement   TEXT,
    reward        TEXT,
    reward_fen    INTEGER,                     -- the amount paid, when the text gives one
    overview      TEXT,
    remarks       TEXT,
    filled_by     TEXT,
    phone         TEXT,
    filled_on     TEXT,
    char_count    INTEGER NOT NULL
);
CREATE INDEX cases_period ON cases (period, unit_code);

-- Work photos, stored by content under the data dir (never under a name from the sender).
CREATE TABLE case_photos (
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    sha256        TEXT NOT NULL,
    path          TEXT NOT NULL,               -- under the data dir
    size          INTEGER NOT NULL,
    message_row   INTEGER NOT NULL REFERENCES messages (id),
    PRIMARY KEY (case_id, sha256)
);
