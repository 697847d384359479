//! School meals: an institution's settings, the meals families cancelled, and the orders sent to
//! the caterer. Whether a change is still allowed, and who may make it, is the use case's to
//! decide (`app::meals`), never this module's; every query names its institution.

use crate::{flag, Result};
use jiff::civil::{Date, Time};
use klade_domain::{ClassId, InstitutionId, PersonId, Tenant};
use sqlx::{Any, Executor, Row};

/// An institution's meals: off until it turns them on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    pub enabled: bool,
    pub cutoff: Time,
    pub caterer_email: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            cutoff: klade_domain::meals::DEFAULT_CUTOFF,
            caterer_email: None,
        }
    }
}

fn settings_from(r: &sqlx::any::AnyRow) -> Result<Settings> {
    let cutoff: String = r.try_get("cutoff")?;
    Ok(Settings {
        enabled: flag(r, "enabled")?,
        cutoff: klade_domain::meals::parse_cutoff(&cutoff)
            .ok_or_else(|| crate::StoreError::Corrupt(format!("meal cut-off {cutoff}")))?,
        caterer_email: r.try_get("caterer_email")?,
    })
}

pub async fn settings<'e>(ex: impl Executor<'e, Database = Any>, institution: InstitutionId) -> Result<Settings> {
    let row = sqlx::query("SELECT enabled, cutoff, caterer_email FROM meal_settings WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_optional(ex)
        .await?;
    row.as_ref()
        .map(settings_from)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The settings of these institutions that serve meals through Klade.
pub async fn enabled_among<'e>(
    ex: impl Executor<'e, Database = Any>,
    institutions: &[InstitutionId],
) -> Result<Vec<(InstitutionId, Settings)>> {
    if institutions.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers we hold, not user input, so inlining them keeps this one query.
    let ids: Vec<String> = institutions.iter().map(|i| i.0.to_string()).collect();
    let sql = format!(
        "SELECT institution_id, enabled, cutoff, caterer_email FROM meal_settings WHERE institution_id IN ({}) \
         ORDER BY institution_id",
        ids.join(",")
    );
    let rows = sqlx::query(&sql).fetch_all(ex).await?;
    let mut out = Vec::new();
    for r in &rows {
        let s = settings_from(r)?;
        if s.enabled {
            out.push((InstitutionId(r.try_get("institution_id")?), s));
        }
    }
    Ok(out)
}

/// Every institution that serves meals through Klade, for the caterer's orders.
pub async fn enabled_institutions<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Vec<(InstitutionId, Settings)>> {
    let rows = sqlx::query(
        "SELECT institution_id, enabled, cutoff, caterer_email FROM meal_settings WHERE enabled = $1 ORDER BY institution_id",
    )
    .bind(true)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((InstitutionId(r.try_get("institution_id")?), settings_from(r)?)))
        .collect()
}

pub async fn save_settings<'e>(
    ex: impl Executor<'e, Database = Any>,
    tenant: Tenant,
    s: &Settings,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO meal_settings (institution_id, enabled, cutoff, caterer_email, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (institution_id) DO UPDATE SET enabled = excluded.enabled, cutoff = excluded.cutoff, \
           caterer_email = excluded.caterer_email, updated_at = excluded.updated_at",
    )
    .bind(tenant.id().0)
    .bind(s.enabled)
    .bind(klade_domain::deadlines::format_time(s.cutoff))
    .bind(s.caterer_email.as_deref())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Cancels `student`'s meal on `day`; cancelling again changes nothing.
pub async fn cancel<'e>(
    ex: impl Executor<'e, Database = Any>,
    tenant: Tenant,
    student: PersonId,
    day: Date,
    by: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO meal_cancellations (institution_id, student_id, date, by_id, at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (institution_id, student_id, date) DO NOTHING",
    )
    .bind(tenant.id().0)
    .bind(student.0)
    .bind(day.to_string())
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Orders `student`'s meal on `day` again.
pub async fn restore<'e>(
    ex: impl Executor<'e, Database = Any>,
    tenant: Tenant,
    student: PersonId,
    day: Date,
) -> Result<()> {
    sqlx::query("DELETE FROM meal_cancellations WHERE institution_id = $1 AND student_id = $2 AND date = $3")
        .bind(tenant.id().0)
        .bind(student.0)
        .bind(day.to_string())
        .execute(ex)
        .await?;
    Ok(())
}

