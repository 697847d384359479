//! The one mapping from a use case's error to an HTTP answer: an HTML page in the user's
//! language, or JSON `{"error": code, "message": text}` for the API. Internal details are
//! logged here once and never shown.
//!
//! Handlers return a use case's error with `?` (`From<AppError>`): it travels in the answer
//! unrendered, and the middleware that knows the request — its language, whether it is the API's
//! or asks for JSON, who is signed in — renders it (`finish`).

use crate::i18n::{Lang, Tr};
use crate::layout::Chrome;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use klade_app::AppError;

#[derive(Debug)]
pub struct WebError {
    pub error: AppError,
    pub lang: Lang,
    json: bool,
    /// Returned by a handler with `?`: the middleware renders it for the request.
    deferred: bool,
    csrf: bool,
    /// A form or a save arrived after the session ended: nothing was done; log in again.
    ended: bool,
    /// Where the refused form was (a path of this site), to go back to it.
    back: Option<String>,
    /// The signed-in person's navigation, for the error page (boxed: an error travels in every
    /// `Result` of the handlers).
    user: Option<Box<crate::layout::UserChrome>>,
}

impl WebError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        Self {
            error,
            lang,
            json: false,
            deferred: false,
            csrf: false,
            ended: false,
            back: None,
            user: None,
        }
    }

    pub fn api(error: AppError, lang: Lang) -> Self {
        Self {
            error,
            lang,
            json: true,
            deferred: false,
            csrf: false,
            ended: false,
            back: None,
            user: None,
        }
    }

    /// The page answers with the navigation of the person signed in.
    pub fn with_user(mut self, user: Option<crate::layout::UserChrome>) -> Self {
        self.user = user.map(Box::new);
        self
    }

    /// A state-changing form arrived without the right CSRF token (an outdated form): `back` is
    /// the page it came from; `json` for the grid's saves.
    pub fn csrf(lang: Lang, json: bool, back: Option<String>) -> Self {
        Self {
            error: AppError::invalid("csrf", "error.csrf"),
            lang,
            json,
            deferred: false,
            csrf: true,
            ended: false,
            back,
            user: None,
        }
    }

    /// A form or a save arrived after the session ended. The answer says so (not "outdated"),
    /// keeps what was typed in the browser, and the login leads back to `back`.
    pub fn session_ended(lang: Lang, json: bool, back: Option<String>) -> Self {
        Self {
            error: AppError::Unauthenticated,
            lang,
            json,
            deferred: false,
            csrf: false,
            ended: true,
            back,
            user: None,
        }
    }

    fn message(&self) -> String {
        let t = Tr::new(self.lang);
        if self.csrf {
            t.get("error.csrf").to_string()
        } else if self.ended {
            t.get("error.session_ended").to_string()
        } else {
            text(t, &self.error)
        }
    }
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        Self {
            deferred: true,
            ..Self::new(error, Lang::Lv)
        }
    }
}

/// A handler's error in its answer, until [`finish`] renders it.
#[derive(Clone)]
struct Deferred(std::sync::Arc<std::sync::Mutex<Option<AppError>>>);

/// Renders the error a handler returned, if the answer carries one: JSON, or a page in `lang`
/// with the navigation of the person signed in (`user`, asked only then).
pub fn finish(
    response: Response,
    lang: Lang,
    json: bool,
    user: impl FnOnce() -> Option<crate::layout::UserChrome>,
) -> Response {
    let Some(Deferred(kept)) = response.extensions().get::<Deferred>() else {
        return response;
    };
    let Some(error) = kept.lock().ok().and_then(|mut e| e.take()) else {
        return response;
    };
    if json {
        WebError::api(error, lang).into_response()
    } else {
        WebError::new(error, lang).with_user(user()).into_response()
    }
}

/// A JSON body that cannot be taken, as the reader is told: over its size (413) or not the
/// expected JSON (422).
pub fn json_refusal(e: &axum::extract::rejection::JsonRejection) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("error.too_large")
    } else {
        AppError::invalid("body", "error.bad_request")
    }
}

/// What a page tells after a step — that it was done (a catalogue key) or why it was refused —
/// and the answer's status: one value for the pages' helpers instead of three arguments.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    /// A catalogue key.
    pub done: Option<&'static str>,
    pub error: Option<&'a AppError>,
    pub status: StatusCode,
}

