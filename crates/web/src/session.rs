//! Who is asking: the session cookie (pages) or the bearer token (API) becomes a [`Ctx`] in the
//! request's extensions, once per request. Here too, for every state-changing page request, the
//! CSRF check: the form's `csrf` field must match the session's token (or, before login, the
//! pre-session cookie). No handler can forget it, because no handler does it. Likewise a
//! creating form's one-time token (`once`) and the API's `Idempotency-Key`: a repeat gets the
//! first answer (`klade_app::repeats`).

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use klade_app::auth::{self, SessionKind};
use klade_app::repeats;
use klade_app::AppError;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "klade_session";
pub const CSRF_COOKIE: &str = "klade_csrf";
pub const LANG_COOKIE: &str = "klade_lang";
/// A login waiting for its second factor (the password was right): short-lived, HttpOnly.
pub const CHALLENGE_COOKIE: &str = "klade_challenge";
/// The page to return to after the login: the one that asked for it, or the one whose form
/// arrived after the session ended. Always a path of this site.
pub const NEXT_COOKIE: &str = "klade_next";

/// Largest form body read for the CSRF check; forms here are small.
const FORM_LIMIT: usize = 256 * 1024;

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A `Set-Cookie` value. `max_age` of 0 deletes the cookie; `None` makes it last the browser session.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Latvian unless the person chose English. The browser's language is not asked: many people in
/// Latvia run browsers in English and still expect their school in Latvian.
fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|c| Lang::from_code(&c))
        .unwrap_or_default()
}

fn address_of(request: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        // The right-most entry is the one our own proxy added; the rest the client could forge.
        if let Some(last) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return last.trim().to_string();
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

fn user_agent_of(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// Paths a person with a generated password may still open.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/account" || path == "/account/password" || path == "/logout" || path.starts_with("/lang/")
}

fn allowed_before_second_factor(path: &str) -> bool {
    path.starts_with("/account/second-factor") || path == "/logout" || path.starts_with("/lang/")
}

/// Pages: session from the cookie, CSRF on every unsafe method, the forced password change and
/// second factor.
pub async fn pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let had_session = cookie(request.headers(), SESSION_COOKIE).is_some();
    let session = match cookie(request.headers(), SESSION_COOKIE) {
        Some(token) => match auth::authenticate(&state.app, &token, SessionKind::Web).await {
            Ok(s) => s.map(std::sync::Arc::new),
            Err(e) => return WebError::new(e, lang).into_response(),
        },
        None => None,
    };
    // A signed-in person's own choice of language wins over the browser's cookie.
    let lang = session
        .as_ref()
        .and_then(|s| s.lang.as_deref())
        .and_then(Lang::from_code)
        .unwrap_or(lang);
    let institutions = match &session {
        Some(s) => match klade_app::home::brands(&state.app, s).await {
            Ok(b) => b,
            Err(e) => return WebError::new(e, lang).into_response(),
        },
        None => Vec::new(),
    };
    let ctx = Ctx {
        institutions,
        lang,
        address: address_of(&request, state.web.trust_proxy),
        user_agent: user_agent_of(request.headers()),
        pre_csrf: cookie(request.headers(), CSRF_COOKIE),
        challenge: cookie(request.headers(), CHALLENGE_COOKIE),
        next: cookie(request.headers(), NEXT_COOKIE).and_then(|c| {
            let decoded: String = form_urlencoded::parse(format!("p={c}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())?;
            same_site_path(&decoded).map(str::to_string)
        }),
        session,
    };
    let mut request = request;
    let mut once: Option<String> = None;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        // A file upload carries its token in the form's address: its body is read by the handler.
        let given = request.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
        });
        let expected = ctx.session.as_ref().map(|s| s.csrf_token.clone());
        if !matches!((&given, &expected), (Some(g), Some(e)) if same(g, e)) {
            return not_taken(&state, &ctx, had_session, request.headers());
        }
    } else if !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return WebError::new(AppError::invalid("body", "error.bad_request"), lang).into_response(),
        };
        let given = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        let expected = match &ctx.session {
            Some(s) => Some(s.csrf_token.clone()),
            None => ctx.pre_csrf.clone(),
        };
        let ok = matches!((&given, &expected), (Some(g), Some(e)) if !e.is_empty() && same(g, e));
        if !ok {
            tracing::info!(path = %parts.uri.path(), "CSRF check failed");
            return not_taken(&state, &ctx, had_session, &parts.headers);
        }
        // A creating form's one-time token: the same form sent twice makes one record.
        once = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "once")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty() && v.len() <= 64)
            .zip(ctx.session.as_ref())
            // The form's content is part of the key: a different form sent from an old copy of
            // the page (the back button) is not taken for a repeat.
            .map(|(token, s)| {
                let sent = format!("{token}\u{1f}{}", String::from_utf8_lossy(&bytes));
                repeats::key(&s.csrf_token, parts.uri.path(), &sent)
            });
        request = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(s) = &ctx.session {
        let path = request.uri().path();
        if s.must_change_password && !allowed_before_password_change(path) {
            return Redirect::to("/account").into_response();
        }
        if !s.must_change_password && s.must_enrol_second_factor && !allowed_before_second_factor(path) {
            return Redirect::to("/account/second-factor").into_response();
        }
    }
    // Only a page asked without a session may need the way back after the login.
    let asked = (ctx.session.is_none() && request.method() == Method::GET)
        .then(|| request.uri().path_and_query().map(|p| p.as_str().to_string()))
        .flatten();
    let lang = ctx.lang;
    // A handler's error is rendered here: as JSON when the page's script asked for it (the
    // grid's saves), else as a page with the reader's navigation.
    let json = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let reader = ctx.clone();
    request.extensions_mut().insert(ctx);
    let run = async move {
        let response = next.run(request).await;
        crate::error::finish(response, lang, json, || crate::layout::Chrome::user_of(&reader))
    };
    if let Some(key) = once {
        return once_only(&state, &key, lang, false, run).await;
    }
    let mut response = run.await;
    // A page that needs a login sends there; after it, the person comes back to that page.
    let to_login = response.headers().get(header::LOCATION).is_some_and(|l| l == "/login");
    if to_login {
        if let Some(path) = asked.as_deref().and_then(same_site_path) {
            response
                .headers_mut()
                .append(header::SET_COOKIE, next_cookie(path, state.web.secure_cookies));
        }
    }
    response
}

