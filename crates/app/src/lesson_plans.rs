//! Lesson planning: a teacher's thematic plan for a course — typed one topic a line, imported
//! from a CSV or XLSX file (its first column), or copied from another course of the same subject
//! (last year's, a parallel class's) — and the topic the lesson form proposes: the plan's first
//! one no lesson of the course has had yet. Whoever reads the journal reads the plan; who keeps
//! it changes it.

use crate::auth::Session;
use crate::{App, AppError};
use klade_domain::policy::Action;
use klade_domain::CourseId;
use klade_store::lesson_plans as store;
pub use klade_store::lesson_plans::Source;

/// The most topics a plan holds (a year of daily lessons) and the longest topic, in characters.
pub const MAX_TOPICS: usize = 400;
pub const MAX_TOPIC: usize = 300;

/// A course's plan as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub topics: Vec<String>,
    /// How many of them lessons have had.
    pub used: usize,
    /// The topic the next lesson will be offered.
    pub next: Option<String>,
    pub sources: Vec<Source>,
    pub may_edit: bool,
}

pub async fn plan(app: &App, session: &Session, course: CourseId) -> Result<Plan, AppError> {
    let (c, _) = crate::journal::open(app, session, course, Action::ViewJournal).await?;
    let db = app.db.pool();
    let topics = store::topics(db, c.institution_id, course).await?;
    let used = store::used(db, c.institution_id, course).await?;
    let may_edit = crate::journal::open(app, session, course, Action::KeepJournal)
        .await
        .is_ok();
    Ok(Plan {
        used: topics.iter().filter(|t| used.contains(t)).count(),
        next: topics.iter().find(|t| !used.contains(t)).cloned(),
        sources: store::sources(db, c.institution_id, course).await?,
        topics,
        may_edit,
    })
}

/// The topic to propose for the course's next lesson, if the plan has one left.
pub async fn proposal(app: &App, course: &klade_store::journal::Course) -> Result<Option<String>, AppError> {
    let db = app.db.pool();
    let used = store::used(db, course.institution_id, course.id).await?;
    Ok(store::topics(db, course.institution_id, course.id)
        .await?
        .into_iter()
        .find(|t| !used.contains(t)))
}

/// The topics of a text, one a line (blank lines dropped), within the plan's bounds.
fn topics_of<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Vec<String>, AppError> {
    let topics: Vec<String> = lines
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if topics.len() > MAX_TOPICS {
        return Err(AppError::invalid("topics", "lesson_plan.too_many"));
    }
    if topics.iter().any(|t| t.chars().count() > MAX_TOPIC) {
        return Err(AppError::invalid("topics", "lesson_plan.too_long"));
    }
    Ok(topics)
}

async fn replace(app: &App, session: &Session, course: CourseId, topics: &[String]) -> Result<usize, AppError> {
    let (_, permit) = crate::journal::open(app, session, course, Action::KeepJournal).await?;
    let mut tx = app.db.begin().await?;
    store::replace(&mut tx, permit.tenant(), course, topics).await?;
    tx.commit().await?;
    Ok(topics.len())
}

/// Saves the plan as typed, one topic a line; returns how many topics it holds.
pub async fn save(app: &App, session: &Session, course: CourseId, text: &str) -> Result<usize, AppError> {
    let topics = topics_of(text.lines())?;
    replace(app, session, course, &topics).await
}

/// Takes the plan from a CSV or XLSX file's first column (a heading row first, as every table
/// Klade reads); returns how many topics it holds. A file that does not read changes nothing.
pub async fn import(app: &App, session: &Session, course: CourseId, bytes: &[u8]) -> Result<usize, AppError> {
    let table = klade_docs::read_table(bytes).map_err(|_| AppError::invalid("file", "lesson_plan.bad_file"))?;
    let topics = topics_of(table.rows.iter().map(|r| r.first().map_or("", String::as_str)))?;
    if topics.is_empty() {
        return Err(AppError::invalid("file", "lesson_plan.empty_file"));
    }
    replace(app, session, course, &topics).await
}

/// Copies another course's plan (one the person may read, of the same subject and institution).
pub async fn copy(app: &App, session: &Session, course: CourseId, from: CourseId) -> Result<usize, AppError> {
    let (c, _) = crate::journal::open(app, session, course, Action::KeepJournal).await?;
    let (source, _) = crate::journal::open(app, session, from, Action::ViewJournal).await?;
    if source.institution_id != c.institution_id || source.subject_id != c.subject_id {
        return Err(AppError::invalid("from", "lesson_plan.other_subject"));
    }
    let topics = store::topics(app.db.pool(), source.institution_id, from).await?;
    replace(app, session, course, &topics).await
}
