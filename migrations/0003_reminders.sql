-- Reminders: each (unit, period, slot) decided exactly once, in the same transaction as the
-- outbox rows that carry it. `slot` is the schedule's key, e.g. "due_soon:15", "final_day:20",
-- "overdue:21".
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    unit_code   TEXT NOT NULL,
    period      TEXT NOT NULL,
    slot        TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'superseded', 'no_address')),
    recipients  TEXT NOT NULL DEFAULT '',     -- the addresses mailed, comma-separated
    decided_at  TEXT NOT NULL,
    UNIQUE (unit_code, period, slot)
);

-- Staff digests, once per (period, slot).
CREATE TABLE digests (
    period      TEXT NOT NULL,
    slot        TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (period, slot)
);

-- Addresses that bounced one of our mails: not mailed again until mail from them arrives.
CREATE TABLE failing_addresses (
    address     TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    since       TEXT NOT NULL
);
