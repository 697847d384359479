//! Klade over HTTP: server-rendered pages for people, the JSON API under `/api/v1` for apps,
//! `/healthz` and `/metrics` for operators.
//!
//! Handlers only read input, call a use case in `klade-app` and render its answer; they hold no
//! rules of their own and decide no permissions (the policy does, inside the use cases). Errors
//! are mapped to HTTP in one place, `error.rs`.

mod api;
mod assets;
mod charts;
mod ctx;
mod download;
mod error;
pub mod i18n;
mod icons;
mod layout;
mod metrics;
mod pages;
pub mod serve;
mod session;

use axum::Router;
use klade_app::App;
use std::sync::Arc;

pub use error::{status_of, WebError};
pub use serve::{serve, Limits};
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
    /// The demo's server (`klade demo`): the second-factor page shows the demo key's code.
    pub demo: bool,
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
        .layer(axum::middleware::from_fn(run_writes_to_end))
        // The fastest level: a semester's grid goes from 230 kB to about 15 kB on the wire for
        // well under a millisecond, where the best level would cost several times that.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .with_state(state)
}

/// A request that may write runs in a task of its own, to its end, whether or not its client
/// waits for the answer: a teacher closing the tab or a phone losing the network mid-save must
/// not leave a save half done or a connection inside a transaction. Reads are simply dropped.
async fn run_writes_to_end(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!("a request's task failed: {e}");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
