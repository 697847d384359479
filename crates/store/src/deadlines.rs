//! What is due and what is late, found in the database: one query per kind of obligation over a
//! whole institution (or one person's part of it), never one per lesson.
//!
//! The due instants come in from the app, computed from the institution's calendar, as a small
//! table of days (`WITH days (…) AS (VALUES …)`: one row per day of the period), so the database
//! joins a year of timetable, lessons and grades against them in one pass. This module decides
//! nothing about who may see what; the app asks the policy.

use crate::journal::EXCUSED;
use crate::{Result, StoreError};
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use sqlx::{Any, Executor, Row as _};

/// One obligation of one responsible person, as the queries find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub person_id: Option<PersonId>,
    pub person: String,
    pub class_id: Option<ClassId>,
    pub class_name: String,
    pub course_id: Option<CourseId>,
    pub course_name: String,
    /// The day the obligation concerns (a lesson's day, an assessment's hand-in date, a month's
    /// first day).
    pub date: Date,
    /// A lesson's number, an assessment's id; 0 when there is none.
    pub reference: i64,
    pub title: String,
    /// How many: missing or late grades, unexcused absences.
    pub count: i64,
    pub due_at: i64,
    /// When it was done, if it was done after its due time.
    pub done_at: Option<i64>,
}

/// `($2, $3, $4), ($5, $6, $7), …` for `rows` rows of `arity` values, numbered from `first`.
fn values(rows: usize, arity: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (0..arity).map(|c| format!("${}", first + r * arity + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// For one person's list (`$2` bound to them), a condition that narrows `column` to the courses
/// they teach or substitute in, so the query starts from their few courses through an index
/// instead of the whole institution's timetable or work; nothing for everyone's list.
fn own_courses(person: Option<PersonId>, column: &str) -> String {
    match person {
        Some(_) => format!(
            " AND {column} IN (SELECT o.course_id FROM course_teachers o WHERE o.person_id = $2 \
             UNION SELECT o.course_id FROM substitutions o WHERE o.teacher_id = $2)"
        ),
        None => String::new(),
    }
}

fn person_of(r: &sqlx::any::AnyRow) -> Result<Option<PersonId>> {
    Ok(r.try_get::<Option<i64>, _>("person_id")?.map(PersonId))
}

/// A school day of the period: its date, its weekday (1 Monday … 7 Sunday) and when its lessons
/// are due.
#[derive(Debug, Clone)]
pub struct LessonDay {
    pub date: Date,
    pub weekday: i64,
    pub due_at: i64,
}

/// The timetable's lessons of `days` that have no lesson row or no topic, or whose topic was
/// written after the day's due time (`done_at`): (teacher, course, class, day, lesson number).
/// A substitute is responsible for the lesson they took.
pub async fn lessons<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    days: &[LessonDay],
    person: Option<PersonId>,
) -> Result<Vec<Found>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH days (d, wd, due_at) AS (VALUES {}) \
         SELECT DISTINCT COALESCE(sub.teacher_id, t.person_id) AS person_id, \
           COALESCE(sp.given_name || ' ' || sp.family_name, p.given_name || ' ' || p.family_name) AS person, \
           k.id AS class_id, k.name AS class_name, c.id AS course_id, c.name AS course_name, days.d AS date, \
           s.lesson_no AS reference, days.due_at AS due_at, \
           CASE WHEN l.topic <> '' THEN l.recorded_at END AS done_at \
         FROM days \
         JOIN timetable s ON s.weekday = days.wd AND s.valid_from <= days.d AND (s.valid_to IS NULL OR s.valid_to >= days.d) \
         JOIN courses c ON c.id = s.course_id \
         JOIN school_years y ON y.id = c.school_year_id AND y.starts_on <= days.d AND y.ends_on >= days.d \
         JOIN classes k ON k.id = s.class_id \
         JOIN course_teachers t ON t.course_id = c.id \
         JOIN persons p ON p.id = t.person_id \
         LEFT JOIN substitutions sub ON sub.course_id = c.id AND sub.date = days.d AND sub.lesson_no = s.lesson_no \
         LEFT JOIN persons sp ON sp.id = sub.teacher_id \
         LEFT JOIN lessons l ON l.course_id = c.id AND l.date = days.d AND l.lesson_no = s.lesson_no \
         WHERE s.institution_id = $1 AND (l.id IS NULL OR l.topic = '' OR l.recorded_at > days.due_at) \
           AND ($2 = 0 OR COALESCE(sub.teacher_id, t.person_id) = $2){}",
        values(days.len(), 3, 3),
        own_courses(person, "s.course_id")
    );
    let mut q = sqlx::query(&sql)
        .bind(institution.0)
        .bind(person.map(|p| p.0).unwrap_or(0));
    for d in days {
        q = q.bind(d.date.to_string()).bind(d.weekday).bind(d.due_at);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok(Found {
                person_id: person_of(r)?,
                person: r.try_get("person")?,
                class_id: Some(ClassId(r.try_get("class_id")?)),
                class_name: r.try_get("class_name")?,
                course_id: Some(CourseId(r.try_get("course_id")?)),
                course_name: r.try_get("course_name")?,
                date: crate::date(r, "date")?,
                reference: r.try_get("reference")?,
                title: String::new(),
                count: 1,
                due_at: r.try_get("due_at")?,
                done_at: r.try_get("done_at")?,
            })
        })
        .collect()
}

