//! Absence notices (R21) and the tutor's excuses (R18.2). An excuse never changes a teacher's
//! mark: an absence is excused when its mark's kind is excused or an excuse covers its day.

use crate::{flag, Result};
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, InstitutionId, LessonId, PersonId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub student_id: PersonId,
    pub student: String,
    pub from_date: Date,
    pub to_date: Date,
    pub reason: String,
    pub late: bool,
    pub author: String,
    pub created_at: i64,
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert_notice<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    student: PersonId,
    from: Date,
    to: Date,
    reason: &str,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO absence_notices (institution_id, student_id, from_date, to_date, reason, late, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(student.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(reason)
    .bind(late)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Notices overlapping `from`..`to`, of one student or of a class's students.
pub async fn notices<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    student: Option<PersonId>,
    class: Option<ClassId>,
    from: Date,
    to: Date,
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
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(class.map(|c| c.0).unwrap_or(0))
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notice {
                id: r.try_get("id")?,
                student_id: PersonId(r.try_get("student_id")?),
                student: r.try_get("student")?,
                from_date: crate::date(r, "from_date")?,
                to_date: crate::date(r, "to_date")?,
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
    pub from_date: Date,
    pub to_date: Date,
    pub reason: String,
}

impl Excuse {
    pub fn history_value(&self) -> String {
        [
            self.student_id.to_string().as_str(),
            &self.from_date.to_string(),
            &self.to_date.to_string(),
            &self.reason,
        ]
        .join("\u{1f}")
    }
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert_excuse<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    student: PersonId,
    from: Date,
    to: Date,
    reason: &str,
    notice: Option<i64>,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO excuses (institution_id, student_id, from_date, to_date, reason, notice_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(student.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(reason)
    .bind(notice)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Excuses of the given students overlapping `from`..`to` (all of the institution's with an empty list).
pub async fn excuses<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
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
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Excuse {
                id: r.try_get("id")?,
                student_id: PersonId(r.try_get("student_id")?),
                from_date: crate::date(r, "from_date")?,
                to_date: crate::date(r, "to_date")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Records that the tutor checked these absences of a student and they stay unexcused: no excuse
/// is owed for them any more. A second check of the same absence keeps the first.
pub async fn check_absences(
    conn: &mut sqlx::AnyConnection,
    institution: Tenant,
    student: PersonId,
    lessons: &[LessonId],
    by: PersonId,
    now: i64,
) -> Result<()> {
    for lesson in lessons {
        sqlx::query(
            "INSERT INTO absence_checks (institution_id, lesson_id, student_id, checked_by, checked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (lesson_id, student_id) DO NOTHING",
        )
        .bind(institution.id().0)
        .bind(lesson.0)
        .bind(student.0)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The checked absences of the given students on lessons between `from` and `to`: (student, lesson).
pub async fn checked_absences<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<(PersonId, LessonId)>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = students.iter().map(|s| s.0.to_string()).collect();
    // Integer ids from our own rows.
    let sql = format!(
        "SELECT c.student_id, c.lesson_id FROM absence_checks c JOIN lessons l ON l.id = c.lesson_id \
         WHERE c.institution_id = $1 AND l.date >= $2 AND l.date <= $3 AND c.student_id IN ({})",
        ids.join(",")
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok((PersonId(r.try_get("student_id")?), LessonId(r.try_get("lesson_id")?))))
        .collect()
}

/// Everything of one student's week that the diary shows, read in one query: the lessons held,
/// the student's marks, grades and notes, excuses and notices. (The class's timetable is kept in
/// memory by the app.) A lesson's content, which the diary does not show, is left empty.
#[derive(Debug, Clone, Default)]
pub struct StudentWeek {
    pub lessons: Vec<(crate::journal::Lesson, String)>,
    pub marks: Vec<crate::journal::StudentMark>,
    pub grades: Vec<crate::journal::StudentGrade>,
    pub notes: Vec<crate::journal::Note>,
    pub excuses: Vec<Excuse>,
    pub notices: Vec<Notice>,
}

/// One row of the week, as the query builds it: a JSON object named by its part. Read straight
/// into this shape (serde's default, externally tagged, needs no buffering), not through
/// `serde_json::Value`: the diary is the page parents open most, and every intermediate value is
/// an allocation on each view. Flags come as 0/1, the same from both backends.
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum WeekRow {
    Lesson {
        id: i64,
        course: i64,
        course_name: String,
        #[serde(deserialize_with = "crate::json_date")]
        date: Date,
        lesson_no: i64,
        topic: String,
        homework: String,
        #[serde(deserialize_with = "crate::json_maybe_date")]
        homework_due: Option<Date>,
    },
    Mark {
        lesson: i64,
        course: i64,
        course_name: String,
        #[serde(deserialize_with = "crate::json_date")]
        date: Date,
        lesson_no: i64,
        code: String,
        minutes: Option<i64>,
        absent: i64,
        excused: i64,
        late: i64,
    },
    Grade {
        assessment: i64,
        course: i64,
        course_name: String,
        subject: i64,
        #[serde(deserialize_with = "crate::json_date")]
        date: Date,
        kind: String,
        scale: String,
        title: String,
        mark: String,
    },
    Note {
        id: i64,
        course: Option<i64>,
        #[serde(deserialize_with = "crate::json_date")]
        date: Date,
        kind: String,
        text: String,
        author: String,
    },
    Excuse {
        id: i64,
        #[serde(deserialize_with = "crate::json_date")]
        from_date: Date,
        #[serde(deserialize_with = "crate::json_date")]
        to_date: Date,
        reason: String,
    },
    Notice {
        id: i64,
        student: String,
        #[serde(deserialize_with = "crate::json_date")]
        from_date: Date,
        #[serde(deserialize_with = "crate::json_date")]
        to_date: Date,
        reason: String,
        late: i64,
        author: String,
        created_at: i64,
    },
}

/// A part's row as a JSON object `{part: {field: value, …}}`, in the backend's functions.
fn week_row(backend: crate::Backend, part: &str, fields: &[(&str, &str)]) -> String {
    let f = match backend {
        crate::Backend::Sqlite => "json_object",
        crate::Backend::Postgres => "json_build_object",
    };
    let inner: Vec<String> = fields.iter().map(|(k, v)| format!("'{k}', {v}")).collect();
    format!("{f}('{part}', {f}({})) AS j", inner.join(", "))
}

// The student's courses: their class's and the cross-class ones they take. Marks and grades
// are read through them and the week's dates, so a week costs the same in June as in
// September, however many marks and grades the student has. `CROSS JOIN` keeps SQLite's
// planner (which has no statistics) from starting at the student's whole year of marks.
const MINE: &str = "WITH mine AS (SELECT c.id, c.name, c.subject_id FROM courses c \
     WHERE c.institution_id = $1 AND c.class_id = $2 \
     UNION SELECT c.id, c.name, c.subject_id FROM course_students x JOIN courses c ON c.id = x.course_id \
     WHERE x.institution_id = $1 AND x.student_id = $3) ";

/// One query for a week, whatever the student's history: each part filters by the student and the
/// week's dates and answers one JSON object a row, so a page costs one round trip instead of six.
/// The rows come back aggregated into one JSON array: the SQLite driver hands every row across a
/// thread, and for a week's forty rows that cost more than the query itself.
pub async fn student_week(
    db: &crate::Db,
    institution: InstitutionId,
    class: ClassId,
    student: PersonId,
    from: Date,
    to: Date,
) -> Result<StudentWeek> {
    use crate::journal::{Lesson, Note, StudentGrade, StudentMark};
    use klade_domain::{AssessmentId, CourseId, LessonId, SubjectId};
    let b = db.backend();
    let lesson = week_row(
        b,
        "lesson",
        &[
            ("id", "l.id"),
            ("course", "l.course_id"),
            ("course_name", "c.name"),
            ("date", "l.date"),
            ("lesson_no", "l.lesson_no"),
            ("topic", "l.topic"),
            ("homework", "l.homework"),
            ("homework_due", "l.homework_due"),
        ],
    );
    let mark = week_row(
        b,
        "mark",
        &[
            ("lesson", "l.id"),
            ("course", "c.id"),
            ("course_name", "c.name"),
            ("date", "l.date"),
            ("lesson_no", "l.lesson_no"),
            ("code", "a.code"),
            ("minutes", "a.minutes"),
            ("absent", "CASE WHEN k.absent THEN 1 ELSE 0 END"),
            ("excused", "CASE WHEN k.excused THEN 1 ELSE 0 END"),
            ("late", "CASE WHEN k.late THEN 1 ELSE 0 END"),
        ],
    );
    let grade = week_row(
        b,
        "grade",
        &[
            ("assessment", "a.id"),
            ("course", "c.id"),
            ("course_name", "c.name"),
            ("subject", "c.subject_id"),
            ("date", "a.date"),
            ("kind", "a.kind"),
            ("scale", "a.scale"),
            ("title", "a.title"),
            ("mark", "g.mark"),
        ],
    );
    let note = week_row(
        b,
        "note",
        &[
            ("id", "n.id"),
            ("course", "n.course_id"),
            ("date", "n.date"),
            ("kind", "n.kind"),
            ("text", "n.text"),
            ("author", "p.given_name || ' ' || p.family_name"),
        ],
    );
    let excuse = week_row(
        b,
        "excuse",
        &[
            ("id", "e.id"),
            ("from_date", "e.from_date"),
            ("to_date", "e.to_date"),
            ("reason", "COALESCE(e.reason, '')"),
        ],
    );
    let notice = week_row(
        b,
        "notice",
        &[
            ("id", "o.id"),
            ("student", "s.given_name || ' ' || s.family_name"),
            ("from_date", "o.from_date"),
            ("to_date", "o.to_date"),
            ("reason", "COALESCE(o.reason, '')"),
            ("late", "CASE WHEN o.late THEN 1 ELSE 0 END"),
            ("author", "a.given_name || ' ' || a.family_name"),
            ("created_at", "o.created_at"),
        ],
    );
    let sql = format!(
        "SELECT {lesson} FROM mine c CROSS JOIN lessons l \
         WHERE l.course_id = c.id AND l.institution_id = $1 AND l.date >= $4 AND l.date <= $5 \
           AND (NOT EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id) \
                OR EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id AND x.student_id = $3)) \
         UNION ALL \
         SELECT {mark} FROM mine c CROSS JOIN lessons l \
           JOIN attendance a ON a.lesson_id = l.id AND a.student_id = $3 \
           JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
         WHERE l.course_id = c.id AND a.institution_id = $1 AND l.date >= $4 AND l.date <= $5 \
         UNION ALL \
         SELECT {grade} FROM mine c CROSS JOIN assessments a \
           JOIN grades g ON g.assessment_id = a.id AND g.student_id = $3 \
         WHERE a.course_id = c.id AND g.institution_id = $1 AND a.date >= $4 AND a.date <= $5 \
         UNION ALL \
         SELECT {note} FROM notes n JOIN persons p ON p.id = n.author_id \
         WHERE n.institution_id = $1 AND n.student_id = $3 AND n.date >= $4 AND n.date <= $5 \
         UNION ALL \
         SELECT {excuse} FROM excuses e \
         WHERE e.institution_id = $1 AND e.student_id = $3 AND e.from_date <= $5 AND e.to_date >= $4 \
         UNION ALL \
         SELECT {notice} FROM absence_notices o JOIN persons s ON s.id = o.student_id \
           JOIN persons a ON a.id = o.created_by \
         WHERE o.institution_id = $1 AND o.student_id = $3 AND o.from_date <= $5 AND o.to_date >= $4"
    );
    // SQLite's JSON subtype does not survive the union: `json(j)` takes each row as JSON again.
    // One row per item, each its own JSON text: gathering them into one array made SQLite read every
    // object back from text (`json(j)`), more work than handing over the rows.
    let sql = match b {
        crate::Backend::Sqlite => format!("{MINE}{sql}"),
        crate::Backend::Postgres => format!("{MINE}SELECT CAST(j AS TEXT) AS j FROM ({sql}) u"),
    };
    let found = sqlx::query(&sql)
        .bind(institution.0)
        .bind(class.0)
        .bind(student.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *db.read().await?)
        .await?;
    let rows = found
        .iter()
        .map(|r| {
            let text: &str = r.try_get("j")?;
            serde_json::from_str::<WeekRow>(text).map_err(|e| crate::StoreError::Corrupt(format!("week: {e}")))
        })
        .collect::<Result<Vec<WeekRow>>>()?;
    let mut w = StudentWeek::default();
    for row in rows {
        match row {
            WeekRow::Lesson {
                id,
                course,
                course_name,
                date,
                lesson_no,
                topic,
                homework,
                homework_due,
            } => w.lessons.push((
                Lesson {
                    id: LessonId(id),
                    course_id: CourseId(course),
                    date,
                    lesson_no,
                    topic,
                    homework,
                    homework_due,
                    content: String::new(),
                },
                course_name,
            )),
            WeekRow::Mark {
                lesson,
                course,
                course_name,
                date,
                lesson_no,
                code,
                minutes,
                absent,
                excused,
                late,
            } => w.marks.push(StudentMark {
                lesson_id: LessonId(lesson),
                course_id: CourseId(course),
                course_name,
                date,
                lesson_no,
                code,
                minutes,
                absent: absent != 0,
                excused: excused != 0,
                late: late != 0,
            }),
            WeekRow::Grade {
                assessment,
                course,
                course_name,
                subject,
                date,
                kind,
                scale,
                title,
                mark,
            } => w.grades.push(StudentGrade {
                course_id: CourseId(course),
                course_name,
                subject_id: SubjectId(subject),
                assessment_id: AssessmentId(assessment),
                kind,
                scale,
                date,
                title,
                mark,
            }),
            WeekRow::Note {
                id,
                course,
                date,
                kind,
                text,
                author,
            } => w.notes.push(Note {
                id,
                course_id: course.map(CourseId),
                student_id: student,
                date,
                kind,
                text,
                author,
            }),
            WeekRow::Excuse {
                id,
                from_date,
                to_date,
                reason,
            } => w.excuses.push(Excuse {
                id,
                student_id: student,
                from_date,
                to_date,
                reason,
            }),
            WeekRow::Notice {
                id,
                student: name,
                from_date,
                to_date,
                reason,
                late,
                author,
                created_at,
            } => w.notices.push(Notice {
                id,
                student_id: student,
                student: name,
                from_date,
                to_date,
                reason,
                late: late != 0,
                author,
                created_at,
            }),
        }
    }
    // The orders the separate reads had: what happened by date.
    w.lessons
        .sort_by(|a, b| (&a.0.date, a.0.lesson_no).cmp(&(&b.0.date, b.0.lesson_no)));
    w.marks
        .sort_by(|a, b| (&a.date, a.lesson_no).cmp(&(&b.date, b.lesson_no)));
    w.grades
        .sort_by(|a, b| (&a.date, a.assessment_id.0).cmp(&(&b.date, b.assessment_id.0)));
    w.notes.sort_by(|a, b| (&b.date, b.id).cmp(&(&a.date, a.id)));
    w.excuses
        .sort_by(|a, b| (&a.from_date, a.id).cmp(&(&b.from_date, b.id)));
    w.notices
        .sort_by(|a, b| (&b.from_date, b.id).cmp(&(&a.from_date, a.id)));
    Ok(w)
}

/// An assessment announced for a student's course and not graded for them yet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Upcoming {
    pub date: Date,
    pub course_name: String,
    pub kind: String,
    pub title: String,
}

/// The tests (summative assessments and exams) of a student's courses dated `from`–`to` that they
/// have no grade in yet, soonest first.
pub async fn upcoming_tests(
    db: &crate::Db,
    institution: InstitutionId,
    class: ClassId,
    student: PersonId,
    from: Date,
    to: Date,
) -> Result<Vec<Upcoming>> {
    let sql = format!(
        "{MINE}SELECT a.date, c.name, a.kind, a.title FROM mine c CROSS JOIN assessments a \
         WHERE a.course_id = c.id AND a.institution_id = $1 AND a.date >= $4 AND a.date <= $5 \
           AND a.kind IN ('summative', 'exam') \
           AND NOT EXISTS (SELECT 1 FROM grades g WHERE g.assessment_id = a.id AND g.student_id = $3) \
         ORDER BY a.date, c.name"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(class.0)
        .bind(student.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *db.read().await?)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Upcoming {
                date: crate::date(r, "date")?,
                course_name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
            })
        })
        .collect()
}
