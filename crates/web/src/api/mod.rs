//! The JSON API, `/api/v1`: the same use cases as the pages, for apps. Authentication is a bearer
//! token from `POST /api/v1/auth/login`. The contract is `openapi.json` beside this file; a test
//! keeps it and the routes in step.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::session;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::auth::{self, LoginInput, SessionKind};
use klade_app::{home, AppError};
use serde::{Deserialize, Serialize};

mod consents;
mod deadlines;
mod journal;
mod journal_checks;
mod meals;
mod meetings;
mod messages;
mod people;
mod preschool_plans;
mod setup;
mod statistics;

pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/auth/second-factor", post(login_second_factor))
        .route("/me/second-factor", get(second_factor_status))
        .route("/me/second-factor/setup", post(second_factor_setup))
        .route("/me/second-factor/confirm", post(second_factor_confirm))
        .route("/me/second-factor/off", post(second_factor_off))
        .route("/me/sharing", get(sharing).post(choose_sharing))
        .route("/me/calendar-feeds", get(calendar_feeds).post(create_calendar_feed))
        .route("/me/calendar-feeds/{id}/revoke", post(revoke_calendar_feed))
        .route("/me/tokens", get(family_tokens).post(create_family_token))
        .route("/me/tokens/{id}/revoke", post(revoke_family_token))
        .route("/me/push-subscriptions", get(push_subscriptions).post(subscribe_push))
        .route("/me/push-subscriptions/{id}/remove", post(remove_push_subscription))
        .route("/openapi.json", get(openapi))
        .merge(journal::routes())
        .merge(journal::family_routes())
        .merge(people::routes())
        .merge(people::more_routes())
        .merge(messages::routes())
        .merge(meetings::routes())
        .merge(meals::routes())
        .merge(consents::routes())
        .merge(journal_checks::routes())
        .merge(preschool_plans::routes())
        .merge(deadlines::routes())
        .merge(statistics::routes())
        .merge(setup::routes())
        .layer(axum::middleware::from_fn_with_state(state, session::api))
}

#[derive(Deserialize)]
struct PasswordBody {
    current: String,
    new: String,
    repeat: Option<String>,
}

/// One's own password; the API's other sessions and the web's end, this one stays.
async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<PasswordBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.session.as_ref().ok_or_else(|| AppError::Unauthenticated)?;
    let Ok(Json(b)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    let repeat = b.repeat.as_deref().unwrap_or(&b.new);
    klade_app::auth::change_password(&state.app, session, &b.current, &b.new, repeat).await?;
    Ok(Json(serde_json::json!({ "changed": true })).into_response())
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct TokenBody {
    token: String,
    must_change_password: bool,
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(body)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    let done = auth::login(
        &state.app,
        LoginInput {
            username: &body.username,
            password: &body.password,
            address: &ctx.address,
            user_agent: &ctx.user_agent,
            kind: SessionKind::Api,
        },
    )
    .await?;
    match done {
        auth::Login::Done(done) => Ok(Json(TokenBody {
            token: done.token,
            must_change_password: done.must_change_password,
        })
        .into_response()),
        auth::Login::SecondFactor { challenge } => Ok(Json(serde_json::json!({
            "second_factor_required": true,
            "challenge": challenge,
        }))
        .into_response()),
    }
}

#[derive(Deserialize)]
struct SecondFactorBody {
    challenge: String,
    code: String,
    #[serde(default)]
    recovery: bool,
}

/// The second step of a login: the challenge and a code from the app (or a recovery code).
async fn login_second_factor(
    State(state): State<AppState>,
    body: Result<Json<SecondFactorBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let done = klade_app::second_factor::answer(&state.app, &b.challenge, &b.code, b.recovery).await?;
    Ok(Json(TokenBody {
        token: done.token,
        must_change_password: done.must_change_password,
    })
    .into_response())
}

async fn second_factor_status(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let status = klade_app::second_factor::status(&state.app, ctx.signed_in()?).await?;
    Ok(Json(status).into_response())
}

async fn second_factor_setup(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let setup = klade_app::second_factor::start(&state.app, ctx.signed_in()?).await?;
    Ok(Json(setup).into_response())
}

#[derive(Deserialize)]
struct CodeBody {
    code: String,
}

async fn second_factor_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<CodeBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let codes = klade_app::second_factor::confirm(&state.app, ctx.signed_in()?, &b.code).await?;
    Ok(Json(serde_json::json!({ "recovery_codes": codes })).into_response())
}

