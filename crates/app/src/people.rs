//! Personal records (R12–R15, J13): who may see which fields, who may change them, the access log
//! of every staff view and every change (R29, J15, J33), and a person's download of their data.

use crate::auth::Session;
use crate::{sms, App, AppError};
use klade_domain::{policy, Action, InstitutionId, PersonId, PersonalCode, Scope};
pub use klade_store::access_log::Entry as AccessEntry;
use klade_store::people::{self, Person};
use klade_store::school::{self, EnrolmentLine, Placement};
use klade_store::{access_log, StoreError};

/// How much of a record the reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Level {
    /// Name and class: a subject teacher.
    Basic,
    /// And phones, e-mail, the parents: deputies, the nurse.
    Contacts,
    /// Everything: the person, their parents, the tutor, the clerk, the superuser, the director.
    Full,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Record {
    pub institution: InstitutionId,
    pub level: Level,
    pub person: Person,
    pub placement: Option<Placement>,
    pub parents: Vec<Person>,
    pub enrolments: Vec<EnrolmentLine>,
    pub username: Option<String>,
    pub can_edit_record: bool,
    pub can_edit_contacts: bool,
    pub can_enrol: bool,
    /// For one who enrols: the classes of the year under way, to move the student to.
    pub classes: Vec<(klade_domain::ClassId, String)>,
    /// The reader enters this student's parents (R18.1).
    pub can_add_parent: bool,
    /// The reader sees this student's grades: all of them (as the diary) or those of a course
    /// they teach the student's class.
    pub can_view_grades: bool,
}

/// The scope of a person in an institution: as a student in their class, or as a member.
async fn scope_of(
    app: &App,
    institution: InstitutionId,
    person: PersonId,
) -> Result<(Scope, Option<Placement>), AppError> {
    let placement = school::placements(app.db.pool(), &[person], app.today())
        .await?
        .into_iter()
        .find(|p| p.institution_id == institution);
    Ok((
        Scope::Student {
            institution,
            student: person,
            class: placement.as_ref().map(|p| p.class_id),
        },
        placement,
    ))
}

/// The institution through which the reader sees `person`: the first they share. A former
/// student's or employee's record stays readable there: leaving deletes nothing.
async fn shared_institution(app: &App, session: &Session, person: PersonId) -> Result<InstitutionId, AppError> {
    let mine = session.actor.institutions();
    let mut shared: Vec<InstitutionId> = school::institutions_of(app.db.pool(), person)
        .await?
        .into_iter()
        .filter(|i| mine.contains(i))
        .collect();
    shared.sort();
    shared.first().copied().ok_or(AppError::NotFound)
}

fn level(session: &Session, scope: Scope, person: PersonId) -> Option<Level> {
    let actor = &session.actor;
    if person == session.person || policy::authorize(actor, Action::ViewRecord, scope).is_ok() {
        Some(Level::Full)
    } else if policy::authorize(actor, Action::ViewContacts, scope).is_ok() {
        Some(Level::Contacts)
    } else if actor.roles_in(scope.institution()).iter().any(|r| r.is_staff()) {
        Some(Level::Basic)
    } else {
        None
    }
}

fn blank(p: &Person, level: Level) -> Person {
    let mut out = p.clone();
    if level < Level::Full {
        out.personal_code = None;
        out.birth_date = None;
        out.gender = None;
        out.address_declared = None;
        out.address_actual = None;
        out.document_number = None;
        out.document_issuer = None;
        out.document_date = None;
        out.previous_programme = None;
    }
    if level < Level::Contacts {
        out.phone = None;
        out.email = None;
    }
    out
}

