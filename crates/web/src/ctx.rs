//! The request's context (`Ctx`: language, the session, the client) as the middleware in `session`
//! leaves it, and the extractors that refuse in the reader's language. A page's frame is built
//! from it here (`Chrome::for_ctx`).

use crate::error::WebError;
use crate::i18n::Lang;
use crate::layout::{Chrome, UserChrome};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use klade_app::auth::Session;
use klade_app::AppError;

/// The request's context: language, the signed-in session if any, the client's address.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// Shared: every page request hands the context on twice (the handler, the error page).
    pub session: Option<std::sync::Arc<Session>>,
    pub address: String,
    pub user_agent: String,
    /// The pre-session CSRF token (login form), when the browser has one.
    pub pre_csrf: Option<String>,
    /// A login waiting for its second factor, when the browser has one.
    pub challenge: Option<String>,
    /// Where the login leads back to (a path of this site), when a page asked for it.
    pub next: Option<String>,
    /// The institutions the signed-in person belongs to, for the header.
    pub institutions: Vec<std::sync::Arc<klade_app::home::Brand>>,
}

impl Ctx {
    pub fn signed_in(&self) -> Result<&Session, WebError> {
        self.session.as_deref().ok_or_else(|| AppError::Unauthenticated.into())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::new(AppError::Internal("no request context".into()), Lang::Lv))
    }
}

impl Chrome {
    pub(crate) fn for_ctx(ctx: &Ctx, title: &str, path: &str, name: Option<String>) -> Self {
        let mut user = Self::user_of(ctx);
        if let (Some(u), Some(n)) = (user.as_mut(), name) {
            u.name = n;
        }
        let mut chrome = Self::new(ctx.lang, title, path, user);
        match ctx.institutions.as_slice() {
            [one] => chrome.brand = Some(one.clone()),
            [] => {}
            many => chrome.places = many.to_vec(),
        }
        chrome
    }

    /// The signed-in person's part of the page: name, navigation, unread mail.
    pub(crate) fn user_of(ctx: &Ctx) -> Option<UserChrome> {
        ctx.session.as_ref().map(|s| UserChrome {
            name: s.name.clone(),
            who: s.person.0,
            csrf: s.csrf_token.clone(),
            links: klade_app::home::menu(&s.actor),
            unread: s.unread,
            family: klade_app::home::reads_diary(&s.actor),
        })
    }
}

/// A query string, refused in the reader's language and in the page's or the API's form: axum's
/// own `Query` answers a wrong or missing parameter in English plain text.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(_) => {
                let lang = parts.extensions.get::<Ctx>().map(|c| c.lang).unwrap_or_default();
                // Under the API's nest the path is cut; the original one says where we are.
                let api = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or_else(|| parts.uri.path(), |u| u.0.path())
                    .starts_with("/api/");
                let e = AppError::invalid("query", "error.bad_request");
                Err(if api {
                    WebError::api(e, lang)
                } else {
                    WebError::new(e, lang)
                })
            }
        }
    }
}

/// A path's parameters, refused like a wrong query: a malformed id (`/people/abc`) is a page that
/// does not exist, answered in the reader's language with the navigation, not axum's plain text.
pub struct Path<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            // Rendered by the middleware: the API's JSON or the page.
            Err(_) => Err(AppError::NotFound.into()),
        }
    }
}
