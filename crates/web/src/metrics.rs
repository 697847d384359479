//! Prometheus metrics: requests by route and status, and their total time. Served at `/metrics`
//! only to a bearer of the configured token, so they never reach the public.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// (method, route, status)
type Key = (String, String, u16);

#[derive(Default)]
pub struct Metrics {
    /// Per key: how many requests, and their total seconds.
    requests: Mutex<BTreeMap<Key, (u64, f64)>>,
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    if let Ok(mut map) = state.metrics.requests.lock() {
        let entry = map
            .entry((method, route, response.status().as_u16()))
            .or_insert((0, 0.0));
        entry.0 += 1;
        entry.1 += elapsed;
    }
    response
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(serve))
}

async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.web.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given.map(|g| crate::session::same(g, token)) != Some(true) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut out = String::new();
    out.push_str(
        "# HELP klade_http_requests_total HTTP requests answered.\n# TYPE klade_http_requests_total counter\n",
    );
    let snapshot = state.metrics.requests.lock().map(|m| m.clone()).unwrap_or_default();
    for ((method, route, status), (count, _)) in &snapshot {
        let _ = writeln!(
            out,
            "klade_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
        );
    }
    out.push_str("# HELP klade_http_request_seconds_total Time spent answering HTTP requests.\n# TYPE klade_http_request_seconds_total counter\n");
    for ((method, route, status), (_, secs)) in &snapshot {
        let _ = writeln!(
            out,
            "klade_http_request_seconds_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {secs:.6}"
        );
    }
    let pool = state.app.db.pool();
    let _ = writeln!(
        out,
        "# HELP klade_db_connections Open database connections.\n# TYPE klade_db_connections gauge\nklade_db_connections {}",
        pool.size()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
