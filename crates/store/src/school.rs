//! The school's structure: school years and terms, classes and groups (named as in VIIS), their
//! tutors, subjects and professional modules, enrolments (by order), and guardianships.

use crate::{conflict, Result};
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, ClassKind, InstitutionId, PersonId, SchoolYearId, SubjectId, SubjectKind};
use sqlx::{Any, Executor, Row};

pub async fn insert_school_year<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    name: &str,
    starts_on: Date,
    ends_on: Date,
) -> Result<SchoolYearId> {
    let row = sqlx::query(
        "INSERT INTO school_years (institution_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(name)
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(SchoolYearId(row.try_get("id")?))
}

pub async fn insert_term<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    year: SchoolYearId,
    ordinal: i64,
    name: &str,
    starts_on: Date,
    ends_on: Date,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO terms (institution_id, school_year_id, ordinal, name, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(institution.id().0)
    .bind(year.0)
    .bind(ordinal)
    .bind(name)
    .bind(starts_on.to_string())
    .bind(ends_on.to_string())
    .execute(ex)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// A class (school) or a group (preschool).
pub struct NewClass<'a> {
    pub name: &'a str,
    pub kind: ClassKind,
    pub grade: Option<i64>,
    pub programme_code: Option<&'a str>,
    pub programme_name: Option<&'a str>,
}

pub async fn insert_class<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    year: SchoolYearId,
    c: &NewClass<'_>,
) -> Result<ClassId> {
    let row = sqlx::query(
        "INSERT INTO classes (institution_id, school_year_id, name, kind, grade, programme_code, programme_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(year.0)
    .bind(c.name)
    .bind(c.kind.code())
    .bind(c.grade)
    .bind(c.programme_code)
    .bind(c.programme_name)
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(ClassId(row.try_get("id")?))
}

/// A class's tutors (a group's teachers), as (id, "Given Family").
pub async fn tutors_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
) -> Result<Vec<(PersonId, String)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name || ' ' || p.family_name AS name FROM class_tutors t JOIN persons p ON p.id = t.person_id \
         WHERE t.institution_id = $1 AND t.class_id = $2 ORDER BY p.family_name, p.given_name",
    )
    .bind(institution.0)
    .bind(class.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((PersonId(r.try_get("id")?), r.try_get("name")?)))
        .collect()
}

pub async fn remove_tutor<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    class: ClassId,
    person: PersonId,
) -> Result<()> {
    sqlx::query("DELETE FROM class_tutors WHERE institution_id = $1 AND class_id = $2 AND person_id = $3")
        .bind(institution.id().0)
        .bind(class.0)
        .bind(person.0)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn add_tutor<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    class: ClassId,
    person: PersonId,
) -> Result<()> {
    sqlx::query("INSERT INTO class_tutors (institution_id, class_id, person_id) VALUES ($1, $2, $3)")
        .bind(institution.id().0)
        .bind(class.0)
        .bind(person.0)
        .execute(ex)
        .await
        .map_err(conflict)?;
    Ok(())
}

pub async fn insert_subject<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    kind: SubjectKind,
    code: Option<&str>,
    name: &str,
) -> Result<SubjectId> {
    let row =
        sqlx::query("INSERT INTO subjects (institution_id, kind, code, name) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(institution.id().0)
            .bind(kind.code())
            .bind(code)
            .bind(name)
            .fetch_one(ex)
            .await
            .map_err(conflict)?;
    Ok(SubjectId(row.try_get("id")?))
}

/// Enrols a student in a class from a date, on the basis of an order.
pub struct Enrolment<'a> {
    pub class: ClassId,
    pub student: PersonId,
    pub valid_from: Date,
    pub order_number: &'a str,
    pub order_date: Date,
    pub reason: &'a str,
}

pub async fn enrol<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    e: &Enrolment<'_>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO enrolments (institution_id, class_id, student_id, valid_from, order_number, order_date, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(institution.id().0)
    .bind(e.class.0)
    .bind(e.student.0)
    .bind(e.valid_from.to_string())
    .bind(e.order_number)
    .bind(e.order_date.to_string())
    .bind(e.reason)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Links a parent to a child (with how they are related), unless they are linked already.
