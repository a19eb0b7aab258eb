//! Values generated once per installation and kept in the database (table `installation`).
//!
//! The one value so far is the secret in our Message-IDs (SPEC §13): a bounce counts only when it
//! quotes a Message-ID we sent, and with 32 random bytes in every ID nobody outside can compute
//! one in advance to forge a bounce. It lives in the database, so a backup restores it with the
//! outbox whose IDs it made.

use super::{StoreError, Tx};

const MESSAGE_ID_SECRET: &str = "message_id_secret";
const SECRET_BYTES: usize = 32;

/// The secret mixed into every Message-ID we write. Never printed.
#[derive(Clone)]
pub struct MessageIdSecret([u8; SECRET_BYTES]);

impl MessageIdSecret {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A fixed secret for unit tests of the ID format.
    #[cfg(test)]
    pub fn fixed(byte: u8) -> Self {
        Self([byte; SECRET_BYTES])
    }
}

impl std::fmt::Debug for MessageIdSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageIdSecret(…)")
    }
}

/// The installation's Message-ID secret, generated from the operating system's random source the
/// first time it is asked for.
///
/// A fresh secret is offered first (kept only when none is stored) and the stored one read
/// after: the call begins with a write, so in a transaction it begins, it waits its turn for
/// SQLite's write lock. Read first, several processes starting at once on a new data dir each
/// found none, and all but the first then failed to turn their read into a write (SQLITE_BUSY).
pub async fn message_id_secret(tx: &mut Tx) -> Result<MessageIdSecret, StoreError> {
    let mut fresh = [0u8; SECRET_BYTES];
    getrandom::getrandom(&mut fresh).map_err(|e| StoreError::Random(e.to_string()))?;
    sqlx::query(
        "INSERT INTO installation (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    )
    .bind(MESSAGE_ID_SECRET)
    .bind(&fresh[..])
    .execute(&mut **tx)
    .await?;
    stored(tx)
        .await?
        .ok_or_else(|| StoreError::Random("the new Message-ID secret was not kept".into()))
}

async fn stored(tx: &mut Tx) -> Result<Option<MessageIdSecret>, StoreError> {
    let value: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT value FROM installation WHERE name = ?")
            .bind(MESSAGE_ID_SECRET)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(value
        .and_then(|bytes| <[u8; SECRET_BYTES]>::try_from(bytes.as_slice()).ok())
        .map(MessageIdSecret))
}
