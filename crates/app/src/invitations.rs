//! Accounts for families (R9, J10–J12): staff accounts get a generated password by SMS, but
//! students and parents get an invitation — a one-time code by SMS or e-mail, or printed on a slip
//! the class takes home — with which they choose their own username and password. Codes expire
//! in two weeks; the tutor sees who has not joined yet. Who invites: whoever enters the family's
//! data (`Action::EditContacts` on the student: the tutor, the clerk, the superuser, a preschool
//! group's teacher and deputy head).

use crate::auth::{check_new_password, open_session, token_hash, LoggedIn, Session, SessionKind};
use crate::{sms, App, AppError};
use klade_domain::{policy, Action, ClassId, InstitutionId, PersonId, Scope};
use klade_store::invitations::{self as store, Member};
use klade_store::{access_log, accounts, jobs, people, school, throttle};

/// How long a code stays good.
pub const VALID_SECS: i64 = 14 * 24 * 3600;
/// Wrong codes allowed from one address within the throttling window.
const MAX_WRONG_CODES: i64 = 10;

/// A class's students and parents, for those who invite them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Families {
    pub institution: InstitutionId,
    pub class: ClassId,
    pub class_name: String,
    pub members: Vec<Member>,
}

async fn class_scope(app: &App, class: ClassId) -> Result<Scope, AppError> {
    let db = app.db.pool();
    let institution = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    Ok(Scope::Class { institution, class })
}

pub async fn families(app: &App, session: &Session, class: ClassId) -> Result<Families, AppError> {
    let scope = class_scope(app, class).await?;
    let permit = policy::authorize(&session.actor, Action::EditContacts, scope)?;
    let inst = permit.institution();
    let db = app.db.pool();
    let class_name = school::class(db, inst, class).await?.map(|c| c.0).unwrap_or_default();
    Ok(Families {
        institution: inst,
        class,
        class_name,
        members: store::class_members(db, inst, class, app.today()).await?,
    })
}

/// A code people can type: ten letters and digits without look-alikes, as `ABCDE-FGHJK`.
fn new_code() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let code: String = buf
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("{}-{}", &code[..5], &code[5..]))
}

/// A typed code as stored: capitals, without spaces and dashes.
fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The student through whom the actor reaches `person` — themselves, or a child of theirs —
/// with the class, the institution and the permit to invite them.
async fn reach(app: &App, session: &Session, person: PersonId) -> Result<(policy::Permit, ClassId), AppError> {
    let db = app.db.pool();
    let mut students = vec![person];
    students.extend(school::children_of(db, person).await?);
    let today = app.today();
    let mut denied = None;
    for p in school::placements(db, &students, today).await? {
        let scope = Scope::Student {
            institution: p.institution_id,
            student: p.student_id,
            class: Some(p.class_id),
        };
        match policy::authorize(&session.actor, Action::EditContacts, scope) {
            Ok(permit) => return Ok((permit, p.class_id)),
            Err(d) => denied = Some(d),
        }
    }
    Err(denied.map_or(AppError::NotFound, AppError::Forbidden))
}

/// How an invitation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

/// The text of an invitation, with the address to join at when the server knows its own.
fn text(app: &App, institution_name: &str, code: &str, expires: i64) -> String {
    let until = crate::clock::format_instant(expires);
    let at = app
        .settings
        .public_url
        .as_deref()
        .map(|u| format!("{}/join", u.trim_end_matches('/')))
        .unwrap_or_else(|| "Klade lapā „Pievienoties”".into());
    format!(
        "Klade: {institution_name} aicina jūs pievienoties e-klasei. Ielūguma kods: {code} (derīgs līdz {until}). \
         Ievadiet to {at} un izvēlieties savu lietotājvārdu un paroli."
    )
}

/// Sends a student or parent an invitation by SMS or e-mail; a person with an account needs none.
pub async fn invite(app: &App, session: &Session, person: PersonId, channel: Channel) -> Result<(), AppError> {
    let (permit, _) = reach(app, session, person).await?;
    let inst = permit.institution();
    let db = app.db.pool();
    if accounts::by_person(db, person).await?.is_some() {
        return Err(AppError::Conflict("invitation.has_account"));
    }
    let who = people::get(db, person).await?.ok_or(AppError::NotFound)?;
    let institution = klade_store::institutions::get(db, inst)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = new_code()?;
    let now = app.now();
    let expires = now + VALID_SECS;
    let body = text(app, &institution.name, &code, expires);
    let mut tx = app.db.begin().await?;
    let channel_code = match channel {
        Channel::Sms => {
            let phone = who
                .phone
                .as_deref()
                .ok_or(AppError::invalid("channel", "invitation.no_phone"))?;
            sms::queue(&mut tx, Some(inst), Some(person), phone, &body, now).await?;
            "sms"
        }
        Channel::Email => {
            let to = who
                .email
                .as_deref()
                .ok_or(AppError::invalid("channel", "invitation.no_email"))?;
            let payload = serde_json::json!({
                "institution": inst.0, "person": person.0, "to": to,
                "subject": "Klade: ielūgums", "text": body,
            });
            jobs::enqueue(&mut *tx, "email_to", &payload.to_string(), now).await?;
            "email"
        }
    };
    store::insert(
        &mut *tx,
        permit.tenant(),
        person,
        &token_hash(&normalize_code(&code)),
        channel_code,
        session.person,
        now,
        expires,
    )
    .await?;
    access_log::record(&mut *tx, Some(inst), session.person, person, "change", "invited", now).await?;
    tx.commit().await?;
    Ok(())
}

