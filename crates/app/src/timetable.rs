//! The timetable (R22.1): entered per class by the deputy for academic work, with changes from a
//! date and one-off substitutions; each person sees the week that concerns them.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::timetable::{clash, Booking, Clash};
use klade_domain::{policy, Action, ClassId, CourseId, InstitutionId, PersonId, Scope};
use klade_store::journal::{self, Slot, SlotsOf, Substitution};
use klade_store::school;
use std::sync::Arc;

/// One lesson in someone's week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WeekLesson {
    pub date: Date,
    pub weekday: i64,
    pub slot: Slot,
    pub substitution: Option<Substitution>,
}

/// A week of lessons under a heading (the teacher's own, a class's, a child's).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Week {
    pub title: String,
    pub lessons: Vec<WeekLesson>,
}

/// Monday of the week containing `day`.
pub fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// Every slot a class has had, kept per server while the rights counter stands: the timetable
/// (by trigger) and everything a slot shows — its course, class, teachers — move the counter, and
/// every session lookup reads it. The diary and the students' week read a class's timetable on
/// every view; it changes a few times a year.
pub(crate) type TimetableCache = crate::cache::Cache<(InstitutionId, ClassId), i64, Arc<Vec<Slot>>>;

/// A class's slots take about 15 KB, so 5 000 classes — a few hundred schools — take about 75 MB.
pub(crate) fn timetable_cache() -> TimetableCache {
    crate::cache::Cache::new(5_000)
}

/// A class's slots, every validity period of them (callers pick the days they show).
pub(crate) async fn class_slots(
    app: &App,
    institution: InstitutionId,
    class: ClassId,
    version: i64,
) -> Result<Arc<Vec<Slot>>, AppError> {
    if let Some(slots) = app.timetables.get(&(institution, class), &version) {
        return Ok(slots);
    }
    let all = journal::slots(app.db.pool(), institution, SlotsOf::Class(class), Date::MIN, Date::MAX).await?;
    let slots = Arc::new(all);
    app.timetables.put((institution, class), version, slots.clone());
    Ok(slots)
}

/// The week's lessons from the slots: none on a public holiday, a day off or in a school holiday.
fn spread(
    slots: &[Slot],
    subs: &[Substitution],
    monday: Date,
    cal: &klade_domain::calendar::Calendar,
) -> Vec<WeekLesson> {
    let mut out = Vec::new();
    for offset in 0..7_i64 {
        let Ok(day) = monday.checked_add(jiff::Span::new().days(offset)) else {
            continue;
        };
        if !cal.is_school_day(day) {
            continue;
        }
        for s in slots.iter().filter(|s| s.weekday == offset + 1) {
            if s.valid_from > day || s.valid_to.is_some_and(|t| t < day) {
                continue;
            }
            let substitution = subs
                .iter()
                .find(|x| x.course_id == s.course_id && x.date == day && x.lesson_no == s.lesson_no)
                .cloned();
            out.push(WeekLesson {
                date: day,
                weekday: offset + 1,
                slot: s.clone(),
                substitution,
            });
        }
    }
    out.sort_by_key(|l| (l.date, l.slot.lesson_no));
    out
}

