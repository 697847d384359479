//! Static files, embedded in the binary: no CDN, nothing to install beside it.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::future::{ready, Ready};

const DAY: &str = "public, max-age=86400";
const HOUR: &str = "public, max-age=3600";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const PNG: &str = "image/png";

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/static/app.css",
            get(file(CSS, HOUR, include_bytes!("../static/app.css"))),
        )
        .route(
            "/static/grid.js",
            get(file(JS, HOUR, include_bytes!("../static/grid.js"))),
        )
        .route(
            "/static/forms.js",
            get(file(JS, HOUR, include_bytes!("../static/forms.js"))),
        )
        .route(
            "/static/push.js",
            get(file(JS, HOUR, include_bytes!("../static/push.js"))),
        )
        // A service worker's scope is its own folder and below: this one serves the whole site.
        .route(
            "/push-sw.js",
            get(file(JS, HOUR, include_bytes!("../static/push-sw.js"))),
        )
        .route(
            "/static/favicon.svg",
            get(file("image/svg+xml", DAY, include_bytes!("../static/favicon.svg"))),
        )
        // What a phone needs to keep Klade on its home screen like an app: the manifest, and icons
        // of the sizes phones ask for (a maskable one the phone cuts to its own shape; iOS asks at
        // the root). The PNGs are made from the SVGs by `static/make-icons.sh`.
        .route(
            "/manifest.webmanifest",
            get(file(
                "application/manifest+json",
                DAY,
                include_bytes!("../static/manifest.webmanifest"),
            )),
        )
        .route(
            "/static/icon-192.png",
            get(file(PNG, DAY, include_bytes!("../static/icon-192.png"))),
        )
        .route(
            "/static/icon-512.png",
            get(file(PNG, DAY, include_bytes!("../static/icon-512.png"))),
        )
        .route(
            "/static/icon-maskable-512.png",
            get(file(PNG, DAY, include_bytes!("../static/icon-maskable-512.png"))),
        )
        .route(
            "/apple-touch-icon.png",
            get(file(PNG, DAY, include_bytes!("../static/apple-touch-icon.png"))),
        )
        // Browsers ask for it on their own; the icon is the SVG the pages link.
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }),
        )
}

/// A handler answering with an embedded file, its type, and how long a browser may keep it.
fn file(
    content_type: &'static str,
    cache: &'static str,
    body: &'static [u8],
) -> impl Fn() -> Ready<Response> + Clone + Send + Sync + 'static {
    move || {
        ready(
            (
                [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)],
                body,
            )
                .into_response(),
        )
    }
}
