-- Core intake: every message kept, monthly submissions with every version, and the outbox.

-- One row per message ever seen, written (with the raw bytes on disk) before it is parsed.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    message_key   TEXT NOT NULL UNIQUE,        -- Message-ID, else "sha256:<hex>" of the raw bytes
    message_id    TEXT,                        -- the Message-ID header as written
    sender        TEXT,                        -- lower-cased From address
    unit_code     TEXT,                        -- the sender's unit; NULL for an unknown sender
    subject       TEXT NOT NULL DEFAULT '',
    received_at   TEXT NOT NULL,               -- server receipt time, RFC 3339 UTC
    raw_path      TEXT NOT NULL,               -- under the data dir
    raw_sha256    TEXT NOT NULL,
    source        TEXT NOT NULL,               -- where it came from (file, maildir, imap)
    state         TEXT NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'processed')),
    outcome       TEXT CHECK (outcome IN ('accepted', 'rejected', 'ignored')),
    no_reply      TEXT,                        -- why no reply was sent, when none was
    result_json   TEXT,                        -- the ingest line (SPEC §7)
    processed_at  TEXT
);
CREATE INDEX messages_unit ON messages (unit_code, received_at);

-- Every accepted monthly form; the highest version of a (unit, period) counts.
CREATE TABLE monthly_submissions (
    id                   INTEGER PRIMARY KEY,
    unit_code            TEXT NOT NULL,
    period               TEXT NOT NULL,          -- YYYY-MM
    version              INTEGER NOT NULL CHECK (version >= 1),
    message_row          INTEGER NOT NULL REFERENCES messages (id),
    received_at          TEXT NOT NULL,
    late                 INTEGER NOT NULL CHECK (late IN (0, 1)),
    period_source        TEXT NOT NULL,
    attachment           TEXT NOT NULL,
    filled_by            TEXT,
    phone                TEXT,
    filled_on            TEXT,
    receipt_no           TEXT NOT NULL,
    open_letters         INTEGER NOT NULL CHECK (open_letters >= 0),
    media_reports        INTEGER NOT NULL CHECK (media_reports >= 0),
    plaza_screens        INTEGER NOT NULL CHECK (plaza_screens >= 0),
    brochures            INTEGER NOT NULL CHECK (brochures >= 0),
    community_columns    INTEGER NOT NULL CHECK (community_columns >= 0),
    slogans_posters      INTEGER NOT NULL CHECK (slogans_posters >= 0),
    qr_codes             INTEGER NOT NULL CHECK (qr_codes >= 0),
    board_icons          INTEGER NOT NULL CHECK (board_icons >= 0),
    enterprise_trainings INTEGER NOT NULL CHECK (enterprise_trainings >= 0),
    informants           INTEGER NOT NULL CHECK (informants >= 0),
    case_leads           INTEGER NOT NULL CHECK (case_leads >= 0),
    UNIQUE (unit_code, period, version)
);

-- Replies waiting to go out, written in the same transaction as what they report.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    message_row      INTEGER REFERENCES messages (id),
    kind             TEXT NOT NULL,              -- receipt | return | help
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    outgoing_id      TEXT NOT NULL UNIQUE,       -- the reply's own Message-ID, deterministic
    body             BLOB NOT NULL,              -- the whole RFC 5322 message
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
