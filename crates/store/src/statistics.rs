//! Statistics and the monthly absence summary (R22.2, R25.1, R25.2): absences and grades counted
//! in the database with `GROUP BY`, so a whole institution's year comes back as a few rows per
//! class, never as its lessons or grades. The published summaries (`absence_summaries`).
//!
//! Storage only: who may read what, the periods and the deadline are the app's.
//!
//! An absence is excused when its mark's kind is excused or an excuse covers its day (the rule of
//! `families`); a late mark that is not an absence counts as late. Absences and grades belong to
//! the class of their course (a cross-class module without a class is not counted per class).

use crate::journal::EXCUSED;
use crate::Result;
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

fn absence_sums() -> String {
    format!(
        "SUM(CASE WHEN k.absent AND {EXCUSED} THEN 1 ELSE 0 END) AS excused, \
         SUM(CASE WHEN k.absent AND NOT {EXCUSED} THEN 1 ELSE 0 END) AS unexcused, \
         SUM(CASE WHEN k.late AND NOT k.absent THEN 1 ELSE 0 END) AS late"
    )
}

/// The work whose grades average (R19.2, `domain::grading::term_average`): summative, interim
/// and exam work on the 1–10 scale. Its marks that are not numbers (`nv`, `atbr.`) come back
/// counted like the others and are left out by the caller: a filter on the mark here would make
/// SQLite seek each mark value in the index instead of reading it in one pass.
const AVERAGED: &str = "a.kind IN ('summative', 'interim', 'exam') AND a.scale = 'ten'";

/// The classes (not preschool groups) whose school year meets `from`–`to`, by name.
pub async fn classes<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Vec<crate::school::ClassRow>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.kind, c.grade, c.programme_code, c.programme_name FROM classes c JOIN school_years y ON y.id = c.school_year_id \
         WHERE c.institution_id = $1 AND c.kind = 'class' AND y.starts_on <= $3 AND y.ends_on >= $2 ORDER BY c.name, c.id",
    )
    .bind(institution.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter().map(crate::school::class_row).collect()
}

/// Absences of one class, or of one subgroup's course within it (`group`), in a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AbsenceCount {
    pub class_id: ClassId,
    /// The subgroup's course; `None` for the lessons of the whole class.
    pub group: Option<CourseId>,
    pub group_name: Option<String>,
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
}

/// Absences per class and subgroup course in `from`–`to` (one `GROUP BY`).
pub async fn absences<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Vec<AbsenceCount>> {
    let sql = format!(
        "SELECT c.class_id, CASE WHEN c.subgroup IS NULL THEN 0 ELSE c.id END AS grp, MAX(c.name) AS group_name, {} \
         FROM courses c JOIN lessons l ON l.course_id = c.id JOIN attendance a ON a.lesson_id = l.id \
         JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
         WHERE c.institution_id = $1 AND a.institution_id = $1 AND l.date >= $2 AND l.date <= $3 \
           AND c.class_id IS NOT NULL \
         GROUP BY c.class_id, CASE WHEN c.subgroup IS NULL THEN 0 ELSE c.id END",
        absence_sums()
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            let grp: i64 = r.try_get("grp")?;
            Ok(AbsenceCount {
                class_id: ClassId(r.try_get("class_id")?),
                group: (grp != 0).then_some(CourseId(grp)),
                group_name: (grp != 0).then(|| r.try_get("group_name")).transpose()?,
                excused: r.try_get("excused")?,
                unexcused: r.try_get("unexcused")?,
                late: r.try_get("late")?,
            })
        })
        .collect()
}

/// How many times one mark (1–10) was given in one class or subgroup course.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkCount {
    pub class_id: ClassId,
    pub group: Option<CourseId>,
    pub group_name: Option<String>,
    pub mark: u8,
    pub count: i64,
}

