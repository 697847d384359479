//! Setting an institution up (R16): its school years with their terms and holidays. The rules are
//! `klade_app::setup`'s; these pages show them and keep what was typed when a form is refused.

use super::people::institution_for;
use crate::ctx::{Ctx, Query};
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use klade_app::clock::{format_date, format_stored_date};
use klade_app::setup::{self, ClassInput, PeriodInput, PlanLineInput, StaffInput, YearInput};
use klade_app::AppError;
use klade_domain::Action;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup/years", get(years).post(create_year))
        .route("/setup/staff", get(staff).post(add_staff))
        .route("/setup/classes", get(classes).post(add_class))
        .route("/setup/classes/{class}/tutors", axum::routing::post(set_tutor))
        .route("/setup/subjects", axum::routing::post(add_subject))
        .route("/setup/classes/{class}/plan", get(plan).post(set_plan))
        .route("/setup/classes/{class}/plan/copy", axum::routing::post(copy_plan))
        .route("/setup/next-year", get(next_year).post(prepare_next_year))
        .route("/admin/institution", get(institution_settings).post(save_institution))
        .route(
            "/admin/institution/logo",
            get(logo)
                .post(upload_logo)
                .layer(axum::extract::DefaultBodyLimit::max(klade_media_limit())),
        )
}

/// The logo's upload: an image as a photo may be, and the form around it.
fn klade_media_limit() -> usize {
    klade_app::preschool::MAX_PHOTO_BYTES + 64 * 1024
}

#[derive(Deserialize, Default)]
struct InstQuery {
    i: Option<i64>,
    done: Option<String>,
}

struct YearView {
    name: String,
    period: String,
    terms: Vec<PeriodView>,
    holidays: Vec<PeriodView>,
}

/// A term or holiday of a saved year, its dates as shown.
struct PeriodView {
    name: String,
    from: String,
    to: String,
}

struct PeriodRow {
    name: String,
    starts_on: String,
    ends_on: String,
    key_from: String,
    key_to: String,
}

#[derive(Template)]
#[template(path = "setup_years.html")]
struct YearsPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    /// The field the refusal is about.
    bad: String,
    years: Vec<YearView>,
    form: YearInput,
    form_terms: Vec<PeriodRow>,
    form_holidays: Vec<PeriodRow>,
}

fn rows(list: &[PeriodInput], what: &str, at_least: usize) -> Vec<PeriodRow> {
    let mut out: Vec<PeriodRow> = list
        .iter()
        .enumerate()
        .map(|(i, p)| PeriodRow {
            name: p.name.clone(),
            starts_on: p.starts_on.clone(),
            ends_on: p.ends_on.clone(),
            key_from: format!("{what}.{i}.starts_on"),
            key_to: format!("{what}.{i}.ends_on"),
        })
        .collect();
    // Spare lines for one more term or holiday.
    while out.len() < at_least {
        let i = out.len();
        out.push(PeriodRow {
            name: String::new(),
            starts_on: String::new(),
            ends_on: String::new(),
            key_from: format!("{what}.{i}.starts_on"),
            key_to: format!("{what}.{i}.ends_on"),
        });
    }
    out
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    wanted: Option<i64>,
    typed: Option<YearInput>,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let inst = institution_for(ctx, wanted, &[Action::PrepareYear])?;
    let t = Tr::new(ctx.lang);
    let y = setup::years(&state.app, session, inst).await?;
    let shown = |list: &[PeriodInput]| -> Vec<PeriodView> {
        list.iter()
            .map(|p| PeriodView {
                name: p.name.clone(),
                from: format_stored_date(&p.starts_on),
                to: format_stored_date(&p.ends_on),
            })
            .collect()
    };
    let years = y
        .years
        .iter()
        .map(|y| YearView {
            name: y.name.clone(),
            period: format!(
                "{} – {}",
                format_stored_date(&y.starts_on),
                format_stored_date(&y.ends_on)
            ),
            terms: shown(&y.terms),
            holidays: shown(&y.holidays),
        })
        .collect();
    let form = typed.unwrap_or(y.proposal);
    let bad = match error {
        Some(AppError::InvalidAt { field, .. }) => field.clone(),
        Some(AppError::Invalid { field, .. }) => (*field).to_string(),
        _ => String::new(),
    };
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let p = YearsPage {
        page: Chrome::for_ctx(ctx, t.get("setup.years_title"), "/setup/years", None),
        t,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad,
        years,
        form_terms: rows(&form.terms, "terms", form.terms.len() + 1),
        form_holidays: rows(&form.holidays, "holidays", form.holidays.len() + 1),
        form,
    };
    Ok((status, render(&p)?).into_response())
}

