//! What is due: a person's own deadlines (today and late) and the administration's list of every
//! overdue item per teacher and class. Pages only: `klade_app::deadlines` finds them and asks the
//! policy.

use crate::ctx::Ctx;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use klade_app::clock::{format_date, format_instant};
use klade_app::deadlines::{self, Filter, Item, Kind, State as ItemState};
use klade_docs::table::{Cell, Column, Report};
use klade_domain::InstitutionId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deadlines", get(mine))
        .route("/deadlines/overview", get(overview))
}

/// One line as the pages show it.
pub(super) struct Line {
    pub(super) kind: String,
    pub(super) state: &'static str,
    pub(super) state_label: String,
    pub(super) person: String,
    pub(super) class_name: String,
    pub(super) what: String,
    pub(super) date: String,
    pub(super) due: String,
    pub(super) done: String,
    pub(super) count: i64,
    pub(super) link: String,
}

pub(super) fn line(t: Tr, i: &Item) -> Line {
    let state = match i.state {
        ItemState::DueToday => "due_today",
        ItemState::Overdue => "overdue",
        ItemState::DoneLate => "done_late",
    };
    let what = match i.kind {
        Kind::Lesson => format!(
            "{} · {}",
            i.course_name,
            t.fill("deadlines.lesson_n", &[("n", &i.detail)])
        ),
        Kind::Grades | Kind::LateGrades if !i.detail.is_empty() => format!("{} · {}", i.course_name, i.detail),
        Kind::Grades | Kind::LateGrades => i.course_name.clone(),
        Kind::Finding => format!("{} · {}", i.course_name, i.detail),
        Kind::Excuses | Kind::PreschoolPlan | Kind::AbsenceSummary => t.month(&i.detail),
        _ => i.detail.clone(),
    };
    Line {
        kind: t.dynamic("deadlines", &format!("k_{}", i.kind.code())),
        state,
        state_label: t.dynamic("deadlines", &format!("s_{state}")),
        person: if i.person.is_empty() {
            t.get("deadlines.administration").to_string()
        } else {
            i.person.clone()
        },
        class_name: i.class_name.clone(),
        what,
        date: format_date(i.date),
        due: format_instant(i.due_at),
        done: i.done_at.map(format_instant).unwrap_or_default(),
        count: i.count,
        link: i.link.clone(),
    }
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct MinePage {
    page: Chrome,
    t: Tr,
    due_today: Vec<Line>,
    late: Vec<Line>,
    /// The institutions whose overview this person may read.
    overviews: Vec<klade_app::home::Institution>,
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let list = deadlines::mine(&state.app, session).await?;
    let overviews = deadlines::overseen(&state.app, session).await?;
    let page = MinePage {
        page: Chrome::for_ctx(&ctx, t.get("deadlines.title"), "/deadlines", None),
        due_today: list.due_today.iter().map(|i| line(t, i)).collect(),
        late: list.late.iter().map(|i| line(t, i)).collect(),
        overviews,
        t,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct OverviewQuery {
    i: i64,
    person: Option<String>,
    class: Option<String>,
    kind: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "deadlines_overview.html")]
struct OverviewPage {
    page: Chrome,
    t: Tr,
    i: i64,
    items: Vec<Line>,
    /// When the list is longer than a page shows: (shown, all).
    cut: Option<(usize, usize)>,
    people: Vec<Tally>,
    classes: Vec<Tally>,
    kinds: Vec<crate::layout::Choice<&'static str>>,
    exports: Vec<(String, &'static str)>,
}

/// A person's or a class's count of late items, and whether the list is filtered by it.
struct Tally {
    id: i64,
    name: String,
    count: usize,
    chosen: bool,
}

/// The overview as a table to download: what the page's table shows.
fn overview_report(t: Tr, items: &[Item], lines: &[Line]) -> Report {
    let columns = [
        ("deadlines.person", 24.0),
        ("deadlines.class", 8.0),
        ("deadlines.kind", 22.0),
        ("deadlines.what", 30.0),
        ("deadlines.date", 11.0),
        ("deadlines.due", 16.0),
        ("deadlines.state", 22.0),
    ]
    .into_iter()
    .map(|(k, w)| Column::new(t.get(k), w))
    .collect();
    let rows = items
        .iter()
        .zip(lines)
        .map(|(i, l)| {
            let what = if l.count > 1 {
                format!("{} ({})", l.what, l.count)
            } else {
                l.what.clone()
            };
            let state = if l.done.is_empty() {
                l.state_label.clone()
            } else {
                format!("{}: {}", l.state_label, l.done)
            };
            vec![
                Cell::text(l.person.clone()),
                Cell::text(l.class_name.clone()),
                Cell::text(l.kind.clone()),
                Cell::text(what),
                Cell::Date(i.date.to_string()),
                Cell::text(l.due.clone()),
                Cell::text(state),
            ]
        })
        .collect();
    Report {
        title: t.get("deadlines.overview").to_string(),
        subtitle: Vec::new(),
        columns,
        rows,
    }
}

/// An empty or unparsable choice in the filter form means "all".
fn chosen(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let filter = Filter {
        person: chosen(&q.person),
        class: chosen(&q.class),
        kind: q.kind.clone(),
    };
    let view = deadlines::overview(&state.app, session, InstitutionId(q.i), &filter).await?;
    let kind = q.kind.clone().unwrap_or_default();
    let mut items: Vec<Line> = view.items.iter().map(|i| line(t, i)).collect();
    if let Some(f) = crate::download::requested(q.format.as_deref())? {
        let mut report = overview_report(t, &view.items, &items);
        report.subtitle.push(format_date(state.app.today()));
        return crate::download::download(&report, f, "termini");
    }
    let mut path = format!("/deadlines/overview?i={}", q.i);
    for (k, v) in [("person", &q.person), ("class", &q.class), ("kind", &q.kind)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
            path.push_str(&format!("&{k}={v}"));
        }
    }
    // A school whose teachers have stopped recording can owe thousands of lessons: the page shows
    // the first of them, the filters and the download hold the rest.
    const SHOWN: usize = 300;
    let cut = (items.len() > SHOWN).then_some((SHOWN, items.len()));
    items.truncate(SHOWN);
    let page = OverviewPage {
        page: Chrome::for_ctx(
            &ctx,
            t.get("deadlines.overview"),
            &format!("/deadlines/overview?i={}", q.i),
            None,
        ),
        i: q.i,
        items,
        cut,
        exports: crate::download::links(&path),
        people: view
            .per_person
            .iter()
            .map(|(p, name, n)| {
                let id = p.map_or(0, |p| p.0);
                let name = if name.is_empty() {
                    t.get("deadlines.administration").to_string()
                } else {
                    name.clone()
                };
                Tally {
                    id,
                    name,
                    count: *n,
                    chosen: filter.person == Some(id),
                }
            })
            .collect(),
        classes: view
            .per_class
            .iter()
            .map(|(c, name, n)| Tally {
                id: c.0,
                name: name.clone(),
                count: *n,
                chosen: filter.class == Some(c.0),
            })
            .collect(),
        kinds: Kind::ALL
            .iter()
            .map(|k| crate::layout::Choice {
                value: k.code(),
                label: t.dynamic("deadlines", &format!("k_{}", k.code())),
                chosen: kind == k.code(),
            })
            .collect(),
        t,
    };
    Ok(render(&page)?.into_response())
}
