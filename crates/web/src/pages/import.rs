//! The VIIS import pages: upload, the row-by-row preview, confirmation and progress.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::Choice;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use klade_app::import::{self, Kind, RowAction};
use klade_app::AppError;
use klade_domain::{Action, InstitutionId};
use serde::Deserialize;

/// Largest upload: a 10 000-row export is about 2 MB as CSV.
/// The file and the form's few fields around it.
const UPLOAD_LIMIT: usize = klade_docs::budget::MAX_BYTES + 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/import",
            get(form).post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/admin/import/{id}", get(preview))
        .route("/admin/import/{id}/confirm", post(confirm))
}

#[derive(Deserialize, Default)]
struct InstQuery {
    i: Option<i64>,
}

fn institution(ctx: &Ctx, q: &InstQuery) -> Result<InstitutionId, WebError> {
    super::people::institution_for(
        ctx,
        q.i,
        &[Action::ImportFromViis, Action::EnterStaff, Action::EnterTimetable],
    )
}

#[derive(Template)]
#[template(path = "import.html")]
struct FormPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    error: Option<String>,
    /// (code, label, selected) of what the reader may import.
    kinds: Vec<Choice<&'static str>>,
}

async fn form(ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let inst = institution(&ctx, &q)?;
    form_page(&ctx, inst, None, StatusCode::OK, None)
}

/// The upload form; after a refusal the kind chosen stays chosen (a file cannot be kept).
fn form_page(
    ctx: &Ctx,
    inst: InstitutionId,
    error: Option<&AppError>,
    status: StatusCode,
    chosen: Option<Kind>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let kinds: Vec<Choice<&'static str>> = Kind::allowed(session, inst)
        .into_iter()
        .map(|k| Choice {
            value: k.code(),
            label: t.dynamic("import", &format!("kind_{}", k.code())),
            chosen: k == chosen.unwrap_or(Kind::Students),
        })
        .collect();
    let page = FormPage {
        kinds,
        page: Chrome::for_ctx(ctx, t.get("import.title"), "/admin/import", None),
        t,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        error: error.map(|e| match e {
            AppError::Invalid {
                field,
                code: "import.missing_column",
            } => {
                format!(
                    "{} {}",
                    t.get("import.missing_column"),
                    t.dynamic("import", &format!("col_{field}"))
                )
            }
            e => t.get(e.code()).to_string(),
        }),
    };
    Ok((status, render(&page)?).into_response())
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution(&ctx, &q)?;
    let mut kind = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("kind") => kind = field.text().await.ok().and_then(|k| Kind::from_code(&k)),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(_) => {
                        let e = AppError::invalid("file", "import.too_big");
                        return form_page(&ctx, inst, Some(&e), StatusCode::PAYLOAD_TOO_LARGE, kind);
                    }
                }
            }
            _ => {}
        }
    }
    let (Some(kind), Some((name, bytes))) = (kind, file) else {
        return form_page(
            &ctx,
            inst,
            Some(&AppError::invalid("file", "import.empty")),
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
        );
    };
    match import::upload(&state.app, session, inst, kind, &name, &bytes).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/import/{id}?i={}", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::TooLarge(_))) => {
            form_page(&ctx, inst, Some(&e), crate::error::status_of(&e), Some(kind))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    page: Chrome,
    t: Tr,
    id: i64,
    inst: i64,
    csrf: String,
    filename: String,
    status: String,
    running: bool,
    failed: bool,
    preview: bool,
    /// A timetable with refused rows: it is taken whole, so it cannot be confirmed.
    blocked: bool,
    summary: Vec<Figure>,
    rows: Vec<RowView>,
}

/// A count of the import's rows, by what happens or happened to them.
struct Figure {
    label: String,
    count: i64,
}

/// A row of the file and what importing it will do.
struct RowView {
    line: usize,
    label: String,
    action: String,
    refused: bool,
}

async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution(&ctx, &q)?;
    let t = Tr::new(ctx.lang);
    let p = import::preview(&state.app, session, inst, id).await?;
    let im = &p.import;
    let count = |f: fn(&RowAction) -> bool| p.rows.iter().filter(|r| f(&r.action)).count() as i64;
    let figure = |key: &str, count: i64| Figure {
        label: t.get(key).to_string(),
        count,
    };
    let summary = if im.status == "preview" {
        vec![
            figure("import.will_create", count(|a| matches!(a, RowAction::Create))),
            figure("import.will_change", count(|a| matches!(a, RowAction::Change { .. }))),
            figure("import.same", count(|a| matches!(a, RowAction::Same))),
            figure("import.will_reject", count(RowAction::refused)),
        ]
    } else {
        vec![
            figure("import.processed", im.processed),
            figure("import.created", im.created),
            figure("import.changed", im.changed),
            figure("import.rejected", im.rejected),
        ]
    };
    let status = match im.status.as_str() {
        "preview" => t.get("import.status_preview").to_string(),
        "running" => format!("{} {} / {}", t.get("import.status_running"), im.processed, im.total),
        "done" => t.get("import.status_done").to_string(),
        _ => format!(
            "{} {}",
            t.get("import.status_failed"),
            im.error.clone().unwrap_or_default()
        ),
    };
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let action = match &r.action {
                RowAction::Create => t.get("import.create").to_string(),
                RowAction::Change { fields } => format!(
                    "{}: {}",
                    t.get("import.change"),
                    fields
                        .iter()
                        .map(|f| t.dynamic("import", &format!("col_{f}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                RowAction::Same => t.get("import.same_row").to_string(),
                RowAction::Reject { field, code } => format!(
                    "{} — {}: {}",
                    t.get("import.reject"),
                    t.dynamic("import", &format!("col_{field}")),
                    t.get(code)
                ),
                RowAction::Clash { code, with, line } => format!(
                    "{} — {} {with}{}",
                    t.get("import.reject"),
                    t.get(code),
                    line.map(|l| format!(" ({} {l})", t.get("import.line")))
                        .unwrap_or_default()
                ),
            };
            RowView {
                line: r.line,
                label: r.label.clone(),
                action,
                refused: r.action.refused(),
            }
        })
        .collect();
    let page = PreviewPage {
        page: Chrome::for_ctx(&ctx, t.get("import.title"), "/admin/import", None),
        t,
        id,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        filename: im.filename.clone(),
        running: im.status == "running",
        failed: im.status == "failed",
        preview: im.status == "preview",
        blocked: im.kind == Kind::Timetable.code() && p.rows.iter().any(|r| r.action.refused()),
        status,
        summary,
        rows,
    };
    Ok(render(&page)?.into_response())
}

async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution(&ctx, &q)?;
    match import::confirm(&state.app, session, inst, id).await {
        Ok(()) | Err(AppError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/admin/import/{id}?i={}", inst.0)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
