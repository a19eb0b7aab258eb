-- Where IMAP intake got to in each folder: a UIDVALIDITY change means the UIDs were renumbered,
-- and the folder is rescanned (the Message-ID key keeps that from duplicating anything).
CREATE TABLE imap_folders (
    server        TEXT NOT NULL,              -- user@host:port
    folder        TEXT NOT NULL,
    uid_validity  INTEGER NOT NULL,
    last_uid      INTEGER NOT NULL,           -- every UID up to this one is committed
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (server, folder)
);
