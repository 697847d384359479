//! Setting an institution up through the API: its school years with terms and holidays — the
//! same use cases as the pages.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use klade_app::setup::{self, ClassInput, StaffInput, YearInput};
use klade_app::AppError;
use klade_domain::InstitutionId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/institutions/{i}/years", get(years).post(create_year))
        .route("/institutions/{i}/classes", get(structure).post(add_class))
        .route("/institutions/{i}/subjects", axum::routing::post(add_subject))
        .route("/classes/{class}/tutors", axum::routing::post(set_tutor))
        .route("/students/{id}/parents", axum::routing::post(add_parent))
        .route("/classes/{class}/families", get(families))
        .route("/people/{id}/invitations", axum::routing::post(invite))
        .route("/auth/join", axum::routing::post(join))
        .route("/classes/{class}/plan", get(study_plan).put(set_study_plan))
        .route("/classes/{class}/plan/copy", axum::routing::post(copy_study_plan))
        .route("/institutions/{i}/next-year", get(next_year).post(prepare_next_year))
        .route("/institutions/{i}/settings", get(settings).put(save_settings))
        .route(
            "/institutions/{i}/logo",
            axum::routing::put(put_logo)
                .delete(delete_logo)
                .layer(axum::extract::DefaultBodyLimit::max(
                    klade_app::preschool::MAX_PHOTO_BYTES,
                )),
        )
}

async fn years(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let y = setup::years(&state.app, ctx.signed_in()?, InstitutionId(i)).await?;
    Ok(Json(y).into_response())
}

async fn create_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<YearInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(input) = body.map_err(|e| crate::error::json_refusal(&e))?;
    setup::create_year(&state.app, s, InstitutionId(i), &input).await?;
    Ok(Json(serde_json::json!({ "created": input.name.trim() })).into_response())
}

/// `POST /institutions/{i}/staff` (its GET lists the staff with their accounts).
pub(super) async fn add_staff(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<StaffInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(input) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let id = setup::add_staff(&state.app, s, InstitutionId(i), &input).await?;
    Ok(Json(serde_json::json!({ "person": id })).into_response())
}

async fn structure(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let s = setup::structure(&state.app, ctx.signed_in()?, InstitutionId(i)).await?;
    Ok(Json(s).into_response())
}

async fn add_class(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<ClassInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(input) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let id = setup::add_class(&state.app, s, InstitutionId(i), &input).await?;
    Ok(Json(serde_json::json!({ "class": id })).into_response())
}

#[derive(serde::Deserialize)]
struct SubjectBody {
    name: String,
    #[serde(default)]
    module: bool,
    #[serde(default)]
    code: String,
}

async fn add_subject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<SubjectBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    setup::add_subject(&state.app, s, InstitutionId(i), &b.name, b.module, &b.code).await?;
    Ok(Json(serde_json::json!({ "added": b.name.trim() })).into_response())
}

#[derive(serde::Deserialize)]
struct TutorBody {
    person: i64,
    #[serde(default)]
    remove: bool,
}

async fn set_tutor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    body: Result<Json<TutorBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    setup::set_tutor(
        &state.app,
        s,
        klade_domain::ClassId(class),
        klade_domain::PersonId(b.person),
        b.remove,
    )
    .await?;
    Ok(Json(serde_json::json!({ "tutor": b.person, "removed": b.remove })).into_response())
}

async fn add_parent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<klade_app::people::ParentInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(input) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let parent = klade_app::people::add_parent(&state.app, s, klade_domain::PersonId(id), &input).await?;
    Ok(Json(serde_json::json!({ "parent": parent })).into_response())
}

async fn families(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    let f = klade_app::invitations::families(&state.app, ctx.signed_in()?, klade_domain::ClassId(class)).await?;
    Ok(Json(f).into_response())
}

#[derive(serde::Deserialize)]
struct InviteBody {
    channel: klade_app::invitations::Channel,
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<InviteBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    klade_app::invitations::invite(&state.app, s, klade_domain::PersonId(id), b.channel).await?;
    Ok(Json(serde_json::json!({ "sent": b.channel })).into_response())
}

/// A code becomes an account and an API token (no session needed).
async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<klade_app::invitations::JoinInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(input) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let done = klade_app::invitations::join(
        &state.app,
        &input,
        klade_app::auth::SessionKind::Api,
        &ctx.address,
        &ctx.user_agent,
    )
    .await?;
    Ok(Json(serde_json::json!({ "token": done.token, "must_change_password": false })).into_response())
}

async fn study_plan(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    let p = setup::study_plan(&state.app, ctx.signed_in()?, klade_domain::ClassId(class)).await?;
    Ok(Json(p).into_response())
}

#[derive(serde::Deserialize)]
struct PlanBody {
    lines: Vec<setup::PlanLineInput>,
}

async fn set_study_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    body: Result<Json<PlanBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let class = klade_domain::ClassId(class);
    setup::set_study_plan(&state.app, s, class, &b.lines).await?;
    let p = setup::study_plan(&state.app, s, class).await?;
    Ok(Json(p).into_response())
}

async fn copy_study_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
) -> Result<Response, WebError> {
    let copied = setup::copy_study_plan(&state.app, ctx.signed_in()?, klade_domain::ClassId(class)).await?;
    Ok(Json(serde_json::json!({ "copied": copied })).into_response())
}

#[derive(serde::Deserialize, Default)]
struct TopQuery {
    top: Option<i64>,
}

async fn next_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    crate::ctx::Query(q): crate::ctx::Query<TopQuery>,
) -> Result<Response, WebError> {
    let plan = setup::next_year(&state.app, ctx.signed_in()?, InstitutionId(i), q.top).await?;
    Ok(Json(plan).into_response())
}

#[derive(serde::Deserialize)]
struct NextYearBody {
    top: Option<i64>,
    order_number: String,
    order_date: String,
}

async fn prepare_next_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<NextYearBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let (moved, finished) =
        setup::prepare_next_year(&state.app, s, InstitutionId(i), b.top, &b.order_number, &b.order_date).await?;
    Ok(Json(serde_json::json!({ "moved": moved, "finished": finished })).into_response())
}

async fn settings(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    let inst = setup::institution(&state.app, ctx.signed_in()?, InstitutionId(i)).await?;
    Ok(Json(serde_json::json!({
        "id": inst.id.0, "kind": inst.kind.code(), "name": inst.name, "reg_no": inst.reg_no,
        "address": inst.address, "has_logo": inst.logo_file.is_some(),
    }))
    .into_response())
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    body: Result<Json<setup::InstitutionInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    setup::set_institution(&state.app, s, InstitutionId(i), &b).await?;
    settings(State(state), ctx, Path(i)).await
}

/// The body is the image itself.
async fn put_logo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    bytes: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, WebError> {
    let s = ctx.signed_in()?;
    let bytes = bytes.map_err(|_| AppError::invalid("logo", "preschool.photo_too_large"))?;
    setup::set_logo(&state.app, s, InstitutionId(i), Some(bytes.to_vec())).await?;
    Ok(Json(serde_json::json!({ "has_logo": true })).into_response())
}

async fn delete_logo(State(state): State<AppState>, ctx: Ctx, Path(i): Path<i64>) -> Result<Response, WebError> {
    setup::set_logo(&state.app, ctx.signed_in()?, InstitutionId(i), None).await?;
    Ok(Json(serde_json::json!({ "has_logo": false })).into_response())
}
