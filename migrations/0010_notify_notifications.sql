-- Notifications to the group robots (SPEC §14). A cause (a staff digest, an alert) writes one
-- notify_events row in the same transaction as itself; `key` makes it once per occurrence. The
-- sender expands each event into one notifications row per channel and part in one
-- transaction (`fanned_out_at`), then claims, sends and marks each row. Nothing is deleted.
CREATE TABLE notify_events (
    id            INTEGER PRIMARY KEY,
    event         TEXT NOT NULL CHECK (event IN ('digest', 'overdue', 'alerts')),
    key           TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    fanned_out_at TEXT
);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES notify_events (id),
    channel         TEXT NOT NULL,      -- the [[notify]] table's webhook_env
    kind            TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu')),
    part            INTEGER NOT NULL,   -- 1-based; a long list is split at line ends
    parts           INTEGER NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,      -- this part's text
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (event_id, channel, part)
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);

-- Conditions alerted when they begin and again when they end (a mailbox not polled
-- successfully for 30 minutes): one row per occurrence, open while ended_at is NULL.
CREATE TABLE alert_conditions (
    id         INTEGER PRIMARY KEY,
    condition  TEXT NOT NULL,
    began_at   TEXT NOT NULL,
    ended_at   TEXT
);
CREATE UNIQUE INDEX alert_conditions_open ON alert_conditions (condition) WHERE ended_at IS NULL;