pub async fn link_guardian<'e>(
    ex: impl Executor<'e, Database = Any>,
    parent: PersonId,
    child: PersonId,
    relation: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO guardianships (parent_id, child_id, relation, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (parent_id, child_id) DO UPDATE SET relation = COALESCE(excluded.relation, guardianships.relation)",
    )
    .bind(parent.0)
    .bind(child.0)
    .bind(relation)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn add_guardianship<'e>(
    ex: impl Executor<'e, Database = Any>,
    parent: PersonId,
    child: PersonId,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO guardianships (parent_id, child_id, created_at) VALUES ($1, $2, $3)")
        .bind(parent.0)
        .bind(child.0)
        .bind(now)
        .execute(ex)
        .await
        .map_err(conflict)?;
    Ok(())
}

/// A class as a home page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClassSummary {
    pub id: ClassId,
    pub institution_id: InstitutionId,
    pub name: String,
    pub kind: ClassKind,
    pub programme_name: Option<String>,
    pub students: i64,
}

/// The classes `person` tutors in school years containing `today`, with their current head count.
pub async fn tutored_classes<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
    today: Date,
) -> Result<Vec<ClassSummary>> {
    let rows = sqlx::query(
        "SELECT c.id, c.institution_id, c.name, c.kind, c.programme_name, \
           (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.institution_id = c.institution_id \
              AND e.valid_from <= $2 AND (e.valid_to IS NULL OR e.valid_to >= $2)) AS students \
         FROM class_tutors t JOIN classes c ON c.id = t.class_id AND c.institution_id = t.institution_id \
         JOIN school_years y ON y.id = c.school_year_id \
         WHERE t.person_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 ORDER BY c.name",
    )
    .bind(person.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClassSummary {
                id: ClassId(r.try_get("id")?),
                institution_id: InstitutionId(r.try_get("institution_id")?),
                name: r.try_get("name")?,
                kind: class_kind(r)?,
                programme_name: r.try_get("programme_name")?,
                students: r.try_get("students")?,
            })
        })
        .collect()
}

/// Every class of `institution` in the school year containing `today`, with head counts.
pub async fn classes_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<Vec<ClassSummary>> {
    let rows = sqlx::query(
        "SELECT c.id, c.institution_id, c.name, c.kind, c.programme_name, \
           (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.institution_id = c.institution_id \
              AND e.valid_from <= $2 AND (e.valid_to IS NULL OR e.valid_to >= $2)) AS students \
         FROM classes c JOIN school_years y ON y.id = c.school_year_id \
         WHERE c.institution_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 ORDER BY c.name",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClassSummary {
                id: ClassId(r.try_get("id")?),
                institution_id: InstitutionId(r.try_get("institution_id")?),
                name: r.try_get("name")?,
                kind: class_kind(r)?,
                programme_name: r.try_get("programme_name")?,
                students: r.try_get("students")?,
            })
        })
        .collect()
}

/// A student with the class they are in on a date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Placement {
    pub student_id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub institution_id: InstitutionId,
    pub class_id: ClassId,
    pub class_name: String,
}