/// The weeks that concern the person: what they teach (and substitute), their class, their
/// children's classes.
pub async fn my_week(app: &App, session: &Session, day: Date) -> Result<Vec<Week>, AppError> {
    let db = app.db.pool();
    let monday = monday_of(day);
    let sunday = monday.checked_add(jiff::Span::new().days(6)).unwrap_or(monday);
    let (from, to) = (monday, sunday);
    let actor = &session.actor;
    let mut weeks = Vec::new();
    let mut students: Vec<(InstitutionId, PersonId, String)> = Vec::new();
    for institution in actor.institutions() {
        policy::authorize(actor, Action::ViewInstitution, Scope::Institution(institution))?;
        let subs = journal::substitutions(db, institution, from, to).await?;
        if actor.courses.iter().any(|(i, _)| *i == institution) {
            let cal = crate::calendar::cached(app, institution, session.rights).await?;
            let slots = journal::slots(db, institution, SlotsOf::Teacher(session.person), from, to).await?;
            let mut lessons = spread(&slots, &subs, monday, &cal.0);
            // Lessons this person takes over for someone else.
            for sub in subs.iter().filter(|s| s.teacher_id == session.person) {
                if lessons
                    .iter()
                    .any(|l| l.slot.course_id == sub.course_id && l.date == sub.date)
                {
                    continue;
                }
                let slots = journal::slots(db, institution, SlotsOf::Course(sub.course_id), from, to).await?;
                lessons.extend(
                    spread(&slots, &subs, monday, &cal.0)
                        .into_iter()
                        .filter(|l| l.date == sub.date && l.slot.lesson_no == sub.lesson_no),
                );
            }
            lessons.sort_by_key(|l| (l.date, l.slot.lesson_no));
            weeks.push(Week {
                title: String::new(),
                lessons,
            });
        }
        students.extend(
            actor
                .grants
                .iter()
                .filter(|g| g.institution == institution && g.role == klade_domain::Role::Student)
                .map(|_| (institution, session.person, String::new())),
        );
        students.extend(
            actor
                .children
                .iter()
                .filter(|(i, _)| *i == institution)
                .map(|(i, c)| (*i, *c, String::new())),
        );
    }
    let ids: Vec<PersonId> = students.iter().map(|s| s.1).collect();
    for p in school::placements(db, &ids, monday).await? {
        let subs = journal::substitutions(db, p.institution_id, from, to).await?;
        let slots = class_slots(app, p.institution_id, p.class_id, session.rights).await?;
        let cal = crate::calendar::cached(app, p.institution_id, session.rights).await?;
        let title = if p.student_id == session.person {
            p.class_name.clone()
        } else {
            format!("{} {} — {}", p.given_name, p.family_name, p.class_name)
        };
        weeks.push(Week {
            title,
            lessons: spread(&slots, &subs, monday, &cal.0),
        });
    }
    Ok(weeks)
}

/// A class's timetable as the deputy edits it: the slots valid on `day`.
/// What the class timetable page shows the deputy.
pub struct ClassPlan {
    pub name: String,
    pub slots: Vec<Slot>,
    pub courses: Vec<journal::Course>,
    pub subjects: Vec<crate::setup::Subject>,
    pub teachers: Vec<crate::setup::Teacher>,
    pub students: Vec<journal::Student>,
}

