//! The `imap_folders` table: how far intake got in each IMAP folder.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};

/// The last committed UID of a folder, if its UIDVALIDITY is still `uid_validity`; 0 otherwise
/// (first visit, or the server renumbered the folder).
pub async fn last_uid(
    store: &Store,
    server: &str,
    folder: &str,
    uid_validity: u32,
) -> Result<u32, StoreError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT uid_validity, last_uid FROM imap_folders WHERE server = ? AND folder = ?",
    )
    .bind(server)
    .bind(folder)
    .fetch_optional(store.pool())
    .await?;
    Ok(match row {
        Some((validity, last)) if validity == i64::from(uid_validity) => {
            u32::try_from(last).unwrap_or(0)
        }
        Some((validity, _)) => {
            tracing::warn!(
                server,
                folder,
                old = validity,
                new = uid_validity,
                "UIDVALIDITY changed: rescanning the folder"
            );
            0
        }
        None => 0,
    })
}

pub async fn set_last_uid(
    store: &Store,
    server: &str,
    folder: &str,
    uid_validity: u32,
    last_uid: u32,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO imap_folders (server, folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (server, folder) DO UPDATE SET uid_validity = excluded.uid_validity,
             last_uid = excluded.last_uid, updated_at = excluded.updated_at",
    )
    .bind(server)
    .bind(folder)
    .bind(i64::from(uid_validity))
    .bind(i64::from(last_uid))
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_uidvalidity_starts_the_folder_again() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url).await.unwrap();
        let now = Utc::now();
        assert_eq!(last_uid(&store, "o@h:993", "INBOX", 7).await.unwrap(), 0);
        set_last_uid(&store, "o@h:993", "INBOX", 7, 42, now)
            .await
            .unwrap();
        assert_eq!(last_uid(&store, "o@h:993", "INBOX", 7).await.unwrap(), 42);
        assert_eq!(last_uid(&store, "o@h:993", "其他", 7).await.unwrap(), 0);
        assert_eq!(last_uid(&store, "o@h:993", "INBOX", 8).await.unwrap(), 0);
        set_last_uid(&store, "o@h:993", "INBOX", 8, 3, now)
            .await
            .unwrap();
        assert_eq!(last_uid(&store, "o@h:993", "INBOX", 8).await.unwrap(), 3);
    }
}