/// Where each of `students` is enrolled on `today` (one row per current enrolment).
pub async fn placements<'e>(
    ex: impl Executor<'e, Database = Any>,
    students: &[PersonId],
    today: Date,
) -> Result<Vec<Placement>> {
    if students.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = students.iter().map(|p| p.0.to_string()).collect();
    // Ids are integers we hold, not user input, so inlining them is safe and keeps this one query.
    let sql = format!(
        "SELECT p.id AS student_id, p.given_name, p.family_name, c.institution_id, c.id AS class_id, c.name AS class_name \
         FROM enrolments e JOIN persons p ON p.id = e.student_id JOIN classes c ON c.id = e.class_id \
         WHERE e.student_id IN ({}) AND e.valid_from <= $1 AND (e.valid_to IS NULL OR e.valid_to >= $1) \
         ORDER BY p.given_name, p.family_name",
        list.join(",")
    );
    let rows = sqlx::query(&sql).bind(today.to_string()).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(Placement {
                student_id: PersonId(r.try_get("student_id")?),
                given_name: r.try_get("given_name")?,
                family_name: r.try_get("family_name")?,
                institution_id: InstitutionId(r.try_get("institution_id")?),
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("class_name")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Term {
    pub id: klade_domain::TermId,
    pub ordinal: i64,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

pub async fn terms<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    year: SchoolYearId,
) -> Result<Vec<Term>> {
    let rows = sqlx::query(
        "SELECT id, ordinal, name, starts_on, ends_on FROM terms WHERE institution_id = $1 AND school_year_id = $2 ORDER BY ordinal",
    )
    .bind(institution.0)
    .bind(year.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Term {
                id: klade_domain::TermId(r.try_get("id")?),
                ordinal: r.try_get("ordinal")?,
                name: r.try_get("name")?,
                starts_on: crate::date(r, "starts_on")?,
                ends_on: crate::date(r, "ends_on")?,
            })
        })
        .collect()
}

/// A class with its school year's dates, when it belongs to `institution`.
pub async fn class<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: ClassId,
) -> Result<Option<(String, SchoolYearId)>> {
    let row = sqlx::query("SELECT name, school_year_id FROM classes WHERE institution_id = $1 AND id = $2")
        .bind(institution.0)
        .bind(id.0)
        .fetch_optional(ex)
        .await?;
    row.map(|r| Ok((r.try_get("name")?, SchoolYearId(r.try_get("school_year_id")?))))
        .transpose()
}

/// The institution a class belongs to; the caller asks the policy next.
pub async fn class_institution<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: ClassId,
) -> Result<Option<InstitutionId>> {
    let row = sqlx::query("SELECT institution_id FROM classes WHERE id = $1")
        .bind(id.0)
        .fetch_optional(ex)
        .await?;
    row.map(|r| Ok(InstitutionId(r.try_get("institution_id")?))).transpose()
}

/// The subjects and modules of an institution as (id, name, kind), by name.
pub async fn subjects<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Vec<(SubjectId, String, SubjectKind)>> {
    let rows = sqlx::query("SELECT id, name, kind FROM subjects WHERE institution_id = $1 ORDER BY kind DESC, name")
        .bind(institution.0)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                SubjectId(r.try_get("id")?),
                r.try_get("name")?,
                subject_kind(r, "kind")?,
            ))
        })
        .collect()
}

/// A line of a student's class history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EnrolmentLine {
    pub id: i64,
    pub class_id: ClassId,
    pub class_name: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub order_number: String,
    pub order_date: Date,
    pub reason: String,
    /// The order that ended it (a transfer or an exit), and why.
    pub end_order_number: Option<String>,
    pub end_order_date: Option<Date>,
    pub end_reason: Option<String>,
}

pub async fn enrolments_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    student: PersonId,
) -> Result<Vec<EnrolmentLine>> {
    let rows = sqlx::query(
        "SELECT e.id, e.class_id, c.name, e.valid_from, e.valid_to, e.order_number, e.order_date, e.reason, \
           e.end_order_number, e.end_order_date, e.end_reason FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE e.institution_id = $1 AND e.student_id = $2 \
         ORDER BY e.valid_from, e.id",
    )
    .bind(institution.0)
    .bind(student.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EnrolmentLine {
                id: r.try_get("id")?,
                class_id: ClassId(r.try_get("class_id")?),
                class_name: r.try_get("name")?,
                valid_from: crate::date(r, "valid_from")?,
                valid_to: crate::maybe_date(r, "valid_to")?,
                order_number: r.try_get("order_number")?,
                order_date: crate::date(r, "order_date")?,
                reason: r.try_get("reason")?,
                end_order_number: r.try_get("end_order_number")?,
                end_order_date: crate::maybe_date(r, "end_order_date")?,
                end_reason: r.try_get("end_reason")?,
            })
        })
        .collect()
}

/// Ends an enrolment on `last_day` by an order (number, date) for a reason.
pub async fn end_enrolment<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    id: i64,
    last_day: Date,
    order: (&str, Date, &str),
) -> Result<()> {
    sqlx::query(
        "UPDATE enrolments SET valid_to = $3, end_order_number = $4, end_order_date = $5, end_reason = $6 \
         WHERE institution_id = $1 AND id = $2",
    )
    .bind(institution.id().0)
    .bind(id)
    .bind(last_day.to_string())
    .bind(order.0)
    .bind(order.1.to_string())
    .bind(order.2)
    .execute(ex)
    .await?;
    Ok(())
}