/// Runs a request that carries a one-time key once: a repeat gets the first answer (a form's
/// redirect, the API's JSON) instead of making a second record, waiting for the first if it is
/// still running. A refused first request lets the key go, so a corrected one may run.
async fn once_only(
    state: &AppState,
    key: &str,
    lang: Lang,
    json: bool,
    run: impl std::future::Future<Output = Response>,
) -> Response {
    let fail = |e: AppError| {
        if json {
            WebError::api(e, lang)
        } else {
            WebError::new(e, lang)
        }
        .into_response()
    };
    match repeats::claim(&state.app, key).await {
        Err(e) => fail(e),
        Ok(repeats::Claim::Busy) => fail(AppError::invalid("once", "error.in_progress")),
        Ok(repeats::Claim::Answered(a)) => answered(&a),
        Ok(repeats::Claim::First) => {
            let response = run.await;
            let status = response.status();
            // What is kept: a redirect's target, or a successful API answer's JSON.
            let (response, kept) = if status.is_redirection() {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                (response, Some((location, None)))
            } else if json && status.is_success() {
                let (parts, body) = response.into_parts();
                match axum::body::to_bytes(body, REPEAT_BODY_LIMIT).await {
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        (Response::from_parts(parts, Body::from(bytes)), Some((None, Some(text))))
                    }
                    Err(_) => return fail(AppError::Internal("answer too large to keep".into())),
                }
            } else {
                (response, None)
            };
            let kept = match kept {
                Some((location, body)) => {
                    let a = repeats::Answer {
                        status: i64::from(status.as_u16()),
                        location,
                        body,
                    };
                    repeats::record(&state.app, key, &a).await
                }
                None => repeats::release(&state.app, key).await,
            };
            if let Err(e) = kept {
                tracing::error!(error = %e, "keeping an answer for repeats");
            }
            response
        }
    }
}

/// The largest API answer kept for repeats; creating calls answer a few hundred bytes.
const REPEAT_BODY_LIMIT: usize = 256 * 1024;

