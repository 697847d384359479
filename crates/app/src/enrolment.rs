//! Admissions, transfers and exits (R6, R11, R16, R17): the clerk enters each by the director's
//! order (number and date); a student's classes are kept as a history of enrolments. An exit ends
//! the student's rights, and their parents' unless another child keeps them in the institution.

use crate::auth::Session;
use crate::people::{apply, RecordInput};
use crate::{sms, App, AppError};
use jiff::civil::Date;
use klade_domain::{policy, Action, ClassId, InstitutionId, PersonId, Role, Scope};
use klade_store::accounts::{self, Basis};
use klade_store::school::{self, Enrolment};
use klade_store::{access_log, people};

/// The director's order a change rests on.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Order {
    pub order_number: String,
    pub order_date: String,
    /// The day the change takes effect.
    pub from: String,
}

struct Checked {
    number: String,
    date: Date,
    from: Date,
}

fn check(order: &Order) -> Result<Checked, AppError> {
    let number = order.order_number.trim();
    if number.is_empty() {
        return Err(AppError::invalid("order_number", "error.required"));
    }
    let date: Date = order
        .order_date
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("order_date", "error.date"))?;
    let from: Date = order
        .from
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("from", "error.date"))?;
    Ok(Checked {
        number: number.to_string(),
        date,
        from,
    })
}

