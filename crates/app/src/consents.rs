//! Consents and surveys: the administration (for any classes) or a tutor (for their own) asks the
//! families of one or more classes — yes or no, one of a few choices, or a short text — by a date;
//! each parent answers per child, may change the answer until the date and withdraw a consent at
//! any time; every answer is kept with who gave it and when. The asker sees, class by class, who
//! answered what and who has not, and reminds the rest by e-mail.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::consents::{self as rules, ConsentError, Kind};
use klade_domain::policy::{self, Action, Permit, Scope};
use klade_domain::{ClassId, InstitutionId, PersonId};
pub use klade_store::consents::{Answer, Consent};
use klade_store::{consents as store, jobs, journal, people, school};

/// Consents stay listed this long after their date.
const LISTED_AFTER_DAYS: i64 = 30;

/// A class the signed-in person may ask the families of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AskableClass {
    pub institution: InstitutionId,
    pub class: ClassId,
    pub name: String,
}

fn class_permit(session: &Session, institution: InstitutionId, class: ClassId) -> Result<Permit, AppError> {
    Ok(policy::authorize(
        &session.actor,
        Action::AskConsents,
        Scope::Class { institution, class },
    )?)
}

/// Every class of this school year the person may ask: all of an institution for its
/// administration, a tutor's own.
pub async fn askable_classes(app: &App, session: &Session) -> Result<Vec<AskableClass>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let mut out = Vec::new();
    for institution in session.actor.institutions() {
        let classes = if administers(session, institution) {
            school::classes_of(db, institution, today).await?
        } else {
            school::tutored_classes(db, session.person, today)
                .await?
                .into_iter()
                .filter(|c| c.institution_id == institution)
                .collect()
        };
        for c in classes {
            if class_permit(session, institution, c.id).is_ok() {
                out.push(AskableClass {
                    institution,
                    class: c.id,
                    name: c.name,
                });
            }
        }
    }
    Ok(out)
}

/// May this person ask consents anywhere (the menu's question)?
pub fn asks(actor: &klade_domain::Actor) -> bool {
    actor
        .grants
        .iter()
        .any(|g| policy::role_may(g.role, Action::AskConsents))
}

/// Does the person ask for the whole of `institution` (its administration), not only as a tutor?
fn administers(session: &Session, institution: InstitutionId) -> bool {
    session.actor.grants.iter().any(|g| {
        g.institution == institution && g.role.is_administration() && policy::role_may(g.role, Action::AskConsents)
    })
}

/// A question as typed into the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Draft {
    /// The classes asked (ids); a form sends one `classes` field per ticked box.
    #[serde(default)]
    pub classes: Vec<i64>,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// For a choice: one per line.
    #[serde(default)]
    pub choices: String,
    /// The last day answers are taken, `2026-12-04` or `04.12.2026.`.
    pub answer_by: String,
}

/// Asks the families of the chosen classes (all of one institution); returns the consent's id.
pub async fn create(app: &App, session: &Session, draft: &Draft) -> Result<i64, AppError> {
    let kind = Kind::from_code(&draft.kind).ok_or(AppError::invalid("kind", "consents.bad_kind"))?;
    let title = draft.title.trim();
    let body = draft.body.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", "consents.title_required"));
    }
    if title.chars().count() > rules::MAX_TITLE || body.chars().count() > rules::MAX_BODY {
        return Err(AppError::invalid("title", "consents.too_long"));
    }
    let choices =
        rules::choices(kind, &draft.choices).map_err(|_| AppError::invalid("choices", "consents.bad_choices"))?;
    let answer_by =
        crate::clock::parse_typed_date(&draft.answer_by).ok_or(AppError::invalid("answer_by", "consents.bad_date"))?;
    if answer_by < app.today() {
        return Err(AppError::invalid("answer_by", "consents.past"));
    }
    let askable = askable_classes(app, session).await?;
    let chosen: Vec<&AskableClass> = askable.iter().filter(|c| draft.classes.contains(&c.class.0)).collect();
    if chosen.is_empty() || chosen.len() != draft.classes.len() {
        return Err(AppError::invalid("classes", "consents.no_classes"));
    }
    let institution = chosen[0].institution;
    if chosen.iter().any(|c| c.institution != institution) {
        return Err(AppError::invalid("classes", "consents.one_institution"));
    }
    let permit = class_permit(session, institution, chosen[0].class)?;
    let classes: Vec<ClassId> = chosen.iter().map(|c| c.class).collect();
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut tx,
        permit.tenant(),
        &store::NewConsent {
            author: session.person,
            kind,
            title,
            body,
            choices: &choices,
            answer_by,
            classes: &classes,
        },
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A consent in the asker's list, with how many students' answers stand.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub consent: Consent,
    pub answered: usize,
}

