//! Journal checks (R22.2, R23, R24.1, R25.1, J29, "Žurnāla pārbaude"): the administration records
//! a finding about one journal — a school course's or a preschool group's — in its field; the
//! journal's teacher answers and marks it corrected; the administration closes it or reopens it.
//! Each teacher has the list of their findings not yet closed; the administration has everyone's.
//!
//! Findings are journal values: each step is written to the history chain in the same
//! transaction (`check:<id>`), and `klade verify` compares them with what is stored. This module
//! renders nothing and decides no rights itself: it asks the policy.

use crate::auth::Session;
use crate::preschool_plans::required;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::journal_check::Area;
use klade_domain::journal_item::Item;
use klade_domain::{policy, Action, InstitutionId, Permit, PersonId, Scope};
use klade_store::history::{self, Change, Entry};
pub use klade_store::journal_checks::Journal;
use klade_store::journal_checks::{self as store, Assigned, Check};
use klade_store::{journal, school};

/// A journal's institution, name and scope; the caller asks the policy next.
async fn journal_of(app: &App, j: Journal) -> Result<(InstitutionId, String, Scope), AppError> {
    let db = app.db.pool();
    match j {
        Journal::Group(class) => {
            let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
            let (name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
            Ok((
                inst,
                name,
                Scope::Class {
                    institution: inst,
                    class,
                },
            ))
        }
        Journal::Course(course) => {
            let c = journal::course_anywhere(db, course).await?.ok_or(AppError::NotFound)?;
            let scope = Scope::Course {
                institution: c.institution_id,
                course,
                class: c.class_id,
            };
            Ok((c.institution_id, c.name, scope))
        }
    }
}

/// A finding with the changes of its state, oldest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckItem {
    #[serde(flatten)]
    pub check: Check,
    pub history: Vec<Entry>,
}

/// A journal's findings with their history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChecksView {
    pub journal: Journal,
    pub name: String,
    pub institution: InstitutionId,
    pub checks: Vec<CheckItem>,
    /// May record findings, close and reopen them (the administration).
    pub can_record: bool,
    /// May mark findings done (the journal's teacher).
    pub can_answer: bool,
    /// The field the reader checks, first on the form (`entries`, `content`, ...).
    pub area: &'static str,
}

/// A journal's findings, for its teachers and the administration.
pub async fn checks(app: &App, session: &Session, j: Journal) -> Result<ChecksView, AppError> {
    let (_, name, scope) = journal_of(app, j).await?;
    let permit = policy::authorize(&session.actor, Action::ViewJournal, scope)?;
    let inst = permit.institution();
    let db = app.db.pool();
    let mut list = Vec::new();
    for c in store::checks(db, inst, j).await? {
        // A journal has a handful of findings; one small query each keeps this simple.
        let history = history::entries(db, inst, &Item::Check(c.id).to_string()).await?;
        list.push(CheckItem { check: c, history });
    }
    Ok(ChecksView {
        journal: j,
        name,
        institution: inst,
        checks: list,
        can_record: session.actor.may(Action::CheckJournals, Scope::Institution(inst)),
        can_answer: session.actor.may(Action::KeepJournal, scope),
        area: own_area(session, inst).code(),
    })
}

/// The field the reader checks: the first of their administrative roles that has one.
fn own_area(session: &Session, inst: InstitutionId) -> Area {
    session
        .actor
        .roles_in(inst)
        .into_iter()
        .map(Area::of_role)
        .find(|a| *a != Area::Entries)
        .unwrap_or(Area::Entries)
}

fn today(app: &App) -> Result<Date, AppError> {
    Ok(app.today())
}

