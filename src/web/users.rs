//! `reportdesk user add NAME [--admin]`, `user passwd NAME`, `user remove NAME`: the console's
//! local users. The password is read from standard input when it is not a terminal (one line),
//! else asked for twice without echo. Each change is in the audit log as done by `cli`.

use std::io::{BufRead, IsTerminal};

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::auth::{Role, hash_password};
use crate::store::{Store, StoreError, staff};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_BYTES: usize = 256;

#[derive(Debug, Error)]
pub enum UserError {
    #[error(
        "user name {0:?}: use 1-32 letters, digits, '.', '_' or '-' (Chinese characters are fine)"
    )]
    BadName(String),
    #[error("a user named {0:?} already exists; use `user passwd {0}` to change the password")]
    Exists(String),
    #[error("there is no user named {0:?}; `user add {0}` creates one")]
    NoSuchUser(String),
    #[error(
        "the password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} bytes long, on one line"
    )]
    BadPassword,
    #[error("the two passwords differ; nothing changed")]
    Mismatch,
    #[error("cannot read the password from standard input: {0}")]
    Read(std::io::Error),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user name: what people type at the login form.
pub fn check_name(name: &str) -> Result<&str, UserError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name)
    } else {
        Err(UserError::BadName(name.to_string()))
    }
}

fn check_password(password: String) -> Result<String, UserError> {
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < MIN_PASSWORD_CHARS
        || password.len() > MAX_PASSWORD_BYTES
        || password.contains(['\r', '\n'])
    {
        return Err(UserError::BadPassword);
    }
    Ok(password)
}

/// Reads the new password: a line from a pipe, or twice from the terminal without echo.
pub fn read_password() -> Result<String, UserError> {
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take_line(&mut line)
            .map_err(UserError::Read)?;
        return check_password(line);
    }
    let first = rpassword::prompt_password("新密码: ").map_err(UserError::Read)?;
    let second = rpassword::prompt_password("再输入一次: ").map_err(UserError::Read)?;
    if first != second {
        return Err(UserError::Mismatch);
    }
    check_password(first)
}

trait TakeLine {
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize>;
}

impl<R: BufRead> TakeLine for R {
    /// One line, read at most [`MAX_PASSWORD_BYTES`] + 2 bytes far.
    fn take_line(&mut self, line: &mut String) -> std::io::Result<usize> {
        use std::io::Read;
        let limit = u64::try_from(MAX_PASSWORD_BYTES + 2).unwrap_or(u64::MAX);
        self.take(limit).read_line(line)
    }
}

pub async fn add(
    store: &Store,
    name: &str,
    role: Role,
    password: String,
    now: DateTime<Utc>,
) -> Result<(), UserError> {
    let name = check_name(name)?;
    let hash = hash_password(check_password(password)?)
        .await
        .map_err(UserError::Hash)?;
    let mut tx = store.begin().await?;
    if !staff::add_user(&mut tx, name, &hash, role.as_str(), now).await? {
        return Err(UserError::Exists(name.to_string()));
    }
    staff::audit(&mut tx, now, "cli", "user.add", name, role.as_str()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

pub async fn passwd(
    store: &Store,
    name: &str,
    password: String,
    now: DateTime<Utc>,
) -> Result<(), UserError> {
    let hash = hash_password(check_password(password)?)
        .await
        .map_err(UserError::Hash)?;
    let mut tx = store.begin().await?;
    if !staff::set_password(&mut tx, name, &hash).await? {
        return Err(UserError::NoSuchUser(name.to_string()));
    }
    staff::audit(&mut tx, now, "cli", "user.passwd", name, "").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

pub async fn remove(store: &Store, name: &str, now: DateTime<Utc>) -> Result<(), UserError> {
    let mut tx = store.begin().await?;
    if !staff::remove_user(&mut tx, name).await? {
        return Err(UserError::NoSuchUser(name.to_string()));
    }
    staff::audit(&mut tx, now, "cli", "user.remove", name, "").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("li.ming").is_ok());
        assert!(check_name("李明").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("<script>").is_err());
        assert_eq!(check_password("secret-pw\n".into()).unwrap(), "secret-pw");
        assert!(check_password("short\n".into()).is_err());
        assert!(check_password("x".repeat(300)).is_err());
    }
}
