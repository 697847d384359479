//! The second factor on the pages: the code a login waits for, setting it up (a QR code for the
//! authenticator app, then the recovery codes, shown once), turning it off where it is not
//! required. The rules are `klade_app::second_factor`'s.

use crate::ctx::Ctx;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::session::{set_cookie, CHALLENGE_COOKIE, NEXT_COOKIE, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::{auth, second_factor, AppError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/second-factor", get(login_form).post(login))
        .route("/account/second-factor", get(page).post(confirm))
        .route("/account/second-factor/off", post(turn_off))
}

#[derive(Template)]
#[template(path = "second_factor_login.html")]
struct LoginPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    message: Option<&'a str>,
    demo_code: Option<String>,
}

async fn login_page(state: &AppState, ctx: &Ctx, error: Option<&AppError>) -> Result<Response, WebError> {
    let Some(challenge) = ctx.challenge.as_deref() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let t = Tr::new(ctx.lang);
    let demo_code = if state.web.demo {
        second_factor::demo_code(&state.app, challenge).await?
    } else {
        None
    };
    let csrf = ctx.pre_csrf.clone().unwrap_or_default();
    let page = LoginPage {
        page: Chrome::for_ctx(ctx, t.get("second_factor.login_title"), "/login/second-factor", None),
        t,
        csrf: &csrf,
        message: error.map(|e| t.get(e.code())),
        demo_code,
    };
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    Ok((status, render(&page)?).into_response())
}

async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    login_page(&state, &ctx, None).await
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    #[serde(default)]
    recovery: Option<String>,
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(form): Form<CodeForm>) -> Result<Response, WebError> {
    let Some(challenge) = ctx.challenge.as_deref() else {
        return Ok(Redirect::to("/login").into_response());
    };
    match second_factor::answer(&state.app, challenge, &form.code, form.recovery.is_some()).await {
        Ok(done) => {
            if let Some(old) = &ctx.session {
                auth::logout(&state.app, old).await?;
            }
            let to = if done.must_change_password {
                "/account"
            } else {
                ctx.next.as_deref().unwrap_or("/")
            };
            let mut response = Redirect::to(to).into_response();
            let secure = state.web.secure_cookies;
            let h = response.headers_mut();
            h.append(header::SET_COOKIE, set_cookie(NEXT_COOKIE, "", Some(0), secure));
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &done.token, None, secure),
            );
            h.append(header::SET_COOKIE, set_cookie(CHALLENGE_COOKIE, "", Some(0), secure));
            Ok(response)
        }
        Err(AppError::Unauthenticated) => Ok(Redirect::to("/login").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Throttled { .. } | AppError::AccountBlocked)) => {
            login_page(&state, &ctx, Some(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SetupPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<&'a str>,
    enabled: bool,
    required: bool,
    recovery_left: i64,
    setup: Option<second_factor::Setup>,
    /// The setup's `otpauth://` address as an SVG QR code.
    qr: String,
    recovery_codes: Vec<String>,
}

/// The `otpauth://` address as an inline SVG QR code (no script, no outside image).
fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

async fn setup_page(
    state: &AppState,
    ctx: &Ctx,
    notice: Notice<'_>,
    recovery_codes: Vec<String>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let status = second_factor::status(&state.app, session).await?;
    let enabled = status.enabled || !recovery_codes.is_empty();
    let setup = if enabled {
        None
    } else {
        Some(second_factor::start(&state.app, session).await?)
    };
    let qr = setup.as_ref().map(|s| qr_svg(&s.otpauth_url)).unwrap_or_default();
    let page = SetupPage {
        page: Chrome::for_ctx(ctx, t.get("second_factor.title"), "/account/second-factor", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code())),
        enabled,
        required: status.required,
        recovery_left: status.recovery_codes_left,
        setup,
        qr,
        recovery_codes,
    };
    let code = error.map_or(StatusCode::OK, crate::error::status_of);
    Ok((code, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Query(q): crate::ctx::Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("off")).then_some("second_factor.turned_off");
    setup_page(&state, &ctx, Notice::done(flash), Vec::new()).await
}

async fn confirm(State(state): State<AppState>, ctx: Ctx, Form(form): Form<CodeForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match second_factor::confirm(&state.app, session, &form.code).await {
        Ok(codes) => setup_page(&state, &ctx, Notice::done(Some("second_factor.done")), codes).await,
        Err(e @ (AppError::Invalid { .. } | AppError::Throttled { .. } | AppError::Conflict(_))) => {
            setup_page(&state, &ctx, Notice::refused(&e), Vec::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn turn_off(State(state): State<AppState>, ctx: Ctx, Form(form): Form<CodeForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match second_factor::turn_off(&state.app, session, &form.code).await {
        Ok(()) => Ok(Redirect::to("/account/second-factor?done=off").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Throttled { .. })) => {
            setup_page(&state, &ctx, Notice::refused(&e), Vec::new()).await
        }
        Err(e) => Err(e.into()),
    }
}
