//! The preschool group's pages: the day (attendance by 09:00 and the journal with photos), the
//! week for the nurse's or clerk's check, the S/T/A/P grid, the photos, and a parent's view.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Choice, Chrome, Labelled};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::preschool::{self, MarkInput, PhotoUpload};
use klade_app::AppError;
use klade_domain::preschool::{DayMark, LEARNING_AREAS, TRANSVERSAL_SKILLS};
use klade_domain::{ClassId, PersonId};
use serde::Deserialize;

/// Six photos of a phone camera, with room for the form.
const UPLOAD_LIMIT: usize = preschool::MAX_PHOTOS * preschool::MAX_PHOTO_BYTES + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{group}", get(day_page))
        .route("/groups/{group}/attendance", post(save_attendance))
        .route(
            "/groups/{group}/journal",
            post(save_entry).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/groups/{group}/week", get(week_page))
        .route("/groups/{group}/assessment", get(grid_page).post(save_grid))
        .route("/preschool/photos/{id}", get(photo))
        .route("/preschool", get(child_page))
}

fn area_name(t: Tr, code: &str) -> String {
    t.dynamic("area", code)
}

/// A learning area or a transversal skill, for the entry form to offer.
struct Area {
    code: &'static str,
    name: String,
    skill: bool,
}

/// Every learning area and transversal skill.
fn areas(t: Tr) -> Vec<Area> {
    let area = |code: &'static str, skill| Area {
        code,
        name: area_name(t, code),
        skill,
    };
    LEARNING_AREAS
        .iter()
        .map(|&a| area(a, false))
        .chain(TRANSVERSAL_SKILLS.iter().map(|&a| area(a, true)))
        .collect()
}

fn shift(day: jiff::civil::Date, days: i64) -> String {
    day.checked_add(jiff::Span::new().days(days))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

// ---- the day ----

struct ChildLine {
    id: i64,
    name: String,
    code: String,
    reason: String,
    note: String,
}

struct EntryView {
    area: String,
    tasks: String,
    activities: String,
    meta: String,
    photos: Vec<i64>,
}

#[derive(Template)]
#[template(path = "group_day.html")]
struct DayPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    group: i64,
    group_name: String,
    date: jiff::civil::Date,
    date_text: String,
    prev: String,
    next: String,
    day_off: bool,
    /// Why the day cannot be written yet (a message key).
    closed: Option<&'static str>,
    children: Vec<ChildLine>,
    /// The day's marks; each child's own is chosen in its row.
    marks: Vec<Labelled<&'static str>>,
    marked: Option<String>,
    entries: Vec<EntryView>,
    corrections: Vec<String>,
    can_mark: bool,
    can_correct: bool,
    can_write: bool,
    /// The journal's other parts (assessment, plan, talks, checks): not the nurse's.
    reads_journal: bool,
    areas: Vec<Area>,
    flash: Option<&'static str>,
    error: Option<String>,
    /// The refused field, marked on the form.
    bad: String,
    /// What was typed into a refused form, shown again.
    typed: Typed,
}

/// A refused form's input: the marks and reasons per child, the correction's reason, the entry.
#[derive(Default)]
struct Typed {
    marks: Option<std::collections::HashMap<i64, (String, String)>>,
    reason: String,
    area: String,
    tasks: String,
    activities: String,
}

#[derive(Deserialize, Default)]
struct DayQuery {
    date: Option<String>,
    done: Option<String>,
}

