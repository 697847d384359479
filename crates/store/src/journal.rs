//! The class journal's storage: courses, the timetable, lessons, attendance, assessments, grades,
//! notes. Every write of a journal value goes with a row in the history (`history.rs`); the
//! functions here that change values are called only by `klade-app`'s journal use cases, which
//! write both in one transaction.

use crate::{conflict, flag, Result};
use jiff::civil::Date;
use klade_domain::attendance::MarkKind;
use klade_domain::Tenant;
use klade_domain::{AssessmentId, ClassId, CourseId, InstitutionId, LessonId, PersonId, SchoolYearId, SubjectId};
use sqlx::{Any, Executor, Row};

// ---- courses ----

pub struct NewCourse<'a> {
    pub year: SchoolYearId,
    pub subject: SubjectId,
    pub class: Option<ClassId>,
    pub name: &'a str,
    pub subgroup: Option<&'a str>,
}

pub async fn insert_course<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    c: &NewCourse<'_>,
) -> Result<CourseId> {
    let row = sqlx::query(
        "INSERT INTO courses (institution_id, school_year_id, subject_id, class_id, name, subgroup) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(c.year.0)
    .bind(c.subject.0)
    .bind(c.class.map(|c| c.0))
    .bind(c.name)
    .bind(c.subgroup)
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(CourseId(row.try_get("id")?))
}

pub async fn add_course_teacher<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    course: CourseId,
    person: PersonId,
) -> Result<()> {
    sqlx::query("INSERT INTO course_teachers (institution_id, course_id, person_id) VALUES ($1, $2, $3)")
        .bind(institution.id().0)
        .bind(course.0)
        .bind(person.0)
        .execute(ex)
        .await
        .map_err(conflict)?;
    Ok(())
}

pub async fn add_course_student<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    course: CourseId,
    student: PersonId,
) -> Result<()> {
    sqlx::query("INSERT INTO course_students (institution_id, course_id, student_id) VALUES ($1, $2, $3)")
        .bind(institution.id().0)
        .bind(course.0)
        .bind(student.0)
        .execute(ex)
        .await
        .map_err(conflict)?;
    Ok(())
}

/// A course with what a page shows about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Course {
    pub id: CourseId,
    pub institution_id: InstitutionId,
    pub school_year_id: SchoolYearId,
    pub name: String,
    pub subgroup: Option<String>,
    pub subject_id: SubjectId,
    pub subject_kind: klade_domain::SubjectKind,
    pub class_id: Option<ClassId>,
    pub class_name: Option<String>,
    /// The teachers' names, "Given Family", joined with commas.
    pub teachers: String,
    pub year_starts_on: Date,
    pub year_ends_on: Date,
    /// Lessons a week in the study plan, when it says.
    pub hours_per_week: Option<i64>,
}

const COURSE_SELECT: &str = "SELECT c.id, c.institution_id, c.school_year_id, c.name, c.subgroup, c.subject_id, s.kind AS subject_kind, c.hours_per_week, \
     c.class_id, k.name AS class_name, y.starts_on, y.ends_on, \
     (SELECT COALESCE(MIN(p.given_name || ' ' || p.family_name), '') FROM course_teachers t JOIN persons p ON p.id = t.person_id \
        WHERE t.course_id = c.id) AS first_teacher, \
     (SELECT COUNT(*) FROM course_teachers t WHERE t.course_id = c.id) AS teacher_count \
     FROM courses c JOIN subjects s ON s.id = c.subject_id JOIN school_years y ON y.id = c.school_year_id \
     LEFT JOIN classes k ON k.id = c.class_id";

fn course_from_row(r: &sqlx::any::AnyRow) -> Result<Course> {
    let first: String = r.try_get("first_teacher")?;
    let count: i64 = r.try_get("teacher_count")?;
    Ok(Course {
        id: CourseId(r.try_get("id")?),
        institution_id: InstitutionId(r.try_get("institution_id")?),
        school_year_id: SchoolYearId(r.try_get("school_year_id")?),
        name: r.try_get("name")?,
        subgroup: r.try_get("subgroup")?,
        subject_id: SubjectId(r.try_get("subject_id")?),
        subject_kind: crate::school::subject_kind(r, "subject_kind")?,
        class_id: r.try_get::<Option<i64>, _>("class_id")?.map(ClassId),
        class_name: r.try_get("class_name")?,
        teachers: if count > 1 {
            format!("{first} +{}", count - 1)
        } else {
            first
        },
        year_starts_on: crate::date(r, "starts_on")?,
        year_ends_on: crate::date(r, "ends_on")?,
        hours_per_week: r.try_get("hours_per_week")?,
    })
}

