//! Timetable pages: each person's week, and a class's timetable as the deputy edits it.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome, Labelled};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::civil::Date;
use klade_app::clock::{format_date, format_stored_date};
use klade_app::timetable::{self, SlotInput, SubstitutionInput};
use klade_app::AppError;
use klade_domain::ClassId;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/timetable", get(week))
        .route("/classes/{class}/timetable", get(class_page).post(set_slot))
        .route("/classes/{class}/substitutions", post(substitute))
        .route("/classes/{class}/courses", post(add_course))
}

#[derive(Template)]
#[template(path = "timetable.html")]
struct WeekPage {
    page: Chrome,
    t: Tr,
    prev: String,
    next: String,
    range: String,
    weeks: Vec<WeekView>,
}

/// One timetable of the week: the reader's own (no title) or a child's.
struct WeekView {
    title: String,
    days: Vec<Day>,
}

/// A day heading and its lessons, one line each.
struct Day {
    heading: String,
    lessons: Vec<String>,
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    date: Option<String>,
}

async fn week(State(state): State<AppState>, ctx: Ctx, Query(q): Query<WeekQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today: Date = state.app.today();
    let day = q.date.as_deref().and_then(|d| d.parse::<Date>().ok()).unwrap_or(today);
    let monday = timetable::monday_of(day);
    let weeks = timetable::my_week(&state.app, session, day).await?;
    let shift = |days: i64| {
        monday
            .checked_add(jiff::Span::new().days(days))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let views = weeks
        .into_iter()
        .map(|w| {
            let mut days: Vec<Day> = Vec::new();
            for l in w.lessons {
                let heading = format!(
                    "{}, {}",
                    t.dynamic("weekday", &l.weekday.to_string()),
                    format_date(l.date)
                );
                let mut line = format!(
                    "{}. {}–{} {} ({}), {}",
                    l.slot.lesson_no,
                    l.slot.starts_at,
                    l.slot.ends_at,
                    l.slot.course_name,
                    l.slot.class_name,
                    l.slot.teachers
                );
                if !l.slot.room.is_empty() {
                    line.push_str(&format!(", {} {}", t.get("timetable.room"), l.slot.room));
                }
                if let Some(s) = &l.substitution {
                    line.push_str(&format!(" — {}: {}", t.get("timetable.substitute"), s.teacher_name));
                    if !s.note.is_empty() {
                        line.push_str(&format!(" ({})", s.note));
                    }
                }
                match days.last_mut() {
                    Some(d) if d.heading == heading => d.lessons.push(line),
                    _ => days.push(Day {
                        heading,
                        lessons: vec![line],
                    }),
                }
            }
            WeekView { title: w.title, days }
        })
        .collect();
    let page = WeekPage {
        page: Chrome::for_ctx(&ctx, t.get("timetable.title"), "/timetable", None),
        t,
        prev: shift(-7),
        next: shift(7),
        range: format!("{} – {}", format_date(monday), format_stored_date(&shift(6))),
        weeks: views,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "class_timetable.html")]
struct ClassPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    class_name: String,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    today: String,
    slots: Vec<SlotRow>,
    courses: Vec<Labelled<i64>>,
    weekdays: Vec<Labelled<i64>>,
    teachers: Vec<klade_app::setup::Teacher>,
    subjects: Vec<Labelled<i64>>,
    students: Vec<Labelled<i64>>,
    /// A refused form's input: "slot", "substitution" or "course".
    typed: crate::layout::Typed,
}

/// A slot of the class's timetable as the table shows it.
struct SlotRow {
    weekday: String,
    /// The lesson's number and hours.
    time: String,
    /// The course and its teachers.
    course: String,
    room: String,
    valid_from: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn class_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("slot") => Some("timetable.saved"),
        Some("substitution") => Some("timetable.substitution_saved"),
        Some("course") => Some("course.saved"),
        _ => None,
    };
    render_class(
        &state,
        &ctx,
        ClassId(class),
        Notice::done(flash),
        crate::layout::Typed::default(),
    )
    .await
}

async fn render_class(
    state: &AppState,
    ctx: &Ctx,
    class: ClassId,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today = state.app.today();
    let plan = timetable::class_plan(&state.app, session, class, today).await?;
    let (name, slots, courses) = (plan.name, plan.slots, plan.courses);
    let page = ClassPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("timetable.edit_title"),
            &format!("/classes/{}/timetable", class.0),
            None,
        ),
        t,
        class_id: class.0,
        class_name: name,
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| crate::error::text(t, e)),
        csrf: session.csrf_token.clone(),
        today: today.to_string(),
        slots: slots
            .iter()
            .map(|s| SlotRow {
                weekday: t.dynamic("weekday", &s.weekday.to_string()),
                time: format!("{}. {}–{}", s.lesson_no, s.starts_at, s.ends_at),
                course: format!("{} ({})", s.course_name, s.teachers),
                room: s.room.clone(),
                valid_from: format_date(s.valid_from),
            })
            .collect(),
        courses: courses
            .iter()
            .map(|c| Labelled {
                value: c.id.0,
                label: format!("{} — {}", c.name, c.teachers),
            })
            .collect(),
        weekdays: (1..=7)
            .map(|d| Labelled {
                value: d,
                label: t.dynamic("weekday", &d.to_string()),
            })
            .collect(),
        teachers: plan.teachers,
        subjects: plan
            .subjects
            .into_iter()
            .map(|s| Labelled {
                value: s.id.0,
                label: if s.kind == klade_domain::SubjectKind::Module {
                    format!("{} ({})", s.name, t.get("course.module"))
                } else {
                    s.name
                },
            })
            .collect(),
        students: plan
            .students
            .iter()
            .map(|s| Labelled {
                value: s.id.0,
                label: format!("{} {}", s.family_name, s.given_name),
            })
            .collect(),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

/// A refused form of the class's timetable page comes back as typed, the wrong field marked.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    class: i64,
    form: &'static str,
    fields: &[(String, String)],
    e: AppError,
) -> Result<Response, WebError> {
    match e {
        AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Clash { .. } => {
            let typed = crate::layout::Typed::new(form, fields, Some(&e));
            render_class(state, ctx, ClassId(class), Notice::refused(&e), typed).await
        }
        e => Err(e.into()),
    }
}

async fn set_slot(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let result = match crate::layout::parse_form::<SlotInput>(&fields) {
        Ok(input) => timetable::set_slot(&state.app, session, ClassId(class), &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/classes/{class}/timetable?done=slot")).into_response()),
        Err(e) => refused(&state, &ctx, class, "slot", &fields, e).await,
    }
}

async fn substitute(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let result = match crate::layout::parse_form::<SubstitutionInput>(&fields) {
        Ok(input) => timetable::substitute(&state.app, session, ClassId(class), &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/classes/{class}/timetable?done=substitution")).into_response()),
        Err(e) => refused(&state, &ctx, class, "substitution", &fields, e).await,
    }
}

async fn add_course(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let all = |name: &str| -> Vec<i64> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let input = timetable::CourseInput {
        subject: all("subject").first().copied().unwrap_or(0),
        teachers: all("teachers"),
        subgroup: fields.iter().find(|(k, _)| k == "subgroup").map(|(_, v)| v.clone()),
        students: all("students"),
    };
    match timetable::add_course(&state.app, session, ClassId(class), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/classes/{class}/timetable?done=course")).into_response()),
        Err(e) => refused(&state, &ctx, class, "course", &fields, e).await,
    }
}