/// Why a learner's meal is off on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Off {
    /// Cancelled by this person at this moment.
    Cancelled { by: String, at: i64 },
    /// A notice of absence covers the day, written at this moment (whether in time for the
    /// caterer is the rules' to say).
    Absent { written: i64 },
}

/// What cancels meals of `students` in `institution` from `from` to `to`: (student, day, why),
/// with every notice of absence as one entry per day it covers in that span.
pub async fn offs<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<(PersonId, Date, Off)>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = students.iter().map(|p| p.0.to_string()).collect();
    let ids = ids.join(",");
    let sql = format!(
        "SELECT m.student_id, m.date AS from_date, m.date AS to_date, p.given_name || ' ' || p.family_name AS by_name, \
           m.at, CAST(0 AS BIGINT) AS notice FROM meal_cancellations m JOIN persons p ON p.id = m.by_id \
         WHERE m.institution_id = $1 AND m.student_id IN ({ids}) AND m.date >= $2 AND m.date <= $3 \
         UNION ALL \
         SELECT n.student_id, n.from_date, n.to_date, '' AS by_name, n.created_at AS at, CAST(1 AS BIGINT) AS notice FROM absence_notices n \
         WHERE n.institution_id = $1 AND n.student_id IN ({ids}) AND n.from_date <= $3 AND n.to_date >= $2"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let student = PersonId(r.try_get("student_id")?);
        let at: i64 = r.try_get("at")?;
        let notice = r.try_get::<i64, _>("notice")? == 1;
        let mut day = crate::date(r, "from_date")?.max(from);
        let last = crate::date(r, "to_date")?.min(to);
        while day <= last {
            let off = if notice {
                Off::Absent { written: at }
            } else {
                Off::Cancelled {
                    by: r.try_get("by_name")?,
                    at,
                }
            };
            out.push((student, day, off));
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
    }
    Ok(out)
}

/// One class's or group's line of a day's order: who is enrolled that day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Enrolled {
    pub class_id: ClassId,
    pub class_name: String,
    pub student_id: PersonId,
    pub name: String,
}

/// Everyone enrolled in `institution` on `day`, by class name and then in the register's order.
pub async fn enrolled<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    day: Date,
) -> Result<Vec<Enrolled>> {
    let rows = sqlx::query(
        "SELECT c.id AS class_id, c.name AS class_name, p.id AS student_id, p.family_name || ' ' || p.given_name AS name \
         FROM enrolments e JOIN classes c ON c.id = e.class_id AND c.institution_id = e.institution_id \
         JOIN persons p ON p.id = e.student_id \
         WHERE e.institution_id = $1 AND e.valid_from <= $2 AND (e.valid_to IS NULL OR e.valid_to >= $2) \
         ORDER BY c.name, p.family_name, p.given_name, p.id",
    )
    .bind(institution.0)
    .bind(day.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Enrolled {
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("class_name")?,
                student_id: PersonId(r.try_get("student_id")?),
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// Records that `day`'s order of `institution` was sent; false when it already was (another
/// server, an earlier sweep): then nothing is sent again.
pub async fn record_order<'e>(
    ex: impl Executor<'e, Database = Any>,
    tenant: Tenant,
    day: Date,
    total: i64,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO meal_orders (institution_id, date, total, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (institution_id, date) DO NOTHING",
    )
    .bind(tenant.id().0)
    .bind(day.to_string())
    .bind(total)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When `day`'s order of `institution` was sent, if it was.
pub async fn order_sent<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    day: Date,
) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT sent_at FROM meal_orders WHERE institution_id = $1 AND date = $2")
        .bind(institution.0)
        .bind(day.to_string())
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.try_get("sent_at")).transpose()?)
}
