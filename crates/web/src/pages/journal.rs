//! The journal's pages: the list of a person's journals, a course's grid (fills from the
//! keyboard with `static/grid.js`, and works as a plain form without it), the lesson record,
//! assessments, notes, the history of a column, the class summary.

use super::history_words::HistoryRow;
use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome, Labelled};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use jiff::civil::Date;
use klade_app::clock::{format_date, format_instant, format_stored_date};
use klade_app::journal::{self, CellInput, Column};
use klade_app::AppError;
use klade_domain::grading::{self, Kind, Scale};
use klade_domain::{ClassId, CourseId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/journal", get(list))
        .route("/journal/{course}", get(grid).post(save))
        .route("/journal/{course}/lesson", get(lesson_form).post(lesson_save))
        .route("/journal/{course}/assessments", post(add_assessment))
        .route("/journal/{course}/notes", post(add_note))
        .route("/journal/{course}/history", get(history))
        .route("/classes/{class}/summary", get(summary))
}

#[derive(Template)]
#[template(path = "journal_list.html")]
struct ListPage {
    page: Chrome,
    t: Tr,
    courses: Vec<klade_app::journal::Course>,
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let courses = journal::my_courses(&state.app, session).await?;
    let t = Tr::new(ctx.lang);
    let page = ListPage {
        page: Chrome::for_ctx(&ctx, t.get("journal.my_courses"), "/journal", None),
        t,
        courses,
    };
    Ok(render(&page)?.into_response())
}

struct Header {
    top: String,
    bottom: String,
    title: String,
    href: Option<String>,
    history: Option<String>,
    assessment: bool,
    missing: bool,
}

struct CellView {
    name: String,
    value: String,
    saved: String,
    label: String,
    error: Option<String>,
    /// For semester, year and final grades: the grade proposed from the term's work.
    hint: String,
    /// A family's absence notice for this student on this lesson's day.
    notice: Option<String>,
    /// A filled cell's mark in words (attendance or a grade), shown on hover.
    words: Option<String>,
    /// A grade's band (`high`, `middle`, `low`, `plain`): its cell's tint beside its value.
    band: &'static str,
}

struct RowView {
    name: String,
    cells: Vec<CellView>,
    average: String,
    proposal: String,
}

#[derive(Template)]
#[template(path = "grid.html")]
struct GridPage {
    page: Chrome,
    t: Tr,
    course_id: i64,
    title: String,
    subtitle: String,
    terms: Vec<crate::layout::Choice<i64>>,
    term_ordinal: i64,
    summary_href: Option<String>,
    checks_href: String,
    open_checks: i64,
    flash: Option<String>,
    error: Option<String>,
    cell_errors: Vec<String>,
    can_edit: bool,
    csrf: String,
    headers: Vec<Header>,
    rows: Vec<RowView>,
    reason: String,
    kinds: Vec<Labelled<&'static str>>,
    scales: Vec<Labelled<&'static str>>,
    note_kinds: Vec<Labelled<&'static str>>,
    students: Vec<Labelled<i64>>,
    notes: Vec<String>,
    today: String,
    /// A refused form's input: "cells", "assessment" or "note".
    form: crate::layout::Typed,
}

#[derive(Deserialize, Default)]
struct GridQuery {
    term: Option<i64>,
    done: Option<String>,
    n: Option<usize>,
}

/// Short date for a column head: `26.11.`
fn short(date: Date) -> String {
    let d = format_date(date);
    d.get(..6).map(str::to_string).unwrap_or(d)
}