/// Sets a course's lessons a week in the study plan.
pub async fn set_course_hours<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    course: CourseId,
    hours: Option<i64>,
) -> Result<()> {
    sqlx::query("UPDATE courses SET hours_per_week = $3 WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(course.0)
        .bind(hours)
        .execute(ex)
        .await?;
    Ok(())
}

/// Whether anything was kept for a course: its week, lessons, assessments, notes, checks.
pub async fn course_in_use<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM timetable WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM lessons WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM substitutions WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM assessments WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM notes WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM journal_checks WHERE institution_id = $1 AND course_id = $2) \
              + (SELECT COUNT(*) FROM year_changes WHERE institution_id = $1 AND course_id = $2) AS n",
    )
    .bind(institution.0)
    .bind(course.0)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// A course's lessons a week in its last week: its slots not ended.
pub async fn weekly_slots<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM timetable WHERE institution_id = $1 AND course_id = $2 AND valid_to IS NULL",
    )
    .bind(institution.0)
    .bind(course.0)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("n")?)
}

/// Deletes a course nothing was kept for (see [`course_in_use`]), with its teachers and students.
pub async fn delete_course(tx: &mut crate::Tx, institution: Tenant, course: CourseId) -> Result<()> {
    for table in ["course_teachers", "course_students"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE institution_id = $1 AND course_id = $2"
        ))
        .bind(institution.id().0)
        .bind(course.0)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM courses WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(course.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn course<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: CourseId,
) -> Result<Option<Course>> {
    let sql = format!("{COURSE_SELECT} WHERE c.institution_id = $1 AND c.id = $2");
    sqlx::query(&sql)
        .bind(institution.0)
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(course_from_row)
        .transpose()
}

/// The course with `id` in whichever institution holds it; the caller checks the policy next.
pub async fn course_anywhere<'e>(ex: impl Executor<'e, Database = Any>, id: CourseId) -> Result<Option<Course>> {
    let sql = format!("{COURSE_SELECT} WHERE c.id = $1");
    sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(course_from_row)
        .transpose()
}

/// Courses of the school years containing `today`: those `person` teaches, those of the classes
/// they tutor, or (with `all`) every course of `institution`.
pub async fn courses_for<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    person: PersonId,
    today: Date,
    all: bool,
) -> Result<Vec<Course>> {
    let sql = format!(
        "{COURSE_SELECT} WHERE c.institution_id = $1 AND y.starts_on <= $3 AND y.ends_on >= $3 AND ($4 = 1 \
           OR EXISTS (SELECT 1 FROM course_teachers t WHERE t.course_id = c.id AND t.person_id = $2) \
           OR EXISTS (SELECT 1 FROM class_tutors u WHERE u.class_id = c.class_id AND u.person_id = $2)) \
         ORDER BY k.name, c.name"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(person.0)
        .bind(today.to_string())
        .bind(i64::from(all))
        .fetch_all(ex)
        .await?;
    rows.iter().map(course_from_row).collect()
}

/// The courses of a school year.
pub async fn year_courses<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    year: SchoolYearId,
) -> Result<Vec<Course>> {
    let sql = format!("{COURSE_SELECT} WHERE c.institution_id = $1 AND c.school_year_id = $2 ORDER BY k.name, c.name");
    let rows = sqlx::query(&sql).bind(institution.0).bind(year.0).fetch_all(ex).await?;
    rows.iter().map(course_from_row).collect()
}

/// Replaces a course's teachers.
pub async fn set_course_teachers(
    tx: &mut crate::Tx,
    institution: Tenant,
    course: CourseId,
    teachers: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM course_teachers WHERE institution_id = $1 AND course_id = $2")
        .bind(institution.id().0)
        .bind(course.0)
        .execute(&mut **tx)
        .await?;
    for t in teachers {
        add_course_teacher(&mut **tx, institution, course, PersonId(*t)).await?;
    }
    Ok(())
}

/// Courses of one class.
pub async fn courses_of_class<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
) -> Result<Vec<Course>> {
    let sql = format!("{COURSE_SELECT} WHERE c.institution_id = $1 AND c.class_id = $2 ORDER BY c.name");
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(class.0)
        .fetch_all(ex)
        .await?;
    rows.iter().map(course_from_row).collect()
}

/// A student as the journal lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Student {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
}

