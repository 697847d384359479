//! A preschool group's monthly plan (J24, J25) and the teacher's talks with parents (J28, "Žurnāla
//! pielikumi"); the journal check (J29) is `journal_checks`.
//!
//! Plans are journal values: every change is written to the history chain in the same
//! transaction (`plan:<plan>:<field>`), and `klade verify` compares them with
//! what is stored. Talks are the teacher's notes, not journal values. This module does not render
//! anything and does not decide rights itself: it asks the policy.

use crate::auth::Session;
use crate::{clock, App, AppError};
use jiff::civil::Date;
use klade_domain::calendar::Calendar;
use klade_domain::journal_item::Item;
use klade_domain::preschool::{LEARNING_AREAS, TRANSVERSAL_SKILLS};
use klade_domain::{policy, Action, ClassId, InstitutionId, Permit, PersonId, Scope};
use klade_store::history::{self, Change, Entry};
use klade_store::journal_checks::Journal;
use klade_store::preschool_plans::{self as store, NewTalk, Plan, Talk};
use klade_store::{journal, school};

/// The plan's first fields (J24): theme, message to the child, content, values and virtues.
pub const BASIC_FIELDS: [&str; 4] = ["theme", "message", "content", "values"];
/// The additional information (J25).
pub const EXTRA_FIELDS: [&str; 7] = [
    "excursions",
    "walks",
    "safety",
    "parents",
    "events",
    "talking_wall",
    "other",
];
/// The longest text one field may hold; a plan is a page of text, not a document store.
const MAX_TEXT: usize = 10_000;

/// Every field of a plan in the order the page shows them: the basic fields, the achievable
/// results per learning area (`area_<code>`), the transversal skills (`skill_<code>`), then the
/// additional information.
pub fn plan_fields() -> Vec<String> {
    let mut out: Vec<String> = BASIC_FIELDS.iter().map(|f| f.to_string()).collect();
    out.extend(LEARNING_AREAS.iter().map(|a| format!("area_{a}")));
    out.extend(TRANSVERSAL_SKILLS.iter().map(|s| format!("skill_{s}")));
    out.extend(EXTRA_FIELDS.iter().map(|f| f.to_string()));
    out
}

/// The first day of a `YYYY-MM` month.
pub fn parse_month(month: &str) -> Result<Date, AppError> {
    let m = month.trim();
    if m.len() != 7 {
        return Err(AppError::invalid("month", "plan.bad_month"));
    }
    format!("{m}-01")
        .parse::<Date>()
        .map_err(|_| AppError::invalid("month", "plan.bad_month"))
}

/// `YYYY-MM` of a date.
pub fn month_of(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// A plan is due by the last working day of the month before (J24).
pub fn due_date(cal: &Calendar, first_of_month: Date) -> Option<Date> {
    klade_domain::deadlines::plan_due(cal, first_of_month)
}

/// Filed after the end of its due day, in Riga, a plan is late.
pub fn is_late(cal: &Calendar, first_of_month: Date, now: jiff::Timestamp) -> bool {
    match due_date(cal, first_of_month) {
        Some(due) => clock::riga_date(now) > due,
        None => false,
    }
}

fn today(app: &App) -> Result<Date, AppError> {
    Ok(app.today())
}

/// A group's name and institution; the caller asks the policy next.
async fn group(app: &App, class: ClassId) -> Result<(InstitutionId, String), AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let (name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    Ok((inst, name))
}

fn class_scope(institution: InstitutionId, class: ClassId) -> Scope {
    Scope::Class { institution, class }
}

/// Who reads a group's pages: its staff (the teachers, the administration) read everything; a
/// parent reads what concerns their children in the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    Staff,
    Family(Vec<PersonId>),
}