async fn grid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Query(q): Query<GridQuery>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("cells") => Some(format!(
            "{}: {}",
            Tr::new(ctx.lang).get("journal.saved_count"),
            q.n.unwrap_or(0)
        )),
        Some("lesson") => Some(Tr::new(ctx.lang).get("journal.lesson_saved").to_string()),
        Some("assessment") => Some(Tr::new(ctx.lang).get("journal.assessment_added").to_string()),
        Some("notes") => Some(Tr::new(ctx.lang).get("journal.notes_added").to_string()),
        _ => None,
    };
    grid_page(
        &state,
        &ctx,
        CourseId(course),
        q.term,
        flash,
        None,
        &[],
        StatusCode::OK,
        crate::layout::Typed::default(),
    )
    .await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from the request, the typed form and the notice alike"
)]
async fn grid_page(
    state: &AppState,
    ctx: &Ctx,
    course: CourseId,
    term: Option<i64>,
    flash: Option<String>,
    failure: Option<&AppError>,
    typed: &[CellInput],
    status: StatusCode,
    form: crate::layout::Typed,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let g = journal::grid(&state.app, session, course, term).await?;
    let errors: Vec<(String, &'static str)> = match failure {
        Some(AppError::Cells(list)) => list.iter().map(|e| (e.key.clone(), e.code)).collect(),
        _ => Vec::new(),
    };
    let id = g.course.id.0;
    let headers = g.columns.iter().map(|c| header(t, id, c)).collect();
    let rows = g.students.iter().map(|s| row_view(t, &g, s, typed, &errors)).collect();
    let cell_errors = errors
        .iter()
        .map(|(key, code)| {
            let who = key
                .parse::<klade_domain::journal_item::Cell>()
                .ok()
                .and_then(|c| g.students.iter().find(|s| s.id == c.student()))
                .map(|s| format!("{} {}: ", s.given_name, s.family_name))
                .unwrap_or_default();
            format!("{who}{}", t.get(code))
        })
        .collect();
    let notes = journal::notes(&state.app, session, course)
        .await?
        .into_iter()
        .take(30)
        .map(|n| {
            let student = g
                .students
                .iter()
                .find(|s| s.id == n.student_id)
                .map(|s| format!("{} {}", s.given_name, s.family_name))
                .unwrap_or_default();
            format!(
                "{} · {} · {student}: {} ({})",
                format_date(n.date),
                t.dynamic("note", &n.kind),
                n.text,
                n.author
            )
        })
        .collect();
    let title = match &g.course.class_name {
        Some(c) => format!("{} — {c}", g.course.name),
        None => g.course.name.clone(),
    };
    let page = GridPage {
        page: Chrome::for_ctx(ctx, &title, &format!("/journal/{id}"), None),
        t,
        course_id: id,
        subtitle: format!("{}: {}", t.get("journal.teachers"), g.course.teachers),
        title,
        terms: g
            .terms
            .iter()
            .map(|x| crate::layout::Choice {
                value: x.ordinal,
                label: x.name.clone(),
                chosen: x.id == g.term.id,
            })
            .collect(),
        term_ordinal: g.term.ordinal,
        summary_href: g.summary_of.map(|c| format!("/classes/{c}/summary")),
        checks_href: format!("/journal/{}/checks", g.course.id),
        open_checks: g.open_checks,
        flash,
        error: failure.map(|e| crate::error::text(t, e)),
        cell_errors,
        can_edit: g.can_edit,
        csrf: session.csrf_token.clone(),
        headers,
        rows,
        reason: form.or("cells", "reason", "").to_string(),
        kinds: Kind::ALL
            .iter()
            .map(|k| Labelled {
                value: k.code(),
                label: t.dynamic("grade_kind", k.code()),
            })
            .collect(),
        scales: Scale::ALL
            .iter()
            .map(|s| Labelled {
                value: s.code(),
                label: t.dynamic("scale", s.code()),
            })
            .collect(),
        note_kinds: journal::NOTE_KINDS
            .iter()
            .map(|k| Labelled {
                value: *k,
                label: t.dynamic("note", k),
            })
            .collect(),
        students: g
            .students
            .iter()
            .map(|s| Labelled {
                value: s.id.0,
                label: format!("{} {}", s.family_name, s.given_name),
            })
            .collect(),
        notes,
        today: g.today.clone(),
        form,
    };
    Ok((status, render(&page)?).into_response())
}

/// A column's heading: a lesson's date and number, or an assessment's kind and title.
fn header(t: Tr, id: i64, c: &Column) -> Header {
    match c {
        Column::Lesson {
            id: lid,
            date,
            lesson_no,
            topic,
            ..
        } => Header {
            top: short(*date),
            bottom: t.fill("journal.lesson_n", &[("n", &lesson_no.to_string())]),
            title: if topic.is_empty() {
                t.get("journal.not_filled").to_string()
            } else {
                topic.clone()
            },
            href: Some(format!("/journal/{id}/lesson?date={date}&no={lesson_no}")),
            history: lid.map(|l| format!("/journal/{id}/history?column=lesson:{l}")),
            assessment: false,
            missing: topic.is_empty(),
        },
        Column::Assessment {
            id: aid,
            kind,
            scale,
            date,
            title,
            ..
        } => Header {
            top: short(*date),
            bottom: t.dynamic("grade_kind", kind.code()),
            title: format!("{title} ({})", t.dynamic("scale", scale.code())),
            href: None,
            history: Some(format!("/journal/{id}/history?column=assessment:{aid}")),
            assessment: true,
            missing: false,
        },
    }
}

