//! Absence notices (R21) and the tutor's excuses (R18.2). An excuse never changes a teacher's
//! mark: an absence is excused when its mark's kind is excused or an excuse covers its day.

use crate::{flag, Result};
use klade_domain::{ClassId, InstitutionId, LessonId, PersonId};
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

/// Records that the tutor checked these absences of a learner and they stay unexcused: no excuse
/// is owed for them any more. A second check of the same absence keeps the first.
pub async fn check_absences(
    conn: &mut sqlx::AnyConnection,
    institution: InstitutionId,
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
        .bind(institution.0)
        .bind(lesson.0)
        .bind(student.0)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The checked absences of the given learners on lessons between `from` and `to`: (learner, lesson).
pub async fn checked_absences<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: &str,
    to: &str,
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
        .bind(from)
        .bind(to)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok((PersonId(r.try_get("student_id")?), LessonId(r.try_get("lesson_id")?))))
        .collect()
}

/// Everything of one learner's week that the diary shows, read in one query: the lessons held,
/// the learner's marks, grades and notes, excuses and notices. (The class's timetable is kept in
/// memory by the app.) A lesson's content, which the diary does not show, is left empty.
#[derive(Debug, Clone, Default)]
pub struct LearnerWeek {
    pub lessons: Vec<(crate::journal::Lesson, String)>,
    pub marks: Vec<crate::journal::StudentMark>,
    pub grades: Vec<crate::journal::StudentGrade>,
    pub notes: Vec<crate::journal::Note>,
    pub excuses: Vec<Excuse>,
    pub notices: Vec<Notice>,
}