async fn reader_of(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    class: ClassId,
) -> Result<(Permit, Reader), AppError> {
    let denied = match policy::authorize(&session.actor, Action::ViewJournal, class_scope(institution, class)) {
        Ok(p) => return Ok((p, Reader::Staff)),
        Err(d) => d,
    };
    let children: Vec<PersonId> = session
        .actor
        .children
        .iter()
        .filter(|(i, _)| *i == institution)
        .map(|(_, c)| *c)
        .collect();
    let mut permit = None;
    let mut mine = Vec::new();
    for p in school::placements(app.db.pool(), &children, app.today()).await? {
        if p.class_id != class || p.institution_id != institution {
            continue;
        }
        let scope = Scope::Student {
            institution,
            student: p.student_id,
            class: Some(class),
        };
        if let Ok(ok) = policy::authorize(&session.actor, Action::ViewDiary, scope) {
            permit = Some(ok);
            mine.push(p.student_id);
        }
    }
    match permit {
        Some(p) => Ok((p, Reader::Family(mine))),
        None => Err(AppError::Forbidden(denied)),
    }
}

/// A group's plan for a month, as its page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanView {
    pub group: ClassId,
    pub group_name: String,
    pub institution: InstitutionId,
    pub month: String,
    /// The last working day of the month before (J24).
    pub due: Option<Date>,
    pub plan: Option<Plan>,
    /// Every change of the plan's fields, oldest first; staff only.
    pub history: Vec<Entry>,
    pub can_edit: bool,
    /// The reader is staff (a teacher of the group, the administration), not a parent.
    pub staff: bool,
    /// The month has ended: the plan can no longer change.
    pub past: bool,
    /// Journal-check findings of the group not yet corrected; staff only.
    pub open_checks: i64,
}

pub async fn plan(app: &App, session: &Session, class: ClassId, month: &str) -> Result<PlanView, AppError> {
    let (inst, group_name) = group(app, class).await?;
    let (permit, who) = reader_of(app, session, inst, class).await?;
    let inst = permit.institution();
    let first = parse_month(month)?;
    let month = month_of(first);
    let db = app.db.pool();
    let plan = store::plan(db, inst, class, &month).await?;
    let staff = who == Reader::Staff;
    let history = match (&plan, staff) {
        (Some(p), true) => history::entries(db, inst, &Item::Plan(p.id).to_string()).await?,
        _ => Vec::new(),
    };
    Ok(PlanView {
        group: class,
        group_name,
        institution: inst,
        due: due_date(&crate::calendar::of(app, inst).await?.0, first),
        past: first < today(app)?.first_of_month(),
        plan,
        month,
        history,
        can_edit: session.actor.may(Action::KeepJournal, class_scope(inst, class)),
        staff,
        open_checks: if staff {
            klade_store::journal_checks::open_count(db, inst, Journal::Group(class)).await?
        } else {
            0
        },
    })
}

/// What a save did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Saved {
    pub id: i64,
    pub late: bool,
    /// How many fields changed (0: nothing was written).
    pub changed: usize,
}

/// The teacher files or changes a group's plan for a month. `values` are (field, text) pairs;
/// fields not named keep no text. A month already ended is refused and nothing is written.
pub async fn save_plan(
    app: &App,
    session: &Session,
    class: ClassId,
    month: &str,
    values: &[(String, String)],
) -> Result<Saved, AppError> {
    let (inst, _) = group(app, class).await?;
    let permit = policy::authorize(&session.actor, Action::KeepJournal, class_scope(inst, class))?;
    let inst = permit.institution();
    let first = parse_month(month)?;
    if first < today(app)?.first_of_month() {
        return Err(AppError::invalid("month", "plan.past"));
    }
    let month = month_of(first);
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for field in plan_fields() {
        let text = values
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.trim().replace("\r\n", "\n"))
            .filter(|v| !v.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(AppError::invalid("plan", "plan.too_long"));
        }
        wanted.push((field, text));
    }
    if wanted.first().is_none_or(|(_, t)| t.is_none()) {
        return Err(AppError::invalid("theme", "error.required"));
    }
    let late = is_late(&crate::calendar::of(app, inst).await?.0, first, app.clock.now());
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let (id, created) = store::ensure_plan(&mut tx, permit.tenant(), class, &month, late, session.person, now).await?;
    let before = store::plan(&mut *tx, inst, class, &month)
        .await?
        .map(|p| p.fields)
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (field, text) in &wanted {
        let old = before.get(field).cloned();
        if old == *text {
            continue;
        }
        store::set_field(&mut tx, permit.tenant(), id, field, text.as_deref()).await?;
        changes.push(Change {
            item: Item::PlanField(id, field.clone()).to_string(),
            old,
            new: text.clone(),
            reason: None,
            person: session.person,
            at: now,
        });
    }
    if !changes.is_empty() && !created {
        store::touch(&mut tx, permit.tenant(), id, session.person, now).await?;
    }
    history::append(&mut tx, app.db.backend(), permit.tenant(), &changes).await?;
    tx.commit().await?;
    // A plan filed before keeps the lateness of its first filing.
    let late = if created {
        late
    } else {
        store::plan(app.db.pool(), inst, class, &month)
            .await?
            .is_some_and(|p| p.late)
    };
    Ok(Saved {
        id,
        late,
        changed: changes.len(),
    })
}

