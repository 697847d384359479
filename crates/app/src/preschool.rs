//! The preschool group's daily record (J22, J23, J26, J27): attendance by 09:00 on working days,
//! the nurse's or clerk's corrections with a reason, the day's journal per learning area with
//! photos re-encoded without metadata (by 19:00), and S/T/A/P assessments; and what a parent sees
//! of it. Every value goes into the journal's history chain in the same transaction.

use crate::auth::Session;
use crate::{clock, App, AppError};
use jiff::civil::Date;
use klade_domain::calendar::Calendar;
use klade_domain::journal_item::Item;
use klade_domain::preschool::{self as rules, DayMark};
use klade_domain::{policy, Action, ClassId, InstitutionId, InstitutionKind, PersonId, Scope};
use klade_store::history::{self, Change};
pub use klade_store::preschool::Assessment;
use klade_store::preschool::{self as store, Absence, Entry, Marked};
use klade_store::{files, journal, school};

/// At most this many photos per entry and save.
pub const MAX_PHOTOS: usize = 6;
/// A photo as uploaded may be this large (it is stored much smaller).
pub const MAX_PHOTO_BYTES: usize = klade_media::MAX_INPUT_BYTES;

fn date(s: &str) -> Result<Date, AppError> {
    crate::families::date(s, "date")
}

fn today(app: &App) -> Result<Date, AppError> {
    Ok(app.today())
}

/// Is `now` at or past `due` (Riga) of `day`?
fn after(now: jiff::Timestamp, day: Date, due: jiff::civil::Time) -> bool {
    let local = now.to_zoned(clock::riga());
    local.date() > day || (local.date() == day && local.time() >= due)
}

/// A day the group's record may be written for: not in the future, in the group's year, a
/// working day.
fn writable_day(cal: &Calendar, g: &Group, d: Date, today: Date) -> Result<(), AppError> {
    let (start, end) = g.year;
    if d > today {
        return Err(AppError::invalid("date", "preschool.future"));
    }
    if d < start || d > end {
        return Err(AppError::invalid("date", "preschool.other_year"));
    }
    if !cal.is_working_day(d) {
        return Err(AppError::invalid("date", "preschool.day_off"));
    }
    Ok(())
}

/// A preschool group, checked to be one.
struct Group {
    institution: InstitutionId,
    id: ClassId,
    name: String,
    /// The group's journal year (a preschool's runs 1 September – 31 August, J22).
    year: (Date, Date),
}

async fn group(app: &App, id: ClassId) -> Result<Group, AppError> {
    let db = app.db.pool();
    let institution = school::class_institution(db, id).await?.ok_or(AppError::NotFound)?;
    let inst = klade_store::institutions::get(db, institution)
        .await?
        .ok_or(AppError::NotFound)?;
    if inst.kind != InstitutionKind::Preschool {
        return Err(AppError::NotFound);
    }
    let (name, year_id) = school::class(db, institution, id).await?.ok_or(AppError::NotFound)?;
    let y = klade_store::year_lock::years(db, institution)
        .await?
        .into_iter()
        .find(|y| y.id == year_id)
        .ok_or(AppError::NotFound)?;
    Ok(Group {
        institution,
        id,
        name,
        year: (y.starts_on, y.ends_on),
    })
}

fn class_scope(g: &Group) -> Scope {
    Scope::Class {
        institution: g.institution,
        class: g.id,
    }
}