/// The course's students on `on`: its own list if it has one, else its class's enrolments.
/// Sorted in Latvian order by family name.
pub async fn students<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    on: Date,
) -> Result<Vec<Student>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name FROM persons p WHERE p.id IN ( \
           SELECT cs.student_id FROM course_students cs WHERE cs.course_id = $2 AND cs.institution_id = $1 \
           UNION \
           SELECT e.student_id FROM enrolments e JOIN courses c ON c.class_id = e.class_id \
             WHERE c.id = $2 AND c.institution_id = $1 AND e.institution_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = $2) \
             AND e.valid_from <= $3 AND (e.valid_to IS NULL OR e.valid_to >= $3))",
    )
    .bind(institution.0)
    .bind(course.0)
    .bind(on.to_string())
    .fetch_all(ex)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Student {
                id: PersonId(r.try_get("id")?),
                given_name: r.try_get("given_name")?,
                family_name: r.try_get("family_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_cached_key(|s| klade_domain::collate::person_key(&s.family_name, &s.given_name));
    Ok(out)
}

/// The students enrolled in a class on `on`, in Latvian order.
pub async fn class_students<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    on: Date,
) -> Result<Vec<Student>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name FROM enrolments e JOIN persons p ON p.id = e.student_id \
         WHERE e.institution_id = $1 AND e.class_id = $2 AND e.valid_from <= $3 AND (e.valid_to IS NULL OR e.valid_to >= $3)",
    )
    .bind(institution.0)
    .bind(class.0)
    .bind(on.to_string())
    .fetch_all(ex)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Student {
                id: PersonId(r.try_get("id")?),
                given_name: r.try_get("given_name")?,
                family_name: r.try_get("family_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_cached_key(|s| klade_domain::collate::person_key(&s.family_name, &s.given_name));
    Ok(out)
}

// ---- timetable ----

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Slot {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub class_id: ClassId,
    pub class_name: String,
    pub course_id: CourseId,
    pub course_name: String,
    pub teachers: String,
    pub weekday: i64,
    pub lesson_no: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub room: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

pub struct NewSlot<'a> {
    pub class: ClassId,
    pub course: CourseId,
    pub weekday: i64,
    pub lesson_no: i64,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub room: &'a str,
    pub valid_from: Date,
}

pub async fn insert_slot<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    s: &NewSlot<'_>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO timetable (institution_id, class_id, course_id, weekday, lesson_no, starts_at, ends_at, room, valid_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(s.class.0)
    .bind(s.course.0)
    .bind(s.weekday)
    .bind(s.lesson_no)
    .bind(s.starts_at)
    .bind(s.ends_at)
    .bind(s.room)
    .bind(s.valid_from.to_string())
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Ends a slot: it no longer applies after `last_day`.
pub async fn end_slot<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    id: i64,
    last_day: Date,
) -> Result<u64> {
    let done = sqlx::query("UPDATE timetable SET valid_to = $3 WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(id)
        .bind(last_day.to_string())
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

/// Which slots: of a class, of a course, or of the courses a person teaches.
pub enum SlotsOf {
    Class(ClassId),
    Course(CourseId),
    Teacher(PersonId),
}

/// Slots valid at some point between `from` and `to`.
pub async fn slots<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    of: SlotsOf,
    from: Date,
    to: Date,
) -> Result<Vec<Slot>> {
    let (filter, id) = match of {
        SlotsOf::Class(c) => ("s.class_id = $4", c.0),
        SlotsOf::Course(c) => ("s.course_id = $4", c.0),
        SlotsOf::Teacher(p) => (
            "s.course_id IN (SELECT t.course_id FROM course_teachers t WHERE t.person_id = $4)",
            p.0,
        ),
    };
    let sql = format!(
        "SELECT s.id, s.institution_id, s.class_id, k.name AS class_name, s.course_id, c.name AS course_name, s.weekday, s.lesson_no, \
           s.starts_at, s.ends_at, s.room, s.valid_from, s.valid_to, \
           (SELECT COALESCE(MIN(p.given_name || ' ' || p.family_name), '') FROM course_teachers t \
              JOIN persons p ON p.id = t.person_id WHERE t.course_id = s.course_id) AS teachers \
         FROM timetable s JOIN courses c ON c.id = s.course_id JOIN classes k ON k.id = s.class_id \
         WHERE s.institution_id = $1 AND s.valid_from <= $3 AND (s.valid_to IS NULL OR s.valid_to >= $2) AND {filter} \
         ORDER BY s.weekday, s.lesson_no, k.name"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(id)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Slot {
                id: r.try_get("id")?,
                institution_id: InstitutionId(r.try_get("institution_id")?),
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("class_name")?,
                course_id: CourseId(r.try_get("course_id")?),
                course_name: r.try_get("course_name")?,
                teachers: r.try_get("teachers")?,
                weekday: r.try_get("weekday")?,
                lesson_no: r.try_get("lesson_no")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                room: r.try_get("room")?,
                valid_from: crate::date(r, "valid_from")?,
                valid_to: crate::maybe_date(r, "valid_to")?,
            })
        })
        .collect()
}

/// A slot with what the clash rule needs: its course's subject, group and teachers' ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotFacts {
    pub id: i64,
    pub class_id: ClassId,
    pub class_name: String,
    pub course_id: CourseId,
    pub course_name: String,
    pub subject_id: SubjectId,
    pub subgroup: Option<String>,
    pub teachers: Vec<i64>,
    pub weekday: i64,
    pub lesson_no: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub room: String,
}

