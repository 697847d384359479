//! A preschool group's monthly plan, its talks with parents and its journal-check findings, and
//! the deputy head's list of plans missing or late. Pages only: what the reader may see and do
//! comes from `klade_app::preschool_plans`, which asks the policy.

use super::history_words::HistoryRow;
use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::Choice;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::journal::HistoryEntry as Entry;
use klade_app::preschool_plans::{self as plans, TalkInput};
use klade_app::AppError;
use klade_domain::preschool::{LEARNING_AREAS, TRANSVERSAL_SKILLS};
use klade_domain::{ClassId, InstitutionId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups/{group}/plan", get(plan).post(save_plan))
        .route("/groups/{group}/talks", get(talks).post(add_talk))
        .route("/preschool/plans", get(overview))
}

/// The three pages of a group this module owns, as tabs: (href, label, current).
pub(super) fn tabs(t: Tr, group: i64, current: &str) -> Vec<Choice<String>> {
    [
        ("plan", t.get("plan.title")),
        ("talks", t.get("talk.title")),
        ("checks", t.get("check.title")),
    ]
    .into_iter()
    .map(|(p, label)| Choice {
        value: format!("/groups/{group}/{p}"),
        label: label.to_string(),
        chosen: p == current,
    })
    .collect()
}

/// A text as lines, so a template shows its line breaks without markup in the value.
pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// The label of a plan field (`plan.f_<field>`).
fn field_label(t: Tr, field: &str) -> String {
    t.dynamic("plan", &format!("f_{field}"))
}

/// The message of an error, with the field's label when the field is one of the plan's.
fn error_text(t: Tr, e: &AppError) -> String {
    match e {
        AppError::Invalid { field, code } if plans::plan_fields().iter().any(|f| f == field) => {
            format!("{}: {}", field_label(t, field), t.get(code))
        }
        _ => t.get(e.code()).to_string(),
    }
}

// ---- the monthly plan ----

struct FieldView {
    name: String,
    label: String,
    value: String,
    lines: Vec<String>,
    /// ` aria-invalid="true"` when a refused save named this field.
    invalid: &'static str,
}

struct SectionView {
    title: String,
    fields: Vec<FieldView>,
}

/// Who filed the month's plan and when, and who changed it last.
struct Filed {
    filed: String,
    changed: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "group_plan.html")]
struct PlanPage {
    page: Chrome,
    t: Tr,
    tabs: Vec<Choice<String>>,
    group: i64,
    group_name: String,
    month: String,
    month_label: String,
    prev: String,
    next: String,
    due: String,
    filed: Option<Filed>,
    sections: Vec<SectionView>,
    editing: bool,
    past: bool,
    history: Vec<HistoryRow>,
    open_checks: i64,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    /// ` aria-invalid="true"` when a refused save named the month.
    month_invalid: &'static str,
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    month: Option<String>,
    done: Option<String>,
}

async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("late") => Some("plan.saved_late"),
        Some("same") => Some("plan.unchanged"),
        Some(_) => Some("plan.saved"),
        None => None,
    };
    let month = match q.month {
        Some(m) => m,
        None => plans::month_of(state.app.today()),
    };
    plan_page(&state, &ctx, ClassId(group), &month, flash, None, StatusCode::OK).await
}

