-- Trustworthy records (SPEC §6, §13).

-- Values generated once per installation; the Message-ID secret is written on first use.
CREATE TABLE installation (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);

-- A message is processed once per Message-ID *and sender*: the key became "<id> sender" (or
-- "<id> -" without a From address). Older keys are rewritten so mail fetched again after the
-- upgrade is still recognised.
UPDATE messages
   SET message_key = message_key || ' ' || COALESCE(sender, '-')
 WHERE message_key NOT LIKE 'sha256:%';
