//! Journal checks (R22.2, R23, R24.1, R25.1, J29): the administration's findings about one journal —
//! a school course's or a preschool group's — the teacher's answer, and the closing.
//!
//! Storage only: who may record, answer or close, and which field a deputy checks, are the app's
//! and the policy's. Every query names the institution.

use crate::Result;
use jiff::civil::Date;
use klade_domain::journal_item::Item;
use klade_domain::Tenant;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};
use std::collections::HashMap;

/// The journal a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Journal {
    /// A preschool group's journal.
    Group(ClassId),
    /// A school course's journal.
    Course(CourseId),
}

impl Journal {
    fn class(self) -> Option<ClassId> {
        match self {
            Self::Group(c) => Some(c),
            Self::Course(_) => None,
        }
    }

    fn course(self) -> Option<CourseId> {
        match self {
            Self::Group(_) => None,
            Self::Course(c) => Some(c),
        }
    }

    /// The condition selecting this journal's findings, with `$2` bound to [`Self::id`].
    fn condition(self) -> &'static str {
        match self {
            Self::Group(_) => "k.class_id = $2 AND k.course_id IS NULL",
            Self::Course(_) => "k.course_id = $2",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Self::Group(c) => c.0,
            Self::Course(c) => c.0,
        }
    }
}

/// A finding of a journal check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub id: i64,
    pub class_id: Option<ClassId>,
    pub course_id: Option<CourseId>,
    /// What was checked: `entries`, `content`, `professional` or `absences`.
    pub area: String,
    pub finding: String,
    pub due_on: Option<Date>,
    pub created_by: String,
    pub created_at: i64,
    pub answer: Option<String>,
    pub done_by: Option<String>,
    pub done_at: Option<i64>,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
}

impl Check {
    /// `open`, `done` (the teacher corrected it) or `closed` (the administration accepted it).
    pub fn state(&self) -> &'static str {
        if self.closed_at.is_some() {
            "closed"
        } else if self.done_at.is_some() {
            "done"
        } else {
            "open"
        }
    }

    pub fn journal(&self) -> Journal {
        match (self.course_id, self.class_id) {
            (Some(c), _) => Journal::Course(c),
            (None, Some(g)) => Journal::Group(g),
            // The table's CHECK makes one of the two present.
            (None, None) => Journal::Group(ClassId(0)),
        }
    }

    /// The value the history records for the check: its state and texts.
    pub fn history_value(&self) -> String {
        let due_on = self.due_on.map(|d| d.to_string()).unwrap_or_default();
        let mut parts = vec![
            self.state(),
            self.finding.as_str(),
            &due_on,
            self.answer.as_deref().unwrap_or(""),
        ];
        // Findings recorded before areas existed were all `entries`; their history has four parts.
        if self.area != "entries" {
            parts.push(self.area.as_str());
        }
        parts.join("\u{1f}")
    }
}

const CHECK_COLUMNS: &str =
    "k.id, k.class_id, k.course_id, k.area, k.finding, k.due_on, k.created_at, k.answer, k.done_at, k.closed_at, \
       pc.given_name || ' ' || pc.family_name AS created_by, pd.given_name || ' ' || pd.family_name AS done_by, \
       px.given_name || ' ' || px.family_name AS closed_by";
const CHECK_FROM: &str = "journal_checks k JOIN persons pc ON pc.id = k.created_by \
     LEFT JOIN persons pd ON pd.id = k.done_by LEFT JOIN persons px ON px.id = k.closed_by";

fn check_from_row(r: &sqlx::any::AnyRow) -> Result<Check> {
    Ok(Check {
        id: r.try_get("id")?,
        class_id: r.try_get::<Option<i64>, _>("class_id")?.map(ClassId),
        course_id: r.try_get::<Option<i64>, _>("course_id")?.map(CourseId),
        area: r.try_get("area")?,
        finding: r.try_get("finding")?,
        due_on: crate::maybe_date(r, "due_on")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        answer: r.try_get("answer")?,
        done_by: r.try_get("done_by")?,
        done_at: r.try_get("done_at")?,
        closed_by: r.try_get("closed_by")?,
        closed_at: r.try_get("closed_at")?,
    })
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    journal: Journal,
    area: &str,
    finding: &str,
    due_on: Option<Date>,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO journal_checks (institution_id, class_id, course_id, area, finding, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(journal.class().map(|c| c.0))
    .bind(journal.course().map(|c| c.0))
    .bind(area)
    .bind(finding)
    .bind(due_on.map(|d| d.to_string()))
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn check<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: i64,
) -> Result<Option<Check>> {
    let sql = format!("SELECT {CHECK_COLUMNS} FROM {CHECK_FROM} WHERE k.institution_id = $1 AND k.id = $2");
    let row = sqlx::query(&sql)
        .bind(institution.0)
        .bind(id)
        .fetch_optional(ex)
        .await?;
    row.as_ref().map(check_from_row).transpose()
}

/// A journal's findings, newest first.
pub async fn checks<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    journal: Journal,
) -> Result<Vec<Check>> {
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM {CHECK_FROM} WHERE k.institution_id = $1 AND {} ORDER BY k.id DESC",
        journal.condition()
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(journal.id())
        .fetch_all(ex)
        .await?;
    rows.iter().map(check_from_row).collect()
}

