//! What families see and do (R18.2, R20, R21, J4): the diary of a week, absence notices from a
//! parent of a minor or an adult student, the tutor's excuses, and what is left unexcused after
//! the month's end.

use crate::auth::Session;
use crate::{clock, App, AppError};
use jiff::civil::Date;
use klade_domain::journal_item::Item;
use klade_domain::{policy, Action, ClassId, InstitutionId, PersonId, Role, Scope};
pub use klade_store::families::Notice;
use klade_store::families::{self, Excuse};
use klade_store::history::{self, Change};
pub use klade_store::journal::StudentGrade;
use klade_store::journal::{self, StudentMark};
pub use klade_store::notifications::{CHANNELS, EVENTS};
use klade_store::{people, school};

/// Where a student is: institution and class today.
async fn placement(app: &App, student: PersonId) -> Result<school::Placement, AppError> {
    school::placements(app.db.pool(), &[student], app.today())
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

fn scope(p: &school::Placement) -> Scope {
    Scope::Student {
        institution: p.institution_id,
        student: p.student_id,
        class: Some(p.class_id),
    }
}

pub(crate) fn date(s: &str, field: &'static str) -> Result<Date, AppError> {
    clock::parse_typed_date(s).ok_or(AppError::invalid(field, "error.date"))
}

fn excused_on(excuses: &[Excuse], student: PersonId, day: Date) -> bool {
    excuses
        .iter()
        .any(|e| e.student_id == student && e.from_date <= day && day <= e.to_date)
}

/// One lesson of the diary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DiaryLesson {
    pub lesson_no: i64,
    pub time: String,
    pub course: String,
    pub room: String,
    pub topic: String,
    pub homework: String,
    pub homework_due: Option<Date>,
    /// The attendance mark (`n`, `k5`), and whether the absence is excused.
    pub mark: Option<(String, bool)>,
    pub grades: Vec<StudentGrade>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DiaryDay {
    pub date: Date,
    pub weekday: i64,
    pub lessons: Vec<DiaryLesson>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Diary {
    pub student: PersonId,
    pub name: String,
    pub class_name: String,
    pub institution: InstitutionId,
    pub monday: Date,
    pub days: Vec<DiaryDay>,
    pub notes: Vec<journal::Note>,
    pub notices: Vec<Notice>,
    /// May this reader report an absence for this student?
    pub can_report: bool,
}

/// The students whose diary this person reads: themselves and their children, where they are.
/// They come with the session (cached with the person's holdings), so this reads nothing.
pub async fn diary_students(_app: &App, session: &Session) -> Result<Vec<school::Placement>, AppError> {
    let mut ids: Vec<PersonId> = session.actor.children.iter().map(|(_, c)| *c).collect();
    if session.actor.grants.iter().any(|g| g.role == Role::Student) {
        ids.insert(0, session.person);
    }
    let places = &session.students;
    let mut out: Vec<school::Placement> = Vec::new();
    for id in ids {
        if let Some(p) = places.iter().find(|p| p.student_id == id) {
            if !out.iter().any(|x| x.student_id == id) {
                out.push(p.clone());
            }
        }
    }
    Ok(out)
}

/// A student's week: the timetable's lessons with what was held, homework, marks and grades.
pub async fn diary(app: &App, session: &Session, student: PersonId, day: Date) -> Result<Diary, AppError> {
    diary_days(app, session, student, crate::timetable::monday_of(day), 7).await
}

/// The diary over `days` days from `first` (the calendar feed's weeks at once): the same reading,
/// one query for the whole range. `monday` in the answer is `first`.
pub async fn diary_days(
    app: &App,
    session: &Session,
    student: PersonId,
    first: Date,
    days: i64,
) -> Result<Diary, AppError> {
    // One's own or one's child's placement came with the session; anyone else's (a tutor's look)
    // is read.
    let read;
    let p = match session.students.iter().find(|p| p.student_id == student) {
        Some(p) => p,
        None => {
            read = placement(app, student).await?;
            &read
        }
    };
    let permit = policy::authorize(&session.actor, Action::ViewDiary, scope(p))?;
    let inst = permit.institution();
    crate::people::log_staff_view(app, session, inst, student, "diary").await?;
    let monday = first;
    let sunday = first.checked_add(jiff::Span::new().days(days - 1)).unwrap_or(first);
    let slots = crate::timetable::class_slots(app, inst, p.class_id, session.rights).await?;
    let cal = crate::calendar::cached(app, inst, session.rights).await?;
    let week = families::student_week(&app.db, inst, p.class_id, student, monday, sunday).await?;
    let days = (0..days)
        .filter_map(|offset| monday.checked_add(jiff::Span::new().days(offset)).ok())
        .map(|d| diary_day(&slots, &cal.0, &week, student, d))
        .collect();
    let families::StudentWeek { notes, notices, .. } = week;
    Ok(Diary {
        student,
        name: format!("{} {}", p.given_name, p.family_name),
        class_name: p.class_name.clone(),
        institution: inst,
        monday,
        days,
        notes,
        notices,
        can_report: policy::authorize(&session.actor, Action::ReportAbsence, scope(p)).is_ok(),
    })
}

/// One day of a student's diary: the timetable's lessons that day (none on a holiday) and those
/// held outside it, with what was recorded in each, from the week's records.
fn diary_day(
    slots: &[journal::Slot],
    cal: &klade_domain::calendar::Calendar,
    week: &families::StudentWeek,
    student: PersonId,
    d: Date,
) -> DiaryDay {
    let weekday = i64::from(d.weekday().to_monday_one_offset());
    let held = &week.lessons;
    let mut lessons: Vec<DiaryLesson> = Vec::new();
    // No lesson is proposed on a holiday or in a school holiday; one held is still shown.
    let school_day = cal.is_school_day(d);
    for s in slots
        .iter()
        .filter(|s| school_day && s.weekday == weekday && s.valid_from <= d && s.valid_to.is_none_or(|t| t >= d))
    {
        let lesson = held
            .iter()
            .find(|(l, _)| l.date == d && l.lesson_no == s.lesson_no && l.course_id == s.course_id);
        lessons.push(DiaryLesson {
            lesson_no: s.lesson_no,
            time: format!("{}–{}", s.starts_at, s.ends_at),
            course: s.course_name.clone(),
            room: s.room.clone(),
            topic: lesson.map(|(l, _)| l.topic.clone()).unwrap_or_default(),
            homework: lesson.map(|(l, _)| l.homework.clone()).unwrap_or_default(),
            homework_due: lesson.and_then(|(l, _)| l.homework_due),
            mark: None,
            grades: Vec::new(),
        });
    }
    // Lessons held outside the timetable (an extra lesson) still show.
    for (l, name) in held.iter().filter(|(l, _)| l.date == d) {
        if !lessons.iter().any(|x| x.lesson_no == l.lesson_no && x.course == *name) {
            lessons.push(DiaryLesson {
                lesson_no: l.lesson_no,
                time: String::new(),
                course: name.clone(),
                room: String::new(),
                topic: l.topic.clone(),
                homework: l.homework.clone(),
                homework_due: l.homework_due,
                mark: None,
                grades: Vec::new(),
            });
        }
    }
    lessons.sort_by_key(|l| l.lesson_no);
    for m in week.marks.iter().filter(|m| m.date == d) {
        if let Some(l) = lessons
            .iter_mut()
            .find(|l| l.lesson_no == m.lesson_no && l.course == m.course_name)
        {
            l.mark = Some((
                shown_mark(m),
                m.excused || (m.absent && excused_on(&week.excuses, student, d)),
            ));
        }
    }
    for g in week.grades.iter().filter(|g| g.date == d) {
        match lessons.iter_mut().find(|l| l.course == g.course_name) {
            Some(l) => l.grades.push(g.clone()),
            None => lessons.push(DiaryLesson {
                lesson_no: 0,
                time: String::new(),
                course: g.course_name.clone(),
                room: String::new(),
                topic: String::new(),
                homework: String::new(),
                homework_due: None,
                mark: None,
                grades: vec![g.clone()],
            }),
        }
    }
    DiaryDay {
        date: d,
        weekday,
        lessons,
    }
}

/// An attendance mark as written in the journal: its code, and the minutes of a late arrival.
fn shown_mark(m: &StudentMark) -> String {
    m.minutes
        .map(|x| format!("{}{x}", m.code))
        .unwrap_or_else(|| m.code.clone())
}

/// A student's days at a glance, for the home page: today and tomorrow, homework due, the newest
/// grades, this week's absences, the tests ahead, and what waits for the family.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Glance {
    pub student: PersonId,
    pub name: String,
    pub class_name: String,
    pub today: DiaryDay,
    pub tomorrow: DiaryDay,
    /// Homework due today or tomorrow, and homework given today without a date.
    pub homework: Vec<Homework>,
    /// Grades of the last two weeks, newest first.
    pub grades: Vec<RecentGrade>,
    /// Absences from Monday to today.
    pub absences: Vec<WeekAbsence>,
    /// Tests in the next two weeks.
    pub tests: Vec<families::Upcoming>,
    /// Absences this week neither excused nor covered by a notice: the family's to explain.
    pub to_explain: usize,
    /// May this reader report an absence for this student?
    pub can_report: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Homework {
    pub course: String,
    pub text: String,
    pub due: Option<Date>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RecentGrade {
    pub grade: StudentGrade,
    /// Recorded or changed since the reader's visit before this one.
    pub new: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WeekAbsence {
    pub date: Date,
    pub lesson_no: i64,
    pub course: String,
    pub mark: String,
    pub excused: bool,
    /// A family's notice covers the day.
    pub noticed: bool,
}

/// How many grades the glance shows.
const GLANCE_GRADES: usize = 8;

/// The glance of each of `students` (where the reader reads the diary), in one week's query each;
/// a grade changed after `since` (the reader's visit before this one) is new.
pub async fn glance(
    app: &App,
    session: &Session,
    students: &[school::Placement],
    since: Option<i64>,
) -> Result<Vec<Glance>, AppError> {
    let today = app.today();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap_or(today);
    let (tomorrow, from, monday) = (day(1), day(-13), crate::timetable::monday_of(today));
    let mut out = Vec::new();
    for p in students {
        let permit = policy::authorize(&session.actor, Action::ViewDiary, scope(p))?;
        let inst = permit.institution();
        let student = p.student_id;
        let slots = crate::timetable::class_slots(app, inst, p.class_id, session.rights).await?;
        let cal = crate::calendar::cached(app, inst, session.rights).await?;
        let week = families::student_week(&app.db, inst, p.class_id, student, from, tomorrow).await?;
        let tests = families::upcoming_tests(&app.db, inst, p.class_id, student, today, day(14)).await?;
        let homework = week
            .lessons
            .iter()
            .filter(|(l, _)| !l.homework.trim().is_empty())
            .filter(|(l, _)| match l.homework_due {
                Some(due) => due == today || due == tomorrow,
                None => l.date == today,
            })
            .map(|(l, course)| Homework {
                course: course.clone(),
                text: l.homework.clone(),
                due: l.homework_due,
            })
            .collect();
        let mut grades: Vec<StudentGrade> = week.grades.clone();
        grades.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.course_name.cmp(&b.course_name)));
        grades.truncate(GLANCE_GRADES);
        let changed = match since {
            Some(_) => {
                let items: Vec<String> = grades
                    .iter()
                    .map(|g| Item::Grade(g.assessment_id, student).to_string())
                    .collect();
                history::last_values(app.db.pool(), inst, &items).await?
            }
            None => Default::default(),
        };
        let grades = grades
            .into_iter()
            .map(|g| {
                let key = Item::Grade(g.assessment_id, student).to_string();
                let new = since.is_some_and(|t| changed.get(&key).is_some_and(|(_, at)| *at > t));
                RecentGrade { grade: g, new }
            })
            .collect();
        let noticed = |d: Date| {
            week.notices
                .iter()
                .any(|n| n.student_id == student && n.from_date <= d && d <= n.to_date)
        };
        let mut absences: Vec<WeekAbsence> = week
            .marks
            .iter()
            .filter(|m| m.absent && monday <= m.date && m.date <= today)
            .map(|m| WeekAbsence {
                date: m.date,
                lesson_no: m.lesson_no,
                course: m.course_name.clone(),
                mark: shown_mark(m),
                excused: m.excused || excused_on(&week.excuses, student, m.date),
                noticed: noticed(m.date),
            })
            .collect();
        absences.sort_by_key(|a| (a.date, a.lesson_no));
        out.push(Glance {
            student,
            name: format!("{} {}", p.given_name, p.family_name),
            class_name: p.class_name.clone(),
            today: diary_day(&slots, &cal.0, &week, student, today),
            tomorrow: diary_day(&slots, &cal.0, &week, student, tomorrow),
            homework,
            grades,
            to_explain: absences.iter().filter(|a| !a.excused && !a.noticed).count(),
            absences,
            tests,
            can_report: policy::authorize(&session.actor, Action::ReportAbsence, scope(p)).is_ok(),
        });
    }
    Ok(out)
}

/// A notice after 18:00 (Riga) of the first day it concerns is late (R21).
pub fn is_late(now: jiff::Timestamp, first_day: Date) -> bool {
    let local = now.to_zoned(clock::riga());
    let today = local.date();
    today > first_day || (today == first_day && local.hour() >= 18)
}

/// A parent of a minor, or an adult student, reports an absence for a day or a range of days.
pub async fn report_absence(
    app: &App,
    session: &Session,
    student: PersonId,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<(i64, bool), AppError> {
    let p = placement(app, student).await?;
    let permit = policy::authorize(&session.actor, Action::ReportAbsence, scope(&p))?;
    let from = date(from, "from")?;
    let to = if to.trim().is_empty() { from } else { date(to, "to")? };
    if to < from {
        return Err(AppError::invalid("to", "absence.range"));
    }
    if to.since(from).map(|s| s.get_days()).unwrap_or(0) > 60 {
        return Err(AppError::invalid("to", "absence.too_long"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "error.required"));
    }
    // R21: a parent reports for a minor; an adult student reports for themselves.
    let today = app.today();
    let person = people::get(app.db.pool(), student).await?.ok_or(AppError::NotFound)?;
    let adult = crate::sharing::adult(person.birth_date, today);
    match (session.person == student, adult) {
        (true, Some(false)) => return Err(AppError::invalid("student", "absence.minor_self")),
        (false, Some(true)) => return Err(AppError::invalid("student", "absence.adult")),
        _ => {}
    }
    let late = is_late(app.clock.now(), from);
    let id = families::insert_notice(
        app.db.pool(),
        permit.tenant(),
        student,
        from,
        to,
        reason.trim(),
        late,
        session.person,
        app.now(),
    )
    .await?;
    Ok((id, late))
}

/// The tutor's view of a class's absences: notices, and absences left unexcused past a month's end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassAbsences {
    pub class_name: String,
    pub students: Vec<journal::Student>,
    pub notices: Vec<Notice>,
    /// Absences of months already closed (the deadline is the month's end) with no excuse.
    pub overdue: Vec<(journal::Student, StudentMark)>,
    /// Of those, the ones the tutor checked: they stay unexcused and are no longer owed.
    pub checked: Vec<(journal::Student, StudentMark)>,
    pub can_excuse: bool,
}

/// The first day of the month containing `day`.
fn month_start(day: Date) -> Date {
    day.first_of_month()
}

/// A class opened for its absences: by who excuses them (the tutor) or who checks the journals.
struct TutorClass {
    inst: InstitutionId,
    class_name: String,
    can_excuse: bool,
}

async fn tutor_class(app: &App, session: &Session, class: ClassId) -> Result<TutorClass, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let class_scope = Scope::Class {
        institution: inst,
        class,
    };
    let can_excuse = policy::authorize(&session.actor, Action::ExcuseAbsences, class_scope).is_ok();
    let permit = policy::authorize(&session.actor, Action::ExcuseAbsences, class_scope)
        .or_else(|_| policy::authorize(&session.actor, Action::CheckJournals, Scope::Institution(inst)))?;
    let inst = permit.institution();
    let (class_name, _) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    Ok(TutorClass {
        inst,
        class_name,
        can_excuse,
    })
}

pub async fn class_absences(app: &App, session: &Session, class: ClassId) -> Result<ClassAbsences, AppError> {
    let db = app.db.pool();
    let TutorClass {
        inst,
        class_name,
        can_excuse,
    } = tutor_class(app, session, class).await?;
    let today = app.today();
    let year = school::current_year(db, inst, today).await?.ok_or(AppError::NotFound)?;
    let students = journal::class_students(db, inst, class, today).await?;
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let closed = month_start(today).yesterday().unwrap_or(today);
    let checks = families::checked_absences(db, inst, &ids, year.1, closed).await?;
    let (mut overdue, mut checked) = (Vec::new(), Vec::new());
    for (student, m) in unexcused(app, inst, &ids, year.1, closed).await? {
        if let Some(s) = students.iter().find(|s| s.id == student) {
            if checks.contains(&(student, m.lesson_id)) {
                checked.push((s.clone(), m));
            } else {
                overdue.push((s.clone(), m));
            }
        }
    }
    let from = today.checked_sub(jiff::Span::new().days(31)).unwrap_or(today);
    let to = today.checked_add(jiff::Span::new().days(31)).unwrap_or(today);
    Ok(ClassAbsences {
        class_name,
        notices: families::notices(db, inst, None, Some(class), from, to).await?,
        students,
        overdue,
        checked,
        can_excuse,
    })
}

/// A tutored class's week at a glance, for the tutor's home page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassWeek {
    pub class: ClassId,
    /// Absences from Monday to today that neither their kind nor an excuse excuses.
    pub unexcused: usize,
    /// Families' notices for this week's days that no excuse covers yet.
    pub notices: usize,
    /// Marks below 4 on the 1–10 scale (and work not handed in) this week.
    pub low_grades: Vec<LowGrade>,
    /// Students with no grade since the month began.
    pub ungraded: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LowGrade {
    pub student: String,
    pub course: String,
    pub date: Date,
    pub mark: String,
}

/// The week of a class the reader tutors (or whose absences they excuse).
pub async fn class_week(
    app: &App,
    session: &Session,
    inst: InstitutionId,
    class: ClassId,
) -> Result<ClassWeek, AppError> {
    let permit = policy::authorize(
        &session.actor,
        Action::ExcuseAbsences,
        Scope::Class {
            institution: inst,
            class,
        },
    )?;
    let inst = permit.institution();
    let db = app.db.pool();
    let today = app.today();
    let monday = crate::timetable::monday_of(today);
    let month = month_start(today);
    let students = journal::class_students(db, inst, class, today).await?;
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let name = |id: PersonId| {
        students
            .iter()
            .find(|s| s.id == id)
            .map(|s| format!("{} {}", s.family_name, s.given_name))
            .unwrap_or_default()
    };
    let excuses = families::excuses(db, inst, &ids, monday, today).await?;
    let unexcused = unexcused(app, inst, &ids, monday, today)
        .await?
        .iter()
        .filter(|(student, m)| !excused_on(&excuses, *student, m.date))
        .count();
    let notices = families::notices(db, inst, None, Some(class), monday, today)
        .await?
        .iter()
        .filter(|n| {
            !excuses.iter().any(|e| {
                e.student_id == n.student_id && e.from_date <= n.from_date && n.to_date.min(today) <= e.to_date
            })
        })
        .count();
    let grades = journal::student_grades(db, inst, &ids, month.min(monday), today).await?;
    let low_grades = grades
        .iter()
        .filter(|(_, g)| g.date >= monday)
        .filter(|(_, g)| {
            klade_domain::grading::Scale::from_code(&g.scale) == Some(klade_domain::grading::Scale::Ten)
                && klade_domain::grading::Mark::stored(g.mark.clone()).band(klade_domain::grading::Scale::Ten)
                    == klade_domain::grading::Band::Low
        })
        .map(|(id, g)| LowGrade {
            student: name(*id),
            course: g.course_name.clone(),
            date: g.date,
            mark: g.mark.clone(),
        })
        .collect();
    let ungraded = students
        .iter()
        .filter(|s| !grades.iter().any(|(id, g)| *id == s.id && g.date >= month))
        .map(|s| format!("{} {}", s.family_name, s.given_name))
        .collect();
    Ok(ClassWeek {
        class,
        unexcused,
        notices,
        low_grades,
        ungraded,
    })
}

/// The students' absences between `from` and `to` that neither their mark's kind nor an excuse
/// excuses.
async fn unexcused(
    app: &App,
    inst: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<(PersonId, StudentMark)>, AppError> {
    Ok(journal::student_attendance(app.db.pool(), inst, students, from, to)
        .await?
        .into_iter()
        .filter(|(_, m)| m.absent && !m.excused)
        .collect())
}

/// The tutor has checked a student's unexcused absences of the closed months and they stay
/// unexcused (a truancy): they leave the list of excuses owed and the tutor's deadlines, and
/// still count as unexcused in the diary, the reports and the statistics. Returns how many.
pub async fn keep_unexcused(app: &App, session: &Session, student: PersonId) -> Result<usize, AppError> {
    let p = placement(app, student).await?;
    let permit = policy::authorize(&session.actor, Action::ExcuseAbsences, scope(&p))?;
    let inst = permit.institution();
    let today = app.today();
    let year = school::current_year(app.db.pool(), inst, today)
        .await?
        .ok_or(AppError::NotFound)?;
    let closed = month_start(today).yesterday().unwrap_or(today);
    let lessons: Vec<klade_domain::LessonId> = unexcused(app, inst, &[student], year.1, closed)
        .await?
        .into_iter()
        .map(|(_, m)| m.lesson_id)
        .collect();
    let mut tx = app.db.begin().await?;
    families::check_absences(&mut tx, permit.tenant(), student, &lessons, session.person, app.now()).await?;
    tx.commit().await?;
    Ok(lessons.len())
}

/// The tutor excuses a student's absences over a range of dates, with the reason (R18.2). The
/// excuse joins the journal's history chain.
pub async fn excuse(
    app: &App,
    session: &Session,
    student: PersonId,
    from: &str,
    to: &str,
    reason: &str,
    notice: Option<i64>,
) -> Result<Excused, AppError> {
    let p = placement(app, student).await?;
    let permit = policy::authorize(&session.actor, Action::ExcuseAbsences, scope(&p))?;
    let inst = permit.institution();
    let from = date(from, "from")?;
    let to = if to.trim().is_empty() { from } else { date(to, "to")? };
    if to < from {
        return Err(AppError::invalid("to", "absence.range"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "error.required"));
    }
    // A notice the excuse answers is this student's, here: never another family's.
    if let Some(n) = notice {
        let theirs = families::notices(app.db.pool(), inst, Some(student), None, Date::MIN, Date::MAX).await?;
        if !theirs.iter().any(|x| x.id == n) {
            return Err(AppError::invalid("notice", "error.not_found"));
        }
    }
    let mut tx = app.db.begin().await?;
    let id = write_excuse(app, &mut tx, session, &permit, (student, from, to), reason, notice).await?;
    tx.commit().await?;
    // An excuse for days ahead excuses nothing yet: the tutor is told so, not "excused".
    let covered = journal::student_attendance(app.db.pool(), inst, &[student], from, to)
        .await?
        .iter()
        .filter(|(_, m)| m.absent)
        .count();
    Ok(Excused { id, covered })
}

/// A class's month of absences for its tutor: each student's days, with families' notices beside.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassMonth {
    pub class_name: String,
    /// The month's first day.
    pub month: Date,
    /// Every day of the month, and whether lessons are held on it.
    pub days: Vec<(Date, bool)>,
    pub rows: Vec<MonthRow>,
    pub can_excuse: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MonthRow {
    pub student: journal::Student,
    /// One per day of the month.
    pub cells: Vec<MonthCell>,
    /// The family's notices touching the month.
    pub notices: Vec<Notice>,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct MonthCell {
    /// Lessons missed and not excused (by their mark's kind or an excuse).
    pub unexcused: u32,
    pub excused: u32,
    /// A family's notice covers the day.
    pub noticed: bool,
}

/// The month of `class` containing `day`, for who excuses its absences or checks the journals.
pub async fn class_month(app: &App, session: &Session, class: ClassId, day: Date) -> Result<ClassMonth, AppError> {
    let db = app.db.pool();
    let TutorClass {
        inst,
        class_name,
        can_excuse,
    } = tutor_class(app, session, class).await?;
    let (first, last) = (day.first_of_month(), day.last_of_month());
    let students = journal::class_students(db, inst, class, app.today().min(last)).await?;
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let marks = journal::student_attendance(db, inst, &ids, first, last).await?;
    let excuses = families::excuses(db, inst, &ids, first, last).await?;
    let notices = families::notices(db, inst, None, Some(class), first, last).await?;
    let cal = crate::calendar::cached(app, inst, session.rights).await?;
    let days: Vec<(Date, bool)> = first
        .series(jiff::Span::new().days(1))
        .take_while(|d| *d <= last)
        .map(|d| (d, cal.0.is_school_day(d)))
        .collect();
    let rows = students
        .iter()
        .map(|s| {
            let cells = days
                .iter()
                .map(|(d, _)| {
                    let mut cell = MonthCell {
                        noticed: notices
                            .iter()
                            .any(|n| n.student_id == s.id && n.from_date <= *d && *d <= n.to_date),
                        ..MonthCell::default()
                    };
                    for (_, m) in marks.iter().filter(|(id, m)| *id == s.id && m.date == *d && m.absent) {
                        if m.excused || excused_on(&excuses, s.id, *d) {
                            cell.excused += 1;
                        } else {
                            cell.unexcused += 1;
                        }
                    }
                    cell
                })
                .collect();
            MonthRow {
                student: s.clone(),
                cells,
                notices: notices.iter().filter(|n| n.student_id == s.id).cloned().collect(),
            }
        })
        .collect();
    Ok(ClassMonth {
        class_name,
        month: first,
        days,
        rows,
        can_excuse,
    })
}

/// Excuses the days picked in the month's grid, in one step: each student's consecutive days
/// become one excuse. All or nothing: a pick that is not a student of the class refuses the lot.
pub async fn excuse_days(
    app: &App,
    session: &Session,
    class: ClassId,
    picks: &[(PersonId, Date)],
    reason: &str,
) -> Result<usize, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(
        &session.actor,
        Action::ExcuseAbsences,
        Scope::Class {
            institution: inst,
            class,
        },
    )?;
    let inst = permit.institution();
    if picks.is_empty() {
        return Err(AppError::invalid("day", "absence.none_picked"));
    }
    if reason.trim().is_empty() {
        return Err(AppError::invalid("reason", "error.required"));
    }
    let students = journal::class_students(db, inst, class, app.today()).await?;
    if picks.iter().any(|(p, _)| !students.iter().any(|s| s.id == *p)) {
        return Err(AppError::invalid("day", "error.not_found"));
    }
    let mut picks = picks.to_vec();
    picks.sort();
    picks.dedup();
    // Runs of consecutive days, per student.
    let mut ranges: Vec<(PersonId, Date, Date)> = Vec::new();
    for (student, d) in picks {
        match ranges.last_mut() {
            Some((s, _, to)) if *s == student && to.tomorrow().is_ok_and(|n| n == d) => *to = d,
            _ => ranges.push((student, d, d)),
        }
    }
    let mut tx = app.db.begin().await?;
    for range in &ranges {
        write_excuse(app, &mut tx, session, &permit, *range, reason, None).await?;
    }
    tx.commit().await?;
    Ok(ranges.len())
}

/// Writes an excuse and its line in the journal's history, in the caller's transaction.
async fn write_excuse(
    app: &App,
    tx: &mut klade_store::Tx,
    session: &Session,
    permit: &klade_domain::Permit,
    (student, from, to): (PersonId, Date, Date),
    reason: &str,
    notice: Option<i64>,
) -> Result<i64, AppError> {
    let now = app.now();
    let id = families::insert_excuse(
        &mut **tx,
        permit.tenant(),
        student,
        from,
        to,
        reason.trim(),
        notice,
        session.person,
        now,
    )
    .await?;
    let excuse = Excuse {
        id,
        student_id: student,
        from_date: from,
        to_date: to,
        reason: reason.trim().to_string(),
    };
    history::append(
        tx,
        app.db.backend(),
        permit.tenant(),
        &[Change {
            item: Item::Excuse(id).to_string(),
            old: None,
            new: Some(excuse.history_value()),
            reason: None,
            person: session.person,
            at: now,
        }],
    )
    .await?;
    Ok(id)
}

/// A stored excuse and how many recorded absences it covers now.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Excused {
    pub id: i64,
    pub covered: usize,
}

/// Notices that cover a course's students on the given days: (student, day) → reason. The grid
/// marks those cells, so the teacher sees the notice when marking the lesson.
pub async fn notices_for_grid(
    app: &App,
    institution: InstitutionId,
    students: &[PersonId],
    from: Date,
    to: Date,
) -> Result<Vec<Notice>, AppError> {
    let all = families::notices(app.db.pool(), institution, None, None, from, to).await?;
    Ok(all.into_iter().filter(|n| students.contains(&n.student_id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_after_18_is_late() {
        let first = jiff::civil::date(2026, 11, 26);
        let at = |s: &str| s.parse::<jiff::Timestamp>().expect("instant");
        assert!(!is_late(at("2026-11-26T15:59:00Z"), first), "17:59 in Riga");
        assert!(is_late(at("2026-11-26T16:00:00Z"), first), "18:00 in Riga");
        assert!(is_late(at("2026-11-27T06:00:00Z"), first), "the next morning");
        assert!(!is_late(at("2026-11-25T20:00:00Z"), first), "the evening before");
    }
}

/// One subject of a student's grade report: every grade, the averages per term, the period
/// grades, and the points of the chart of how the 1–10 grades moved.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SubjectReport {
    pub course: String,
    pub grades: Vec<StudentGrade>,
    /// (term name, average of summative 1–10 work)
    pub averages: Vec<(String, Option<f64>)>,
    /// Semester, year and final grades: (kind, mark).
    pub period: Vec<(String, String)>,
    /// (date, 1–10 mark) in date order, for the chart.
    pub points: Vec<(Date, f64)>,
}

/// A month's absences of a student, for the chart beside their grades.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct MonthAttendance {
    /// The month's first day.
    pub month: Date,
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
}

/// A student's absences (lessons) per month of the school year so far: for who reads their diary.
pub async fn attendance_by_month(
    app: &App,
    session: &Session,
    student: PersonId,
) -> Result<Vec<MonthAttendance>, AppError> {
    let p = placement(app, student).await?;
    let permit = policy::authorize(&session.actor, Action::ViewDiary, scope(&p))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let today = app.today();
    let year = school::current_year(db, inst, today).await?.ok_or(AppError::NotFound)?;
    let to = today.min(year.2);
    let marks = journal::student_attendance(db, inst, &[student], year.1, to).await?;
    let excuses = families::excuses(db, inst, &[student], year.1, to).await?;
    let mut out: Vec<MonthAttendance> = Vec::new();
    let mut month = year.1.first_of_month();
    while month <= to {
        out.push(MonthAttendance {
            month,
            excused: 0,
            unexcused: 0,
            late: 0,
        });
        let Ok(next) = month.last_of_month().tomorrow() else {
            break;
        };
        month = next;
    }
    for (_, m) in &marks {
        let Some(line) = out.iter_mut().find(|l| l.month == m.date.first_of_month()) else {
            continue;
        };
        if m.absent && (m.excused || excused_on(&excuses, student, m.date)) {
            line.excused += 1;
        } else if m.absent {
            line.unexcused += 1;
        } else if m.late {
            line.late += 1;
        }
    }
    Ok(out)
}

/// A student's grades per subject over the school year (R20.2): for the student, their parents,
/// their tutor and the administration — and for a teacher, the subjects they teach the student.
pub async fn grade_report(
    app: &App,
    session: &Session,
    student: PersonId,
) -> Result<(String, Vec<SubjectReport>), AppError> {
    let p = placement(app, student).await?;
    let db = app.db.pool();
    let full = policy::authorize(&session.actor, Action::ViewDiary, scope(&p));
    let inst = p.institution_id;
    let year = school::current_year(db, inst, app.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let terms = school::terms(db, inst, year.0).await?;
    let mut grades: Vec<StudentGrade> = journal::student_grades(db, inst, &[student], year.1, year.2)
        .await?
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    if let Err(denied) = full {
        // A teacher sees the student's grades in the courses they teach, and only if there are any.
        let mine: Vec<_> = session
            .actor
            .courses
            .iter()
            .filter(|(i, _)| *i == inst)
            .map(|(_, c)| *c)
            .collect();
        let members = {
            let mut any = false;
            for c in &mine {
                if journal::students(db, inst, *c, app.today())
                    .await?
                    .iter()
                    .any(|s| s.id == student)
                {
                    any = true;
                    break;
                }
            }
            any
        };
        if !members {
            return Err(AppError::Forbidden(denied));
        }
        grades.retain(|g| mine.contains(&g.course_id));
    }
    crate::people::log_staff_view(app, session, inst, student, "grades").await?;
    let mut courses: Vec<String> = grades.iter().map(|g| g.course_name.clone()).collect();
    klade_domain::collate::sort_unique(&mut courses);
    let reports = courses
        .into_iter()
        .map(|course| {
            let list: Vec<StudentGrade> = grades.iter().filter(|g| g.course_name == course).cloned().collect();
            let averages = terms
                .iter()
                .map(|t| {
                    let marks: Vec<(
                        klade_domain::grading::Kind,
                        klade_domain::grading::Scale,
                        klade_domain::grading::Mark,
                    )> = list
                        .iter()
                        .filter(|g| g.date >= t.starts_on && g.date <= t.ends_on)
                        .filter_map(|g| {
                            Some((
                                klade_domain::grading::Kind::from_code(&g.kind)?,
                                klade_domain::grading::Scale::from_code(&g.scale)?,
                                klade_domain::grading::Mark::stored(g.mark.clone()),
                            ))
                        })
                        .collect();
                    (
                        t.name.clone(),
                        klade_domain::grading::term_average(marks.iter().map(|(k, s, m)| (*k, *s, m))),
                    )
                })
                .collect();
            let period = list
                .iter()
                .filter(|g| klade_domain::grading::Kind::from_code(&g.kind).is_some_and(|k| k.is_period_grade()))
                .map(|g| (g.kind.clone(), g.mark.clone()))
                .collect();
            let points = list
                .iter()
                .filter(|g| g.scale == "ten")
                .filter_map(|g| g.mark.parse::<f64>().ok().map(|n| (g.date, n)))
                .collect();
            SubjectReport {
                course,
                grades: list,
                averages,
                period,
                points,
            }
        })
        .collect();
    Ok((format!("{} {}, {}", p.given_name, p.family_name, p.class_name), reports))
}

/// A student's progress report (*sekmju izraksts*, R26, R27.1) for a period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProgressReport {
    pub name: String,
    pub class_name: String,
    pub from: Date,
    pub to: Date,
    pub subjects: Vec<ReportSubject>,
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
}

/// A course's line of a progress report: marks apart from percentages, the average, the
/// period's own marks apart from both.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportSubject {
    pub course: String,
    /// Marks on the 1–10 scale, pass/fail and S/T/A/P, in date order.
    pub marks: Vec<ReportGrade>,
    /// Percentages (formative work, mostly), in date order.
    pub percents: Vec<ReportGrade>,
    /// The average of the summative, interim and exam marks on the 1–10 scale.
    pub average: Option<f64>,
    /// Semester, year and final marks: (kind code, mark as written).
    pub period: Vec<(String, String)>,
}

fn report_grade(g: &StudentGrade) -> ReportGrade {
    ReportGrade {
        date: g.date,
        kind: g.kind.clone(),
        mark: klade_domain::grading::shown(&g.mark, &g.scale),
    }
}

/// One grade of a progress report: when, of what kind, and the mark as written (`%` included).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportGrade {
    pub date: Date,
    pub kind: String,
    pub mark: String,
}

