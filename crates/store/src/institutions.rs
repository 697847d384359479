//! Institutions: schools, vocational schools, preschools.

use crate::{conflict, Result, StoreError};
use jiff::civil::Date;
use klade_domain::Tenant;
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
    /// Named in the privacy notice (R15, J7).
    pub data_processor: String,
    /// The institution's rules for using Klade, which every user acknowledges (J36).
    pub rules: String,
    pub rules_version: i64,
    /// The logo on its documents: a stored file (a JPEG).
    pub logo_file: Option<i64>,
}

const COLUMNS: &str = "id, kind, name, reg_no, address, data_processor, rules, rules_version, logo_file";

fn from_row(row: &AnyRow) -> Result<Institution> {
    let kind: String = row.try_get("kind")?;
    Ok(Institution {
        id: InstitutionId(row.try_get("id")?),
        kind: InstitutionKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("institution kind {kind}")))?,
        name: row.try_get("name")?,
        reg_no: row.try_get("reg_no")?,
        address: row.try_get("address")?,
        data_processor: row.try_get("data_processor")?,
        rules: row.try_get("rules")?,
        rules_version: row.try_get("rules_version")?,
        logo_file: row.try_get("logo_file")?,
    })
}

/// Changes what an institution is called, its registration number and address.
pub async fn set_details<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: Tenant,
    name: &str,
    reg_no: &str,
    address: &str,
) -> Result<()> {
    sqlx::query("UPDATE institutions SET name = $2, reg_no = $3, address = $4 WHERE id = $1")
        .bind(id.id().0)
        .bind(name)
        .bind(reg_no)
        .bind(address)
        .execute(ex)
        .await
        .map_err(crate::conflict)?;
    Ok(())
}

/// Sets or clears the institution's logo.
pub async fn set_logo<'e>(ex: impl Executor<'e, Database = Any>, id: Tenant, file: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE institutions SET logo_file = $2 WHERE id = $1")
        .bind(id.id().0)
        .bind(file)
        .execute(ex)
        .await?;
    Ok(())
}

/// Sets the data processor and the rules; a change of the rules raises their version, so every
/// user is asked to acknowledge them again.
pub async fn set_rules<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: Tenant,
    processor: &str,
    rules: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE institutions SET data_processor = $2, \
           rules_version = CASE WHEN rules = $3 THEN rules_version ELSE rules_version + 1 END, rules = $3 WHERE id = $1",
    )
    .bind(id.id().0)
    .bind(processor)
    .bind(rules)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn acknowledge<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: Tenant,
    person: klade_domain::PersonId,
    version: i64,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO acknowledgements (institution_id, person_id, version, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (institution_id, person_id, version) DO NOTHING",
    )
    .bind(id.id().0)
    .bind(person.0)
    .bind(version)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Which of `institutions`' current rules `person` has acknowledged.
pub async fn acknowledged<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: klade_domain::PersonId,
) -> Result<Vec<(InstitutionId, i64)>> {
    let rows = sqlx::query("SELECT institution_id, version FROM acknowledgements WHERE person_id = $1")
        .bind(person.0)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok((InstitutionId(r.try_get("institution_id")?), r.try_get("version")?)))
        .collect()
}

/// Members of the institution on `today` who have not acknowledged rules version `version`,
/// as (person id, "Given Family", role codes).
pub async fn not_acknowledged<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: InstitutionId,
    version: i64,
    today: Date,
) -> Result<Vec<(klade_domain::PersonId, String, String)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, m.role FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.institution_id = $1 AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3) AND m.role <> 'student' \
           AND NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.institution_id = $1 AND a.person_id = p.id AND a.version = $2)",
    )
    .bind(id.0)
    .bind(version)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok((
                klade_domain::PersonId(r.try_get("id")?),
                given,
                family,
                r.try_get::<String, _>("role")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_cached_key(|(_, g, f, _)| klade_domain::collate::person_key(f, g));
    Ok(out
        .into_iter()
        .map(|(id, g, f, role)| (id, format!("{g} {f}"), role))
        .collect())
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

/// At most two institutions: whether the install serves one only, and which.
pub async fn first_two<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<Institution>> {
    let sql = format!("SELECT {COLUMNS} FROM institutions ORDER BY id LIMIT 2");
    sqlx::query(&sql).fetch_all(ex).await?.iter().map(from_row).collect()
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

pub async fn counts<'e>(ex: impl Executor<'e, Database = Any>, id: InstitutionId, today: Date) -> Result<Counts> {
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
    .bind(today.to_string())
    .fetch_one(ex)
    .await?;
    Ok(Counts {
        classes: row.try_get("classes")?,
        students: row.try_get("students")?,
        staff: row.try_get("staff")?,
        accounts_missing: row.try_get("accounts_missing")?,
    })
}