/// Every slot of the institution valid at some point between `from` and `to`, for the clash rule.
pub async fn slot_facts(
    pool: &sqlx::AnyPool,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Vec<SlotFacts>> {
    let rows = sqlx::query(
        "SELECT s.id, s.class_id, k.name AS class_name, s.course_id, c.name AS course_name, c.subject_id, c.subgroup, \
           s.weekday, s.lesson_no, s.starts_at, s.ends_at, s.room \
         FROM timetable s JOIN courses c ON c.id = s.course_id JOIN classes k ON k.id = s.class_id \
         WHERE s.institution_id = $1 AND s.valid_from <= $3 AND (s.valid_to IS NULL OR s.valid_to >= $2) \
         ORDER BY s.id",
    )
    .bind(institution.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    let teachers = sqlx::query(
        "SELECT t.course_id, t.person_id FROM course_teachers t WHERE t.institution_id = $1 \
           AND t.course_id IN (SELECT s.course_id FROM timetable s WHERE s.institution_id = $1 \
             AND s.valid_from <= $3 AND (s.valid_to IS NULL OR s.valid_to >= $2))",
    )
    .bind(institution.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(pool)
    .await?;
    let mut by_course: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for t in &teachers {
        by_course
            .entry(t.try_get("course_id")?)
            .or_default()
            .push(t.try_get("person_id")?);
    }
    rows.iter()
        .map(|r| {
            let course: i64 = r.try_get("course_id")?;
            Ok(SlotFacts {
                id: r.try_get("id")?,
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("class_name")?,
                course_id: CourseId(course),
                course_name: r.try_get("course_name")?,
                subject_id: SubjectId(r.try_get("subject_id")?),
                subgroup: r.try_get("subgroup")?,
                teachers: by_course.get(&course).cloned().unwrap_or_default(),
                weekday: r.try_get("weekday")?,
                lesson_no: r.try_get("lesson_no")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                room: r.try_get("room")?,
            })
        })
        .collect()
}

/// A course's teachers' ids.
pub async fn course_teacher_ids<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT person_id FROM course_teachers WHERE institution_id = $1 AND course_id = $2 ORDER BY person_id",
    )
    .bind(institution.0)
    .bind(course.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Substitution {
    pub course_id: CourseId,
    pub date: Date,
    pub lesson_no: i64,
    pub teacher_id: PersonId,
    pub teacher_name: String,
    pub room: String,
    pub note: String,
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert_substitution<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    course: CourseId,
    date: Date,
    lesson_no: i64,
    teacher: PersonId,
    room: &str,
    note: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO substitutions (institution_id, course_id, date, lesson_no, teacher_id, room, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(institution.id().0)
    .bind(course.0)
    .bind(date.to_string())
    .bind(lesson_no)
    .bind(teacher.0)
    .bind(room)
    .bind(note)
    .bind(now)
    .execute(ex)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Substitutions between two dates in an institution (few: they are one-off).
pub async fn substitutions<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Vec<Substitution>> {
    let rows = sqlx::query(
        "SELECT s.course_id, s.date, s.lesson_no, s.teacher_id, p.given_name || ' ' || p.family_name AS teacher_name, \
           s.room, s.note FROM substitutions s JOIN persons p ON p.id = s.teacher_id \
         WHERE s.institution_id = $1 AND s.date >= $2 AND s.date <= $3 ORDER BY s.date, s.lesson_no",
    )
    .bind(institution.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Substitution {
                course_id: CourseId(r.try_get("course_id")?),
                date: crate::date(r, "date")?,
                lesson_no: r.try_get("lesson_no")?,
                teacher_id: PersonId(r.try_get("teacher_id")?),
                teacher_name: r.try_get("teacher_name")?,
                room: r.try_get("room")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

// ---- lessons ----

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lesson {
    pub id: LessonId,
    pub course_id: CourseId,
    pub date: Date,
    pub lesson_no: i64,
    pub topic: String,
    pub content: String,
    pub homework: String,
    pub homework_due: Option<Date>,
}

impl Lesson {
    /// The value kept in the history for this lesson.
    pub fn history_value(&self) -> String {
        [
            self.date.to_string().as_str(),
            &self.lesson_no.to_string(),
            &self.topic,
            &self.content,
            &self.homework,
            &self.homework_due.map(|d| d.to_string()).unwrap_or_default(),
        ]
        .join("\u{1f}")
    }
}

pub(crate) fn lesson_from_row(r: &sqlx::any::AnyRow) -> Result<Lesson> {
    Ok(Lesson {
        id: LessonId(r.try_get("id")?),
        course_id: CourseId(r.try_get("course_id")?),
        date: crate::date(r, "date")?,
        lesson_no: r.try_get("lesson_no")?,
        topic: r.try_get("topic")?,
        content: r.try_get("content")?,
        homework: r.try_get("homework")?,
        homework_due: crate::maybe_date(r, "homework_due")?,
    })
}

const LESSON_COLUMNS: &str = "id, course_id, date, lesson_no, topic, content, homework, homework_due";

pub async fn lessons<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    from: Date,
    to: Date,
) -> Result<Vec<Lesson>> {
    let sql = format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE institution_id = $1 AND course_id = $2 AND date >= $3 AND date <= $4 \
         ORDER BY date, lesson_no"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(course.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter().map(lesson_from_row).collect()
}

pub async fn lesson_at<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    date: Date,
    lesson_no: i64,
) -> Result<Option<Lesson>> {
    let sql = format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE institution_id = $1 AND course_id = $2 AND date = $3 AND lesson_no = $4"
    );
    sqlx::query(&sql)
        .bind(institution.0)
        .bind(course.0)
        .bind(date.to_string())
        .bind(lesson_no)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(lesson_from_row)
        .transpose()
}

/// The lessons of `courses` (each with its institution) on `date` whose topic is written, as
/// (course, lesson number): one statement however many lessons a teacher's day holds.
pub async fn topics_on<'e>(
    ex: impl Executor<'e, Database = Any>,
    courses: &[(InstitutionId, CourseId)],
    date: Date,
) -> Result<std::collections::HashSet<(CourseId, i64)>> {
    if courses.is_empty() {
        return Ok(Default::default());
    }
    // Ids are numbers the caller holds, written into the statement as numbers.
    let list = |ids: Vec<i64>| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT course_id, lesson_no FROM lessons WHERE institution_id IN ({}) AND course_id IN ({}) \
         AND date = $1 AND topic <> ''",
        list(courses.iter().map(|c| c.0 .0).collect()),
        list(courses.iter().map(|c| c.1 .0).collect()),
    );
    let rows = sqlx::query(&sql).bind(date.to_string()).fetch_all(ex).await?;
    rows.iter()
        .map(|r| Ok((CourseId(r.try_get("course_id")?), r.try_get("lesson_no")?)))
        .collect()
}

/// Creates or updates the lesson at (course, date, number); returns it as stored.
/// The lesson held at a course's date and number, created empty if there is none yet; the flag
/// says whether it was created now. Never overwrites: two saves that both propose the same lesson
/// get the same row, and the second keeps what the first wrote.
pub async fn ensure_lesson(
    conn: &mut sqlx::AnyConnection,
    institution: Tenant,
    course: CourseId,
    date: Date,
    lesson_no: i64,
) -> Result<(Lesson, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO lessons (institution_id, course_id, date, lesson_no, topic, content, homework) \
         VALUES ($1, $2, $3, $4, '', '', '') ON CONFLICT (course_id, date, lesson_no) DO NOTHING",
    )
    .bind(institution.id().0)
    .bind(course.0)
    .bind(date.to_string())
    .bind(lesson_no)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let lesson = lesson_at(&mut *conn, institution.id(), course, date, lesson_no)
        .await?
        .ok_or_else(|| crate::StoreError::Corrupt(format!("lesson {date} {lesson_no} of course {}", course.0)))?;
    Ok((lesson, inserted > 0))
}

/// Writes a lesson's record at `at`. The first write with a topic is kept as when the lesson was
/// recorded: the deadline lists show a lesson recorded after its due time as done late.
pub async fn put_lesson<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    l: &Lesson,
    at: i64,
) -> Result<Lesson> {
    let sql = format!(
        "INSERT INTO lessons (institution_id, course_id, date, lesson_no, topic, content, homework, homework_due, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (course_id, date, lesson_no) DO UPDATE SET topic = excluded.topic, content = excluded.content, \
           homework = excluded.homework, homework_due = excluded.homework_due, \
           recorded_at = COALESCE(lessons.recorded_at, excluded.recorded_at) \
         RETURNING {LESSON_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(institution.id().0)
        .bind(l.course_id.0)
        .bind(l.date.to_string())
        .bind(l.lesson_no)
        .bind(&l.topic)
        .bind(&l.content)
        .bind(&l.homework)
        .bind(l.homework_due.map(|d| d.to_string()))
        .bind((!l.topic.trim().is_empty()).then_some(at))
        .fetch_one(ex)
        .await?;
    lesson_from_row(&row)
}

// ---- attendance ----

pub async fn seed_attendance_kinds(
    conn: &mut sqlx::AnyConnection,
    institution: Tenant,
    kinds: &[MarkKind],
) -> Result<()> {
    for k in kinds {
        sqlx::query(
            "INSERT INTO attendance_kinds (institution_id, code, absent, late, excused) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (institution_id, code) DO NOTHING",
        )
        .bind(institution.id().0)
        .bind(&k.code)
        .bind(k.absent)
        .bind(k.late)
        .bind(k.excused)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn attendance_kinds<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Vec<MarkKind>> {
    let rows =
        sqlx::query("SELECT code, absent, late, excused FROM attendance_kinds WHERE institution_id = $1 ORDER BY code")
            .bind(institution.0)
            .fetch_all(ex)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(MarkKind {
                code: r.try_get("code")?,
                absent: flag(r, "absent")?,
                late: flag(r, "late")?,
                excused: flag(r, "excused")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttendanceRow {
    pub lesson_id: LessonId,
    pub student_id: PersonId,
    pub code: String,
    pub minutes: Option<i64>,
}

impl AttendanceRow {
    pub fn display(&self) -> String {
        match self.minutes {
            Some(m) => format!("{}{m}", self.code),
            None => self.code.clone(),
        }
    }
}

pub async fn attendance<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    from: Date,
    to: Date,
) -> Result<Vec<AttendanceRow>> {
    let rows = sqlx::query(
        "SELECT a.lesson_id, a.student_id, a.code, a.minutes FROM attendance a JOIN lessons l ON l.id = a.lesson_id \
         WHERE a.institution_id = $1 AND l.course_id = $2 AND l.date >= $3 AND l.date <= $4",
    )
    .bind(institution.0)
    .bind(course.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AttendanceRow {
                lesson_id: LessonId(r.try_get("lesson_id")?),
                student_id: PersonId(r.try_get("student_id")?),
                code: r.try_get("code")?,
                minutes: r.try_get("minutes")?,
            })
        })
        .collect()
}

/// Sets a student's mark on a lesson; `None` means present (the row goes).
pub async fn set_attendance<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    lesson: LessonId,
    student: PersonId,
    mark: Option<(&str, Option<i64>)>,
) -> Result<()> {
    match mark {
        Some((code, minutes)) => {
            sqlx::query(
                "INSERT INTO attendance (institution_id, lesson_id, student_id, code, minutes) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (lesson_id, student_id) DO UPDATE SET code = excluded.code, minutes = excluded.minutes",
            )
            .bind(institution.id().0)
            .bind(lesson.0)
            .bind(student.0)
            .bind(code)
            .bind(minutes)
            .execute(ex)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM attendance WHERE institution_id = $1 AND lesson_id = $2 AND student_id = $3")
                .bind(institution.id().0)
                .bind(lesson.0)
                .bind(student.0)
                .execute(ex)
                .await?;
        }
    }
    Ok(())
}

// ---- assessments and grades ----

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub course_id: CourseId,
    pub kind: String,
    pub scale: String,
    pub date: Date,
    pub title: String,
    pub handed_in_on: Option<Date>,
}

impl Assessment {
    pub fn history_value(&self) -> String {
        [
            self.kind.as_str(),
            &self.scale,
            &self.date.to_string(),
            &self.title,
            &self.handed_in_on.map(|d| d.to_string()).unwrap_or_default(),
        ]
        .join("\u{1f}")
    }
}

pub(crate) fn assessment_from_row(r: &sqlx::any::AnyRow) -> Result<Assessment> {
    Ok(Assessment {
        id: AssessmentId(r.try_get("id")?),
        course_id: CourseId(r.try_get("course_id")?),
        kind: r.try_get("kind")?,
        scale: r.try_get("scale")?,
        date: crate::date(r, "date")?,
        title: r.try_get("title")?,
        handed_in_on: crate::maybe_date(r, "handed_in_on")?,
    })
}

pub async fn insert_assessment<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    a: &Assessment,
) -> Result<Assessment> {
    let row = sqlx::query(
        "INSERT INTO assessments (institution_id, course_id, kind, scale, date, title, handed_in_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, course_id, kind, scale, date, title, handed_in_on",
    )
    .bind(institution.id().0)
    .bind(a.course_id.0)
    .bind(&a.kind)
    .bind(&a.scale)
    .bind(a.date.to_string())
    .bind(&a.title)
    .bind(a.handed_in_on.map(|d| d.to_string()))
    .fetch_one(ex)
    .await?;
    assessment_from_row(&row)
}

pub async fn assessments<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    from: Date,
    to: Date,
) -> Result<Vec<Assessment>> {
    let rows = sqlx::query(
        "SELECT id, course_id, kind, scale, date, title, handed_in_on FROM assessments \
         WHERE institution_id = $1 AND course_id = $2 AND date >= $3 AND date <= $4 ORDER BY date, id",
    )
    .bind(institution.0)
    .bind(course.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter().map(assessment_from_row).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GradeRow {
    pub assessment_id: AssessmentId,
    pub student_id: PersonId,
    pub mark: String,
}

pub async fn grades<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    from: Date,
    to: Date,
) -> Result<Vec<GradeRow>> {
    let rows = sqlx::query(
        "SELECT g.assessment_id, g.student_id, g.mark FROM grades g JOIN assessments a ON a.id = g.assessment_id \
         WHERE g.institution_id = $1 AND a.course_id = $2 AND a.date >= $3 AND a.date <= $4",
    )
    .bind(institution.0)
    .bind(course.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GradeRow {
                assessment_id: AssessmentId(r.try_get("assessment_id")?),
                student_id: PersonId(r.try_get("student_id")?),
                mark: r.try_get("mark")?,
            })
        })
        .collect()
}