/// Where a group's plan for a month stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Filed by its due day.
    OnTime,
    /// Filed after its due day.
    Late,
    /// Not filed, and the due day is past.
    Missing,
    /// Not filed yet; the due day has not passed.
    NotYetDue,
}

impl PlanStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::OnTime => "on_time",
            Self::Late => "late",
            Self::Missing => "missing",
            Self::NotYetDue => "not_yet_due",
        }
    }

    /// Does the deputy head need to look at it?
    pub fn needs_attention(self) -> bool {
        matches!(self, Self::Late | Self::Missing)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupPlan {
    pub group: ClassId,
    pub group_name: String,
    pub month: String,
    pub due: Option<Date>,
    pub status: PlanStatus,
}

/// The deputy head's view (J24): every group's plan for the current and the coming month.
pub async fn overview(app: &App, session: &Session, institution: InstitutionId) -> Result<Vec<GroupPlan>, AppError> {
    let permit = policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(institution))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let today = today(app)?;
    let this = today.first_of_month();
    let next = this
        .last_of_month()
        .tomorrow()
        .map_err(|_| AppError::Internal("month".into()))?;
    let months = [this, next];
    let names: Vec<String> = months.iter().map(|m| month_of(*m)).collect();
    let filed = store::filed(db, inst, &names).await?;
    let (cal, _) = crate::calendar::of(app, inst).await?;
    let mut out = Vec::new();
    for c in school::classes_of(db, inst, today).await? {
        if c.kind != klade_domain::ClassKind::Group {
            continue;
        }
        for (first, name) in months.iter().zip(&names) {
            let due = due_date(&cal, *first);
            let status = match filed.iter().find(|(g, m, _, _)| *g == c.id && m == name) {
                Some((_, _, true, _)) => PlanStatus::Late,
                Some(_) => PlanStatus::OnTime,
                None if due.is_some_and(|d| today > d) => PlanStatus::Missing,
                None => PlanStatus::NotYetDue,
            };
            out.push(GroupPlan {
                group: c.id,
                group_name: c.name.clone(),
                month: name.clone(),
                due,
                status,
            });
        }
    }
    Ok(out)
}

/// A group's talks with parents, as the reader may see them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TalksView {
    pub group: ClassId,
    pub group_name: String,
    pub institution: InstitutionId,
    pub talks: Vec<Talk>,
    pub can_write: bool,
    /// The reader is staff and sees every talk and whether it is shared.
    pub staff: bool,
    /// The group's children, for the form.
    pub children: Vec<journal::Student>,
    pub open_checks: i64,
}