async fn second_factor_off(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<CodeBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    klade_app::second_factor::turn_off(&state.app, ctx.signed_in()?, &b.code).await?;
    Ok(Json(serde_json::json!({ "enabled": false })).into_response())
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.session.as_ref().ok_or_else(|| AppError::Unauthenticated)?;
    auth::logout(&state.app, session).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
struct Me {
    person: PersonBody,
    username: String,
    must_change_password: bool,
    /// Messages not read yet.
    unread: i64,
    memberships: Vec<MembershipBody>,
    children: Vec<ChildBody>,
}

#[derive(Serialize)]
struct PersonBody {
    id: i64,
    given_name: String,
    family_name: String,
}

#[derive(Serialize)]
struct MembershipBody {
    institution_id: i64,
    institution_name: String,
    institution_kind: &'static str,
    role: &'static str,
    class_id: Option<i64>,
}

#[derive(Serialize)]
struct ChildBody {
    id: i64,
    given_name: String,
    family_name: String,
    institution_id: i64,
    class_id: i64,
    class_name: String,
}

async fn me(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.session.as_ref().ok_or_else(|| AppError::Unauthenticated)?;
    let home = home::load(&state.app, session).await?;
    let mut memberships = Vec::new();
    for g in &session.actor.grants {
        if let Some(i) = home.institutions.iter().find(|i| i.institution.id == g.institution) {
            memberships.push(MembershipBody {
                institution_id: g.institution.0,
                institution_name: i.institution.name.clone(),
                institution_kind: i.institution.kind.code(),
                role: g.role.code(),
                class_id: g.class.map(|c| c.0),
            });
        }
    }
    let children = home
        .institutions
        .iter()
        .flat_map(|i| i.children.iter())
        .map(|c| ChildBody {
            id: c.student_id.0,
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            institution_id: c.institution_id.0,
            class_id: c.class_id.0,
            class_name: c.class_name.clone(),
        })
        .collect();
    Ok(Json(Me {
        person: PersonBody {
            id: home.person.id.0,
            given_name: home.person.given_name,
            family_name: home.person.family_name,
        },
        username: home.username,
        must_change_password: session.must_change_password,
        unread: session.unread,
        memberships,
        children,
    })
    .into_response())
}

/// A student's parents and whether each sees the diary, with the choices made as an adult student
/// (or, for a parent, about them).
async fn sharing(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let sharing = klade_app::sharing::of_session(&state.app, session).await?;
    let choices = klade_app::sharing::choices(&state.app, session).await?;
    Ok(Json(serde_json::json!({ "sharing": sharing, "choices": choices })).into_response())
}

#[derive(Deserialize)]
struct SharingBody {
    parent: i64,
    shared: bool,
}

/// An adult student shows a parent their diary and grades again, or stops.
async fn choose_sharing(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<SharingBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let session = ctx.signed_in()?;
    klade_app::sharing::choose(&state.app, session, klade_domain::PersonId(b.parent), b.shared).await?;
    sharing(State(state), ctx).await
}

/// One's calendar feeds not revoked (their addresses are not kept, so not shown).
async fn calendar_feeds(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let feeds = klade_app::calendar_feeds::list(&state.app, ctx.signed_in()?).await?;
    Ok(Json(serde_json::json!({ "feeds": feeds })).into_response())
}

#[derive(Deserialize)]
struct FeedBody {
    student: i64,
}

/// Makes a calendar feed of oneself or one's child; its address is in this answer only.
async fn create_calendar_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: Result<Json<FeedBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let session = ctx.signed_in()?;
    let (id, token) = klade_app::calendar_feeds::create(&state.app, session, klade_domain::PersonId(b.student)).await?;
    let url = crate::pages::feed_url(&state, &headers, &token);
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id, "url": url }))).into_response())
}

async fn revoke_calendar_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    klade_app::calendar_feeds::revoke(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "revoked": true })).into_response())
}

/// One's family tokens not revoked (their secrets are not kept, so not shown).
async fn family_tokens(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let tokens = klade_app::family_tokens::list(&state.app, ctx.signed_in()?).await?;
    Ok(Json(serde_json::json!({ "tokens": tokens })).into_response())
}

#[derive(Deserialize)]
struct FamilyTokenBody {
    name: String,
}

/// Makes a read-only family token; its secret is in this answer only.
async fn create_family_token(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<FamilyTokenBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let (id, token) = klade_app::family_tokens::create(&state.app, ctx.signed_in()?, &b.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": id, "token": token })),
    )
        .into_response())
}

async fn revoke_family_token(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    klade_app::family_tokens::revoke(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "revoked": true })).into_response())
}

/// One's subscribed browsers, and the key to subscribe another with.
async fn push_subscriptions(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let list = klade_app::push::list(&state.app, ctx.signed_in()?).await?;
    let key = klade_app::push::public_key(&state.app).await?;
    Ok(Json(serde_json::json!({ "application_server_key": key, "subscriptions": list })).into_response())
}

#[derive(Deserialize)]
struct PushKeys {
    p256dh: String,
    auth: String,
}

/// A browser's `PushSubscription.toJSON()`.
#[derive(Deserialize)]
struct PushBody {
    endpoint: String,
    keys: PushKeys,
}

async fn subscribe_push(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<PushBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    klade_app::push::subscribe(&state.app, ctx.signed_in()?, &b.endpoint, &b.keys.p256dh, &b.keys.auth).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "subscribed": true }))).into_response())
}

async fn remove_push_subscription(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    klade_app::push::remove(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(serde_json::json!({ "removed": true })).into_response())
}
