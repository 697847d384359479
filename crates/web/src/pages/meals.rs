//! School meals: the family's page (each child's days ahead, cancel or order again before the
//! cut-off), and the day's order with the institution's settings for those who keep the meals
//! (page, XLSX, CSV, PDF).

use crate::ctx::{Ctx, Query};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome, Typed};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::meals::{self, Off};
use klade_app::AppError;
use klade_docs::table::{Cell, Column, Report};
use klade_domain::policy::{Action, Scope};
use klade_domain::{InstitutionId, PersonId};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/meals", get(family).post(set))
        .route("/meals/order", get(order))
        .route("/meals/settings", post(save_settings))
}

/// Why a meal is off, in words.
fn off_words(t: Tr, off: &Off) -> String {
    match off {
        Off::Cancelled { by, at } => t.fill("meals.cancelled_by", &[("who", by), ("at", &format_instant(*at))]),
        Off::Absent { .. } => t.get("meals.absence_notice").to_string(),
    }
}

struct DayLine {
    date: String,
    iso: String,
    weekday: String,
    off: Option<String>,
    changeable: bool,
}

struct ChildLine {
    student_id: i64,
    student: String,
    cutoff: String,
    days: Vec<DayLine>,
}

#[derive(Template)]
#[template(path = "meals.html")]
struct FamilyPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    children: Vec<ChildLine>,
    /// Institutions whose order this person keeps: (id, name).
    orders: Vec<(i64, String)>,
}

#[derive(Deserialize, Default)]
struct FamilyQuery {
    done: Option<String>,
}

async fn family(State(state): State<AppState>, ctx: Ctx, Query(q): Query<FamilyQuery>) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("cancelled") => Some("meals.cancelled_flash"),
        Some("ordered") => Some("meals.ordered_flash"),
        _ => None,
    };
    family_page(&state, &ctx, flash, None).await
}

async fn family_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    error: Option<&AppError>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let children = meals::for_family(&state.app, session)
        .await?
        .into_iter()
        .map(|c| ChildLine {
            student_id: c.student_id.0,
            student: c.student,
            cutoff: c.cutoff,
            days: c
                .days
                .iter()
                .map(|d| DayLine {
                    date: format_date(d.date),
                    iso: d.date.to_string(),
                    weekday: t
                        .dynamic("weekday", &d.date.weekday().to_monday_one_offset().to_string())
                        .to_string(),
                    off: d.off.as_ref().map(|o| off_words(t, o)),
                    changeable: d.changeable,
                })
                .collect(),
        })
        .collect();
    let mut orders = Vec::new();
    for i in session.actor.institutions() {
        if session.actor.may(Action::ManageMeals, Scope::Institution(i)) {
            orders.push((i.0, klade_app::home::institution(&state.app, i).await?.name.clone()));
        }
    }
    let view = FamilyPage {
        page: Chrome::for_ctx(ctx, t.get("meals.title"), "/meals", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        children,
        orders,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

#[derive(Deserialize)]
struct SetForm {
    student: i64,
    date: String,
    /// `1`: order the meal again; `0`: cancel it.
    eat: u8,
}

async fn set(State(state): State<AppState>, ctx: Ctx, Form(f): Form<SetForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match meals::set(&state.app, session, PersonId(f.student), &f.date, f.eat == 1).await {
        Ok(()) => Ok(Redirect::to(if f.eat == 1 {
            "/meals?done=ordered"
        } else {
            "/meals?done=cancelled"
        })
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => family_page(&state, &ctx, None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

struct OrderRow {
    class_name: String,
    enrolled: usize,
    meals: usize,
    off: Vec<String>,
}

#[derive(Template)]
#[template(path = "meals_order.html")]
struct OrderPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    i: i64,
    institution: String,
    date: String,
    iso: String,
    served: bool,
    closed: bool,
    cutoff: String,
    sent: Option<String>,
    rows: Vec<OrderRow>,
    total: usize,
    exports: Vec<(String, &'static str)>,
    settings: meals::Settings,
    /// The cut-off set, `09:00`.
    settings_cutoff: String,
    typed: Typed,
}

#[derive(Deserialize, Default)]
struct OrderQuery {
    i: i64,
    date: Option<String>,
    format: Option<String>,
    done: Option<String>,
}

async fn order(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OrderQuery>) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("saved")).then_some("meals.settings_saved");
    order_page(&state, &ctx, &q, flash, None, Typed::default()).await
}

async fn order_page(
    state: &AppState,
    ctx: &Ctx,
    q: &OrderQuery,
    flash: Option<&str>,
    error: Option<&AppError>,
    typed: Typed,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let institution = InstitutionId(q.i);
    let day = match q.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => klade_app::calendar::parse_date(d, "date")?,
        None => state.app.today(),
    };
    let order = meals::order(&state.app, session, institution, day).await?;
    let settings = meals::settings(&state.app, session, institution).await?;
    let name = klade_app::home::institution(&state.app, institution)
        .await?
        .name
        .clone();
    if let Some(format) = crate::download::requested(q.format.as_deref())? {
        let report = Report {
            title: t.get("meals.order_title").to_string(),
            subtitle: vec![name.clone(), format_date(day)],
            columns: vec![
                Column::new(t.get("meals.class"), 14.0),
                Column::new(t.get("meals.enrolled"), 12.0),
                Column::new(t.get("meals.meals"), 12.0),
                Column::new(t.get("meals.not_eating"), 60.0),
            ],
            rows: order
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Cell::text(l.class_name.clone()),
                        Cell::count(i64::try_from(l.enrolled).unwrap_or(0)),
                        Cell::count(i64::try_from(l.meals).unwrap_or(0)),
                        Cell::text(l.off.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")),
                    ]
                })
                .chain(std::iter::once(vec![
                    Cell::text(t.get("meals.total")),
                    Cell::count(order.lines.iter().map(|l| i64::try_from(l.enrolled).unwrap_or(0)).sum()),
                    Cell::count(i64::try_from(order.total).unwrap_or(0)),
                    Cell::text(""),
                ]))
                .collect(),
        };
        return crate::download::download(&report, format, &format!("edinasana-{day}"));
    }
    let path = format!("/meals/order?i={}&date={day}", q.i);
    let view = OrderPage {
        page: Chrome::for_ctx(ctx, t.get("meals.order_title"), "/meals/order", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        i: q.i,
        institution: name,
        date: format_date(day),
        iso: day.to_string(),
        served: order.served,
        closed: order.closed,
        cutoff: order.cutoff.clone(),
        sent: order.sent_at.map(format_instant),
        rows: order
            .lines
            .iter()
            .map(|l| OrderRow {
                class_name: l.class_name.clone(),
                enrolled: l.enrolled,
                meals: l.meals,
                off: l
                    .off
                    .iter()
                    .map(|(n, o)| format!("{n} ({})", off_words(t, o)))
                    .collect(),
            })
            .collect(),
        total: order.total,
        exports: crate::download::links(&path),
        settings_cutoff: klade_domain::deadlines::format_time(settings.cutoff),
        settings,
        typed,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OrderQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let enabled = get("enabled") == "1";
    match meals::save_settings(
        &state.app,
        session,
        InstitutionId(q.i),
        enabled,
        get("cutoff"),
        get("caterer_email"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/meals/order?i={}&done=saved", q.i)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("settings", &fields, Some(&e));
            order_page(&state, &ctx, &q, None, Some(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}
