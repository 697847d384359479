//! Journal-check pages (R22.2, R23, R24.1, R25.1, J29): a course's or a preschool group's findings
//! with the forms to record, answer, close and reopen them, and the list of findings not yet
//! closed per teacher. Pages only: what the reader may see and do comes from
//! `klade_app::journal_checks`, which asks the policy.

use super::preschool_plans::{lines, tabs as group_tabs};
use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::journal_checks::{self as checks, CheckStep, Journal};
use klade_app::AppError;
use klade_docs::table::{Cell, Column, Report};
use klade_domain::journal_check::Area;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{group}/checks", get(group_page).post(group_record))
        .route("/groups/{group}/checks/{id}", post(group_change))
        .route("/journal/{course}/checks", get(course_page).post(course_record))
        .route("/journal/{course}/checks/{id}", post(course_change))
        .route("/checks", get(unclosed))
}

/// The address of a journal's checks page.
fn base(j: Journal) -> String {
    match j {
        Journal::Group(g) => format!("/groups/{}/checks", g.0),
        Journal::Course(c) => format!("/journal/{}/checks", c.0),
    }
}

/// The tabs above the page: a group's own pages, or back to the course's grid.
fn tabs(t: Tr, j: Journal) -> Vec<crate::layout::Choice<String>> {
    match j {
        Journal::Group(g) => group_tabs(t, g.0, "checks"),
        Journal::Course(c) => vec![
            crate::layout::Choice {
                value: format!("/journal/{}", c.0),
                label: t.get("journal.title").to_string(),
                chosen: false,
            },
            crate::layout::Choice {
                value: base(j),
                label: t.get("check.title").to_string(),
                chosen: true,
            },
        ],
    }
}

struct CheckView {
    id: i64,
    area: String,
    finding: Vec<String>,
    due: String,
    state: &'static str,
    state_label: String,
    recorded: String,
    answer: Vec<String>,
    done: String,
    closed: String,
    history: Vec<HistoryLine>,
    may_answer: bool,
    may_close: bool,
    may_reopen: bool,
}

/// A change of a check's state: when, by whom, to what.
struct HistoryLine {
    at: String,
    who: String,
    state: String,
}

