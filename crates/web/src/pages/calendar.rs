//! The institution's working-day calendar (a year's days off, worked days, school holidays) and
//! its deadline settings. Pages only: `klade_app::calendar` checks the input and asks the policy.

use crate::ctx::Ctx;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Choice, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::calendar::{self as cal, SettingsForm};
use klade_app::clock::format_date;
use klade_app::AppError;
use klade_domain::InstitutionId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(page))
        .route("/calendar/days", post(add_day))
        .route("/calendar/days/remove", post(remove_day))
        .route("/calendar/holidays", post(add_holiday))
        .route("/calendar/holidays/remove", post(remove_holiday))
        .route("/deadlines/settings", get(settings_page).post(save_settings))
}

#[derive(Deserialize)]
struct PageQuery {
    i: i64,
    year: Option<i16>,
    done: Option<String>,
}

struct DayRow {
    date: String,
    shown: String,
    kind: String,
    note: String,
    government: bool,
    ignored: bool,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    i: i64,
    year: i16,
    days: Vec<DayRow>,
    holidays: Vec<HolidayRow>,
    months: Vec<MonthRow>,
    follows_government: bool,
    /// The kinds an institution may add; the chosen one is a refused form's.
    kinds: Vec<Choice<&'static str>>,
    flash: Option<String>,
    error: Option<String>,
    /// What was typed, kept after an error.
    typed: Typed,
    /// The refused field, marked `aria-invalid`.
    bad: &'static str,
}

/// A holiday of the institution's own, its dates as shown.
struct HolidayRow {
    id: i64,
    from: String,
    to: String,
    name: String,
    school_year: String,
}

struct MonthRow {
    name: String,
    working_days: u32,
}

/// A refused form's input: a day's (date, kind, note) or a holiday's (from, to, name); the other
/// form's fields stay empty.
#[derive(Default)]
struct Typed {
    date: String,
    kind: String,
    note: String,
    from: String,
    to: String,
    name: String,
}

async fn render_calendar(
    state: &AppState,
    ctx: &Ctx,
    i: i64,
    year: Option<i16>,
    flash: Option<String>,
    failed: Option<(&AppError, Typed)>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today = state.app.today();
    let year = year.unwrap_or(today.year());
    let view = cal::view(&state.app, session, InstitutionId(i), year).await?;
    let months = view
        .working_days
        .iter()
        .enumerate()
        .map(|(m, n)| MonthRow {
            name: t.dynamic("month", &(m + 1).to_string()),
            working_days: *n,
        })
        .collect();
    let days = view
        .days
        .iter()
        .map(|d| DayRow {
            shown: format_date(d.date),
            date: d.date.to_string(),
            kind: t.dynamic("calendar", &format!("k_{}", d.kind)),
            note: d.note.clone(),
            government: d.government,
            ignored: d.ignored,
        })
        .collect();
    let holidays = view
        .holidays
        .iter()
        .map(|h| HolidayRow {
            id: h.id,
            from: format_date(h.starts_on),
            to: format_date(h.ends_on),
            name: h.name.clone(),
            school_year: h.school_year.clone().unwrap_or_default(),
        })
        .collect();
    let (status, error, typed, bad) = match failed {
        Some((e, typed)) => {
            let bad = match e {
                AppError::Invalid { field, .. } => *field,
                // A day already in the calendar: its date.
                _ => "date",
            };
            (
                crate::error::status_of(e),
                Some(t.get(e.code()).to_string()),
                typed,
                bad,
            )
        }
        None => (StatusCode::OK, None, Typed::default(), ""),
    };
    let kinds = klade_domain::calendar::DayKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code(),
            label: t.dynamic("calendar", &format!("k_{}", k.code())),
            chosen: typed.kind == k.code(),
        })
        .collect();
    let page = CalendarPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("calendar.title"),
            &format!("/calendar?i={i}&year={year}"),
            None,
        ),
        csrf: session.csrf_token.clone(),
        i,
        year,
        days,
        holidays,
        months,
        follows_government: view.follows_government,
        kinds,
        flash: flash.map(|f| t.dynamic("calendar", &format!("done_{f}"))),
        error,
        typed,
        bad,
        t,
    };
    Ok((status, render(&page)?).into_response())
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, WebError> {
    render_calendar(&state, &ctx, q.i, q.year, q.done, None).await
}

