//! Uploaded import files and their progress.

use crate::Result;
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Import {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub kind: String,
    pub filename: String,
    pub table_json: String,
    pub status: String,
    pub total: i64,
    pub processed: i64,
    pub created: i64,
    pub changed: i64,
    pub rejected: i64,
    pub error: Option<String>,
    pub created_at: i64,
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    kind: &str,
    filename: &str,
    table_json: &str,
    total: i64,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO imports (institution_id, kind, filename, table_json, status, total, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'preview', $5, $6, $7) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(kind)
    .bind(filename)
    .bind(table_json)
    .bind(total)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: i64,
) -> Result<Option<Import>> {
    let row = sqlx::query(
        "SELECT id, institution_id, kind, filename, table_json, status, total, processed, created, changed, rejected, error, created_at \
         FROM imports WHERE institution_id = $1 AND id = $2",
    )
    .bind(institution.0)
    .bind(id)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(Import {
            id: r.try_get("id")?,
            institution_id: InstitutionId(r.try_get("institution_id")?),
            kind: r.try_get("kind")?,
            filename: r.try_get("filename")?,
            table_json: r.try_get("table_json")?,
            status: r.try_get("status")?,
            total: r.try_get("total")?,
            processed: r.try_get("processed")?,
            created: r.try_get("created")?,
            changed: r.try_get("changed")?,
            rejected: r.try_get("rejected")?,
            error: r.try_get("error")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Moves an import from preview to running; false when it was not in preview (confirmed twice).
pub async fn start<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE imports SET status = 'running' WHERE id = $1 AND status = 'preview'")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn progress<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
    processed: i64,
    created: i64,
    changed: i64,
    rejected: i64,
) -> Result<()> {
    sqlx::query("UPDATE imports SET processed = $2, created = $3, changed = $4, rejected = $5 WHERE id = $1")
        .bind(id)
        .bind(processed)
        .bind(created)
        .bind(changed)
        .bind(rejected)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn finish<'e>(ex: impl Executor<'e, Database = Any>, id: i64, error: Option<&str>, now: i64) -> Result<()> {
    sqlx::query("UPDATE imports SET status = $2, error = $3, finished_at = $4 WHERE id = $1")
        .bind(id)
        .bind(if error.is_some() { "failed" } else { "done" })
        .bind(error)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}
