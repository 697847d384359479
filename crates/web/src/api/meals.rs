//! School meals through the API: the same use cases as the pages.

use crate::ctx::{Ctx, Query};
use crate::error::{json_refusal, WebError};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use klade_app::meals;
use klade_domain::{InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meals", get(family).post(set))
        .route("/meals/order", get(order))
        .route("/meals/settings", get(settings).put(save_settings))
}

/// Each of one's children's days ahead, in institutions that serve meals through Klade.
async fn family(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let children = meals::for_family(&state.app, ctx.signed_in()?).await?;
    Ok(Json(serde_json::json!({ "children": children })).into_response())
}

#[derive(Deserialize)]
struct SetBody {
    student: i64,
    date: String,
    eat: bool,
}

async fn set(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<SetBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    meals::set(&state.app, ctx.signed_in()?, PersonId(b.student), &b.date, b.eat).await?;
    Ok(Json(serde_json::json!({ "student": b.student, "date": b.date, "eat": b.eat })).into_response())
}

#[derive(Deserialize)]
struct OrderQuery {
    i: i64,
    date: Option<String>,
}

async fn order(State(state): State<AppState>, ctx: Ctx, Query(q): Query<OrderQuery>) -> Result<Response, WebError> {
    let day = match q.date.as_deref() {
        Some(d) => klade_app::calendar::parse_date(d, "date")?,
        None => state.app.today(),
    };
    let order = meals::order(&state.app, ctx.signed_in()?, InstitutionId(q.i), day).await?;
    Ok(Json(order).into_response())
}

#[derive(Deserialize)]
struct InstitutionQuery {
    i: i64,
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstitutionQuery>,
) -> Result<Response, WebError> {
    let s = meals::settings(&state.app, ctx.signed_in()?, InstitutionId(q.i)).await?;
    Ok(Json(s).into_response())
}

#[derive(Deserialize)]
struct SettingsBody {
    enabled: bool,
    cutoff: String,
    #[serde(default)]
    caterer_email: String,
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstitutionQuery>,
    body: Result<Json<SettingsBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| json_refusal(&e))?;
    let session = ctx.signed_in()?;
    let institution = InstitutionId(q.i);
    meals::save_settings(&state.app, session, institution, b.enabled, &b.cutoff, &b.caterer_email).await?;
    let s = meals::settings(&state.app, session, institution).await?;
    Ok(Json(s).into_response())
}