/// One row of the week, as the query builds it: k (which part), d (a date), n, cid, cn, t1–t4,
/// i1–i3. Read straight into this shape, not through `serde_json::Value`: the diary is the page
/// parents open most, and every intermediate value is an allocation on each view.
#[derive(serde::Deserialize)]
struct WeekRow(
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// One query for a week, whatever the learner's history: each part filters by the learner and the
/// week's dates, and the parts share one row shape, so a page costs one round trip instead of
/// six. The rows come back aggregated into one JSON value: the SQLite driver hands every row
/// across a thread, and for a week's forty rows that cost more than the query itself.
pub async fn learner_week(
    db: &crate::Db,
    institution: InstitutionId,
    class: ClassId,
    student: PersonId,
    from: &str,
    to: &str,
) -> Result<LearnerWeek> {
    use crate::journal::{Lesson, Note, StudentGrade, StudentMark};
    use klade_domain::{AssessmentId, CourseId, LessonId, SubjectId};
    const NT: &str = "CAST(NULL AS TEXT)";
    const NI: &str = "CAST(NULL AS BIGINT)";
    let sql = format!(
        "SELECT 'lesson' AS k, l.date AS d, l.lesson_no AS n, l.course_id AS cid, c.name AS cn, l.topic AS t1, \
           l.homework AS t2, l.homework_due AS t3, {NT} AS t4, l.id AS i1, {NI} AS i2, {NI} AS i3 \
         FROM mine c CROSS JOIN lessons l \
         WHERE l.course_id = c.id AND l.institution_id = $1 AND l.date >= $4 AND l.date <= $5 \
           AND (NOT EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id) \
                OR EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id AND x.student_id = $3)) \
         UNION ALL \
         SELECT 'mark', l.date, l.lesson_no, c.id, c.name, a.code, CAST(a.lesson_id AS TEXT), {NT}, {NT}, a.minutes, \
           CASE WHEN k.absent THEN 1 ELSE 0 END, (CASE WHEN k.excused THEN 1 ELSE 0 END) + (CASE WHEN k.late THEN 2 ELSE 0 END) \
         FROM mine c CROSS JOIN lessons l \
           JOIN attendance a ON a.lesson_id = l.id AND a.student_id = $3 \
           JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
         WHERE l.course_id = c.id AND a.institution_id = $1 AND l.date >= $4 AND l.date <= $5 \
         UNION ALL \
         SELECT 'grade', a.date, 0, c.id, c.name, a.kind, a.scale, a.title, g.mark, a.id, c.subject_id, {NI} \
         FROM mine c CROSS JOIN assessments a \
           JOIN grades g ON g.assessment_id = a.id AND g.student_id = $3 \
         WHERE a.course_id = c.id AND g.institution_id = $1 AND a.date >= $4 AND a.date <= $5 \
         UNION ALL \
         SELECT 'note', n.date, 0, n.course_id, p.given_name || ' ' || p.family_name, n.kind, n.text, {NT}, {NT}, \
           n.id, {NI}, {NI} \
         FROM notes n JOIN persons p ON p.id = n.author_id \
         WHERE n.institution_id = $1 AND n.student_id = $3 AND n.date >= $4 AND n.date <= $5 \
         UNION ALL \
         SELECT 'excuse', e.from_date, 0, {NI}, {NT}, e.to_date, e.reason, {NT}, {NT}, e.id, {NI}, {NI} \
         FROM excuses e WHERE e.institution_id = $1 AND e.student_id = $3 AND e.from_date <= $5 AND e.to_date >= $4 \
         UNION ALL \
         SELECT 'notice', o.from_date, 0, {NI}, s.given_name || ' ' || s.family_name, o.to_date, o.reason, \
           a.given_name || ' ' || a.family_name, {NT}, o.id, CASE WHEN o.late THEN 1 ELSE 0 END, o.created_at \
         FROM absence_notices o JOIN persons s ON s.id = o.student_id JOIN persons a ON a.id = o.created_by \
         WHERE o.institution_id = $1 AND o.student_id = $3 AND o.from_date <= $5 AND o.to_date >= $4"
    );
    let list = "k, d, n, cid, cn, t1, t2, t3, t4, i1, i2, i3";
    // The learner's courses: their class's and the cross-class ones they take. Marks and grades
    // are read through them and the week's dates, so a week costs the same in June as in
    // September, however many marks and grades the learner has. `CROSS JOIN` keeps SQLite's
    // planner (which has no statistics) from starting at the learner's whole year of marks.
    const MINE: &str = "WITH mine AS (SELECT c.id, c.name, c.subject_id FROM courses c \
         WHERE c.institution_id = $1 AND c.class_id = $2 \
         UNION SELECT c.id, c.name, c.subject_id FROM course_students x JOIN courses c ON c.id = x.course_id \
         WHERE x.institution_id = $1 AND x.student_id = $3) ";
    let sql = match db.backend() {
        crate::Backend::Sqlite => format!("{MINE}SELECT json_group_array(json_array({list})) AS week FROM ({sql}) u"),
        crate::Backend::Postgres => format!(
            "{MINE}SELECT CAST(COALESCE(json_agg(json_build_array({list})), '[]') AS TEXT) AS week FROM ({sql}) u"
        ),
    };
    let row = sqlx::query(&sql)
        .bind(institution.0)
        .bind(class.0)
        .bind(student.0)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *db.read().await?)
        .await?;
    let week: String = row.try_get("week")?;
    let rows: Vec<WeekRow> =
        serde_json::from_str(&week).map_err(|e| crate::StoreError::Corrupt(format!("week: {e}")))?;
    let mut w = LearnerWeek::default();
    for WeekRow(k, d, n, cid, cn, t1, t2, t3, t4, i1, i2, i3) in rows {
        let n = n.unwrap_or_default();
        let course = CourseId(cid.unwrap_or_default());
        let course_name = cn.unwrap_or_default();
        let text = |t: Option<String>| t.unwrap_or_default();
        let int = |i: Option<i64>| i.unwrap_or_default();
        match k.as_str() {
            "lesson" => w.lessons.push((
                Lesson {
                    id: LessonId(int(i1)),
                    course_id: course,
                    date: d,
                    lesson_no: n,
                    topic: text(t1),
                    homework: text(t2),
                    homework_due: t3,
                    content: text(t4),
                },
                course_name,
            )),
            "mark" => {
                let flags = int(i3);
                w.marks.push(StudentMark {
                    lesson_id: LessonId(t2.and_then(|l| l.parse().ok()).unwrap_or_default()),
                    course_id: course,
                    course_name,
                    date: d,
                    lesson_no: n,
                    code: text(t1),
                    minutes: i1,
                    absent: int(i2) != 0,
                    excused: flags & 1 != 0,
                    late: flags & 2 != 0,
                })
            }
            "grade" => w.grades.push(StudentGrade {
                course_id: course,
                course_name,
                subject_id: SubjectId(int(i2)),
                assessment_id: AssessmentId(int(i1)),
                kind: text(t1),
                scale: text(t2),
                date: d,
                title: text(t3),
                mark: text(t4),
            }),
            "note" => w.notes.push(Note {
                id: int(i1),
                course_id: cid.map(CourseId),
                student_id: student,
                date: d,
                kind: text(t1),
                text: text(t2),
                author: course_name,
            }),
            "excuse" => w.excuses.push(Excuse {
                id: int(i1),
                student_id: student,
                from_date: d,
                to_date: text(t1),
                reason: text(t2),
            }),
            "notice" => w.notices.push(Notice {
                id: int(i1),
                student_id: student,
                student: course_name,
                from_date: d,
                to_date: text(t1),
                reason: text(t2),
                late: int(i2) != 0,
                author: text(t3),
                created_at: int(i3),
            }),
            _ => {}
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