/// May the reader see the group's journal: its teacher, the administration, the nurse and clerk,
/// or a parent of a child in it?
async fn may_read(app: &App, session: &Session, g: &Group) -> Result<(), AppError> {
    let actor = &session.actor;
    if policy::authorize(actor, Action::ViewJournal, class_scope(g)).is_ok()
        || policy::authorize(actor, Action::CorrectPreschoolAttendance, class_scope(g)).is_ok()
    {
        return Ok(());
    }
    let children: Vec<PersonId> = actor.children.iter().map(|(_, c)| *c).collect();
    let places = school::placements(app.db.pool(), &children, app.today()).await?;
    for p in places.iter().filter(|p| p.class_id == g.id) {
        let scope = Scope::Student {
            institution: g.institution,
            student: p.student_id,
            class: Some(g.id),
        };
        if policy::authorize(actor, Action::ViewDiary, scope).is_ok() {
            return Ok(());
        }
    }
    policy::authorize(actor, Action::ViewJournal, class_scope(g))?;
    Ok(())
}

/// One child's line on the day's page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChildDay {
    pub id: PersonId,
    pub name: String,
    pub absence: Option<Absence>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Day {
    pub group: ClassId,
    pub institution: InstitutionId,
    pub group_name: String,
    pub date: Date,
    /// The group does not meet that day (a weekend or a public holiday).
    pub day_off: bool,
    pub children: Vec<ChildDay>,
    pub marked: Option<Marked>,
    pub entries: Vec<Entry>,
    /// Corrections of this day's marks (who, when, what, why), newest last.
    pub corrections: Vec<history::Entry>,
    /// Why the day's record cannot be written now (a day ahead, another school year): the message
    /// key. The forms are not offered then, rather than refused on save.
    pub closed: Option<&'static str>,
    pub can_mark: bool,
    pub can_correct: bool,
    pub can_write: bool,
    /// Reads the group's journal (its entries and plans).
    pub reads_journal: bool,
}

pub async fn day(app: &App, session: &Session, group_id: ClassId, on: &str) -> Result<Day, AppError> {
    let g = group(app, group_id).await?;
    may_read(app, session, &g).await?;
    let d = if on.trim().is_empty() { today(app)? } else { date(on)? };
    let db = app.db.pool();
    let mut students = journal::class_students(db, g.institution, g.id, d).await?;
    // A parent reads the group's day (what was done, the photos) but only their own child's
    // attendance: another family's absences and their reasons are not theirs to see.
    let actor = &session.actor;
    let whole_group = policy::authorize(actor, Action::ViewJournal, class_scope(&g)).is_ok()
        || policy::authorize(actor, Action::CorrectPreschoolAttendance, class_scope(&g)).is_ok();
    if !whole_group {
        students.retain(|s| actor.children.iter().any(|(_, c)| *c == s.id));
    }
    let absences = store::absences(db, g.institution, g.id, d, d).await?;
    let marked = store::marked_days(db, g.institution, g.id, d, d)
        .await?
        .into_iter()
        .next();
    let entries = store::entries(db, g.institution, g.id, d, d).await?;
    let items: Vec<String> = students
        .iter()
        .map(|s| Item::PreschoolAttendance(s.id, d).to_string())
        .collect();
    let mut corrections = history::entries_of(db, g.institution, &items).await?;
    corrections.retain(|e| e.reason.is_some());
    corrections.sort_by_key(|e| e.seq);
    let cal = crate::calendar::of(app, g.institution).await?.0;
    let closed = writable_day(&cal, &g, d, today(app)?).err().map(|e| e.code());
    let open = closed.is_none();
    Ok(Day {
        group: g.id,
        institution: g.institution,
        group_name: g.name.clone(),
        date: d,
        day_off: !cal.is_working_day(d),
        children: students
            .iter()
            .map(|s| ChildDay {
                id: s.id,
                name: format!("{} {}", s.family_name, s.given_name),
                absence: absences.iter().find(|a| a.child_id == s.id).cloned(),
            })
            .collect(),
        marked,
        entries,
        corrections,
        closed,
        can_mark: open && policy::authorize(actor, Action::KeepJournal, class_scope(&g)).is_ok(),
        can_correct: open && policy::authorize(actor, Action::CorrectPreschoolAttendance, class_scope(&g)).is_ok(),
        can_write: open && policy::authorize(actor, Action::KeepJournal, class_scope(&g)).is_ok(),
        reads_journal: actor.may(Action::ViewJournal, class_scope(&g)),
    })
}