/// One slip to print: who it is for, whose family, the code and until when it is good.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Slip {
    pub student: String,
    pub name: String,
    pub code: String,
    pub expires: i64,
}

/// Slips for everyone of a class's families without an account, each with a new code, for the
/// tutor to print and hand out. Each earlier unused code stays good until it expires.
pub struct Slips {
    pub institution: InstitutionId,
    pub class_name: String,
    pub slips: Vec<Slip>,
}

pub async fn slips(app: &App, session: &Session, class: ClassId) -> Result<Slips, AppError> {
    let f = families(app, session, class).await?;
    // Asked again for the handle the writes take; `families` asked the same.
    let permit = policy::authorize(&session.actor, Action::EditContacts, class_scope(app, class).await?)?;
    let now = app.now();
    let expires = now + VALID_SECS;
    let mut out = Vec::new();
    let mut tx = app.db.begin().await?;
    let mut seen = std::collections::HashSet::new();
    for m in f.members.iter().filter(|m| !m.has_account) {
        if !seen.insert(m.person_id) {
            continue;
        }
        let code = new_code()?;
        store::insert(
            &mut *tx,
            permit.tenant(),
            m.person_id,
            &token_hash(&normalize_code(&code)),
            "print",
            session.person,
            now,
            expires,
        )
        .await?;
        out.push(Slip {
            student: m.student.clone(),
            name: m.name.clone(),
            code,
            expires,
        });
    }
    access_log::record(
        &mut *tx,
        Some(f.institution),
        session.person,
        session.person,
        "change",
        "invitation slips",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Slips {
        institution: f.institution,
        class_name: f.class_name,
        slips: out,
    })
}

/// What a person types to join: the code, and the username and password they choose.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct JoinInput {
    pub code: String,
    pub username: String,
    pub password: String,
    pub repeat: String,
}

/// Joins with an invitation: checks the code (wrong codes are throttled per address), the username
/// (free, of letters, digits, dots and dashes) and the password, makes the account and opens a
/// session. The code is then used up.
pub async fn join(
    app: &App,
    input: &JoinInput,
    kind: SessionKind,
    address: &str,
    user_agent: &str,
) -> Result<LoggedIn, AppError> {
    let db = app.db.pool();
    let now = app.now();
    let key = format!("join:{address}");
    let since = now - app.settings.failure_window_secs;
    if throttle::failures_since(db, &key, since).await? >= MAX_WRONG_CODES {
        return Err(AppError::Throttled {
            retry_after_secs: app.settings.failure_window_secs,
        });
    }
    let Some((id, inst, person)) = store::valid(db, &token_hash(&normalize_code(&input.code)), now).await? else {
        throttle::record_failure(db, &key, now).await?;
        return Err(AppError::invalid("code", "invitation.code_wrong"));
    };
    if accounts::by_person(db, person).await?.is_some() {
        return Err(AppError::Conflict("invitation.has_account"));
    }
    let username = crate::onboarding::chosen_username(&input.username)?;
    if input.password != input.repeat {
        return Err(AppError::invalid("repeat", "password.mismatch"));
    }
    check_new_password(&input.password, &username, false)?;
    let hash = crate::auth::hash_password(&input.password)?;
    let mut tx = app.db.begin().await?;
    if !store::use_it(&mut *tx, id, now).await? {
        return Err(AppError::invalid("code", "invitation.code_wrong"));
    }
    accounts::insert(&mut *tx, person, &username, &hash, false, now)
        .await
        .map_err(|e| match e {
            klade_store::StoreError::Conflict(_) => AppError::Conflict("accounts.username_taken"),
            e => e.into(),
        })?;
    access_log::record(
        &mut *tx,
        Some(inst),
        person,
        person,
        "change",
        "joined with an invitation",
        now,
    )
    .await?;
    tx.commit().await?;
    let account = accounts::by_person(db, person).await?.ok_or(AppError::NotFound)?;
    open_session(app, &account, kind, user_agent, address).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_as_people_type_them() {
        let code = new_code().expect("code");
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalize_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
        assert!(!code.contains(['0', 'O', '1', 'I']), "no look-alikes: {code}");
    }
}
