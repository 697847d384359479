//! Server-rendered pages. Every page works without JavaScript and on a phone; every string comes
//! from the catalogue in the reader's language.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::layout::Chrome;
use crate::session;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use klade_app::AppError;

mod account;
mod archive;
mod calendar;
mod calendar_feeds;
pub(crate) use calendar_feeds::feed_url;
mod consents;
mod deadlines;
mod families;
mod family_tokens;
mod history_words;
mod home;
mod import;
mod invitations;
mod journal;
mod journal_checks;
mod lesson_plans;
mod login;
mod meals;
mod meetings;
mod messages;
mod people;
mod preschool;
mod preschool_plans;
mod report_cards;
mod second_factor;
mod setup;
mod statistics;
mod timetable;
mod years;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(login::routes())
        .merge(account::routes())
        .merge(journal::routes())
        .merge(timetable::routes())
        .merge(people::routes())
        .merge(import::routes())
        .merge(families::routes())
        .merge(report_cards::routes())
        .merge(messages::routes())
        .merge(preschool::routes())
        .merge(archive::routes())
        .merge(years::routes())
        .merge(journal_checks::routes())
        .merge(preschool_plans::routes())
        .merge(calendar::routes())
        .merge(calendar_feeds::routes())
        .merge(family_tokens::routes())
        .merge(meetings::routes())
        .merge(meals::routes())
        .merge(lesson_plans::routes())
        .merge(consents::routes())
        .merge(deadlines::routes())
        .merge(statistics::routes())
        .merge(second_factor::routes())
        .merge(setup::routes())
        .merge(invitations::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state, session::pages))
        .route("/healthz", get(healthz))
}

/// A secret a person made and keeps — a calendar address, an app token — as `kept_secrets.html`
/// lists it: what it is for, when it was made and last used.
pub(crate) struct Kept {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub used: String,
}

impl Kept {
    fn new(id: i64, label: String, created_at: i64, last_used_at: Option<i64>) -> Self {
        use klade_app::clock::format_instant;
        Self {
            id,
            label,
            created: format_instant(created_at),
            used: last_used_at.map(format_instant).unwrap_or_else(|| "—".into()),
        }
    }
}

/// An address that is no page: the page that says so, in the reader's language, with their
/// navigation; under `/api/` the API's JSON.
async fn not_found(ctx: Ctx, uri: axum::extract::OriginalUri) -> WebError {
    if uri.0.path().starts_with("/api/") {
        WebError::api(AppError::NotFound, ctx.lang)
    } else {
        WebError::new(AppError::NotFound, ctx.lang).with_user(Chrome::user_of(&ctx))
    }
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}
