//! Locking a school year that has ended (R28), and the deputies' consents that let one teacher
//! change one course or group of a locked year, with a reason, for a few days. Every journal write
//! to a course of a locked year goes through [`change_reason`]: without a consent it is refused,
//! with one the consent's reason is recorded with each change.

use crate::auth::Session;
use crate::{App, AppError};
use klade_domain::{policy, Action, ClassId, CourseId, InstitutionId, PersonId, Scope};
use klade_store::year_lock::{self as store, Consent, NewConsent, Year};

/// How long a consent lasts at most.
pub const MAX_DAYS: i64 = 30;

/// A course write in a locked year needs a consent; returns its reason (None when not locked).
pub async fn change_reason(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    course: CourseId,
) -> Result<Option<String>, AppError> {
    let db = app.db.pool();
    if !store::course_locked(db, institution, course).await? {
        return Ok(None);
    }
    match store::consent(db, institution, session.person, course, app.today()).await? {
        Some(reason) => Ok(Some(reason)),
        None => Err(AppError::invalid("date", "year.locked")),
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Years {
    pub years: Vec<Year>,
    pub consents: Vec<Consent>,
    pub may_lock: bool,
    pub may_consent: bool,
    /// For one who consents: the journals of the locked years, and the teachers who may be let
    /// change one.
    pub journals: Vec<LockedJournal>,
    pub teachers: Vec<crate::setup::Teacher>,
}

/// A journal of a locked year, for a consent to name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LockedJournal {
    /// `course:{id}`, or `group:{id}` for a preschool group's journal.
    pub key: String,
    /// "year · class subject", or "year · group".
    pub name: String,
}

pub async fn years(app: &App, session: &Session, institution: InstitutionId) -> Result<Years, AppError> {
    let scope = Scope::Institution(institution);
    let may_lock = policy::authorize(&session.actor, Action::LockYear, scope).is_ok();
    let may_consent = policy::authorize(&session.actor, Action::CheckJournals, scope).is_ok();
    if !may_lock && !may_consent {
        policy::authorize(&session.actor, Action::LockYear, scope)?;
    }
    let db = app.db.pool();
    let years = store::years(db, institution).await?;
    let mut journals = Vec::new();
    let mut teachers = Vec::new();
    if may_consent {
        for year in years.iter().filter(|y| y.locked_at.is_some()) {
            for c in klade_store::journal::courses_for(db, institution, PersonId(0), year.starts_on, true).await? {
                let class = c.class_name.clone().unwrap_or_default();
                journals.push(LockedJournal {
                    key: format!("course:{}", c.id.0),
                    name: format!("{} · {class} {}", year.name, c.name),
                });
            }
            // A preschool group's journal is kept by the group, not by courses.
            for g in klade_store::school::classes_of(db, institution, year.starts_on)
                .await?
                .into_iter()
                .filter(|g| g.kind == klade_domain::ClassKind::Group)
            {
                journals.push(LockedJournal {
                    key: format!("group:{}", g.id.0),
                    name: format!("{} · {}", year.name, g.name),
                });
            }
        }
        let today = app.today();
        for role in [klade_domain::Role::Teacher, klade_domain::Role::PreschoolTeacher] {
            teachers.extend(
                klade_store::accounts::people_with_role(db, institution, role, today)
                    .await?
                    .into_iter()
                    .map(crate::setup::Teacher::from),
            );
        }
    }
    Ok(Years {
        consents: store::consents(db, institution).await?,
        years,
        may_lock,
        may_consent,
        journals,
        teachers,
    })
}

/// Locks a school year that has ended.
pub async fn lock(app: &App, session: &Session, institution: InstitutionId, year: &str) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::LockYear, Scope::Institution(institution))?;
    let db = app.db.pool();
    let y = store::years(db, institution)
        .await?
        .into_iter()
        .find(|y| y.name == year)
        .ok_or(AppError::invalid("year", "archive.no_year"))?;
    if y.ends_on >= app.today() {
        return Err(AppError::invalid("year", "year.not_ended"));
    }
    store::lock(db, permit.tenant(), y.id, session.person, app.now()).await?;
    Ok(())
}

pub struct ConsentInput {
    pub institution: InstitutionId,
    pub teacher: PersonId,
    pub course: Option<CourseId>,
    pub class: Option<ClassId>,
    pub reason: String,
    pub days: i64,
}

/// A deputy lets a teacher change a course or group of a locked year (R22.2, R28).
pub async fn consent(app: &App, session: &Session, input: ConsentInput) -> Result<i64, AppError> {
    let inst = input.institution;
    policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(inst))?;
    let db = app.db.pool();
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "journal.reason_required"));
    }
    if !(1..=MAX_DAYS).contains(&input.days) {
        return Err(AppError::invalid("days", "year.days"));
    }
    let year = match (input.course, input.class) {
        (Some(c), _) => {
            klade_store::journal::course(db, inst, c)
                .await?
                .ok_or(AppError::NotFound)?
                .school_year_id
        }
        (None, Some(c)) => {
            klade_store::school::class(db, inst, c)
                .await?
                .ok_or(AppError::NotFound)?
                .1
        }
        (None, None) => return Err(AppError::invalid("course", "error.required")),
    };
    let locked = store::years(db, inst)
        .await?
        .into_iter()
        .any(|y| y.id == year && y.locked_at.is_some());
    if !locked {
        return Err(AppError::invalid("course", "year.not_locked"));
    }
    let roles = klade_store::messages::roles_of(db, inst, input.teacher, app.today()).await?;
    if !roles
        .iter()
        .any(|r| matches!(r, klade_domain::Role::Teacher | klade_domain::Role::PreschoolTeacher))
    {
        return Err(AppError::invalid("teacher", "year.not_a_teacher"));
    }
    let today = app.today();
    let until = today
        .checked_add(jiff::Span::new().days(input.days))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(store::insert_consent(
        db,
        &NewConsent {
            institution: inst,
            year,
            course: input.course,
            class: if input.course.is_some() { None } else { input.class },
            teacher: input.teacher,
            reason,
            by: session.person,
            now: app.now(),
            valid_until: until,
        },
    )
    .await?)
}
