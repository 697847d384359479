//! Static files, embedded in the binary: no CDN, nothing to install beside it.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const CSS: &str = include_str!("../static/app.css");
const GRID_JS: &str = include_str!("../static/grid.js");
const FAVICON: &str = include_str!("../static/favicon.svg");
const FORMS_JS: &str = include_str!("../static/forms.js");
const MANIFEST: &str = include_str!("../static/manifest.webmanifest");

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/grid.js", get(grid_js))
        .route("/static/forms.js", get(forms_js))
        .route("/static/favicon.svg", get(favicon))
        // What a phone needs to keep Klade on its home screen like an app.
        .route("/manifest.webmanifest", get(manifest))
        // Browsers ask for it on their own; the icon is the SVG the pages link.
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }),
        )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}

async fn manifest() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        MANIFEST,
    )
}

async fn forms_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        FORMS_JS,
    )
}

async fn grid_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        GRID_JS,
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}
