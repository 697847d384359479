//! Family API tokens: the page where a parent or an adult student makes a named, read-only token
//! for an app of their own, sees when each was last used, and revokes it.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome, Typed};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::family_tokens;
use klade_app::AppError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(tokens_page).post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "family_tokens.html")]
struct TokensPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    /// The token just made, shown this once.
    made: Option<String>,
    per_minute: i64,
    /// The ones kept, listed by `kept_secrets.html` with the keys and address below.
    kept: Vec<super::Kept>,
    kept_head: &'static str,
    kept_title: &'static str,
    kept_empty: &'static str,
    revoke_base: &'static str,
    /// The refused name, as typed.
    typed: Typed,
}

#[derive(Deserialize, Default)]
struct TokensQuery {
    done: Option<String>,
}

async fn tokens_page(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Query(q): crate::ctx::Query<TokensQuery>,
) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("revoked")).then_some("tokens.revoked");
    page(&state, &ctx, flash, None, None, Typed::default()).await
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    made: Option<String>,
    error: Option<&AppError>,
    typed: Typed,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let kept = family_tokens::list(&state.app, session)
        .await?
        .into_iter()
        .map(|k| super::Kept::new(k.id, k.name, k.created_at, k.last_used_at))
        .collect();
    let view = TokensPage {
        page: Chrome::for_ctx(ctx, t.get("tokens.title"), "/account/tokens", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        made,
        per_minute: family_tokens::PER_MINUTE,
        kept,
        kept_head: "tokens.name",
        kept_title: "tokens.list",
        kept_empty: "tokens.empty",
        revoke_base: "/account/tokens",
        typed,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

#[derive(Deserialize)]
struct CreateForm {
    name: String,
}

async fn create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<CreateForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match family_tokens::create(&state.app, session, &form.name).await {
        Ok((_, token)) => page(&state, &ctx, Some("tokens.made"), Some(token), None, Typed::default()).await,
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("token", &[("name".into(), form.name.clone())], Some(&e));
            page(&state, &ctx, None, None, Some(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    family_tokens::revoke(&state.app, session, id).await?;
    Ok(Redirect::to("/account/tokens?done=revoked").into_response())
}