/// How many of `parent`'s children are enrolled in `institution` on `on` (other than `except`).
pub async fn other_children_enrolled<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    parent: PersonId,
    except: PersonId,
    on: Date,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM guardianships g JOIN enrolments e ON e.student_id = g.child_id \
         WHERE g.parent_id = $2 AND g.child_id <> $3 AND e.institution_id = $1 \
           AND e.valid_from <= $4 AND (e.valid_to IS NULL OR e.valid_to >= $4)",
    )
    .bind(institution.0)
    .bind(parent.0)
    .bind(except.0)
    .bind(on.to_string())
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("n")?)
}

pub async fn children_of<'e>(ex: impl Executor<'e, Database = Any>, parent: PersonId) -> Result<Vec<PersonId>> {
    let rows = sqlx::query("SELECT child_id FROM guardianships WHERE parent_id = $1")
        .bind(parent.0)
        .fetch_all(ex)
        .await?;
    rows.iter().map(|r| Ok(PersonId(r.try_get("child_id")?))).collect()
}

/// Every institution a person has ever belonged to: by a membership or an enrolment, ended or not.
pub async fn institutions_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
) -> Result<Vec<InstitutionId>> {
    let rows = sqlx::query(
        "SELECT institution_id FROM memberships WHERE person_id = $1 \
         UNION SELECT institution_id FROM enrolments WHERE student_id = $1",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok(InstitutionId(r.try_get("institution_id")?)))
        .collect()
}

/// When `from`..`to` is exactly one of the institution's terms: `Some` with the term before it
/// (in this or an earlier school year), if there is one, as (first day, last day); `None` for any
/// other period.
pub async fn term_before<'e>(
    ex: impl Executor<'e, Database = Any> + Copy,
    institution: InstitutionId,
    from: Date,
    to: Date,
) -> Result<Option<Option<(Date, Date)>>> {
    let is_term =
        sqlx::query("SELECT 1 AS one FROM terms WHERE institution_id = $1 AND starts_on = $2 AND ends_on = $3")
            .bind(institution.0)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_optional(ex)
            .await?
            .is_some();
    if !is_term {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT starts_on, ends_on FROM terms WHERE institution_id = $1 AND ends_on < $2 ORDER BY ends_on DESC LIMIT 1",
    )
    .bind(institution.0)
    .bind(from.to_string())
    .fetch_optional(ex)
    .await?;
    Ok(Some(
        row.map(|r| Ok::<_, crate::StoreError>((crate::date(&r, "starts_on")?, crate::date(&r, "ends_on")?)))
            .transpose()?,
    ))
}

/// The school year of `institution` containing `today`: (id, starts on, ends on).
pub async fn current_year<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<Option<(SchoolYearId, Date, Date)>> {
    let row = sqlx::query(
        "SELECT id, starts_on, ends_on FROM school_years WHERE institution_id = $1 AND starts_on <= $2 AND ends_on >= $2",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok((
            SchoolYearId(r.try_get("id")?),
            crate::date(&r, "starts_on")?,
            crate::date(&r, "ends_on")?,
        ))
    })
    .transpose()
}

/// Current enrolments of an institution on `on`: student → (enrolment id, class).
pub async fn current_enrolments<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    on: Date,
) -> Result<std::collections::HashMap<PersonId, (i64, ClassId)>> {
    let rows = sqlx::query(
        "SELECT id, student_id, class_id FROM enrolments WHERE institution_id = $1 AND valid_from <= $2 \
           AND (valid_to IS NULL OR valid_to >= $2)",
    )
    .bind(institution.0)
    .bind(on.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("student_id")?),
                (r.try_get("id")?, ClassId(r.try_get("class_id")?)),
            ))
        })
        .collect()
}

