-- The chat bot sends each staff digest to the staff chats once: when it did (or decided not to,
-- for a digest too old when the bot first saw it).
ALTER TABLE digests ADD COLUMN chats_done_at TEXT;

-- The status queries ask for one period's counting versions (the bot's /missing and /summary):
-- without this they scan every month ever recorded (38 ms over 1,000 units × 120 months).
CREATE INDEX monthly_submissions_period ON monthly_submissions (period, unit_code, version);
