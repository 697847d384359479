//! A preschool group's monthly plan and talks with parents through the API: the same use cases
//! as the pages.

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
use klade_app::preschool_plans::{self as plans, TalkInput};
use klade_app::AppError;
use klade_domain::{ClassId, InstitutionId};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{group}/plan", get(plan).put(save_plan))
        .route("/groups/{group}/talks", get(talks).post(add_talk))
        .route("/institutions/{i}/plans", get(overview))
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    body.map(|Json(b)| b)
        .map_err(|_| WebError::from(AppError::invalid("body", "error.bad_request")))
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    month: Option<String>,
}

fn month_or_current(state: &AppState, q: MonthQuery) -> Result<String, WebError> {
    match q.month {
        Some(m) => Ok(m),
        None => Ok(plans::month_of(state.app.today())),
    }
}

async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let month = month_or_current(&state, q)?;
    let v = plans::plan(&state.app, session, ClassId(group), &month).await?;
    Ok(Json(v).into_response())
}

/// The whole plan: a field left out has no text afterwards.
#[derive(Deserialize)]
struct PlanBody {
    fields: BTreeMap<String, String>,
}

async fn save_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<MonthQuery>,
    input: Result<Json<PlanBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let month = month_or_current(&state, q)?;
    let b = body(input)?;
    let values: Vec<(String, String)> = b.fields.into_iter().collect();
    let saved = plans::save_plan(&state.app, session, ClassId(group), &month, &values).await?;
    Ok(Json(saved).into_response())
}

async fn talks(State(state): State<AppState>, ctx: Ctx, Path(group): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let v = plans::talks(&state.app, session, ClassId(group)).await?;
    Ok(Json(v).into_response())
}

async fn add_talk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    input: Result<Json<TalkInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let b = body(input)?;
    let id = plans::add_talk(&state.app, session, ClassId(group), &b).await?;
    Ok(Json(serde_json::json!({ "id": id })).into_response())
}

async fn overview(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let list = plans::overview(&state.app, session, InstitutionId(i)).await?;
    Ok(Json(list).into_response())
}