/// A student's row: each cell with what was saved or typed, its refusal, and what it is told of
/// (the proposed period grade, a family's absence notice, the mark in words); the term's average.
fn row_view(
    t: Tr,
    g: &journal::Grid,
    s: &klade_app::journal::Student,
    typed: &[CellInput],
    errors: &[(String, &'static str)],
) -> RowView {
    let name = format!("{} {}", s.family_name, s.given_name);
    let cells = g
        .columns
        .iter()
        .map(|c| {
            let key = c.cell_key(s.id);
            let label = match c {
                Column::Lesson { date, lesson_no, .. } => {
                    let lesson = t.fill("journal.lesson_n", &[("n", &lesson_no.to_string())]);
                    format!("{name}, {} {lesson}", short(*date))
                }
                Column::Assessment { title, .. } => format!("{name}, {title}"),
            };
            let saved = g.cells.get(&(c.key().to_string(), s.id)).cloned().unwrap_or_default();
            let value = typed
                .iter()
                .find(|i| i.key == key)
                .map(|i| i.value.clone())
                .unwrap_or(saved.clone());
            let error = errors
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, code)| t.get(code).to_string());
            let hint = match c {
                Column::Assessment { kind, .. } if kind.is_period_grade() => g
                    .averages
                    .get(&s.id)
                    .and_then(|(_, p)| *p)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let notice = match c {
                Column::Lesson { date, .. } => g
                    .notices
                    .iter()
                    .find(|n| n.student_id == s.id && n.from_date <= *date && *date <= n.to_date)
                    .map(|n| format!("{}: {}", t.get("absence.notices"), n.reason)),
                Column::Assessment { .. } => None,
            };
            let (words, band) = match c {
                Column::Lesson { .. } => (t.mark_words(&saved), "plain"),
                Column::Assessment { scale, .. } => {
                    let mark = grading::Mark::stored(saved.clone());
                    (
                        mark.words_key(*scale).map(|k| t.get(&k).to_string()),
                        mark.band(*scale).code(),
                    )
                }
            };
            // Read, not edited: a percent mark with its sign.
            let value = match c {
                Column::Assessment { scale, .. } if !g.can_edit => grading::Mark::stored(value).shown(*scale),
                _ => value,
            };
            CellView {
                name: key,
                value,
                saved,
                label,
                error,
                hint,
                notice,
                words,
                band,
            }
        })
        .collect();
    let (avg, proposal) = g.averages.get(&s.id).copied().unwrap_or((None, None));
    RowView {
        name,
        cells,
        average: avg.map(grading::format_average).unwrap_or_default(),
        proposal: proposal.map(|p| p.to_string()).unwrap_or_default(),
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"))
}

/// Saves the grid: the whole form without JavaScript (unchanged cells are skipped), or only the
/// changed cells when `grid.js` posts them and asks for JSON.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(course): Path<i64>,
    Query(q): Query<GridQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let reason = fields.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone());
    let cells: Vec<CellInput> = fields
        .iter()
        .filter(|(k, _)| k.starts_with("a:") || k.starts_with("g:"))
        .map(|(key, value)| CellInput {
            key: key.clone(),
            value: value.clone(),
        })
        .collect();
    let result = journal::save_cells(&state.app, session, CourseId(course), &cells, reason.as_deref()).await;
    let t = Tr::new(ctx.lang);
    if wants_json(&headers) {
        return Ok(match result {
            Ok(saved) => Json(serde_json::json!({
                "saved": saved.cells,
                "message": format!("{}: {}", t.get("journal.saved_count"), saved.cells.len()),
            }))
            .into_response(),
            Err(AppError::Cells(list)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({
                    "errors": list.iter().map(|e| serde_json::json!({"key": e.key, "code": e.code, "message": t.get(e.code)})).collect::<Vec<_>>(),
                    "message": t.get("journal.cells_invalid"),
                })),
            )
                .into_response(),
            Err(e) => return Err(e.into()),
        });
    }
    match result {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/journal/{course}?term={}&done=cells&n={}",
            q.term.unwrap_or(0),
            saved.cells.len()
        ))
        .into_response()),
        Err(e @ (AppError::Cells(_) | AppError::Invalid { .. })) => {
            let form = crate::layout::Typed::new("cells", &fields, Some(&e));
            grid_page(
                &state,
                &ctx,
                CourseId(course),
                q.term,
                None,
                Some(&e),
                &cells,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage {
    page: Chrome,
    t: Tr,
    course_id: i64,
    subtitle: String,
    error: Option<String>,
    csrf: String,
    date: String,
    lesson_no: i64,
    topic: String,
    content: String,
    homework: String,
    homework_due: String,
    history: Option<String>,
    reason: String,
    /// The refused field.
    bad: String,
    /// Who keeps the journal edits the record; others read it.
    can_edit: bool,
    /// The due date the Latvian way, for reading.
    homework_due_text: String,
    /// The topic was put in from the course's plan.
    proposed: bool,
}

#[derive(Deserialize)]
struct LessonQuery {
    date: String,
    no: i64,
}

async fn lesson_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Query(q): Query<LessonQuery>,
) -> Result<Response, WebError> {
    let input = journal::LessonInput {
        date: q.date,
        lesson_no: q.no,
        ..Default::default()
    };
    lesson_page(&state, &ctx, CourseId(course), input, None, StatusCode::OK).await
}

async fn lesson_page(
    state: &AppState,
    ctx: &Ctx,
    course: CourseId,
    mut input: journal::LessonInput,
    error: Option<&AppError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let (c, stored, can_edit) =
        journal::lesson_record(&state.app, session, course, &input.date, input.lesson_no).await?;
    if error.is_none() {
        if let Some(l) = &stored {
            input.topic = l.topic.clone();
            input.content = l.content.clone();
            input.homework = l.homework.clone();
            input.homework_due = l.homework_due.map(|d| d.to_string());
        }
    }
    // A lesson without a topic yet is offered the plan's next one: saving is then one tap.
    let proposed = if error.is_none() && can_edit && input.topic.trim().is_empty() {
        klade_app::lesson_plans::proposal(&state.app, &c).await?
    } else {
        None
    };
    if let Some(p) = &proposed {
        input.topic = p.clone();
    }
    let page = LessonPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("journal.lesson_title"),
            &format!("/journal/{}", course.0),
            None,
        ),
        t,
        course_id: course.0,
        subtitle: format!(
            "{} — {}, {}",
            c.name,
            format_stored_date(&input.date),
            t.fill("journal.lesson_n", &[("n", &input.lesson_no.to_string())])
        ),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: match error {
            Some(AppError::Invalid { field, .. }) => (*field).to_string(),
            _ => String::new(),
        },
        reason: input.reason.clone().unwrap_or_default(),
        csrf: session.csrf_token.clone(),
        date: input.date.clone(),
        lesson_no: input.lesson_no,
        topic: input.topic,
        content: input.content,
        homework: input.homework,
        homework_due_text: input
            .homework_due
            .as_deref()
            .map(format_stored_date)
            .unwrap_or_default(),
        homework_due: input.homework_due.unwrap_or_default(),
        history: stored.map(|l| format!("/journal/{}/history?column=lesson:{}", course.0, l.id)),
        can_edit,
        proposed: proposed.is_some(),
    };
    Ok((status, render(&page)?).into_response())
}