/// A hand-in date and when formative and summative work handed in that day is due.
#[derive(Debug, Clone)]
pub struct GradingDay {
    pub date: Date,
    pub formative_due_at: i64,
    pub summative_due_at: i64,
}

const ASSESSMENT_COLUMNS: &str = "t.person_id AS person_id, p.given_name || ' ' || p.family_name AS person, \
    k.id AS class_id, COALESCE(k.name, '') AS class_name, c.id AS course_id, c.name AS course_name, \
    days.d AS date, a.id AS reference, a.title AS title, \
    CASE WHEN a.kind = 'formative' THEN days.f_at ELSE days.s_at END AS due_at";

const ASSESSMENT_JOINS: &str =
    "JOIN assessments a ON a.institution_id = $1 AND COALESCE(a.handed_in_on, a.date) = days.d \
       AND a.kind IN ('formative', 'summative') \
     JOIN courses c ON c.id = a.course_id \
     LEFT JOIN classes k ON k.id = c.class_id \
     JOIN course_teachers t ON t.course_id = c.id \
     JOIN persons p ON p.id = t.person_id";

/// Formative and summative assessments of `days` that some student has no grade for: (teacher,
/// assessment, how many grades are missing). A student counts who was on the list on the hand-in
/// date (the course's own list, else its class's) and has not left by `today`: a student who left
/// is no grade the teacher still owes.
pub async fn missing_grades<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    days: &[GradingDay],
    today: Date,
    person: Option<PersonId>,
) -> Result<Vec<Found>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let ungraded = "NOT EXISTS (SELECT 1 FROM grades g WHERE g.assessment_id = a.id AND g.student_id = e.student_id)";
    let sql = format!(
        "WITH days (d, f_at, s_at) AS (VALUES {}) \
         SELECT * FROM (SELECT {ASSESSMENT_COLUMNS}, \
           CASE WHEN EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id) \
             THEN (SELECT COUNT(DISTINCT e.student_id) FROM course_students x JOIN enrolments e ON e.student_id = x.student_id \
                     AND e.institution_id = $1 AND e.valid_from <= days.d AND (e.valid_to IS NULL OR e.valid_to >= $3) \
                   WHERE x.course_id = c.id AND {ungraded}) \
             ELSE (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.class_id AND e.institution_id = $1 \
                     AND e.valid_from <= days.d AND (e.valid_to IS NULL OR e.valid_to >= $3) AND {ungraded}) END AS missing \
         FROM days {ASSESSMENT_JOINS} \
         WHERE ($2 = 0 OR t.person_id = $2){}) x WHERE x.missing > 0",
        values(days.len(), 3, 4),
        own_courses(person, "a.course_id")
    );
    let mut q = sqlx::query(&sql)
        .bind(institution.0)
        .bind(person.map(|p| p.0).unwrap_or(0))
        .bind(today.to_string());
    for d in days {
        q = q
            .bind(d.date.to_string())
            .bind(d.formative_due_at)
            .bind(d.summative_due_at);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| assessment_row(r, r.try_get("missing")?, None))
        .collect()
}

