//! Consents and surveys through the API: the same use cases as the pages.

use crate::ctx::{Ctx, Path};
use crate::error::{json_refusal, WebError};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::consents::{self, Draft};
use klade_domain::PersonId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/consents", get(list).post(create))
        .route("/consents/{id}", get(show))
        .route("/consents/{id}/answer", post(answer))
        .route("/consents/{id}/withdraw", post(withdraw))
        .route("/consents/{id}/remind", post(remind))
}

/// The questions one asked or follows, and those asked of one's children's classes with the
/// answers given.
async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let family = consents::for_family(&state.app, session).await?;
    let asked = if consents::asks(&session.actor) {
        consents::listed(&state.app, session).await?
    } else {
        Vec::new()
    };
    Ok(Json(serde_json::json!({ "asked": asked, "family": family })).into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<Draft>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(draft) = body.map_err(|e| json_refusal(&e))?;
    let id = consents::create(&state.app, ctx.signed_in()?, &draft).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// A question as its asker sees it: each student's standing answer, and the tally.
async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let view = consents::asker_view(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
struct AnswerBody {
    student: i64,
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    consents::answer(&state.app, ctx.signed_in()?, id, PersonId(b.student), &b.answer).await?;
    Ok(Json(serde_json::json!({ "answered": true })).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    consents::withdraw(&state.app, ctx.signed_in()?, id, PersonId(b.student)).await?;
    Ok(Json(serde_json::json!({ "withdrawn": true })).into_response())
}

async fn remind(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let asked = consents::remind(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "asked": asked })).into_response())
}
