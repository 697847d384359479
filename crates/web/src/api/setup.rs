//! Setting an institution up through the API: its school years with terms and holidays — the
//! same use cases as the pages.

use crate::error::WebError;
use crate::session::Ctx;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use klade_app::setup::{self, YearInput};
use klade_app::AppError;
use klade_domain::InstitutionId;

pub fn routes() -> Router<AppState> {
    Router::new().route("/institutions/{i}/years", get(years).post(create_year))
}

fn session(ctx: &Ctx) -> Result<&klade_app::auth::Session, WebError> {
    ctx.session
        .as_ref()
        .ok_or_else(|| ctx.fail_json()(AppError::Unauthenticated))
}

async fn years(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let y = setup::years(&state.app, session(&ctx)?, InstitutionId(i))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(y).into_response())
}

async fn create_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<YearInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = session(&ctx)?;
    let Json(input) = body.map_err(|e| ctx.fail_json()(super::json_refusal(&e)))?;
    setup::create_year(&state.app, s, InstitutionId(i), &input)
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(serde_json::json!({ "created": input.name.trim() })).into_response())
}