/// A person's record as the reader may see it; a staff view of someone else's is logged.
pub async fn record(app: &App, session: &Session, person: PersonId) -> Result<Record, AppError> {
    let institution = shared_institution(app, session, person).await?;
    let (scope, placement) = scope_of(app, institution, person).await?;
    let level = level(session, scope, person).ok_or_else(|| {
        AppError::Forbidden(klade_domain::Denied {
            action: Action::ViewRecord,
            scope,
        })
    })?;
    let db = app.db.pool();
    let stored = people::get_in(db, institution, person)
        .await?
        .ok_or(AppError::NotFound)?;
    let parents = if level >= Level::Contacts {
        people::parents(db, institution, person).await?
    } else {
        Vec::new()
    };
    let enrolments = if level == Level::Full {
        school::enrolments_of(db, institution, person).await?
    } else {
        Vec::new()
    };
    let username = if level == Level::Full {
        klade_store::accounts::by_person(db, person).await?.map(|a| a.username)
    } else {
        None
    };
    let staff_reader = session.actor.roles_in(institution).iter().any(|r| r.is_staff());
    if person != session.person && staff_reader {
        access_log::record(
            db,
            Some(institution),
            session.person,
            person,
            "view",
            level_name(level),
            app.now(),
        )
        .await?;
    }
    let actor = &session.actor;
    let held = klade_store::accounts::roles_held(db, person).await?;
    let placement_here = placement.is_some();
    let can_view_grades = match &placement {
        None => false,
        Some(_) if policy::authorize(actor, Action::ViewDiary, scope).is_ok() => true,
        Some(p) => klade_store::journal::courses_of_class(db, institution, p.class_id)
            .await?
            .iter()
            .any(|c| actor.courses.iter().any(|(_, mine)| *mine == c.id)),
    };
    let can_enrol = policy::authorize(actor, Action::EnrolStudents, scope).is_ok();
    let classes = if can_enrol {
        school::classes_of(db, institution, app.today())
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Record {
        classes,
        can_view_grades,
        institution,
        level,
        person: blank(&stored, level),
        placement,
        parents: parents.iter().map(|p| blank(p, Level::Contacts)).collect(),
        enrolments,
        username,
        can_edit_record: policy::authorize(actor, Action::EnrolStudents, scope).is_ok(),
        can_edit_contacts: policy::authorize(actor, Action::EditOwnContacts, scope).is_ok()
            || policy::may_manage(actor, Action::EditContacts, scope, &held).is_ok(),
        can_enrol,
        can_add_parent: placement_here && policy::authorize(actor, Action::EditContacts, scope).is_ok(),
    })
}

/// A class's students as the class page lists them, with what the reader may do there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Roster {
    pub institution: InstitutionId,
    pub name: String,
    pub students: Vec<klade_store::journal::Student>,
    /// Admits students (the clerk, R6).
    pub admit: bool,
    /// Tells the class's parents of the system (R19).
    pub inform: bool,
    /// Enters and links parents (R18.1).
    pub families: bool,
    /// Exports to VIIS.
    pub viis: bool,
}

/// The class's students today, for who sees its contacts or admits students.
pub async fn class_roster(app: &App, session: &Session, class: klade_domain::ClassId) -> Result<Roster, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let scope = Scope::Class {
        institution: inst,
        class,
    };
    let actor = &session.actor;
    let admit = actor.may(Action::EnrolStudents, Scope::Institution(inst));
    if !admit {
        policy::authorize(actor, Action::ViewContacts, scope)?;
    }
    let (name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    Ok(Roster {
        institution: inst,
        name,
        students: klade_store::journal::class_students(db, inst, class, app.today()).await?,
        admit,
        inform: actor.may(Action::InformParents, scope),
        families: actor.may(Action::EditContacts, scope),
        viis: actor.may(Action::ExportToViis, Scope::Institution(inst)),
    })
}

