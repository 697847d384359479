//! Parent–teacher meetings: a class's tutor or one of its teachers publishes an evening's slots
//! (a place, an online address, or both) with a deadline for booking; each parent books one slot
//! per child and may move or cancel it until the deadline; the host sees who booked and who has
//! not, reminds the rest by e-mail, and may cancel the meeting. Both sides get a reminder the day
//! before (held in the quiet hours like every notice). Only the policy decides who may do what.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::{Date, Time};
use klade_domain::meetings::{self as rules, SlotError};
use klade_domain::policy::{self, Action, Permit, Scope};
use klade_domain::{ClassId, InstitutionId, PersonId, Role};
pub use klade_store::meetings::{Booking, Meeting, Slot};
use klade_store::{jobs, journal, meetings as store, people, school};

/// A reminder leaves this long before the slot (or at once when booked later than that).
pub const REMIND_BEFORE_SECS: i64 = 24 * 3600;
/// Meetings stay listed this long after their last slot ends.
const LISTED_AFTER_SECS: i64 = 7 * 24 * 3600;

/// A class the signed-in person may hold meetings for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HostClass {
    pub institution: InstitutionId,
    pub class: ClassId,
    pub name: String,
}

/// The classes one tutors, leads (a preschool group) or teaches a course of, this school year.
pub async fn host_classes(app: &App, session: &Session) -> Result<Vec<HostClass>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let mut out: Vec<HostClass> = Vec::new();
    let mut push = |institution, class, name: &str| {
        if !out.iter().any(|c| c.institution == institution && c.class == class) {
            out.push(HostClass {
                institution,
                class,
                name: name.to_string(),
            });
        }
    };
    for c in school::tutored_classes(db, session.person, today).await? {
        if permit(session, c.institution_id, c.id, &[]).is_ok() {
            push(c.institution_id, c.id, &c.name);
        }
    }
    for institution in session.actor.institutions() {
        if !session.actor.courses.iter().any(|(i, _)| *i == institution) {
            continue;
        }
        for course in journal::courses_for(db, institution, session.person, today, false).await? {
            if let (Some(class), Some(name)) = (course.class_id, course.class_name.as_deref()) {
                if permit(session, institution, class, &[course.id]).is_ok() {
                    push(institution, class, name);
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The policy's answer for holding a meeting of `class`: as its tutor (or a preschool group's
/// teacher), or as the teacher of one of `courses` (the class's courses they teach).
fn permit(
    session: &Session,
    institution: InstitutionId,
    class: ClassId,
    courses: &[klade_domain::CourseId],
) -> Result<Permit, AppError> {
    let as_tutor = policy::authorize(
        &session.actor,
        Action::HoldMeetings,
        Scope::Class { institution, class },
    );
    if let Ok(p) = as_tutor {
        return Ok(p);
    }
    for course in courses {
        let scope = Scope::Course {
            institution,
            course: *course,
            class: Some(class),
        };
        if let Ok(p) = policy::authorize(&session.actor, Action::HoldMeetings, scope) {
            return Ok(p);
        }
    }
    Err(as_tutor.err().map_or(AppError::NotFound, AppError::from))
}

/// The permit to hold a meeting of `class`, looking up which of its courses the person teaches.
async fn host_permit(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    class: ClassId,
) -> Result<Permit, AppError> {
    if let Ok(p) = permit(session, institution, class, &[]) {
        return Ok(p);
    }
    let courses: Vec<_> = journal::courses_of_class(app.db.pool(), institution, class)
        .await?
        .into_iter()
        .map(|c| c.id)
        .filter(|c| session.actor.courses.contains(&(institution, *c)))
        .collect();
    permit(session, institution, class, &courses)
}

/// A meeting as it was typed into the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Draft {
    pub class: i64,
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub link: String,
    /// The day, `2026-12-10` or `10.12.2026.`.
    pub day: String,
    /// `17:00`.
    pub from: String,
    pub until: String,
    pub minutes: i64,
    /// The last day and time bookings are taken.
    pub book_by_day: String,
    pub book_by_time: String,
}

fn typed_time(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0, 0).ok()
}

fn instant(day: Date, time: Time) -> Result<i64, AppError> {
    day.to_datetime(time)
        .to_zoned(crate::clock::riga())
        .map(|z| z.timestamp().as_second())
        .map_err(|_| AppError::invalid("from", "meetings.bad_time"))
}

/// Publishes a meeting of one of the host's classes; returns its id.
pub async fn create(app: &App, session: &Session, draft: &Draft) -> Result<i64, AppError> {
    let title = draft.title.trim();
    let place = draft.place.trim();
    let link = draft.link.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", "meetings.title_required"));
    }
    if [title, place].iter().any(|t| t.chars().count() > rules::MAX_TEXT) {
        return Err(AppError::invalid("title", "meetings.too_long"));
    }
    if place.is_empty() && link.is_empty() {
        return Err(AppError::invalid("place", "meetings.place_required"));
    }
    if !link.is_empty() && !rules::is_meeting_link(link) {
        return Err(AppError::invalid("link", "meetings.bad_link"));
    }
    let day = crate::clock::parse_typed_date(&draft.day).ok_or(AppError::invalid("day", "meetings.bad_day"))?;
    let from = typed_time(&draft.from).ok_or(AppError::invalid("from", "meetings.bad_time"))?;
    let until = typed_time(&draft.until).ok_or(AppError::invalid("until", "meetings.bad_time"))?;
    let cut = rules::slots(day, from, until, draft.minutes).map_err(|e| match e {
        SlotError::Minutes => AppError::invalid("minutes", "meetings.bad_minutes"),
        SlotError::Empty => AppError::invalid("until", "meetings.empty"),
        SlotError::TooMany => AppError::invalid("minutes", "meetings.too_many"),
    })?;
    let mut slots = Vec::with_capacity(cut.len());
    for (start, end) in cut {
        slots.push((instant(start.date(), start.time())?, instant(end.date(), end.time())?));
    }
    let now = app.now();
    let first = slots.first().map_or(0, |s| s.0);
    if first <= now {
        return Err(AppError::invalid("day", "meetings.past"));
    }
    let book_by_day = crate::clock::parse_typed_date(&draft.book_by_day)
        .ok_or(AppError::invalid("book_by_day", "meetings.bad_day"))?;
    let book_by_time = typed_time(&draft.book_by_time).ok_or(AppError::invalid("book_by_time", "meetings.bad_time"))?;
    let book_by = instant(book_by_day, book_by_time)?;
    if book_by <= now || book_by > first {
        return Err(AppError::invalid("book_by_day", "meetings.bad_deadline"));
    }
    let class = host_classes(app, session)
        .await?
        .into_iter()
        .find(|c| c.class.0 == draft.class)
        .ok_or(AppError::invalid("class", "meetings.not_your_class"))?;
    let permit = host_permit(app, session, class.institution, class.class).await?;
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut tx,
        permit.tenant(),
        &store::NewMeeting {
            class: class.class,
            host: session.person,
            title,
            place,
            link: (!link.is_empty()).then_some(link),
            book_by,
            slots: &slots,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The meetings the signed-in person published, from a week ago on.
pub async fn hosted(app: &App, session: &Session) -> Result<Vec<Meeting>, AppError> {
    Ok(store::hosted_by(app.db.pool(), session.person, app.now() - LISTED_AFTER_SECS).await?)
}

/// A meeting as its host (or another who may hold meetings of its class) sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HostView {
    pub meeting: Meeting,
    pub slots: Vec<Slot>,
    /// The class's students with no slot booked.
    pub not_booked: Vec<journal::Student>,
}

async fn hosted_meeting(app: &App, session: &Session, id: i64) -> Result<(Meeting, Permit), AppError> {
    let db = app.db.pool();
    let institution = store::institution_of(db, id).await?.ok_or(AppError::NotFound)?;
    let meeting = store::get(db, institution, id).await?.ok_or(AppError::NotFound)?;
    let permit = host_permit(app, session, institution, meeting.class_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok((meeting, permit))
}

pub async fn host_view(app: &App, session: &Session, id: i64) -> Result<HostView, AppError> {
    let (meeting, _) = hosted_meeting(app, session, id).await?;
    let db = app.db.pool();
    let slots = store::slots(db, meeting.institution_id, &[id]).await?;
    let day = crate::clock::riga_date(jiff::Timestamp::from_second(meeting.starts_at).unwrap_or_default());
    let on = day.max(app.today());
    let not_booked = journal::class_students(db, meeting.institution_id, meeting.class_id, on)
        .await?
        .into_iter()
        .filter(|s| !slots.iter().any(|x| x.student_id == Some(s.id)))
        .collect();
    Ok(HostView {
        meeting,
        slots,
        not_booked,
    })
}

/// Cancels a meeting; the families who booked are told by e-mail.
pub async fn cancel(app: &App, session: &Session, id: i64) -> Result<(), AppError> {
    let (meeting, permit) = hosted_meeting(app, session, id).await?;
    let now = app.now();
    let slots = store::slots(app.db.pool(), meeting.institution_id, &[id]).await?;
    let mut tx = app.db.begin().await?;
    if !store::cancel(&mut *tx, permit.tenant(), id, now).await? {
        return Ok(());
    }
    let when = crate::clock::format_instant(meeting.starts_at);
    for s in slots.iter().filter(|s| s.student_id.is_some()) {
        let (Some(parent), Some(student)) = (s.booked_by, s.student.as_deref()) else {
            continue;
        };
        let text = format!(
            "Klade: sapulce “{}” {when} ir atcelta; {student} pieraksts uz {} vairs nav spēkā.",
            meeting.title,
            crate::clock::format_instant(s.starts_at)
        );
        email(
            &mut tx,
            meeting.institution_id,
            parent,
            "Klade: sapulce atcelta",
            &text,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Asks the parents of every student with no slot yet to book one, by e-mail; returns how many
/// parents were asked.
pub async fn remind_unbooked(app: &App, session: &Session, id: i64) -> Result<usize, AppError> {
    let view = host_view(app, session, id).await?;
    let m = &view.meeting;
    let now = app.now();
    if m.cancelled_at.is_some() || m.book_by <= now {
        return Err(AppError::invalid("meeting", "meetings.closed"));
    }
    let mut tx = app.db.begin().await?;
    let mut asked = 0;
    for student in &view.not_booked {
        for parent in people::parents(&mut *tx, m.institution_id, student.id).await? {
            let text = format!(
                "Klade: {} aicina pierakstīties uz sapulci “{}” ({}) par {} {}. Pierakstīties var līdz {} sadaļā “Sapulces”.",
                m.host,
                m.title,
                crate::clock::format_instant(m.starts_at),
                student.given_name,
                student.family_name,
                crate::clock::format_instant(m.book_by),
            );
            if email(
                &mut tx,
                m.institution_id,
                parent.id,
                "Klade: pierakstieties uz sapulci",
                &text,
                now,
            )
            .await?
            {
                asked += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(asked)
}

/// Queues an e-mail to `person` when they have an address; false when they have none.
async fn email(
    tx: &mut klade_store::Tx,
    institution: InstitutionId,
    person: PersonId,
    subject: &str,
    text: &str,
    now: i64,
) -> Result<bool, AppError> {
    let Some(to) = people::get(&mut **tx, person).await?.and_then(|p| p.email) else {
        return Ok(false);
    };
    let payload = serde_json::json!({
        "institution": institution.0, "person": person.0, "to": to, "subject": subject, "text": text,
    });
    jobs::enqueue(&mut **tx, "email_to", &payload.to_string(), now).await?;
    Ok(true)
}

/// A slot as a family sees it: free, taken, or their child's — never whose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FamilySlot {
    pub id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub taken: bool,
}

/// A meeting of a child's class as a parent sees it: for which child, its slots, and which one
/// (if any) is booked for that child.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FamilyMeeting {
    pub student_id: PersonId,
    pub student: String,
    pub meeting: Meeting,
    pub slots: Vec<FamilySlot>,
    /// The slot booked for this child.
    pub booked: Option<i64>,
    /// Bookings are still taken and cancelled.
    pub open: bool,
}

/// The meetings of the signed-in parent's children's classes, from a week ago on.
pub async fn for_family(app: &App, session: &Session) -> Result<Vec<FamilyMeeting>, AppError> {
    let db = app.db.pool();
    let now = app.now();
    let children: Vec<&school::Placement> = session
        .students
        .iter()
        .filter(|p| session.actor.children.contains(&(p.institution_id, p.student_id)))
        .collect();
    let classes: Vec<(InstitutionId, ClassId)> = children.iter().map(|p| (p.institution_id, p.class_id)).collect();
    let meetings = store::of_classes(db, &classes, now - LISTED_AFTER_SECS).await?;
    let mut out = Vec::new();
    for institution in session.actor.institutions() {
        let ids: Vec<i64> = meetings
            .iter()
            .filter(|m| m.institution_id == institution)
            .map(|m| m.id)
            .collect();
        let slots = store::slots(db, institution, &ids).await?;
        for m in meetings.iter().filter(|m| m.institution_id == institution) {
            for child in children
                .iter()
                .filter(|p| p.institution_id == m.institution_id && p.class_id == m.class_id)
            {
                let mine: Vec<&Slot> = slots.iter().filter(|s| s.meeting_id == m.id).collect();
                let booked = mine
                    .iter()
                    .find(|s| s.student_id == Some(child.student_id))
                    .map(|s| s.id);
                out.push(FamilyMeeting {
                    student_id: child.student_id,
                    student: format!("{} {}", child.given_name, child.family_name),
                    meeting: m.clone(),
                    open: m.cancelled_at.is_none() && now < m.book_by,
                    // Who took the other slots is not theirs to see.
                    slots: mine
                        .into_iter()
                        .map(|s| FamilySlot {
                            id: s.id,
                            starts_at: s.starts_at,
                            ends_at: s.ends_at,
                            taken: s.student_id.is_some(),
                        })
                        .collect(),
                    booked,
                });
            }
        }
    }
    Ok(out)
}

/// The meeting of a child's class and the permit to book in it for that child.
async fn family_meeting(
    app: &App,
    session: &Session,
    id: i64,
    student: PersonId,
) -> Result<(Meeting, Permit), AppError> {
    let db = app.db.pool();
    let institution = store::institution_of(db, id).await?.ok_or(AppError::NotFound)?;
    let meeting = store::get(db, institution, id).await?.ok_or(AppError::NotFound)?;
    let in_class = session
        .students
        .iter()
        .any(|p| p.student_id == student && p.institution_id == institution && p.class_id == meeting.class_id);
    let permit = policy::authorize(
        &session.actor,
        Action::BookMeetings,
        Scope::Student {
            institution,
            student,
            class: Some(meeting.class_id),
        },
    )
    .map_err(|_| AppError::NotFound)?;
    if !in_class {
        return Err(AppError::NotFound);
    }
    if meeting.cancelled_at.is_some() {
        return Err(AppError::invalid("slot", "meetings.cancelled"));
    }
    if app.now() >= meeting.book_by {
        return Err(AppError::invalid("slot", "meetings.closed"));
    }
    Ok((meeting, permit))
}

/// Books `slot` of a meeting for the parent's `student`, moving an earlier booking of the same
/// meeting; a reminder to the parent and the host is queued for the day before.
pub async fn book(app: &App, session: &Session, id: i64, slot: i64, student: PersonId) -> Result<(), AppError> {
    let (meeting, permit) = family_meeting(app, session, id, student).await?;
    let now = app.now();
    let starts_at = store::slots(app.db.pool(), meeting.institution_id, &[id])
        .await?
        .into_iter()
        .find(|s| s.id == slot)
        .ok_or(AppError::invalid("slot", "meetings.no_slot"))?
        .starts_at;
    if starts_at <= now {
        return Err(AppError::invalid("slot", "meetings.closed"));
    }
    let mut tx = app.db.begin().await?;
    if !store::book(&mut tx, permit.tenant(), id, slot, student, session.person, now).await? {
        return Err(AppError::invalid("slot", "meetings.taken"));
    }
    let payload = serde_json::json!({ "slot": slot, "student": student.0, "starts_at": starts_at });
    let due = (starts_at - REMIND_BEFORE_SECS).max(now);
    jobs::enqueue_after(&mut *tx, "meeting_reminder", &payload.to_string(), now, due).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels the booking of a meeting for the parent's `student`, until the deadline.
pub async fn unbook(app: &App, session: &Session, id: i64, student: PersonId) -> Result<(), AppError> {
    let (_, permit) = family_meeting(app, session, id, student).await?;
    let mut tx = app.db.begin().await?;
    store::unbook(&mut tx, permit.tenant(), id, student).await?;
    tx.commit().await?;
    Ok(())
}

/// The bookings of the signed-in parent's children in the next two weeks, soonest first, as
/// the home page shows them.
pub async fn upcoming_for_family(app: &App, session: &Session) -> Result<Vec<Booking>, AppError> {
    let children: Vec<PersonId> = session.actor.children.iter().map(|(_, c)| *c).collect();
    let now = app.now();
    Ok(store::bookings_of(app.db.pool(), &children, now, now + 14 * 24 * 3600).await?)
}

/// May this person hold meetings anywhere (the menu's question)?
pub fn hosts(actor: &klade_domain::Actor) -> bool {
    actor
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::Tutor | Role::Teacher | Role::PreschoolTeacher))
}
