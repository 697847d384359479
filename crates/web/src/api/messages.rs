//! Mail and news through the API: the same use cases as the pages. Attachments travel as
//! base64 in the JSON body.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine;
use klade_app::messages::{self, Draft, Folder, To, Upload};
use klade_app::{news, AppError};
use klade_domain::{ClassId, InstitutionId};
use serde::Deserialize;

/// Base64 makes a body a third larger than its files.
const BODY_LIMIT: usize = messages::MAX_ATTACHMENTS_TOTAL * 4 / 3 + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/messages",
            get(list).post(send).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/messages/recipients", get(recipients))
        .route("/messages/{thread}", get(thread))
        .route(
            "/messages/{message}/reply",
            post(reply).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/messages/attachments/{id}", get(attachment))
        .route("/news", get(boards).post(publish))
        .route("/news/{id}", delete(remove))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    folder: Option<Folder>,
    q: Option<String>,
    page: Option<i64>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let listing = messages::list(
        &state.app,
        ctx.signed_in()?,
        q.folder.unwrap_or(Folder::Inbox),
        q.q.as_deref().unwrap_or(""),
        q.page.unwrap_or(1),
    )
    .await?;
    Ok(Json(listing).into_response())
}

#[derive(Deserialize)]
struct FileBody {
    name: String,
    /// The file's bytes, base64.
    data: String,
}

fn uploads(files: Vec<FileBody>) -> Result<Vec<Upload>, AppError> {
    files
        .into_iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.data.as_bytes())
                .map_err(|_| AppError::invalid("attachments", "error.bad_request"))?;
            Ok(Upload { name: f.name, bytes })
        })
        .collect()
}

#[derive(Deserialize)]
struct SendBody {
    institution: i64,
    /// `person:12`, `class_parents:3`, `class_students:3`, `class_teachers:3`,
    /// `course_students:5`, `course_parents:5`, `staff`.
    to: Vec<String>,
    subject: String,
    body: String,
    #[serde(default)]
    attachments: Vec<FileBody>,
}

async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<SendBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    let to =
        b.to.iter()
            .map(|c| To::parse(c))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| AppError::invalid("to", "message.no_recipients"))?;
    let draft = Draft {
        institution: InstitutionId(b.institution),
        to,
        subject: b.subject,
        body: b.body,
        attachments: uploads(b.attachments)?,
    };
    let thread = messages::send(&state.app, ctx.signed_in()?, draft).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "thread": thread })),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct RecipientsQuery {
    institution: Option<i64>,
    q: Option<String>,
}

async fn recipients(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RecipientsQuery>,
) -> Result<Response, WebError> {
    let choices = messages::choices(
        &state.app,
        ctx.signed_in()?,
        q.institution.map(InstitutionId),
        q.q.as_deref().unwrap_or(""),
        &[],
    )
    .await?;
    Ok(Json(choices).into_response())
}

async fn thread(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let t = messages::thread(&state.app, ctx.signed_in()?, id).await?;
    Ok(Json(t).into_response())
}

#[derive(Deserialize)]
struct ReplyBody {
    body: String,
    #[serde(default)]
    attachments: Vec<FileBody>,
}

async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(message): Path<i64>,
    body: Result<Json<ReplyBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    let files = uploads(b.attachments)?;
    let thread = messages::reply(&state.app, ctx.signed_in()?, message, &b.body, files).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "thread": thread })),
    )
        .into_response())
}

async fn attachment(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (name, content_type, bytes) = messages::attachment(&state.app, ctx.signed_in()?, id).await?;
    Ok(crate::download::file_response(&name, &content_type, bytes))
}

async fn boards(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let b = news::boards(&state.app, ctx.signed_in()?).await?;
    Ok(Json(b).into_response())
}

#[derive(Deserialize)]
struct NewsBody {
    institution: i64,
    category: String,
    audience: String,
    class: Option<i64>,
    title: String,
    body: String,
    #[serde(default)]
    visible_from: String,
    visible_to: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<NewsBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Ok(Json(b)) = body else {
        return Err(AppError::invalid("body", "error.bad_request").into());
    };
    let item = news::NewItem {
        institution: InstitutionId(b.institution),
        category: b.category,
        audience: b.audience,
        class: b.class.map(ClassId),
        title: b.title,
        body: b.body,
        visible_from: b.visible_from,
        visible_to: b.visible_to,
    };
    let id = news::publish(&state.app, ctx.signed_in()?, item).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

#[derive(Deserialize)]
struct InstitutionQuery {
    institution: i64,
}

async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<InstitutionQuery>,
) -> Result<Response, WebError> {
    news::remove(&state.app, ctx.signed_in()?, InstitutionId(q.institution), id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
