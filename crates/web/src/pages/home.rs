//! The home page: what the reader holds in each institution, today's lessons, news, what is left
//! to set up.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use klade_app::clock::format_date;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home_page)).route("/logo/{i}", get(logo))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Chrome,
    t: Tr,
    name: String,
    csrf: String,
    pending: Vec<PendingView>,
    news: Vec<super::messages::HomeNews>,
    today: Vec<TodayLesson>,
    /// Each child's (or one's own) days at a glance, rendered.
    glances: Vec<String>,
    /// "3 unread messages", when there are.
    unread: Option<String>,
    /// Staff have deadlines: the first few due today and overdue, with how many in all.
    deadlines: Option<DeadlinesView>,
    /// Where the calendar and deadline settings may be kept.
    calendars: Vec<CalendarLink>,
    institutions: Vec<InstitutionView>,
    /// Adult children who no longer show this parent their diary, one line each.
    withheld: Vec<String>,
    /// The children's booked parent–teacher meetings of the next two weeks, one line each.
    meetings: Vec<String>,
    /// "Questions from school waiting for your answer: 2", when there are.
    consents_waiting: Option<String>,
    /// A child's institution serves meals through Klade: the link to cancel them.
    meals: bool,
}

/// A teacher's lesson today, with whether its topic is recorded: one tap to its attendance.
struct TodayLesson {
    label: String,
    href: String,
    grid: String,
    filled: bool,
}

/// How many deadline items the home page lists of each state; the rest are on `/deadlines`.
const DEADLINES_SHOWN: usize = 5;

struct DeadlinesView {
    due_today: Vec<super::deadlines::Line>,
    due_today_count: usize,
    overdue: Vec<super::deadlines::Line>,
    overdue_count: usize,
}

struct CalendarLink {
    institution: i64,
    name: String,
    /// May see the overdue list.
    overview: bool,
}

/// A class or group on the home page: its address and the pages the reader opens from it.
struct ClassLink {
    label: String,
    /// `/classes/{id}`
    href: String,
    /// The timetable to edit, for who keeps it.
    timetable: Option<String>,
    /// A preschool group's journal, for who reads it.
    group: Option<String>,
    /// The tutor's look at the class's week.
    week: Option<ClassWeekView>,
    /// A preschool group's today: (what, done).
    today: Vec<(String, bool)>,
}

fn group_today_view(t: Tr, g: &klade_app::preschool::GroupToday) -> Vec<(String, bool)> {
    if g.day_off {
        return vec![(t.get("group_today.day_off").to_string(), true)];
    }
    let attendance = match &g.marked {
        Some(_) => t.fill(
            "group_today.marked",
            &[("absent", &g.absent.to_string()), ("children", &g.children.to_string())],
        ),
        None => t.get("group_today.not_marked").to_string(),
    };
    let journal = if g.written {
        t.get("group_today.written")
    } else {
        t.get("group_today.not_written")
    };
    vec![(attendance, g.marked.is_some()), (journal.to_string(), g.written)]
}

