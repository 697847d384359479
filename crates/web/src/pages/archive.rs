//! The superuser's button for the year-end archive (R28, J37): the signed archive of a school
//! year as one zip file to keep. The same archive comes from `klade archive create`.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use klade_app::{archive, AppError};
use klade_domain::InstitutionId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/archive", post(download))
}

#[derive(Deserialize)]
struct ArchiveForm {
    i: i64,
    #[serde(default)]
    year: String,
}

async fn download(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ArchiveForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let made = archive::create_for(&state.app, session, InstitutionId(f.i), &f.year).await?;
    let zip = klade_docs::zip_files(made.files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
        .map_err(AppError::Internal)?;
    let mut response = zip.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"klade-arhivs-{}.zip\"", f.i)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