/// The plan page; after a refused save, `typed` holds what the teacher typed and the form shows it.
async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    group: ClassId,
    month: &str,
    flash: Option<&str>,
    typed: Option<(&[(String, String)], &AppError)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    // A month typed wrongly still shows the page (with the error), for the current month.
    let shown_month = match plans::parse_month(month) {
        Ok(_) => month.trim().to_string(),
        Err(_) if typed.is_some() => plans::month_of(state.app.today()),
        Err(e) => return Err(e.into()),
    };
    let v = plans::plan(&state.app, session, group, &shown_month).await?;
    let first = plans::parse_month(&v.month)?;
    let shift = |d: Result<jiff::civil::Date, jiff::Error>| d.map(plans::month_of).unwrap_or_default();
    let value_of = |field: &str| -> String {
        match typed {
            Some((values, _)) => values
                .iter()
                .find(|(k, _)| k == field)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            None => v
                .plan
                .as_ref()
                .and_then(|p| p.fields.get(field).cloned())
                .unwrap_or_default(),
        }
    };
    let refused = typed
        .map(|(fields, e)| crate::layout::Typed::new("plan", fields, Some(e)))
        .unwrap_or_default();
    let section = |title: &str, fields: Vec<String>| SectionView {
        title: t.get(title).to_string(),
        fields: fields
            .into_iter()
            .map(|f| {
                let value = value_of(&f);
                FieldView {
                    label: field_label(t, &f),
                    lines: lines(&value),
                    value,
                    invalid: refused.invalid("plan", &f),
                    name: f,
                }
            })
            .collect(),
    };
    let sections = vec![
        section(
            "plan.basic",
            plans::BASIC_FIELDS.iter().map(|f| f.to_string()).collect(),
        ),
        section(
            "plan.areas",
            LEARNING_AREAS.iter().map(|a| format!("area_{a}")).collect(),
        ),
        section(
            "plan.skills",
            TRANSVERSAL_SKILLS.iter().map(|s| format!("skill_{s}")).collect(),
        ),
        section(
            "plan.extra",
            plans::EXTRA_FIELDS.iter().map(|f| f.to_string()).collect(),
        ),
    ];
    let history = v
        .history
        .iter()
        .map(|e: &Entry| HistoryRow {
            when: format_instant(e.at),
            who: e.person.clone(),
            what: e.item.rsplit(':').next().map(|f| field_label(t, f)).unwrap_or_default(),
            old: e.old_value.clone().unwrap_or_default(),
            new: e.new_value.clone().unwrap_or_default(),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    let page = PlanPage {
        page: Chrome::for_ctx(
            ctx,
            &format!("{}: {}", t.get("plan.title"), v.group_name),
            &format!("/groups/{}/plan?month={}", group.0, v.month),
            None,
        ),
        tabs: if v.staff { tabs(t, group.0, "plan") } else { Vec::new() },
        group: group.0,
        group_name: v.group_name.clone(),
        month_label: t.month(&v.month),
        prev: shift(first.yesterday()),
        next: shift(first.last_of_month().tomorrow()),
        due: v.due.map(format_date).unwrap_or_default(),
        filed: v.plan.as_ref().map(|p| Filed {
            filed: format!("{}, {}", p.created_by, format_instant(p.created_at)),
            changed: format!("{}, {}", p.updated_by, format_instant(p.updated_at)),
            late: p.late,
        }),
        sections,
        // After a refused save the form stays, so nothing typed is lost.
        editing: v.can_edit && (!v.past || typed.is_some()),
        past: v.past,
        history,
        open_checks: v.open_checks,
        flash: flash.map(|k| t.get(k).to_string()),
        error: typed.map(|(_, e)| error_text(t, e)),
        month_invalid: refused.invalid("plan", "month"),
        csrf: session.csrf_token.clone(),
        month: v.month,
        t,
    };
    Ok((status, render(&page)?).into_response())
}

async fn save_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let month = fields
        .iter()
        .find(|(k, _)| k == "month")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    match plans::save_plan(&state.app, session, ClassId(group), &month, &fields).await {
        Ok(saved) => {
            let done = match (saved.changed, saved.late) {
                (0, _) => "same",
                (_, true) => "late",
                _ => "saved",
            };
            Ok(Redirect::to(&format!("/groups/{group}/plan?month={month}&done={done}")).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            plan_page(&state, &ctx, ClassId(group), &month, None, Some((&fields, &e)), status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- talks with parents ----

struct TalkView {
    head: String,
    participants: String,
    topic: String,
    content: Vec<String>,
    shared: Option<String>,
}

#[derive(Template)]
#[template(path = "group_talks.html")]
struct TalksPage {
    page: Chrome,
    t: Tr,
    tabs: Vec<Choice<String>>,
    group: i64,
    group_name: String,
    talks: Vec<TalkView>,
    can_write: bool,
    /// The talk's child to choose; a refused talk's is chosen.
    children: Vec<Choice<i64>>,
    form: TalkInput,
    /// The refused talk's field, marked.
    typed: crate::layout::Typed,
    open_checks: i64,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    today: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn talks(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.map(|_| "talk.saved");
    talks_page(&state, &ctx, ClassId(group), flash, None, StatusCode::OK).await
}

/// A refused talk: what was typed, the form's fields as sent, the refusal.
type RefusedTalk<'a> = (TalkInput, &'a [(String, String)], &'a AppError);

async fn talks_page(
    state: &AppState,
    ctx: &Ctx,
    group: ClassId,
    flash: Option<&str>,
    typed: Option<RefusedTalk<'_>>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let v = plans::talks(&state.app, session, group).await?;
    let staff = v.staff;
    let (form, refused, error) = match typed {
        Some((f, fields, e)) => (
            f,
            crate::layout::Typed::new("talk", fields, Some(e)),
            Some(t.get(e.code()).to_string()),
        ),
        None => (TalkInput::default(), crate::layout::Typed::default(), None),
    };
    let page = TalksPage {
        page: Chrome::for_ctx(
            ctx,
            &format!("{}: {}", t.get("talk.title"), v.group_name),
            &format!("/groups/{}/talks", group.0),
            None,
        ),
        tabs: if staff { tabs(t, group.0, "talks") } else { Vec::new() },
        group: group.0,
        group_name: v.group_name.clone(),
        talks: v
            .talks
            .iter()
            .map(|k| TalkView {
                head: format!("{} · {}", format_date(k.held_on), k.student),
                participants: k.participants.clone(),
                topic: k.topic.clone(),
                content: lines(&k.content),
                shared: staff.then(|| {
                    let s = if k.shared { "talk.shared_yes" } else { "talk.shared_no" };
                    format!("{} · {}, {}", t.get(s), k.author, format_instant(k.created_at))
                }),
            })
            .collect(),
        can_write: v.can_write,
        children: v
            .children
            .iter()
            .map(|s| Choice {
                value: s.id.0,
                label: format!("{} {}", s.family_name, s.given_name),
                chosen: s.id.0 == form.student,
            })
            .collect(),
        form,
        typed: refused,
        open_checks: v.open_checks,
        flash: flash.map(|k| t.get(k).to_string()),
        error,
        csrf: session.csrf_token.clone(),
        today: state.app.today().to_string(),
        t,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct TalkForm {
    #[serde(default)]
    student: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    content: String,
    /// A checkbox: present when ticked.
    shared: Option<String>,
}

async fn add_talk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(group): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = crate::layout::parse_form::<TalkForm>(&fields)?;
    let input = TalkInput {
        student: f.student.trim().parse().unwrap_or(0),
        held_on: f.held_on,
        participants: f.participants,
        topic: f.topic,
        content: f.content,
        shared: f.shared.is_some(),
    };
    match plans::add_talk(&state.app, session, ClassId(group), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/groups/{group}/talks?done=saved")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let status = crate::error::status_of(&e);
            talks_page(&state, &ctx, ClassId(group), None, Some((input, &fields, &e)), status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the deputy head's list ----

#[derive(Template)]
#[template(path = "plans_overview.html")]
struct OverviewPage {
    page: Chrome,
    t: Tr,
    rows: Vec<OverviewRow>,
    attention: usize,
}

/// A group's plan of a month.
struct OverviewRow {
    href: String,
    group: String,
    month: String,
    due: String,
    status: String,
    needs_attention: bool,
}

#[derive(Deserialize)]
struct OverviewQuery {
    i: i64,
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let list = plans::overview(&state.app, session, InstitutionId(q.i)).await?;
    let mut rows: Vec<OverviewRow> = list
        .iter()
        .map(|g| OverviewRow {
            href: format!("/groups/{}/plan?month={}", g.group.0, g.month),
            group: g.group_name.clone(),
            month: t.month(&g.month),
            due: g.due.map(format_date).unwrap_or_default(),
            status: t.dynamic("plan", &format!("st_{}", g.status.code())),
            needs_attention: g.status.needs_attention(),
        })
        .collect();
    // What needs the deputy head's attention comes first.
    rows.sort_by_key(|r| !r.needs_attention);
    let page = OverviewPage {
        page: Chrome::for_ctx(
            &ctx,
            t.get("plan.overview"),
            &format!("/preschool/plans?i={}", q.i),
            None,
        ),
        attention: rows.iter().filter(|r| r.needs_attention).count(),
        rows,
        t,
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{catalogue, Lang};

    /// The labels built at run time exist in both languages.
    #[test]
    fn every_plan_field_and_status_has_a_label() {
        let mut keys: Vec<String> = plans::plan_fields().iter().map(|f| format!("plan.f_{f}")).collect();
        for s in ["on_time", "late", "missing", "not_yet_due"] {
            keys.push(format!("plan.st_{s}"));
        }
        for s in ["open", "done", "closed"] {
            keys.push(format!("check.state_{s}"));
        }
        for lang in [Lang::Lv, Lang::En] {
            for k in &keys {
                assert_ne!(catalogue().get(lang, k), k.as_str(), "{k}");
            }
        }
    }
}