async fn day_view(
    state: &AppState,
    ctx: &Ctx,
    group: i64,
    date: &str,
    notice: Notice<'_>,
    typed: Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let d = preschool::day(&state.app, session, ClassId(group), date).await?;
    let page = DayPage {
        page: Chrome::for_ctx(ctx, &d.group_name, "/groups", None),
        t,
        csrf: session.csrf_token.clone(),
        group,
        group_name: d.group_name.clone(),
        date_text: format_date(d.date),
        prev: shift(d.date, -1),
        next: shift(d.date, 1),
        day_off: d.day_off,
        closed: d.closed,
        children: d
            .children
            .iter()
            .map(|c| ChildLine {
                id: c.id.0,
                name: c.name.clone(),
                code: match typed.marks.as_ref().and_then(|m| m.get(&c.id.0)) {
                    Some((code, _)) => code.clone(),
                    None => c.absence.as_ref().map(|a| a.code.clone()).unwrap_or_default(),
                },
                reason: match typed.marks.as_ref().and_then(|m| m.get(&c.id.0)) {
                    Some((_, reason)) => reason.clone(),
                    None => c.absence.as_ref().map(|a| a.reason.clone()).unwrap_or_default(),
                },
                note: c
                    .absence
                    .as_ref()
                    .map(|a| {
                        let mut s = format!("{}, {}", a.entered_by, format_instant(a.entered_at));
                        if a.late {
                            s.push_str(&format!(" — {}", t.get("preschool.late")));
                        }
                        s
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        marks: DayMark::ALL
            .iter()
            .map(|m| Labelled {
                value: m.code(),
                label: t.dynamic("preschool", &format!("mark_{}", m.code())),
            })
            .collect(),
        marked: d.marked.as_ref().map(|m| {
            let mut s = format!("{}: {}, {}", t.get("preschool.marked"), m.by, format_instant(m.at));
            if m.late {
                s.push_str(&format!(" — {}", t.get("preschool.late")));
            }
            s
        }),
        entries: d
            .entries
            .iter()
            .map(|e| EntryView {
                area: area_name(t, &e.area),
                tasks: e.tasks.clone(),
                activities: e.activities.clone(),
                meta: {
                    let mut s = format!("{}, {}", e.author, format_instant(e.created_at));
                    if e.late {
                        s.push_str(&format!(" — {}", t.get("preschool.late")));
                    }
                    s
                },
                photos: e.photos.clone(),
            })
            .collect(),
        corrections: d
            .corrections
            .iter()
            .map(|c| {
                format!(
                    "{} · {} · {} → {} · {}",
                    format_instant(c.at),
                    c.person,
                    c.old_value.as_deref().unwrap_or("—"),
                    c.new_value.as_deref().unwrap_or("—"),
                    c.reason.as_deref().unwrap_or("")
                )
            })
            .collect(),
        can_mark: d.can_mark,
        can_correct: d.can_correct,
        can_write: d.can_write,
        reads_journal: d.reads_journal,
        areas: areas(t),
        date: d.date,
        flash,
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: match error {
            Some(AppError::Invalid { field, .. }) => (*field).to_string(),
            _ => String::new(),
        },
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

async fn day_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("late") => Some("preschool.saved_late"),
        Some("entry") => Some("preschool.entry_saved"),
        Some(_) => Some("preschool.saved"),
        None => None,
    };
    day_view(
        &state,
        &ctx,
        group,
        q.date.as_deref().unwrap_or(""),
        Notice::done(flash),
        Typed::default(),
    )
    .await
}

fn back_to_form(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::InvalidAt { .. })
}

async fn save_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let date = get("date").to_string();
    let mut marks = Vec::new();
    for (k, v) in &fields {
        if let Some(id) = k.strip_prefix("m:").and_then(|i| i.parse::<i64>().ok()) {
            marks.push(MarkInput {
                child: PersonId(id),
                code: v.clone(),
                reason: get(&format!("r:{id}")).to_string(),
            });
        }
    }
    match preschool::save_attendance(&state.app, session, ClassId(group), &date, &marks, get("reason")).await {
        Ok(late) => Ok(Redirect::to(&format!(
            "/groups/{group}?date={date}&done={}",
            if late { "late" } else { "ok" }
        ))
        .into_response()),
        Err(e) if back_to_form(&e) => {
            let typed = Typed {
                marks: Some(marks.into_iter().map(|m| (m.child.0, (m.code, m.reason))).collect()),
                reason: get("reason").to_string(),
                ..Typed::default()
            };
            day_view(
                &state,
                &ctx,
                group,
                &date,
                Notice {
                    done: None,
                    error: Some(&e),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let (mut date, mut area, mut tasks, mut activities) = (String::new(), String::new(), String::new(), String::new());
    let mut photos = Vec::new();
    let mut too_big = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                too_big = true;
                break;
            }
        };
        match field.name() {
            Some("date") => date = field.text().await.unwrap_or_default(),
            Some("area") => area = field.text().await.unwrap_or_default(),
            Some("tasks") => tasks = field.text().await.unwrap_or_default(),
            Some("activities") => activities = field.text().await.unwrap_or_default(),
            Some("photos") => match field.bytes().await {
                Ok(b) => photos.push(PhotoUpload { bytes: b.to_vec() }),
                Err(_) => too_big = true,
            },
            _ => {}
        }
    }
    let result = if too_big {
        Err(AppError::invalid("photos", "preschool.photo_too_large"))
    } else {
        preschool::save_entry(
            &state.app,
            session,
            ClassId(group),
            &date,
            &area,
            &tasks,
            &activities,
            photos,
        )
        .await
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{group}?date={date}&done=entry")).into_response()),
        Err(e) if back_to_form(&e) => {
            let typed = Typed {
                area,
                tasks,
                activities,
                ..Typed::default()
            };
            day_view(
                &state,
                &ctx,
                group,
                &date,
                Notice {
                    done: None,
                    error: Some(&e),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn photo(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let bytes = preschool::photo(&state.app, session, id).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

// ---- the week (J23) ----

/// A day of a child in the week.
struct WeekCell {
    /// The mark; empty when present.
    code: String,
    excused: bool,
    /// The mark's words and the reason given, on hover.
    hint: String,
}

struct WeekDay {
    date: jiff::civil::Date,
    shown: String,
}

struct WeekRow {
    name: String,
    /// A cell per working day.
    cells: Vec<WeekCell>,
}

/// Who marked a day's attendance and when, or that nobody did.
struct Marked {
    text: String,
    /// Marked late, or not at all.
    late: bool,
}

#[derive(Template)]
#[template(path = "group_week.html")]
struct WeekPage {
    page: Chrome,
    t: Tr,
    group: i64,
    group_name: String,
    prev: String,
    next: String,
    days: Vec<WeekDay>,
    rows: Vec<WeekRow>,
    /// A day each.
    marked: Vec<Marked>,
}

async fn week_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let w = preschool::week(&state.app, session, ClassId(group), q.date.as_deref().unwrap_or("")).await?;
    let rows = w
        .children
        .iter()
        .map(|(id, name)| {
            let cells = w
                .days
                .iter()
                .map(
                    |d| match w.absences.iter().find(|a| a.child_id == *id && &a.date == d) {
                        Some(a) => {
                            // The mark's words on hover, then the reason given.
                            let words = t.dynamic("preschool", &format!("mark_{}", a.code));
                            let hint = if a.reason.is_empty() {
                                words
                            } else {
                                format!("{words}: {}", a.reason)
                            };
                            WeekCell {
                                code: a.code.clone(),
                                excused: DayMark::parse(&a.code).is_some_and(|m| m.excused()),
                                hint,
                            }
                        }
                        None => WeekCell {
                            code: String::new(),
                            excused: true,
                            hint: String::new(),
                        },
                    },
                )
                .collect();
            WeekRow {
                name: name.clone(),
                cells,
            }
        })
        .collect();
    let marked = w
        .days
        .iter()
        .map(|d| match w.marked.iter().find(|m| &m.date == d) {
            Some(m) => Marked {
                text: format!("{} {}", m.by, format_instant(m.at)),
                late: m.late,
            },
            None => Marked {
                text: t.get("preschool.not_marked").to_string(),
                late: true,
            },
        })
        .collect();
    let page = WeekPage {
        page: Chrome::for_ctx(&ctx, &w.group_name, "/groups", None),
        t,
        group,
        group_name: w.group_name.clone(),
        prev: shift(w.monday, -7),
        next: shift(w.monday, 7),
        days: w
            .days
            .iter()
            .map(|d| WeekDay {
                date: *d,
                shown: format_date(*d),
            })
            .collect(),
        rows,
        marked,
    };
    Ok(render(&page)?.into_response())
}

// ---- the assessment grid (J26) ----

/// A cell of the assessment grid: its area's code and name, the mark shown (saved or, after a
/// refusal, as typed), the earlier marks, and whether it was the refused one.
struct GridCell {
    area: &'static str,
    area_name: String,
    mark: String,
    history: String,
    bad: bool,
}

#[derive(Template)]
#[template(path = "group_assessment.html")]
struct GridPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    group: i64,
    group_name: String,
    /// The areas' names, a column each.
    areas: Vec<String>,
    rows: Vec<GridRow>,
    can_write: bool,
    flash: Option<&'static str>,
    error: Option<String>,
}

struct GridRow {
    child: i64,
    name: String,
    /// A cell per area.
    cells: Vec<GridCell>,
}

async fn grid_view(
    state: &AppState,
    ctx: &Ctx,
    group: i64,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let g = preschool::grid(&state.app, session, ClassId(group)).await?;
    let rows = g
        .children
        .iter()
        .map(|(id, name)| {
            let cells = g
                .areas
                .iter()
                .map(|a| {
                    let history: Vec<String> = g
                        .assessments
                        .iter()
                        .filter(|x| x.child_id == *id && x.area == *a)
                        .map(|x| format!("{} {}", format_date(x.date), x.mark))
                        .collect();
                    let current = preschool::current(&g.assessments, *id, a)
                        .map(|x| x.mark.clone())
                        .unwrap_or_default();
                    let key = format!("s:{}:{a}", id.0);
                    GridCell {
                        area: a,
                        area_name: area_name(t, a),
                        mark: typed.or("grid", &key, &current).to_string(),
                        history: history.join(", "),
                        bad: typed.is("grid") && typed.bad == key,
                    }
                })
                .collect();
            GridRow {
                child: id.0,
                name: name.clone(),
                cells,
            }
        })
        .collect();
    let page = GridPage {
        page: Chrome::for_ctx(ctx, &g.group_name, "/groups", None),
        t,
        csrf: session.csrf_token.clone(),
        group,
        group_name: g.group_name.clone(),
        areas: g.areas.iter().map(|a| area_name(t, a)).collect(),
        rows,
        can_write: g.can_write,
        flash,
        error: error.map(|e| t.get(e.code()).to_string()),
    };
    Ok((status, render(&page)?).into_response())
}

async fn grid_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.is_some().then_some("preschool.saved");
    grid_view(
        &state,
        &ctx,
        group,
        Notice::done(flash),
        crate::layout::Typed::default(),
    )
    .await
}

async fn save_grid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let mut cells = Vec::new();
    for (k, v) in &fields {
        let mut parts = k.splitn(3, ':');
        if let (Some("s"), Some(child), Some(area)) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(child) = child.parse::<i64>() {
                cells.push((PersonId(child), area.to_string(), v.clone()));
            }
        }
    }
    match preschool::save_grid(&state.app, session, ClassId(group), &cells).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{group}/assessment?done=1")).into_response()),
        Err(e) if back_to_form(&e) => {
            let typed = crate::layout::Typed::new("grid", &fields, Some(&e));
            grid_view(
                &state,
                &ctx,
                group,
                Notice {
                    done: None,
                    error: Some(&e),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a parent's view ----

#[derive(Template)]
#[template(path = "preschool_child.html")]
struct ChildPage {
    page: Chrome,
    t: Tr,
    /// Tabs of the parent's children.
    children: Vec<Choice<i64>>,
    name: String,
    group: i64,
    group_name: String,
    days: Vec<EntryDay>,
    assessments: Vec<AreaMarks>,
    absences: Vec<String>,
}

/// A day's journal entries, the day as shown.
struct EntryDay {
    date: String,
    entries: Vec<EntryView>,
}

/// A learning area's marks of one child.
struct AreaMarks {
    area: String,
    /// The latest mark.
    mark: String,
    /// Every mark with its date.
    history: String,
}

#[derive(Deserialize, Default)]
struct ChildQuery {
    child: Option<i64>,
}

async fn child_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChildQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let children = preschool::children(&state.app, session).await?;
    let chosen = q
        .child
        .map(PersonId)
        .or_else(|| children.first().map(|c| c.student_id))
        .ok_or_else(|| AppError::NotFound)?;
    let v = preschool::child(&state.app, session, chosen).await?;
    let mut days: Vec<EntryDay> = Vec::new();
    for e in &v.entries {
        let view = EntryView {
            area: area_name(t, &e.area),
            tasks: e.tasks.clone(),
            activities: e.activities.clone(),
            meta: e.author.clone(),
            photos: e.photos.clone(),
        };
        let shown = format_date(e.date);
        match days.last_mut() {
            Some(d) if d.date == shown => d.entries.push(view),
            _ => days.push(EntryDay {
                date: shown,
                entries: vec![view],
            }),
        }
    }
    let assessments = LEARNING_AREAS
        .iter()
        .filter_map(|a| {
            let marks: Vec<&klade_app::preschool::Assessment> = v.assessments.iter().filter(|x| x.area == *a).collect();
            let last = marks.last()?;
            Some(AreaMarks {
                area: area_name(t, a),
                mark: last.mark.clone(),
                history: marks
                    .iter()
                    .map(|x| format!("{} {}", format_date(x.date), x.mark))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect();
    let page = ChildPage {
        page: Chrome::for_ctx(&ctx, t.get("preschool.title"), "/preschool", None),
        t,
        children: children
            .iter()
            .map(|c| Choice {
                value: c.student_id.0,
                label: format!("{} {}", c.given_name, c.family_name),
                chosen: c.student_id == chosen,
            })
            .collect(),
        name: v.name.clone(),
        group: v.group.0,
        group_name: v.group_name.clone(),
        days,
        assessments,
        absences: v
            .absences
            .iter()
            .map(|a| {
                format!(
                    "{}: {}{}",
                    format_date(a.date),
                    t.dynamic("preschool", &format!("mark_{}", a.code)),
                    if a.reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", a.reason)
                    }
                )
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