/// Grades of `days`' assessments first entered after their due time: per teacher and assessment,
/// how many and when the last of them was entered.
pub async fn late_grades<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    days: &[GradingDay],
    person: Option<PersonId>,
) -> Result<Vec<Found>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH days (d, f_at, s_at) AS (VALUES {}) \
         SELECT {ASSESSMENT_COLUMNS}, COUNT(*) AS late, MAX(g.entered_at) AS done_at \
         FROM days {ASSESSMENT_JOINS} \
         JOIN grades g ON g.assessment_id = a.id \
         WHERE ($2 = 0 OR t.person_id = $2){} \
           AND g.entered_at > CASE WHEN a.kind = 'formative' THEN days.f_at ELSE days.s_at END \
         GROUP BY t.person_id, p.given_name, p.family_name, k.id, k.name, c.id, c.name, days.d, a.id, a.title, a.kind, \
           days.f_at, days.s_at",
        values(days.len(), 3, 3),
        own_courses(person, "a.course_id")
    );
    let mut q = sqlx::query(&sql)
        .bind(institution.0)
        .bind(person.map(|p| p.0).unwrap_or(0));
    for d in days {
        q = q
            .bind(d.date.to_string())
            .bind(d.formative_due_at)
            .bind(d.summative_due_at);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            let late: i64 = r.try_get("late")?;
            assessment_row(r, late, r.try_get("done_at")?)
        })
        .collect()
}

fn assessment_row(r: &sqlx::any::AnyRow, count: i64, done_at: Option<i64>) -> Result<Found> {
    Ok(Found {
        person_id: person_of(r)?,
        person: r.try_get("person")?,
        class_id: r.try_get::<Option<i64>, _>("class_id")?.map(ClassId),
        class_name: r.try_get("class_name")?,
        course_id: Some(CourseId(r.try_get("course_id")?)),
        course_name: r.try_get("course_name")?,
        date: crate::date(r, "date")?,
        reference: r.try_get("reference")?,
        title: r.try_get("title")?,
        count,
        due_at: r.try_get("due_at")?,
        done_at,
    })
}

/// Unexcused absences between `from` and `to`, per class, tutor and month (`date` is the
/// month's first day; `due_at` is 0, the app sets it). An absence is excused by its mark or by
/// an excuse covering its day (R18.2); one the tutor checked and left unexcused is not owed.
pub async fn unexcused<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
    person: Option<PersonId>,
) -> Result<Vec<Found>> {
    // A tutor's own list starts from their classes' students, not the institution's absences.
    let own = match person {
        Some(_) => " AND e.class_id IN (SELECT o.class_id FROM class_tutors o WHERE o.person_id = $5)",
        None => "",
    };
    let sql = format!(
        "SELECT t.person_id AS person_id, p.given_name || ' ' || p.family_name AS person, kl.id AS class_id, \
           kl.name AS class_name, SUBSTR(l.date, 1, 7) AS month, COUNT(*) AS n \
         FROM attendance a \
         JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
         JOIN lessons l ON l.id = a.lesson_id \
         JOIN enrolments e ON e.student_id = a.student_id AND e.institution_id = a.institution_id \
           AND e.valid_from <= l.date AND (e.valid_to IS NULL OR e.valid_to >= l.date) \
         JOIN classes kl ON kl.id = e.class_id AND kl.kind = 'class' \
         JOIN class_tutors t ON t.class_id = kl.id \
         JOIN persons p ON p.id = t.person_id \
         WHERE a.institution_id = $1 AND k.absent = $4 AND NOT {EXCUSED} AND l.date >= $2 AND l.date <= $3 \
           AND ($5 = 0 OR t.person_id = $5){own} \
           AND NOT EXISTS (SELECT 1 FROM absence_checks ch WHERE ch.lesson_id = a.lesson_id AND ch.student_id = a.student_id) \
         GROUP BY t.person_id, p.given_name, p.family_name, kl.id, kl.name, SUBSTR(l.date, 1, 7)"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(true)
        .bind(person.map(|p| p.0).unwrap_or(0))
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            let month: String = r.try_get("month")?;
            let first = format!("{month}-01");
            Ok(Found {
                person_id: person_of(r)?,
                person: r.try_get("person")?,
                class_id: Some(ClassId(r.try_get("class_id")?)),
                class_name: r.try_get("class_name")?,
                course_id: None,
                course_name: String::new(),
                date: first
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("month {month}")))?,
                reference: 0,
                title: String::new(),
                count: r.try_get("n")?,
                due_at: 0,
                done_at: None,
            })
        })
        .collect()
}

/// A working day of a preschool and when its attendance and its journal are due.
#[derive(Debug, Clone)]
pub struct PreschoolDay {
    pub date: Date,
    pub attendance_due_at: i64,
    pub journal_due_at: i64,
}

