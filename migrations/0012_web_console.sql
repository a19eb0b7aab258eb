-- The staff web console (SPEC §15): local users, their sessions and the audit log of every change.

-- Users of the console; passwords as Argon2id PHC strings (never the password).
CREATE TABLE web_users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
    created_at     TEXT NOT NULL
);

-- A session per login: only the SHA-256 of the cookie's token is kept, so a copy of the database
-- does not log anyone in. Removing a user removes their sessions.
CREATE TABLE web_sessions (
    token_sha256   TEXT PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Every change made through the console or to its users: who, when, what and on what.
CREATE TABLE web_audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,               -- the user's name, or "cli" for `reportdesk user …`
    action    TEXT NOT NULL,               -- e.g. login, remind, roster.address_add, upload
    target    TEXT NOT NULL DEFAULT '',    -- the unit, message or user acted on
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_audit_at ON web_audit (at);

-- The board's "returned, not yet fixed" reads one period's rejected messages.
CREATE INDEX messages_outcome_received ON messages (outcome, received_at);
