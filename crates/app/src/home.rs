//! The home page's context: who the person is and what they hold, in each institution — roles,
//! the classes they tutor, their own class, their children — and, where the policy allows, the
//! institution's head counts.

use crate::auth::Session;
use crate::{App, AppError};
use klade_domain::{policy, Action, InstitutionId, Role, Scope};
use klade_store::institutions;
pub use klade_store::institutions::{Counts, Institution};
use klade_store::people::{self, Person};
pub use klade_store::school::ClassSummary;
use klade_store::school::{self, Placement};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Home {
    pub person: Person,
    pub username: String,
    pub institutions: Vec<InstitutionHome>,
    /// A teacher's lessons today, each with whether its topic is recorded yet.
    pub today: Vec<(crate::timetable::WeekLesson, bool)>,
    /// Staff's own deadlines, due today and late (the list of `/deadlines`).
    pub deadlines: Option<crate::deadlines::Mine>,
    /// Each child's (or one's own) school days at a glance; preschool children have their own page.
    pub glance: Vec<crate::families::Glance>,
    /// The person came before: the welcome is shown on the first visit only.
    pub returning: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct InstitutionHome {
    pub institution: Institution,
    pub roles: Vec<Role>,
    /// Classes or groups this person tutors.
    pub tutored: Vec<ClassSummary>,
    /// The week of each tutored class (not of preschool groups: their day has its own page).
    pub tutored_weeks: Vec<crate::families::ClassWeek>,
    /// Today of each preschool group this person tutors: attendance marked, journal written.
    pub groups_today: Vec<crate::preschool::GroupToday>,
    /// Where this person is enrolled, when they are a student here.
    pub own_class: Option<Placement>,
    /// Their children who attend this institution.
    pub children: Vec<Placement>,
    /// Head counts, for the roles that oversee the institution.
    pub counts: Option<Counts>,
    /// Every class, for those who keep the timetable or check the journals.
    pub classes: Vec<ClassSummary>,
    /// May this person edit the classes' timetables here?
    pub edits_timetable: bool,
    /// What is left before the year can start, for the superuser and the director.
    pub checklist: Vec<crate::setup::Todo>,
    /// The groups (of `classes`) whose preschool journal the reader opens.
    pub reads_groups: Vec<klade_domain::ClassId>,
    /// Checks the journals: sees every class's absences and summary journal.
    pub oversees: bool,
    /// Opens the overview of deadlines (who checks the journals or reads the statistics).
    pub overview: bool,
    pub archives: bool,
    pub manages_words: bool,
    pub manages_calendar: bool,
    /// Prints progress reports for any class (the clerk).
    pub prints: bool,
    /// The institution's week, for who checks the journals or reads the statistics.
    pub week: Option<InstitutionWeek>,
}

/// What the director and the deputies look at first: journals behind, who has most overdue, and
/// where absences go unexcused this week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InstitutionWeek {
    /// Lessons past their day's deadline with no topic or attendance.
    pub journals_behind: usize,
    /// Overdue items per responsible person, most first (`None`: the administration's own).
    pub per_person: Vec<(Option<klade_domain::PersonId>, String, usize)>,
    /// Unexcused absences (lessons) this week per class, most first; classes with none left out.
    pub unexcused: Vec<(klade_domain::ClassId, String, i64)>,
}

/// How many people and classes the week lists; the overview and the statistics have the rest.
const WEEK_SHOWN: usize = 5;

async fn institution_week(app: &App, session: &Session, id: InstitutionId) -> Result<InstitutionWeek, AppError> {
    let overview = crate::deadlines::overview(app, session, id, &crate::deadlines::Filter::default()).await?;
    let journals_behind = overview
        .items
        .iter()
        .filter(|i| i.kind == crate::deadlines::Kind::Lesson && i.state == crate::deadlines::State::Overdue)
        .count();
    let mut per_person = overview.per_person;
    per_person.truncate(WEEK_SHOWN);
    let mut unexcused = Vec::new();
    if session.actor.may(Action::ViewStatistics, Scope::Institution(id)) {
        let today = app.today();
        let (from, to) = (crate::timetable::monday_of(today).to_string(), today.to_string());
        let figures = crate::statistics::statistics(app, session, Some(id), Some(&from), Some(&to)).await?;
        unexcused = figures
            .classes
            .iter()
            .filter(|l| l.now.unexcused > 0)
            .filter_map(|l| {
                let class = l.key.strip_prefix("class:")?.parse().ok()?;
                Some((klade_domain::ClassId(class), l.name.clone(), l.now.unexcused))
            })
            .collect();
        unexcused.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| klade_domain::collate::cmp(&a.1, &b.1)));
        unexcused.truncate(WEEK_SHOWN);
    }
    Ok(InstitutionWeek {
        journals_behind,
        per_person,
        unexcused,
    })
}