/// Progress reports for a class's students (or one of them) over `from`..`to`: for the tutor
/// and the clerk, who may print them for every student at once.
/// A class's progress reports with what their heading needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reports {
    pub institution: InstitutionId,
    pub institution_name: String,
    pub from: Date,
    pub to: Date,
    pub reports: Vec<ProgressReport>,
}

/// The classes of `institution` this year, for printing every student's report (R27.1); each
/// class's reports are then asked one by one, each checked.
pub async fn report_classes(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<Vec<ClassId>, AppError> {
    if !session.actor.institutions().contains(&institution) {
        return Err(AppError::NotFound);
    }
    Ok(school::classes_of(app.db.pool(), institution, app.today())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// A class opened for printing its documents (progress reports, report cards): its institution,
/// name and school year, for who may print them.
pub(crate) async fn printable_class(
    app: &App,
    session: &Session,
    class: ClassId,
) -> Result<(InstitutionId, String, klade_domain::SchoolYearId), AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(
        &session.actor,
        Action::PrintProgressReport,
        Scope::Class {
            institution: inst,
            class,
        },
    )?;
    let inst = permit.institution();
    let (name, year) = school::class(db, inst, class).await?.ok_or(AppError::NotFound)?;
    Ok((inst, name, year))
}

/// The progress reports of a class (or of one student of it) from `from` (the school year's
/// start unless given) to `to` (today unless given).
pub async fn progress_reports(
    app: &App,
    session: &Session,
    class: ClassId,
    only: Option<PersonId>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Reports, AppError> {
    let db = app.db.pool();
    let (inst, class_name, _) = printable_class(app, session, class).await?;
    let today = app.today();
    let from = match from.filter(|f| !f.is_empty()) {
        Some(f) => date(f, "from")?,
        None => {
            school::current_year(db, inst, today)
                .await?
                .ok_or(AppError::NotFound)?
                .1
        }
    };
    let to = match to.filter(|t| !t.is_empty()) {
        Some(t) => date(t, "to")?,
        None => today,
    };
    if to < from {
        return Err(AppError::invalid("to", "absence.range"));
    }
    let mut students = journal::class_students(db, inst, class, to).await?;
    if let Some(one) = only {
        students.retain(|s| s.id == one);
        if students.is_empty() {
            return Err(AppError::NotFound);
        }
    }
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let grades = journal::student_grades(db, inst, &ids, from, to).await?;
    let marks = journal::student_attendance(db, inst, &ids, from, to).await?;
    let reports = students
        .iter()
        .map(|s| {
            let mine: Vec<&StudentGrade> = grades.iter().filter(|(p, _)| *p == s.id).map(|(_, g)| g).collect();
            let mut courses: Vec<String> = mine.iter().map(|g| g.course_name.clone()).collect();
            klade_domain::collate::sort_unique(&mut courses);
            let subjects = courses
                .into_iter()
                .map(|c| {
                    use klade_domain::grading::{shown, Kind, Scale};
                    let of: Vec<&&StudentGrade> = mine.iter().filter(|g| g.course_name == c).collect();
                    let period_grade = |g: &StudentGrade| Kind::from_code(&g.kind).is_some_and(|k| k.is_period_grade());
                    let percent = |g: &StudentGrade| Scale::from_code(&g.scale) == Some(Scale::Percent);
                    let stored: Vec<(Kind, Scale, klade_domain::grading::Mark)> = of
                        .iter()
                        .filter_map(|g| {
                            Some((
                                Kind::from_code(&g.kind)?,
                                Scale::from_code(&g.scale)?,
                                klade_domain::grading::Mark::stored(g.mark.clone()),
                            ))
                        })
                        .collect();
                    ReportSubject {
                        period: of
                            .iter()
                            .filter(|g| period_grade(g))
                            .map(|g| (g.kind.clone(), shown(&g.mark, &g.scale)))
                            .collect(),
                        marks: of
                            .iter()
                            .filter(|g| !period_grade(g) && !percent(g))
                            .map(|g| report_grade(g))
                            .collect(),
                        percents: of
                            .iter()
                            .filter(|g| !period_grade(g) && percent(g))
                            .map(|g| report_grade(g))
                            .collect(),
                        average: klade_domain::grading::term_average(stored.iter().map(|(k, s, m)| (*k, *s, m))),
                        course: c,
                    }
                })
                .collect();
            let (mut excused, mut unexcused, mut late) = (0, 0, 0);
            for (_, m) in marks.iter().filter(|(p, _)| *p == s.id) {
                if m.absent {
                    if m.excused {
                        excused += 1;
                    } else {
                        unexcused += 1;
                    }
                } else if m.late {
                    late += 1;
                }
            }
            ProgressReport {
                name: format!("{} {}", s.given_name, s.family_name),
                class_name: class_name.clone(),
                from,
                to,
                subjects,
                excused,
                unexcused,
                late,
            }
        })
        .collect();
    Ok(Reports {
        institution: inst,
        institution_name: crate::home::institution(app, inst).await?.name,
        from,
        to,
        reports,
    })
}

/// Something a family may be told of: about which student, of what kind (`grade`, `absence`,
/// `remark`), the text, and the journal item with the value it was given, so the worker tells of
/// it only if it still stands when it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub student: PersonId,
    pub kind: &'static str,
    pub text: String,
    pub item: String,
    pub value: String,
}

/// Queues the "notify" jobs for events of a save (in its transaction); the worker fans them out to
/// the parents who asked, so the teacher's save is not delayed by anyone's messages. Grades and
/// remarks wait out the correction window (`notification_policy`); the rest is due at once.
pub async fn queue_events(
    tx: &mut klade_store::Tx,
    institution: InstitutionId,
    events: &[Event],
    now: i64,
) -> Result<(), AppError> {
    use klade_domain::notification_policy::{waits_for_correction, CORRECTION_WINDOW_SECS};
    for (waits, due) in [(false, now), (true, now + CORRECTION_WINDOW_SECS)] {
        let batch: Vec<_> = events
            .iter()
            .filter(|e| waits_for_correction(e.kind) == waits)
            .map(|e| {
                serde_json::json!({
                    "student": e.student,
                    "event": e.kind,
                    "text": e.text,
                    "item": e.item,
                    "value": e.value,
                })
            })
            .collect();
        if batch.is_empty() {
            continue;
        }
        let payload = serde_json::json!({ "institution": institution, "events": batch });
        klade_store::jobs::enqueue_after(&mut **tx, "notify", &payload.to_string(), now, due).await?;
    }
    Ok(())
}

/// The notifications a person has chosen, as (event, channel) pairs.
pub async fn notification_prefs(app: &App, session: &Session) -> Result<Vec<(String, String)>, AppError> {
    Ok(klade_store::notifications::prefs(app.db.pool(), session.person).await?)
}

/// A parent chooses which events to be told of, and how (R20, J4).
pub async fn set_notification_prefs(app: &App, session: &Session, chosen: &[(String, String)]) -> Result<(), AppError> {
    let mut valid = Vec::new();
    for (e, c) in chosen {
        // News of a child's grades, absences and remarks is for parents; anyone may hear of mail.
        if session.actor.children.is_empty() && e != "message" {
            return Err(AppError::invalid("notifications", "notify.parents_only"));
        }
        let event = EVENTS
            .iter()
            .find(|x| **x == e.as_str())
            .ok_or(AppError::invalid("event", "error.bad_request"))?;
        let channel = CHANNELS
            .iter()
            .find(|x| **x == c.as_str())
            .ok_or(AppError::invalid("channel", "error.bad_request"))?;
        valid.push((*event, *channel));
    }
    let mut tx = app.db.begin().await?;
    klade_store::notifications::set_prefs(&mut tx, session.person, &valid).await?;
    tx.commit().await?;
    Ok(())
}
