//! Consents and surveys: one page where a parent answers for each child and an asker puts a new
//! question and lists theirs; the asker's page of one question (who answered what, who has not,
//! a reminder to the rest).

use crate::ctx::Ctx;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome, Typed};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::consents::{self, Answer, Draft};
use klade_app::AppError;
use klade_domain::consents::Kind;
use klade_domain::PersonId;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/consents", get(list).post(create))
        .route("/consents/{id}", get(show))
        .route("/consents/{id}/answer", post(answer))
        .route("/consents/{id}/withdraw", post(withdraw))
        .route("/consents/{id}/remind", post(remind))
}

/// An answer in words: yes and no (and a withdrawn consent) in the reader's language, the rest as
/// given.
fn said(t: Tr, a: &Answer) -> String {
    if a.withdrawn {
        return t.get("consents.withdrawn").to_string();
    }
    match a.answer.as_str() {
        klade_domain::consents::YES => t.get("consents.yes").to_string(),
        klade_domain::consents::NO => t.get("consents.no").to_string(),
        other => other.to_string(),
    }
}

/// "Jā — Ilze Krūmiņa, 26.11.2026. 12:00".
fn answer_line(t: Tr, a: &Answer) -> String {
    format!("{} — {}, {}", said(t, a), a.parent, format_instant(a.answered_at))
}

struct FamilyLine {
    id: i64,
    /// `{consent}-{student}`: which card a refused answer came from.
    key: String,
    student_id: i64,
    student: String,
    title: String,
    body: String,
    author: String,
    kind: &'static str,
    choices: Vec<String>,
    answer_by: String,
    standing: Option<String>,
    /// The standing answer as kept (to tick the choice again).
    standing_value: String,
    history: Vec<String>,
    open: bool,
    may_withdraw: bool,
}

struct ListedLine {
    id: i64,
    title: String,
    classes: String,
    answer_by: String,
    answered: usize,
}

#[derive(Template)]
#[template(path = "consents.html")]
struct ConsentsPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<&'a str>,
    error: Option<String>,
    family: Vec<FamilyLine>,
    asks: bool,
    classes: Vec<consents::AskableClass>,
    listed: Vec<ListedLine>,
    typed: Typed,
    default_by: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

fn flash_key(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "answered" => Some("consents.answered_flash"),
        "withdrawn" => Some("consents.withdrawn_flash"),
        "created" => Some("consents.created_flash"),
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
    let family = consents::for_family(&state.app, session)
        .await?
        .into_iter()
        .map(|f| FamilyLine {
            id: f.consent.id,
            key: format!("{}-{}", f.consent.id, f.student_id.0),
            student_id: f.student_id.0,
            student: f.student.clone(),
            title: f.consent.title.clone(),
            body: f.consent.body.clone(),
            author: f.consent.author.clone(),
            kind: f.consent.kind.code(),
            choices: f.consent.choices.clone(),
            answer_by: format_date(f.consent.answer_by),
            standing: f.standing.as_ref().map(|a| answer_line(t, a)),
            standing_value: f.standing.as_ref().map(|a| a.answer.clone()).unwrap_or_default(),
            history: f.history.iter().rev().map(|a| answer_line(t, a)).collect(),
            open: f.open,
            may_withdraw: f.consent.kind == Kind::Consent
                && f.standing
                    .as_ref()
                    .is_some_and(|a| a.answer == klade_domain::consents::YES),
        })
        .collect();
    let asks = consents::asks(&session.actor);
    let (classes, listed) = if asks {
        let listed = consents::listed(&state.app, session)
            .await?
            .into_iter()
            .map(|l| ListedLine {
                id: l.consent.id,
                title: l.consent.title,
                classes: l.consent.classes,
                answer_by: format_date(l.consent.answer_by),
                answered: l.answered,
            })
            .collect();
        (consents::askable_classes(&state.app, session).await?, listed)
    } else {
        (Vec::new(), Vec::new())
    };
    let today = state.app.today();
    let view = ConsentsPage {
        page: Chrome::for_ctx(ctx, t.get("consents.title"), "/consents", None),
        t,
        csrf: &session.csrf_token,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code()).to_string()),
        family,
        asks,
        classes,
        listed,
        typed,
        default_by: today
            .checked_add(jiff::Span::new().days(7))
            .unwrap_or(today)
            .to_string(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&view)?).into_response())
}

/// The form's fields as a draft: the ticked classes come as one `classes` field each.
fn draft(fields: &[(String, String)]) -> Draft {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Draft {
        classes: fields
            .iter()
            .filter(|(k, _)| k == "classes")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
        kind: get("kind"),
        title: get("title"),
        body: get("body"),
        choices: get("choices"),
        answer_by: get("answer_by"),
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match consents::create(&state.app, session, &draft(&fields)).await {
        Ok(id) => Ok(Redirect::to(&format!("/consents/{id}?done=created")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("consent", &fields, Some(&e));
            list_page(&state, &ctx, None, Some(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

struct StudentLine {
    student: String,
    class_name: String,
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    flash: Option<String>,
    id: i64,
    title: String,
    body: String,
    classes: String,
    answer_by: String,
    open: bool,
    tally: Vec<(String, usize)>,
    students: Vec<StudentLine>,
    missing: usize,
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
    let view = consents::asker_view(&state.app, session, id).await?;
    let flash = match q.done.as_deref() {
        Some("reminded") => Some(t.fill("consents.reminded", &[("n", q.asked.unwrap_or(0).to_string().as_str())])),
        other => flash_key(other).map(|k| t.get(k).to_string()),
    };
    let word = |o: &str| match o {
        klade_domain::consents::YES => t.get("consents.yes").to_string(),
        klade_domain::consents::NO => t.get("consents.no").to_string(),
        other => other.to_string(),
    };
    let page = ConsentPage {
        page: Chrome::for_ctx(&ctx, &view.consent.title, "/consents", None),
        t,
        csrf: &session.csrf_token,
        flash,
        id,
        title: view.consent.title.clone(),
        body: view.consent.body.clone(),
        classes: view.consent.classes.clone(),
        answer_by: format_date(view.consent.answer_by),
        open: view.open,
        tally: view.tally.iter().map(|(o, n)| (word(o), *n)).collect(),
        missing: view.students.iter().filter(|s| s.answer.is_none()).count(),
        students: view
            .students
            .iter()
            .map(|s| StudentLine {
                student: s.student.clone(),
                class_name: s.class_name.clone(),
                answer: s.answer.as_ref().map(|a| answer_line(t, a)),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct AnswerForm {
    student: i64,
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match consents::answer(&state.app, session, id, PersonId(f.student), &f.answer).await {
        Ok(()) => Ok(Redirect::to("/consents?done=answered").into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let fields = [
                ("answer".to_string(), f.answer.clone()),
                ("for".to_string(), format!("{id}-{}", f.student)),
            ];
            let typed = Typed::new("answer", &fields, Some(&e));
            list_page(&state, &ctx, None, Some(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match consents::withdraw(&state.app, session, id, PersonId(f.student)).await {
        Ok(()) => Ok(Redirect::to("/consents?done=withdrawn").into_response()),
        Err(e @ AppError::Invalid { .. }) => list_page(&state, &ctx, None, Some(&e), Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn remind(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let asked = consents::remind(&state.app, session, id).await?;
    Ok(Redirect::to(&format!("/consents/{id}?done=reminded&asked={asked}")).into_response())
}
