//! The class journal's use cases (R19, R20, R22.3, R22.4): the grid of a course, saving many cells
//! at once, lessons, assessments, notes, the history of a value, the class summary, and `verify`.
//!
//! Nothing is overwritten silently: every change writes the value and its history row in one
//! transaction, and changing a value already recorded for an earlier day needs a reason.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::attendance::{Entry, MarkKind};
use klade_domain::grading::{self, Kind, Mark, Scale};
use klade_domain::journal_item::{Cell, Item};
use klade_domain::{policy, Action, AssessmentId, ClassId, CourseId, InstitutionId, LessonId, Permit, PersonId, Scope};
pub use klade_store::history::Entry as HistoryEntry;
use klade_store::history::{self, Change};
use klade_store::journal::{self, Assessment, Lesson};
pub use klade_store::journal::{Course, Student, StudentMark};
use klade_store::school;
pub use klade_store::school::Term;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Opens a course for `action`, or answers NotFound / Forbidden.
pub async fn open(app: &App, session: &Session, id: CourseId, action: Action) -> Result<(Course, Permit), AppError> {
    let course = journal::course_anywhere(app.db.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope::Course {
        institution: course.institution_id,
        course: course.id,
        class: course.class_id,
    };
    let permit = policy::authorize(&session.actor, action, scope)?;
    if action == Action::KeepJournal {
        // A locked year changes only with a deputy's consent (R28).
        crate::year_lock::change_reason(app, session, course.institution_id, course.id).await?;
    }
    Ok((course, permit))
}

/// A lesson's record as the lesson page shows it: the course, the lesson kept for that date and
/// number (if any), and whether the reader may edit it. Whoever reads the journal reads its
/// lesson records (the deputies checking it too); who keeps it edits them. A date that does not
/// read (a refused form's, typed) has no lesson kept.
pub async fn lesson_record(
    app: &App,
    session: &Session,
    course: CourseId,
    date: &str,
    lesson_no: i64,
) -> Result<(Course, Option<Lesson>, bool), AppError> {
    let (c, _) = open(app, session, course, Action::ViewJournal).await?;
    let may_edit = session.actor.may(
        Action::KeepJournal,
        Scope::Course {
            institution: c.institution_id,
            course: c.id,
            class: c.class_id,
        },
    );
    let stored = match date.parse::<Date>() {
        Ok(date) => journal::lesson_at(app.db.pool(), c.institution_id, course, date, lesson_no).await?,
        Err(_) => None,
    };
    Ok((c, stored, may_edit))
}

/// The courses a person works with, per institution: their own, their class's, or (for the
/// administration) all of them.
pub async fn my_courses(app: &App, session: &Session) -> Result<Vec<Course>, AppError> {
    let mut out = Vec::new();
    for institution in session.actor.institutions() {
        let sees_all = session
            .actor
            .roles_in(institution)
            .iter()
            .any(|r| r.is_administration());
        let may_view = policy::authorize(&session.actor, Action::ViewJournal, Scope::Institution(institution)).is_ok();
        if !may_view && !session.actor.courses.iter().any(|(i, _)| *i == institution) {
            continue;
        }
        out.extend(journal::courses_for(app.db.pool(), institution, session.person, app.today(), sees_all).await?);
    }
    // A course of a locked year a deputy let this teacher change is listed too.
    for (institution, course) in &session.actor.courses {
        if !out.iter().any(|c| c.id == *course) {
            out.extend(journal::course(app.db.pool(), *institution, *course).await?);
        }
    }
    Ok(out)
}

/// A column of the grid: a lesson (held, or proposed by the timetable) or an assessment.
#[derive(Debug, Clone, serde::Serialize)]
pub enum Column {
    Lesson {
        key: String,
        id: Option<LessonId>,
        date: Date,
        lesson_no: i64,
        topic: String,
        homework: String,
    },
    Assessment {
        key: String,
        id: AssessmentId,
        kind: Kind,
        scale: Scale,
        date: Date,
        title: String,
    },
}

impl Column {
    pub fn key(&self) -> &str {
        match self {
            Self::Lesson { key, .. } | Self::Assessment { key, .. } => key,
        }
    }

    fn date(&self) -> Date {
        match self {
            Self::Lesson { date, .. } | Self::Assessment { date, .. } => *date,
        }
    }

    /// The key of this column's cell for `student`, as forms and the API send it.
    pub fn cell_key(&self, student: PersonId) -> String {
        match self {
            Self::Lesson { date, lesson_no, .. } => Cell::Attendance {
                date: *date,
                lesson_no: *lesson_no,
                student,
            }
            .to_string(),
            Self::Assessment { id, .. } => Cell::Grade {
                assessment: *id,
                student,
            }
            .to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Grid {
    pub course: Course,
    pub terms: Vec<Term>,
    pub term: Term,
    pub students: Vec<Student>,
    pub columns: Vec<Column>,
    /// (column key, student) → the cell's text.
    pub cells: HashMap<(String, PersonId), String>,
    /// Per student: the term's average of summative 1–10 work and the proposed term grade.
    pub averages: HashMap<PersonId, (Option<f64>, Option<u8>)>,
    pub kinds: Vec<MarkKind>,
    pub can_edit: bool,
    pub today: String,
    /// Absence notices from families covering the term's days, for the cells they concern.
    pub notices: Vec<klade_store::families::Notice>,
    /// Journal-check findings the teacher has still to correct (R22.2, R23, R24.1, R25.1).
    pub open_checks: i64,
    /// The class whose summary journal the reader opens, if any.
    pub summary_of: Option<ClassId>,
}

fn term_for(terms: &[Term], wanted: Option<i64>, today: Date) -> Option<&Term> {
    match wanted {
        Some(n) => terms.iter().find(|t| t.ordinal == n),
        None => terms
            .iter()
            .find(|t| t.starts_on <= today && today <= t.ends_on)
            .or_else(|| terms.iter().rev().find(|t| t.starts_on <= today))
            .or(terms.first()),
    }
}

fn parse_date(s: &str) -> Result<Date, AppError> {
    s.parse::<Date>().map_err(|_| AppError::invalid("date", "error.date"))
}

/// Dates from `from` to `to` (inclusive) on which a slot of the course falls: the lessons the
/// timetable proposes — none on a public holiday, a day off or in a school holiday.
fn proposed(slots: &[journal::Slot], from: Date, to: Date, cal: &klade_domain::calendar::Calendar) -> Vec<(Date, i64)> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let weekday = i64::from(day.weekday().to_monday_one_offset());
        let school_day = cal.is_school_day(day);
        for s in slots {
            if school_day && s.weekday == weekday && s.valid_from <= day && s.valid_to.is_none_or(|t| day <= t) {
                out.push((day, s.lesson_no));
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out
}

/// The grid of a course for a term (the current one unless `term` names another).
pub async fn grid(app: &App, session: &Session, id: CourseId, term: Option<i64>) -> Result<Grid, AppError> {
    let (course, permit) = open(app, session, id, Action::ViewJournal).await?;
    let inst = permit.institution();
    let db = app.db.pool();
    let today = app.today();
    let terms = school::terms(db, inst, course.school_year_id).await?;
    let term = term_for(&terms, term, today).cloned().ok_or(AppError::NotFound)?;
    let (from, to) = (term.starts_on, term.ends_on);
    let on = today.min(to);
    let students = journal::students(db, inst, id, on).await?;
    let lessons = journal::lessons(db, inst, id, from, to).await?;
    let slots = journal::slots(db, inst, journal::SlotsOf::Course(id), from, to).await?;
    let cal = crate::calendar::cached(app, inst, session.rights).await?;
    let assessments = journal::assessments(db, inst, id, from, to).await?;
    let attendance = journal::attendance(db, inst, id, from, to).await?;
    let grades = journal::grades(db, inst, id, from, to).await?;
    let kinds = journal::attendance_kinds(db, inst).await?;

    let mut lesson_columns: BTreeMap<(Date, i64), Column> = BTreeMap::new();
    // Proposed up to today, or to the term's end when it is over.
    for (date, no) in proposed(&slots, from, on, &cal.0) {
        lesson_columns.insert(
            (date, no),
            Column::Lesson {
                key: format!("{date}:{no}"),
                id: None,
                date,
                lesson_no: no,
                topic: String::new(),
                homework: String::new(),
            },
        );
    }
    let mut lesson_by_id = HashMap::new();
    for l in &lessons {
        lesson_by_id.insert(l.id, (l.date, l.lesson_no));
        lesson_columns.insert(
            (l.date, l.lesson_no),
            Column::Lesson {
                key: format!("{}:{}", l.date, l.lesson_no),
                id: Some(l.id),
                date: l.date,
                lesson_no: l.lesson_no,
                topic: l.topic.clone(),
                homework: l.homework.clone(),
            },
        );
    }
    let mut columns: Vec<Column> = lesson_columns.into_values().collect();
    for a in &assessments {
        // A kind or scale the code does not know is a stored record gone wrong: it is not shown as
        // formative work on 1–10.
        let unknown = || AppError::Internal(format!("assessment {}: kind {:?}, scale {:?}", a.id, a.kind, a.scale));
        columns.push(Column::Assessment {
            key: format!("g{}", a.id),
            id: a.id,
            kind: Kind::from_code(&a.kind).ok_or_else(unknown)?,
            scale: Scale::from_code(&a.scale).ok_or_else(unknown)?,
            date: a.date,
            title: a.title.clone(),
        });
    }
    // Lessons and assessments in date order; on the same day the lessons come first.
    columns.sort_by(|a, b| {
        a.date()
            .cmp(&b.date())
            .then_with(|| matches!(a, Column::Assessment { .. }).cmp(&matches!(b, Column::Assessment { .. })))
    });

    let mut cells = HashMap::new();
    for a in &attendance {
        if let Some((date, no)) = lesson_by_id.get(&a.lesson_id) {
            cells.insert((format!("{date}:{no}"), a.student_id), a.display());
        }
    }
    let by_id: HashMap<AssessmentId, &Assessment> = assessments.iter().map(|a| (a.id, a)).collect();
    let mut marks: HashMap<PersonId, Vec<(Kind, Scale, Mark)>> = HashMap::new();
    for g in &grades {
        cells.insert((format!("g{}", g.assessment_id), g.student_id), g.mark.clone());
        if let Some(a) = by_id.get(&g.assessment_id) {
            if let (Some(k), Some(s)) = (Kind::from_code(&a.kind), Scale::from_code(&a.scale)) {
                marks
                    .entry(g.student_id)
                    .or_default()
                    .push((k, s, Mark::stored(g.mark.clone())));
            }
        }
    }
    let averages = students
        .iter()
        .map(|s| {
            let list = marks.get(&s.id).map(Vec::as_slice).unwrap_or(&[]);
            let avg = grading::term_average(list.iter().map(|(k, sc, m)| (*k, *sc, m)));
            (s.id, (avg, grading::propose(avg)))
        })
        .collect();
    let can_edit = policy::authorize(&session.actor, Action::KeepJournal, permit.scope()).is_ok();
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let notices = crate::families::notices_for_grid(app, inst, &ids, from, to).await?;
    let open_checks =
        klade_store::journal_checks::open_count(db, inst, klade_store::journal_checks::Journal::Course(id)).await?;
    let summary_of = course.class_id.filter(|c| {
        let class = Scope::Class {
            institution: inst,
            class: *c,
        };
        session.actor.may(Action::ViewJournal, class)
            || session.actor.may(Action::CheckJournals, Scope::Institution(inst))
    });
    Ok(Grid {
        summary_of,
        notices,
        open_checks,
        course,
        terms,
        term,
        students,
        columns,
        cells,
        averages,
        kinds,
        can_edit,
        today: today.to_string(),
    })
}

/// One cell as typed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CellInput {
    pub key: String,
    pub value: String,
}

/// A cell that could not be saved, and why (a catalogue key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellError {
    pub key: String,
    pub code: &'static str,
}

/// What a save did: each changed cell with its value as stored.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Saved {
    pub cells: Vec<(String, String)>,
}

enum Target {
    Attendance {
        date: Date,
        lesson_no: i64,
        student: PersonId,
        entry: Option<Entry>,
    },
    Grade {
        assessment: AssessmentId,
        student: PersonId,
        mark: Option<Mark>,
    },
}

/// A checked change of one cell: its key, what it sets, and the value it replaces.
type CellChange = (String, Target, Option<String>);

/// A cell read against what is stored: what it sets, the value it replaces, the day it is of.
struct Parsed {
    target: Target,
    old: Option<String>,
    day: Date,
}

/// What a course's grid holds now, read for a save in a fixed number of queries, whatever the
/// size of the grid.
struct Stored {
    kinds: Vec<MarkKind>,
    assessments: HashMap<AssessmentId, Assessment>,
    slots: Vec<journal::Slot>,
    calendar: std::sync::Arc<(klade_domain::calendar::Calendar, klade_domain::deadlines::Settings)>,
    lessons: HashMap<(Date, i64), Lesson>,
    attendance: HashMap<(LessonId, PersonId), String>,
    grades: HashMap<(AssessmentId, PersonId), String>,
}

impl Stored {
    async fn load(
        app: &App,
        session: &Session,
        inst: InstitutionId,
        id: CourseId,
        year: (Date, Date),
    ) -> Result<Self, AppError> {
        let db = app.db.pool();
        Ok(Self {
            kinds: journal::attendance_kinds(db, inst).await?,
            assessments: journal::assessments(db, inst, id, year.0, year.1)
                .await?
                .into_iter()
                .map(|a| (a.id, a))
                .collect(),
            slots: journal::slots(db, inst, journal::SlotsOf::Course(id), year.0, year.1).await?,
            calendar: crate::calendar::cached(app, inst, session.rights).await?,
            lessons: journal::lessons(db, inst, id, year.0, year.1)
                .await?
                .into_iter()
                .map(|l| ((l.date, l.lesson_no), l))
                .collect(),
            attendance: journal::attendance(db, inst, id, year.0, year.1)
                .await?
                .into_iter()
                .map(|a| ((a.lesson_id, a.student_id), a.display()))
                .collect(),
            grades: journal::grades(db, inst, id, year.0, year.1)
                .await?
                .into_iter()
                .map(|g| ((g.assessment_id, g.student_id), g.mark))
                .collect(),
        })
    }

    /// A cell as typed, read against what is stored: `None` when it changes nothing, else what it
    /// sets, the value it replaces and the day it is of; a refusal is a catalogue key.
    fn parse(&self, input: &CellInput, year: (Date, Date), today: Date) -> Result<Option<Parsed>, &'static str> {
        match input.key.parse::<Cell>().map_err(|_| "journal.bad_cell")? {
            Cell::Attendance {
                date,
                lesson_no: no,
                student,
            } => {
                let lesson = self.lessons.get(&(date, no));
                let old = lesson.and_then(|l| self.attendance.get(&(l.id, student)).cloned());
                let entry = Entry::parse(&input.value, &self.kinds).map_err(|e| e.code())?;
                if entry.as_ref().map(Entry::display) == old {
                    return Ok(None);
                }
                if date < year.0 || date > year.1 {
                    return Err("journal.date_outside_year");
                }
                if date > today {
                    return Err("journal.future_lesson");
                }
                if lesson.is_none() && !proposed(&self.slots, date, date, &self.calendar.0).contains(&(date, no)) {
                    return Err("journal.lesson_not_held");
                }
                let target = Target::Attendance {
                    date,
                    lesson_no: no,
                    student,
                    entry,
                };
                Ok(Some(Parsed { target, old, day: date }))
            }
            Cell::Grade { assessment, student } => {
                let a = self.assessments.get(&assessment).ok_or("journal.bad_cell")?;
                let old = self.grades.get(&(a.id, student)).cloned();
                // A scale the code does not know is a stored record gone wrong, not a 1–10 one.
                let scale = Scale::from_code(&a.scale).ok_or("grade.scale")?;
                let mark = Mark::parse(&input.value, scale).map_err(|e| e.code(scale))?;
                if mark.as_ref().map(|m| m.as_str().to_string()) == old {
                    return Ok(None);
                }
                let target = Target::Grade {
                    assessment: a.id,
                    student,
                    mark,
                };
                Ok(Some(Parsed {
                    target,
                    old,
                    day: a.date,
                }))
            }
        }
    }
}

/// Saves many cells of a course's grid in one transaction: parse and check every cell, write the
/// changes, log them in the history, queue the parents' notifications. If any cell is wrong,
/// nothing is saved and each wrong cell is named. Unchanged cells are skipped, so a form that
/// posts the whole grid costs no more than the cells it changes.
pub async fn save_cells(
    app: &App,
    session: &Session,
    id: CourseId,
    inputs: &[CellInput],
    reason: Option<&str>,
) -> Result<Saved, AppError> {
    let (course, permit) = open(app, session, id, Action::KeepJournal).await?;
    let inst = permit.institution();
    let consent = crate::year_lock::change_reason(app, session, inst, id).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).or(consent.as_deref());
    let year = (course.year_starts_on, course.year_ends_on);
    let stored = Stored::load(app, session, inst, id, year).await?;
    let changes = checked_changes(app, inst, id, &stored, inputs, reason, year).await?;

    let now = app.now();
    let mut tx = app.db.begin().await?;
    let (saved, log) = write_cells(&mut tx, permit.tenant(), id, &stored, changes, reason, session, now).await?;
    history::append(&mut tx, app.db.backend(), permit.tenant(), &log).await?;
    let events = events_of(&log, &stored.kinds, &course, &stored.assessments);
    crate::families::queue_events(&mut tx, inst, &events, now).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Every cell parsed and checked — the student in the course that day, a reason for correcting an
/// earlier day — before anything is written; the refusals all at once.
async fn checked_changes(
    app: &App,
    inst: InstitutionId,
    id: CourseId,
    stored: &Stored,
    inputs: &[CellInput],
    reason: Option<&str>,
    year: (Date, Date),
) -> Result<Vec<CellChange>, AppError> {
    let today = app.today();
    let mut members: HashMap<Date, HashSet<PersonId>> = HashMap::new();
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for input in inputs {
        let fail = |code| CellError {
            key: input.key.clone(),
            code,
        };
        let Parsed { target, old, day: date } = match stored.parse(input, year, today) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => continue,
            Err(code) => {
                errors.push(fail(code));
                continue;
            }
        };
        let student = match &target {
            Target::Attendance { student, .. } | Target::Grade { student, .. } => *student,
        };
        let in_course = match members.entry(date) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let list = journal::students(app.db.pool(), inst, id, date).await?;
                e.insert(list.into_iter().map(|s| s.id).collect())
            }
        };
        if !in_course.contains(&student) {
            errors.push(fail("journal.not_in_course"));
            continue;
        }
        // Correcting what was recorded for an earlier day is an official change: it needs a reason.
        if old.is_some() && date < today && reason.is_none() {
            errors.push(fail("journal.reason_required"));
            continue;
        }
        changes.push((input.key.clone(), target, old));
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(AppError::Cells(errors))
    }
}

