//! Deadlines (R8, R18.2, R19, R25.2, J22, J24, J27): every obligation the clauses set, with the
//! person who must act and when it is due — what a teacher has due today or late, what a deputy
//! sees overdue per teacher and class — and the reminders sent before a deadline.
//!
//! The due dates follow the institution's calendar and settings (`crate::calendar::of`); the
//! finding is done by `klade_store::deadlines`, one query per kind over the school year so far.
//! This module renders nothing.

use crate::auth::Session;
use crate::{clock, App, AppError};
use jiff::civil::{Date, Time};
use klade_domain::calendar::Calendar;
use klade_domain::deadlines::{self as rules, GradedWork, Settings};
use klade_domain::{policy, Action, ClassId, InstitutionId, InstitutionKind, PersonId, Scope};
use klade_store::deadlines::{self as store, Found, GradingDay, LessonDay, PreschoolDay};
use klade_store::{accounts, institutions, jobs, preschool_plans, school};

/// The kinds of obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A lesson's topic and attendance (R19), by 18:00 of its day.
    Lesson,
    /// Formative or summative work not graded for every student by its due day.
    Grades,
    /// Grades entered after their due day (already done, shown with both dates).
    LateGrades,
    /// Absences of a closed month left unexcused (R18.2).
    Excuses,
    /// A preschool group's attendance, by 09:00 (J22).
    PreschoolAttendance,
    /// A preschool group's daily journal, by 19:00 (J27).
    PreschoolJournal,
    /// A preschool group's monthly plan, by the last working day of the month before (J24).
    PreschoolPlan,
    /// A new employee's account, within a week (R8).
    StaffAccount,
    /// The monthly absence summary, by the 12th (June: 30th) (R25.2).
    AbsenceSummary,
    /// A journal-check finding to be corrected by its date (R22.2, R23, R24.1, R25.1, J29).
    Finding,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Self::Lesson,
        Self::Grades,
        Self::LateGrades,
        Self::Excuses,
        Self::PreschoolAttendance,
        Self::PreschoolJournal,
        Self::PreschoolPlan,
        Self::StaffAccount,
        Self::AbsenceSummary,
        Self::Finding,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Lesson => "lesson",
            Self::Grades => "grades",
            Self::LateGrades => "late_grades",
            Self::Excuses => "excuses",
            Self::PreschoolAttendance => "preschool_attendance",
            Self::PreschoolJournal => "preschool_journal",
            Self::PreschoolPlan => "preschool_plan",
            Self::StaffAccount => "staff_account",
            Self::AbsenceSummary => "absence_summary",
            Self::Finding => "finding",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Where an item stands at the time it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Due later today.
    DueToday,
    /// Past its due time and not done.
    Overdue,
    /// Done, but after its due time.
    DoneLate,
}

/// One obligation of one person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub kind: Kind,
    pub state: State,
    pub institution: InstitutionId,
    /// Who must act; `None` for the administration's own (a staff account).
    pub person_id: Option<PersonId>,
    pub person: String,
    pub class_id: Option<ClassId>,
    pub class_name: String,
    pub course_name: String,
    /// The day it concerns (`YYYY-MM-DD`).
    pub date: Date,
    /// A lesson's number, an assessment's title, an employee's name.
    pub detail: String,
    /// How many (grades missing or late, absences unexcused).
    pub count: i64,
    /// When it is due, UTC seconds.
    pub due_at: i64,
    /// When it was done, if late.
    pub done_at: Option<i64>,
    /// Where to do it.
    pub link: String,
}

/// `day` at `time` in Riga, as UTC seconds.
pub fn due_instant(day: Date, time: Time) -> i64 {
    day.to_datetime(time)
        .to_zoned(clock::riga())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

/// The end of `day` in Riga: a deadline "by" a date is kept until midnight.
pub fn end_of(day: Date) -> i64 {
    due_instant(day, Time::constant(23, 59, 59, 0))
}

fn dates(from: Date, to: Date) -> impl Iterator<Item = Date> {
    let mut next = Some(from);
    std::iter::from_fn(move || {
        let d = next.filter(|d| *d <= to)?;
        next = d.tomorrow().ok();
        Some(d)
    })
}

/// What one institution owes, found for one person (`Some`) or everyone.
struct Scan<'a> {
    app: &'a App,
    institution: InstitutionId,
    kind: InstitutionKind,
    cal: Calendar,
    settings: Settings,
    /// The school year's first day and today.
    from: Date,
    today: Date,
    now: i64,
}

