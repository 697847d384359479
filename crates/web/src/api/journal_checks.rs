//! Journal checks through the API — a course's or a group's findings, recording them, moving them
//! on, and the list of findings not yet closed: the same use cases as the pages.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::journal_checks::{self as checks, CheckStep, Journal};
use klade_app::AppError;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{group}/checks", get(group_list).post(group_record))
        .route("/groups/{group}/checks/{id}/{action}", post(group_change))
        .route("/courses/{course}/checks", get(course_list).post(course_record))
        .route("/courses/{course}/checks/{id}/{action}", post(course_change))
        .route("/institutions/{i}/checks", get(unclosed))
}

async fn list(state: &AppState, ctx: &Ctx, j: Journal) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let v = checks::checks(&state.app, session, j).await?;
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
struct CheckBody {
    finding: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    due_on: String,
}

async fn record(
    state: &AppState,
    ctx: &Ctx,
    j: Journal,
    input: Result<Json<CheckBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let Json(b) = input.map_err(|_| AppError::invalid("body", "error.bad_request"))?;
    let id = checks::record(&state.app, session, j, &b.area, &b.finding, &b.due_on).await?;
    Ok(Json(serde_json::json!({ "id": id })).into_response())
}

#[derive(Deserialize, Default)]
struct StepBody {
    #[serde(default)]
    answer: String,
}

async fn change(
    state: &AppState,
    ctx: &Ctx,
    j: Journal,
    id: i64,
    action: &str,
    input: Result<Json<StepBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    // Closing and reopening need no body.
    let b = input.map(|Json(b)| b).unwrap_or_default();
    let step = CheckStep::parse(action, &b.answer)?;
    let c = checks::change(&state.app, session, j, id, &step).await?;
    Ok(Json(c).into_response())
}

async fn group_list(State(state): State<AppState>, ctx: Ctx, Path(g): Path<i64>) -> Result<Response, WebError> {
    list(&state, &ctx, Journal::Group(ClassId(g))).await
}

async fn course_list(State(state): State<AppState>, ctx: Ctx, Path(c): Path<i64>) -> Result<Response, WebError> {
    list(&state, &ctx, Journal::Course(CourseId(c))).await
}

async fn group_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(g): Path<i64>,
    input: Result<Json<CheckBody>, JsonRejection>,
) -> Result<Response, WebError> {
    record(&state, &ctx, Journal::Group(ClassId(g)), input).await
}

async fn course_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(c): Path<i64>,
    input: Result<Json<CheckBody>, JsonRejection>,
) -> Result<Response, WebError> {
    record(&state, &ctx, Journal::Course(CourseId(c)), input).await
}

async fn group_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((g, id, action)): Path<(i64, i64, String)>,
    input: Result<Json<StepBody>, JsonRejection>,
) -> Result<Response, WebError> {
    change(&state, &ctx, Journal::Group(ClassId(g)), id, &action, input).await
}

async fn course_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((c, id, action)): Path<(i64, i64, String)>,
    input: Result<Json<StepBody>, JsonRejection>,
) -> Result<Response, WebError> {
    change(&state, &ctx, Journal::Course(CourseId(c)), id, &action, input).await
}

#[derive(Deserialize, Default)]
struct TeacherQuery {
    teacher: Option<i64>,
}

async fn unclosed(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    Query(q): Query<TeacherQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let v = checks::unclosed(&state.app, session, InstitutionId(i), q.teacher.map(PersonId)).await?;
    Ok(Json(v).into_response())
}