/// A group's today for its teacher's home page: is attendance marked (due by 09:00, J22) and the
/// day's journal written (due by 19:00, J27).
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupToday {
    pub group: ClassId,
    pub group_name: String,
    /// The group does not meet today.
    pub day_off: bool,
    pub children: usize,
    pub absent: usize,
    pub marked: Option<Marked>,
    pub written: bool,
}

pub async fn group_today(app: &App, session: &Session, group_id: ClassId) -> Result<GroupToday, AppError> {
    let g = group(app, group_id).await?;
    policy::authorize(&session.actor, Action::ViewJournal, class_scope(&g))?;
    let d = today(app)?;
    let db = app.db.pool();
    let children = journal::class_students(db, g.institution, g.id, d).await?.len();
    let absent = store::absences(db, g.institution, g.id, d, d).await?.len();
    let marked = store::marked_days(db, g.institution, g.id, d, d)
        .await?
        .into_iter()
        .next();
    let written = !store::entries(db, g.institution, g.id, d, d).await?.is_empty();
    let cal = crate::calendar::of(app, g.institution).await?.0;
    Ok(GroupToday {
        group: g.id,
        group_name: g.name,
        day_off: !cal.is_working_day(d),
        children,
        absent,
        marked,
        written,
    })
}

/// A child's mark as typed: the child, the code (empty: present) and the reason.
pub struct MarkInput {
    pub child: PersonId,
    pub code: String,
    pub reason: String,
}

/// Saves a day's attendance, all or nothing. The teacher marks (after 09:00 the marks are
/// accepted and shown late); the nurse or clerk corrects, always with a reason; a teacher
/// changing an earlier day's mark gives one too. Returns whether the marking was late (a
/// correction never is).
pub async fn save_attendance(
    app: &App,
    session: &Session,
    group_id: ClassId,
    on: &str,
    marks: &[MarkInput],
    reason: &str,
) -> Result<bool, AppError> {
    let g = group(app, group_id).await?;
    let actor = &session.actor;
    let kept = policy::authorize(actor, Action::KeepJournal, class_scope(&g));
    let teacher = kept.is_ok();
    let permit = match kept {
        Ok(permit) => permit,
        Err(_) => policy::authorize(actor, Action::CorrectPreschoolAttendance, class_scope(&g))?,
    };
    let d = date(on)?;
    let today = today(app)?;
    let (cal, settings) = crate::calendar::of(app, g.institution).await?;
    writable_day(&cal, &g, d, today)?;
    let db = app.db.pool();
    let children = journal::class_students(db, g.institution, g.id, d).await?;
    let current = store::absences(db, g.institution, g.id, d, d).await?;
    let mut changes = Vec::new();
    for m in marks {
        if !children.iter().any(|c| c.id == m.child) {
            return Err(AppError::invalid("child", "preschool.not_in_group"));
        }
        let code = m.code.trim();
        let mark = if code.is_empty() {
            None
        } else {
            Some(DayMark::parse(code).ok_or(AppError::invalid("code", "preschool.bad_mark"))?)
        };
        let reason = m.reason.trim();
        let old = current
            .iter()
            .find(|a| a.child_id == m.child)
            .map(|a| store::absence_value(&a.code, &a.reason));
        let new = mark.map(|k| store::absence_value(k.code(), reason));
        if old != new {
            changes.push((m.child, mark, reason.to_string(), old, new));
        }
    }
    let marked_before = !store::marked_days(db, g.institution, g.id, d, d).await?.is_empty();
    let correcting = !teacher || (d < today && marked_before);
    let reason = reason.trim();
    if correcting && !changes.is_empty() && reason.is_empty() {
        return Err(AppError::invalid("reason", "journal.reason_required"));
    }
    let late = after(app.clock.now(), d, settings.preschool_attendance_by);
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut history_rows = Vec::new();
    for (child, mark, mark_reason, old, new) in &changes {
        store::set_absence(
            &mut tx,
            permit.tenant(),
            g.id,
            *child,
            d,
            mark.map(|k| (k.code(), mark_reason.as_str())),
            late && !correcting,
            session.person,
            now,
        )
        .await?;
        history_rows.push(Change {
            item: Item::PreschoolAttendance(*child, d).to_string(),
            old: old.clone(),
            new: new.clone(),
            reason: (correcting && old.is_some() || !teacher).then(|| reason.to_string()),
            person: session.person,
            at: now,
        });
    }
    if teacher {
        store::mark_day(&mut tx, permit.tenant(), g.id, d, late, session.person, now).await?;
    }
    history::append(&mut tx, app.db.backend(), permit.tenant(), &history_rows).await?;
    tx.commit().await?;
    // A correction is never late: only the teacher's own marking of the day has a due time.
    Ok(late && !correcting)
}

