//! The working-day calendar's data and each institution's deadline settings.
//!
//! `calendar_days` holds the government's decisions (no institution) and an institution's own
//! days; `school_holidays` an institution's holidays; `deadline_settings` its deadlines (no row:
//! the clauses' values). [`load`] is the one place that turns these rows into a
//! [`Calendar`]. Storage only: who may change what is the app's and the policy's.

use crate::{flag, Result, StoreError};
use jiff::civil::Date;
use klade_domain::calendar::{Calendar, DayKind};
use klade_domain::deadlines::{format_time, parse_time, Settings};
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

/// One stored day: the government's (`institution` None) or an institution's own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Day {
    pub id: i64,
    pub institution: Option<InstitutionId>,
    pub date: Date,
    pub kind: DayKind,
    pub note: String,
}

/// A school holiday (brīvlaiks), both ends included.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchoolHoliday {
    pub id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub name: String,
    /// The school year it falls in, when there is one.
    pub school_year: Option<String>,
}

fn day_from(r: &sqlx::any::AnyRow) -> Result<Day> {
    let kind: String = r.try_get("kind")?;
    Ok(Day {
        id: r.try_get("id")?,
        institution: r.try_get::<Option<i64>, _>("institution_id")?.map(InstitutionId),
        date: crate::date(r, "date")?,
        kind: DayKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("calendar day kind {kind}")))?,
        note: r.try_get("note")?,
    })
}

/// The government's days (when `with_government`) and the institution's own, by date. `None`
/// reads the government's only.
pub async fn days<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    with_government: bool,
) -> Result<Vec<Day>> {
    let rows = sqlx::query(
        "SELECT id, institution_id, date, kind, note FROM calendar_days \
         WHERE (institution_id IS NULL AND $2 = 1) OR institution_id = $1 ORDER BY date, id",
    )
    .bind(institution.map(|i| i.0).unwrap_or(0))
    .bind(i64::from(with_government || institution.is_none()))
    .fetch_all(ex)
    .await?;
    rows.iter().map(day_from).collect()
}

/// Adds a day; `None` adds the government's. A second row for the same date is a conflict.
pub async fn add_day<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    date: Date,
    kind: DayKind,
    note: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO calendar_days (institution_id, date, kind, note, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(institution.map(|i| i.0))
    .bind(date.to_string())
    .bind(kind.code())
    .bind(note)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(crate::conflict)?;
    Ok(row.try_get("id")?)
}

/// Removes the row of `date` (the government's with `None`); false when there was none.
pub async fn remove_day<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    date: Date,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM calendar_days WHERE COALESCE(institution_id, 0) = $1 AND date = $2")
        .bind(institution.map(|i| i.0).unwrap_or(0))
        .bind(date.to_string())
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn school_holidays<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Vec<SchoolHoliday>> {
    let rows = sqlx::query(
        "SELECT h.id, h.starts_on, h.ends_on, h.name, y.name AS year FROM school_holidays h \
         LEFT JOIN school_years y ON y.id = h.school_year_id \
         WHERE h.institution_id = $1 ORDER BY h.starts_on, h.id",
    )
    .bind(institution.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SchoolHoliday {
                id: r.try_get("id")?,
                starts_on: crate::date(r, "starts_on")?,
                ends_on: crate::date(r, "ends_on")?,
                name: r.try_get("name")?,
                school_year: r.try_get("year")?,
            })
        })
        .collect()
}

/// Adds a school holiday; it belongs to the school year its first day falls in, if any.
pub async fn add_school_holiday<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    from: Date,
    to: Date,
    name: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO school_holidays (institution_id, school_year_id, starts_on, ends_on, name, created_at) \
         VALUES ($1, (SELECT MIN(y.id) FROM school_years y WHERE y.institution_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2), \
                 $2, $3, $4, $5) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(name)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn remove_school_holiday<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    id: i64,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM school_holidays WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

fn count(r: &sqlx::any::AnyRow, column: &str) -> Result<u32> {
    let v: i64 = r.try_get(column)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column} {v}")))
}

fn day_of_month(r: &sqlx::any::AnyRow, column: &str) -> Result<i8> {
    let v: i64 = r.try_get(column)?;
    i8::try_from(v).map_err(|_| StoreError::Corrupt(format!("{column} {v}")))
}