impl<'a> Scan<'a> {
    async fn new(app: &'a App, institution: InstitutionId) -> Result<Option<Scan<'a>>, AppError> {
        let db = app.db.pool();
        let today = app.today();
        let Some(inst) = institutions::get(db, institution).await? else {
            return Ok(None);
        };
        let Some((_, from, _)) = school::current_year(db, institution, today).await? else {
            return Ok(None);
        };
        let (cal, settings) = crate::calendar::of(app, institution).await?;
        Ok(Some(Scan {
            app,
            institution,
            kind: inst.kind,
            cal,
            settings,
            from,
            today,
            now: app.now(),
        }))
    }

    /// Due today or overdue; `None` for what is due later.
    fn state(&self, due_at: i64, done_at: Option<i64>) -> Option<State> {
        if done_at.is_some() {
            return Some(State::DoneLate);
        }
        if due_at < self.now {
            return Some(State::Overdue);
        }
        (due_at <= end_of(self.today)).then_some(State::DueToday)
    }

    fn item(&self, kind: Kind, f: Found, detail: String, link: String) -> Option<Item> {
        Some(Item {
            state: self.state(f.due_at, f.done_at)?,
            kind,
            institution: self.institution,
            person_id: f.person_id,
            person: f.person,
            class_id: f.class_id,
            class_name: f.class_name,
            course_name: f.course_name,
            date: f.date,
            detail,
            count: f.count,
            due_at: f.due_at,
            done_at: f.done_at,
            link,
        })
    }

    /// Everything found, for `person` or (with `None`) for everyone.
    async fn run(&self, person: Option<PersonId>) -> Result<Vec<Item>, AppError> {
        let mut out = Vec::new();
        if self.kind == InstitutionKind::Preschool {
            self.preschool(person, &mut out).await?;
        } else {
            self.lessons(person, &mut out).await?;
            self.grades(person, &mut out).await?;
            self.excuses(person, &mut out).await?;
        }
        self.findings(person, &mut out).await?;
        out.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.person.cmp(&b.person)));
        Ok(out)
    }

    async fn lessons(&self, person: Option<PersonId>, out: &mut Vec<Item>) -> Result<(), AppError> {
        let days: Vec<LessonDay> = dates(self.from, self.today)
            .filter(|d| self.cal.is_school_day(*d))
            .map(|d| LessonDay {
                date: d,
                weekday: i64::from(d.weekday().to_monday_one_offset()),
                due_at: due_instant(d, self.settings.lessons_by),
            })
            .collect();
        for f in store::lessons(self.app.db.pool(), self.institution, &days, person).await? {
            let link = format!(
                "/journal/{}/lesson?date={}&no={}",
                f.course_id.map_or(0, |c| c.0),
                f.date,
                f.reference
            );
            let detail = f.reference.to_string();
            out.extend(self.item(Kind::Lesson, f, detail, link));
        }
        Ok(())
    }

    async fn grades(&self, person: Option<PersonId>, out: &mut Vec<Item>) -> Result<(), AppError> {
        let days: Vec<GradingDay> = dates(self.from, self.today)
            .map(|d| GradingDay {
                date: d,
                formative_due_at: end_of(rules::grades_due(&self.cal, &self.settings, GradedWork::Formative, d)),
                summative_due_at: end_of(rules::grades_due(&self.cal, &self.settings, GradedWork::Summative, d)),
            })
            .collect();
        let db = self.app.db.pool();
        let missing = store::missing_grades(db, self.institution, &days, self.today, person).await?;
        let late = store::late_grades(db, self.institution, &days, person).await?;
        for (kind, f) in missing
            .into_iter()
            .map(|f| (Kind::Grades, f))
            .chain(late.into_iter().map(|f| (Kind::LateGrades, f)))
        {
            let link = format!("/journal/{}", f.course_id.map_or(0, |c| c.0));
            let detail = f.title.clone();
            out.extend(self.item(kind, f, detail, link));
        }
        Ok(())
    }

    async fn excuses(&self, person: Option<PersonId>, out: &mut Vec<Item>) -> Result<(), AppError> {
        let found = store::unexcused(self.app.db.pool(), self.institution, self.from, self.today, person).await?;
        for mut f in found {
            f.due_at = end_of(rules::excuses_due(&self.cal, &self.settings, f.date));
            let link = format!("/classes/{}/absences", f.class_id.map_or(0, |c| c.0));
            let detail = crate::preschool_plans::month_of(f.date);
            out.extend(self.item(Kind::Excuses, f, detail, link));
        }
        Ok(())
    }

    async fn preschool(&self, person: Option<PersonId>, out: &mut Vec<Item>) -> Result<(), AppError> {
        let db = self.app.db.pool();
        let days: Vec<PreschoolDay> = dates(self.from, self.today)
            .filter(|d| self.cal.is_working_day(*d))
            .map(|d| PreschoolDay {
                date: d,
                attendance_due_at: due_instant(d, self.settings.preschool_attendance_by),
                journal_due_at: due_instant(d, self.settings.preschool_journal_by),
            })
            .collect();
        for f in store::preschool_days(db, self.institution, &days, person).await? {
            let kind = if f.title == "attendance" {
                Kind::PreschoolAttendance
            } else {
                Kind::PreschoolJournal
            };
            let link = format!("/groups/{}?date={}", f.class_id.map_or(0, |c| c.0), f.date);
            out.extend(self.item(kind, f, String::new(), link));
        }
        // The monthly plan (J24): this month's and the next, once their due day has come.
        let this = self.today.first_of_month();
        let next = this.last_of_month().tomorrow().unwrap_or(this);
        let months: Vec<(Date, String)> = [this, next]
            .into_iter()
            .map(|m| (m, crate::preschool_plans::month_of(m)))
            .collect();
        let names: Vec<String> = months.iter().map(|(_, n)| n.clone()).collect();
        let filed = preschool_plans::filed(db, self.institution, &names).await?;
        for (group, group_name, teacher, teacher_name) in
            store::group_teachers(db, self.institution, self.today).await?
        {
            if person.is_some_and(|p| p != teacher) {
                continue;
            }
            for (first, name) in &months {
                if filed.iter().any(|(g, m, _, _)| *g == group && m == name) {
                    continue;
                }
                let Some(due) = rules::plan_due(&self.cal, *first) else {
                    continue;
                };
                let f = Found {
                    person_id: Some(teacher),
                    person: teacher_name.clone(),
                    class_id: Some(group),
                    class_name: group_name.clone(),
                    course_id: None,
                    course_name: String::new(),
                    date: *first,
                    reference: 0,
                    title: String::new(),
                    count: 1,
                    due_at: end_of(due),
                    done_at: None,
                };
                let link = format!("/groups/{}/plan?month={name}", group.0);
                out.extend(self.item(Kind::PreschoolPlan, f, name.clone(), link));
            }
        }
        Ok(())
    }

    /// Employees still without an account after their first week (R8): the administration's.
    async fn staff_accounts(&self, out: &mut Vec<Item>) -> Result<(), AppError> {
        for e in accounts::employees(self.app.db.pool(), self.institution, self.today).await? {
            if e.username.is_some() {
                continue;
            }
            let from = e.employed_from;
            let f = Found {
                person_id: None,
                person: String::new(),
                class_id: None,
                class_name: String::new(),
                course_id: None,
                course_name: String::new(),
                date: e.employed_from,
                reference: e.person_id.0,
                title: String::new(),
                count: 1,
                due_at: end_of(rules::account_due(&self.settings, from)),
                done_at: None,
            };
            let detail = e.name.clone();
            let link = format!("/admin/accounts?i={}", self.institution.0);
            out.extend(self.item(Kind::StaffAccount, f, detail, link));
        }
        Ok(())
    }

    /// The previous month's absence summary (R25.2), due by the institution's day of this month
    /// (the 12th; June: the 30th) until the deputy for upbringing publishes it: the
    /// administration's, so it is listed for those who may publish it and on the overview.
    async fn absence_summary(&self, out: &mut Vec<Item>) -> Result<(), AppError> {
        if self.kind == InstitutionKind::Preschool {
            return Ok(());
        }
        let Ok(previous) = self.today.first_of_month().yesterday() else {
            return Ok(());
        };
        let Some(due) = rules::summary_due(&self.settings, previous.year(), previous.month()) else {
            return Ok(());
        };
        let month = crate::preschool_plans::month_of(previous);
        if klade_store::statistics::published(self.app.db.pool(), self.institution, &month)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let f = Found {
            person_id: None,
            person: String::new(),
            class_id: None,
            class_name: String::new(),
            course_id: None,
            course_name: String::new(),
            date: previous.first_of_month(),
            reference: 0,
            title: String::new(),
            count: 1,
            due_at: end_of(due),
            done_at: None,
        };
        let link = format!("/absence-summary?i={}&month={month}", self.institution.0);
        out.extend(self.item(Kind::AbsenceSummary, f, month, link));
        Ok(())
    }

    /// Journal-check findings with a date to be corrected by, not yet corrected: the journal's
    /// teachers' (R22.2, R23, R24.1, R25.1, J29).
    async fn findings(&self, person: Option<PersonId>, out: &mut Vec<Item>) -> Result<(), AppError> {
        let list = klade_store::journal_checks::unclosed(self.app.db.pool(), self.institution, person).await?;
        for a in list {
            let c = &a.check;
            let Some(due) = c.due_on else {
                continue;
            };
            if c.state() != "open" {
                continue;
            }
            let f = Found {
                person_id: Some(a.teacher_id),
                person: format!("{} {}", a.teacher_given, a.teacher_family),
                class_id: c.class_id,
                class_name: String::new(),
                course_id: c.course_id,
                course_name: a.journal_name.clone(),
                date: due,
                reference: c.id,
                title: String::new(),
                count: 1,
                due_at: end_of(due),
                done_at: None,
            };
            let link = match c.journal() {
                klade_store::journal_checks::Journal::Course(course) => {
                    format!("/journal/{}/checks#check-{}", course.0, c.id)
                }
                klade_store::journal_checks::Journal::Group(g) => format!("/groups/{}/checks#check-{}", g.0, c.id),
            };
            let detail = c.finding.lines().next().unwrap_or("").to_string();
            out.extend(self.item(Kind::Finding, f, detail, link));
        }
        Ok(())
    }
}