#[derive(Template)]
#[template(path = "journal_checks.html")]
struct ChecksPage {
    page: Chrome,
    t: Tr,
    tabs: Vec<crate::layout::Choice<String>>,
    action: String,
    name: String,
    checks: Vec<CheckView>,
    can_record: bool,
    /// A school course's journal: findings have a field (a preschool group's do not, J29).
    course: bool,
    areas: Vec<crate::layout::Choice<&'static str>>,
    finding: String,
    due_on: String,
    answer: TypedAnswer,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    today: String,
    /// The refused field, marked `aria-invalid`.
    bad: &'static str,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

/// What was typed in a refused form of the checks page.
#[derive(Default)]
struct Typed {
    area: String,
    finding: String,
    due_on: String,
    answer: TypedAnswer,
}

/// The finding an answer was refused for, and what was typed.
#[derive(Default)]
struct TypedAnswer {
    check: i64,
    text: String,
}

fn area_label(t: Tr, code: &str) -> String {
    t.dynamic("check", &format!("area_{code}"))
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    j: Journal,
    flash: Option<&str>,
    typed: Option<(Typed, &AppError)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let v = checks::checks(&state.app, session, j).await?;
    let (typed, error, bad) = match typed {
        Some((ty, e)) => {
            let bad = match e {
                AppError::Invalid { field, .. } => *field,
                _ => "",
            };
            (ty, Some(t.get(e.code()).to_string()), bad)
        }
        None => (Typed::default(), None, ""),
    };
    let who_when = |who: &Option<String>, at: Option<i64>| match (who, at) {
        (Some(w), Some(a)) => format!("{w}, {}", format_instant(a)),
        _ => String::new(),
    };
    let list = v
        .checks
        .iter()
        .map(|item| {
            let (c, h) = (&item.check, &item.history);
            let state = c.state();
            CheckView {
                id: c.id,
                area: area_label(t, &c.area),
                finding: lines(&c.finding),
                due: c.due_on.map(format_date).unwrap_or_default(),
                state,
                state_label: t.dynamic("check", &format!("state_{state}")),
                recorded: format!("{}, {}", c.created_by, format_instant(c.created_at)),
                answer: c.answer.as_deref().map(lines).unwrap_or_default(),
                done: who_when(&c.done_by, c.done_at),
                closed: who_when(&c.closed_by, c.closed_at),
                history: h
                    .iter()
                    .map(|e| {
                        let s = e
                            .new_value
                            .as_deref()
                            .and_then(|n| n.split('\u{1f}').next())
                            .unwrap_or("");
                        HistoryLine {
                            at: format_instant(e.at),
                            who: e.person.clone(),
                            state: t.dynamic("check", &format!("state_{s}")),
                        }
                    })
                    .collect(),
                may_answer: v.can_answer && state == "open",
                may_close: v.can_record && state != "closed",
                may_reopen: v.can_record && state != "open",
            }
        })
        .collect();
    let chosen = if typed.area.is_empty() {
        v.area
    } else {
        typed.area.as_str()
    };
    let areas = Area::ALL
        .into_iter()
        .map(|a| crate::layout::Choice {
            value: a.code(),
            label: area_label(t, a.code()),
            chosen: a.code() == chosen,
        })
        .collect();
    let p = ChecksPage {
        page: Chrome::for_ctx(ctx, &format!("{}: {}", t.get("check.title"), v.name), &base(j), None),
        tabs: tabs(t, j),
        action: base(j),
        name: v.name.clone(),
        checks: list,
        can_record: v.can_record,
        course: matches!(j, Journal::Course(_)),
        areas,
        finding: typed.finding,
        due_on: typed.due_on,
        answer: typed.answer,
        flash: flash.map(|k| t.get(k).to_string()),
        error,
        bad,
        csrf: session.csrf_token.clone(),
        today: state.app.today().to_string(),
        t,
    };
    Ok((status, render(&p)?).into_response())
}

async fn show(state: &AppState, ctx: &Ctx, j: Journal, q: DoneQuery) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("recorded") => Some("check.recorded"),
        Some(_) => Some("check.changed"),
        None => None,
    };
    page(state, ctx, j, flash, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CheckForm {
    #[serde(default)]
    area: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    due_on: String,
}

async fn record(state: &AppState, ctx: &Ctx, j: Journal, f: CheckForm) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match checks::record(&state.app, session, j, &f.area, &f.finding, &f.due_on).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done=recorded", base(j))).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            let typed = Typed {
                area: f.area,
                finding: f.finding,
                due_on: f.due_on,
                ..Typed::default()
            };
            page(state, ctx, j, None, Some((typed, &e)), status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    answer: String,
}

async fn change(state: &AppState, ctx: &Ctx, j: Journal, id: i64, f: StepForm) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let step = CheckStep::parse(&f.action, &f.answer)?;
    match checks::change(&state.app, session, j, id, &step).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?done={}", base(j), f.action)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            let typed = Typed {
                answer: TypedAnswer {
                    check: id,
                    text: f.answer,
                },
                ..Typed::default()
            };
            page(state, ctx, j, None, Some((typed, &e)), status).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn group_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(g): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    show(&state, &ctx, Journal::Group(ClassId(g)), q).await
}

async fn course_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(c): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    show(&state, &ctx, Journal::Course(CourseId(c)), q).await
}

async fn group_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(g): Path<i64>,
    Form(f): Form<CheckForm>,
) -> Result<Response, WebError> {
    record(&state, &ctx, Journal::Group(ClassId(g)), f).await
}

async fn course_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(c): Path<i64>,
    Form(f): Form<CheckForm>,
) -> Result<Response, WebError> {
    record(&state, &ctx, Journal::Course(CourseId(c)), f).await
}

