//! Signing in and out, and the language switch.

use crate::ctx::{Ctx, Path, Query};
use crate::error::WebError;
use crate::i18n::{Lang, Tr};
use crate::layout::{render, Chrome};
use crate::session::{self, set_cookie, CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::auth::{self, LoginInput, SessionKind};
use klade_app::AppError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    username: &'a str,
    message: Option<&'a str>,
}

async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if ctx.session.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    login_page(&state, &ctx, "", None, StatusCode::OK).await
}

/// The login form, with a pre-session CSRF token (set as a cookie when the browser has none).
async fn login_page(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    error: Option<&AppError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = Tr::new(ctx.lang);
    let (token, fresh) = match &ctx.pre_csrf {
        Some(c) if !c.is_empty() => (c.clone(), false),
        _ => (auth::random_hex(32)?, true),
    };
    let mut chrome = Chrome::for_ctx(ctx, t.get("login.title"), "/login", None);
    chrome.brand = klade_app::home::install_brand(&state.app)
        .await?
        .map(std::sync::Arc::new);
    let page = LoginPage {
        page: chrome,
        t,
        csrf: &token,
        username,
        message: error.map(|e| t.get(e.code())),
    };
    let mut response = (status, render(&page)?).into_response();
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.web.secure_cookies),
        );
    }
    if let Some(AppError::Throttled { retry_after_secs }) = error {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, WebError> {
    let result = auth::login(
        &state.app,
        LoginInput {
            username: &form.username,
            password: &form.password,
            address: &ctx.address,
            user_agent: &ctx.user_agent,
            kind: SessionKind::Web,
        },
    )
    .await;
    match result {
        Ok(auth::Login::SecondFactor { challenge }) => {
            let mut response = Redirect::to("/login/second-factor").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    session::CHALLENGE_COOKIE,
                    &challenge,
                    Some(300),
                    state.web.secure_cookies,
                ),
            );
            Ok(response)
        }
        Ok(auth::Login::Done(done)) => {
            // A session the browser already had (another account) ends: one browser, one session.
            if let Some(old) = &ctx.session {
                auth::logout(&state.app, old).await?;
            }
            let to = if done.must_change_password {
                "/account"
            } else {
                ctx.next.as_deref().unwrap_or("/")
            };
            let mut response = Redirect::to(to).into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &done.token, None, state.web.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(session::NEXT_COOKIE, "", Some(0), state.web.secure_cookies),
            );
            Ok(response)
        }
        Err(
            e @ (AppError::InvalidCredentials
            | AppError::Throttled { .. }
            | AppError::AccountBlocked
            | AppError::NoActiveRights),
        ) => login_page(&state, &ctx, &form.username, Some(&e), crate::error::status_of(&e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        auth::logout(&state.app, s).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.web.secure_cookies),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct LangQuery {
    next: Option<String>,
}

async fn switch_language(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, WebError> {
    let lang = Lang::from_code(&code).unwrap_or_default();
    // Signed in, the choice is the person's: it follows them to every device.
    if let Some(session) = &ctx.session {
        auth::choose_language(&state.app, session, lang.code()).await?;
    }
    // Only paths on this site: never an open redirect.
    let next = q
        .next
        .as_deref()
        .and_then(crate::session::same_site_path)
        .unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 24 * 3600),
            state.web.secure_cookies,
        ),
    );
    Ok(response)
}
