//! Locked school years and the deputies' consents to change them (R28): the lock itself, and the
//! `year_changes` that let one teacher change one course or group of a locked year for a while.
//! The consent's access comes through `accounts::holdings`; who may lock or consent is the
//! policy's.

use crate::Result;
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId, SchoolYearId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Year {
    pub id: SchoolYearId,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub locked_at: Option<i64>,
}

pub async fn years<'e>(ex: impl Executor<'e, Database = Any>, institution: InstitutionId) -> Result<Vec<Year>> {
    let rows = sqlx::query(
        "SELECT id, name, starts_on, ends_on, locked_at FROM school_years WHERE institution_id = $1 ORDER BY starts_on DESC",
    )
    .bind(institution.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Year {
                id: SchoolYearId(r.try_get("id")?),
                name: r.try_get("name")?,
                starts_on: crate::date(r, "starts_on")?,
                ends_on: crate::date(r, "ends_on")?,
                locked_at: r.try_get("locked_at")?,
            })
        })
        .collect()
}

pub async fn lock<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    year: SchoolYearId,
    by: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE school_years SET locked_at = $3, locked_by = $4 WHERE institution_id = $1 AND id = $2 AND locked_at IS NULL",
    )
    .bind(institution.id().0)
    .bind(year.0)
    .bind(now)
    .bind(by.0)
    .execute(ex)
    .await?;
    Ok(())
}

/// Whether the school year of a course is locked.
pub async fn course_locked<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT y.locked_at FROM courses c JOIN school_years y ON y.id = c.school_year_id \
         WHERE c.institution_id = $1 AND c.id = $2",
    )
    .bind(institution.0)
    .bind(course.0)
    .fetch_optional(ex)
    .await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>, _>("locked_at")?.is_some(),
        None => false,
    })
}

/// The reason of a consent in force for `teacher` to change `course` on `today`.
pub async fn consent<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    teacher: PersonId,
    course: CourseId,
    today: Date,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT reason FROM year_changes WHERE institution_id = $1 AND teacher_id = $2 AND course_id = $3 \
         AND valid_until >= $4 ORDER BY id DESC",
    )
    .bind(institution.0)
    .bind(teacher.0)
    .bind(course.0)
    .bind(today.to_string())
    .fetch_optional(ex)
    .await?;
    row.map(|r| Ok(r.try_get("reason")?)).transpose()
}

pub struct NewConsent<'a> {
    pub institution: InstitutionId,
    pub year: SchoolYearId,
    pub course: Option<CourseId>,
    pub class: Option<ClassId>,
    pub teacher: PersonId,
    pub reason: &'a str,
    pub by: PersonId,
    pub now: i64,
    pub valid_until: Date,
}

pub async fn insert_consent<'e>(ex: impl Executor<'e, Database = Any>, c: &NewConsent<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO year_changes (institution_id, school_year_id, course_id, class_id, teacher_id, reason, granted_by, granted_at, valid_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(c.institution.0)
    .bind(c.year.0)
    .bind(c.course.map(|x| x.0))
    .bind(c.class.map(|x| x.0))
    .bind(c.teacher.0)
    .bind(c.reason)
    .bind(c.by.0)
    .bind(c.now)
    .bind(c.valid_until.to_string())
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// A consent as listed for the deputies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    pub id: i64,
    pub year: String,
    pub what: String,
    pub teacher: String,
    pub reason: String,
    pub granted_by: String,
    pub granted_at: i64,
    pub valid_until: Date,
}

pub async fn consents<'e>(ex: impl Executor<'e, Database = Any>, institution: InstitutionId) -> Result<Vec<Consent>> {
    let rows = sqlx::query(
        "SELECT r.id, y.name AS year, COALESCE(k.name || ' ' || c.name, g.name, '') AS what, \
           t.given_name || ' ' || t.family_name AS teacher, r.reason, b.given_name || ' ' || b.family_name AS granted_by, \
           r.granted_at, r.valid_until \
         FROM year_changes r JOIN school_years y ON y.id = r.school_year_id JOIN persons t ON t.id = r.teacher_id \
           JOIN persons b ON b.id = r.granted_by LEFT JOIN courses c ON c.id = r.course_id \
           LEFT JOIN classes k ON k.id = c.class_id LEFT JOIN classes g ON g.id = r.class_id \
         WHERE r.institution_id = $1 ORDER BY r.id DESC",
    )
    .bind(institution.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Consent {
                id: r.try_get("id")?,
                year: r.try_get("year")?,
                what: r.try_get("what")?,
                teacher: r.try_get("teacher")?,
                reason: r.try_get("reason")?,
                granted_by: r.try_get("granted_by")?,
                granted_at: r.try_get("granted_at")?,
                valid_until: crate::date(r, "valid_until")?,
            })
        })
        .collect()
}
