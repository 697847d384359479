//! Rows written many at a time, for the seed generator (`klade seed`): one INSERT carries as
//! many rows as both databases' limits on bound values allow, so a million rows are a few
//! hundred statements instead of a million round trips.
//!
//! It writes exactly the cells it is given, ids included, in the caller's transaction; the
//! schema's constraints are the only checks. Nothing a user does goes through here.

use crate::{Backend, Result, Tx};
use sqlx::AnyConnection;

/// One value of a row. Nulls carry their type: PostgreSQL refuses a null typed as a number in a
/// text column.
#[derive(Debug, Clone)]
pub enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}
impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        Self::Int(v)
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Self::Text(Some(v))
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Self::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        Self::Text(v)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

/// SQLite binds at most 32 766 values to a statement, PostgreSQL 65 535; both stay under this.
const VALUES_PER_STATEMENT: usize = 10_000;

/// Rows waiting to be written into one table.
pub struct Bulk {
    backend: Backend,
    table: &'static str,
    columns: &'static [&'static str],
    cells: Vec<Cell>,
    /// Rows in a full statement, and that statement (prepared once and reused).
    per_statement: usize,
    full: String,
    /// Rows written so far.
    pub written: u64,
}

impl Bulk {
    pub fn new(backend: Backend, table: &'static str, columns: &'static [&'static str]) -> Self {
        let per_statement = (VALUES_PER_STATEMENT / columns.len().max(1)).max(1);
        Self {
            backend,
            table,
            columns,
            cells: Vec::new(),
            per_statement,
            full: statement(backend, table, columns, per_statement),
            written: 0,
        }
    }

    /// Adds a row; it is written by the next [`Bulk::flush`] that finds a statement's worth.
    pub fn row<const N: usize>(&mut self, cells: [Cell; N]) {
        debug_assert_eq!(N, self.columns.len(), "{}: a row of {N} cells", self.table);
        self.cells.extend(cells);
    }

    fn rows(&self) -> usize {
        self.cells.len() / self.columns.len()
    }

    /// Writes every full statement's worth of rows; the rest wait for more or for [`Bulk::finish`].
    pub async fn flush(&mut self, conn: &mut Tx) -> Result<()> {
        while self.rows() >= self.per_statement {
            self.write(conn, self.per_statement).await?;
        }
        Ok(())
    }

    /// Writes every row still waiting.
    pub async fn finish(&mut self, conn: &mut Tx) -> Result<()> {
        self.flush(conn).await?;
        let rest = self.rows();
        if rest > 0 {
            self.write(conn, rest).await?;
        }
        Ok(())
    }

    async fn write(&mut self, conn: &mut AnyConnection, rows: usize) -> Result<()> {
        let partial;
        let sql = if rows == self.per_statement {
            self.full.as_str()
        } else {
            partial = statement(self.backend, self.table, self.columns, rows);
            partial.as_str()
        };
        // Only the full statement is worth keeping prepared; the last one of each table is a one-off.
        let mut query = sqlx::query(sql).persistent(rows == self.per_statement);
        for cell in self.cells.drain(..rows * self.columns.len()) {
            query = match cell {
                Cell::Int(v) => query.bind(v),
                Cell::Text(v) => query.bind(v),
                Cell::Bool(v) => query.bind(v),
            };
        }
        query.execute(&mut *conn).await?;
        self.written += rows as u64;
        Ok(())
    }
}

/// On SQLite the values are `?`: SQLite looks a numbered parameter's name up in a list, once
/// for each parameter as sqlx binds it, which for ten thousand of them was nine tenths of the
/// seed's time. PostgreSQL numbers them (`$1`).
fn statement(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// The id after the table's highest (`table` is one of the schema's, never user input).
pub async fn next_id(conn: &mut Tx, table: &str) -> Result<i64> {
    let max: i64 = sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
        .fetch_one(&mut **conn)
        .await?;
    Ok(max + 1)
}

/// After rows were written with their own ids, PostgreSQL's identity must move past them, or the
/// next ordinary insert would take an id already used. SQLite takes the highest id by itself.
pub async fn move_identity(conn: &mut Tx, backend: Backend, table: &str) -> Result<()> {
    if backend == Backend::Postgres {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .execute(&mut **conn)
        .await?;
    }
    Ok(())
}

/// After rows were written in bulk, PostgreSQL's planner must learn the tables' new sizes before
/// anyone reads them: without it, the county's mixed load ran at a fifth of its speed until
/// autovacuum came round. Only the tables written (found by the search path, so Klade's own
/// schema's): `ANALYZE` of a whole database locks every table of every schema in
/// it at once. SQLite's planner needs no statistics for Klade's indexes.
pub async fn analyze(conn: &mut AnyConnection, backend: Backend, tables: &[&str]) -> Result<()> {
    if backend == Backend::Postgres {
        for table in tables {
            sqlx::query(&format!("ANALYZE {table}")).execute(&mut *conn).await?;
        }
    }
    Ok(())
}

impl Bulk {
    /// The table the rows go into.
    pub fn table(&self) -> &'static str {
        self.table
    }
}

/// How many institutions the database holds (the seed refuses to mix its own with real ones).
pub async fn institutions(conn: &mut Tx) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM institutions")
        .fetch_one(&mut **conn)
        .await?)
}

/// Every personal code taken.
pub async fn personal_codes(conn: &mut Tx) -> Result<Vec<String>> {
    let codes: Vec<Option<String>> = sqlx::query_scalar("SELECT personal_code FROM persons")
        .fetch_all(&mut **conn)
        .await?;
    Ok(codes.into_iter().flatten().collect())
}

/// The head of an institution's history chain whose rows were written in bulk.
pub async fn history_head(conn: &mut Tx, institution: i64, seq: i64, hash: &str) -> Result<()> {
    sqlx::query("INSERT INTO journal_heads (institution_id, seq, hash) VALUES ($1, $2, $3)")
        .bind(institution)
        .bind(seq)
        .bind(hash)
        .execute(&mut **conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_numbers_every_value() {
        assert_eq!(
            statement(Backend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)"
        );
        assert_eq!(
            statement(Backend::Sqlite, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?)"
        );
    }

    #[test]
    fn a_full_statement_stays_under_both_limits() {
        for columns in [&["a"][..], &["a", "b", "c", "d", "e", "f", "g"][..]] {
            let b = Bulk::new(Backend::Sqlite, "t", columns);
            assert!(b.per_statement * columns.len() <= 32_766);
        }
    }
}
