//! Family API tokens: named, read-only bearer tokens a person made for their own apps, kept by
//! hash, with when each was last used and its count of requests in the current minute. Who may
//! make one and what it may read is the use case's to decide (`app::family_tokens`).

use crate::Result;
use klade_domain::PersonId;
use sqlx::{Any, Executor, Row};

/// A token as its owner lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Token {
    pub id: i64,
    #[serde(skip)]
    pub person_id: PersonId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Token> {
    Ok(Token {
        id: r.try_get("id")?,
        person_id: PersonId(r.try_get("person_id")?),
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

pub async fn create<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
    name: &str,
    token_hash: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO family_tokens (person_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person.0)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// `person`'s tokens not revoked, oldest first.
pub async fn live<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Vec<Token>> {
    sqlx::query(
        "SELECT id, person_id, name, created_at, last_used_at FROM family_tokens \
         WHERE person_id = $1 AND revoked_at IS NULL ORDER BY id",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Revokes `person`'s token `id`; false when they have no such live token.
pub async fn revoke<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId, id: i64, now: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE family_tokens SET revoked_at = $3 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL")
            .bind(id)
            .bind(person.0)
            .bind(now)
            .execute(ex)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts a request made with the live token hashing to `token_hash` in the minute `minute` and
/// notes its use: the token and its requests in this minute, this one included. `None` for an
/// unknown or revoked token. One statement, so two servers count into the same row.
pub async fn used<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    minute: i64,
    now: i64,
) -> Result<Option<(Token, i64)>> {
    let row = sqlx::query(
        "UPDATE family_tokens SET in_minute = CASE WHEN minute = $2 THEN in_minute + 1 ELSE 1 END, \
           minute = $2, last_used_at = $3 \
         WHERE token_hash = $1 AND revoked_at IS NULL \
         RETURNING id, person_id, name, created_at, last_used_at, in_minute",
    )
    .bind(token_hash)
    .bind(minute)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    row.map(|r| Ok((from_row(&r)?, r.try_get("in_minute")?))).transpose()
}
