//! Several statements sent to SQLite as one query: one round trip to the connection's thread
//! instead of one each. A round trip wakes two threads, and those wake-ups were the largest item
//! in the profile of a 2,000-message backlog (issue 17); settling a monthly form writes its
//! version, its receipt and its outcome together this way.
//!
//! The statements run in order, each binding its `?` parameters from the values bound after it
//! was pushed (sqlx numbers a multi-statement query's plain `?`s on from one statement to the
//! next). They stop at the first error; the caller's savepoint or transaction rolls back the
//! ones that ran.

use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, AssertSqlSafe, Encode, Sqlite, Type};

use super::{StoreError, Tx};

/// Statements gathered to run as one query.
#[derive(Default)]
pub struct Writes {
    sql: String,
    args: SqliteArguments,
    /// A value that could not be bound: the whole query fails with it.
    unbound: Option<String>,
    statements: usize,
}

impl Writes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a statement whose parameters are plain `?`s (never `?NNN`); bind its values next.
    pub fn push(&mut self, statement: &'static str) -> &mut Self {
        self.sql.push_str(statement);
        self.sql.push_str(";\n");
        self.statements += 1;
        self
    }

    /// Binds the next `?` of the statements pushed.
    pub fn bind<'t, T: Encode<'t, Sqlite> + Type<Sqlite>>(&mut self, value: T) -> &mut Self {
        if let Err(error) = self.args.add(value) {
            self.unbound.get_or_insert(error.to_string());
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }

    /// Runs every statement in one round trip; the rows their `RETURNING` clauses gave, in order.
    pub async fn run(self, tx: &mut Tx) -> Result<Vec<SqliteRow>, StoreError> {
        if self.sql.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(why) = self.unbound {
            return Err(StoreError::Sql(sqlx::Error::Encode(why.into())));
        }
        // The text is only the `&'static str` statements given to `push`, joined: no value
        // is ever written into it.
        let query = sqlx::query_with(AssertSqlSafe(self.sql), self.args);
        Ok(query.fetch_all(&mut **tx).await?)
    }

    /// [`Writes::run`] for statements that each return exactly one row (an upsert with
    /// `RETURNING`): the rows, one a statement, in order.
    pub async fn run_one_row_each(self, tx: &mut Tx) -> Result<Vec<SqliteRow>, StoreError> {
        let statements = self.statements;
        let rows = self.run(tx).await?;
        if rows.len() != statements {
            let why = format!(
                "{statements} statements each returning one row gave {} rows",
                rows.len()
            );
            return Err(StoreError::Sql(sqlx::Error::Protocol(why)));
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn statements_run_in_order_with_their_values_and_stop_at_the_first_error() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = Store::open(&url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let mut writes = Writes::new();
        writes.push("CREATE TEMP TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
        writes.push("INSERT INTO t VALUES (?, ?)").bind("a").bind(1);
        writes.push("INSERT INTO t VALUES (?, ?)").bind("b").bind(2);
        writes
            .push("UPDATE t SET v = v + ? WHERE k = ? RETURNING v")
            .bind(10)
            .bind("b");
        let rows = writes.run(&mut tx).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<i64, _>(0), 12);
        let mut failing = Writes::new();
        failing
            .push("INSERT INTO t VALUES (?, ?)")
            .bind("c")
            .bind(3);
        failing
            .push("INSERT INTO t VALUES (?, ?)")
            .bind("a")
            .bind(4);
        failing
            .push("INSERT INTO t VALUES (?, ?)")
            .bind("d")
            .bind(5);
        assert!(failing.run(&mut tx).await.is_err(), "a repeated key fails");
        let keys: Vec<String> = sqlx::query_scalar("SELECT k FROM t ORDER BY k")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        assert_eq!(keys, ["a", "b", "c"], "stopped at the failing statement");
    }

    #[tokio::test]
    async fn one_row_each_is_checked_against_the_statements_pushed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = Store::open(&url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let mut two = Writes::new();
        two.push("SELECT ?").bind(1).push("SELECT ?").bind(2);
        let rows = two.run_one_row_each(&mut tx).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.get::<i64, _>(0)).collect::<Vec<_>>(),
            [1, 2]
        );
        let mut short = Writes::new();
        short.push("SELECT 1 WHERE 0").push("SELECT 2");
        let error = short.run_one_row_each(&mut tx).await.unwrap_err();
        assert!(error.to_string().contains("2 statements"), "{error}");
    }
}
