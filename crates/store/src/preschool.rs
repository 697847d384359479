//! The preschool's daily record: attendance per child and day (J22) with the day's marking,
//! journal entries per learning area with their photos (J27), and S/T/A/P assessments (J26).
//! Who may write and read is decided in `klade-app` by the policy; every query here names its
//! institution.

use crate::{flag, Result};
use jiff::civil::Date;
use klade_domain::journal_item::Item;
use klade_domain::Tenant;
use klade_domain::{ClassId, InstitutionId, PersonId};
use sqlx::{Any, AnyConnection, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Absence {
    pub child_id: PersonId,
    pub date: Date,
    pub code: String,
    pub reason: String,
    pub late: bool,
    pub entered_by: String,
    pub entered_at: i64,
}

/// The group's absences between two dates (inclusive).
pub async fn absences<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    group: ClassId,
    from: Date,
    to: Date,
) -> Result<Vec<Absence>> {
    let rows = sqlx::query(
        "SELECT a.child_id, a.date, a.code, a.reason, a.late, p.given_name || ' ' || p.family_name AS entered_by, a.entered_at \
         FROM preschool_attendance a JOIN persons p ON p.id = a.entered_by \
         WHERE a.institution_id = $1 AND a.group_id = $2 AND a.date >= $3 AND a.date <= $4 ORDER BY a.date, a.child_id",
    )
    .bind(institution.0)
    .bind(group.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Absence {
                child_id: PersonId(r.try_get("child_id")?),
                date: crate::date(r, "date")?,
                code: r.try_get("code")?,
                reason: r.try_get("reason")?,
                late: flag(r, "late")?,
                entered_by: r.try_get("entered_by")?,
                entered_at: r.try_get("entered_at")?,
            })
        })
        .collect()
}

/// Sets (or, with `None`, clears) a child's mark for a day.
#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn set_absence(
    conn: &mut AnyConnection,
    institution: Tenant,
    group: ClassId,
    child: PersonId,
    date: Date,
    mark: Option<(&str, &str)>,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM preschool_attendance WHERE institution_id = $1 AND child_id = $2 AND date = $3")
        .bind(institution.id().0)
        .bind(child.0)
        .bind(date.to_string())
        .execute(&mut *conn)
        .await?;
    if let Some((code, reason)) = mark {
        sqlx::query(
            "INSERT INTO preschool_attendance (institution_id, group_id, child_id, date, code, reason, late, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(institution.id().0)
        .bind(group.0)
        .bind(child.0)
        .bind(date.to_string())
        .bind(code)
        .bind(reason)
        .bind(late)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// When the group's day was marked, by whom, and whether after the deadline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Marked {
    pub date: Date,
    pub late: bool,
    pub by: String,
    pub at: i64,
}

pub async fn marked_days<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    group: ClassId,
    from: Date,
    to: Date,
) -> Result<Vec<Marked>> {
    let rows = sqlx::query(
        "SELECT d.date, d.late, p.given_name || ' ' || p.family_name AS who, d.marked_at FROM preschool_days d \
         JOIN persons p ON p.id = d.marked_by \
         WHERE d.institution_id = $1 AND d.group_id = $2 AND d.date >= $3 AND d.date <= $4 ORDER BY d.date",
    )
    .bind(institution.0)
    .bind(group.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Marked {
                date: crate::date(r, "date")?,
                late: flag(r, "late")?,
                by: r.try_get("who")?,
                at: r.try_get("marked_at")?,
            })
        })
        .collect()
}

/// Records the first marking of a day; later corrections keep the first time.
pub async fn mark_day(
    conn: &mut AnyConnection,
    institution: Tenant,
    group: ClassId,
    date: Date,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO preschool_days (institution_id, group_id, date, late, marked_by, marked_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (group_id, date) DO NOTHING",
    )
    .bind(institution.id().0)
    .bind(group.0)
    .bind(date.to_string())
    .bind(late)
    .bind(by.0)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub date: Date,
    pub area: String,
    pub tasks: String,
    pub activities: String,
    pub late: bool,
    pub author: String,
    pub created_at: i64,
    /// The ids of its photos (`preschool_photos.id`).
    pub photos: Vec<i64>,
}

/// The group's journal entries between two dates, newest day first, each with its photos.
pub async fn entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    group: ClassId,
    from: Date,
    to: Date,
) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT e.id, e.date, e.area, e.tasks, e.activities, e.late, p.given_name || ' ' || p.family_name AS author, \
           e.created_at, f.id AS photo \
         FROM preschool_entries e JOIN persons p ON p.id = e.created_by \
           LEFT JOIN preschool_photos f ON f.entry_id = e.id \
         WHERE e.institution_id = $1 AND e.group_id = $2 AND e.date >= $3 AND e.date <= $4 \
         ORDER BY e.date DESC, e.id, f.id",
    )
    .bind(institution.0)
    .bind(group.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    let mut out: Vec<Entry> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let photo: Option<i64> = r.try_get("photo")?;
        if out.last().map(|e| e.id) != Some(id) {
            out.push(Entry {
                id,
                date: crate::date(r, "date")?,
                area: r.try_get("area")?,
                tasks: r.try_get("tasks")?,
                activities: r.try_get("activities")?,
                late: flag(r, "late")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
                photos: Vec::new(),
            });
        }
        if let (Some(p), Some(e)) = (photo, out.last_mut()) {
            e.photos.push(p);
        }
    }
    Ok(out)
}