/// The averaged marks per class, subgroup course and mark in `from`–`to` (one `GROUP BY`).
pub async fn marks<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Vec<MarkCount>> {
    let sql = format!(
        // Counted per work first, reading each course's work of the period by date and each
        // work's marks from the covering index `grades_assessment_mark`, in the order they are
        // grouped.
        "SELECT c.class_id, CASE WHEN c.subgroup IS NULL THEN 0 ELSE c.id END AS grp, MAX(c.name) AS group_name, \
           x.mark, CAST(SUM(x.n) AS BIGINT) AS n \
         FROM (SELECT a.course_id, g.mark, COUNT(*) AS n \
               FROM courses w JOIN assessments a ON a.course_id = w.id JOIN grades g ON g.assessment_id = a.id \
               WHERE w.institution_id = $1 AND a.date >= $2 AND a.date <= $3 AND {AVERAGED} \
               GROUP BY a.course_id, a.date, a.id, g.mark) x \
         JOIN courses c ON c.id = x.course_id \
         WHERE c.class_id IS NOT NULL \
         GROUP BY c.class_id, CASE WHEN c.subgroup IS NULL THEN 0 ELSE c.id END, x.mark"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let grp: i64 = r.try_get("grp")?;
        let mark: String = r.try_get("mark")?;
        let Ok(mark) = mark.parse::<u8>() else { continue };
        out.push(MarkCount {
            class_id: ClassId(r.try_get("class_id")?),
            group: (grp != 0).then_some(CourseId(grp)),
            group_name: (grp != 0).then(|| r.try_get("group_name")).transpose()?,
            mark,
            count: r.try_get("n")?,
        });
    }
    Ok(out)
}

/// One student's lessons missed in a month, in the class they were enrolled in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StudentAbsences {
    pub class_id: ClassId,
    pub class_name: String,
    pub student_id: PersonId,
    pub family_name: String,
    pub given_name: String,
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
}

/// Every student enrolled in a class of `institution` during `from`–`to`, with the lessons of
/// that class they missed (zeros for none); `classes` narrows it to some classes.
pub async fn absences_by_student<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
    classes: Option<&[ClassId]>,
) -> Result<Vec<StudentAbsences>> {
    let only = match classes {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(
            " AND cl.id IN ({})",
            ids.iter().map(|c| c.0.to_string()).collect::<Vec<_>>().join(",")
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT DISTINCT cl.id AS class_id, cl.name AS class_name, p.id AS student_id, p.family_name, p.given_name, \
           COALESCE(x.excused, 0) AS excused, COALESCE(x.unexcused, 0) AS unexcused, COALESCE(x.late, 0) AS late \
         FROM enrolments en JOIN classes cl ON cl.id = en.class_id JOIN persons p ON p.id = en.student_id \
         LEFT JOIN (SELECT c.class_id, a.student_id, {} \
             FROM courses c JOIN lessons l ON l.course_id = c.id JOIN attendance a ON a.lesson_id = l.id \
             JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
             WHERE c.institution_id = $1 AND a.institution_id = $1 AND l.date >= $2 AND l.date <= $3 \
             GROUP BY c.class_id, a.student_id) x ON x.class_id = cl.id AND x.student_id = p.id \
         WHERE en.institution_id = $1 AND cl.kind = 'class' AND en.valid_from <= $3 \
           AND (en.valid_to IS NULL OR en.valid_to >= $2){only}",
        absence_sums()
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StudentAbsences {
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("class_name")?,
                student_id: PersonId(r.try_get("student_id")?),
                family_name: r.try_get("family_name")?,
                given_name: r.try_get("given_name")?,
                excused: r.try_get("excused")?,
                unexcused: r.try_get("unexcused")?,
                late: r.try_get("late")?,
            })
        })
        .collect()
}

/// A published monthly absence summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub month: String,
    pub published_by: PersonId,
    pub published_by_name: String,
    pub published_at: i64,
    pub late: bool,
}

/// The summary of `month` (`YYYY-MM`), if it was published.
pub async fn published<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    month: &str,
) -> Result<Option<Published>> {
    let row = sqlx::query(
        "SELECT s.month, s.published_by, s.published_at, s.late, p.given_name || ' ' || p.family_name AS name \
         FROM absence_summaries s JOIN persons p ON p.id = s.published_by WHERE s.institution_id = $1 AND s.month = $2",
    )
    .bind(institution.0)
    .bind(month)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(Published {
            month: r.try_get("month")?,
            published_by: PersonId(r.try_get("published_by")?),
            published_by_name: r.try_get("name")?,
            published_at: r.try_get("published_at")?,
            late: crate::flag(&r, "late")?,
        })
    })
    .transpose()
}

/// Records the summary of `month` as published; a second publication changes nothing.
pub async fn publish<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    month: &str,
    by: PersonId,
    at: i64,
    late: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO absence_summaries (institution_id, month, published_by, published_at, late) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (institution_id, month) DO NOTHING",
    )
    .bind(institution.id().0)
    .bind(month)
    .bind(by.0)
    .bind(at)
    .bind(late)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}