/// Writes checked changes, making a lesson the first mark of a day needs; answers what was saved
/// and the history's lines.
#[expect(
    clippy::too_many_arguments,
    reason = "the step works inside its caller's transaction on what the caller has checked"
)]
async fn write_cells(
    tx: &mut klade_store::Tx,
    tenant: klade_domain::Tenant,
    id: CourseId,
    stored: &Stored,
    changes: Vec<CellChange>,
    reason: Option<&str>,
    session: &Session,
    now: i64,
) -> Result<(Saved, Vec<Change>), AppError> {
    let mut log = Vec::new();
    let mut created: HashMap<(Date, i64), LessonId> = HashMap::new();
    let mut saved = Saved::default();
    for (key, target, old) in changes {
        let (item, new) = match target {
            Target::Attendance {
                date,
                lesson_no,
                student,
                entry,
            } => {
                let known = stored
                    .lessons
                    .get(&(date, lesson_no))
                    .map(|l| l.id)
                    .or_else(|| created.get(&(date, lesson_no)).copied());
                let lesson_id = match known {
                    Some(l) => l,
                    None => {
                        let (l, new) = journal::ensure_lesson(tx, tenant, id, date, lesson_no).await?;
                        // Another save may have created it meanwhile; then its history is there.
                        if new {
                            let line = change(
                                Item::Lesson(l.id).to_string(),
                                None,
                                Some(l.history_value()),
                                None,
                                session,
                                now,
                            );
                            log.push(line);
                        }
                        created.insert((date, lesson_no), l.id);
                        l.id
                    }
                };
                let mark = entry.as_ref().map(|e| (e.code.as_str(), e.minutes));
                journal::set_attendance(&mut **tx, tenant, lesson_id, student, mark).await?;
                (
                    Item::Attendance(lesson_id, student).to_string(),
                    entry.as_ref().map(Entry::display),
                )
            }
            Target::Grade {
                assessment,
                student,
                mark,
            } => {
                let new = mark.as_ref().map(|m| m.as_str().to_string());
                journal::set_grade(&mut **tx, tenant, assessment, student, new.as_deref(), now).await?;
                (Item::Grade(assessment, student).to_string(), new)
            }
        };
        log.push(change(item, old, new.clone(), reason, session, now));
        saved.cells.push((key, new.unwrap_or_default()));
    }
    Ok((saved, log))
}