impl Default for Notice<'_> {
    fn default() -> Self {
        Self {
            done: None,
            error: None,
            status: StatusCode::OK,
        }
    }
}

impl<'a> Notice<'a> {
    pub fn done(key: Option<&'static str>) -> Self {
        Self {
            done: key,
            ..Self::default()
        }
    }

    pub fn refused(error: &'a AppError) -> Self {
        Self {
            done: None,
            error: Some(error),
            status: status_of(error),
        }
    }
}

/// What the user reads for an error: its catalogue message, and for refused words the words.
pub fn text(t: Tr, error: &AppError) -> String {
    let message = t.get(error.code());
    match error {
        AppError::Unclean(words) => format!("{message} {}", words.join(", ")),
        AppError::Clash { with, .. } => format!("{message} {with}"),
        _ => message.to_string(),
    }
}

/// When to ask again after the database was out of reach.
const UNAVAILABLE_RETRY_SECS: i64 = 5;

/// The HTTP status for each error; the only place that decides it.
pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::InvalidCredentials | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Throttled { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::ReadOnlyToken
        | AppError::AccountBlocked
        | AppError::NoActiveRights
        | AppError::PasswordChangeRequired
        | AppError::SecondFactorRequired
        | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Invalid { .. }
        | AppError::InvalidAt { .. }
        | AppError::Cells(_)
        | AppError::Unclean(_)
        | AppError::Clash { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        e if e.is_conflict() => StatusCode::CONFLICT,
        e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Conflict(_) | AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: Chrome,
    t: Tr,
    message: &'a str,
    /// Where "back" leads.
    back: &'a str,
    /// The session ended: offer the login instead of "back".
    login: bool,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.deferred {
            let mut response = status_of(&self.error).into_response();
            response
                .extensions_mut()
                .insert(Deferred(std::sync::Arc::new(std::sync::Mutex::new(Some(self.error)))));
            return response;
        }
        let status = if self.csrf {
            StatusCode::FORBIDDEN
        } else {
            status_of(&self.error)
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.error, "request failed");
        }
        // A refusal by the policy is a security event (ASVS 16.3.2): what was asked, on what.
        if let AppError::Forbidden(denied) = &self.error {
            tracing::info!(action = ?denied.action, scope = ?denied.scope, "refused by the policy");
        }
        if self.csrf {
            tracing::info!("refused: no valid CSRF token");
        }
        if !self.json && !self.ended && matches!(self.error, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let message = self.message();
        let mut response = if self.json {
            let field = match &self.error {
                AppError::Invalid { field, .. } => Some(*field),
                AppError::InvalidAt { field, .. } => Some(field.as_str()),
                _ => None,
            };
            let code = if self.csrf {
                "error.csrf"
            } else if self.ended {
                "error.session_ended"
            } else {
                self.error.code()
            };
            let mut body = serde_json::json!({ "error": code, "field": field, "message": &message });
            if let AppError::Unclean(words) = &self.error {
                body["words"] = serde_json::json!(words);
            }
            if let AppError::Clash { with, .. } = &self.error {
                body["with"] = serde_json::json!(with);
            }
            if let AppError::Cells(list) = &self.error {
                let t = Tr::new(self.lang);
                body["cells"] = list
                    .iter()
                    .map(|e| serde_json::json!({ "key": e.key, "error": e.code, "message": t.get(e.code) }))
                    .collect();
            }
            (status, Json(body)).into_response()
        } else {
            let t = Tr::new(self.lang);
            let title = match status {
                StatusCode::NOT_FOUND => t.get("error.not_found_title"),
                _ => t.get("error.title"),
            };
            let mut chrome = Chrome::for_error(self.lang, title, self.user.clone().map(|u| *u));
            chrome.keep_draft = self.csrf || self.ended;
            let page = ErrorPage {
                page: chrome,
                t,
                message: &message,
                back: self.back.as_deref().unwrap_or("/"),
                login: self.ended,
            };
            match page.render() {
                Ok(html) => (status, Html(html)).into_response(),
                Err(e) => {
                    tracing::error!("error page: {e}");
                    (status, message).into_response()
                }
            }
        };
        let retry_after = match self.error {
            AppError::Throttled { retry_after_secs } | AppError::RateLimited { retry_after_secs } => {
                Some(retry_after_secs)
            }
            // A database being failed over is back within seconds (bench/RESULTS.md: under 12 s).
            ref e if e.is_unavailable() => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}
