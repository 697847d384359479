//! Calendar feeds: the page where a person makes and revokes the secret addresses of their own or
//! their children's school calendar, and the address itself, which answers iCalendar text (RFC
//! 5545) to a calendar app that does not sign in.

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::calendar_feeds::{self, Calendar, What, When};
use klade_app::AppError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/calendar", get(feeds_page).post(create))
        .route("/account/calendar/{id}/revoke", post(revoke))
        .route("/calendar/{file}", get(feed))
}

#[derive(Template)]
#[template(path = "calendar_feeds.html")]
struct FeedsPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    /// The address just made, shown this once.
    made: Option<String>,
    students: Vec<(i64, String)>,
    /// The ones kept, listed by `kept_secrets.html` with the keys and address below.
    kept: Vec<super::Kept>,
    kept_head: &'static str,
    kept_title: &'static str,
    kept_empty: &'static str,
    revoke_base: &'static str,
}

#[derive(Deserialize, Default)]
struct FeedsQuery {
    done: Option<String>,
}

async fn feeds_page(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Query(q): crate::ctx::Query<FeedsQuery>,
) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("revoked")).then_some("feeds.revoked");
    page(&state, &ctx, flash, None, None).await
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    made: Option<String>,
    error: Option<&AppError>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let kept = calendar_feeds::list(&state.app, session)
        .await?
        .into_iter()
        .map(|f| super::Kept::new(f.id, f.student, f.created_at, f.last_used_at))
        .collect();
    let students = session
        .students
        .iter()
        .map(|p| {
            (
                p.student_id.0,
                format!("{} {}, {}", p.given_name, p.family_name, p.class_name),
            )
        })
        .collect();
    let view = FeedsPage {
        page: Chrome::for_ctx(ctx, t.get("feeds.title"), "/account/calendar", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        made,
        students,
        kept,
        kept_head: "feeds.student",
        kept_title: "feeds.list",
        kept_empty: "feeds.empty",
        revoke_base: "/account/calendar",
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

/// The address a calendar app is given: the install's public address, or else the one this
/// request came to.
pub(crate) fn feed_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let base = match state.app.settings.public_url.as_deref() {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let local = host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
            format!("{}://{host}", if local { "http" } else { "https" })
        }
    };
    format!("{base}/calendar/{token}.ics")
}

#[derive(Deserialize)]
struct CreateForm {
    student: i64,
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match calendar_feeds::create(&state.app, session, klade_domain::PersonId(form.student)).await {
        Ok((_, token)) => {
            let url = feed_url(&state, &headers, &token);
            page(&state, &ctx, Some("feeds.made"), Some(url), None).await
        }
        Err(e @ AppError::Invalid { .. }) => page(&state, &ctx, None, None, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn revoke(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    calendar_feeds::revoke(&state.app, session, id).await?;
    Ok(Redirect::to("/account/calendar?done=revoked").into_response())
}

/// The feed: `/calendar/{token}.ics`, iCalendar text in the language of the catalogue's first
/// (Latvian, the language of record) unless the fetching client chose another by its cookie.
async fn feed(State(state): State<AppState>, ctx: Ctx, Path(file): Path<String>) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    // Tokens are 64 hex digits: anything else is not looked up.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound.into());
    }
    let cal = calendar_feeds::fetch(&state.app, token).await?;
    let text = ics(Tr::new(ctx.lang), &cal, state.app.clock.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=900"),
        ],
        text,
    )
        .into_response())
}

/// The calendar as iCalendar text: CRLF line ends, lines folded at 75 octets, text escaped,
/// times in UTC and whole days as dates.
fn ics(t: Tr, cal: &Calendar, now: jiff::Timestamp) -> String {
    let mut out = String::new();
    let mut line = |name: &str, value: &str| fold(&mut out, &format!("{name}:{value}"));
    line("BEGIN", "VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", "-//Klade//Klade//LV");
    line("CALSCALE", "GREGORIAN");
    line("METHOD", "PUBLISH");
    line("X-WR-CALNAME", &text(&format!("{}, {}", cal.student, cal.class_name)));
    line("X-WR-TIMEZONE", "Europe/Riga");
    line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    line("X-PUBLISHED-TTL", "PT1H");
    let stamp = utc(now);
    for e in &cal.events {
        line("BEGIN", "VEVENT");
        line("UID", &format!("{}@klade", e.uid));
        line("DTSTAMP", &stamp);
        match e.when {
            When::At(from, to) => {
                line("DTSTART", &utc(from));
                line("DTEND", &utc(to));
            }
            When::Days(from, to) => {
                line("DTSTART;VALUE=DATE", &from.strftime("%Y%m%d").to_string());
                line("DTEND;VALUE=DATE", &to.strftime("%Y%m%d").to_string());
                line("TRANSP", "TRANSPARENT");
            }
        }
        let (summary, description) = match &e.what {
            What::Lesson {
                course,
                topic,
                homework,
            } => {
                let mut d = Vec::new();
                if !topic.is_empty() {
                    d.push(format!("{}: {topic}", t.get("feeds.topic")));
                }
                if !homework.is_empty() {
                    d.push(format!("{}: {homework}", t.get("feeds.homework")));
                }
                (course.clone(), d.join("\n"))
            }
            What::Homework { course, homework } => (format!("{}: {course}", t.get("feeds.homework")), homework.clone()),
            What::Test { course, kind, title } => {
                (format!("{}: {course}", t.dynamic("grade_kind", kind)), title.clone())
            }
            What::DayOff => (t.get("feeds.day_off").to_string(), String::new()),
            What::SchoolHoliday => (t.get("feeds.school_holiday").to_string(), String::new()),
            What::Meeting { title, host, link } => (
                format!("{}: {title}", t.get("meetings.home_booked")),
                [Some(host.clone()), link.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        };
        line("SUMMARY", &text(&summary));
        if !e.location.is_empty() {
            line("LOCATION", &text(&e.location));
        }
        if !description.is_empty() {
            line("DESCRIPTION", &text(&description));
        }
        line("END", "VEVENT");
    }
    line("END", "VCALENDAR");
    out
}

fn utc(at: jiff::Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value escaped (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded so that no line is longer than 75 octets, never inside a character
/// (RFC 5545 §3.1), ended with CRLF.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::{fold, text};

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "ā".repeat(60));
        fold(&mut out, &long);
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, long);
    }
}