async fn years(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("year")).then_some("setup.year_created");
    page(&state, &ctx, q.i, None, Notice::done(flash)).await
}

/// The form's repeated fields (`term_name`, `term_from`, `term_to`, the same for holidays) as the
/// use case's input.
fn year_input(fields: &[(String, String)]) -> YearInput {
    let one = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> { fields.iter().filter(|(f, _)| f == k).map(|(_, v)| v.clone()).collect() };
    let periods = |prefix: &str| -> Vec<PeriodInput> {
        let (names, froms, tos) = (
            all(&format!("{prefix}_name")),
            all(&format!("{prefix}_from")),
            all(&format!("{prefix}_to")),
        );
        (0..names.len().max(froms.len()).max(tos.len()))
            .map(|i| PeriodInput {
                name: names.get(i).cloned().unwrap_or_default(),
                starts_on: froms.get(i).cloned().unwrap_or_default(),
                ends_on: tos.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    };
    YearInput {
        name: one("name"),
        starts_on: one("starts_on"),
        ends_on: one("ends_on"),
        terms: periods("term"),
        holidays: periods("holiday"),
    }
}

async fn create_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    let input = year_input(&fields);
    match setup::create_year(&state.app, session, inst, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/setup/years?i={}&done=year", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. } | AppError::Conflict(_))) => {
            // What was typed comes back, without the spare empty lines the page adds anew.
            let mut typed = input;
            typed
                .terms
                .retain(|p| !(p.name.is_empty() && p.starts_on.is_empty() && p.ends_on.is_empty()));
            typed
                .holidays
                .retain(|p| !(p.name.is_empty() && p.starts_on.is_empty() && p.ends_on.is_empty()));
            page(&state, &ctx, Some(inst.0), Some(typed), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Positions the form suggests (any VIIS position is understood).
const POSITIONS: [&str; 11] = [
    "Direktors",
    "Direktora vietnieks mācību darbā",
    "Direktora vietnieks metodiskajā darbā",
    "Direktora vietnieks radošajā darbā",
    "Direktora vietnieks audzināšanas darbā",
    "Vadītāja",
    "Vadītājas vietniece",
    "Lietvede",
    "Medicīnas māsa",
    "Skolotājs",
    "Pirmsskolas izglītības skolotāja",
];

#[derive(Template)]
#[template(path = "setup_staff.html")]
struct StaffPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    bad: String,
    staff: Vec<StaffRow>,
    form: StaffInput,
    positions: [&'static str; 11],
}

/// A member of staff as the list shows them.
struct StaffRow {
    id: i64,
    name: String,
    roles: String,
    from: String,
    /// "—" without an account.
    username: String,
}

fn bad_field(error: Option<&AppError>) -> String {
    match error {
        Some(AppError::InvalidAt { field, .. }) => field.clone(),
        Some(AppError::Invalid { field, .. }) => (*field).to_string(),
        _ => String::new(),
    }
}

async fn staff_page(
    state: &AppState,
    ctx: &Ctx,
    wanted: Option<i64>,
    form: StaffInput,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let inst = institution_for(ctx, wanted, &[Action::EnterStaff])?;
    let t = Tr::new(ctx.lang);
    let (kind, list) = setup::staff(&state.app, session, inst).await?;
    let staff = list
        .into_iter()
        .map(|e| StaffRow {
            id: e.person_id.0,
            name: e.name,
            roles: e
                .roles
                .iter()
                .map(|r| t.role("role", r, kind))
                .collect::<Vec<_>>()
                .join(", "),
            from: format_date(e.employed_from),
            username: e.username.unwrap_or_else(|| "—".into()),
        })
        .collect();
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let p = StaffPage {
        page: Chrome::for_ctx(ctx, t.get("setup.staff_title"), "/setup/staff", None),
        t,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: bad_field(error),
        staff,
        form,
        positions: POSITIONS,
    };
    Ok((status, render(&p)?).into_response())
}

async fn staff(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("staff")).then_some("setup.staff_added");
    staff_page(&state, &ctx, q.i, StaffInput::default(), Notice::done(flash)).await
}

async fn add_staff(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(form): Form<StaffInput>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::EnterStaff])?;
    match setup::add_staff(&state.app, session, inst, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/setup/staff?i={}&done=staff", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. } | AppError::Conflict(_))) => {
            staff_page(&state, &ctx, Some(inst.0), form, Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "setup_classes.html")]
struct ClassesPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    bad: String,
    classes: Vec<setup::ClassLine>,
    subjects: Vec<setup::Subject>,
    teachers: Vec<setup::Teacher>,
    group_kind: bool,
    has_year: bool,
    may_prepare: bool,
    may_staff: bool,
    tutor_label: String,
    add_label: String,
    form: ClassInput,
}

async fn classes_page(
    state: &AppState,
    ctx: &Ctx,
    wanted: Option<i64>,
    form: ClassInput,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let inst = institution_for(ctx, wanted, &[Action::PrepareYear, Action::EnterStaff])?;
    let t = Tr::new(ctx.lang);
    let s = setup::structure(&state.app, session, inst).await?;
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let (tutor_label, add_label) = if s.group_kind {
        (t.get("setup.group_teachers"), t.get("setup.add_group"))
    } else {
        (t.get("setup.tutors"), t.get("setup.add_class"))
    };
    let p = ClassesPage {
        page: Chrome::for_ctx(ctx, t.get("setup.classes_title"), "/setup/classes", None),
        t,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: bad_field(error),
        classes: s.classes,
        subjects: s.subjects,
        teachers: s.teachers,
        group_kind: s.group_kind,
        has_year: s.has_year,
        may_prepare: s.may_prepare,
        may_staff: s.may_staff,
        tutor_label: tutor_label.to_string(),
        add_label: add_label.to_string(),
        form,
    };
    Ok((status, render(&p)?).into_response())
}

async fn classes(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let flash = q.done.as_deref().map(|d| match d {
        "class" => "setup.class_added",
        "subject" => "setup.subject_added",
        _ => "person.saved",
    });
    classes_page(&state, &ctx, q.i, ClassInput::default(), Notice::done(flash)).await
}

async fn add_class(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(form): Form<ClassInput>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    match setup::add_class(&state.app, session, inst, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/setup/classes?i={}&done=class", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            classes_page(&state, &ctx, Some(inst.0), form, Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SubjectForm {
    name: String,
    module: Option<String>,
    #[serde(default)]
    code: String,
}

async fn add_subject(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(form): Form<SubjectForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    match setup::add_subject(&state.app, session, inst, &form.name, form.module.is_some(), &form.code).await {
        Ok(()) => Ok(Redirect::to(&format!("/setup/classes?i={}&done=subject", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            classes_page(&state, &ctx, Some(inst.0), ClassInput::default(), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TutorForm {
    person: i64,
    remove: Option<String>,
}

async fn set_tutor(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Path(class): crate::ctx::Path<i64>,
    Form(form): Form<TutorForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let class = klade_domain::ClassId(class);
    let remove = form.remove.is_some();
    match setup::set_tutor(&state.app, session, class, klade_domain::PersonId(form.person), remove).await {
        Ok(inst) => Ok(Redirect::to(&format!("/setup/classes?i={}&done=tutor", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            classes_page(&state, &ctx, None, ClassInput::default(), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A line of the study plan as the page shows it: what was saved, or what was typed.
struct PlanRow {
    subject: i64,
    name: String,
    module: bool,
    /// Up to two teachers' ids ("" for none), for the two selects.
    teachers: [String; 2],
    hours: String,
    in_use: bool,
    /// The line's field a refusal marks.
    bad_teachers: bool,
    bad_hours: bool,
}

#[derive(Template)]
#[template(path = "study_plan.html")]
struct PlanPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    class_name: String,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    rows: Vec<PlanRow>,
    teachers: Vec<setup::Teacher>,
    copy_from: Option<String>,
    total: i64,
    /// The classes' page is the superuser's and staff's, not the deputy's.
    classes_link: bool,
}

impl PlanRow {
    /// Whether the `k`th teacher select has `id` chosen.
    fn picks(&self, k: &usize, id: &str) -> bool {
        self.teachers.get(*k).is_some_and(|t| t == id)
    }
}

fn two(ids: &[i64]) -> [String; 2] {
    let at = |i: usize| ids.get(i).map(|t| t.to_string()).unwrap_or_default();
    [at(0), at(1)]
}

async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    class: i64,
    typed: Option<&[PlanLineInput]>,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let p = setup::study_plan(&state.app, session, klade_domain::ClassId(class)).await?;
    let bad = bad_field(error);
    let rows: Vec<PlanRow> = p
        .lines
        .iter()
        .map(|l| {
            let input = typed.and_then(|ls| ls.iter().find(|i| i.subject == l.subject.0));
            PlanRow {
                subject: l.subject.0,
                name: l.name.clone(),
                module: l.kind == klade_domain::SubjectKind::Module,
                teachers: two(input.map_or(&l.teachers, |i| &i.teachers)),
                hours: input.map_or_else(
                    || l.hours.map(|h| h.to_string()).unwrap_or_default(),
                    |i| i.hours.clone(),
                ),
                in_use: l.in_use,
                bad_teachers: bad == format!("teachers-{}", l.subject.0),
                bad_hours: bad == format!("hours-{}", l.subject.0),
            }
        })
        .collect();
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let page = PlanPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("study_plan.title"),
            &format!("/setup/classes/{class}/plan"),
            None,
        ),
        t,
        class_id: class,
        class_name: p.class_name,
        inst: p.institution.0,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        total: p.lines.iter().filter_map(|l| l.hours).sum(),
        rows,
        teachers: p.teachers,
        copy_from: p.copy_from.map(|(_, year)| year),
        classes_link: p.classes_link,
    };
    Ok((status, render(&page)?).into_response())
}

async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Path(class): crate::ctx::Path<i64>,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.as_deref().map(|d| {
        if d == "copied" {
            "study_plan.copied"
        } else {
            "study_plan.saved"
        }
    });
    plan_page(&state, &ctx, class, None, Notice::done(flash)).await
}

/// The form's lines: `teacher-{subject}` (twice) and `hours-{subject}` for each subject shown.
fn plan_lines(fields: &[(String, String)]) -> Vec<PlanLineInput> {
    let mut lines: Vec<PlanLineInput> = Vec::new();
    for (k, v) in fields {
        let Some((what, subject)) = k.split_once('-') else {
            continue;
        };
        let Ok(subject) = subject.parse::<i64>() else { continue };
        let at = match lines.iter().position(|l| l.subject == subject) {
            Some(i) => i,
            None => {
                lines.push(PlanLineInput {
                    subject,
                    ..PlanLineInput::default()
                });
                lines.len() - 1
            }
        };
        match what {
            "hours" => lines[at].hours = v.clone(),
            "teacher" => {
                if let Ok(t) = v.parse::<i64>() {
                    lines[at].teachers.push(t);
                }
            }
            _ => {}
        }
    }
    lines
}

async fn set_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Path(class): crate::ctx::Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let lines = plan_lines(&fields);
    match setup::set_study_plan(&state.app, session, klade_domain::ClassId(class), &lines).await {
        Ok(()) => Ok(Redirect::to(&format!("/setup/classes/{class}/plan?done=saved")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. } | AppError::Conflict(_))) => {
            plan_page(&state, &ctx, class, Some(&lines), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn copy_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::ctx::Path(class): crate::ctx::Path<i64>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match setup::copy_study_plan(&state.app, session, klade_domain::ClassId(class)).await {
        Ok(_) => Ok(Redirect::to(&format!("/setup/classes/{class}/plan?done=copied")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. })) => {
            plan_page(&state, &ctx, class, None, Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct NextYearForm {
    #[serde(default)]
    top: String,
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    order_date: String,
}

#[derive(Template)]
#[template(path = "next_year.html")]
struct NextYearPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    bad: String,
    plan: Option<setup::NextYear>,
    lines: Vec<MoveRow>,
    form: NextYearForm,
}

/// Where a class goes next year, as the table shows it.
struct MoveRow {
    from: String,
    /// Its name next year, or that it finishes.
    to: String,
    students: usize,
    tutors: String,
}

async fn next_year_page(
    state: &AppState,
    ctx: &Ctx,
    wanted: Option<i64>,
    form: NextYearForm,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let inst = institution_for(ctx, wanted, &[Action::PrepareYear])?;
    let t = Tr::new(ctx.lang);
    let top = form.top.trim().parse::<i64>().ok();
    let plan = setup::next_year(&state.app, session, inst, top).await?;
    let lines = plan
        .iter()
        .flat_map(|p| &p.lines)
        .map(|l| MoveRow {
            from: l.name.clone(),
            to: l.to.clone().unwrap_or_else(|| t.get("next_year.finish").to_string()),
            students: l.students.len(),
            tutors: l.tutors.join(", "),
        })
        .collect();
    let form = NextYearForm {
        top: plan.as_ref().map(|p| p.top.to_string()).unwrap_or(form.top),
        ..form
    };
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let p = NextYearPage {
        page: Chrome::for_ctx(ctx, t.get("next_year.title"), "/setup/next-year", None),
        t,
        inst: inst.0,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: bad_field(error),
        plan,
        lines,
        form,
    };
    Ok((status, render(&p)?).into_response())
}

#[derive(Deserialize, Default)]
struct NextYearQuery {
    i: Option<i64>,
    top: Option<String>,
    done: Option<String>,
}

async fn next_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextYearQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.is_some().then_some("next_year.done");
    let form = NextYearForm {
        top: q.top.unwrap_or_default(),
        ..NextYearForm::default()
    };
    next_year_page(&state, &ctx, q.i, form, Notice::done(flash)).await
}

async fn prepare_next_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(form): Form<NextYearForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    let top = form.top.trim().parse::<i64>().ok();
    match setup::prepare_next_year(&state.app, session, inst, top, &form.order_number, &form.order_date).await {
        Ok(_) => Ok(Redirect::to(&format!("/setup/next-year?i={}&done=1", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. } | AppError::Conflict(_))) => {
            next_year_page(&state, &ctx, Some(inst.0), form, Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "institution.html")]
struct InstitutionPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    bad: String,
    kind: String,
    form: setup::InstitutionInput,
    has_logo: bool,
    /// The other set-up pages this person may open.
    links: Vec<SetupLink>,
}

struct SetupLink {
    href: String,
    /// The catalogue key of its label.
    key: &'static str,
}

async fn institution_page(
    state: &AppState,
    ctx: &Ctx,
    wanted: Option<i64>,
    typed: Option<setup::InstitutionInput>,
    notice: Notice<'_>,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let inst = institution_for(ctx, wanted, &[Action::PrepareYear])?;
    let t = Tr::new(ctx.lang);
    let i = setup::institution(&state.app, session, inst).await?;
    let reach = setup::reach(session, inst);
    let n = inst.0;
    let link = |href: String, key| SetupLink { href, key };
    let mut links = vec![
        link(format!("/setup/years?i={n}"), "setup.years_title"),
        link(format!("/setup/classes?i={n}"), "setup.classes_title"),
        link(format!("/setup/next-year?i={n}"), "next_year.title"),
    ];
    if reach.staff {
        links.push(link(format!("/setup/staff?i={n}"), "setup.staff_title"));
    }
    links.push(link(format!("/admin/import?i={n}"), "import.title"));
    if reach.accounts {
        links.push(link(format!("/admin/accounts?i={n}"), "nav2.accounts"));
        links.push(link(format!("/admin/sms?i={n}"), "sms.title"));
        links.push(link(format!("/admin/rules?i={n}"), "rules.title"));
    }
    if reach.words {
        links.push(link(format!("/admin/words?i={n}"), "words.title"));
    }
    links.push(link(format!("/calendar?i={n}"), "calendar.title"));
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let p = InstitutionPage {
        page: Chrome::for_ctx(ctx, t.get("institution.title"), "/admin/institution", None),
        t,
        inst: n,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        bad: bad_field(error),
        kind: t.dynamic("kind", i.kind.code()),
        form: typed.unwrap_or(setup::InstitutionInput {
            name: i.name,
            reg_no: i.reg_no,
            address: i.address,
        }),
        has_logo: i.logo_file.is_some(),
        links,
    };
    Ok((status, render(&p)?).into_response())
}

async fn institution_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.as_deref().map(|d| {
        if d == "logo" {
            "institution.logo_saved"
        } else {
            "institution.saved"
        }
    });
    institution_page(&state, &ctx, q.i, None, Notice::done(flash)).await
}

async fn save_institution(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(form): Form<setup::InstitutionInput>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    match setup::set_institution(&state.app, session, inst, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/institution?i={}&done=saved", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            institution_page(&state, &ctx, Some(inst.0), Some(form), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn upload_logo(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    let mut upload = None;
    let mut remove = false;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("logo") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::invalid("logo", "preschool.photo_too_large"))?;
                if !bytes.is_empty() {
                    upload = Some(bytes.to_vec());
                }
            }
            Some("remove") => remove = true,
            _ => {}
        }
    }
    if upload.is_none() && !remove {
        let e = AppError::invalid("logo", "preschool.not_an_image");
        return institution_page(&state, &ctx, Some(inst.0), None, Notice::refused(&e)).await;
    }
    match setup::set_logo(&state.app, session, inst, upload).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/institution?i={}&done=logo", inst.0)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            institution_page(&state, &ctx, Some(inst.0), None, Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The logo as stored, for the settings page to show.
async fn logo(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::PrepareYear])?;
    let (content_type, data) = setup::logo(&state.app, session, inst).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}