async fn lesson_save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Form(input): Form<journal::LessonInput>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match journal::save_lesson(&state.app, session, CourseId(course), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/journal/{course}?done=lesson")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            lesson_page(&state, &ctx, CourseId(course), input, Some(&e), status).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_assessment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let result = match crate::layout::parse_form::<journal::AssessmentInput>(&fields) {
        Ok(input) => journal::add_assessment(&state.app, session, CourseId(course), &input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/journal/{course}?done=assessment")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            let form = crate::layout::Typed::new("assessment", &fields, Some(&e));
            grid_page(&state, &ctx, CourseId(course), None, None, Some(&e), &[], status, form).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = journal::NoteInput {
        kind: get("kind"),
        date: get("date"),
        text: get("text"),
        students: fields
            .iter()
            .filter(|(k, _)| k == "students")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    };
    match journal::add_note(&state.app, session, CourseId(course), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/journal/{course}?done=notes")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            let form = crate::layout::Typed::new("note", &fields, Some(&e));
            grid_page(&state, &ctx, CourseId(course), None, None, Some(&e), &[], status, form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    page: Chrome,
    t: Tr,
    course_id: i64,
    entries: Vec<HistoryRow>,
}

#[derive(Deserialize)]
struct HistoryQuery {
    item: Option<String>,
    column: Option<String>,
}

/// The history of one item, or of a whole column (a lesson with its attendance, an assessment
/// with its grades).
async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(course): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let items = if let Some(item) = &q.item {
        vec![item.clone()]
    } else if let Some(column) = &q.column {
        match column.split_once(':') {
            Some(("lesson", id)) => vec![column.clone(), format!("attendance:{id}")],
            Some(("assessment", id)) => vec![column.clone(), format!("grade:{id}")],
            _ => return Err(AppError::NotFound.into()),
        }
    } else {
        // Without a cell or a column there is nothing to show, and nothing was authorised.
        return Err(AppError::invalid("query", "error.bad_request").into());
    };
    let (entries, names) = journal::history_in_words(&state.app, session, CourseId(course), &items).await?;
    let words = super::history_words::Words { t, names: &names };
    let page = HistoryPage {
        page: Chrome::for_ctx(
            &ctx,
            t.get("journal.history_title"),
            &format!("/journal/{course}"),
            None,
        ),
        t,
        course_id: course,
        entries: entries
            .iter()
            .map(|e| HistoryRow {
                when: format_instant(e.at),
                who: e.person.clone(),
                what: words.item(&e.item),
                old: words.value(&e.item, e.old_value.as_deref()),
                new: words.value(&e.item, e.new_value.as_deref()),
                reason: e.reason.clone().unwrap_or_default(),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "summary.html")]
struct SummaryPage {
    page: Chrome,
    t: Tr,
    class_name: String,
    headers: Vec<String>,
    rows: Vec<SummaryRow>,
    exports: Vec<(String, &'static str)>,
}

/// A student's line of the summary journal.
struct SummaryRow {
    student: String,
    /// A course's grades each, in the headers' order.
    grades: Vec<String>,
    absences: String,
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

/// The class summary journal (kopsavilkuma žurnāls) as a page, or as XLSX, CSV or PDF.
async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, WebError> {
    use klade_docs::table::{Cell, Column as Col, Report};
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let format = crate::download::requested(q.format.as_deref())?;
    let s = journal::summary(&state.app, session, ClassId(class)).await?;
    let grades_of = |st: klade_domain::PersonId, c: CourseId| {
        s.grades
            .get(&(st, c))
            .map(|list| {
                list.iter()
                    .map(|(k, m)| format!("{}: {m}", t.dynamic("grade_kind", k.code())))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    };
    if let Some(format) = format {
        let mut columns = vec![Col::new(t.get("journal.student"), 24.0)];
        columns.extend(s.courses.iter().map(|c| Col::new(c.name.clone(), 14.0)));
        for key in ["summary.excused", "summary.unexcused", "summary.late"] {
            columns.push(Col::new(t.get(key), 10.0));
        }
        let rows = s
            .students
            .iter()
            .map(|st| {
                let mut row = vec![Cell::text(format!("{} {}", st.family_name, st.given_name))];
                row.extend(s.courses.iter().map(|c| Cell::text(grades_of(st.id, c.id))));
                let (ex, un, late) = s.absences.get(&st.id).copied().unwrap_or_default();
                row.extend([Cell::count(ex), Cell::count(un), Cell::count(late)]);
                row
            })
            .collect();
        let report = Report {
            title: format!("{}: {}", t.get("summary.title"), s.class_name),
            subtitle: vec![s.institution_name.clone(), s.period.clone()],
            columns,
            rows,
        };
        return crate::download::download(&report, format, &format!("kopsavilkums-{}", s.class_name));
    }
    let rows = s
        .students
        .iter()
        .map(|st| {
            let cells = s.courses.iter().map(|c| grades_of(st.id, c.id)).collect();
            let (ex, un, late) = s.absences.get(&st.id).copied().unwrap_or_default();
            SummaryRow {
                student: format!("{} {}", st.family_name, st.given_name),
                grades: cells,
                absences: format!(
                    "{ex} {}, {un} {}, {late} {}",
                    t.get("summary.excused"),
                    t.get("summary.unexcused"),
                    t.get("summary.late")
                ),
            }
        })
        .collect();
    let path = format!("/classes/{class}/summary");
    let page = SummaryPage {
        page: Chrome::for_ctx(&ctx, t.get("summary.title"), &path, None),
        t,
        headers: s.courses.iter().map(|c| c.name.clone()).collect(),
        class_name: s.class_name,
        rows,
        exports: crate::download::links(&path),
    };
    Ok(render(&page)?.into_response())
}
