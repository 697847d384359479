//! Statistics, the monthly absence summary and the final grades for VIIS through the API: the same
//! use cases as the pages.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use klade_app::statistics;
use klade_domain::InstitutionId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/institutions/{i}/statistics", get(stats))
        .route("/institutions/{i}/absence-summary", get(summary))
        .route("/institutions/{i}/absence-summary/{month}/publish", post(publish))
        .route("/classes/{class}/viis", get(viis))
}

/// A class's year and final grades, a row per student and subject, as the clerk enters them in VIIS.
async fn viis(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let export = klade_app::viis_export::final_grades(&state.app, session, klade_domain::ClassId(class)).await?;
    Ok(Json(serde_json::json!({ "class_name": export.class_name, "rows": export.rows })).into_response())
}

#[derive(Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let s = statistics::statistics(
        &state.app,
        session,
        Some(InstitutionId(i)),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    Ok(Json(s).into_response())
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(i): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let s = statistics::monthly_summary(&state.app, session, Some(InstitutionId(i)), q.month.as_deref()).await?;
    Ok(Json(s).into_response())
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((i, month)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let p = statistics::publish_summary(&state.app, session, Some(InstitutionId(i)), &month).await?;
    Ok(Json(p).into_response())
}