/// A tutored class's week: what to excuse, notices waiting, low grades, who has no grade yet.
struct ClassWeekView {
    figures: Vec<(String, usize, &'static str)>,
    low_grades: Vec<String>,
    ungraded: String,
}

fn class_week_view(t: Tr, w: &klade_app::families::ClassWeek) -> ClassWeekView {
    let low = w.low_grades.len();
    ClassWeekView {
        figures: vec![
            (t.get("tutor_week.unexcused").to_string(), w.unexcused, "absences"),
            (t.get("tutor_week.notices").to_string(), w.notices, "absences"),
            (t.get("tutor_week.low").to_string(), low, ""),
            (t.get("tutor_week.ungraded").to_string(), w.ungraded.len(), ""),
        ],
        low_grades: w
            .low_grades
            .iter()
            .map(|g| format!("{} — {} {}, {}", g.student, g.course, g.mark, format_date(g.date)))
            .collect(),
        ungraded: w.ungraded.join(", "),
    }
}

/// A child of the reader here, with their preschool page.
struct ChildLink {
    label: String,
    preschool: Option<String>,
}

/// What is left before the year can start, and where it is done when the reader may do it.
struct Todo {
    label: String,
    href: Option<String>,
}

struct PendingView {
    id: i64,
    name: String,
    version: i64,
    rules: Vec<String>,
    instructions: Vec<String>,
}

struct InstitutionView {
    /// Oversees the preschool groups' monthly plans (J24).
    plans: bool,
    /// May download the year-end archive (R28).
    archives: bool,
    /// May extend the clean-language list (J18).
    manages_words: bool,
    id: i64,
    name: String,
    kind: String,
    roles: String,
    own_class: Option<String>,
    tutored: Vec<ClassLink>,
    classes: Vec<ClassLink>,
    /// Checks the journals: sees every class's absences and summary journal.
    oversees: bool,
    /// Prints progress reports for any class (the clerk).
    prints: bool,
    children: Vec<ChildLink>,
    counts: Option<klade_app::home::Counts>,
    checklist: Vec<Todo>,
    week: Option<InstitutionWeekView>,
}

/// The institution's week: each figure a link to where it is dealt with.
struct InstitutionWeekView {
    journals_behind: usize,
    behind_link: String,
    /// (name, how many overdue, link to their list)
    people: Vec<(String, usize, String)>,
    /// (class, unexcused absences this week, link to its absences)
    classes: Vec<(String, i64, String)>,
}

fn institution_week_view(t: Tr, id: i64, w: &klade_app::home::InstitutionWeek) -> InstitutionWeekView {
    InstitutionWeekView {
        journals_behind: w.journals_behind,
        behind_link: format!("/deadlines/overview?i={id}&kind=lesson"),
        people: w
            .per_person
            .iter()
            .map(|(person, name, n)| {
                let (name, link) = match person {
                    Some(p) => (name.clone(), format!("/deadlines/overview?i={id}&person={}", p.0)),
                    None => (
                        t.get("deadlines.administration").to_string(),
                        format!("/deadlines/overview?i={id}"),
                    ),
                };
                (name, *n, link)
            })
            .collect(),
        classes: w
            .unexcused
            .iter()
            .map(|(class, name, n)| (name.clone(), *n, format!("/classes/{}/absences", class.0)))
            .collect(),
    }
}

async fn home_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let home = klade_app::home::load(&state.app, session).await?;
    let t = Tr::new(ctx.lang);
    let pending = klade_app::onboarding::pending(&state.app, session).await?;
    let news = super::messages::home_news(&state, &ctx).await?;
    let name = home.person.full_name();
    let withheld = klade_app::sharing::withheld_from_me(&state.app, session)
        .await?
        .into_iter()
        .map(|(_, child, since)| {
            t.fill(
                "sharing.home_withheld",
                &[("child", &child), ("since", &klade_app::clock::format_instant(since))],
            )
        })
        .collect();
    let meetings = klade_app::meetings::upcoming_for_family(&state.app, session)
        .await?
        .into_iter()
        .map(|b| {
            format!(
                "{}: {} · {} · {} · {}",
                t.get("meetings.home_booked"),
                klade_app::clock::format_instant(b.starts_at),
                b.title,
                b.student,
                b.host
            )
        })
        .collect();
    let waiting = klade_app::consents::waiting(&state.app, session).await?;
    let consents_waiting = (waiting > 0).then(|| t.fill("consents.home_waiting", &[("n", &waiting.to_string())]));
    let page = HomePage {
        meals: klade_app::meals::served_to_family(&state.app, session).await?,
        withheld,
        meetings,
        consents_waiting,
        csrf: session.csrf_token.clone(),
        // The welcome without rules to acknowledge is for the first visit; rules wait until read.
        pending: pending
            .iter()
            .filter(|p| !home.returning || !p.institution.rules.trim().is_empty())
            .map(|p| pending_view(t, p))
            .collect(),
        news,
        today: home.today.iter().map(|(l, filled)| today_lesson(l, *filled)).collect(),
        glances: home
            .glance
            .iter()
            .map(|g| super::families::glance_card(t, g))
            .collect::<Result<_, _>>()?,
        unread: (session.unread > 0).then(|| t.fill("glance.unread", &[("n", &session.unread.to_string())])),
        deadlines: home.deadlines.as_ref().map(|d| {
            // The newest first: yesterday's lesson is the one still easy to record.
            let mut overdue: Vec<_> = d
                .late
                .iter()
                .filter(|i| i.state == klade_app::deadlines::State::Overdue)
                .collect();
            overdue.sort_by_key(|i| std::cmp::Reverse(i.due_at));
            DeadlinesView {
                due_today: d
                    .due_today
                    .iter()
                    .take(DEADLINES_SHOWN)
                    .map(|i| super::deadlines::line(t, i))
                    .collect(),
                due_today_count: d.due_today.len(),
                overdue_count: overdue.len(),
                overdue: overdue
                    .into_iter()
                    .take(DEADLINES_SHOWN)
                    .map(|i| super::deadlines::line(t, i))
                    .collect(),
            }
        }),
        calendars: home
            .institutions
            .iter()
            .filter(|i| i.manages_calendar)
            .map(|i| CalendarLink {
                institution: i.institution.id.0,
                name: i.institution.name.clone(),
                overview: i.overview,
            })
            .collect(),
        page: Chrome::for_ctx(&ctx, t.get("home.title"), "/", Some(name.clone())),
        t,
        name,
        institutions: home.institutions.iter().map(|i| institution_view(t, i)).collect(),
    };
    Ok(render(&page)?.into_response())
}