/// Logs a member of staff's look at a student's data (R29): their diary, grades or journal, on a
/// page or through the API. The student's own looks and their parents' are not staff access.
pub(crate) async fn log_staff_view(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    person: PersonId,
    what: &str,
) -> Result<(), AppError> {
    let family = person == session.person || session.actor.children.iter().any(|(_, c)| *c == person);
    let staff = session.actor.roles_in(institution).iter().any(|r| r.is_staff());
    if staff && !family {
        access_log::record(
            app.db.pool(),
            Some(institution),
            session.person,
            person,
            "view",
            what,
            app.now(),
        )
        .await?;
    }
    Ok(())
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Basic => "name and class",
        Level::Contacts => "contacts",
        Level::Full => "whole record",
    }
}

/// An address mail can be sent to: `user@host.tld`, no spaces.
pub fn is_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
    }) && !email.contains(char::is_whitespace)
}

fn check_email(email: &str) -> Result<(), AppError> {
    if is_email(email) {
        Ok(())
    } else {
        Err(AppError::invalid("email", "person.email"))
    }
}

/// What became of a change of contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactsSaved {
    /// In place.
    Saved,
    /// Waiting for the account holder to confirm it.
    AwaitsConfirmation,
}

/// Checks a phone and an e-mail as typed; empty clears.
fn contacts(phone: &str, email: &str) -> Result<(Option<String>, Option<String>), AppError> {
    let phone = match phone.trim() {
        "" => None,
        p => Some(sms::normalize_phone(p)?),
    };
    let email = match email.trim() {
        "" => None,
        e => {
            check_email(e)?;
            Some(e.to_string())
        }
    };
    Ok((phone, email))
}

