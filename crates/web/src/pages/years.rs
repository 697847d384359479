//! School years: the director locks one that has ended; a deputy lets a teacher change a course
//! or group of a locked year, with a reason, for a few days (R28).

use crate::ctx::Ctx;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::year_lock::{self, ConsentInput};
use klade_app::AppError;
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/years", get(page))
        .route("/admin/years/lock", post(lock))
        .route("/admin/years/consent", post(consent))
}

#[derive(Template)]
#[template(path = "years.html")]
struct YearsPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    inst: i64,
    years: Vec<YearRow>,
    /// The journals of the locked years.
    courses: Vec<year_lock::LockedJournal>,
    teachers: Vec<klade_app::setup::Teacher>,
    consents: Vec<ConsentRow>,
    may_consent: bool,
    flash: Option<&'static str>,
    error: Option<String>,
    /// A refused consent as typed.
    typed: crate::layout::Typed,
}

struct YearRow {
    name: String,
    period: String,
    /// When it was locked; empty while it is not.
    locked: String,
    /// It has ended and is not locked: it may be locked now.
    may_lock: bool,
}

struct ConsentRow {
    year: String,
    /// The course or group.
    what: String,
    teacher: String,
    reason: String,
    /// Who granted it, and when.
    granted: String,
    until: String,
}

#[derive(Deserialize)]
struct YearsQuery {
    i: i64,
    done: Option<String>,
}

async fn view(
    state: &AppState,
    ctx: &Ctx,
    inst: i64,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let y = year_lock::years(&state.app, session, InstitutionId(inst)).await?;
    let today = state.app.today();
    let page = YearsPage {
        page: Chrome::for_ctx(ctx, t.get("year.title"), "/admin/years", None),
        t,
        csrf: session.csrf_token.clone(),
        inst,
        years: y
            .years
            .iter()
            .map(|x| YearRow {
                name: x.name.clone(),
                period: format!("{} – {}", format_date(x.starts_on), format_date(x.ends_on)),
                locked: x.locked_at.map(format_instant).unwrap_or_default(),
                may_lock: y.may_lock && x.locked_at.is_none() && x.ends_on < today,
            })
            .collect(),
        courses: y.journals.clone(),
        teachers: y.teachers.clone(),
        consents: y
            .consents
            .iter()
            .map(|c| ConsentRow {
                year: c.year.clone(),
                what: c.what.clone(),
                teacher: c.teacher.clone(),
                reason: c.reason.clone(),
                granted: format!("{}, {}", c.granted_by, format_instant(c.granted_at)),
                until: format_date(c.valid_until),
            })
            .collect(),
        may_consent: y.may_consent,
        flash,
        error: error.map(|e| t.get(e.code()).to_string()),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearsQuery>) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("locked") => Some("year.locked_done"),
        Some(_) => Some("year.consent_done"),
        None => None,
    };
    view(&state, &ctx, q.i, Notice::done(flash), crate::layout::Typed::default()).await
}

#[derive(Deserialize)]
struct LockForm {
    i: i64,
    year: String,
}

async fn lock(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LockForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match year_lock::lock(&state.app, session, InstitutionId(f.i), &f.year).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/years?i={}&done=locked", f.i)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            view(&state, &ctx, f.i, Notice::refused(&e), crate::layout::Typed::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ConsentForm {
    i: i64,
    teacher: i64,
    /// `course:<id>` or `group:<id>`
    course: String,
    reason: String,
    /// Read as typed, so an empty or wrong number is refused on the page, not by the framework.
    days: String,
}

async fn consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = crate::layout::parse_form::<ConsentForm>(&fields)?;
    let refused = |e: AppError| {
        let typed = crate::layout::Typed::new("consent", &fields, Some(&e));
        (e, typed)
    };
    let Ok(days) = f.days.trim().parse::<i64>() else {
        let (e, typed) = refused(AppError::invalid("days", "year.days"));
        return view(
            &state,
            &ctx,
            f.i,
            Notice {
                done: None,
                error: Some(&e),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            },
            typed,
        )
        .await;
    };
    let (kind, id) = f.course.split_once(':').unwrap_or(("", ""));
    let id = id.parse::<i64>().ok();
    let input = ConsentInput {
        institution: InstitutionId(f.i),
        teacher: PersonId(f.teacher),
        course: id.filter(|_| kind == "course").map(CourseId),
        class: id.filter(|_| kind == "group").map(ClassId),
        reason: f.reason,
        days,
    };
    match year_lock::consent(&state.app, session, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/years?i={}&done=consent", f.i)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let (e, typed) = refused(e);
            view(&state, &ctx, f.i, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}