pub async fn set_grade<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    assessment: AssessmentId,
    student: PersonId,
    mark: Option<&str>,
    now: i64,
) -> Result<()> {
    match mark {
        Some(m) => {
            // `entered_at` keeps the first entry: a later correction does not make a grade late.
            sqlx::query(
                "INSERT INTO grades (institution_id, assessment_id, student_id, mark, entered_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (assessment_id, student_id) DO UPDATE SET mark = excluded.mark",
            )
            .bind(institution.id().0)
            .bind(assessment.0)
            .bind(student.0)
            .bind(m)
            .bind(now)
            .execute(ex)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM grades WHERE institution_id = $1 AND assessment_id = $2 AND student_id = $3")
                .bind(institution.id().0)
                .bind(assessment.0)
                .bind(student.0)
                .execute(ex)
                .await?;
        }
    }
    Ok(())
}

// ---- notes ----

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub id: i64,
    pub course_id: Option<CourseId>,
    pub student_id: PersonId,
    pub date: Date,
    pub kind: String,
    pub text: String,
    pub author: String,
}

impl Note {
    pub fn history_value(&self) -> String {
        [
            self.date.to_string().as_str(),
            &self.kind,
            &self.student_id.to_string(),
            &self.course_id.map(|c| c.to_string()).unwrap_or_default(),
            &self.text,
        ]
        .join("\u{1f}")
    }
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert_note<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    course: Option<CourseId>,
    student: PersonId,
    date: Date,
    kind: &str,
    text: &str,
    author: PersonId,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO notes (institution_id, course_id, student_id, date, kind, text, author_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(course.map(|c| c.0))
    .bind(student.0)
    .bind(date.to_string())
    .bind(kind)
    .bind(text)
    .bind(author.0)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// Notes of a course, or of a student (with `course` None and `student` Some), newest first.
pub async fn notes<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: Option<CourseId>,
    student: Option<PersonId>,
) -> Result<Vec<Note>> {
    notes_between(ex, institution, course, student, Date::MIN, Date::MAX).await
}

/// [`notes`] dated between two days.
pub async fn notes_between<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: Option<CourseId>,
    student: Option<PersonId>,
    from: Date,
    to: Date,
) -> Result<Vec<Note>> {
    let rows = sqlx::query(
        "SELECT n.id, n.course_id, n.student_id, n.date, n.kind, n.text, p.given_name || ' ' || p.family_name AS author \
         FROM notes n JOIN persons p ON p.id = n.author_id \
         WHERE n.institution_id = $1 AND ($2 = 0 OR n.course_id = $2) AND ($3 = 0 OR n.student_id = $3) \
           AND n.date >= $4 AND n.date <= $5 \
         ORDER BY n.date DESC, n.id DESC",
    )
    .bind(institution.0)
    .bind(course.map(|c| c.0).unwrap_or(0))
    .bind(student.map(|s| s.0).unwrap_or(0))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Note {
                id: r.try_get("id")?,
                course_id: r.try_get::<Option<i64>, _>("course_id")?.map(CourseId),
                student_id: PersonId(r.try_get("student_id")?),
                date: crate::date(r, "date")?,
                kind: r.try_get("kind")?,
                text: r.try_get("text")?,
                author: r.try_get("author")?,
            })
        })
        .collect()
}