/// A link of the menu: where it leads and the catalogue key of its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    pub href: &'static str,
    pub key: &'static str,
}

/// A student or a parent: someone with a diary to read.
pub fn reads_diary(actor: &klade_domain::Actor) -> bool {
    !actor.children.is_empty() || actor.grants.iter().any(|g| g.role == Role::Student)
}

/// The menu: where this person's work is, from what the policy allows.
pub fn menu(actor: &klade_domain::Actor) -> Vec<MenuLink> {
    let link = |href, key| MenuLink { href, key };
    let anywhere = |actions: &[Action]| {
        actor
            .institutions()
            .into_iter()
            .any(|i| actions.iter().any(|a| actor.may(*a, Scope::Institution(i))))
    };
    let tutor = actor.grants.iter().any(|g| g.role == Role::Tutor);
    let mut links = vec![link("/", "nav.home")];
    if !actor.courses.is_empty() || tutor || anywhere(&[Action::ViewJournal]) {
        links.push(link("/journal", "journal.title"));
        links.push(link("/checks", "check.title"));
    }
    if actor
        .grants
        .iter()
        .any(|g| !matches!(g.role, Role::Student | Role::Parent))
    {
        links.push(link("/deadlines", "deadlines.title"));
    }
    links.push(link("/timetable", "timetable.title"));
    if reads_diary(actor) {
        links.push(link("/diary", "diary.title"));
    }
    if !actor.children.is_empty() || crate::meetings::hosts(actor) {
        links.push(link("/meetings", "meetings.title"));
    }
    if !actor.children.is_empty() || crate::consents::asks(actor) {
        links.push(link("/consents", "consents.title"));
    }
    if anywhere(&[Action::ManageMeals]) {
        links.push(link("/meals", "meals.title"));
    }
    if anywhere(&[Action::ManageAccounts, Action::IssuePassword]) {
        links.push(link("/admin/accounts", "nav2.accounts"));
    }
    if anywhere(&[Action::ManageAccounts, Action::AppointSuperuser]) {
        links.push(link("/admin/rules", "rules.title"));
    }
    if anywhere(&[Action::PrepareYear]) {
        links.push(link("/admin/institution", "institution.title"));
    }
    let statistics = anywhere(&[Action::ViewStatistics]);
    if statistics {
        links.push(link("/statistics", "statistics.link"));
    }
    if statistics || tutor {
        links.push(link("/absence-summary", "summary_month.link"));
    }
    links
}

