//! One request, one record: a repeat of a creating form (its one-time token) or of an API call
//! (its `Idempotency-Key`) gets the first request's answer instead of making a second record.
//! The key is a hash of who sent it, where, and the token, so one person's token never answers
//! another's request. Answers are kept for a day.

use crate::{App, AppError};
use klade_store::repeats as store;
pub use klade_store::repeats::Answer;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a repeat waits for the first request's answer before it is told the first still runs.
const WAIT: Duration = Duration::from_secs(10);

/// How long answers are kept.
pub const KEEP_SECS: i64 = 24 * 3600;

/// The key of a request: who (a session's secret, an API person), where (its path), the token.
pub fn key(who: &str, path: &str, token: &str) -> String {
    let mut h = Sha256::new();
    for part in [who, path, token] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    crate::auth::hex(&h.finalize())
}

pub enum Claim {
    /// The first request with this key: run it, then `record` or `release`.
    First,
    /// A repeat: the first request's answer.
    Answered(Answer),
    /// A repeat while the first is still running after the wait.
    Busy,
}

pub async fn claim(app: &App, key: &str) -> Result<Claim, AppError> {
    let db = app.db.pool();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if store::claim(db, key, app.now()).await? {
            return Ok(Claim::First);
        }
        match store::answer(db, key).await? {
            Some(Some(a)) => return Ok(Claim::Answered(a)),
            // Released meanwhile: try to take it again.
            None => continue,
            Some(None) if tokio::time::Instant::now() >= deadline => return Ok(Claim::Busy),
            Some(None) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

pub async fn record(app: &App, key: &str, answer: &Answer) -> Result<(), AppError> {
    Ok(store::record(app.db.pool(), key, answer).await?)
}

pub async fn release(app: &App, key: &str) -> Result<(), AppError> {
    Ok(store::release(app.db.pool(), key).await?)
}

/// Forgets answers older than a day (the server's housekeeping).
pub async fn prune(app: &App) -> Result<u64, AppError> {
    Ok(store::prune(app.db.pool(), app.now() - KEEP_SECS).await?)
}