/// The first request's answer, again.
fn answered(a: &repeats::Answer) -> Response {
    let status = u16::try_from(a.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = match &a.body {
        Some(body) => (status, [(header::CONTENT_TYPE, "application/json")], body.clone()).into_response(),
        None => status.into_response(),
    };
    if let Some(location) = a.location.as_deref().and_then(|l| HeaderValue::from_str(l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The cookie that leads the login back to `path` (for half an hour).
pub fn next_cookie(path: &str, secure: bool) -> HeaderValue {
    let value: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
    set_cookie(NEXT_COOKIE, &value, Some(1800), secure)
}

/// The page a request came from, when it is a page of this site.
fn referring_page(headers: &HeaderMap) -> Option<String> {
    let referer: axum::http::Uri = headers.get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if referer.authority()?.as_str() != host {
        return None;
    }
    same_site_path(referer.path_and_query()?.as_str()).map(str::to_string)
}

/// A form (or the grid's save) that is not taken: when the browser's session is gone, the session
/// has ended — say so, and lead the login back to the form's page; otherwise the form was
/// outdated. Either way the browser keeps what was typed (`static/forms.js`; the grid keeps its
/// cells).
fn not_taken(state: &AppState, ctx: &Ctx, had_session: bool, headers: &HeaderMap) -> Response {
    let back = referring_page(headers);
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if ctx.session.is_some() || !had_session {
        return WebError::csrf(ctx.lang, json, back).into_response();
    }
    let mut response = WebError::session_ended(ctx.lang, json, back.clone()).into_response();
    if let Some(b) = back {
        response
            .headers_mut()
            .append(header::SET_COOKIE, next_cookie(&b, state.web.secure_cookies));
    }
    response
}

/// API: the bearer token. No CSRF here: a bearer token is never sent by a browser on its own.
pub async fn api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    // A family token reads and does nothing else.
    let family = token
        .as_deref()
        .is_some_and(|t| t.starts_with(klade_app::family_tokens::PREFIX));
    if family && !matches!(*request.method(), Method::GET | Method::HEAD) {
        return WebError::api(AppError::ReadOnlyToken, lang).into_response();
    }
    let session = match token {
        Some(t) if family => match klade_app::family_tokens::authenticate(&state.app, &t).await {
            Ok(s) => s,
            Err(e) => return WebError::api(e, lang).into_response(),
        },
        Some(t) => match auth::authenticate(&state.app, &t, SessionKind::Api).await {
            Ok(s) => s,
            Err(e) => return WebError::api(e, lang).into_response(),
        },
        None => None,
    };
    // A generated password must be changed first, through the API as on the pages: until then
    // only the change, one's own summary and logging out answer.
    if session.as_ref().is_some_and(|s| s.must_change_password) {
        let path = request
            .extensions()
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| request.uri().path(), |u| u.0.path());
        if !matches!(path, "/api/v1/me" | "/api/v1/me/password" | "/api/v1/auth/logout") {
            return WebError::api(AppError::PasswordChangeRequired, lang).into_response();
        }
    } else if session.as_ref().is_some_and(|s| s.must_enrol_second_factor) {
        let path = request
            .extensions()
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| request.uri().path(), |u| u.0.path());
        if !(matches!(path, "/api/v1/me" | "/api/v1/auth/logout") || path.starts_with("/api/v1/me/second-factor")) {
            return WebError::api(AppError::SecondFactorRequired, lang).into_response();
        }
    }
    // A client's Idempotency-Key on a POST: a retry after a lost answer makes no second record.
    let once = (request.method() == Method::POST)
        .then(|| request.headers().get("idempotency-key"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 255)
        .zip(session.as_ref())
        .map(|(token, s)| repeats::key(&format!("api:{}", s.person.0), request.uri().path(), token));
    let ctx = Ctx {
        lang,
        address: address_of(&request, state.web.trust_proxy),
        user_agent: user_agent_of(request.headers()),
        pre_csrf: None,
        challenge: None,
        next: None,
        institutions: Vec::new(),
        session: session.map(std::sync::Arc::new),
    };
    let mut request = request;
    request.extensions_mut().insert(ctx);
    let run = async move { crate::error::finish(next.run(request).await, lang, true, || None) };
    match once {
        Some(key) => once_only(&state, &key, lang, true, run).await,
        None => run.await,
    }
}

/// Headers every answer carries: a strict CSP (all assets are our own), no sniffing, no framing, no
/// window shared with another site, no camera, microphone or location; HSTS when Klade is reached
/// over HTTPS. Nothing is kept in a cache unless its route says so (the stylesheet and the script
/// do): pages and answers carry personal data.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // An error no session middleware rendered (a route outside both) is rendered plainly here.
    let lang = lang_of(request.headers());
    let json = request.uri().path().starts_with("/api/");
    let mut response = crate::error::finish(next.run(request).await, lang, json, || None);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.web.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// `next` as a place to go after a step (a language switch, a login): a path of this site, or
/// nothing. Anything a browser could read as another site — `//host`, `/\\host`, a tab or a line
/// break that browsers drop (`/%09/host`), a scheme — or that cannot be a header is refused.
pub fn same_site_path(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let safe = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next.len() <= 2048
        && next.bytes().all(|b| b.is_ascii_graphic())
        && !next.contains('\\')
        && next.parse::<axum::http::uri::PathAndQuery>().is_ok();
    safe.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        for good in ["/", "/people/7", "/journal/3?date=2026-11-25&x=%2F%2F"] {
            assert_eq!(same_site_path(good), Some(good));
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "evil.example",
            "/\u{0}",
            "/ space",
            "/\r\nSet-Cookie: x=1",
            "/ā",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; klade_session=abc; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn secrets_compare() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }

    #[test]
    fn cookie_flags() {
        let c = set_cookie(SESSION_COOKIE, "x", None, true);
        let s = c.to_str().expect("ascii");
        assert!(s.contains("HttpOnly") && s.contains("SameSite=Lax") && s.contains("Secure"));
        assert!(!set_cookie(SESSION_COOKIE, "x", None, false)
            .to_str()
            .expect("ascii")
            .contains("Secure"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever `next` holds, what is kept is a path of this site a browser cannot read as
        /// another site, and a valid header value.
        #[test]
        fn next_is_a_path_of_this_site_or_nothing(next in "\\PC{0,40}|/[/\\\\\t\n%0-9a-z.:]{0,20}") {
            if let Some(p) = same_site_path(&next) {
                proptest::prop_assert!(p.starts_with('/'));
                proptest::prop_assert!(!p.starts_with("//") && !p.starts_with("/\\"));
                proptest::prop_assert!(axum::http::HeaderValue::from_str(p).is_ok());
            }
        }
    }
}
