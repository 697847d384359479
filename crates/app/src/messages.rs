//! Mail between the institution and families (J30, J31) and the clean-language check (J18).
//!
//! A message goes to people chosen one by one or as a group (a class's parents, students or
//! teachers; a course's students or their parents; all staff). Who may write to whom is the
//! policy's: families write only to staff, nothing crosses institutions. A message is written
//! with its recipients and one notification job in one transaction; the worker sends e-mail and
//! SMS later, so a message to a whole class is one quick request.

use crate::auth::Session;
use crate::{App, AppError};
use klade_domain::clean_language::WordList;
use klade_domain::{file_type, policy, Action, ClassId, CourseId, InstitutionId, PersonId, Scope};
use klade_store::messages::{self, Attachment, Listed, Member, Message, NewMessage, Receipt};
use klade_store::{files, journal, school};
use std::sync::OnceLock;

/// One attachment may be this large.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;
/// A message's attachments together.
pub const MAX_ATTACHMENTS_TOTAL: usize = 20 * 1024 * 1024;
pub const MAX_ATTACHMENTS: usize = 5;
pub const MAX_BODY: usize = 20_000;
/// Lines of the inbox per page.
pub const PAGE: i64 = 50;

/// Whom a message is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    Person(PersonId),
    ClassParents(ClassId),
    ClassStudents(ClassId),
    ClassTeachers(ClassId),
    CourseStudents(CourseId),
    CourseParents(CourseId),
    Staff,
}

impl To {
    /// `person:12`, `class_parents:3`, `staff`: the form's and the API's spelling.
    pub fn parse(code: &str) -> Option<Self> {
        let (kind, id) = code.split_once(':').unwrap_or((code, ""));
        let id = id.parse::<i64>();
        Some(match (kind, id) {
            ("person", Ok(i)) => Self::Person(PersonId(i)),
            ("class_parents", Ok(i)) => Self::ClassParents(ClassId(i)),
            ("class_students", Ok(i)) => Self::ClassStudents(ClassId(i)),
            ("class_teachers", Ok(i)) => Self::ClassTeachers(ClassId(i)),
            ("course_students", Ok(i)) => Self::CourseStudents(CourseId(i)),
            ("course_parents", Ok(i)) => Self::CourseParents(CourseId(i)),
            ("staff", _) => Self::Staff,
            _ => return None,
        })
    }

    pub fn code(self) -> String {
        match self {
            Self::Person(p) => format!("person:{}", p.0),
            Self::ClassParents(c) => format!("class_parents:{}", c.0),
            Self::ClassStudents(c) => format!("class_students:{}", c.0),
            Self::ClassTeachers(c) => format!("class_teachers:{}", c.0),
            Self::CourseStudents(c) => format!("course_students:{}", c.0),
            Self::CourseParents(c) => format!("course_parents:{}", c.0),
            Self::Staff => "staff".to_string(),
        }
    }

    /// The kind, for the catalogue (`message.to_<kind>`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::ClassParents(_) => "class_parents",
            Self::ClassStudents(_) => "class_students",
            Self::ClassTeachers(_) => "class_teachers",
            Self::CourseStudents(_) => "course_students",
            Self::CourseParents(_) => "course_parents",
            Self::Staff => "staff",
        }
    }
}

/// A file as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The words of `texts` that the institution's clean-language list forbids (J18).
pub async fn unclean_words(app: &App, institution: InstitutionId, texts: &[&str]) -> Result<Vec<String>, AppError> {
    static BUILTIN: OnceLock<WordList> = OnceLock::new();
    let extra = messages::banned_words(app.db.pool(), institution).await?;
    let builtin = BUILTIN.get_or_init(WordList::builtin);
    let list;
    let list = if extra.is_empty() {
        builtin
    } else {
        list = builtin.clone().with_extra(extra);
        &list
    };
    let mut words: Vec<String> = Vec::new();
    for text in texts {
        for f in list.check(text) {
            if !words.contains(&f.word) {
                words.push(f.word);
            }
        }
    }
    Ok(words)
}

