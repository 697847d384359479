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

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home_page))
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
    /// (line, journal link, filled)
    today: Vec<(String, String, bool)>,
    /// Staff have deadlines.
    deadlines: bool,
    /// (institution, name, may see the overdue list) where the calendar and deadline settings
    /// may be kept.
    calendars: Vec<(i64, String, bool)>,
    institutions: Vec<InstitutionView>,
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
    /// (label, summary link)
    tutored: Vec<(String, String, Option<String>)>,
    /// (name, timetable link if editable, the class's address)
    classes: Vec<(String, Option<String>, String, Option<String>)>,
    /// Checks the journals: sees every class's absences and summary journal.
    oversees: bool,
    /// Prints progress reports for any class (the clerk).
    prints: bool,
    /// (who, where, their preschool page)
    children: Vec<(String, Option<String>)>,
    counts: Option<klade_app::home::Counts>,
    /// (what is left, where it is done when the reader may do it)
    checklist: Vec<(String, Option<String>)>,
}

async fn home_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let home = klade_app::home::load(&state.app, session).await?;
    let t = Tr::new(ctx.lang);
    let institutions = home
        .institutions
        .iter()
        .map(|i| InstitutionView {
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
                    let mut s = format!("{} — {} {}", c.name, c.students, t.get("home.students"));
                    if let Some(p) = &c.programme_name {
                        s.push_str(&format!(" · {p}"));
                    }
                    let group = (c.kind == klade_domain::ClassKind::Group).then(|| format!("/groups/{}", c.id));
                    (s, format!("/classes/{}", c.id), group)
                })
                .collect(),
            classes: i
                .classes
                .iter()
                .map(|c| {
                    let reads_group = i.reads_groups.contains(&c.id);
                    (
                        format!("{} ({})", c.name, c.students),
                        i.edits_timetable.then(|| format!("/classes/{}/timetable", c.id)),
                        format!("/classes/{}", c.id),
                        (c.kind == klade_domain::ClassKind::Group && reads_group).then(|| format!("/groups/{}", c.id)),
                    )
                })
                .collect(),
            children: i
                .children
                .iter()
                .map(|c| {
                    (
                        format!("{} {} — {}", c.given_name, c.family_name, c.class_name),
                        (i.institution.kind == klade_domain::InstitutionKind::Preschool)
                            .then(|| format!("/preschool?child={}", c.student_id)),
                    )
                })
                .collect(),
            counts: i.counts.clone(),
            checklist: i
                .checklist
                .iter()
                .map(|c| {
                    (
                        format!("{} {}", t.get(c.what), c.detail).trim_end().to_string(),
                        c.link.clone(),
                    )
                })
                .collect(),
            oversees: i.oversees,
            plans: i.institution.kind == klade_domain::InstitutionKind::Preschool && i.oversees,
            archives: i.archives,
            manages_words: i.manages_words,
            prints: i.prints,
        })
        .collect();
    let name = home.person.full_name();
    let today = home
        .today
        .iter()
        .map(|(l, filled)| {
            (
                format!(
                    "{}. {}–{} {} ({})",
                    l.slot.lesson_no, l.slot.starts_at, l.slot.ends_at, l.slot.course_name, l.slot.class_name
                ),
                format!("/journal/{}", l.slot.course_id),
                *filled,
            )
        })
        .collect();
    let pending = klade_app::onboarding::pending(&state.app, session)
        .await?
        .into_iter()
        .map(|p| PendingView {
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
        })
        .collect();
    let news = super::messages::home_news(&state, &ctx).await?;
    let calendars = home
        .institutions
        .iter()
        .filter(|i| i.manages_calendar)
        .map(|i| (i.institution.id.0, i.institution.name.clone(), i.overview))
        .collect();
    let page = HomePage {
        csrf: session.csrf_token.clone(),
        pending,
        news,
        today,
        deadlines: home.deadlines,
        calendars,
        page: Chrome::for_ctx(&ctx, t.get("home.title"), "/", Some(name.clone())),
        t,
        name,
        institutions,
    };
    Ok(render(&page)?.into_response())
}
