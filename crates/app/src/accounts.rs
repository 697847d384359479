//! Staff accounts (R8–R11, J34, J35): the superuser creates them, with a generated password sent by
//! SMS; a new password the same way (in a preschool the deputy head too); blocking an account for
//! shared credentials, with the reason. The list shows who is still without an account a week
//! after starting work.

use crate::auth::{generate_password, hash_password, normalize_username, Session};
use crate::{sms, App, AppError};
use jiff::civil::Date;
use klade_domain::{policy, Action, InstitutionId, PersonId, Scope};
use klade_store::accounts::{self, Employee};
use klade_store::{people, sessions, StoreError};

/// An employee and whether their account is overdue (R8: within one week of starting work).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffLine {
    pub employee: Employee,
    pub overdue: bool,
    /// The reader may issue this person a password (and, as superuser, block them or reset their
    /// second factor): they outrank every right the person holds (`policy::may_manage`).
    pub reachable: bool,
}

/// The staff list with what the reader may do with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Staff {
    pub lines: Vec<StaffLine>,
    /// Makes accounts and blocks them (the superuser).
    pub manage: bool,
    /// Reads who looked at whose data.
    pub show_log: bool,
}

pub async fn staff(app: &App, session: &Session, institution: InstitutionId) -> Result<Staff, AppError> {
    let permit = policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))
        .or_else(|_| policy::authorize(&session.actor, Action::IssuePassword, Scope::Institution(institution)))?;
    let today = app.today();
    let week_ago = today.checked_sub(jiff::Span::new().days(7)).unwrap_or(today);
    let list = accounts::employees(app.db.pool(), permit.institution(), today).await?;
    let mut lines = Vec::with_capacity(list.len());
    for e in list {
        let held = accounts::roles_held(app.db.pool(), e.person_id).await?;
        let scope = Scope::Student {
            institution: permit.institution(),
            student: e.person_id,
            class: None,
        };
        let reachable = [Action::IssuePassword, Action::ManageAccounts]
            .into_iter()
            .any(|a| policy::may_manage(&session.actor, a, scope, &held).is_ok());
        lines.push(StaffLine {
            overdue: e.username.is_none() && e.employed_from <= week_ago,
            reachable,
            employee: e,
        });
    }
    let scope = Scope::Institution(permit.institution());
    Ok(Staff {
        lines,
        manage: session.actor.may(Action::ManageAccounts, scope),
        show_log: session.actor.may(Action::ViewAccessLog, scope),
    })
}

async fn employee_in(app: &App, institution: InstitutionId, person: PersonId) -> Result<Employee, AppError> {
    accounts::employees(app.db.pool(), institution, app.today())
        .await?
        .into_iter()
        .find(|e| e.person_id == person)
        .ok_or(AppError::NotFound)
}

/// The permit to `action` (a password, a block) on `person`: the action is the actor's in the
/// institution and the person is within their reach (`policy::may_manage`).
async fn manage(
    app: &App,
    session: &Session,
    action: Action,
    institution: InstitutionId,
    person: PersonId,
) -> Result<policy::Permit, AppError> {
    let scope = Scope::Student {
        institution,
        student: person,
        class: None,
    };
    let held = accounts::roles_held(app.db.pool(), person).await?;
    Ok(policy::may_manage(&session.actor, action, scope, &held)?)
}

/// How long a contact set by someone other than its holder or a superuser is not trusted with a
/// password.
const UNCONFIRMED_CONTACT_SECS: i64 = 7 * 24 * 3600;

/// The phone a generated password may go to: the person's, unless someone else than the person
/// or a superuser changed it in the last seven days.
async fn phone_for_password(app: &App, person: &people::Person) -> Result<String, AppError> {
    let phone = person
        .phone
        .as_deref()
        .ok_or(AppError::invalid("phone", "accounts.no_phone"))?;
    let (changed_at, confirmed) = people::contacts_state(app.db.pool(), person.id).await?;
    if !confirmed && changed_at.is_some_and(|at| app.now() - at < UNCONFIRMED_CONTACT_SECS) {
        return Err(AppError::invalid("phone", "accounts.phone_unconfirmed"));
    }
    sms::normalize_phone(phone)
}

fn sms_text(username: &str, password: &str) -> String {
    format!("Klade: lietotājvārds: {username}, parole: {password} Pirmajā pieteikšanās reizē parole jānomaina.")
}

