-- Operations (SPEC §17).

-- Outbox claims carry a lease: `claimed_by` names the claiming process ("host:pid:start"), and
-- `lease_until` (wall-clock time, RFC 3339 UTC) is when another process may take the claim over.
-- A claim whose process is gone is released at once by the next delivery round on the same host.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;

-- The last successful look at each inbound mailbox, for `health` and `status`.
CREATE TABLE mailbox_polls (
    mailbox    TEXT PRIMARY KEY,             -- "maildir:<path>" or "imap:user@host:port/folder"
    polled_at  TEXT NOT NULL                 -- RFC 3339 UTC
);