fn time(r: &sqlx::any::AnyRow, column: &'static str) -> Result<jiff::civil::Time> {
    let v: String = r.try_get(column)?;
    parse_time(column, &v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The institution's deadline settings; the clauses' values when it has set none.
pub async fn settings<'e>(ex: impl Executor<'e, Database = Any>, institution: InstitutionId) -> Result<Settings> {
    let row = sqlx::query(
        "SELECT follows_government, lessons_by, preschool_attendance_by, preschool_journal_by, formative_days, \
           summative_days, excuse_days, summary_day, summary_day_june, account_days, holidays_stop_grading, reminders, \
           reminder_minutes FROM deadline_settings WHERE institution_id = $1",
    )
    .bind(institution.0)
    .fetch_optional(ex)
    .await?;
    let Some(r) = row else {
        return Ok(Settings::default());
    };
    Ok(Settings {
        follows_government: flag(&r, "follows_government")?,
        lessons_by: time(&r, "lessons_by")?,
        preschool_attendance_by: time(&r, "preschool_attendance_by")?,
        preschool_journal_by: time(&r, "preschool_journal_by")?,
        formative_days: count(&r, "formative_days")?,
        summative_days: count(&r, "summative_days")?,
        excuse_days: count(&r, "excuse_days")?,
        summary_day: day_of_month(&r, "summary_day")?,
        summary_day_june: day_of_month(&r, "summary_day_june")?,
        account_days: count(&r, "account_days")?,
        holidays_stop_grading: flag(&r, "holidays_stop_grading")?,
        reminders: flag(&r, "reminders")?,
        reminder_minutes: count(&r, "reminder_minutes")?,
    })
}

/// Writes the institution's settings (all of them).
pub async fn save_settings<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    s: &Settings,
    by: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deadline_settings (institution_id, follows_government, lessons_by, preschool_attendance_by, \
           preschool_journal_by, formative_days, summative_days, excuse_days, summary_day, summary_day_june, account_days, \
           holidays_stop_grading, reminders, reminder_minutes, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (institution_id) DO UPDATE SET follows_government = excluded.follows_government, \
           lessons_by = excluded.lessons_by, preschool_attendance_by = excluded.preschool_attendance_by, \
           preschool_journal_by = excluded.preschool_journal_by, formative_days = excluded.formative_days, \
           summative_days = excluded.summative_days, excuse_days = excluded.excuse_days, \
           summary_day = excluded.summary_day, summary_day_june = excluded.summary_day_june, \
           account_days = excluded.account_days, holidays_stop_grading = excluded.holidays_stop_grading, \
           reminders = excluded.reminders, reminder_minutes = excluded.reminder_minutes, \
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(institution.id().0)
    .bind(s.follows_government)
    .bind(format_time(s.lessons_by))
    .bind(format_time(s.preschool_attendance_by))
    .bind(format_time(s.preschool_journal_by))
    .bind(i64::from(s.formative_days))
    .bind(i64::from(s.summative_days))
    .bind(i64::from(s.excuse_days))
    .bind(i64::from(s.summary_day))
    .bind(i64::from(s.summary_day_june))
    .bind(i64::from(s.account_days))
    .bind(s.holidays_stop_grading)
    .bind(s.reminders)
    .bind(i64::from(s.reminder_minutes))
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// An institution's calendar and deadline settings: the law, the government's days when the
/// institution follows them, its own days (which win over the government's on the same date) and
/// its school holidays. Every "within N working days" reads its calendar from here.
pub async fn load(db: &sqlx::AnyPool, institution: InstitutionId) -> Result<(Calendar, Settings)> {
    let settings = settings(db, institution).await?;
    let stored = days(db, Some(institution), settings.follows_government).await?;
    let own: Vec<Date> = stored
        .iter()
        .filter(|d| d.institution.is_some())
        .map(|d| d.date)
        .collect();
    let mut cal = Calendar::latvia();
    for d in &stored {
        if d.institution.is_none() && own.contains(&d.date) {
            continue;
        }
        cal = cal.with_day(d.kind, d.date);
    }
    for h in school_holidays(db, institution).await? {
        cal = cal.with_school_holiday(h.starts_on, h.ends_on);
    }
    Ok((cal, settings))
}