/// The administration records a finding about a journal, in one field, with an optional date
/// by which it must be corrected.
pub async fn record(
    app: &App,
    session: &Session,
    j: Journal,
    area: &str,
    finding: &str,
    due_on: &str,
) -> Result<i64, AppError> {
    let (inst, _, _) = journal_of(app, j).await?;
    let permit = policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(inst))?;
    let inst = permit.institution();
    let area = match area.trim() {
        "" => own_area(session, inst),
        a => Area::parse(a).ok_or(AppError::invalid("area", "check.bad_area"))?,
    };
    let finding = required(finding, "finding")?;
    let due = match due_on.trim() {
        "" => None,
        d => {
            let d = d
                .parse::<Date>()
                .map_err(|_| AppError::invalid("due_on", "error.date"))?;
            if d < today(app)? {
                return Err(AppError::invalid("due_on", "check.due_past"));
            }
            Some(d)
        }
    };
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut *tx,
        permit.tenant(),
        j,
        area.code(),
        &finding,
        due,
        session.person,
        now,
    )
    .await?;
    let check = store::check(&mut *tx, inst, id).await?.ok_or(AppError::NotFound)?;
    history::append(
        &mut tx,
        app.db.backend(),
        permit.tenant(),
        &[Change {
            item: Item::Check(id).to_string(),
            old: None,
            new: Some(check.history_value()),
            reason: None,
            person: session.person,
            at: now,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A change of a finding's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStep {
    /// The teacher corrected the journal, and says how.
    Done(String),
    /// The administration accepts the correction (or withdraws the finding).
    Close,
    /// The administration is not satisfied: the teacher must correct it again.
    Reopen,
}

impl CheckStep {
    /// From a form's or a path's action name.
    pub fn parse(action: &str, answer: &str) -> Result<Self, AppError> {
        match action {
            "done" => Ok(Self::Done(answer.to_string())),
            "close" => Ok(Self::Close),
            "reopen" => Ok(Self::Reopen),
            _ => Err(AppError::invalid("action", "error.bad_request")),
        }
    }
}

/// Moves a finding of a journal on; each step joins the history chain.
pub async fn change(app: &App, session: &Session, j: Journal, id: i64, step: &CheckStep) -> Result<Check, AppError> {
    let (inst, _, scope) = journal_of(app, j).await?;
    let permit: Permit = match step {
        // Marked done by whoever keeps the journal: the course's teachers, the group's teachers.
        CheckStep::Done(_) => policy::authorize(&session.actor, Action::KeepJournal, scope)?,
        CheckStep::Close | CheckStep::Reopen => {
            policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(inst))?
        }
    };
    let inst = permit.institution();
    let answer = match step {
        CheckStep::Done(a) => Some(required(a, "answer")?),
        _ => None,
    };
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let before = store::check(&mut *tx, inst, id).await?.ok_or(AppError::NotFound)?;
    if before.journal() != j {
        return Err(AppError::NotFound);
    }
    let moved = match step {
        CheckStep::Done(_) => {
            store::mark_done(
                &mut *tx,
                permit.tenant(),
                id,
                answer.as_deref().unwrap_or(""),
                session.person,
                now,
            )
            .await?
        }
        CheckStep::Close => store::close(&mut *tx, permit.tenant(), id, session.person, now).await?,
        CheckStep::Reopen => store::reopen(&mut *tx, permit.tenant(), id).await?,
    };
    if !moved {
        return Err(AppError::invalid("action", "check.state"));
    }
    let after = store::check(&mut *tx, inst, id).await?.ok_or(AppError::NotFound)?;
    history::append(
        &mut tx,
        app.db.backend(),
        permit.tenant(),
        &[Change {
            item: Item::Check(id).to_string(),
            old: Some(before.history_value()),
            new: Some(after.history_value()),
            reason: None,
            person: session.person,
            at: now,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The findings not yet closed in an institution, per teacher.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unclosed {
    pub institution: InstitutionId,
    /// The whole institution's (the administration), or only the reader's own.
    pub everyone: bool,
    /// Sorted by teacher (Latvian order), then the oldest finding first.
    pub items: Vec<Assigned>,
}

/// The administration sees every teacher's findings not yet closed; a teacher sees their own.
/// `teacher` narrows the administration's list to one teacher.
pub async fn unclosed(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    teacher: Option<PersonId>,
) -> Result<Unclosed, AppError> {
    let everyone = session
        .actor
        .may(Action::CheckJournals, Scope::Institution(institution));
    let permit = policy::authorize(&session.actor, Action::ViewInstitution, Scope::Institution(institution))?;
    let inst = permit.institution();
    let filter = if everyone { teacher } else { Some(session.person) };
    let mut items = store::unclosed(app.db.pool(), inst, filter).await?;
    items.sort_by_cached_key(|a| {
        (
            klade_domain::collate::person_key(&a.teacher_family, &a.teacher_given),
            a.teacher_id,
            a.check.id,
        )
    });
    Ok(Unclosed {
        institution: inst,
        everyone,
        items,
    })
}
