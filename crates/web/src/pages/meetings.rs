//! Parent–teacher meetings: one page where a host publishes a meeting and lists theirs, and a
//! parent books, moves or cancels a slot per child; the host's page of one meeting (who booked,
//! who has not, a reminder to the rest, cancelling).

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{parse_form, render, Chrome, Typed};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::format_instant;
use klade_app::meetings::{self, Draft};
use klade_app::AppError;
use klade_domain::PersonId;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/book", post(book))
        .route("/meetings/{id}/unbook", post(unbook))
        .route("/meetings/{id}/remind", post(remind))
        .route("/meetings/{id}/cancel", post(cancel))
}

/// `17:15–17:30` in Riga time (the day is said once, by the meeting).
fn span(starts: i64, ends: i64) -> String {
    let time = |s: i64| format_instant(s).rsplit(' ').next().unwrap_or_default().to_string();
    format!("{}–{}", time(starts), time(ends))
}

/// A meeting as a line of a list.
struct MeetingLine {
    id: i64,
    title: String,
    class_name: String,
    host: String,
    when: String,
    place: String,
    link: Option<String>,
    book_by: String,
    cancelled: bool,
    slots: i64,
    booked: i64,
}

impl MeetingLine {
    fn new(m: &meetings::Meeting) -> Self {
        Self {
            id: m.id,
            title: m.title.clone(),
            class_name: m.class_name.clone(),
            host: m.host.clone(),
            when: format!(
                "{} {}",
                format_instant(m.starts_at).split(' ').next().unwrap_or_default(),
                span(m.starts_at, m.ends_at)
            ),
            place: m.place.clone(),
            link: m.link.clone(),
            book_by: format_instant(m.book_by),
            cancelled: m.cancelled_at.is_some(),
            slots: m.slots,
            booked: m.booked,
        }
    }
}

/// A slot as a family's or the host's list shows it.
struct SlotLine {
    id: i64,
    time: String,
    /// The student booked (for the host: any; for a family: their own child only).
    student: Option<String>,
    taken: bool,
}

struct FamilyLine {
    meeting: MeetingLine,
    student_id: i64,
    student: String,
    slots: Vec<SlotLine>,
    booked: Option<String>,
    open: bool,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    family: Vec<FamilyLine>,
    hosts: bool,
    classes: Vec<meetings::HostClass>,
    hosted: Vec<MeetingLine>,
    typed: Typed,
    /// Defaults of the form: a week from today, bookings until two days before.
    default_day: String,
    default_book_by: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

fn flash_key(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "booked" => Some("meetings.booked_flash"),
        "unbooked" => Some("meetings.unbooked_flash"),
        "cancelled" => Some("meetings.cancelled_flash"),
        "created" => Some("meetings.created_flash"),
        _ => None,
    }
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Query(q): crate::ctx::Query<DoneQuery>,
) -> Result<Response, WebError> {
    list_page(&state, &ctx, flash_key(q.done.as_deref()), None, Typed::default()).await
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    error: Option<&AppError>,
    typed: Typed,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let family = meetings::for_family(&state.app, session)
        .await?
        .into_iter()
        .map(|f| FamilyLine {
            meeting: MeetingLine::new(&f.meeting),
            student_id: f.student_id.0,
            student: f.student.clone(),
            booked: f
                .slots
                .iter()
                .find(|s| Some(s.id) == f.booked)
                .map(|s| span(s.starts_at, s.ends_at)),
            slots: f
                .slots
                .iter()
                .map(|s| SlotLine {
                    id: s.id,
                    time: span(s.starts_at, s.ends_at),
                    student: (Some(s.id) == f.booked).then(|| f.student.clone()),
                    taken: s.taken,
                })
                .collect(),
            open: f.open,
        })
        .collect();
    let hosts = meetings::hosts(&session.actor);
    let (classes, hosted) = if hosts {
        let hosted = meetings::hosted(&state.app, session)
            .await?
            .iter()
            .map(MeetingLine::new)
            .collect();
        (meetings::host_classes(&state.app, session).await?, hosted)
    } else {
        (Vec::new(), Vec::new())
    };
    let today = state.app.today();
    let day = |d: i64| {
        today
            .checked_add(jiff::Span::new().days(d))
            .unwrap_or(today)
            .to_string()
    };
    let view = MeetingsPage {
        page: Chrome::for_ctx(ctx, t.get("meetings.title"), "/meetings", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        family,
        hosts,
        classes,
        hosted,
        typed,
        default_day: day(7),
        default_book_by: day(5),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let result = match parse_form::<Draft>(&fields) {
        Ok(draft) => meetings::create(&state.app, session, &draft).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}?done=created")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("meeting", &fields, Some(&e));
            list_page(&state, &ctx, None, Some(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<String>,
    m: MeetingLine,
    open: bool,
    slots: Vec<SlotLine>,
    not_booked: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    done: Option<String>,
    asked: Option<usize>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    crate::ctx::Query(q): crate::ctx::Query<ShowQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let view = meetings::host_view(&state.app, session, id).await?;
    let flash = match q.done.as_deref() {
        Some("reminded") => Some(t.fill("meetings.reminded", &[("n", q.asked.unwrap_or(0).to_string().as_str())])),
        other => flash_key(other).map(|k| t.get(k).to_string()),
    };
    let page = MeetingPage {
        page: Chrome::for_ctx(&ctx, &view.meeting.title, "/meetings", None),
        t,
        csrf: &session.csrf_token,
        flash,
        open: view.meeting.cancelled_at.is_none() && state.app.now() < view.meeting.book_by,
        m: MeetingLine::new(&view.meeting),
        slots: view
            .slots
            .iter()
            .map(|s| SlotLine {
                id: s.id,
                time: span(s.starts_at, s.ends_at),
                student: s.student.clone(),
                taken: s.student_id.is_some(),
            })
            .collect(),
        not_booked: view
            .not_booked
            .iter()
            .map(|s| format!("{} {}", s.given_name, s.family_name))
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct BookForm {
    student: i64,
    #[serde(default)]
    slot: i64,
}

async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BookForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match meetings::book(&state.app, session, id, f.slot, PersonId(f.student)).await {
        Ok(()) => Ok(Redirect::to("/meetings?done=booked").into_response()),
        Err(e @ AppError::Invalid { .. }) => list_page(&state, &ctx, None, Some(&e), Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn unbook(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BookForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match meetings::unbook(&state.app, session, id, PersonId(f.student)).await {
        Ok(()) => Ok(Redirect::to("/meetings?done=unbooked").into_response()),
        Err(e @ AppError::Invalid { .. }) => list_page(&state, &ctx, None, Some(&e), Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn remind(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let asked = meetings::remind_unbooked(&state.app, session, id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=reminded&asked={asked}")).into_response())
}

async fn cancel(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    meetings::cancel(&state.app, session, id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?done=cancelled")).into_response())
}
