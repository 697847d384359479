//! The journal through the API: the same use cases as the grid page.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::civil::Date;
use klade_app::journal::{self, CellInput, Column};
use klade_app::{timetable, AppError};
use klade_domain::{CourseId, PersonId};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/courses", get(courses))
        .route("/courses/{id}/grid", get(grid))
        .route("/courses/{id}/plan", get(plan).put(save_plan))
        .route("/courses/{id}/cells", post(cells))
        .route("/courses/{id}/lessons", post(lesson))
        .route("/courses/{id}/assessments", post(assessment))
        .route("/courses/{id}/notes", post(note))
        .route("/courses/{id}/history", get(history))
        .route("/students/{id}/journal", get(student))
        .route("/timetable", get(week))
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, WebError> {
    body.map(|Json(b)| b)
        .map_err(|e| WebError::from(crate::error::json_refusal(&e)))
}

async fn courses(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let list = journal::my_courses(&state.app, session).await?;
    Ok(Json(list).into_response())
}

#[derive(Deserialize, Default)]
struct TermQuery {
    term: Option<i64>,
}

#[derive(Serialize)]
struct GridBody {
    course: journal::Course,
    term: journal::Term,
    can_edit: bool,
    students: Vec<journal::Student>,
    columns: Vec<Column>,
    /// Each filled cell: its key (as `cells` takes it back) and value.
    cells: Vec<CellBody>,
    averages: Vec<AverageBody>,
    /// The families' absence notices covering the term's days (R21), as the page shows them.
    notices: Vec<klade_app::families::Notice>,
}

#[derive(Serialize)]
struct CellBody {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct AverageBody {
    student: PersonId,
    average: Option<f64>,
    proposal: Option<u8>,
}

async fn grid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<TermQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let g = journal::grid(&state.app, session, CourseId(id), q.term).await?;
    let mut cells = Vec::new();
    for c in &g.columns {
        for s in &g.students {
            if let Some(v) = g.cells.get(&(c.key().to_string(), s.id)) {
                cells.push(CellBody {
                    key: c.cell_key(s.id),
                    value: v.clone(),
                });
            }
        }
    }
    let averages = g
        .students
        .iter()
        .map(|s| {
            let (average, proposal) = g.averages.get(&s.id).copied().unwrap_or((None, None));
            AverageBody {
                student: s.id,
                average,
                proposal,
            }
        })
        .collect();
    Ok(Json(GridBody {
        course: g.course,
        term: g.term,
        can_edit: g.can_edit,
        students: g.students,
        columns: g.columns,
        cells,
        averages,
        notices: g.notices,
    })
    .into_response())
}

#[derive(Deserialize)]
struct CellsBody {
    cells: Vec<CellInput>,
    reason: Option<String>,
}

async fn cells(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<CellsBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let input = body(input)?;
    let saved = journal::save_cells(&state.app, session, CourseId(id), &input.cells, input.reason.as_deref()).await?;
    let cells: Vec<CellBody> = saved
        .cells
        .into_iter()
        .map(|(key, value)| CellBody { key, value })
        .collect();
    Ok(Json(serde_json::json!({ "saved": cells })).into_response())
}

async fn lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<journal::LessonInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let input = body(input)?;
    let l = journal::save_lesson(&state.app, session, CourseId(id), &input).await?;
    Ok(Json(l).into_response())
}

async fn assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<journal::AssessmentInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let input = body(input)?;
    let a = journal::add_assessment(&state.app, session, CourseId(id), &input).await?;
    Ok(Json(a).into_response())
}

async fn note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<journal::NoteInput>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let input = body(input)?;
    let n = journal::add_note(&state.app, session, CourseId(id), &input).await?;
    Ok(Json(serde_json::json!({ "added": n })).into_response())
}

#[derive(Deserialize)]
struct ItemQuery {
    item: String,
}

async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ItemQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let entries = journal::history(&state.app, session, CourseId(id), &q.item).await?;
    Ok(Json(entries).into_response())
}

#[derive(Deserialize, Default)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A student's grades, attendance and notes — the student's own, or a child's for a parent.
async fn student(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let j = journal::journal_of_student(&state.app, session, PersonId(id), q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(j).into_response())
}

#[derive(Deserialize, Default)]
struct DateQuery {
    date: Option<String>,
}

