//! Parent–teacher meetings through the API: the same use cases as the pages.

use crate::ctx::{Ctx, Path};
use crate::error::{json_refusal, WebError};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::meetings::{self, Draft};
use klade_domain::PersonId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/book", post(book))
        .route("/meetings/{id}/unbook", post(unbook))
        .route("/meetings/{id}/remind", post(remind))
        .route("/meetings/{id}/cancel", post(cancel))
}

/// The meetings one hosts and those of one's children's classes (other families' bookings show
/// only as taken).
async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let family = meetings::for_family(&state.app, session).await?;
    let hosted = if meetings::hosts(&session.actor) {
        meetings::hosted(&state.app, session).await?
    } else {
        Vec::new()
    };
    Ok(Json(serde_json::json!({ "hosted": hosted, "family": family })).into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<Draft>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(draft) = body.map_err(|e| json_refusal(&e))?;
    let id = meetings::create(&state.app, ctx.signed_in()?, &draft).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// A meeting as its host sees it: every slot with who booked, and the students not booked.
async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let view = meetings::host_view(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
struct BookBody {
    student: i64,
    #[serde(default)]
    slot: i64,
}

async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<BookBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    meetings::book(&state.app, ctx.signed_in()?, id, b.slot, PersonId(b.student)).await?;
    Ok(Json(serde_json::json!({ "booked": b.slot })).into_response())
}

async fn unbook(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<BookBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    meetings::unbook(&state.app, ctx.signed_in()?, id, PersonId(b.student)).await?;
    Ok(Json(serde_json::json!({ "booked": null })).into_response())
}

async fn remind(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let asked = meetings::remind_unbooked(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "asked": asked })).into_response())
}

async fn cancel(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    meetings::cancel(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "cancelled": true })).into_response())
}