/// The classes of `institution` whose answers the person sees: `None` for all (the
/// administration), else the ones they tutor.
async fn seen_classes(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Option<Vec<ClassId>>, AppError> {
    if administers(session, institution) {
        return Ok(None);
    }
    Ok(Some(
        school::tutored_classes(app.db.pool(), session.person, app.today())
            .await?
            .into_iter()
            .filter(|c| c.institution_id == institution && class_permit(session, institution, c.id).is_ok())
            .map(|c| c.id)
            .collect(),
    ))
}

/// The consents the person asked or may follow, newest first, with their classes.
pub async fn listed(app: &App, session: &Session) -> Result<Vec<Listed>, AppError> {
    let db = app.db.pool();
    let since = app
        .today()
        .checked_sub(jiff::Span::new().days(LISTED_AFTER_DAYS))
        .unwrap_or(app.today());
    let mut out = Vec::new();
    for institution in session.actor.institutions() {
        if !session
            .actor
            .grants
            .iter()
            .any(|g| g.institution == institution && policy::role_may(g.role, Action::AskConsents))
        {
            continue;
        }
        let seen = seen_classes(app, session, institution).await?;
        let list = store::listed(db, institution, session.person, seen.as_deref(), since).await?;
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        let classes = store::classes(db, institution, &ids).await?;
        let answers = store::answers(db, institution, &ids, false).await?;
        for mut c in list {
            let names: Vec<&str> = classes.iter().filter(|x| x.0 == c.id).map(|x| x.2.as_str()).collect();
            c.classes = names.join(", ");
            let answered = answers.iter().filter(|a| a.consent_id == c.id).count();
            out.push(Listed { answered, consent: c });
        }
    }
    Ok(out)
}

/// One student's line in the asker's view: their class, and the answer that stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StudentAnswer {
    pub student_id: PersonId,
    pub student: String,
    pub class_name: String,
    pub answer: Option<Answer>,
}

/// A consent as the asker sees it: each student of the classes they follow, and how many gave
/// each answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AskerView {
    pub consent: Consent,
    pub students: Vec<StudentAnswer>,
    /// (answer, how many), in the order of the choices (yes/no for a consent).
    pub tally: Vec<(String, usize)>,
    pub open: bool,
}

async fn asked(app: &App, session: &Session, id: i64) -> Result<(Consent, Permit, Vec<(ClassId, String)>), AppError> {
    let institution = store::institution_of(app.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let consent = store::get(&app.db, institution, id).await?.ok_or(AppError::NotFound)?;
    let classes: Vec<(ClassId, String)> = store::classes(app.db.pool(), institution, &[id])
        .await?
        .into_iter()
        .map(|c| (c.1, c.2))
        .filter(|c| class_permit(session, institution, c.0).is_ok())
        .collect();
    let permit = match classes.first() {
        Some(c) => class_permit(session, institution, c.0)?,
        None => return Err(AppError::NotFound),
    };
    Ok((consent, permit, classes))
}

pub async fn asker_view(app: &App, session: &Session, id: i64) -> Result<AskerView, AppError> {
    let (consent, _, classes) = asked(app, session, id).await?;
    let db = app.db.pool();
    let answers = store::answers(db, consent.institution_id, &[id], false).await?;
    let on = consent.answer_by.min(app.today());
    let mut students = Vec::new();
    for (class, name) in &classes {
        for s in journal::class_students(db, consent.institution_id, *class, on).await? {
            students.push(StudentAnswer {
                answer: answers.iter().find(|a| a.student_id == s.id).cloned(),
                student_id: s.id,
                student: format!("{} {}", s.family_name, s.given_name),
                class_name: name.clone(),
            });
        }
    }
    let options: Vec<String> = match consent.kind {
        Kind::Consent => vec![rules::YES.to_string(), rules::NO.to_string()],
        Kind::Choice => consent.choices.clone(),
        Kind::Text => Vec::new(),
    };
    let tally = options
        .into_iter()
        .map(|o| {
            let n = students
                .iter()
                .filter(|s| s.answer.as_ref().is_some_and(|a| a.answer == o))
                .count();
            (o, n)
        })
        .collect();
    Ok(AskerView {
        open: rules::open(consent.answer_by, app.today()),
        consent,
        students,
        tally,
    })
}

/// E-mails the parents of every student who has not answered; returns how many were asked.
pub async fn remind(app: &App, session: &Session, id: i64) -> Result<usize, AppError> {
    let view = asker_view(app, session, id).await?;
    if !view.open {
        return Err(AppError::invalid("consent", "consents.closed"));
    }
    let c = &view.consent;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut asked = 0;
    for s in view.students.iter().filter(|s| s.answer.is_none()) {
        for parent in people::parents(&mut *tx, c.institution_id, s.student_id).await? {
            let Some(to) = parent.email else { continue };
            let text = format!(
                "Klade: lūdzam atbildēt par {} — “{}” — līdz {} sadaļā “Piekrišanas un aptaujas”.",
                s.student,
                c.title,
                crate::clock::format_date(c.answer_by)
            );
            let payload = serde_json::json!({
                "institution": c.institution_id.0, "person": parent.id.0, "to": to,
                "subject": "Klade: lūdzam atbildēt", "text": text,
            });
            jobs::enqueue(&mut *tx, "email_to", &payload.to_string(), now).await?;
            asked += 1;
        }
    }
    tx.commit().await?;
    Ok(asked)
}

/// A consent as a parent sees it for one child: the answer that stands and every answer given.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FamilyConsent {
    pub student_id: PersonId,
    pub student: String,
    pub consent: Consent,
    pub standing: Option<Answer>,
    pub history: Vec<Answer>,
    /// Answers are still taken (a consent may be withdrawn even after).
    pub open: bool,
}