/// The group's teachers and the administration see every talk; a parent sees only the talks
/// about their own child that the teacher shared.
pub async fn talks(app: &App, session: &Session, class: ClassId) -> Result<TalksView, AppError> {
    let (inst, group_name) = group(app, class).await?;
    let (permit, who) = reader_of(app, session, inst, class).await?;
    let inst = permit.institution();
    let db = app.db.pool();
    let can_write = session.actor.may(Action::KeepJournal, class_scope(inst, class));
    let (talks, open_checks) = match &who {
        Reader::Staff => (
            store::talks(db, inst, class, None).await?,
            klade_store::journal_checks::open_count(db, inst, Journal::Group(class)).await?,
        ),
        Reader::Family(children) => (store::talks(db, inst, class, Some(children)).await?, 0),
    };
    Ok(TalksView {
        group: class,
        group_name,
        institution: inst,
        talks,
        children: if can_write {
            journal::class_students(db, inst, class, app.today()).await?
        } else {
            Vec::new()
        },
        can_write,
        staff: who == Reader::Staff,
        open_checks,
    })
}

/// A talk as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TalkInput {
    pub student: i64,
    pub held_on: String,
    pub participants: String,
    pub topic: String,
    pub content: String,
    #[serde(default)]
    pub shared: bool,
}

pub(crate) fn required(text: &str, field: &'static str) -> Result<String, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(field, "plan.too_long"));
    }
    Ok(t.replace("\r\n", "\n"))
}

/// The teacher records a talk with a child's parents (J28).
pub async fn add_talk(app: &App, session: &Session, class: ClassId, input: &TalkInput) -> Result<i64, AppError> {
    let (inst, _) = group(app, class).await?;
    let permit = policy::authorize(&session.actor, Action::KeepJournal, class_scope(inst, class))?;
    let inst = permit.institution();
    let held_on = input
        .held_on
        .trim()
        .parse::<Date>()
        .map_err(|_| AppError::invalid("held_on", "error.date"))?;
    if held_on > today(app)? {
        return Err(AppError::invalid("held_on", "talk.future"));
    }
    let db = app.db.pool();
    let student = PersonId(input.student);
    if !journal::class_students(db, inst, class, held_on)
        .await?
        .iter()
        .any(|s| s.id == student)
    {
        return Err(AppError::invalid("student", "talk.not_in_group"));
    }
    let participants = required(&input.participants, "participants")?;
    let topic = required(&input.topic, "topic")?;
    let content = required(&input.content, "content")?;
    let id = store::insert_talk(
        db,
        permit.tenant(),
        &NewTalk {
            class,
            student,
            held_on,
            participants: &participants,
            topic: &topic,
            content: &content,
            shared: input.shared,
        },
        session.person,
        app.now(),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_is_due_by_the_end_of_the_last_working_day_before_its_month() {
        let december = jiff::civil::date(2026, 12, 1);
        assert_eq!(
            due_date(&Calendar::latvia(), december),
            Some(jiff::civil::date(2026, 11, 30))
        );
        let at = |s: &str| s.parse::<jiff::Timestamp>().expect("instant");
        assert!(
            !is_late(&Calendar::latvia(), december, at("2026-11-30T21:59:00Z")),
            "23:59 in Riga"
        );
        assert!(
            is_late(&Calendar::latvia(), december, at("2026-11-30T22:00:00Z")),
            "00:00 on 1 December in Riga"
        );
        // 31 May 2026 is a Sunday: June's plan is due on Friday 29 May.
        assert_eq!(
            due_date(&Calendar::latvia(), jiff::civil::date(2026, 6, 1)),
            Some(jiff::civil::date(2026, 5, 29))
        );
    }

    #[test]
    fn a_plan_has_a_field_per_area_and_skill() {
        let fields = plan_fields();
        assert_eq!(fields.len(), 4 + LEARNING_AREAS.len() + TRANSVERSAL_SKILLS.len() + 7);
        assert!(fields.contains(&"area_maths".to_string()) && fields.contains(&"skill_digital".to_string()));
        assert_eq!(parse_month("2026-12").map(month_of).ok().as_deref(), Some("2026-12"));
        assert!(parse_month("2026-13").is_err() && parse_month("2026-1").is_err());
    }
}