/// How many of a journal's findings the teacher has still to correct.
pub async fn open_count<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    journal: Journal,
) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM journal_checks k WHERE k.institution_id = $1 AND {} \
         AND k.done_at IS NULL AND k.closed_at IS NULL",
        journal.condition()
    );
    let row = sqlx::query(&sql)
        .bind(institution.0)
        .bind(journal.id())
        .fetch_one(ex)
        .await?;
    Ok(row.try_get("n")?)
}

/// A finding not yet closed, with the teacher who must act on it and the journal's name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assigned {
    #[serde(flatten)]
    pub check: Check,
    pub journal_name: String,
    pub teacher_id: PersonId,
    pub teacher_given: String,
    pub teacher_family: String,
}

/// Every finding not yet closed, once per teacher of its journal (a course's teachers, a group's
/// teachers); only `teacher`'s when given.
pub async fn unclosed<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    teacher: Option<PersonId>,
) -> Result<Vec<Assigned>> {
    let sql = format!(
        "SELECT {CHECK_COLUMNS}, t.person_id AS teacher_id, tp.given_name AS teacher_given, tp.family_name AS teacher_family, \
           j.name AS journal_name \
         FROM {CHECK_FROM} JOIN courses j ON j.id = k.course_id JOIN course_teachers t ON t.course_id = k.course_id \
         JOIN persons tp ON tp.id = t.person_id \
         WHERE k.institution_id = $1 AND k.closed_at IS NULL AND ($2 = 0 OR t.person_id = $2) \
         UNION ALL \
         SELECT {CHECK_COLUMNS}, t.person_id AS teacher_id, tp.given_name AS teacher_given, tp.family_name AS teacher_family, \
           j.name AS journal_name \
         FROM {CHECK_FROM} JOIN classes j ON j.id = k.class_id JOIN class_tutors t ON t.class_id = k.class_id \
         JOIN persons tp ON tp.id = t.person_id \
         WHERE k.institution_id = $1 AND k.course_id IS NULL AND k.closed_at IS NULL AND ($2 = 0 OR t.person_id = $2)"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(teacher.map_or(0, |p| p.0))
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Assigned {
                check: check_from_row(r)?,
                journal_name: r.try_get("journal_name")?,
                teacher_id: PersonId(r.try_get("teacher_id")?),
                teacher_given: r.try_get("teacher_given")?,
                teacher_family: r.try_get("teacher_family")?,
            })
        })
        .collect()
}

/// The teacher marks an open finding done. False when it was not open (nothing changed).
pub async fn mark_done<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    id: i64,
    answer: &str,
    by: PersonId,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE journal_checks SET answer = $3, done_by = $4, done_at = $5 \
         WHERE institution_id = $1 AND id = $2 AND done_at IS NULL AND closed_at IS NULL",
    )
    .bind(institution.id().0)
    .bind(id)
    .bind(answer)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The administration closes a finding that is not closed. False when it was closed already.
pub async fn close<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    id: i64,
    by: PersonId,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE journal_checks SET closed_by = $3, closed_at = $4 WHERE institution_id = $1 AND id = $2 AND closed_at IS NULL",
    )
    .bind(institution.id().0)
    .bind(id)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The administration reopens a finding marked done or closed: the teacher must correct it again.
/// The earlier answer stays until the next one replaces it. False when it was open already.
pub async fn reopen<'e>(ex: impl Executor<'e, Database = Any>, institution: Tenant, id: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE journal_checks SET done_by = NULL, done_at = NULL, closed_by = NULL, closed_at = NULL \
         WHERE institution_id = $1 AND id = $2 AND (done_at IS NOT NULL OR closed_at IS NOT NULL)",
    )
    .bind(institution.id().0)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The current value of every finding as the history keys it (`check:<id>`), for `history::verify`.
pub async fn history_values(pool: &sqlx::AnyPool, institution: InstitutionId) -> Result<HashMap<String, String>> {
    let sql = format!("SELECT {CHECK_COLUMNS} FROM {CHECK_FROM} WHERE k.institution_id = $1");
    let mut out = HashMap::new();
    for r in sqlx::query(&sql).bind(institution.0).fetch_all(pool).await? {
        let c = check_from_row(&r)?;
        out.insert(Item::Check(c.id).to_string(), c.history_value());
    }
    Ok(out)
}
