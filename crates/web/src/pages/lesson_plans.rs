//! A course's thematic plan: the topics one a line, imported from a file or copied from another
//! course; the lesson form takes its proposal from here (`journal.rs`).

use crate::ctx::{Ctx, Path, Query};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::lesson_plans;
use klade_app::AppError;
use klade_domain::CourseId;
use serde::Deserialize;

/// A plan's file: a few hundred lines; the docs budget bounds what is read.
const UPLOAD_LIMIT: usize = klade_docs::budget::MAX_BYTES + 64 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/journal/{course}/plan", get(show).post(save))
        .route(
            "/journal/{course}/plan/import",
            post(import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/journal/{course}/plan/copy", post(copy))
}

#[derive(Template)]
#[template(path = "lesson_plan.html")]
struct PlanPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    course_id: i64,
    title: String,
    flash: Option<String>,
    error: Option<String>,
    text: String,
    count: usize,
    used: usize,
    next: Option<String>,
    sources: Vec<lesson_plans::Source>,
    may_edit: bool,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    saved: Option<usize>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    page(&state, &ctx, course, q.saved, None, None).await
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    course: i64,
    saved: Option<usize>,
    error: Option<&AppError>,
    typed: Option<String>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let plan = lesson_plans::plan(&state.app, session, CourseId(course)).await?;
    let (c, _) =
        klade_app::journal::open(&state.app, session, CourseId(course), klade_domain::Action::ViewJournal).await?;
    let title = format!(
        "{} — {} {}",
        t.get("lesson_plan.title"),
        c.class_name.unwrap_or_default(),
        c.name
    );
    let view = PlanPage {
        page: Chrome::for_ctx(ctx, &title, &format!("/journal/{course}"), None),
        t,
        csrf: &session.csrf_token,
        course_id: course,
        title,
        flash: saved.map(|n| t.fill("lesson_plan.saved", &[("n", &n.to_string())])),
        error: error.map(|e| t.get(e.code()).to_string()),
        text: typed.unwrap_or_else(|| plan.topics.join("\n")),
        count: plan.topics.len(),
        used: plan.used,
        next: plan.next,
        sources: plan.sources,
        may_edit: plan.may_edit,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

#[derive(Deserialize)]
struct SaveForm {
    #[serde(default)]
    topics: String,
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Form(f): Form<SaveForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match lesson_plans::save(&state.app, session, CourseId(course), &f.topics).await {
        Ok(n) => Ok(Redirect::to(&format!("/journal/{course}/plan?saved={n}")).into_response()),
        Err(e @ AppError::Invalid { .. }) => page(&state, &ctx, course, None, Some(&e), Some(f.topics)).await,
        Err(e) => Err(e.into()),
    }
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            file = field.bytes().await.ok().map(|b| b.to_vec());
        }
    }
    let result = match file {
        Some(bytes) => lesson_plans::import(&state.app, session, CourseId(course), &bytes).await,
        None => Err(AppError::invalid("file", "lesson_plan.empty_file")),
    };
    match result {
        Ok(n) => Ok(Redirect::to(&format!("/journal/{course}/plan?saved={n}")).into_response()),
        Err(e @ AppError::Invalid { .. }) => page(&state, &ctx, course, None, Some(&e), None).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CopyForm {
    from: i64,
}

async fn copy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Form(f): Form<CopyForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match lesson_plans::copy(&state.app, session, CourseId(course), CourseId(f.from)).await {
        Ok(n) => Ok(Redirect::to(&format!("/journal/{course}/plan?saved={n}")).into_response()),
        Err(e @ AppError::Invalid { .. }) => page(&state, &ctx, course, None, Some(&e), None).await,
        Err(e) => Err(e.into()),
    }
}