/// Creates an employee's account: the username is the personal code unless one is chosen, the
/// password is generated and goes only by SMS to the person's phone.
pub async fn create(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
    username: Option<&str>,
) -> Result<String, AppError> {
    // A first account changes no one's credentials; the password goes to a phone only its holder,
    // a superuser or (for seven days not trusted) one who outranks the person could have set.
    let permit = policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))?;
    let inst = permit.institution();
    let employee = employee_in(app, inst, person).await?;
    if employee.username.is_some() {
        return Err(AppError::Conflict("accounts.exists"));
    }
    let record = people::get(app.db.pool(), person).await?.ok_or(AppError::NotFound)?;
    let phone = phone_for_password(app, &record).await?;
    let username = match username.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => normalize_username(u),
        None => record
            .personal_code
            .clone()
            .ok_or(AppError::invalid("username", "accounts.username_needed"))?,
    };
    let password = generate_password()?;
    let hash = hash_password(&password)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    accounts::insert(&mut *tx, person, &username, &hash, true, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("accounts.username_taken"),
            e => e.into(),
        })?;
    sms::queue(
        &mut tx,
        Some(inst),
        Some(person),
        &phone,
        &sms_text(&username, &password),
        now,
    )
    .await?;
    klade_store::access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        person,
        "change",
        "account created",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(username)
}

/// A new generated password by SMS (R10, J35); the old password and every session stop working.
pub async fn issue_password(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
) -> Result<(), AppError> {
    policy::authorize(&session.actor, Action::IssuePassword, Scope::Institution(institution))?;
    let holds = accounts::holdings(app.db.pool(), person, app.today()).await?;
    if !holds.grants.iter().any(|g| g.institution == institution) {
        return Err(AppError::NotFound);
    }
    let permit = manage(app, session, Action::IssuePassword, institution, person).await?;
    let inst = permit.institution();
    let account = accounts::by_person(app.db.pool(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = people::get(app.db.pool(), person).await?.ok_or(AppError::NotFound)?;
    let phone = phone_for_password(app, &record).await?;
    let password = generate_password()?;
    let hash = hash_password(&password)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    accounts::set_password(&mut *tx, account.id, &hash, true).await?;
    sessions::delete_all(&mut *tx, account.id).await?;
    sms::queue(
        &mut tx,
        Some(inst),
        Some(person),
        &phone,
        &sms_text(&account.username, &password),
        now,
    )
    .await?;
    klade_store::access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        person,
        "change",
        "new password",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Blocks an account with a reason (R11: shared or borrowed credentials); its sessions end at once.
/// With `reason` None, unblocks it.
pub async fn set_blocked(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
    reason: Option<&str>,
) -> Result<(), AppError> {
    policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))?;
    let holds = accounts::holdings(app.db.pool(), person, app.today()).await?;
    if !holds.grants.iter().any(|g| g.institution == institution) {
        return Err(AppError::NotFound);
    }
    if person == session.person {
        return Err(AppError::invalid("person", "accounts.not_self"));
    }
    let permit = manage(app, session, Action::ManageAccounts, institution, person).await?;
    let inst = permit.institution();
    let account = accounts::by_person(app.db.pool(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    match reason.map(str::trim) {
        Some("") => return Err(AppError::invalid("reason", "error.required")),
        Some(r) => {
            accounts::set_blocked(&mut *tx, account.id, Some((r, session.person, now))).await?;
            sessions::delete_all(&mut *tx, account.id).await?;
            klade_store::access_log::record(
                &mut *tx,
                Some(inst),
                session.person,
                person,
                "change",
                &format!("blocked: {r}"),
                now,
            )
            .await?;
        }
        None => {
            accounts::set_blocked(&mut *tx, account.id, None).await?;
            klade_store::access_log::record(&mut *tx, Some(inst), session.person, person, "change", "unblocked", now)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The outbox of an institution's text messages, for its superuser.
pub async fn outbox(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Vec<klade_store::sms::Message>, AppError> {
    let permit = policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))?;
    Ok(klade_store::sms::list(app.db.pool(), Some(permit.institution()), 200).await?)
}

/// Employment ends (R11): every staff right of the person in the institution ends on `last_day`.
/// Nothing is deleted; from the next day the account holds nothing here and its sessions stop.
pub async fn end_employment(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
    last_day: &str,
) -> Result<(), AppError> {
    policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))?;
    let employee = employee_in(app, institution, person).await?;
    if person == session.person {
        return Err(AppError::invalid("person", "accounts.not_self"));
    }
    // Employment here ends by one who outranks what the person holds here.
    let scope = Scope::Student {
        institution,
        student: person,
        class: None,
    };
    let here: Vec<_> = accounts::roles_held(app.db.pool(), person)
        .await?
        .into_iter()
        .filter(|(i, _)| *i == institution)
        .collect();
    let permit = policy::may_manage(&session.actor, Action::ManageAccounts, scope, &here)?;
    let inst = permit.institution();
    let day: Date = last_day
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("last_day", "error.date"))?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    for code in &employee.roles {
        if let Some(role) = klade_domain::Role::from_code(code).filter(|r| r.is_staff()) {
            accounts::end_memberships(&mut *tx, permit.tenant(), person, role, day).await?;
        }
    }
    klade_store::access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        person,
        "change",
        &format!("employment ended {day}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The institution's e-mail outbox, for its superuser.
pub async fn email_outbox(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Vec<klade_store::notifications::Email>, AppError> {
    let permit = policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution))?;
    Ok(klade_store::notifications::emails(app.db.pool(), permit.institution(), 200).await?)
}
