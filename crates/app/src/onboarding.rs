//! Starting to use Klade (R4, R7, R9, R15, J6, J7, J36): the institution's rules and privacy
//! notice, each user's acknowledgement of the rules with instructions for their role, the head's
//! list of who has not acknowledged, the director's appointment of the superuser by order, and a
//! parent's own choice of username.

use crate::auth::{normalize_username, Session};
use crate::{App, AppError};
use klade_domain::personal_code::looks_like_personal_code;
use klade_domain::{policy, Action, InstitutionId, PersonId, Role, Scope};
use klade_store::accounts::{self, Basis};
use klade_store::institutions::{self, Institution};
use klade_store::StoreError;

/// Rules the person has yet to acknowledge, with the roles they hold there (for the instructions).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pending {
    pub institution: Institution,
    pub roles: Vec<Role>,
}

pub async fn pending(app: &App, session: &Session) -> Result<Vec<Pending>, AppError> {
    let done = institutions::acknowledged(app.db.pool(), session.person).await?;
    let mut out = Vec::new();
    for id in session.actor.institutions() {
        let Some(inst) = crate::home::kept_or_none(app, session, id).await? else {
            continue;
        };
        // Version 0 is "no rules yet": the first login still shows the role's instructions once.
        if !done.contains(&(id, inst.rules_version)) {
            out.push(Pending {
                roles: session.actor.roles_in(id),
                institution: (*inst).clone(),
            });
        }
    }
    Ok(out)
}

pub async fn acknowledge(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    version: i64,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::ViewInstitution, Scope::Institution(institution))?;
    let inst = institutions::get(app.db.pool(), permit.institution())
        .await?
        .ok_or(AppError::NotFound)?;
    if inst.rules_version != version {
        // The rules changed while they were being read: the new ones must be read first.
        return Err(AppError::invalid("version", "rules.changed"));
    }
    institutions::acknowledge(app.db.pool(), permit.tenant(), session.person, version, app.now()).await?;
    Ok(())
}

fn may_set_rules(session: &Session, institution: InstitutionId) -> Result<klade_domain::Permit, AppError> {
    let scope = Scope::Institution(institution);
    Ok(policy::authorize(&session.actor, Action::ManageAccounts, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::AppointSuperuser, scope))?)
}

/// The rules page: the institution, and who has not acknowledged its rules yet.
pub async fn rules(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<(Institution, Vec<(PersonId, String, String)>), AppError> {
    let permit = may_set_rules(session, institution)?;
    let inst = institutions::get(app.db.pool(), permit.institution())
        .await?
        .ok_or(AppError::NotFound)?;
    let missing = if inst.rules_version > 0 {
        institutions::not_acknowledged(app.db.pool(), inst.id, inst.rules_version, app.today()).await?
    } else {
        Vec::new()
    };
    Ok((inst, missing))
}

pub async fn set_rules(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    processor: &str,
    rules: &str,
) -> Result<(), AppError> {
    let permit = may_set_rules(session, institution)?;
    if processor.trim().is_empty() {
        return Err(AppError::invalid("data_processor", "error.required"));
    }
    institutions::set_rules(app.db.pool(), permit.tenant(), processor.trim(), rules.trim()).await?;
    Ok(())
}

/// The staff the reader may appoint superuser (the director, R4); `None` for anyone else.
pub async fn appointable(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Option<Vec<(PersonId, String)>>, AppError> {
    if !session
        .actor
        .may(Action::AppointSuperuser, Scope::Institution(institution))
    {
        return Ok(None);
    }
    let staff = accounts::employees(app.db.pool(), institution, app.today()).await?;
    Ok(Some(staff.into_iter().map(|e| (e.person_id, e.name)).collect()))
}

/// The director appoints a member of staff superuser by an order (R4).
pub async fn appoint_superuser(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
    order_number: &str,
    order_date: &str,
) -> Result<(), AppError> {
    let permit = policy::authorize(
        &session.actor,
        Action::AppointSuperuser,
        Scope::Institution(institution),
    )?;
    let inst = permit.institution();
    let today = app.today();
    let staff = accounts::employees(app.db.pool(), inst, today).await?;
    if !staff.iter().any(|e| e.person_id == person) {
        return Err(AppError::invalid("person", "rules.not_staff"));
    }
    if order_number.trim().is_empty() {
        return Err(AppError::invalid("order_number", "error.required"));
    }
    let date: jiff::civil::Date = order_date
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("order_date", "error.date"))?;
    let holds = accounts::holdings(app.db.pool(), person, today).await?;
    if holds
        .grants
        .iter()
        .any(|g| g.institution == inst && g.role == Role::Superuser)
    {
        return Err(AppError::Conflict("rules.already_superuser"));
    }
    accounts::add_membership(
        app.db.pool(),
        permit.tenant(),
        person,
        Role::Superuser,
        date,
        &Basis::Order {
            number: order_number.trim(),
            date,
        },
        app.now(),
    )
    .await?;
    Ok(())
}

/// A parent chooses their own username instead of the personal code (R9).
pub async fn choose_username(app: &App, session: &Session, wanted: &str) -> Result<String, AppError> {
    if !session.actor.grants.iter().any(|g| g.role == Role::Parent) {
        return Err(AppError::Forbidden(klade_domain::Denied {
            action: Action::EditOwnContacts,
            scope: Scope::Institution(
                session
                    .actor
                    .institutions()
                    .first()
                    .copied()
                    .unwrap_or(InstitutionId(0)),
            ),
        }));
    }
    let name = chosen_username(wanted)?;
    accounts::set_username(app.db.pool(), session.account, &name)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("accounts.username_taken"),
            e => e.into(),
        })?;
    Ok(name)
}