async fn week(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DateQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let day = match q.date {
        Some(d) => d.parse::<Date>().map_err(|_| AppError::invalid("date", "error.date"))?,
        None => state.app.today(),
    };
    let weeks = timetable::my_week(&state.app, session, day).await?;
    Ok(Json(weeks).into_response())
}

pub fn family_routes() -> Router<AppState> {
    Router::new()
        .route("/students/{id}/diary", get(diary))
        .route("/students/{id}/absence-notices", post(notice))
        .route("/students/{id}/excuses", post(excuse_absences))
        .route("/students/{id}/keep-unexcused", post(keep_unexcused))
        .route("/classes/{class}/absences", get(class_absences))
        .route("/students/{id}/grades", get(grades))
        .route("/classes/{class}/progress-reports", get(progress))
        .route("/classes/{class}/report-cards", get(report_cards))
}

async fn diary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DateQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let day = match q.date {
        Some(d) => d.parse::<Date>().map_err(|_| AppError::invalid("date", "error.date"))?,
        None => state.app.today(),
    };
    let d = klade_app::families::diary(&state.app, session, PersonId(id), day).await?;
    Ok(Json(d).into_response())
}

#[derive(Deserialize)]
struct RangeBody {
    from: String,
    #[serde(default)]
    to: String,
    reason: String,
}

async fn notice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<RangeBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let b = body(input)?;
    let (notice, late) =
        klade_app::families::report_absence(&state.app, session, PersonId(id), &b.from, &b.to, &b.reason).await?;
    Ok(Json(serde_json::json!({ "id": notice, "late": late })).into_response())
}

async fn excuse_absences(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    input: Result<Json<RangeBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let b = body(input)?;
    let excuse =
        klade_app::families::excuse(&state.app, session, PersonId(id), &b.from, &b.to, &b.reason, None).await?;
    Ok(Json(excuse).into_response())
}

async fn keep_unexcused(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let n = klade_app::families::keep_unexcused(&state.app, session, PersonId(id)).await?;
    Ok(Json(serde_json::json!({ "checked": n })).into_response())
}

async fn class_absences(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let a = klade_app::families::class_absences(&state.app, session, klade_domain::ClassId(class)).await?;
    Ok(Json(a).into_response())
}

async fn grades(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let (who, subjects) = klade_app::families::grade_report(&state.app, session, PersonId(id)).await?;
    Ok(Json(serde_json::json!({ "student": who, "subjects": subjects })).into_response())
}

#[derive(Deserialize)]
struct ReportQuery {
    student: Option<i64>,
    from: String,
    to: String,
}

async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let reports = klade_app::families::progress_reports(
        &state.app,
        session,
        klade_domain::ClassId(class),
        q.student.map(PersonId),
        Some(&q.from),
        Some(&q.to),
    )
    .await?;
    Ok(Json(reports.reports).into_response())
}

#[derive(Deserialize)]
struct CardQuery {
    student: Option<i64>,
    period: Option<String>,
}

async fn report_cards(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<CardQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let period = q
        .period
        .as_deref()
        .map(klade_app::report_cards::CardPeriod::parse)
        .transpose()?;
    let cards = klade_app::report_cards::report_cards(
        &state.app,
        session,
        klade_domain::ClassId(class),
        q.student.map(PersonId),
        period,
    )
    .await?;
    Ok(Json(cards).into_response())
}

/// The course's thematic plan: its topics, how many lessons have had, the next one proposed, and
/// the plans of other courses of the subject one may copy.
async fn plan(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let plan = klade_app::lesson_plans::plan(&state.app, ctx.signed_in()?, CourseId(id)).await?;
    Ok(Json(plan).into_response())
}

#[derive(Deserialize)]
struct PlanBody {
    topics: Vec<String>,
}

/// Replaces the course's plan with these topics, in order.
async fn save_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Result<Json<PlanBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(b) = body.map_err(|e| crate::error::json_refusal(&e))?;
    let session = ctx.signed_in()?;
    klade_app::lesson_plans::save(&state.app, session, CourseId(id), &b.topics.join("\n")).await?;
    let plan = klade_app::lesson_plans::plan(&state.app, session, CourseId(id)).await?;
    Ok(Json(plan).into_response())
}