/// Writes the day's entry for an area (one per group, day and area); returns its id.
#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn put_entry(
    conn: &mut AnyConnection,
    institution: Tenant,
    group: ClassId,
    date: Date,
    area: &str,
    tasks: &str,
    activities: &str,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<(i64, Option<String>)> {
    let found = sqlx::query(
        "SELECT id, tasks, activities FROM preschool_entries WHERE institution_id = $1 AND group_id = $2 AND date = $3 AND area = $4",
    )
    .bind(institution.id().0)
    .bind(group.0)
    .bind(date.to_string())
    .bind(area)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = found {
        let id: i64 = r.try_get("id")?;
        let old = entry_value(
            &r.try_get::<String, _>("tasks")?,
            &r.try_get::<String, _>("activities")?,
        );
        sqlx::query("UPDATE preschool_entries SET tasks = $2, activities = $3 WHERE id = $1")
            .bind(id)
            .bind(tasks)
            .bind(activities)
            .execute(&mut *conn)
            .await?;
        return Ok((id, Some(old)));
    }
    let row = sqlx::query(
        "INSERT INTO preschool_entries (institution_id, group_id, date, area, tasks, activities, late, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(group.0)
    .bind(date.to_string())
    .bind(area)
    .bind(tasks)
    .bind(activities)
    .bind(late)
    .bind(by.0)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("id")?, None))
}

/// How an entry is written into the history chain.
pub fn entry_value(tasks: &str, activities: &str) -> String {
    format!("{tasks}\n---\n{activities}")
}

pub async fn add_photo(conn: &mut AnyConnection, institution: Tenant, entry: i64, file: i64, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO preschool_photos (institution_id, entry_id, file_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(entry)
    .bind(file)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// A photo's group and bytes, for the caller to check who may see it.
pub async fn photo<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
) -> Result<Option<(InstitutionId, ClassId, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT e.institution_id, e.group_id, f.data FROM preschool_photos p JOIN preschool_entries e ON e.id = p.entry_id \
         JOIN files f ON f.id = p.file_id AND f.institution_id = e.institution_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok((
            InstitutionId(r.try_get("institution_id")?),
            ClassId(r.try_get("group_id")?),
            r.try_get("data")?,
        ))
    })
    .transpose()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assessment {
    pub id: i64,
    pub child_id: PersonId,
    pub area: String,
    pub mark: String,
    pub date: Date,
    pub by: String,
}

/// Every assessment of the group's children (or of one child), oldest first.
pub async fn assessments<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    group: ClassId,
    child: Option<PersonId>,
) -> Result<Vec<Assessment>> {
    let rows = sqlx::query(
        "SELECT a.id, a.child_id, a.area, a.mark, a.date, p.given_name || ' ' || p.family_name AS who \
         FROM preschool_assessments a JOIN persons p ON p.id = a.assessed_by \
         WHERE a.institution_id = $1 AND a.group_id = $2 AND ($3 = 0 OR a.child_id = $3) ORDER BY a.id",
    )
    .bind(institution.0)
    .bind(group.0)
    .bind(child.map(|c| c.0).unwrap_or(0))
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Assessment {
                id: r.try_get("id")?,
                child_id: PersonId(r.try_get("child_id")?),
                area: r.try_get("area")?,
                mark: r.try_get("mark")?,
                date: crate::date(r, "date")?,
                by: r.try_get("who")?,
            })
        })
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn add_assessment(
    conn: &mut AnyConnection,
    institution: Tenant,
    group: ClassId,
    child: PersonId,
    area: &str,
    mark: &str,
    date: Date,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO preschool_assessments (institution_id, group_id, child_id, area, mark, date, assessed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(group.0)
    .bind(child.0)
    .bind(area)
    .bind(mark)
    .bind(date.to_string())
    .bind(by.0)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// How a child's day is written into the history chain.
pub fn absence_value(code: &str, reason: &str) -> String {
    if reason.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {reason}")
    }
}

/// The preschool's current values keyed as the history chain keys them (for `klade verify`).
pub(crate) async fn current_values<'e>(
    ex: impl Executor<'e, Database = Any> + Copy,
    institution: InstitutionId,
    out: &mut std::collections::HashMap<String, String>,
) -> Result<()> {
    for r in sqlx::query("SELECT child_id, date, code, reason FROM preschool_attendance WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_all(ex)
        .await?
    {
        let code: String = r.try_get("code")?;
        let reason: String = r.try_get("reason")?;
        out.insert(
            Item::PreschoolAttendance(PersonId(r.try_get("child_id")?), crate::date(&r, "date")?).to_string(),
            absence_value(&code, &reason),
        );
    }
    for r in sqlx::query("SELECT id, tasks, activities FROM preschool_entries WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_all(ex)
        .await?
    {
        out.insert(
            Item::PreschoolEntry(r.try_get("id")?).to_string(),
            entry_value(
                &r.try_get::<String, _>("tasks")?,
                &r.try_get::<String, _>("activities")?,
            ),
        );
    }
    for r in sqlx::query("SELECT id, mark FROM preschool_assessments WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_all(ex)
        .await?
    {
        out.insert(
            Item::PreschoolAssessment(r.try_get("id")?).to_string(),
            r.try_get("mark")?,
        );
    }
    Ok(())
}