#[derive(Deserialize)]
struct DayForm {
    i: i64,
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

fn year_of(date: &str) -> Option<i16> {
    date.get(..4).and_then(|y| y.parse().ok())
}

async fn add_day(State(state): State<AppState>, ctx: Ctx, Form(f): Form<DayForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match cal::add_day(&state.app, session, InstitutionId(f.i), &f.date, &f.kind, &f.note).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/calendar?i={}&year={}&done=added",
            f.i,
            year_of(&f.date).unwrap_or_default()
        ))
        .into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            // The page stays on the year the day was typed for.
            let year = year_of(&f.date);
            let typed = Typed {
                date: f.date,
                kind: f.kind,
                note: f.note,
                ..Typed::default()
            };
            render_calendar(&state, &ctx, f.i, year, None, Some((&e, typed))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_day(State(state): State<AppState>, ctx: Ctx, Form(f): Form<DayForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    cal::remove_day(&state.app, session, InstitutionId(f.i), &f.date).await?;
    Ok(Redirect::to(&format!(
        "/calendar?i={}&year={}&done=removed",
        f.i,
        year_of(&f.date).unwrap_or_default()
    ))
    .into_response())
}

#[derive(Deserialize)]
struct HolidayForm {
    i: i64,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id: i64,
}

async fn add_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HolidayForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match cal::add_holiday(&state.app, session, InstitutionId(f.i), &f.from, &f.to, &f.name).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/calendar?i={}&year={}&done=added",
            f.i,
            year_of(&f.from).unwrap_or_default()
        ))
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let year = year_of(&f.from);
            let typed = Typed {
                from: f.from,
                to: f.to,
                name: f.name,
                ..Typed::default()
            };
            render_calendar(&state, &ctx, f.i, year, None, Some((&e, typed))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HolidayForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    cal::remove_holiday(&state.app, session, InstitutionId(f.i), f.id).await?;
    Ok(Redirect::to(&format!("/calendar?i={}&done=removed", f.i)).into_response())
}

// ---- deadline settings ----

#[derive(Template)]
#[template(path = "deadline_settings.html")]
struct SettingsPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    i: i64,
    f: SettingsForm,
    flash: Option<String>,
    error: Option<String>,
    /// The refused field, marked `aria-invalid`.
    bad: &'static str,
}

#[derive(Deserialize)]
struct SettingsQuery {
    i: i64,
    done: Option<String>,
}

fn settings_response(
    ctx: &Ctx,
    i: i64,
    f: SettingsForm,
    flash: bool,
    failed: Option<&AppError>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let (status, error) = match failed {
        Some(e @ AppError::Invalid { field, .. }) => (
            crate::error::status_of(e),
            Some(format!("{}: {}", t.dynamic("settings", field), t.get(e.code()))),
        ),
        Some(e) => (crate::error::status_of(e), Some(t.get(e.code()).to_string())),
        None => (StatusCode::OK, None),
    };
    let page = SettingsPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("settings.title"),
            &format!("/deadlines/settings?i={i}"),
            None,
        ),
        csrf: session.csrf_token.clone(),
        i,
        f,
        flash: flash.then(|| t.get("settings.saved").to_string()),
        error,
        bad: match failed {
            Some(AppError::Invalid { field, .. }) => field,
            _ => "",
        },
        t,
    };
    Ok((status, render(&page)?).into_response())
}

async fn settings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = cal::settings(&state.app, session, InstitutionId(q.i)).await?;
    settings_response(&ctx, q.i, f, q.done.is_some(), None)
}

#[derive(Deserialize)]
struct SettingsQueryI {
    i: i64,
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SettingsQueryI>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match cal::save_settings(&state.app, session, InstitutionId(q.i), &f).await {
        Ok(()) => Ok(Redirect::to(&format!("/deadlines/settings?i={}&done=saved", q.i)).into_response()),
        Err(e @ AppError::Invalid { .. }) => settings_response(&ctx, q.i, f, false, Some(&e)),
        Err(e) => Err(e.into()),
    }
}