/// What parents may be told of a save: new grades and new absences (a lateness too).
fn events_of(
    log: &[Change],
    kinds: &[MarkKind],
    course: &Course,
    assessments: &HashMap<AssessmentId, Assessment>,
) -> Vec<crate::families::Event> {
    use crate::families::Event;
    let mut out = Vec::new();
    for c in log {
        let Some(new) = &c.new else { continue };
        match c.item.parse::<Item>() {
            Ok(Item::Grade(a, s)) => {
                let date = assessments
                    .get(&a)
                    .map(|x| crate::clock::format_date(x.date))
                    .unwrap_or_default();
                out.push(Event {
                    student: s,
                    kind: "grade",
                    text: format!("Klade: {} — jauns vērtējums {new} ({date})", course.name),
                    item: c.item.clone(),
                    value: new.clone(),
                });
            }
            Ok(Item::Attendance(_, s)) => {
                let code: String = new.chars().take_while(|c| !c.is_ascii_digit()).collect();
                if kinds.iter().any(|k| k.code == code && (k.absent || k.late)) {
                    out.push(Event {
                        student: s,
                        kind: "absence",
                        text: format!("Klade: {} — kavējums: {new}", course.name),
                        item: c.item.clone(),
                        value: new.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn change(
    item: String,
    old: Option<String>,
    new: Option<String>,
    reason: Option<&str>,
    session: &Session,
    at: i64,
) -> Change {
    Change {
        item,
        old,
        new,
        reason: reason.map(str::to_string),
        person: session.person,
        at,
    }
}

/// What a teacher writes about a lesson (R19.1).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LessonInput {
    pub date: String,
    pub lesson_no: i64,
    pub topic: String,
    pub content: String,
    pub homework: String,
    pub homework_due: Option<String>,
    pub reason: Option<String>,
}

/// Records or corrects a lesson's topic, content and homework.
pub async fn save_lesson(app: &App, session: &Session, id: CourseId, input: &LessonInput) -> Result<Lesson, AppError> {
    let (course, permit) = open(app, session, id, Action::KeepJournal).await?;
    let inst = permit.institution();
    let today = app.today();
    let date = parse_date(&input.date)?;
    if date < course.year_starts_on || date > course.year_ends_on {
        return Err(AppError::invalid("date", "journal.date_outside_year"));
    }
    if date > today {
        return Err(AppError::invalid("date", "journal.future_lesson"));
    }
    if !(1..=12).contains(&input.lesson_no) {
        return Err(AppError::invalid("lesson_no", "journal.lesson_no_range"));
    }
    if input.topic.trim().is_empty() {
        return Err(AppError::invalid("topic", "error.required"));
    }
    let due = match input.homework_due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => {
            let d = parse_date(d).map_err(|_| AppError::invalid("homework_due", "error.date"))?;
            if d < date {
                return Err(AppError::invalid("homework_due", "journal.due_before_lesson"));
            }
            Some(d)
        }
        None => None,
    };
    let consent = crate::year_lock::change_reason(app, session, inst, id).await?;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .or(consent.as_deref());
    // Read and write in one transaction, so a save made meanwhile is neither lost nor misrecorded.
    let mut tx = app.db.begin().await?;
    let old = journal::lesson_at(&mut *tx, inst, id, date, input.lesson_no).await?;
    let wanted = Lesson {
        id: old.as_ref().map(|l| l.id).unwrap_or(LessonId(0)),
        course_id: id,
        date,
        lesson_no: input.lesson_no,
        topic: input.topic.trim().to_string(),
        content: input.content.trim().to_string(),
        homework: input.homework.trim().to_string(),
        homework_due: due,
    };
    if let Some(o) = &old {
        if o.history_value() == wanted.history_value() {
            return Ok(o.clone());
        }
        let recorded = !o.topic.is_empty() || !o.content.is_empty() || !o.homework.is_empty();
        if recorded && date < today && reason.is_none() {
            return Err(AppError::invalid("reason", "journal.reason_required"));
        }
    }
    let stored = journal::put_lesson(&mut *tx, permit.tenant(), &wanted, app.now()).await?;
    let entry = change(
        Item::Lesson(stored.id).to_string(),
        old.map(|o| o.history_value()),
        Some(stored.history_value()),
        reason,
        session,
        app.now(),
    );
    history::append(&mut tx, app.db.backend(), permit.tenant(), &[entry]).await?;
    tx.commit().await?;
    Ok(stored)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AssessmentInput {
    pub kind: String,
    pub scale: String,
    pub date: String,
    pub title: String,
    pub handed_in_on: Option<String>,
}

/// Adds an assessment (a column of grades) to a course. A summative one records when the work
/// was handed in: its 10-working-day clock starts there (R19.2). One dated ahead is a test
/// announced: it is handed in on its day unless the teacher records otherwise.
pub async fn add_assessment(
    app: &App,
    session: &Session,
    id: CourseId,
    input: &AssessmentInput,
) -> Result<Assessment, AppError> {
    let (course, permit) = open(app, session, id, Action::KeepJournal).await?;
    let kind = Kind::from_code(&input.kind).ok_or(AppError::invalid("kind", "grade.kind"))?;
    let scale = Scale::from_code(&input.scale).ok_or(AppError::invalid("scale", "grade.scale"))?;
    let date = parse_date(&input.date)?;
    if date < course.year_starts_on || date > course.year_ends_on {
        return Err(AppError::invalid("date", "journal.date_outside_year"));
    }
    let handed_in = match input.handed_in_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(parse_date(d).map_err(|_| AppError::invalid("handed_in_on", "error.date"))?),
        None if kind == Kind::Summative && date <= app.today() => Some(date),
        None => None,
    };
    if handed_in.is_some_and(|h| h > app.today()) {
        return Err(AppError::invalid("handed_in_on", "grade.handed_in_future"));
    }
    let title = input.title.trim();
    if title.is_empty() && !kind.is_period_grade() {
        return Err(AppError::invalid("title", "error.required"));
    }
    let mut tx = app.db.begin().await?;
    let stored = journal::insert_assessment(
        &mut *tx,
        permit.tenant(),
        &Assessment {
            id: AssessmentId(0),
            course_id: id,
            kind: kind.code().to_string(),
            scale: scale.code().to_string(),
            date,
            title: title.to_string(),
            handed_in_on: handed_in,
        },
    )
    .await?;
    let entry = change(
        Item::Assessment(stored.id).to_string(),
        None,
        Some(stored.history_value()),
        None,
        session,
        app.now(),
    );
    history::append(&mut tx, app.db.backend(), permit.tenant(), &[entry]).await?;
    tx.commit().await?;
    Ok(stored)
}

pub const NOTE_KINDS: [&str; 5] = ["remark", "behaviour", "praise", "individual_work", "consultation"];

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NoteInput {
    pub kind: String,
    pub date: String,
    pub text: String,
    pub students: Vec<i64>,
}

/// Records a remark, a behaviour note, praise (R20.1), or individual work or a consultation with
/// one or more students (R19.3). Each student gets their own note, shown in their diary.
pub async fn add_note(app: &App, session: &Session, id: CourseId, input: &NoteInput) -> Result<usize, AppError> {
    let (course, permit) = open(app, session, id, Action::KeepJournal).await?;
    let inst = permit.institution();
    if !NOTE_KINDS.contains(&input.kind.as_str()) {
        return Err(AppError::invalid("kind", "note.kind"));
    }
    let date = parse_date(&input.date)?;
    if date < course.year_starts_on || date > course.year_ends_on {
        return Err(AppError::invalid("date", "journal.date_outside_year"));
    }
    let text = input.text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("text", "error.required"));
    }
    if input.students.is_empty() {
        return Err(AppError::invalid("students", "note.no_students"));
    }
    let members: HashSet<PersonId> = journal::students(app.db.pool(), inst, id, date)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if input.students.iter().any(|s| !members.contains(&PersonId(*s))) {
        return Err(AppError::invalid("students", "journal.not_in_course"));
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut log = Vec::new();
    for s in &input.students {
        let student = PersonId(*s);
        let note_id = journal::insert_note(
            &mut *tx,
            permit.tenant(),
            Some(id),
            student,
            date,
            &input.kind,
            text,
            session.person,
        )
        .await?;
        let note = journal::Note {
            id: note_id,
            course_id: Some(id),
            student_id: student,
            date,
            kind: input.kind.clone(),
            text: text.to_string(),
            author: String::new(),
        };
        log.push(change(
            Item::Note(note_id).to_string(),
            None,
            Some(note.history_value()),
            None,
            session,
            now,
        ));
    }
    history::append(&mut tx, app.db.backend(), permit.tenant(), &log).await?;
    let events: Vec<crate::families::Event> = input
        .students
        .iter()
        .zip(&log)
        .map(|(s, c)| crate::families::Event {
            student: PersonId(*s),
            kind: "remark",
            text: format!("Klade: {} — {}", course.name, text),
            item: c.item.clone(),
            value: c.new.clone().unwrap_or_default(),
        })
        .collect();
    crate::families::queue_events(&mut tx, inst, &events, now).await?;
    tx.commit().await?;
    Ok(input.students.len())
}

pub async fn notes(app: &App, session: &Session, id: CourseId) -> Result<Vec<journal::Note>, AppError> {
    let (_, permit) = open(app, session, id, Action::ViewJournal).await?;
    Ok(journal::notes(app.db.pool(), permit.institution(), Some(id), None).await?)
}

/// The history of one item of a course's journal (a cell, a lesson, an assessment, a note).
pub async fn history(app: &App, session: &Session, id: CourseId, item: &str) -> Result<Vec<history::Entry>, AppError> {
    let (_, permit) = open(app, session, id, Action::ViewJournal).await?;
    entries_of(app, permit.institution(), id, item).await
}

/// The changes of one item, refused when the item is not the course's.
async fn entries_of(app: &App, inst: InstitutionId, id: CourseId, item: &str) -> Result<Vec<history::Entry>, AppError> {
    if !journal::item_in_course(app.db.pool(), inst, id, item).await? {
        return Err(AppError::NotFound);
    }
    Ok(history::entries(app.db.pool(), inst, item).await?)
}

/// What a history's item keys (`grade:222:326`) refer to, so the history reads in words: the
/// students by name, the course's lessons and assessments.
#[derive(Debug, Clone, Default)]
pub struct HistoryNames {
    pub students: HashMap<PersonId, String>,
    pub lessons: HashMap<LessonId, Lesson>,
    pub assessments: HashMap<AssessmentId, Assessment>,
}

/// The history of items of a course's journal (a cell; a column: a lesson with its attendance, an
/// assessment with its grades), oldest first, with the names behind their keys, read from the
/// course's own lessons and assessments.
pub async fn history_in_words(
    app: &App,
    session: &Session,
    course: CourseId,
    items: &[String],
) -> Result<(Vec<history::Entry>, HistoryNames), AppError> {
    let (_, permit) = open(app, session, course, Action::ViewJournal).await?;
    let inst = permit.institution();
    let db = app.db.pool();
    let mut entries = Vec::new();
    for item in items {
        entries.extend(entries_of(app, inst, course, item).await?);
    }
    entries.sort_by_key(|e| e.seq);
    let mut students = HashSet::new();
    let (mut lessons, mut assessments) = (false, false);
    for e in &entries {
        let Ok(item) = e.item.parse::<Item>() else { continue };
        lessons |= matches!(item, Item::Lesson(_) | Item::Attendance(..));
        assessments |= matches!(item, Item::Assessment(_) | Item::Grade(..));
        students.extend(item.student());
    }
    let students: Vec<PersonId> = students.into_iter().collect();
    let mut names = HistoryNames {
        students: klade_store::people::names(db, &students).await?,
        ..Default::default()
    };
    if lessons {
        for l in journal::lessons(db, inst, course, Date::MIN, Date::MAX).await? {
            names.lessons.insert(l.id, l);
        }
    }
    if assessments {
        for a in journal::assessments(db, inst, course, Date::MIN, Date::MAX).await? {
            names.assessments.insert(a.id, a);
        }
    }
    Ok((entries, names))
}

/// The history item behind a grid cell key, when the cell has a stored lesson.
pub async fn item_of_cell(app: &App, course: &Course, key: &str) -> Result<Option<String>, AppError> {
    Ok(match key.parse::<Cell>() {
        Ok(Cell::Attendance {
            date,
            lesson_no,
            student,
        }) => journal::lesson_at(app.db.pool(), course.institution_id, course.id, date, lesson_no)
            .await?
            .map(|l| Item::Attendance(l.id, student).to_string()),
        Ok(Cell::Grade { assessment, student }) => Some(Item::Grade(assessment, student).to_string()),
        Err(_) => None,
    })
}

/// A student's journal for the school year: grades and attendance marks (the diary's data).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StudentJournal {
    pub student: PersonId,
    pub institution: InstitutionId,
    pub grades: Vec<journal::StudentGrade>,
    pub attendance: Vec<journal::StudentMark>,
    pub notes: Vec<journal::Note>,
}

/// A student's journal wherever they are enrolled today that the reader may see: the student's
/// own or a child's (the API's `/students/{id}`); `from`–`to` default to the school year.
pub async fn journal_of_student(
    app: &App,
    session: &Session,
    student: PersonId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<StudentJournal, AppError> {
    let today = app.today();
    let (start, end) = klade_domain::school_year::containing(today);
    let from = from.map_or(Ok(start), |d| {
        d.parse().map_err(|_| AppError::invalid("from", "error.date"))
    })?;
    let to = to.map_or(Ok(end), |d| {
        d.parse().map_err(|_| AppError::invalid("to", "error.date"))
    })?;
    let mut last = AppError::NotFound;
    for p in school::placements(app.db.pool(), &[student], today).await? {
        match student_journal(app, session, p.institution_id, p.student_id, Some(p.class_id), from, to).await {
            Ok(j) => return Ok(j),
            Err(e) => last = e,
        }
    }
    Err(last)
}

pub async fn student_journal(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    student: PersonId,
    class: Option<ClassId>,
    from: Date,
    to: Date,
) -> Result<StudentJournal, AppError> {
    let permit = policy::authorize(
        &session.actor,
        Action::ViewDiary,
        Scope::Student {
            institution,
            student,
            class,
        },
    )?;
    let inst = permit.institution();
    crate::people::log_staff_view(app, session, inst, student, "journal").await?;
    let db = app.db.pool();
    let grades = journal::student_grades(db, inst, &[student], from, to)
        .await?
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    let attendance = journal::student_attendance(db, inst, &[student], from, to)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let notes = journal::notes(db, inst, None, Some(student)).await?;
    Ok(StudentJournal {
        student,
        institution: inst,
        grades,
        attendance,
        notes,
    })
}

/// The class summary journal (R22.3, R22.4): per student and subject the semester, year and final
/// grades, and per student the absences of the school year.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub class_name: String,
    pub institution_name: String,
    /// The school year the summary covers, as `01.09.2026.–31.08.2027.`.
    pub period: String,
    pub courses: Vec<Course>,
    pub students: Vec<Student>,
    /// (student, course) → period grades as "kind: mark" texts in date order.
    pub grades: HashMap<(PersonId, CourseId), Vec<(Kind, String)>>,
    /// student → (absent excused, absent unexcused, late)
    pub absences: HashMap<PersonId, (i64, i64, i64)>,
}

pub async fn summary(app: &App, session: &Session, class: ClassId) -> Result<Summary, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(
        &session.actor,
        Action::ViewJournal,
        Scope::Class {
            institution: inst,
            class,
        },
    )
    .or_else(|_| policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(inst)))?;
    let inst = permit.institution();
    let (class_name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    let mut courses = journal::courses_of_class(db, inst, class).await?;
    courses.sort_by(|a, b| klade_domain::collate::cmp(&a.name, &b.name));
    let year = courses.first().map(|c| (c.year_starts_on, c.year_ends_on));
    let today = app.today();
    let on = year.map_or(today, |(_, last)| today.min(last));
    let mut students: Vec<Student> = Vec::new();
    let mut seen = HashSet::new();
    for c in &courses {
        for s in journal::students(db, inst, c.id, on).await? {
            if seen.insert(s.id) {
                students.push(s);
            }
        }
        // A course of the whole class lists every student; the first one found is enough.
        if c.subgroup.is_none() && !students.is_empty() {
            break;
        }
    }
    students.sort_by_cached_key(|s| klade_domain::collate::person_key(&s.family_name, &s.given_name));
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let mut grades: HashMap<(PersonId, CourseId), Vec<(Kind, String)>> = HashMap::new();
    // Counted as the monthly summary counts them: an excuse covering the day excuses an absence.
    let mut absences: HashMap<PersonId, (i64, i64, i64)> = HashMap::new();
    if let Some((from, to)) = year {
        for (student, g) in journal::student_grades(db, inst, &ids, from, to).await? {
            if let Some(kind) = Kind::from_code(&g.kind).filter(|k| k.is_period_grade()) {
                grades.entry((student, g.course_id)).or_default().push((kind, g.mark));
            }
        }
        for r in klade_store::statistics::absences_by_student(db, inst, from, to, Some(&[class])).await? {
            let e = absences.entry(r.student_id).or_default();
            e.0 += r.excused;
            e.1 += r.unexcused;
            e.2 += r.late;
        }
    }
    let institution_name = klade_store::institutions::get(db, inst)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    let period = year.map_or_else(String::new, |(from, to)| {
        format!("{}–{}", crate::clock::format_date(from), crate::clock::format_date(to))
    });
    Ok(Summary {
        class_name,
        institution_name,
        period,
        courses,
        students,
        grades,
        absences,
    })
}

/// `klade verify`: every institution's history chain, and every journal value against it.
pub async fn verify(app: &App) -> Result<Vec<(InstitutionId, history::Problem)>, AppError> {
    let mut out = Vec::new();
    for i in klade_store::institutions::list(app.db.pool()).await? {
        for p in history::verify(&app.db, i.id).await? {
            out.push((i.id, p));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(scale: &str) -> Stored {
        let assessment = Assessment {
            id: AssessmentId(7),
            course_id: CourseId(1),
            kind: "summative".into(),
            scale: scale.into(),
            date: jiff::civil::date(2026, 11, 20),
            title: String::new(),
            handed_in_on: None,
        };
        Stored {
            kinds: klade_domain::attendance::default_kinds(),
            assessments: HashMap::from([(assessment.id, assessment)]),
            slots: Vec::new(),
            calendar: std::sync::Arc::new((
                klade_domain::calendar::Calendar::latvia(),
                klade_domain::deadlines::Settings::default(),
            )),
            lessons: HashMap::new(),
            attendance: HashMap::new(),
            grades: HashMap::from([((AssessmentId(7), PersonId(3)), "6".to_string())]),
        }
    }

    fn parse(s: &Stored, key: &str, value: &str) -> Result<Option<Date>, &'static str> {
        let input = CellInput {
            key: key.into(),
            value: value.into(),
        };
        let year = (jiff::civil::date(2026, 9, 1), jiff::civil::date(2027, 8, 31));
        s.parse(&input, year, jiff::civil::date(2026, 11, 26))
            .map(|p| p.map(|p| p.day))
    }

    #[test]
    fn a_cell_is_read_against_what_is_stored() {
        let s = stored("ten");
        assert_eq!(parse(&s, "g:7:3", "6"), Ok(None), "the same mark changes nothing");
        assert_eq!(parse(&s, "g:7:3", "8"), Ok(Some(jiff::civil::date(2026, 11, 20))));
        assert_eq!(parse(&s, "g:7:3", "11"), Err("grade.out_of_scale_ten"));
        assert_eq!(parse(&s, "g:8:3", "8"), Err("journal.bad_cell"), "no such assessment");
        assert_eq!(parse(&s, "x:1", "8"), Err("journal.bad_cell"));
        assert_eq!(parse(&s, "a:2026-11-30:1:3", "n"), Err("journal.future_lesson"));
        assert_eq!(parse(&s, "a:2025-11-20:1:3", "n"), Err("journal.date_outside_year"));
        assert_eq!(parse(&s, "a:2026-11-20:1:3", "n"), Err("journal.lesson_not_held"));
    }

    #[test]
    fn an_unknown_scale_is_refused_not_read_as_one_to_ten() {
        assert_eq!(parse(&stored("twelve"), "g:7:3", "8"), Err("grade.scale"));
    }
}