async fn class_in(app: &App, institution: InstitutionId, class: ClassId) -> Result<String, AppError> {
    school::class(app.db.pool(), institution, class)
        .await?
        .map(|(name, _)| name)
        .ok_or(AppError::invalid("class", "enrolment.class"))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Admission {
    #[serde(flatten)]
    pub record: RecordInput,
    #[serde(flatten)]
    pub order: Order,
    pub phone: String,
}

/// Admits a student to a class (mid-year, R17). A person already known by their personal code is
/// the same person (they may come from another institution); one already enrolled here is refused.
pub async fn admit(app: &App, session: &Session, class: ClassId, input: &Admission) -> Result<PersonId, AppError> {
    let institution = school::class_institution(app.db.pool(), class)
        .await?
        .ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnrolStudents, Scope::Institution(institution))?;
    let inst = permit.institution();
    class_in(app, inst, class).await?;
    let order = check(&input.order)?;
    let mut person = people::Person {
        id: PersonId(0),
        given_name: String::new(),
        family_name: String::new(),
        personal_code: None,
        birth_date: None,
        gender: None,
        phone: None,
        email: None,
        address_declared: None,
        address_actual: None,
        document_number: None,
        document_issuer: None,
        document_date: None,
        previous_programme: None,
    };
    apply(&input.record, &mut person)?;
    person.phone = match input.phone.trim() {
        "" => None,
        p => Some(sms::normalize_phone(p)?),
    };
    let db = app.db.pool();
    let existing = match &person.personal_code {
        Some(code) => people::find_by_personal_code(db, code).await?,
        None => None,
    };
    if let Some(known) = &existing {
        // The code is someone's: the names typed must be theirs, or nothing is written — and
        // nothing about them is said.
        if !people::same_name(known, &person.given_name, &person.family_name) {
            return Err(AppError::invalid("personal_code", "person.code_name_conflict"));
        }
        let here = school::enrolments_of(db, inst, known.id).await?;
        if here.iter().any(|e| e.valid_to.is_none_or(|t| t >= order.from)) {
            return Err(AppError::Conflict("enrolment.already"));
        }
    }
    let now = app.now();
    let from = order.from;
    let mut tx = app.db.begin().await?;
    let id = match existing {
        // A person already known is linked: what they and other institutions keep stays as it is
        // (their contacts change through the contacts form and its rules).
        Some(known) => known.id,
        None => {
            people::insert(
                &mut *tx,
                &people::NewPerson {
                    given_name: &person.given_name,
                    family_name: &person.family_name,
                    personal_code: person.personal_code.as_deref(),
                    birth_date: person.birth_date,
                    gender: person.gender.as_deref(),
                    phone: person.phone.as_deref(),
                    email: None,
                },
                now,
            )
            .await?
        }
    };
    person.id = id;
    people::set_details(&mut *tx, permit.tenant(), &person).await?;
    accounts::add_membership(
        &mut *tx,
        permit.tenant(),
        id,
        Role::Student,
        from,
        &Basis::Order {
            number: &order.number,
            date: order.date,
        },
        now,
    )
    .await?;
    school::enrol(
        &mut *tx,
        permit.tenant(),
        &Enrolment {
            class,
            student: id,
            valid_from: from,
            order_number: &order.number,
            order_date: order.date,
            reason: "uzņemšana",
        },
        now,
    )
    .await?;
    access_log::record(&mut *tx, Some(inst), session.person, id, "change", "admitted", now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves a student to another class from a date (*pārcelšana*); the old enrolment ends the day
/// before and stays in the history.
pub async fn transfer(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    student: PersonId,
    to: ClassId,
    order: &Order,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::EnrolStudents, Scope::Institution(institution))?;
    let inst = permit.institution();
    class_in(app, inst, to).await?;
    let order = check(order)?;
    let from = order.from;
    let current = current_enrolment(app, inst, student, from).await?;
    if current.class_id == to {
        return Err(AppError::invalid("class", "enrolment.same_class"));
    }
    let day_before = order.from.yesterday().unwrap_or(from);
    let now = app.now();
    let mut tx = app.db.begin().await?;
    school::end_enrolment(
        &mut *tx,
        permit.tenant(),
        current.id,
        day_before,
        (&order.number, order.date, "pārcelšana"),
    )
    .await?;
    school::enrol(
        &mut *tx,
        permit.tenant(),
        &Enrolment {
            class: to,
            student,
            valid_from: from,
            order_number: &order.number,
            order_date: order.date,
            reason: "pārcelšana",
        },
        now,
    )
    .await?;
    access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        student,
        "change",
        "transferred",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn current_enrolment(
    app: &App,
    institution: InstitutionId,
    student: PersonId,
    on: Date,
) -> Result<school::EnrolmentLine, AppError> {
    school::enrolments_of(app.db.pool(), institution, student)
        .await?
        .into_iter()
        .find(|e| e.valid_from <= on && e.valid_to.is_none_or(|t| t >= on))
        .ok_or(AppError::invalid("student", "enrolment.not_enrolled"))
}

/// A student leaves (*atskaitīšana*: expulsion, graduation, moving away) on the order's day: the
/// enrolment and the student's rights end that day, and each parent's too unless another of their
/// children is still enrolled here. Nothing is deleted; their journal stays.
pub async fn exit(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    student: PersonId,
    order: &Order,
    reason: &str,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::EnrolStudents, Scope::Institution(institution))?;
    let inst = permit.institution();
    let order = check(order)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "error.required"));
    }
    let last = order.from;
    let current = current_enrolment(app, inst, student, last).await?;
    let parents = people::parents(app.db.pool(), inst, student).await?;
    let mut parents_leaving = Vec::new();
    for p in &parents {
        if school::other_children_enrolled(app.db.pool(), inst, p.id, student, order.from).await? == 0 {
            parents_leaving.push(p.id);
        }
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    school::end_enrolment(
        &mut *tx,
        permit.tenant(),
        current.id,
        last,
        (&order.number, order.date, reason),
    )
    .await?;
    accounts::end_memberships(&mut *tx, permit.tenant(), student, Role::Student, last).await?;
    for p in parents_leaving {
        accounts::end_memberships(&mut *tx, permit.tenant(), p, Role::Parent, last).await?;
    }
    let detail = format!("left: {reason} ({} {})", order.number, order.date);
    access_log::record(&mut *tx, Some(inst), session.person, student, "change", &detail, now).await?;
    tx.commit().await?;
    Ok(())
}
