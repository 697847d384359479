//! Absence notices (R21) and the tutor's excuses (R18.2). An excuse never changes a teacher's
//! mark: an absence is excused when its mark's kind is excused or an excuse covers its day.

use crate::{flag, Result};
use klade_domain::{ClassId, InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub student_id: PersonId,
    pub student: String,
    pub from_date: String,
    pub to_date: String,
    pub reason: String,
    pub late: bool,
    pub author: String,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_notice<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    student: PersonId,
    from: &str,
    to: &str,
    reason: &str,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO absence_notices (institution_id, student_id, from_date, to_date, reason, late, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.0)
    .bind(student.0)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(late)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Notices overlapping `from`..`to`, of one learner or of a class's learners.
pub async fn notices<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    student: Option<PersonId>,
    class: Option<ClassId>,
    from: &str,
    to: &str,
) -> Result<Vec<Notice>> {
    let rows = sqlx::query(
        "SELECT n.id, n.student_id, s.given_name || ' ' || s.family_name AS student, n.from_date, n.to_date, n.reason, n.late, \
           a.given_name || ' ' || a.family_name AS author, n.created_at \
         FROM absence_notices n JOIN persons s ON s.id = n.student_id JOIN persons a ON a.id = n.created_by \
         WHERE n.institution_id = $1 AND n.from_date <= $4 AND n.to_date >= $3 \
           AND ($2 = 0 OR n.student_id = $2) \
           AND ($5 = 0 OR n.student_id IN (SELECT e.student_id FROM enrolments e WHERE e.class_id = $5)) \
         ORDER BY n.from_date DESC, n.id DESC",
    )
    .bind(institution.0)
    .bind(student.map(|s| s.0).unwrap_or(0))
    .bind(from)
    .bind(to)
    .bind(class.map(|c| c.0).unwrap_or(0))
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notice {
                id: r.try_get("id")?,
                student_id: PersonId(r.try_get("student_id")?),
                student: r.try_get("student")?,
                from_date: r.try_get("from_date")?,
                to_date: r.try_get("to_date")?,
                reason: r.try_get("reason")?,
                late: flag(r, "late")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Excuse {
    pub id: i64,
    pub student_id: PersonId,
    pub from_date: String,
    pub to_date: String,
    pub reason: String,
}

impl Excuse {
    pub fn history_value(&self) -> String {
        [
            self.student_id.to_string().as_str(),
            &self.from_date,
            &self.to_date,
            &self.reason,
        ]
        .join("\u{1f}")
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_excuse<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    student: PersonId,
    from: &str,
    to: &str,
    reason: &str,
    notice: Option<i64>,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO excuses (institution_id, student_id, from_date, to_date, reason, notice_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.0)
    .bind(student.0)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(notice)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Excuses of the given learners overlapping `from`..`to` (all of the institution's with an empty list).
pub async fn excuses<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: &str,
    to: &str,
) -> Result<Vec<Excuse>> {
    let filter = if students.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = students.iter().map(|s| s.0.to_string()).collect();
        // Integer ids from our own rows.
        format!(" AND student_id IN ({})", ids.join(","))
    };
    let sql = format!(
        "SELECT id, student_id, from_date, to_date, reason FROM excuses WHERE institution_id = $1 \
         AND from_date <= $3 AND to_date >= $2{filter} ORDER BY from_date, id"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from)
        .bind(to)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Excuse {
                id: r.try_get("id")?,
                student_id: PersonId(r.try_get("student_id")?),
                from_date: r.try_get("from_date")?,
                to_date: r.try_get("to_date")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}