// ---- one student's journal, for the diary and the summary ----

/// A grade of a student with what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StudentGrade {
    pub course_id: CourseId,
    pub course_name: String,
    pub subject_id: SubjectId,
    pub assessment_id: AssessmentId,
    pub kind: String,
    pub scale: String,
    pub date: Date,
    pub title: String,
    pub mark: String,
}

pub async fn student_grades<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<(PersonId, StudentGrade)>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = students.iter().map(|s| s.0.to_string()).collect();
    // The ids are integers from our own rows, never user text.
    let sql = format!(
        "SELECT g.student_id, c.id AS course_id, c.name AS course_name, c.subject_id, a.id AS assessment_id, a.kind, a.scale, \
           a.date, a.title, g.mark FROM grades g JOIN assessments a ON a.id = g.assessment_id JOIN courses c ON c.id = a.course_id \
         WHERE g.institution_id = $1 AND g.student_id IN ({}) AND a.date >= $2 AND a.date <= $3 ORDER BY a.date, a.id",
        ids.join(",")
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("student_id")?),
                StudentGrade {
                    course_id: CourseId(r.try_get("course_id")?),
                    course_name: r.try_get("course_name")?,
                    subject_id: SubjectId(r.try_get("subject_id")?),
                    assessment_id: AssessmentId(r.try_get("assessment_id")?),
                    kind: r.try_get("kind")?,
                    scale: r.try_get("scale")?,
                    date: crate::date(r, "date")?,
                    title: r.try_get("title")?,
                    mark: r.try_get("mark")?,
                },
            ))
        })
        .collect()
}

