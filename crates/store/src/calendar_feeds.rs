//! Calendar feeds: the secret addresses a person made for their own or a child's calendar, kept by
//! the address's hash. Who may make one, and whether a fetch is still allowed, is the use case's
//! to decide (`app::calendar_feeds`), never this module's.

use crate::Result;
use klade_domain::PersonId;
use sqlx::{Any, Executor, Row};

/// A feed as its owner lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Feed {
    pub id: i64,
    pub person_id: PersonId,
    pub student_id: PersonId,
    pub student: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn create<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
    student: PersonId,
    token_hash: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO calendar_feeds (person_id, student_id, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person.0)
    .bind(student.0)
    .bind(token_hash)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

const COLUMNS: &str = "f.id, f.person_id, f.student_id, p.given_name, p.family_name, f.created_at, f.last_used_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Feed> {
    Ok(Feed {
        id: r.try_get("id")?,
        person_id: PersonId(r.try_get("person_id")?),
        student_id: PersonId(r.try_get("student_id")?),
        student: format!(
            "{} {}",
            r.try_get::<String, _>("given_name")?,
            r.try_get::<String, _>("family_name")?
        ),
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

/// `person`'s feeds not revoked, oldest first.
pub async fn live<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Vec<Feed>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calendar_feeds f JOIN persons p ON p.id = f.student_id \
         WHERE f.person_id = $1 AND f.revoked_at IS NULL ORDER BY f.id"
    );
    sqlx::query(&sql)
        .bind(person.0)
        .fetch_all(ex)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The live feed whose address hashes to `token_hash`.
pub async fn find<'e>(ex: impl Executor<'e, Database = Any>, token_hash: &str) -> Result<Option<Feed>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM calendar_feeds f JOIN persons p ON p.id = f.student_id \
         WHERE f.token_hash = $1 AND f.revoked_at IS NULL"
    );
    sqlx::query(&sql)
        .bind(token_hash)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Revokes `person`'s feed `id`; false when they have no such live feed.
pub async fn revoke<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $3 WHERE id = $1 AND person_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(person.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes a fetch of feed `id`.
pub async fn used<'e>(ex: impl Executor<'e, Database = Any>, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE calendar_feeds SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}