/// A username a person chooses, as kept: 3–40 letters, digits, dots, dashes or underscores, and
/// not a personal code (R9 keeps those for the usernames the institution gives).
pub fn chosen_username(wanted: &str) -> Result<String, AppError> {
    let name = normalize_username(wanted);
    let ok = (3..=40).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !looks_like_personal_code(&name);
    if ok {
        Ok(name)
    } else {
        Err(AppError::invalid("username", "username.rules"))
    }
}

/// Sends every parent of a class, by SMS, the invitation to read the instructions and the
/// institution's rules in Klade (R7, J6). Answers (sent, parents without a phone).
pub async fn inform_parents(
    app: &App,
    session: &Session,
    class: klade_domain::ClassId,
) -> Result<(usize, usize), AppError> {
    let db = app.db.pool();
    let inst = klade_store::school::class_institution(db, class)
        .await?
        .ok_or(AppError::NotFound)?;
    let permit = policy::authorize(
        &session.actor,
        Action::InformParents,
        Scope::Class {
            institution: inst,
            class,
        },
    )?;
    let inst = permit.institution();
    let institution = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?;
    let today = app.today();
    let students = klade_store::journal::class_students(db, inst, class, today).await?;
    let mut parents = Vec::new();
    for l in &students {
        for p in klade_store::people::parents(db, inst, l.id).await? {
            if !parents.iter().any(|x: &klade_store::people::Person| x.id == p.id) {
                parents.push(p);
            }
        }
    }
    let text = format!(
        "Klade: {} aicina iepazīties ar e-klases lietošanas instrukciju un iestādes noteikumiem. \
         Piesakieties ar savu lietotājvārdu un apstipriniet noteikumus sākumlapā.",
        institution.name
    );
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let (mut sent, mut without) = (0, 0);
    for p in &parents {
        match p.phone.as_deref().map(crate::sms::normalize_phone) {
            Some(Ok(phone)) => {
                crate::sms::queue(&mut tx, Some(inst), Some(p.id), &phone, &text, now).await?;
                sent += 1;
            }
            _ => without += 1,
        }
    }
    tx.commit().await?;
    Ok((sent, without))
}

/// Whether parents may be told of their children's events by SMS (it costs the institution).
pub async fn sms_notifications(app: &App, session: &Session, institution: InstitutionId) -> Result<bool, AppError> {
    let permit = may_set_rules(session, institution)?;
    Ok(klade_store::notifications::sms_allowed(app.db.pool(), permit.institution()).await?)
}

pub async fn set_sms_notifications(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    allowed: bool,
) -> Result<(), AppError> {
    let permit = may_set_rules(session, institution)?;
    klade_store::notifications::set_sms_allowed(app.db.pool(), permit.tenant(), allowed).await?;
    Ok(())
}