/// The week's attendance of a group, for the nurse's or clerk's weekly check (J23).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Week {
    pub group: ClassId,
    pub group_name: String,
    pub monday: Date,
    /// The working days of the week.
    pub days: Vec<Date>,
    pub children: Vec<(PersonId, String)>,
    pub absences: Vec<Absence>,
    pub marked: Vec<Marked>,
}

pub async fn week(app: &App, session: &Session, group_id: ClassId, on: &str) -> Result<Week, AppError> {
    let g = group(app, group_id).await?;
    if policy::authorize(&session.actor, Action::CorrectPreschoolAttendance, class_scope(&g)).is_err() {
        policy::authorize(&session.actor, Action::ViewJournal, class_scope(&g))?;
    }
    let d = if on.trim().is_empty() { today(app)? } else { date(on)? };
    let monday = crate::timetable::monday_of(d);
    let (cal, _) = crate::calendar::of(app, g.institution).await?;
    let days: Vec<Date> = (0..5)
        .filter_map(|i| monday.checked_add(jiff::Span::new().days(i)).ok())
        .filter(|d| cal.is_working_day(*d))
        .collect();
    let friday = monday.checked_add(jiff::Span::new().days(4)).unwrap_or(monday);
    let db = app.db.pool();
    let children = journal::class_students(db, g.institution, g.id, monday)
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{} {}", s.family_name, s.given_name)))
        .collect();
    Ok(Week {
        group: g.id,
        group_name: g.name,
        monday,
        days,
        children,
        absences: store::absences(db, g.institution, group_id, monday, friday).await?,
        marked: store::marked_days(db, g.institution, group_id, monday, friday).await?,
    })
}

/// A photo as uploaded.
pub struct PhotoUpload {
    pub bytes: Vec<u8>,
}

