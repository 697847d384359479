//! The job queue, in the database so that any server may take the next job and none is lost when
//! one stops. A job is claimed with a lease; a lease that runs out (its server died) is taken again.

use crate::Result;
use sqlx::{Any, Executor, Row};

pub async fn enqueue<'e>(ex: impl Executor<'e, Database = Any>, kind: &str, payload: &str, now: i64) -> Result<i64> {
    enqueue_after(ex, kind, payload, now, now).await
}

/// A job made `now` that is not due before `run_after`.
pub async fn enqueue_after<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: &str,
    payload: &str,
    now: i64,
    run_after: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO jobs (kind, payload, status, run_after, created_at) VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_after)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Puts a claimed job back, not due before `until`, without counting the claim as an attempt.
pub async fn postpone<'e>(ex: impl Executor<'e, Database = Any>, id: i64, until: i64) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET status = 'queued', run_after = $2, attempts = attempts - 1, locked_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(until)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// Takes the next due job (or one whose lease ran out) for `lease` seconds. Servers sharing the
/// database take different jobs: on PostgreSQL a job another is taking is skipped (`SKIP LOCKED`)
/// rather than waited for, so no server finds the queue empty while jobs wait; on SQLite the
/// write transaction is the whole database's. The `WHERE` repeats the due check, so a job is
/// never taken twice even if two servers saw it due at once.
pub async fn claim(db: &crate::Db, now: i64, lease: i64) -> Result<Option<Job>> {
    let skip = match db.backend() {
        crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
         WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_after <= $1) \
                       OR (status = 'running' AND locked_until < $1) ORDER BY id LIMIT 1{skip}) \
           AND (status = 'queued' OR locked_until < $1) \
         RETURNING id, kind, payload, attempts"
    );
    let row = sqlx::query(&sql)
        .bind(now)
        .bind(now + lease)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(Job {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
        })
    })
    .transpose()
}

pub async fn done<'e>(ex: impl Executor<'e, Database = Any>, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE jobs SET status = 'done', done_at = $2, locked_until = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// A failed attempt: the job runs again at `retry_at`, or, with `None`, has failed for good.
pub async fn failed<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<()> {
    match retry_at {
        Some(at) => {
            sqlx::query(
                "UPDATE jobs SET status = 'queued', run_after = $2, last_error = $3, locked_until = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(at)
            .bind(error)
            .execute(ex)
            .await?
        }
        None => {
            sqlx::query("UPDATE jobs SET status = 'failed', last_error = $2, locked_until = NULL WHERE id = $1")
                .bind(id)
                .bind(error)
                .execute(ex)
                .await?
        }
    };
    Ok(())
}
