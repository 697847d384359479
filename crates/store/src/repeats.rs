//! Requests already answered: the key of a creating form's one-time token or of an API client's
//! `Idempotency-Key`, and the answer the first request got. Storage only: what makes a key and
//! what is kept of an answer are the app's.

use crate::Result;
use sqlx::{Any, Executor, Row};

/// What the first request was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: i64,
    /// A redirect's target.
    pub location: Option<String>,
    /// An API answer's JSON.
    pub body: Option<String>,
}

/// Takes `key` for a request about to run: true when it is the first with this key.
pub async fn claim<'e>(ex: impl Executor<'e, Database = Any>, key: &str, now: i64) -> Result<bool> {
    let done = sqlx::query("INSERT INTO repeats (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `None` when the key is not taken; `Some(None)` while its first request runs.
pub async fn answer<'e>(ex: impl Executor<'e, Database = Any>, key: &str) -> Result<Option<Option<Answer>>> {
    let row = sqlx::query("SELECT status, location, body FROM repeats WHERE key = $1")
        .bind(key)
        .fetch_optional(ex)
        .await?;
    row.map(|r| {
        let status: Option<i64> = r.try_get("status")?;
        Ok(match status {
            Some(status) => Some(Answer {
                status,
                location: r.try_get("location")?,
                body: r.try_get("body")?,
            }),
            None => None,
        })
    })
    .transpose()
}

pub async fn record<'e>(ex: impl Executor<'e, Database = Any>, key: &str, a: &Answer) -> Result<()> {
    sqlx::query("UPDATE repeats SET status = $2, location = $3, body = $4 WHERE key = $1")
        .bind(key)
        .bind(a.status)
        .bind(&a.location)
        .bind(&a.body)
        .execute(ex)
        .await?;
    Ok(())
}

/// Lets the key go: the first request was refused, so a corrected one may run.
pub async fn release<'e>(ex: impl Executor<'e, Database = Any>, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM repeats WHERE key = $1")
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets answers older than `before`.
pub async fn prune<'e>(ex: impl Executor<'e, Database = Any>, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM repeats WHERE created_at < $1")
        .bind(before)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}