pub async fn class_plan(app: &App, session: &Session, class: ClassId, day: Date) -> Result<ClassPlan, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnterTimetable, Scope::Institution(inst))?;
    let inst = permit.institution();
    let (name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    Ok(ClassPlan {
        name,
        slots: journal::slots(db, inst, SlotsOf::Class(class), day, day).await?,
        courses: journal::courses_of_class(db, inst, class).await?,
        subjects: school::subjects(db, inst)
            .await?
            .into_iter()
            .map(crate::setup::Subject::from)
            .collect(),
        teachers: klade_store::accounts::people_with_role(db, inst, klade_domain::Role::Teacher, day)
            .await?
            .into_iter()
            .map(crate::setup::Teacher::from)
            .collect(),
        students: journal::class_students(db, inst, class, day).await?,
    })
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SlotInput {
    pub course: i64,
    pub weekday: i64,
    pub lesson_no: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub room: String,
    pub valid_from: String,
}

pub(crate) fn valid_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// Puts a course into a class's week from a date. A slot already there at that time ends the day
/// before: that is how the timetable changes from a date, with the old week kept.
pub async fn set_slot(app: &App, session: &Session, class: ClassId, input: &SlotInput) -> Result<i64, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnterTimetable, Scope::Institution(inst))?;
    let inst = permit.institution();
    let course = journal::course(db, inst, CourseId(input.course))
        .await?
        .ok_or(AppError::invalid("course", "timetable.course"))?;
    if course.class_id != Some(class) {
        return Err(AppError::invalid("course", "timetable.course"));
    }
    if !(1..=7).contains(&input.weekday) {
        return Err(AppError::invalid("weekday", "timetable.weekday"));
    }
    if !(1..=12).contains(&input.lesson_no) {
        return Err(AppError::invalid("lesson_no", "journal.lesson_no_range"));
    }
    if !valid_time(&input.starts_at) || !valid_time(&input.ends_at) || input.starts_at >= input.ends_at {
        return Err(AppError::invalid("starts_at", "timetable.times"));
    }
    let from: Date = input
        .valid_from
        .parse()
        .map_err(|_| AppError::invalid("valid_from", "error.date"))?;
    if from < course.year_starts_on || from > course.year_ends_on {
        return Err(AppError::invalid("valid_from", "journal.date_outside_year"));
    }
    let day_before = from.yesterday().unwrap_or(from);
    let teachers = journal::course_teacher_ids(db, inst, course.id).await?;
    let room = input.room.trim();
    let new = Booking {
        class: class.0,
        group: course.subgroup.as_deref(),
        subject: course.subject_id.0,
        teachers: &teachers,
        room,
        weekday: input.weekday,
        lesson_no: input.lesson_no,
    };
    // The class's own lesson at that time is replaced; anyone else's is a clash.
    let mut replaced = Vec::new();
    for f in journal::slot_facts(db, inst, from, course.year_ends_on).await? {
        let there = Booking {
            class: f.class_id.0,
            group: f.subgroup.as_deref(),
            subject: f.subject_id.0,
            teachers: &f.teachers,
            room: &f.room,
            weekday: f.weekday,
            lesson_no: f.lesson_no,
        };
        match clash(&new, &there) {
            None => {}
            Some(Clash::Class) => replaced.push(f.id),
            Some(c) => {
                return Err(AppError::Clash {
                    code: c.code(),
                    with: format!("{} {}", f.class_name, f.course_name),
                })
            }
        }
    }
    let mut tx = app.db.begin().await?;
    // The slot there ends the day before; one that would only begin later then never applies.
    for id in replaced {
        journal::end_slot(&mut *tx, permit.tenant(), id, day_before).await?;
    }
    let id = journal::insert_slot(
        &mut *tx,
        permit.tenant(),
        &journal::NewSlot {
            class,
            course: course.id,
            weekday: input.weekday,
            lesson_no: input.lesson_no,
            starts_at: &input.starts_at,
            ends_at: &input.ends_at,
            room,
            valid_from: from,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SubstitutionInput {
    pub course: i64,
    pub date: String,
    pub lesson_no: i64,
    pub teacher: i64,
    pub room: String,
    pub note: String,
}

/// A one-off substitution: another teacher takes one lesson of a course on a date.
pub async fn substitute(
    app: &App,
    session: &Session,
    class: ClassId,
    input: &SubstitutionInput,
) -> Result<(), AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnterTimetable, Scope::Institution(inst))?;
    let inst = permit.institution();
    let course = journal::course(db, inst, CourseId(input.course))
        .await?
        .ok_or(AppError::invalid("course", "timetable.course"))?;
    if course.class_id != Some(class) {
        return Err(AppError::invalid("course", "timetable.course"));
    }
    let date: Date = input
        .date
        .parse()
        .map_err(|_| AppError::invalid("date", "error.date"))?;
    let planned = journal::slots(db, inst, SlotsOf::Course(course.id), date, date).await?;
    let weekday = i64::from(date.weekday().to_monday_one_offset());
    if !planned
        .iter()
        .any(|s| s.weekday == weekday && s.lesson_no == input.lesson_no)
    {
        return Err(AppError::invalid("lesson_no", "journal.lesson_not_held"));
    }
    let teacher = PersonId(input.teacher);
    let staff = klade_store::accounts::holdings(db, teacher, date).await?;
    if !staff.grants.iter().any(|g| {
        g.institution == inst
            && matches!(
                g.role,
                klade_domain::Role::Teacher | klade_domain::Role::PreschoolTeacher
            )
    }) {
        return Err(AppError::invalid("teacher", "timetable.not_a_teacher"));
    }
    journal::insert_substitution(
        db,
        permit.tenant(),
        course.id,
        date,
        input.lesson_no,
        teacher,
        input.room.trim(),
        input.note.trim(),
        app.now(),
    )
    .await
    .map_err(|e| match e {
        klade_store::StoreError::Conflict(_) => AppError::Conflict("timetable.substitution_exists"),
        e => e.into(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(
            monday_of(jiff::civil::date(2026, 11, 26)),
            jiff::civil::date(2026, 11, 23)
        );
        assert_eq!(
            monday_of(jiff::civil::date(2026, 11, 23)),
            jiff::civil::date(2026, 11, 23)
        );
        assert_eq!(
            monday_of(jiff::civil::date(2026, 11, 29)),
            jiff::civil::date(2026, 11, 23)
        );
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert!(valid_time("08:30"));
        assert!(!valid_time("8:30"));
        assert!(!valid_time("24:00"));
        assert!(!valid_time("08:60"));
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CourseInput {
    pub subject: i64,
    pub teachers: Vec<i64>,
    /// A subgroup's name ("1. grupa"); empty for the whole class.
    pub subgroup: Option<String>,
    /// The subgroup's students; empty for the whole class.
    pub students: Vec<i64>,
}

/// Opens a course for a class: a subject or module taught by one or more teachers, to the whole
/// class or to a subgroup of its students. Part of planning the timetable (R22.1).
pub async fn add_course(
    app: &App,
    session: &Session,
    class: ClassId,
    input: &CourseInput,
) -> Result<CourseId, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnterTimetable, Scope::Institution(inst))?;
    let inst = permit.institution();
    let (_, year) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    let subjects = school::subjects(db, inst).await?;
    let subject = subjects
        .iter()
        .find(|s| s.0 .0 == input.subject)
        .ok_or(AppError::invalid("subject", "course.subject"))?;
    if input.teachers.is_empty() {
        return Err(AppError::invalid("teachers", "course.no_teachers"));
    }
    let today = app.today();
    let teachers = klade_store::accounts::people_with_role(db, inst, klade_domain::Role::Teacher, today).await?;
    if input
        .teachers
        .iter()
        .any(|t| !teachers.iter().any(|(id, _)| id.0 == *t))
    {
        return Err(AppError::invalid("teachers", "timetable.not_a_teacher"));
    }
    let subgroup = input.subgroup.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // A group has a name and students; the whole class has neither.
    if subgroup.is_some() == input.students.is_empty() {
        return Err(AppError::invalid("students", "course.subgroup_hint"));
    }
    let members: Vec<PersonId> = school::placements(
        db,
        &input.students.iter().map(|s| PersonId(*s)).collect::<Vec<_>>(),
        today,
    )
    .await?
    .into_iter()
    .filter(|p| p.class_id == class)
    .map(|p| p.student_id)
    .collect();
    if members.len() != input.students.len() {
        return Err(AppError::invalid("students", "journal.not_in_course"));
    }
    let name = match subgroup {
        Some(g) => format!("{} ({g})", subject.1),
        None => subject.1.clone(),
    };
    let mut tx = app.db.begin().await?;
    let course = journal::insert_course(
        &mut *tx,
        permit.tenant(),
        &journal::NewCourse {
            year,
            subject: subject.0,
            class: Some(class),
            name: &name,
            subgroup,
        },
    )
    .await?;
    for t in &input.teachers {
        journal::add_course_teacher(&mut *tx, permit.tenant(), course, PersonId(*t)).await?;
    }
    for s in members {
        journal::add_course_student(&mut *tx, permit.tenant(), course, s).await?;
    }
    tx.commit().await?;
    Ok(course)
}