/// A person's own deadlines across their institutions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mine {
    pub due_today: Vec<Item>,
    pub late: Vec<Item>,
}

impl Mine {
    pub fn count(&self) -> usize {
        self.due_today.len() + self.late.len()
    }
}

/// What the signed-in person has due today and late (their lessons, grades, classes, groups;
/// for the account keepers, the staff accounts).
pub async fn mine(app: &App, session: &Session) -> Result<Mine, AppError> {
    let mut items = Vec::new();
    for institution in session.actor.institutions() {
        let Some(scan) = Scan::new(app, institution).await? else {
            continue;
        };
        items.extend(scan.run(Some(session.person)).await?);
        if policy::authorize(&session.actor, Action::ManageAccounts, Scope::Institution(institution)).is_ok() {
            scan.staff_accounts(&mut items).await?;
        }
        if policy::authorize(
            &session.actor,
            Action::PublishAbsenceSummary,
            Scope::Institution(institution),
        )
        .is_ok()
        {
            scan.absence_summary(&mut items).await?;
        }
    }
    let (due_today, late) = items.into_iter().partition(|i| i.state == State::DueToday);
    Ok(Mine { due_today, late })
}

/// What the deputy's list is filtered by.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    pub person: Option<i64>,
    pub class: Option<i64>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    pub institution: InstitutionId,
    /// Everything overdue or done late, filtered.
    pub items: Vec<Item>,
    /// Per responsible person: (id, name, how many), over the unfiltered list.
    pub per_person: Vec<(Option<PersonId>, String, usize)>,
    /// Per class or group: (id, name, how many).
    pub per_class: Vec<(ClassId, String, usize)>,
}