/// Writes the day's entry for a learning area or transversal skill (J27) with its photos, each
/// re-encoded so no metadata is kept. After 19:00 the entry is accepted and shown late.
#[expect(
    clippy::too_many_arguments,
    reason = "the step works inside its caller's transaction on what the caller has checked"
)]
pub async fn save_entry(
    app: &App,
    session: &Session,
    group_id: ClassId,
    on: &str,
    area: &str,
    tasks: &str,
    activities: &str,
    photos: Vec<PhotoUpload>,
) -> Result<i64, AppError> {
    let g = group(app, group_id).await?;
    let permit = policy::authorize(&session.actor, Action::KeepJournal, class_scope(&g))?;
    let d = date(on)?;
    let today = today(app)?;
    let (cal, settings) = crate::calendar::of(app, g.institution).await?;
    writable_day(&cal, &g, d, today)?;
    if !rules::is_area(area) {
        return Err(AppError::invalid("area", "error.bad_request"));
    }
    let (tasks, activities) = (tasks.trim(), activities.trim());
    if tasks.is_empty() && activities.is_empty() {
        return Err(AppError::invalid("tasks", "error.required"));
    }
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::invalid("photos", "preschool.too_many_photos"));
    }
    // Decoding and encoding are heavy: off the async threads, one photo at a time.
    let mut clean = Vec::new();
    for p in photos.into_iter().filter(|p| !p.bytes.is_empty()) {
        let photo = tokio::task::spawn_blocking(move || klade_media::reencode(&p.bytes))
            .await
            .map_err(|e| AppError::Internal(format!("photo: {e}")))?
            .map_err(|e| match e {
                klade_media::PhotoError::TooLarge => AppError::invalid("photos", "preschool.photo_too_large"),
                klade_media::PhotoError::NotAnImage | klade_media::PhotoError::TooManyPixels => {
                    AppError::invalid("photos", "preschool.not_an_image")
                }
            })?;
        clean.push(photo);
    }
    let late = after(app.clock.now(), d, settings.preschool_journal_by);
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let (id, old) = store::put_entry(
        &mut tx,
        permit.tenant(),
        g.id,
        d,
        area,
        tasks,
        activities,
        late,
        session.person,
        now,
    )
    .await?;
    for photo in clean {
        let sha = crate::auth::sha256_hex(&photo.bytes);
        let file = files::put(&mut tx, permit.tenant(), &sha, photo.content_type, &photo.bytes, now).await?;
        store::add_photo(&mut tx, permit.tenant(), id, file, now).await?;
    }
    let new = store::entry_value(tasks, activities);
    if old.as_deref() != Some(new.as_str()) {
        let change = Change {
            item: Item::PreschoolEntry(id).to_string(),
            old,
            new: Some(new),
            reason: None,
            person: session.person,
            at: now,
        };
        history::append(&mut tx, app.db.backend(), permit.tenant(), &[change]).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A photo's bytes (a clean JPEG), for the group's staff and the parents of its children.
pub async fn photo(app: &App, session: &Session, id: i64) -> Result<Vec<u8>, AppError> {
    let (_, group_id, bytes) = store::photo(app.db.pool(), id).await?.ok_or(AppError::NotFound)?;
    let g = group(app, group_id).await?;
    may_read(app, session, &g).await?;
    Ok(bytes)
}

/// The group's assessment grid (J26): each child's current mark per learning area.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Grid {
    pub group: ClassId,
    pub group_name: String,
    pub children: Vec<(PersonId, String)>,
    pub areas: Vec<&'static str>,
    /// Every assessment, oldest first; the last per child and area is the current one.
    pub assessments: Vec<Assessment>,
    pub can_write: bool,
}

pub async fn grid(app: &App, session: &Session, group_id: ClassId) -> Result<Grid, AppError> {
    let g = group(app, group_id).await?;
    policy::authorize(&session.actor, Action::ViewJournal, class_scope(&g))?;
    let db = app.db.pool();
    let children = journal::class_students(db, g.institution, g.id, app.today())
        .await?
        .into_iter()
        .map(|s| (s.id, format!("{} {}", s.family_name, s.given_name)))
        .collect();
    Ok(Grid {
        group: g.id,
        group_name: g.name.clone(),
        children,
        areas: rules::LEARNING_AREAS.to_vec(),
        assessments: store::assessments(db, g.institution, g.id, None).await?,
        can_write: policy::authorize(&session.actor, Action::KeepJournal, class_scope(&g)).is_ok(),
    })
}

/// The current mark of a child in an area.
pub fn current<'a>(assessments: &'a [Assessment], child: PersonId, area: &str) -> Option<&'a Assessment> {
    assessments.iter().rev().find(|a| a.child_id == child && a.area == area)
}

