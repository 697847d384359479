//! Deadlines, the calendar and the deadline settings through the API: the same use cases as the
//! pages.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use klade_app::calendar::{self as cal, SettingsForm};
use klade_app::deadlines::{self, Filter};
use klade_app::AppError;
use klade_domain::InstitutionId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deadlines", get(mine))
        .route("/deadlines/{i}", get(overview))
        .route("/deadlines/{i}/calendar", get(calendar))
        .route("/deadlines/{i}/settings", get(settings).put(save_settings))
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let list = deadlines::mine(&state.app, session).await?;
    Ok(Json(list).into_response())
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let view = deadlines::overview(&state.app, session, InstitutionId(i), &filter).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i16>,
}

async fn calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let today = state.app.today();
    let view = cal::view(&state.app, session, InstitutionId(i), q.year.unwrap_or(today.year())).await?;
    Ok(Json(view).into_response())
}

async fn settings(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let form = cal::settings(&state.app, session, InstitutionId(i)).await?;
    Ok(Json(form).into_response())
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<SettingsForm>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let Ok(Json(form)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    cal::save_settings(&state.app, session, InstitutionId(i), &form).await?;
    let saved = cal::settings(&state.app, session, InstitutionId(i)).await?;
    Ok(Json(saved).into_response())
}