pub async fn load(app: &App, session: &Session) -> Result<Home, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let actor = &session.actor;
    let person = people::get(db, session.person).await?.ok_or(AppError::NotFound)?;
    let tutored = school::tutored_classes(db, session.person, today).await?;
    let mut students: Vec<_> = actor.children.iter().map(|(_, child)| *child).collect();
    students.push(session.person);
    let placements = school::placements(db, &students, today).await?;

    let mut out = Vec::new();
    let mut schools = Vec::new();
    for id in actor.institutions() {
        let Some(institution) = kept_or_none(app, session, id).await? else {
            continue;
        };
        let institution = (*institution).clone();
        if institution.kind != klade_domain::InstitutionKind::Preschool {
            schools.push(id);
        }
        let roles = actor.roles_in(id);
        let overview = Scope::Institution(id);
        let counts = if policy::authorize(actor, Action::ViewStatistics, overview).is_ok()
            || policy::authorize(actor, Action::ManageAccounts, overview).is_ok()
        {
            Some(institutions::counts(db, id, today).await?)
        } else {
            None
        };
        let edits_timetable = policy::authorize(actor, Action::EnterTimetable, overview).is_ok();
        let classes = if edits_timetable
            || policy::authorize(actor, Action::CheckJournals, overview).is_ok()
            || policy::authorize(actor, Action::CorrectPreschoolAttendance, overview).is_ok()
            || policy::authorize(actor, Action::EnrolStudents, overview).is_ok()
        {
            school::classes_of(db, id, today).await?
        } else {
            Vec::new()
        };
        let checklist = if policy::authorize(actor, Action::PrepareYear, overview).is_ok()
            || policy::authorize(actor, Action::AppointSuperuser, overview).is_ok()
        {
            crate::setup::checklist(app, session, id, institution.kind).await?
        } else {
            Vec::new()
        };
        let reads_groups = classes
            .iter()
            .filter(|c| c.kind == klade_domain::ClassKind::Group)
            .map(|c| c.id)
            .filter(|c| {
                let group = Scope::Class {
                    institution: id,
                    class: *c,
                };
                actor.may(Action::ViewJournal, group) || actor.may(Action::CorrectPreschoolAttendance, group)
            })
            .collect();
        let prints = classes.first().is_some_and(|c| {
            actor.may(
                Action::PrintProgressReport,
                Scope::Class {
                    institution: id,
                    class: c.id,
                },
            )
        });
        let tutored: Vec<ClassSummary> = tutored.iter().filter(|c| c.institution_id == id).cloned().collect();
        let (mut tutored_weeks, mut groups_today) = (Vec::new(), Vec::new());
        for c in &tutored {
            let scope = Scope::Class {
                institution: id,
                class: c.id,
            };
            if c.kind == klade_domain::ClassKind::Group {
                if actor.may(Action::ViewJournal, scope) {
                    groups_today.push(crate::preschool::group_today(app, session, c.id).await?);
                }
            } else if actor.may(Action::ExcuseAbsences, scope) {
                tutored_weeks.push(crate::families::class_week(app, session, id, c.id).await?);
            }
        }
        let overseen = actor.may(Action::CheckJournals, overview) || actor.may(Action::ViewStatistics, overview);
        let week = if overseen {
            Some(institution_week(app, session, id).await?)
        } else {
            None
        };
        out.push(InstitutionHome {
            week,
            tutored_weeks,
            groups_today,
            reads_groups,
            oversees: actor.may(Action::CheckJournals, overview),
            overview: actor.may(Action::CheckJournals, overview) || actor.may(Action::ViewStatistics, overview),
            archives: actor.may(Action::ArchiveYear, overview),
            manages_words: actor.may(Action::ManageWordList, overview),
            manages_calendar: actor.may(Action::ManageCalendar, overview),
            prints,
            checklist,
            classes,
            edits_timetable,
            tutored,
            own_class: placements
                .iter()
                .find(|p| p.student_id == session.person && p.institution_id == id)
                .cloned(),
            children: children_in(&placements, actor, id),
            roles,
            counts,
            institution,
        });
    }
    let mut today_lessons = Vec::new();
    if !actor.courses.is_empty() {
        let lessons: Vec<_> = crate::timetable::my_week(app, session, today)
            .await?
            .into_iter()
            .filter(|week| week.title.is_empty())
            .flat_map(|week| week.lessons)
            .filter(|l| l.date == today)
            .collect();
        let courses: Vec<_> = lessons
            .iter()
            .map(|l| (l.slot.institution_id, l.slot.course_id))
            .collect();
        let filled = klade_store::journal::topics_on(db, &courses, today).await?;
        for l in lessons {
            let done = filled.contains(&(l.slot.course_id, l.slot.lesson_no));
            today_lessons.push((l, done));
        }
    }
    let staff = actor
        .grants
        .iter()
        .any(|g| !matches!(g.role, Role::Student | Role::Parent));
    let read: Vec<Placement> = crate::families::diary_students(app, session)
        .await?
        .into_iter()
        .filter(|p| schools.contains(&p.institution_id))
        .collect();
    let since = klade_store::sessions::previous_visit(db, session.account).await?;
    let glance = crate::families::glance(app, session, &read, since).await?;
    let deadlines = if staff {
        Some(crate::deadlines::mine(app, session).await?)
    } else {
        None
    };
    Ok(Home {
        glance,
        returning: since.is_some(),
        deadlines,
        person,
        username: session.username.clone(),
        institutions: out,
        today: today_lessons,
    })
}