/// Changes a phone and an e-mail: one's own (J13), or a student's or parent's by the staff who
/// enter them (R18.1), never those of a person with equal or greater rights or with rights where
/// the writer has none (`policy::may_manage`). A change of an account holder's contacts by anyone
/// but the holder or the superuser waits for the holder to confirm it, so nobody can point another
/// person's password or messages at themselves. Empty clears.
pub async fn update_contacts(
    app: &App,
    session: &Session,
    person: PersonId,
    phone: &str,
    email: &str,
) -> Result<ContactsSaved, AppError> {
    let institution = shared_institution(app, session, person).await?;
    let (scope, _) = scope_of(app, institution, person).await?;
    let actor = &session.actor;
    let db = app.db.pool();
    let own = policy::authorize(actor, Action::EditOwnContacts, scope);
    let permit = match own {
        Ok(p) => p,
        Err(denied) => {
            let held = klade_store::accounts::roles_held(db, person).await?;
            // A parent's contacts are entered by the child's tutor and the clerk: through the child.
            let mut scopes = vec![scope];
            for child in school::children_of(db, person).await? {
                scopes.push(scope_of(app, institution, child).await?.0);
            }
            scopes
                .into_iter()
                .find_map(|s| policy::may_manage(actor, Action::EditContacts, s, &held).ok())
                .ok_or(denied)?
        }
    };
    let (phone, email) = contacts(phone, email)?;
    let by_superuser = actor
        .roles_in(permit.institution())
        .contains(&klade_domain::Role::Superuser);
    let confirmed = own.is_ok() || by_superuser;
    let holds_account = klade_store::accounts::by_person(db, person).await?.is_some();
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let outcome = if confirmed || !holds_account {
        people::set_contacts(&mut *tx, person, phone.as_deref(), email.as_deref(), confirmed, now).await?;
        people::drop_proposed_contacts(&mut *tx, person).await?;
        ContactsSaved::Saved
    } else {
        people::propose_contacts(
            &mut *tx,
            &people::ContactChange {
                person_id: person,
                institution_id: permit.institution(),
                phone: phone.clone(),
                email: email.clone(),
                requested_by: session.person,
                requested_by_name: String::new(),
                requested_at: now,
            },
        )
        .await?;
        ContactsSaved::AwaitsConfirmation
    };
    let detail = match outcome {
        ContactsSaved::Saved => "phone, e-mail",
        ContactsSaved::AwaitsConfirmation => "phone, e-mail (awaiting confirmation)",
    };
    access_log::record(
        &mut *tx,
        Some(permit.institution()),
        session.person,
        person,
        "change",
        detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The change of one's own contacts that someone else asked for and that waits for one's word.
pub async fn proposed_contacts(app: &App, session: &Session) -> Result<Option<people::ContactChange>, AppError> {
    Ok(people::proposed_contacts(app.db.pool(), session.person).await?)
}

/// The holder accepts or refuses the change of their contacts someone else asked for.
pub async fn answer_proposed_contacts(app: &App, session: &Session, accept: bool) -> Result<(), AppError> {
    let db = app.db.pool();
    let change = people::proposed_contacts(db, session.person)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if accept {
        people::set_contacts(
            &mut *tx,
            session.person,
            change.phone.as_deref(),
            change.email.as_deref(),
            true,
            now,
        )
        .await?;
    }
    people::drop_proposed_contacts(&mut *tx, session.person).await?;
    let detail = if accept {
        "phone, e-mail: confirmed"
    } else {
        "phone, e-mail: refused"
    };
    access_log::record(
        &mut *tx,
        Some(change.institution_id),
        session.person,
        session.person,
        "change",
        detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The whole record, as the clerk or the superuser enters it (R12, R16, R17).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecordInput {
    pub given_name: String,
    pub family_name: String,
    pub personal_code: String,
    pub birth_date: String,
    pub gender: String,
    pub address_declared: String,
    pub address_actual: String,
    pub document_number: String,
    pub document_issuer: String,
    pub document_date: String,
    pub previous_programme: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

fn date_field(s: &str, field: &'static str) -> Result<Option<jiff::civil::Date>, AppError> {
    match opt(s) {
        None => Ok(None),
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "error.date")),
    }
}

/// Checks a record's fields and fills `into` (keeping its id, phone and e-mail).
pub fn apply(input: &RecordInput, into: &mut Person) -> Result<(), AppError> {
    if input.given_name.trim().is_empty() {
        return Err(AppError::invalid("given_name", "error.required"));
    }
    if input.family_name.trim().is_empty() {
        return Err(AppError::invalid("family_name", "error.required"));
    }
    into.given_name = input.given_name.trim().to_string();
    into.family_name = input.family_name.trim().to_string();
    into.personal_code = match opt(&input.personal_code) {
        Some(c) => Some(
            PersonalCode::parse(&c)
                .map_err(|e| AppError::invalid("personal_code", e.code()))?
                .to_string(),
        ),
        None => None,
    };
    into.birth_date = date_field(&input.birth_date, "birth_date")?;
    into.gender = match input.gender.trim() {
        "" => None,
        g @ ("f" | "m") => Some(g.to_string()),
        _ => return Err(AppError::invalid("gender", "person.gender")),
    };
    // A student without a Latvian personal code is known by birth date and document.
    if into.personal_code.is_none() && (into.birth_date.is_none() || opt(&input.document_number).is_none()) {
        return Err(AppError::invalid("personal_code", "person.code_or_document"));
    }
    into.address_declared = opt(&input.address_declared);
    into.address_actual = opt(&input.address_actual);
    into.document_number = opt(&input.document_number);
    into.document_issuer = opt(&input.document_issuer);
    into.document_date = date_field(&input.document_date, "document_date")?;
    into.previous_programme = opt(&input.previous_programme);
    Ok(())
}

pub async fn update_record(
    app: &App,
    session: &Session,
    person: PersonId,
    input: &RecordInput,
) -> Result<(), AppError> {
    let institution = shared_institution(app, session, person).await?;
    let (scope, _) = scope_of(app, institution, person).await?;
    let db = app.db.pool();
    let permit = policy::authorize(&session.actor, Action::EnrolStudents, scope)?;
    let before = people::get_in(db, permit.institution(), person)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut stored = before.clone();
    apply(input, &mut stored)?;
    // The name, the code, the birth date and the gender are the person's own: changed only by one
    // who outranks every right they hold, anywhere. The rest is this institution's own record.
    let identity_changed = (
        &stored.given_name,
        &stored.family_name,
        &stored.personal_code,
        &stored.birth_date,
        &stored.gender,
    ) != (
        &before.given_name,
        &before.family_name,
        &before.personal_code,
        &before.birth_date,
        &before.gender,
    );
    let held = klade_store::accounts::roles_held(db, person).await?;
    // This institution's record of a person is written by one who outranks every right the
    // person holds here (a clerk a student's, never the director's); their own fields only by one
    // who outranks them everywhere.
    let here: Vec<_> = held
        .iter()
        .copied()
        .filter(|(i, _)| *i == permit.institution())
        .collect();
    let permit = policy::may_manage(&session.actor, Action::EnrolStudents, scope, &here)?;
    if identity_changed && policy::may_manage(&session.actor, Action::EnrolStudents, scope, &held).is_err() {
        return Err(AppError::invalid("given_name", "person.identity_not_yours"));
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    if identity_changed {
        people::set_identity(&mut *tx, &stored).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict("person.exists"),
            e => e.into(),
        })?;
    }
    people::set_details(&mut *tx, permit.tenant(), &stored).await?;
    access_log::record(
        &mut *tx,
        Some(permit.institution()),
        session.person,
        person,
        "change",
        "record",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who viewed or changed this person's data — their own, or their child's.
pub async fn access_of(app: &App, session: &Session, person: PersonId) -> Result<Vec<access_log::Entry>, AppError> {
    let allowed = person == session.person || session.actor.children.iter().any(|(_, c)| *c == person);
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(access_log::search(app.db.pool(), None, Some(person), "", 500).await?)
}

/// The superuser's search of the access log (R29).
pub async fn search_log(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    query: &str,
) -> Result<Vec<access_log::Entry>, AppError> {
    let permit = policy::authorize(&session.actor, Action::ViewAccessLog, Scope::Institution(institution))?;
    Ok(access_log::search(app.db.pool(), Some(permit.institution()), None, query.trim(), 500).await?)
}

/// Everything held about a person, for them (or their parent) to download.
pub async fn export(app: &App, session: &Session, person: PersonId) -> Result<serde_json::Value, AppError> {
    let allowed = person == session.person || session.actor.children.iter().any(|(_, c)| *c == person);
    if !allowed {
        return Err(AppError::NotFound);
    }
    let db = app.db.pool();
    let own = people::get(db, person).await?.ok_or(AppError::NotFound)?;
    let holds = klade_store::accounts::holdings(db, person, app.today()).await?;
    let mut institutions: Vec<InstitutionId> = holds.grants.iter().map(|g| g.institution).collect();
    for p in school::placements(db, &[person], app.today()).await? {
        institutions.push(p.institution_id);
    }
    institutions.sort();
    institutions.dedup();
    let mut per_institution = Vec::new();
    for i in institutions {
        let enrolments = school::enrolments_of(db, i, person).await?;
        let grades =
            klade_store::journal::student_grades(db, i, &[person], jiff::civil::Date::MIN, jiff::civil::Date::MAX)
                .await?;
        let attendance =
            klade_store::journal::student_attendance(db, i, &[person], jiff::civil::Date::MIN, jiff::civil::Date::MAX)
                .await?;
        let notes = klade_store::journal::notes(db, i, None, Some(person)).await?;
        per_institution.push(serde_json::json!({
            "institution_id": i,
            "record": people::get_in(db, i, person).await?,
            "parents": people::parents(db, i, person).await?,
            "roles": holds.grants.iter().filter(|g| g.institution == i).map(|g| g.role.code()).collect::<Vec<_>>(),
            "enrolments": enrolments,
            "grades": grades.into_iter().map(|(_, g)| g).collect::<Vec<_>>(),
            "attendance": attendance.into_iter().map(|(_, a)| a).collect::<Vec<_>>(),
            "notes": notes,
        }));
    }
    let log = access_log::search(db, None, Some(person), "", 10_000).await?;
    access_log::record(db, None, session.person, person, "export", "", app.now()).await?;
    Ok(serde_json::json!({
        "person": own,
        "institutions": per_institution,
        "access_log": log,
    }))
}

/// A parent as the tutor or the clerk enters them (R18.1).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ParentInput {
    pub given_name: String,
    pub family_name: String,
    pub personal_code: String,
    pub phone: String,
    pub email: String,
    /// māte, tēvs, aizbildnis…
    pub relation: String,
}

/// Adds or links a student's parent by hand (R18.1): a personal code already known links that
/// person (with another name: refused), overwriting nothing; a parent already linked by that code
/// or name is not added twice. The parent gets a parent's right here on the student's admission
/// order.
pub async fn add_parent(
    app: &App,
    session: &Session,
    child: PersonId,
    input: &ParentInput,
) -> Result<PersonId, AppError> {
    let db = app.db.pool();
    let placement = school::placements(db, &[child], app.today())
        .await?
        .into_iter()
        .find(|p| session.actor.institutions().contains(&p.institution_id))
        .ok_or(AppError::NotFound)?;
    let scope = Scope::Student {
        institution: placement.institution_id,
        student: child,
        class: Some(placement.class_id),
    };
    let permit = policy::authorize(&session.actor, Action::EditContacts, scope)?;
    let inst = permit.institution();
    let (given, family) = (input.given_name.trim(), input.family_name.trim());
    if given.is_empty() {
        return Err(AppError::invalid("given_name", "error.required"));
    }
    if family.is_empty() {
        return Err(AppError::invalid("family_name", "error.required"));
    }
    let code = match input.personal_code.trim() {
        "" => None,
        c => Some(
            PersonalCode::parse(c)
                .map_err(|e| AppError::invalid("personal_code", e.code()))?
                .to_string(),
        ),
    };
    let (phone, email) = contacts(&input.phone, &input.email)?;
    let linked = people::parents(db, inst, child).await?;
    if linked.iter().any(|p| match &code {
        Some(c) => p.personal_code.as_deref() == Some(c.as_str()),
        None => people::same_name(p, given, family),
    }) {
        return Err(AppError::Conflict("person.parent_linked"));
    }
    let known = match &code {
        Some(c) => people::find_by_personal_code(db, c).await?,
        None => None,
    };
    if let Some(k) = &known {
        if !people::same_name(k, given, family) {
            return Err(AppError::invalid("personal_code", "person.code_name_conflict"));
        }
    }
    let order = school::enrolments_of(db, inst, child)
        .await?
        .into_iter()
        .next_back()
        .map(|e| (e.order_number, e.order_date))
        .unwrap_or_else(|| ("—".into(), app.today()));
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let id = match known {
        Some(k) => k.id,
        None => {
            people::insert(
                &mut *tx,
                &people::NewPerson {
                    given_name: given,
                    family_name: family,
                    personal_code: code.as_deref(),
                    phone: phone.as_deref(),
                    email: email.as_deref(),
                    ..Default::default()
                },
                now,
            )
            .await?
        }
    };
    let relation = Some(input.relation.trim()).filter(|r| !r.is_empty());
    school::link_guardian(&mut *tx, id, child, relation, now).await?;
    if !klade_store::accounts::holds_role(&mut *tx, inst, id, klade_domain::Role::Parent).await? {
        klade_store::accounts::add_membership(
            &mut *tx,
            permit.tenant(),
            id,
            klade_domain::Role::Parent,
            app.today(),
            &klade_store::accounts::Basis::Order {
                number: &order.0,
                date: order.1,
            },
            now,
        )
        .await?;
    }
    access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        child,
        "change",
        "parent added",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
