//! Institutions: schools, vocational schools, preschools.

use crate::{conflict, Result, StoreError};
use klade_domain::{InstitutionId, InstitutionKind};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Institution {
    pub id: InstitutionId,
    pub kind: InstitutionKind,
    pub name: String,
    pub reg_no: String,
    pub address: String,
}

const COLUMNS: &str = "id, kind, name, reg_no, address";

fn from_row(row: &AnyRow) -> Result<Institution> {
    let kind: String = row.try_get("kind")?;
    Ok(Institution {
        id: InstitutionId(row.try_get("id")?),
        kind: InstitutionKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("institution kind {kind}")))?,
        name: row.try_get("name")?,
        reg_no: row.try_get("reg_no")?,
        address: row.try_get("address")?,
    })
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    kind: InstitutionKind,
    name: &str,
    reg_no: &str,
    address: &str,
    now: i64,
) -> Result<InstitutionId> {
    let row = sqlx::query(
        "INSERT INTO institutions (kind, name, reg_no, address, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind.code())
    .bind(name)
    .bind(reg_no)
    .bind(address)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(InstitutionId(row.try_get("id")?))
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, id: InstitutionId) -> Result<Option<Institution>> {
    let sql = format!("SELECT {COLUMNS} FROM institutions WHERE id = $1");
    sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn find_by_reg_no<'e>(ex: impl Executor<'e, Database = Any>, reg_no: &str) -> Result<Option<Institution>> {
    let sql = format!("SELECT {COLUMNS} FROM institutions WHERE reg_no = $1");
    sqlx::query(&sql)
        .bind(reg_no)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn list<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<Institution>> {
    let sql = format!("SELECT {COLUMNS} FROM institutions ORDER BY name");
    sqlx::query(&sql).fetch_all(ex).await?.iter().map(from_row).collect()
}

/// Head counts for an institution's overview, for the current school year (`today` inside it).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub classes: i64,
    pub students: i64,
    pub staff: i64,
    pub accounts_missing: i64,
}

pub async fn counts<'e>(ex: impl Executor<'e, Database = Any>, id: InstitutionId, today: &str) -> Result<Counts> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM classes c JOIN school_years y ON y.id = c.school_year_id \
             WHERE c.institution_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2) AS classes, \
           (SELECT COUNT(DISTINCT person_id) FROM memberships WHERE institution_id = $1 AND role = 'student' \
             AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)) AS students, \
           (SELECT COUNT(DISTINCT person_id) FROM memberships WHERE institution_id = $1 AND basis = 'employment' \
             AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)) AS staff, \
           (SELECT COUNT(DISTINCT m.person_id) FROM memberships m LEFT JOIN accounts a ON a.person_id = m.person_id \
             WHERE m.institution_id = $1 AND m.basis = 'employment' AND a.id IS NULL \
             AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to >= $2)) AS accounts_missing",
    )
    .bind(id.0)
    .bind(today)
    .fetch_one(ex)
    .await?;
    Ok(Counts {
        classes: row.try_get("classes")?,
        students: row.try_get("students")?,
        staff: row.try_get("staff")?,
        accounts_missing: row.try_get("accounts_missing")?,
    })
}
