//! The web console's tables: users (`web_users`), their sessions (`web_sessions`) and the audit
//! log (`web_audit`). Only hashes are stored: Argon2id PHC strings for passwords, SHA-256 for
//! session tokens.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreError, Tx};

/// A console user as stored.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    /// `staff` or `admin` (a CHECK constraint keeps it to these).
    pub role: String,
}

/// An audit entry as read back.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Adds a user; `false` when the name is taken.
pub async fn add_user(
    tx: &mut Tx,
    name: &str,
    password_hash: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO web_users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(password_hash)
    .bind(role)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a user's password hash and ends their sessions; `false` when there is no such user.
pub async fn set_password(
    tx: &mut Tx,
    name: &str,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE web_users SET password_hash = ? WHERE name = ?")
        .bind(password_hash)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM web_users WHERE name = ?)",
    )
    .bind(name)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a user and their sessions; `false` when there is no such user.
pub async fn remove_user(tx: &mut Tx, name: &str) -> Result<bool, StoreError> {
    sqlx::query(
        "DELETE FROM web_sessions WHERE user_id IN (SELECT id FROM web_users WHERE name = ?)",
    )
    .bind(name)
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query("DELETE FROM web_users WHERE name = ?")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn user_by_name(store: &Store, name: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, name, password_hash, role FROM web_users WHERE name = ?")
            .bind(name)
            .fetch_optional(store.pool())
            .await?,
    )
}

/// Records a session by the SHA-256 of its token.
pub async fn create_session(
    store: &Store,
    token_sha256: &str,
    user_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM web_sessions WHERE expires_at <= ?")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO web_sessions (token_sha256, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_sha256)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The user of a live session.
pub async fn session_user(
    store: &Store,
    token_sha256: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.name, u.password_hash, u.role FROM web_sessions s
           JOIN web_users u ON u.id = s.user_id
          WHERE s.token_sha256 = ? AND s.expires_at > ?",
    )
    .bind(token_sha256)
    .bind(now)
    .fetch_optional(store.pool())
    .await?)
}

pub async fn end_session(store: &Store, token_sha256: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM web_sessions WHERE token_sha256 = ?")
        .bind(token_sha256)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Appends to the audit log, inside the transaction of the change it records.
pub async fn audit(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO web_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The newest `limit` audit entries.
pub async fn recent_audit(store: &Store, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT at, actor, action, target, detail FROM web_audit ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}