fn children_in(placements: &[Placement], actor: &klade_domain::Actor, id: InstitutionId) -> Vec<Placement> {
    placements
        .iter()
        .filter(|p| p.institution_id == id && actor.children.contains(&(id, p.student_id)))
        .cloned()
        .collect()
}

/// What a page's header shows of an institution: its name, and its logo's file when it has one
/// (the address carries it, so a new logo is fetched at once and an unchanged one never again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub institution: InstitutionId,
    pub name: String,
    pub logo: Option<i64>,
}

/// Institutions' records kept per server while the rights counter stands (a change of an
/// institution moves it): every page's header, the home page, its news and its pending rules read
/// them.
pub(crate) type InstitutionCache = crate::cache::Cache<InstitutionId, i64, std::sync::Arc<Institution>>;

impl Brand {
    fn of(i: &Institution) -> Self {
        Self {
            institution: i.id,
            name: i.name.clone(),
            logo: i.logo_file,
        }
    }
}

/// The institutions a signed-in person belongs to, for the pages' header: with one, its name and
/// logo stand under "Klade"; with several, the menu leads to each one's part of the home page.
pub async fn brands(app: &App, session: &Session) -> Result<Vec<std::sync::Arc<Brand>>, AppError> {
    let mut out = Vec::new();
    for id in session.actor.institutions() {
        out.push(std::sync::Arc::new(Brand::of(&*kept(app, session, id).await?)));
    }
    Ok(out)
}

/// An institution's record as this server keeps it while the rights counter of `session` stands;
/// read once per change of any institution, not once per page. `None` when there is no such
/// institution.
pub async fn kept_or_none(
    app: &App,
    session: &Session,
    id: InstitutionId,
) -> Result<Option<std::sync::Arc<Institution>>, AppError> {
    if let Some(i) = app.institutions.get(&id, &session.rights) {
        return Ok(Some(i));
    }
    let Some(i) = institutions::get(app.db.pool(), id).await? else {
        return Ok(None);
    };
    let i = std::sync::Arc::new(i);
    app.institutions.put(id, session.rights, i.clone());
    Ok(Some(i))
}

/// [`kept_or_none`] for an institution that must be there.
pub async fn kept(app: &App, session: &Session, id: InstitutionId) -> Result<std::sync::Arc<Institution>, AppError> {
    kept_or_none(app, session, id).await?.ok_or(AppError::NotFound)
}

/// The login page's brand: the install's institution, when it serves only one.
pub async fn install_brand(app: &App) -> Result<Option<Brand>, AppError> {
    let all = institutions::first_two(app.db.pool()).await?;
    Ok(match all.as_slice() {
        [one] => Some(Brand::of(one)),
        _ => None,
    })
}

/// An institution's logo as (content type, bytes), shown to anyone: it is on its letters and its
/// door already.
pub async fn logo(app: &App, id: InstitutionId) -> Result<(String, Vec<u8>), AppError> {
    let db = app.db.pool();
    let file = institution(app, id).await?.logo_file.ok_or(AppError::NotFound)?;
    let f = klade_store::files::get(db, id, file).await?.ok_or(AppError::NotFound)?;
    Ok((f.content_type, f.data))
}

/// An institution's record: its name, kind and what documents carry. An institution's name is
/// public, as in the register; pages ask it after their use case has checked the reader.
pub async fn institution(app: &App, id: InstitutionId) -> Result<Institution, AppError> {
    institutions::get(app.db.pool(), id).await?.ok_or(AppError::NotFound)
}

/// The institution an admin page is about: the one asked for, if the reader may do one of
/// `actions` there, or else the first where they may.
pub fn institution_for(
    session: &Session,
    wanted: Option<InstitutionId>,
    actions: &[Action],
) -> Result<InstitutionId, AppError> {
    let allowed = |i: InstitutionId| actions.iter().any(|a| session.actor.may(*a, Scope::Institution(i)));
    match wanted {
        Some(i) if allowed(i) => Ok(i),
        Some(i) => {
            let action = actions.first().copied().unwrap_or(Action::ViewInstitution);
            Err(policy::authorize(&session.actor, action, Scope::Institution(i))
                .err()
                .map_or(AppError::NotFound, AppError::Forbidden))
        }
        None => session
            .actor
            .institutions()
            .into_iter()
            .find(|i| allowed(*i))
            .ok_or(AppError::NotFound),
    }
}