/// The consents asked of the classes of the signed-in parent's children, from a month back.
pub async fn for_family(app: &App, session: &Session) -> Result<Vec<FamilyConsent>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let children: Vec<&school::Placement> = session
        .students
        .iter()
        .filter(|p| session.actor.children.contains(&(p.institution_id, p.student_id)))
        .collect();
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let classes: Vec<(InstitutionId, ClassId)> = children.iter().map(|p| (p.institution_id, p.class_id)).collect();
    let since = today
        .checked_sub(jiff::Span::new().days(LISTED_AFTER_DAYS))
        .unwrap_or(today);
    let asked = store::of_classes(db, &classes, since).await?;
    let mut out = Vec::new();
    for institution in session.actor.institutions() {
        let ids: Vec<i64> = asked
            .iter()
            .filter(|(c, _)| c.institution_id == institution)
            .map(|(c, _)| c.id)
            .collect();
        let answers = store::answers(db, institution, &ids, true).await?;
        for (consent, class) in asked.iter().filter(|(c, _)| c.institution_id == institution) {
            for child in children
                .iter()
                .filter(|p| p.institution_id == institution && p.class_id == *class)
            {
                let history: Vec<Answer> = answers
                    .iter()
                    .filter(|a| a.consent_id == consent.id && a.student_id == child.student_id)
                    .cloned()
                    .collect();
                out.push(FamilyConsent {
                    student_id: child.student_id,
                    student: format!("{} {}", child.given_name, child.family_name),
                    open: rules::open(consent.answer_by, today),
                    standing: history.last().cloned(),
                    history,
                    consent: consent.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// How many questions wait for the signed-in parent's answer, for the home page.
pub async fn waiting(app: &App, session: &Session) -> Result<usize, AppError> {
    if session.actor.children.is_empty() {
        return Ok(0);
    }
    Ok(for_family(app, session)
        .await?
        .iter()
        .filter(|f| f.open && f.standing.is_none())
        .count())
}

/// The consent asked of `student`'s class, and the permit to answer it for them.
async fn for_child(
    app: &App,
    session: &Session,
    id: i64,
    student: PersonId,
) -> Result<(Consent, Permit, Date), AppError> {
    let db = app.db.pool();
    let institution = store::institution_of(db, id).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(
        &session.actor,
        Action::AnswerConsents,
        Scope::Student {
            institution,
            student,
            class: None,
        },
    )
    .map_err(|_| AppError::NotFound)?;
    let classes = store::classes(db, institution, &[id]).await?;
    let in_class = session.students.iter().any(|p| {
        p.student_id == student && p.institution_id == institution && classes.iter().any(|c| c.1 == p.class_id)
    });
    if !in_class {
        return Err(AppError::NotFound);
    }
    let consent = store::get(&app.db, institution, id).await?.ok_or(AppError::NotFound)?;
    Ok((consent, permit, app.today()))
}

/// A parent answers for their child, until the date; a new answer replaces the one that stood
/// (both are kept).
pub async fn answer(app: &App, session: &Session, id: i64, student: PersonId, typed: &str) -> Result<(), AppError> {
    let (consent, permit, today) = for_child(app, session, id, student).await?;
    if !rules::open(consent.answer_by, today) {
        return Err(AppError::invalid("answer", "consents.closed"));
    }
    let answer = rules::answer(consent.kind, &consent.choices, typed).map_err(|e| match e {
        ConsentError::Text => AppError::invalid("answer", "consents.bad_text"),
        _ => AppError::invalid("answer", "consents.bad_answer"),
    })?;
    store::record(
        app.db.pool(),
        permit.tenant(),
        id,
        student,
        session.person,
        &answer,
        false,
        app.now(),
    )
    .await?;
    Ok(())
}

/// A parent withdraws the consent given for their child: at any time, even after the date.
pub async fn withdraw(app: &App, session: &Session, id: i64, student: PersonId) -> Result<(), AppError> {
    let (consent, permit, _) = for_child(app, session, id, student).await?;
    let standing = store::answers(app.db.pool(), consent.institution_id, &[id], false)
        .await?
        .into_iter()
        .find(|a| a.student_id == student);
    if consent.kind != Kind::Consent || standing.is_none_or(|a| a.answer != rules::YES) {
        return Err(AppError::invalid("answer", "consents.nothing_to_withdraw"));
    }
    store::record(
        app.db.pool(),
        permit.tenant(),
        id,
        student,
        session.person,
        rules::NO,
        true,
        app.now(),
    )
    .await?;
    Ok(())
}
