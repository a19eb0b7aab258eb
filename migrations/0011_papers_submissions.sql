-- The district's summary sent upward (汇总上报, SPEC §16): one row per sending of a month, queued
-- in the outbox in the same transaction. The first of a month is the submission; later ones are
-- resends asked for with `submit --again`. (period, attempt) is unique, so two submits at once
-- cannot both be the first.
CREATE TABLE upstream_submissions (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL,               -- YYYY-MM
    attempt       INTEGER NOT NULL,            -- 1, then 2, 3 … for resends
    recipient     TEXT NOT NULL,
    outbox_id     INTEGER NOT NULL REFERENCES outbox (id),
    outgoing_id   TEXT NOT NULL,
    attachment    TEXT NOT NULL,
    submitted_at  TEXT NOT NULL,
    UNIQUE (period, attempt)
);
