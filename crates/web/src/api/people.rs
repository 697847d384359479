//! People and accounts through the API: records, contacts, the access log, the data download,
//! staff accounts and the SMS outbox — the same use cases as the pages.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
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
        .route("/institutions/{i}/staff", get(staff).post(super::setup::add_staff))
        .route("/institutions/{i}/staff/{person}/{action}", post(account))
        .route("/institutions/{i}/sms", get(outbox))
        .route("/me/contacts/proposed", get(proposed).post(answer_proposed))
}

async fn proposed(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let c = people::proposed_contacts(&state.app, ctx.signed_in()?).await?;
    Ok(Json(c).into_response())
}

#[derive(Deserialize)]
struct AnswerBody {
    accept: bool,
}

async fn answer_proposed(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    people::answer_proposed_contacts(&state.app, ctx.signed_in()?, b.accept).await?;
    Ok(Json(serde_json::json!({ "accepted": b.accept })).into_response())
}

async fn record(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let r = people::record(&state.app, ctx.signed_in()?, PersonId(id)).await?;
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
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let outcome = people::update_contacts(&state.app, ctx.signed_in()?, PersonId(id), &b.phone, &b.email).await?;
    Ok(Json(serde_json::json!({
        "saved": outcome == people::ContactsSaved::Saved,
        "awaits_confirmation": outcome == people::ContactsSaved::AwaitsConfirmation,
    }))
    .into_response())
}

async fn access_log(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let log = people::access_of(&state.app, ctx.signed_in()?, PersonId(id)).await?;
    Ok(Json(log).into_response())
}

async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let data = people::export(&state.app, ctx.signed_in()?, PersonId(id)).await?;
    Ok(Json(data).into_response())
}

async fn staff(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let list = accounts::staff(&state.app, ctx.signed_in()?, InstitutionId(i)).await?;
    Ok(Json(list.lines).into_response())
}

#[derive(Deserialize, Default)]
struct AccountBody {
    username: Option<String>,
    reason: Option<String>,
}

/// `create`, `password`, `block` (with a reason), `unblock` or `second-factor-reset`.
async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((i, person, action)): Path<(i64, i64, String)>,
    body: Option<Json<AccountBody>>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
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
        "second-factor-reset" => klade_app::second_factor::reset(app, s, inst, person)
            .await
            .map(|()| None),
        _ => Err(AppError::NotFound),
    };
    let username = result?;
    Ok(Json(serde_json::json!({ "done": action, "username": username })).into_response())
}

async fn outbox(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let list = accounts::outbox(&state.app, ctx.signed_in()?, InstitutionId(i)).await?;
    Ok(Json(list).into_response())
}

pub fn more_routes() -> Router<AppState> {
    Router::new()
        .route("/classes/{class}/students", post(admit))
        .route("/people/{id}/transfer", post(transfer))
        .route("/people/{id}/exit", post(exit))
        .route(
            "/institutions/{i}/imports",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(klade_docs::budget::MAX_BYTES)),
        )
        .route("/institutions/{i}/imports/{id}", get(import_status))
        .route("/institutions/{i}/imports/{id}/confirm", post(import_confirm))
        .route("/institutions/{i}/rules/ack", post(ack))
        .route("/institutions/{i}/superusers", post(appoint))
        .route("/me/username", post(username))
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    body.map(|Json(b)| b)
        .map_err(|_| WebError::from(AppError::invalid("body", "error.bad_request")))
}

async fn admit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    body: Result<Json<klade_app::enrolment::Admission>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let input = json_body(body)?;
    let id = klade_app::enrolment::admit(&state.app, s, klade_domain::ClassId(class), &input).await?;
    Ok(Json(serde_json::json!({ "person_id": id })).into_response())
}

#[derive(Deserialize)]
struct TransferBody {
    class: i64,
    #[serde(flatten)]
    order: klade_app::enrolment::Order,
}

async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<TransferBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let b = json_body(body)?;
    let r = people::record(&state.app, s, PersonId(id)).await?;
    klade_app::enrolment::transfer(
        &state.app,
        s,
        r.institution,
        PersonId(id),
        klade_domain::ClassId(b.class),
        &b.order,
    )
    .await?;
    Ok(Json(serde_json::json!({ "done": "transfer" })).into_response())
}

#[derive(Deserialize)]
struct ExitBody {
    reason: String,
    #[serde(flatten)]
    order: klade_app::enrolment::Order,
}

async fn exit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<ExitBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let b = json_body(body)?;
    let r = people::record(&state.app, s, PersonId(id)).await?;
    klade_app::enrolment::exit(&state.app, s, r.institution, PersonId(id), &b.order, &b.reason).await?;
    Ok(Json(serde_json::json!({ "done": "exit" })).into_response())
}

#[derive(Deserialize)]
struct KindQuery {
    kind: String,
    filename: Option<String>,
}

/// The file is the request body itself (CSV or XLSX); the answer is the plan, row by row.
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    crate::ctx::Query(q): crate::ctx::Query<KindQuery>,
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let bytes = bytes.map_err(|_| AppError::TooLarge("import.too_large"))?;
    let kind = klade_app::import::Kind::from_code(&q.kind).ok_or_else(|| AppError::invalid("kind", "import.format"))?;
    let inst = InstitutionId(i);
    let name = q.filename.unwrap_or_else(|| "api".into());
    let id = klade_app::import::upload(&state.app, s, inst, kind, &name, &bytes).await?;
    let p = klade_app::import::preview(&state.app, s, inst, id).await?;
    Ok(Json(serde_json::json!({ "id": id, "rows": p.rows })).into_response())
}

async fn import_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((i, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let p = klade_app::import::preview(&state.app, s, InstitutionId(i), id).await?;
    let im = p.import;
    Ok(Json(serde_json::json!({
        "id": im.id, "kind": im.kind, "status": im.status, "total": im.total, "processed": im.processed,
        "created": im.created, "changed": im.changed, "rejected": im.rejected, "error": im.error, "rows": p.rows,
    }))
    .into_response())
}

async fn import_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((i, id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    klade_app::import::confirm(&state.app, s, InstitutionId(i), id).await?;
    Ok((
        axum::http::StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "running" })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct AckBody {
    version: i64,
}

async fn ack(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<AckBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let b = json_body(body)?;
    klade_app::onboarding::acknowledge(&state.app, s, InstitutionId(i), b.version).await?;
    Ok(Json(serde_json::json!({ "acknowledged": b.version })).into_response())
}

#[derive(Deserialize)]
struct AppointBody {
    person: i64,
    order_number: String,
    order_date: String,
}

async fn appoint(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<AppointBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let b = json_body(body)?;
    klade_app::onboarding::appoint_superuser(
        &state.app,
        s,
        InstitutionId(i),
        PersonId(b.person),
        &b.order_number,
        &b.order_date,
    )
    .await?;
    Ok(Json(serde_json::json!({ "appointed": b.person })).into_response())
}

#[derive(Deserialize)]
struct UsernameBody {
    username: String,
}

async fn username(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<UsernameBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let b = json_body(body)?;
    let name = klade_app::onboarding::choose_username(&state.app, s, &b.username).await?;
    Ok(Json(serde_json::json!({ "username": name })).into_response())
}