/// Saves the changed cells of the grid (child, area, mark), all or nothing; a mark is added, so
/// the year's movement stays visible.
pub async fn save_grid(
    app: &App,
    session: &Session,
    group_id: ClassId,
    cells: &[(PersonId, String, String)],
) -> Result<usize, AppError> {
    let g = group(app, group_id).await?;
    let permit = policy::authorize(&session.actor, Action::KeepJournal, class_scope(&g))?;
    let db = app.db.pool();
    let today = app.today();
    let children = journal::class_students(db, g.institution, g.id, today).await?;
    let existing = store::assessments(db, g.institution, g.id, None).await?;
    let mut changed = Vec::new();
    for (child, area, mark) in cells {
        if !children.iter().any(|c| c.id == *child) {
            return Err(AppError::invalid("child", "preschool.not_in_group"));
        }
        if !rules::LEARNING_AREAS.contains(&area.as_str()) {
            return Err(AppError::invalid("area", "error.bad_request"));
        }
        if mark.trim().is_empty() {
            continue;
        }
        let mark = rules::assessment_mark(mark).ok_or_else(|| AppError::InvalidAt {
            field: format!("s:{}:{area}", child.0),
            code: "preschool.bad_assessment",
        })?;
        if current(&existing, *child, area).map(|a| a.mark.as_str()) != Some(mark) {
            changed.push((*child, area.clone(), mark));
        }
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut rows = Vec::new();
    for (child, area, mark) in &changed {
        let id = store::add_assessment(
            &mut tx,
            permit.tenant(),
            g.id,
            *child,
            area,
            mark,
            today,
            session.person,
            now,
        )
        .await?;
        rows.push(Change {
            item: Item::PreschoolAssessment(id).to_string(),
            old: None,
            new: Some(mark.to_string()),
            reason: None,
            person: session.person,
            at: now,
        });
    }
    history::append(&mut tx, app.db.backend(), permit.tenant(), &rows).await?;
    tx.commit().await?;
    Ok(changed.len())
}

/// What a parent sees of their child's preschool days: the group, the recent journal with
/// photos, the child's assessments and this month's attendance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChildView {
    pub child: PersonId,
    pub name: String,
    pub group: ClassId,
    pub group_name: String,
    pub entries: Vec<Entry>,
    pub assessments: Vec<Assessment>,
    pub absences: Vec<Absence>,
}

/// The preschool children this person may follow (their own children in preschools).
pub async fn children(app: &App, session: &Session) -> Result<Vec<school::Placement>, AppError> {
    let db = app.db.pool();
    let ids: Vec<PersonId> = session.actor.children.iter().map(|(_, c)| *c).collect();
    let mut out = Vec::new();
    for p in school::placements(db, &ids, app.today()).await? {
        let kind = klade_store::institutions::get(db, p.institution_id)
            .await?
            .map(|i| i.kind);
        if kind == Some(InstitutionKind::Preschool) {
            out.push(p);
        }
    }
    Ok(out)
}

pub async fn child(app: &App, session: &Session, child: PersonId) -> Result<ChildView, AppError> {
    let db = app.db.pool();
    let today_d = today(app)?;
    let p = school::placements(db, &[child], app.today())
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let g = group(app, p.class_id).await?;
    let scope = Scope::Student {
        institution: g.institution,
        student: child,
        class: Some(g.id),
    };
    policy::authorize(&session.actor, Action::ViewDiary, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::ViewJournal, class_scope(&g)))?;
    let from = today_d.checked_sub(jiff::Span::new().days(14)).unwrap_or(today_d);
    let month = today_d.first_of_month();
    Ok(ChildView {
        child,
        name: format!("{} {}", p.given_name, p.family_name),
        group: g.id,
        group_name: g.name.clone(),
        entries: store::entries(db, g.institution, g.id, from, app.today()).await?,
        assessments: store::assessments(db, g.institution, g.id, Some(child)).await?,
        absences: store::absences(db, g.institution, g.id, month, app.today())
            .await?
            .into_iter()
            .filter(|a| a.child_id == child)
            .collect(),
    })
}