fn today_lesson(l: &klade_app::timetable::WeekLesson, filled: bool) -> TodayLesson {
    let s = &l.slot;
    TodayLesson {
        label: format!(
            "{}. {}–{} {} ({})",
            s.lesson_no, s.starts_at, s.ends_at, s.course_name, s.class_name
        ),
        href: format!("/journal/{}/lesson?date={}&no={}", s.course_id, l.date, s.lesson_no),
        grid: format!("/journal/{}", s.course_id),
        filled,
    }
}

/// The rules an institution asks the reader to acknowledge, with what their roles must do.
fn pending_view(t: Tr, p: &klade_app::onboarding::Pending) -> PendingView {
    PendingView {
        id: p.institution.id.0,
        name: p.institution.name.clone(),
        version: p.institution.rules_version,
        rules: p
            .institution
            .rules
            .split("\n\n")
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect(),
        instructions: p
            .roles
            .iter()
            .map(|r| t.role("onboarding", r.code(), p.institution.kind))
            .collect(),
    }
}

/// One institution as the reader holds it: roles, classes, children, what is left to set up.
fn institution_view(t: Tr, i: &klade_app::home::InstitutionHome) -> InstitutionView {
    let group = |c: &klade_app::home::ClassSummary, reads: bool| {
        (c.kind == klade_domain::ClassKind::Group && reads).then(|| format!("/groups/{}", c.id))
    };
    let preschool = i.institution.kind == klade_domain::InstitutionKind::Preschool;
    InstitutionView {
        id: i.institution.id.0,
        name: i.institution.name.clone(),
        kind: t.dynamic("kind", i.institution.kind.code()),
        roles: i
            .roles
            .iter()
            .map(|r| t.role("role", r.code(), i.institution.kind))
            .collect::<Vec<_>>()
            .join(", "),
        own_class: i.own_class.as_ref().map(|c| c.class_name.clone()),
        tutored: i
            .tutored
            .iter()
            .map(|c| {
                let mut label = format!("{} — {} {}", c.name, c.students, t.get("home.students"));
                if let Some(p) = &c.programme_name {
                    label.push_str(&format!(" · {p}"));
                }
                ClassLink {
                    label,
                    href: format!("/classes/{}", c.id),
                    timetable: None,
                    group: group(c, true),
                    week: i
                        .tutored_weeks
                        .iter()
                        .find(|w| w.class == c.id)
                        .map(|w| class_week_view(t, w)),
                    today: i
                        .groups_today
                        .iter()
                        .find(|g| g.group == c.id)
                        .map(|g| group_today_view(t, g))
                        .unwrap_or_default(),
                }
            })
            .collect(),
        classes: i
            .classes
            .iter()
            .map(|c| ClassLink {
                label: format!("{} ({})", c.name, c.students),
                href: format!("/classes/{}", c.id),
                timetable: i.edits_timetable.then(|| format!("/classes/{}/timetable", c.id)),
                group: group(c, i.reads_groups.contains(&c.id)),
                week: None,
                today: Vec::new(),
            })
            .collect(),
        children: i
            .children
            .iter()
            .map(|c| ChildLink {
                label: format!("{} {} — {}", c.given_name, c.family_name, c.class_name),
                preschool: preschool.then(|| format!("/preschool?child={}", c.student_id)),
            })
            .collect(),
        counts: i.counts.clone(),
        week: i.week.as_ref().map(|w| institution_week_view(t, i.institution.id.0, w)),
        checklist: i
            .checklist
            .iter()
            .map(|c| Todo {
                label: format!("{} {}", t.get(c.what), c.detail).trim_end().to_string(),
                href: c.link.clone(),
            })
            .collect(),
        oversees: i.oversees,
        plans: preschool && i.oversees,
        archives: i.archives,
        manages_words: i.manages_words,
        prints: i.prints,
    }
}

/// An institution's logo for the header and the login page. Its address carries the file's id,
/// so it may be kept for a year: a new logo has a new address.
async fn logo(State(state): State<AppState>, crate::ctx::Path(i): crate::ctx::Path<i64>) -> Result<Response, WebError> {
    let (content_type, data) = klade_app::home::logo(&state.app, klade_domain::InstitutionId(i)).await?;
    let mut response = crate::download::file_response("logo", &content_type, data);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
