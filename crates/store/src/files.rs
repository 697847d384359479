//! Stored files (message attachments; later the preschool journal's photos). A file is kept once
//! per institution, found by its SHA-256; whoever refers to it decides who may read it.

use crate::Result;
use klade_domain::InstitutionId;
use klade_domain::Tenant;
use sqlx::{Any, AnyConnection, Executor, Row};

#[derive(Debug, Clone)]
pub struct File {
    pub id: i64,
    pub content_type: String,
    pub size: i64,
    pub data: Vec<u8>,
}

/// Stores `data` unless the institution already has the same bytes; returns the file's id.
pub async fn put(
    conn: &mut AnyConnection,
    institution: Tenant,
    sha256: &str,
    content_type: &str,
    data: &[u8],
    now: i64,
) -> Result<i64> {
    let found = sqlx::query("SELECT id FROM files WHERE institution_id = $1 AND sha256 = $2")
        .bind(institution.id().0)
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = found {
        return Ok(row.try_get("id")?);
    }
    let row = sqlx::query(
        "INSERT INTO files (institution_id, sha256, content_type, size, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(sha256)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(data)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn get<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: i64,
) -> Result<Option<File>> {
    let row = sqlx::query("SELECT id, content_type, size, data FROM files WHERE institution_id = $1 AND id = $2")
        .bind(institution.0)
        .bind(id)
        .fetch_optional(ex)
        .await?;
    row.map(|r| {
        Ok(File {
            id: r.try_get("id")?,
            content_type: r.try_get("content_type")?,
            size: r.try_get("size")?,
            data: r.try_get("data")?,
        })
    })
    .transpose()
}