/// Group days of `days` with no attendance marked or no journal entry written: one row per group
/// teacher and day for each missing part (`title` is `attendance` or `journal`).
pub async fn preschool_days<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    days: &[PreschoolDay],
    person: Option<PersonId>,
) -> Result<Vec<Found>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH days (d, att_at, jr_at) AS (VALUES {}) \
         SELECT * FROM (SELECT t.person_id AS person_id, p.given_name || ' ' || p.family_name AS person, \
           k.id AS class_id, k.name AS class_name, days.d AS date, days.att_at AS att_at, days.jr_at AS jr_at, \
           (SELECT COUNT(*) FROM preschool_days pd WHERE pd.group_id = k.id AND pd.date = days.d) AS marked, \
           (SELECT COUNT(*) FROM preschool_entries pe WHERE pe.group_id = k.id AND pe.date = days.d) AS written \
         FROM days \
         JOIN classes k ON k.institution_id = $1 AND k.kind = 'group' \
         JOIN school_years y ON y.id = k.school_year_id AND y.starts_on <= days.d AND y.ends_on >= days.d \
         JOIN class_tutors t ON t.class_id = k.id \
         JOIN persons p ON p.id = t.person_id \
         WHERE ($2 = 0 OR t.person_id = $2)) x WHERE x.marked = 0 OR x.written = 0",
        values(days.len(), 3, 3)
    );
    let mut q = sqlx::query(&sql)
        .bind(institution.0)
        .bind(person.map(|p| p.0).unwrap_or(0));
    for d in days {
        q = q
            .bind(d.date.to_string())
            .bind(d.attendance_due_at)
            .bind(d.journal_due_at);
    }
    let mut out = Vec::new();
    for r in q.fetch_all(ex).await? {
        let marked: i64 = r.try_get("marked")?;
        let written: i64 = r.try_get("written")?;
        for (missing, title, due) in [
            (marked == 0, "attendance", "att_at"),
            (written == 0, "journal", "jr_at"),
        ] {
            if !missing {
                continue;
            }
            out.push(Found {
                person_id: person_of(&r)?,
                person: r.try_get("person")?,
                class_id: Some(ClassId(r.try_get("class_id")?)),
                class_name: r.try_get("class_name")?,
                course_id: None,
                course_name: String::new(),
                date: crate::date(&r, "date")?,
                reference: 0,
                title: title.to_string(),
                count: 1,
                due_at: r.try_get(due)?,
                done_at: None,
            });
        }
    }
    Ok(out)
}

/// The teachers of the institution's preschool groups in school years containing `on`:
/// (group, group name, teacher, teacher's name).
pub async fn group_teachers<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    on: Date,
) -> Result<Vec<(ClassId, String, PersonId, String)>> {
    let rows = sqlx::query(
        "SELECT k.id, k.name, t.person_id, p.given_name || ' ' || p.family_name AS person \
         FROM classes k JOIN school_years y ON y.id = k.school_year_id \
         JOIN class_tutors t ON t.class_id = k.id JOIN persons p ON p.id = t.person_id \
         WHERE k.institution_id = $1 AND k.kind = 'group' AND y.starts_on <= $2 AND y.ends_on >= $2 ORDER BY k.name",
    )
    .bind(institution.0)
    .bind(on.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                ClassId(r.try_get("id")?),
                r.try_get("name")?,
                PersonId(r.try_get("person_id")?),
                r.try_get("person")?,
            ))
        })
        .collect()
}

/// Records that `person` was reminded of `item`; false when someone (another server, an earlier
/// sweep) already did, so each reminder goes out once.
pub async fn record_reminder<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: PersonId,
    item: &str,
    due_at: i64,
    now: i64,
) -> Result<bool> {
    let row = sqlx::query(
        "INSERT INTO deadline_reminders (institution_id, person_id, item, due_at, sent_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (institution_id, person_id, item) DO NOTHING RETURNING person_id",
    )
    .bind(institution.id().0)
    .bind(person.0)
    .bind(item)
    .bind(due_at)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    Ok(row.is_some())
}

/// The reminders sent to `person`: (item, due at, sent at), newest first.
pub async fn reminders_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT item, due_at, sent_at FROM deadline_reminders WHERE person_id = $1 ORDER BY sent_at DESC, item",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("item")?, r.try_get("due_at")?, r.try_get("sent_at")?)))
        .collect()
}

/// Institutions with at least one school year containing `on` (the reminder sweep's list).
pub async fn active_institutions<'e>(ex: impl Executor<'e, Database = Any>, on: Date) -> Result<Vec<InstitutionId>> {
    let rows = sqlx::query(
        "SELECT DISTINCT institution_id FROM school_years WHERE starts_on <= $1 AND ends_on >= $1 ORDER BY institution_id",
    )
    .bind(on.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok(InstitutionId(r.try_get("institution_id")?)))
        .collect::<Result<Vec<_>, StoreError>>()
}