/// Every overdue item of an institution, per teacher and class (the director and deputies).
pub async fn overview(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    filter: &Filter,
) -> Result<Overview, AppError> {
    let scope = Scope::Institution(institution);
    let permit = policy::authorize(&session.actor, Action::CheckJournals, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::ViewStatistics, scope))?;
    let inst = permit.institution();
    let kind = match filter.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(Kind::parse(k).ok_or(AppError::invalid("kind", "deadlines.bad_kind"))?),
        None => None,
    };
    let mut all = Vec::new();
    if let Some(scan) = Scan::new(app, inst).await? {
        all = scan.run(None).await?;
        scan.staff_accounts(&mut all).await?;
        scan.absence_summary(&mut all).await?;
    }
    all.retain(|i| i.state != State::DueToday);
    let mut per_person: Vec<(Option<PersonId>, String, usize)> = Vec::new();
    let mut per_class: Vec<(ClassId, String, usize)> = Vec::new();
    for i in &all {
        match per_person.iter_mut().find(|p| p.0 == i.person_id) {
            Some(p) => p.2 += 1,
            None => per_person.push((i.person_id, i.person.clone(), 1)),
        }
        if let Some(c) = i.class_id {
            match per_class.iter_mut().find(|p| p.0 == c) {
                Some(p) => p.2 += 1,
                None => per_class.push((c, i.class_name.clone(), 1)),
            }
        }
    }
    per_person.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    per_class.sort_by(|a, b| klade_domain::collate::cmp(&a.1, &b.1));
    let items = all
        .into_iter()
        .filter(|i| filter.person.is_none_or(|p| i.person_id == Some(PersonId(p))))
        .filter(|i| filter.class.is_none_or(|c| i.class_id == Some(ClassId(c))))
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .collect();
    Ok(Overview {
        institution: inst,
        items,
        per_person,
        per_class,
    })
}