async fn check_language(app: &App, institution: InstitutionId, texts: &[&str]) -> Result<(), AppError> {
    let words = unclean_words(app, institution, texts).await?;
    if words.is_empty() {
        Ok(())
    } else {
        Err(AppError::Unclean(words))
    }
}

/// An upload that passed the checks: its clean name, its real content type, its bytes.
type Checked = (String, &'static str, Vec<u8>);

/// Checks each upload's size and type.
fn check_uploads(uploads: Vec<Upload>) -> Result<Vec<Checked>, AppError> {
    let uploads: Vec<Upload> = uploads.into_iter().filter(|u| !u.name.trim().is_empty()).collect();
    if uploads.len() > MAX_ATTACHMENTS {
        return Err(AppError::invalid("attachments", "message.too_many_files"));
    }
    if uploads.iter().map(|u| u.bytes.len()).sum::<usize>() > MAX_ATTACHMENTS_TOTAL {
        return Err(AppError::invalid("attachments", "message.too_large"));
    }
    uploads
        .into_iter()
        .map(|u| {
            if u.bytes.len() > MAX_ATTACHMENT {
                return Err(AppError::invalid("attachments", "message.too_large"));
            }
            let name = file_type::clean_name(&u.name);
            let content_type = file_type::check(&name, &u.bytes).map_err(|e| match e {
                file_type::FileTypeError::NotAllowed => AppError::invalid("attachments", "message.type_not_allowed"),
                file_type::FileTypeError::Mismatch => AppError::invalid("attachments", "message.type_mismatch"),
            })?;
            Ok((name, content_type, u.bytes))
        })
        .collect()
}

/// The people a choice reaches, and how the sender's list describes it.
async fn resolve(
    app: &App,
    session: &Session,
    inst: InstitutionId,
    to: To,
) -> Result<(Vec<PersonId>, String), AppError> {
    let db = app.db.pool();
    let today = app.today();
    let actor = &session.actor;
    let class_scope = |class| Scope::Class {
        institution: inst,
        class,
    };
    Ok(match to {
        To::Person(p) => {
            let roles = messages::roles_of(db, inst, p, today).await?;
            policy::may_write_to(actor, inst, &roles)?;
            let person = klade_store::people::get(db, p).await?.ok_or(AppError::NotFound)?;
            (vec![p], format!("{} {}", person.given_name, person.family_name))
        }
        To::ClassParents(c) | To::ClassStudents(c) | To::ClassTeachers(c) => {
            let (name, _) = school::class(db, inst, c).await?.ok_or(AppError::NotFound)?;
            policy::authorize(actor, Action::MessageGroup, class_scope(c))?;
            let people = match to {
                To::ClassParents(_) => messages::class_parents(db, inst, c, today).await?,
                To::ClassStudents(_) => journal::class_students(db, inst, c, today)
                    .await?
                    .into_iter()
                    .map(|s| s.id)
                    .collect(),
                _ => messages::class_teachers(db, inst, c, today).await?,
            };
            (people, name)
        }
        To::CourseStudents(k) | To::CourseParents(k) => {
            let course = journal::course(db, inst, k).await?.ok_or(AppError::NotFound)?;
            let scope = Scope::Course {
                institution: inst,
                course: k,
                class: course.class_id,
            };
            policy::authorize(actor, Action::MessageGroup, scope)?;
            let students = messages::course_students(db, inst, k, today).await?;
            let people = if matches!(to, To::CourseParents(_)) {
                messages::parents_of(db, &students).await?
            } else {
                students
            };
            (people, course_label(&course))
        }
        To::Staff => {
            policy::authorize(actor, Action::MessageStaff, Scope::Institution(inst))?;
            (messages::all_staff(db, inst, today).await?, String::new())
        }
    })
}

fn course_label(course: &journal::Course) -> String {
    match &course.class_name {
        Some(class) => format!("{class} {}", course.name),
        None => course.name.clone(),
    }
}

/// A new message.
pub struct Draft {
    pub institution: InstitutionId,
    pub to: Vec<To>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Upload>,
}

/// What the sender's list says a message went to: each choice as (kind, name).
pub fn audience_text(parts: &[(&'static str, String)]) -> String {
    serde_json::to_string(parts).unwrap_or_default()
}

/// Reads a stored audience back as (kind, name) pairs.
pub fn audience_parts(stored: &str) -> Vec<(String, String)> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// Sends a new message; returns its thread.
pub async fn send(app: &App, session: &Session, draft: Draft) -> Result<i64, AppError> {
    let inst = draft.institution;
    let permit = policy::authorize(&session.actor, Action::SendMessages, Scope::Institution(inst))?;
    let subject = draft.subject.trim();
    let body = draft.body.trim();
    if subject.is_empty() {
        return Err(AppError::invalid("subject", "error.required"));
    }
    if body.is_empty() {
        return Err(AppError::invalid("body", "message.empty"));
    }
    if subject.chars().count() > 200 || body.chars().count() > MAX_BODY {
        return Err(AppError::invalid("body", "message.too_long"));
    }
    if draft.to.is_empty() {
        return Err(AppError::invalid("to", "message.no_recipients"));
    }
    let mut recipients = Vec::new();
    let mut parts = Vec::new();
    for to in &draft.to {
        let (people, name) = resolve(app, session, inst, *to).await?;
        recipients.extend(people);
        parts.push((to.kind(), name));
    }
    recipients.sort();
    recipients.dedup();
    recipients.retain(|p| *p != session.person);
    if recipients.is_empty() {
        return Err(AppError::invalid("to", "message.no_recipients"));
    }
    check_language(app, inst, &[subject, body]).await?;
    let files = check_uploads(draft.attachments)?;
    let id = write(
        app,
        session,
        permit.tenant(),
        None,
        None,
        subject,
        body,
        &audience_text(&parts),
        &recipients,
        files,
    )
    .await?;
    Ok(id)
}

#[expect(
    clippy::too_many_arguments,
    reason = "the step works inside its caller's transaction on what the caller has checked"
)]
async fn write(
    app: &App,
    session: &Session,
    tenant: klade_domain::Tenant,
    thread: Option<i64>,
    reply_to: Option<i64>,
    subject: &str,
    body: &str,
    audience: &str,
    recipients: &[PersonId],
    files: Vec<Checked>,
) -> Result<i64, AppError> {
    let inst = tenant.id();
    let now = app.now();
    let search_text = format!("{subject}\n{body}\n{}", session.name).to_lowercase();
    let mut tx = app.db.begin().await?;
    let id = messages::insert(
        &mut tx,
        &NewMessage {
            institution: inst,
            thread,
            reply_to,
            sender: session.person,
            subject,
            body,
            audience,
            search_text: &search_text,
            now,
        },
        recipients,
    )
    .await?;
    for (name, content_type, bytes) in files {
        let sha = crate::auth::sha256_hex(&bytes);
        let file = files::put(&mut tx, tenant, &sha, content_type, &bytes, now).await?;
        messages::add_attachment(&mut tx, id, file, &name).await?;
    }
    let payload = serde_json::json!({ "institution": inst, "message": id });
    klade_store::jobs::enqueue(&mut *tx, "message", &payload.to_string(), now).await?;
    tx.commit().await?;
    Ok(thread.unwrap_or(id))
}

/// Answers a message in its thread: to its sender, or, when one answers one's own message, to
/// its recipients again. Returns the thread.
pub async fn reply(
    app: &App,
    session: &Session,
    message: i64,
    body: &str,
    attachments: Vec<Upload>,
) -> Result<i64, AppError> {
    let db = app.db.pool();
    let original = messages::one(db, message, session.person)
        .await?
        .ok_or(AppError::NotFound)?;
    let inst = original.institution_id;
    let permit = policy::authorize(&session.actor, Action::SendMessages, Scope::Institution(inst))?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "message.empty"));
    }
    if body.chars().count() > MAX_BODY {
        return Err(AppError::invalid("body", "message.too_long"));
    }
    let (recipients, audience) = if original.sender_id == session.person {
        (messages::recipients(db, message).await?, original.audience.clone())
    } else {
        let roles = messages::roles_of(db, inst, original.sender_id, app.today()).await?;
        // A sender who has left the institution can no longer be answered here.
        policy::may_write_to(&session.actor, inst, &roles)?;
        (
            vec![original.sender_id],
            audience_text(&[("person", original.sender.clone())]),
        )
    };
    if recipients.is_empty() {
        return Err(AppError::invalid("to", "message.no_recipients"));
    }
    check_language(app, inst, &[body]).await?;
    let files = check_uploads(attachments)?;
    let subject = original.subject.clone();
    write(
        app,
        session,
        permit.tenant(),
        Some(original.thread_id),
        Some(message),
        &subject,
        body,
        &audience,
        &recipients,
        files,
    )
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Folder {
    Inbox,
    Sent,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Listing {
    pub folder: Folder,
    pub items: Vec<Listed>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// A page of the inbox or of the sent messages, newest first; `search` looks in subjects,
/// texts and senders' names.
pub async fn list(app: &App, session: &Session, folder: Folder, search: &str, page: i64) -> Result<Listing, AppError> {
    let search = search.trim().to_lowercase();
    let page = page.max(1);
    let mut conn = app.db.pool().acquire().await?;
    let (items, total) = match folder {
        Folder::Inbox => messages::inbox(&mut conn, session.person, &search, PAGE, (page - 1) * PAGE).await?,
        Folder::Sent => messages::sent(&mut conn, session.person, &search, PAGE, (page - 1) * PAGE).await?,
    };
    Ok(Listing {
        folder,
        items,
        total,
        page,
        pages: ((total + PAGE - 1) / PAGE).max(1),
    })
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Thread {
    pub id: i64,
    pub subject: String,
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
    /// For the reader's own messages: who received each and when they read it.
    pub receipts: Vec<Receipt>,
}

/// A thread as its reader sees it; opening it marks what they received there as read.
pub async fn thread(app: &App, session: &Session, id: i64) -> Result<Thread, AppError> {
    let db = app.db.pool();
    let list = messages::thread(db, id, session.person).await?;
    let first = list.first().ok_or(AppError::NotFound)?;
    let subject = first.subject.clone();
    messages::mark_read(db, id, session.person, app.now()).await?;
    let mut attachments = messages::attachments(db, id).await?;
    attachments.retain(|a| list.iter().any(|m| m.id == a.message_id));
    Ok(Thread {
        id,
        subject,
        attachments,
        receipts: messages::receipts(db, id, session.person).await?,
        messages: list,
    })
}

/// The thread of a message the reader sent or received.
pub async fn thread_of(app: &App, session: &Session, message: i64) -> Result<i64, AppError> {
    Ok(messages::one(app.db.pool(), message, session.person)
        .await?
        .ok_or(AppError::NotFound)?
        .thread_id)
}

/// An attachment of a message the reader sent or received: (name, content type, bytes).
pub async fn attachment(app: &App, session: &Session, id: i64) -> Result<(String, String, Vec<u8>), AppError> {
    messages::attachment_for(app.db.pool(), id, session.person)
        .await?
        .ok_or(AppError::NotFound)
}

/// A group the writer may address, for the form: (code, kind, name).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    pub code: String,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Choices {
    pub institution: InstitutionId,
    /// Its kind, for the roles' names (a preschool's director is its head).
    pub kind: klade_domain::InstitutionKind,
    pub institutions: Vec<(InstitutionId, String)>,
    pub groups: Vec<Group>,
    /// People found by the search (staff), or the staff a family may write to.
    pub people: Vec<Member>,
}

/// What the writer may choose from in `institution` (their first when `None`): the groups
/// their work reaches, and people — for families, the staff; for staff, those the search finds,
/// and those `chosen` before (a "write to" link, a form sent back) who are among whom they may
/// choose here: an id of anyone else shows nothing.
pub async fn choices(
    app: &App,
    session: &Session,
    institution: Option<InstitutionId>,
    search: &str,
    chosen: &[PersonId],
) -> Result<Choices, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let actor = &session.actor;
    let mut institutions = Vec::new();
    let mut kinds = Vec::new();
    for i in actor.institutions() {
        if let Some(inst) = klade_store::institutions::get(db, i).await? {
            institutions.push((i, inst.name));
            kinds.push((i, inst.kind));
        }
    }
    let inst = institution
        .or_else(|| institutions.first().map(|(i, _)| *i))
        .ok_or(AppError::NotFound)?;
    let kind = kinds
        .iter()
        .find(|(i, _)| *i == inst)
        .map_or(klade_domain::InstitutionKind::General, |(_, k)| *k);
    policy::authorize(actor, Action::SendMessages, Scope::Institution(inst))?;
    let is_staff = actor.roles_in(inst).iter().any(|r| r.is_staff());
    let mut groups = Vec::new();
    if is_staff {
        if policy::authorize(actor, Action::MessageStaff, Scope::Institution(inst)).is_ok() {
            groups.push(Group {
                code: To::Staff.code(),
                kind: "staff",
                name: String::new(),
            });
        }
        for c in school::classes_of(db, inst, today).await? {
            let scope = Scope::Class {
                institution: inst,
                class: c.id,
            };
            if policy::authorize(actor, Action::MessageGroup, scope).is_ok() {
                for to in [To::ClassParents(c.id), To::ClassStudents(c.id), To::ClassTeachers(c.id)] {
                    groups.push(Group {
                        code: to.code(),
                        kind: to.kind(),
                        name: c.name.clone(),
                    });
                }
            }
        }
        for (i, k) in &actor.courses {
            if *i != inst {
                continue;
            }
            if let Some(course) = journal::course(db, inst, *k).await? {
                for to in [To::CourseStudents(*k), To::CourseParents(*k)] {
                    groups.push(Group {
                        code: to.code(),
                        kind: to.kind(),
                        name: course_label(&course),
                    });
                }
            }
        }
    }
    let search = search.trim().to_lowercase();
    let people = if !is_staff {
        messages::members(db, inst, today, &search, true, 200).await?
    } else if search.chars().count() >= 2 {
        messages::members(db, inst, today, &search, false, 30).await?
    } else {
        Vec::new()
    };
    let mut people: Vec<Member> = people.into_iter().filter(|m| m.id != session.person).collect();
    let missing: Vec<PersonId> = chosen
        .iter()
        .copied()
        .filter(|p| *p != session.person && !people.iter().any(|m| m.id == *p))
        .collect();
    if !missing.is_empty() {
        people.extend(
            messages::members(db, inst, today, "", !is_staff, usize::MAX)
                .await?
                .into_iter()
                .filter(|m| missing.contains(&m.id)),
        );
    }
    Ok(Choices {
        institution: inst,
        kind,
        institutions,
        groups,
        people,
    })
}

/// The institution's own additions to the clean-language list.
pub async fn banned_words(app: &App, session: &Session, institution: InstitutionId) -> Result<Vec<String>, AppError> {
    policy::authorize(&session.actor, Action::ManageWordList, Scope::Institution(institution))?;
    Ok(messages::banned_words(app.db.pool(), institution).await?)
}

/// Replaces the institution's additions, one word or stem per line.
pub async fn set_banned_words(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    text: &str,
) -> Result<usize, AppError> {
    let permit = policy::authorize(&session.actor, Action::ManageWordList, Scope::Institution(institution))?;
    let mut words: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    words.sort();
    words.dedup();
    if words.iter().any(|w| w.chars().count() > 60) {
        return Err(AppError::invalid("words", "message.word_too_long"));
    }
    let mut tx = app.db.begin().await?;
    messages::set_banned_words(&mut tx, permit.tenant(), &words).await?;
    tx.commit().await?;
    Ok(words.len())
}