/// The class of the same name in the institution's latest year before `class`'s, with that year's
/// name: where a class's study plan is copied from.
pub async fn previous_class<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
) -> Result<Option<(ClassId, String)>> {
    let row = sqlx::query(
        "SELECT c.id, y.name FROM classes me JOIN school_years my ON my.id = me.school_year_id \
           JOIN classes c ON c.institution_id = me.institution_id AND c.name = me.name \
           JOIN school_years y ON y.id = c.school_year_id \
         WHERE me.institution_id = $1 AND me.id = $2 AND y.ends_on < my.starts_on ORDER BY y.ends_on DESC LIMIT 1",
    )
    .bind(institution.0)
    .bind(class.0)
    .fetch_optional(ex)
    .await?;
    row.map(|r| Ok((ClassId(r.try_get("id")?), r.try_get("name")?)))
        .transpose()
}

/// A class as it is made: what a class of the next year copies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClassRow {
    pub id: ClassId,
    pub name: String,
    pub kind: ClassKind,
    pub grade: Option<i64>,
    pub programme_code: Option<String>,
    pub programme_name: Option<String>,
}

/// The classes of one school year, by name.
pub async fn classes_of_year<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    year: SchoolYearId,
) -> Result<Vec<ClassRow>> {
    let rows = sqlx::query(
        "SELECT id, name, kind, grade, programme_code, programme_name FROM classes \
         WHERE institution_id = $1 AND school_year_id = $2 ORDER BY name",
    )
    .bind(institution.0)
    .bind(year.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(class_row).collect()
}

/// What a class of the year under way has so far, for the set-up checklist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClassState {
    pub id: ClassId,
    pub name: String,
    pub kind: ClassKind,
    pub students: i64,
    pub tutors: i64,
    pub courses: i64,
    /// Lessons of its week valid on `today` or later.
    pub slots: i64,
    /// Its students and their parents without an account.
    pub families_waiting: i64,
}

pub async fn class_states<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<Vec<ClassState>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.kind, \
           (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.valid_from <= $2 \
              AND (e.valid_to IS NULL OR e.valid_to >= $2)) AS students, \
           (SELECT COUNT(*) FROM class_tutors u WHERE u.class_id = c.id) AS tutors, \
           (SELECT COUNT(*) FROM courses k WHERE k.class_id = c.id) AS courses, \
           (SELECT COUNT(*) FROM timetable s WHERE s.class_id = c.id AND (s.valid_to IS NULL OR s.valid_to >= $2)) AS slots, \
           (SELECT COUNT(DISTINCT p.id) FROM enrolments e JOIN persons p ON p.id = e.student_id \
               OR p.id IN (SELECT g.parent_id FROM guardianships g WHERE g.child_id = e.student_id) \
             WHERE e.class_id = c.id AND e.valid_from <= $2 AND (e.valid_to IS NULL OR e.valid_to >= $2) \
               AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)) AS waiting \
         FROM classes c JOIN school_years y ON y.id = c.school_year_id \
         WHERE c.institution_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 ORDER BY c.name",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClassState {
                id: ClassId(r.try_get("id")?),
                name: r.try_get("name")?,
                kind: class_kind(r)?,
                students: r.try_get("students")?,
                tutors: r.try_get("tutors")?,
                courses: r.try_get("courses")?,
                slots: r.try_get("slots")?,
                families_waiting: r.try_get("waiting")?,
            })
        })
        .collect()
}

/// A class's kind as stored; another word is a record gone wrong.
fn class_kind(r: &sqlx::any::AnyRow) -> Result<ClassKind> {
    let code: String = r.try_get("kind")?;
    ClassKind::from_code(&code).ok_or_else(|| crate::StoreError::Corrupt(format!("class kind {code:?}")))
}

/// A class as `ClassRow` reads it: id, name, kind, grade, programme code and name.
pub(crate) fn class_row(r: &sqlx::any::AnyRow) -> Result<ClassRow> {
    Ok(ClassRow {
        id: ClassId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: class_kind(r)?,
        grade: r.try_get("grade")?,
        programme_code: r.try_get("programme_code")?,
        programme_name: r.try_get("programme_name")?,
    })
}

/// A subject's kind as stored in `column`; another word is a record gone wrong.
pub(crate) fn subject_kind(r: &sqlx::any::AnyRow, column: &str) -> Result<SubjectKind> {
    let code: String = r.try_get(column)?;
    SubjectKind::from_code(&code).ok_or_else(|| crate::StoreError::Corrupt(format!("subject kind {code:?}")))
}
