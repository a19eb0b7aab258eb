-- Sender checks and held mail (SPEC §13); case corrections as versions (SPEC §4).

-- The sender verdict of every message checked since: pass | fail | none, and what it rests on
-- (a JSON array of lines such as "dkim=pass example.gov.cn (verified here)"). NULL: not checked
-- (processed before this version, or `mode = "off"` wrote none).
ALTER TABLE messages ADD COLUMN sender_check TEXT CHECK (sender_check IN ('pass', 'fail', 'none'));
ALTER TABLE messages ADD COLUMN sender_evidence TEXT;

-- A form from a registered address whose sender check failed is held here: the message stays
-- unfinished (state 'received'), nothing of it is recorded, until staff decide with
-- `reportdesk held approve ID` (processed as if trusted, at its receipt time) or
-- `held reject ID` (finished, nothing recorded, no reply).
CREATE TABLE held_mail (
    message_row  INTEGER PRIMARY KEY REFERENCES messages (id),
    unit_code    TEXT NOT NULL,               -- the unit named by the From address
    held_at      TEXT NOT NULL,               -- RFC 3339 UTC
    decision     TEXT CHECK (decision IN ('approved', 'rejected')),
    decided_at   TEXT
);
CREATE INDEX held_mail_pending ON held_mail (decision, held_at);

-- Case corrections (SPEC §4): a correction is stored as the case's next version and the version
-- it replaces points at it; only cases that no newer version replaces count (status, export,
-- bot, console). The first version of every case is 1.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE cases ADD COLUMN replaced_by INTEGER REFERENCES cases (id);
