-- The chat bot sends each staff digest to the staff chats once: when it did (or decided not to,
-- for a digest too old when the bot first saw it).
ALTER TABLE digests ADD COLUMN chats_done_at TEXT;