async fn group_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((g, id)): Path<(i64, i64)>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    change(&state, &ctx, Journal::Group(ClassId(g)), id, f).await
}

async fn course_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id)): Path<(i64, i64)>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    change(&state, &ctx, Journal::Course(CourseId(c)), id, f).await
}

// ---- the findings not yet closed ----

struct Row {
    teacher: String,
    /// The ISO date to be corrected by, for the download.
    due_iso: String,
    /// The first row of a teacher's findings carries their count.
    first: Option<usize>,
    href: String,
    journal: String,
    area: String,
    finding: String,
    due: String,
    overdue: bool,
    state_label: String,
}

#[derive(Template)]
#[template(path = "checks_unclosed.html")]
struct UnclosedPage {
    page: Chrome,
    t: Tr,
    everyone: bool,
    rows: Vec<Row>,
    exports: Vec<(String, &'static str)>,
}

/// The list as a table to download.
fn unclosed_report(t: Tr, rows: &[Row]) -> Report {
    let columns = [
        ("check.teacher", 24.0),
        ("check.journal", 22.0),
        ("check.area", 20.0),
        ("check.finding", 40.0),
        ("check.due", 11.0),
        ("check.state_col", 20.0),
    ]
    .into_iter()
    .map(|(k, w)| Column::new(t.get(k), w))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                Cell::text(r.teacher.clone()),
                Cell::text(r.journal.clone()),
                Cell::text(r.area.clone()),
                Cell::text(r.finding.clone()),
                if r.due_iso.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Date(r.due_iso.clone())
                },
                Cell::text(r.state_label.clone()),
            ]
        })
        .collect();
    Report {
        title: t.get("check.unclosed").to_string(),
        subtitle: Vec::new(),
        columns,
        rows,
    }
}

#[derive(Deserialize, Default)]
struct UnclosedQuery {
    i: Option<i64>,
    teacher: Option<i64>,
    format: Option<String>,
}

async fn unclosed(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UnclosedQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let inst = match q.i {
        Some(i) => InstitutionId(i),
        None => *session.actor.institutions().first().ok_or_else(|| AppError::NotFound)?,
    };
    let v = checks::unclosed(&state.app, session, inst, q.teacher.map(PersonId)).await?;
    let today = state.app.today();
    let mut rows: Vec<Row> = Vec::new();
    for (n, a) in v.items.iter().enumerate() {
        let teacher = format!("{} {}", a.teacher_given, a.teacher_family);
        let first = (n == 0 || v.items[n - 1].teacher_id != a.teacher_id)
            .then(|| v.items[n..].iter().take_while(|b| b.teacher_id == a.teacher_id).count());
        let c = &a.check;
        rows.push(Row {
            teacher,
            due_iso: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
            first,
            href: format!("{}#check-{}", base(c.journal()), c.id),
            journal: a.journal_name.clone(),
            area: area_label(t, &c.area),
            finding: c.finding.lines().next().unwrap_or("").to_string(),
            due: c.due_on.map(format_date).unwrap_or_default(),
            overdue: c.state() == "open" && c.due_on.is_some_and(|d| d < today),
            state_label: t.dynamic("check", &format!("state_{}", c.state())),
        });
    }
    if let Some(f) = crate::download::requested(q.format.as_deref())? {
        let mut report = unclosed_report(t, &rows);
        report.subtitle.push(format_date(today));
        return crate::download::download(&report, f, "zurnala-parbaude");
    }
    let mut path = format!("/checks?i={}", inst.0);
    if let Some(p) = q.teacher {
        path.push_str(&format!("&teacher={p}"));
    }
    let p = UnclosedPage {
        page: Chrome::for_ctx(&ctx, t.get("check.unclosed"), "/checks", None),
        everyone: v.everyone,
        exports: crate::download::links(&path),
        rows,
        t,
    };
    Ok(render(&p)?.into_response())
}