/// `a` attendance, `l` its lesson, `k` its kind: true when the absence is excused — by its mark's
/// kind or by a tutor's excuse covering its day (R18.2). Every count and list of excused absences
/// uses it, so the diary, the reports, the statistics and the API agree.
pub(crate) const EXCUSED: &str =
    "(k.excused OR EXISTS (SELECT 1 FROM excuses e WHERE e.institution_id = a.institution_id \
     AND e.student_id = a.student_id AND e.from_date <= l.date AND e.to_date >= l.date))";

/// An attendance mark of a student with its lesson.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StudentMark {
    pub lesson_id: LessonId,
    pub course_id: CourseId,
    pub course_name: String,
    pub date: Date,
    pub lesson_no: i64,
    pub code: String,
    pub minutes: Option<i64>,
    pub absent: bool,
    pub late: bool,
    pub excused: bool,
}

pub async fn student_attendance<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<(PersonId, StudentMark)>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = students.iter().map(|s| s.0.to_string()).collect();
    let sql = format!(
        "SELECT a.student_id, a.lesson_id, c.id AS course_id, c.name AS course_name, l.date, l.lesson_no, a.code, a.minutes, \
           k.absent, k.late, {EXCUSED} AS excused FROM attendance a JOIN lessons l ON l.id = a.lesson_id JOIN courses c ON c.id = l.course_id \
           JOIN attendance_kinds k ON k.institution_id = a.institution_id AND k.code = a.code \
         WHERE a.institution_id = $1 AND a.student_id IN ({}) AND l.date >= $2 AND l.date <= $3 ORDER BY l.date, l.lesson_no",
        ids.join(",")
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("student_id")?),
                StudentMark {
                    lesson_id: LessonId(r.try_get("lesson_id")?),
                    course_id: CourseId(r.try_get("course_id")?),
                    course_name: r.try_get("course_name")?,
                    date: crate::date(r, "date")?,
                    lesson_no: r.try_get("lesson_no")?,
                    code: r.try_get("code")?,
                    minutes: r.try_get("minutes")?,
                    absent: flag(r, "absent")?,
                    late: flag(r, "late")?,
                    excused: flag(r, "excused")?,
                },
            ))
        })
        .collect()
}

