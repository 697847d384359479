//! People and accounts through the API: records, contacts, the access log, the data download,
//! staff accounts and the SMS outbox — the same use cases as the pages.

use crate::error::WebError;
use crate::session::Ctx;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::{accounts, people, AppError};
use klade_domain::{InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/{id}", get(record))
        .route("/people/{id}/contacts", post(contacts))
        .route("/people/{id}/access-log", get(access_log))
        .route("/people/{id}/export", get(export))
        .route("/institutions/{i}/staff", get(staff))
        .route("/institutions/{i}/staff/{person}/{action}", post(account))
        .route("/institutions/{i}/sms", get(outbox))
}

fn session(ctx: &Ctx) -> Result<&klade_app::auth::Session, WebError> {
    ctx.session
        .as_ref()
        .ok_or_else(|| ctx.fail_json()(AppError::Unauthenticated))
}

async fn record(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let r = people::record(&state.app, session(&ctx)?, PersonId(id))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize)]
struct ContactsBody {
    phone: String,
    email: String,
}

async fn contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<ContactsBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Err(ctx.fail_json()(AppError::invalid("body", "error.bad_request")));
    };
    people::update_contacts(&state.app, session(&ctx)?, PersonId(id), &b.phone, &b.email)
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(serde_json::json!({ "saved": true })).into_response())
}

async fn access_log(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let log = people::access_of(&state.app, session(&ctx)?, PersonId(id))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(log).into_response())
}

async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let data = people::export(&state.app, session(&ctx)?, PersonId(id))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(data).into_response())
}

async fn staff(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let list = accounts::staff(&state.app, session(&ctx)?, InstitutionId(i))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(list).into_response())
}

#[derive(Deserialize, Default)]
struct AccountBody {
    username: Option<String>,
    reason: Option<String>,
}

/// `create`, `password`, `block` (with a reason) or `unblock`.
async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((i, person, action)): Path<(i64, i64, String)>,
    body: Option<Json<AccountBody>>,
) -> Result<Response, WebError> {
    let s = session(&ctx)?;
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let (inst, person) = (InstitutionId(i), PersonId(person));
    let app = &state.app;
    let result = match action.as_str() {
        "create" => accounts::create(app, s, inst, person, body.username.as_deref())
            .await
            .map(Some),
        "password" => accounts::issue_password(app, s, inst, person).await.map(|()| None),
        "block" => accounts::set_blocked(app, s, inst, person, Some(body.reason.as_deref().unwrap_or("")))
            .await
            .map(|()| None),
        "unblock" => accounts::set_blocked(app, s, inst, person, None).await.map(|()| None),
        _ => Err(AppError::NotFound),
    };
    let username = result.map_err(ctx.fail_json())?;
    Ok(Json(serde_json::json!({ "done": action, "username": username })).into_response())
}

async fn outbox(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let list = accounts::outbox(&state.app, session(&ctx)?, InstitutionId(i))
        .await
        .map_err(ctx.fail_json())?;
    Ok(Json(list).into_response())
}
