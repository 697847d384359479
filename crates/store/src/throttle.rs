//! Failed logins, counted per key (an account's username, a client address) in a sliding window.
//! Kept in the database so that every server behind a load balancer counts the same failures.

use crate::Result;
use sqlx::{Any, Executor, Row};

pub async fn failures_since<'e>(ex: impl Executor<'e, Database = Any>, key: &str, since: i64) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at > $2")
        .bind(key)
        .bind(since)
        .fetch_one(ex)
        .await?;
    Ok(row.try_get("n")?)
}

pub async fn record_failure<'e>(ex: impl Executor<'e, Database = Any>, key: &str, at: i64) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(at)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn clear<'e>(ex: impl Executor<'e, Database = Any>, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets failures older than `before`; run from time to time so the table stays small.
pub async fn prune<'e>(ex: impl Executor<'e, Database = Any>, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