/// Sends the reminders that are due: for each institution that sends them, each person with
/// lessons (or a preschool group's attendance or journal) still open today and within the lead
/// time of its due time gets one reminder per kind and day. A `deadline_reminders` row is written
/// with the job, in one transaction, so no reminder goes out twice, whichever server sweeps.
/// Returns how many were queued.
pub async fn remind(app: &App) -> Result<usize, AppError> {
    let today = app.today();
    let mut sent = 0;
    for institution in store::active_institutions(app.db.pool(), today).await? {
        let Some(scan) = Scan::new(app, institution).await? else {
            continue;
        };
        if !scan.settings.reminders {
            continue;
        }
        let lead = i64::from(scan.settings.reminder_minutes) * 60;
        let mut wanted: Vec<(PersonId, Kind, i64, usize)> = Vec::new();
        for item in scan.run(None).await? {
            let reminded = matches!(
                item.kind,
                Kind::Lesson | Kind::PreschoolAttendance | Kind::PreschoolJournal
            );
            let (Some(person), true, State::DueToday) = (item.person_id, reminded, item.state) else {
                continue;
            };
            if item.due_at - lead > scan.now {
                continue;
            }
            match wanted.iter_mut().find(|w| w.0 == person && w.1 == item.kind) {
                Some(w) => w.3 += 1,
                None => wanted.push((person, item.kind, item.due_at, 1)),
            }
        }
        for (person, kind, due_at, count) in wanted {
            let key = format!("{}:{today}", kind.code());
            let mut tx = app.db.begin().await?;
            if store::record_reminder(
                &mut *tx,
                klade_domain::Tenant::without_permit(institution),
                person,
                &key,
                due_at,
                scan.now,
            )
            .await?
            {
                let payload = serde_json::json!({
                    "institution": institution.0,
                    "person": person.0,
                    "kind": kind.code(),
                    "count": count,
                    "due": clock::format_instant(due_at),
                });
                jobs::enqueue(&mut *tx, "reminder", &payload.to_string(), scan.now).await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}

/// The reminders a person was sent: (kind and day, due at, sent at).
pub async fn my_reminders(app: &App, session: &Session) -> Result<Vec<(String, i64, i64)>, AppError> {
    Ok(store::reminders_of(app.db.pool(), session.person).await?)
}

/// The institutions whose overview of deadlines the reader may open (who checks the journals or
/// reads the statistics).
pub async fn overseen(app: &App, session: &Session) -> Result<Vec<crate::home::Institution>, AppError> {
    let mut out = Vec::new();
    for i in session.actor.institutions() {
        let scope = Scope::Institution(i);
        if session.actor.may(Action::CheckJournals, scope) || session.actor.may(Action::ViewStatistics, scope) {
            out.push(crate::home::institution(app, i).await?);
        }
    }
    Ok(out)
}