/// The lesson and assessment a history item is about belong to `course`.
pub async fn item_in_course<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
    item: &str,
) -> Result<bool> {
    let mut parts = item.split(':');
    let (kind, id) = (parts.next(), parts.next().and_then(|s| s.parse::<i64>().ok()));
    let sql = match kind {
        Some("lesson" | "attendance") => {
            "SELECT COUNT(*) AS n FROM lessons WHERE institution_id = $1 AND course_id = $2 AND id = $3"
        }
        Some("assessment" | "grade") => {
            "SELECT COUNT(*) AS n FROM assessments WHERE institution_id = $1 AND course_id = $2 AND id = $3"
        }
        Some("note") => "SELECT COUNT(*) AS n FROM notes WHERE institution_id = $1 AND course_id = $2 AND id = $3",
        _ => return Ok(false),
    };
    let Some(id) = id else { return Ok(false) };
    let row = sqlx::query(sql)
        .bind(institution.0)
        .bind(course.0)
        .bind(id)
        .fetch_one(ex)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The lessons a student of `class` has between two dates: the class's courses, less the groups
/// they are not in. With the course's name.
pub async fn lessons_of_student<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    student: PersonId,
    from: Date,
    to: Date,
) -> Result<Vec<(Lesson, String)>> {
    let rows = sqlx::query(
        "SELECT l.id, l.course_id, l.date, l.lesson_no, l.topic, l.content, l.homework, l.homework_due, c.name AS course_name \
         FROM lessons l JOIN courses c ON c.id = l.course_id \
         WHERE l.institution_id = $1 AND c.class_id = $2 AND l.date >= $4 AND l.date <= $5 \
           AND (NOT EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id) \
                OR EXISTS (SELECT 1 FROM course_students x WHERE x.course_id = c.id AND x.student_id = $3)) \
         ORDER BY l.date, l.lesson_no",
    )
    .bind(institution.0)
    .bind(class.0)
    .bind(student.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((lesson_from_row(r)?, r.try_get("course_name")?)))
        .collect()
}

/// A test or other assessment a student's class has on a day, for their calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Upcoming {
    pub id: AssessmentId,
    pub date: Date,
    pub kind: String,
    pub title: String,
    pub course_name: String,
}

/// The assessments of `student`'s courses in `class` from `from` to `to`: the class's courses, a
/// subgroup's only when the student is in it.
pub async fn class_assessments<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    student: PersonId,
    from: Date,
    to: Date,
) -> Result<Vec<Upcoming>> {
    let rows = sqlx::query(
        "SELECT a.id, a.date, a.kind, a.title, c.name FROM courses c JOIN assessments a ON a.course_id = c.id \
         WHERE c.institution_id = $1 AND c.class_id = $2 AND a.date >= $4 AND a.date <= $5 \
           AND (c.subgroup IS NULL OR EXISTS (SELECT 1 FROM course_students s WHERE s.course_id = c.id AND s.student_id = $3)) \
         ORDER BY a.date, a.id",
    )
    .bind(institution.0)
    .bind(class.0)
    .bind(student.0)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Upcoming {
                id: AssessmentId(r.try_get("id")?),
                date: crate::date(r, "date")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                course_name: r.try_get("name")?,
            })
        })
        .collect()
}
