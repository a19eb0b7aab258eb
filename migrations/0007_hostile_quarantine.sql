-- Intake attempts and quarantine (SPEC §12). An attempt is counted, and committed, before each try
-- at a message; a message that has failed to finish 3 times (a crash of the daemon included) is
-- set aside here, kept with its raw bytes, until `reportdesk quarantine release ID`.
CREATE TABLE intake_attempts (
    message_row     INTEGER PRIMARY KEY REFERENCES messages (id),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_attempt_at TEXT NOT NULL,              -- RFC 3339 UTC
    last_error      TEXT,                       -- what stopped the last try, when known
    quarantined_at  TEXT,                       -- set aside since; NULL when not
    released_at     TEXT                        -- the last release, when any
);
CREATE INDEX intake_attempts_quarantined ON intake_attempts (quarantined_at);
