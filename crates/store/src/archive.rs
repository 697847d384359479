//! What the year-end archive needs from the database: the institution's signing key and the
//! record of archives made (the school years are `year_lock::years`). The archive's content is
//! read through the other modules; building, signing and checking it is `klade-app`'s.

use crate::Result;
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId, SchoolYearId};
use sqlx::{Any, Executor, Row};

/// The institution's key pair (hex), if it has one.
pub async fn key<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT public_key, secret_key FROM institution_keys WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_optional(ex)
        .await?;
    row.map(|r| Ok((r.try_get("public_key")?, r.try_get("secret_key")?)))
        .transpose()
}

/// Stores a new key pair unless the institution has one already (a second server may race).
pub async fn insert_key<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    public: &str,
    secret: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO institution_keys (institution_id, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (institution_id) DO NOTHING",
    )
    .bind(institution.id().0)
    .bind(public)
    .bind(secret)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn record<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    year: SchoolYearId,
    manifest_sha256: &str,
    files: i64,
    by: Option<PersonId>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO archives (institution_id, school_year_id, manifest_sha256, files, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(institution.id().0)
    .bind(year.0)
    .bind(manifest_sha256)
    .bind(files)
    .bind(by.map(|p| p.0))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}
