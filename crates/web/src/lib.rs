//! Klade over HTTP: server-rendered pages for people, the JSON API under `/api/v1` for apps,
//! `/healthz` and `/metrics` for operators.
//!
//! Handlers only read input, call a use case in `klade-app` and render its answer; they hold no
//! rules of their own and decide no permissions (the policy does, inside the use cases). Errors
//! are mapped to HTTP in one place, `error.rs`.

mod api;
mod assets;
mod error;
mod export;
pub mod i18n;
mod metrics;
mod pages;
mod session;

use axum::Router;
use klade_app::App;
use std::sync::Arc;

pub use error::{status_of, WebError};
pub use session::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE};

/// Settings of the HTTP face.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Set the `Secure` flag on cookies; on whenever Klade is reached over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Bearer token that opens `/metrics`; without one, `/metrics` is not served.
    pub metrics_token: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebSettings>,
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole HTTP application.
pub fn router(app: App, web: WebSettings) -> Router {
    let state = AppState {
        app,
        web: Arc::new(web),
        metrics: Arc::new(metrics::Metrics::default()),
    };
    Router::new()
        .merge(pages::routes(state.clone()))
        .nest("/api/v1", api::routes(state.clone()))
        .merge(assets::routes())
        .merge(metrics::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::security_headers,
        ))
        .with_state(state)
}
