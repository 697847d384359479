//! Statistics (R22.2, R25.1), the monthly absence summary (R25.2) and the VIIS export of a
//! class's final grades (R27.2). Pages only: every figure and every refusal comes from
//! `klade_app::statistics` and `klade_app::viis_export`; downloads go through `crate::export`.

use crate::charts::{bar_chart_svg, Series};
use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::civil::Date;
use klade_app::clock::{format_date, format_instant};
use klade_app::statistics::{self, Figures, Line};
use klade_docs::table::{Cell, Column, Report};
use klade_domain::{ClassId, InstitutionId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/statistics", get(statistics_page))
        .route("/absence-summary", get(summary_page))
        .route("/absence-summary/publish", post(publish))
        .route("/classes/{class}/viis", get(viis))
}

#[derive(Deserialize)]
struct StatsQuery {
    i: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// A figure's change, signed: `+0,50`, `−3`.
fn change(now: f64, before: f64, decimals: usize) -> String {
    let d = now - before;
    let text = format!("{:.decimals$}", d.abs()).replace('.', ",");
    if d.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
        "0".into()
    } else if d > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

fn average_text(f: &Figures) -> String {
    f.average()
        .map(klade_domain::grading::format_average)
        .unwrap_or_else(|| "—".into())
}

/// A figure of this period beside the previous period's.
struct Compared<T> {
    now: T,
    before: T,
    /// Signed, as `change` writes it.
    change: String,
}

/// A line of the page's tables.
struct Row {
    name: String,
    /// Excused, unexcused, late.
    absences: [Compared<i64>; 3],
    average: Compared<String>,
    grades: i64,
    insufficient: i64,
    insufficient_before: i64,
    distribution: [i64; 10],
}

/// A part of the page: the lines by class, by group or by programme.
struct Section {
    title: String,
    rows: Vec<Row>,
}

fn row(l: &Line) -> Row {
    let a = |now: i64, before: i64| Compared {
        now,
        before,
        change: change(now as f64, before as f64, 0),
    };
    Row {
        name: l.name.clone(),
        absences: [
            a(l.now.excused, l.before.excused),
            a(l.now.unexcused, l.before.unexcused),
            a(l.now.late, l.before.late),
        ],
        average: Compared {
            now: average_text(&l.now),
            before: average_text(&l.before),
            change: match (l.now.average(), l.before.average()) {
                (Some(n), Some(b)) => change(n, b, 2),
                _ => "—".into(),
            },
        },
        grades: l.now.grades(),
        insufficient: l.now.insufficient(),
        insufficient_before: l.before.insufficient(),
        distribution: l.now.distribution,
    }
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    page: Chrome,
    t: Tr,
    institution: i64,
    institution_name: String,
    from: Date,
    to: Date,
    period: String,
    previous: String,
    sections: Vec<Section>,
    total: Row,
    absence_chart: String,
    average_chart: String,
    distribution_chart: String,
    exports: Vec<(String, &'static str)>,
}

fn statistics_report(t: Tr, s: &statistics::Statistics, period: &str, previous: &str) -> Report {
    let mut columns = vec![
        Column::new(t.get("statistics.kind"), 12.0),
        Column::new(t.get("statistics.name"), 24.0),
    ];
    for key in [
        "statistics.excused",
        "statistics.unexcused",
        "statistics.late",
        "statistics.average",
        "statistics.insufficient",
    ] {
        columns.push(Column::new(t.get(key), 12.0));
        columns.push(Column::new(
            format!("{} ({})", t.get(key), t.get("statistics.before_short")),
            12.0,
        ));
    }
    columns.push(Column::new(t.get("statistics.grades"), 10.0));
    for m in 1..=10 {
        columns.push(Column::new(m.to_string(), 4.0));
    }
    let mut rows = Vec::new();
    let sections = [
        (t.get("statistics.class"), &s.classes),
        (t.get("statistics.group"), &s.groups),
        (t.get("statistics.programme"), &s.programmes),
    ];
    let total = vec![s.total.clone()];
    for (kind, lines) in sections.into_iter().chain([(t.get("statistics.total"), &total)]) {
        for l in lines {
            let mut cells = vec![Cell::text(kind), Cell::text(l.name.clone())];
            for (now, before) in [
                (l.now.excused, l.before.excused),
                (l.now.unexcused, l.before.unexcused),
                (l.now.late, l.before.late),
            ] {
                cells.push(Cell::count(now));
                cells.push(Cell::count(before));
            }
            cells.push(Cell::average(l.now.average()));
            cells.push(Cell::average(l.before.average()));
            cells.push(Cell::count(l.now.insufficient()));
            cells.push(Cell::count(l.before.insufficient()));
            cells.push(Cell::count(l.now.grades()));
            cells.extend(l.now.distribution.iter().map(|n| Cell::count(*n)));
            rows.push(cells);
        }
    }
    Report {
        title: t.get("statistics.title").to_string(),
        subtitle: vec![
            s.institution_name.clone(),
            format!("{}: {period}", t.get("statistics.period")),
            format!("{}: {previous}", t.get("statistics.previous")),
        ],
        columns,
        rows,
    }
}

async fn statistics_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let format = crate::download::requested(q.format.as_deref())?;
    let s = statistics::statistics(
        &state.app,
        session,
        q.i.map(InstitutionId),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let span = |a: Date, b: Date| format!("{}–{}", format_date(a), format_date(b));
    let period = span(s.from, s.to);
    let previous = match (s.previous_from, s.previous_to) {
        (Some(from), Some(to)) => span(from, to),
        _ => t.get("statistics.no_previous").to_string(),
    };
    if let Some(format) = format {
        let report = statistics_report(t, &s, &period, &previous);
        return crate::download::download(&report, format, &format!("statistika-{}-{}", s.from, s.to));
    }
    let names: Vec<String> = s.classes.iter().map(|l| l.name.clone()).collect();
    let (now_label, before_label) = (t.get("statistics.this_period"), t.get("statistics.previous_short"));
    let absence_chart = bar_chart_svg(
        t.get("statistics.absence_chart"),
        &names,
        &[
            Series {
                name: t.get("statistics.excused"),
                values: s.classes.iter().map(|l| Some(l.now.excused as f64)).collect(),
            },
            Series {
                name: t.get("statistics.unexcused"),
                values: s.classes.iter().map(|l| Some(l.now.unexcused as f64)).collect(),
            },
            Series {
                name: t.get("statistics.late"),
                values: s.classes.iter().map(|l| Some(l.now.late as f64)).collect(),
            },
        ],
        0,
    );
    let average_chart = bar_chart_svg(
        t.get("statistics.average_chart"),
        &names,
        &[
            Series {
                name: now_label,
                values: s.classes.iter().map(|l| l.now.average()).collect(),
            },
            Series {
                name: before_label,
                values: s.classes.iter().map(|l| l.before.average()).collect(),
            },
        ],
        2,
    );
    let distribution_chart = bar_chart_svg(
        t.get("statistics.distribution_chart"),
        &(1..=10).map(|m| m.to_string()).collect::<Vec<_>>(),
        &[
            Series {
                name: now_label,
                values: s.total.now.distribution.iter().map(|n| Some(*n as f64)).collect(),
            },
            Series {
                name: before_label,
                values: s.total.before.distribution.iter().map(|n| Some(*n as f64)).collect(),
            },
        ],
        0,
    );
    let path = format!("/statistics?i={}&from={}&to={}", s.institution.0, s.from, s.to);
    let page = StatisticsPage {
        page: Chrome::for_ctx(&ctx, t.get("statistics.title"), "/statistics", None),
        t,
        institution: s.institution.0,
        institution_name: s.institution_name.clone(),
        from: s.from,
        to: s.to,
        period,
        previous,
        sections: [
            ("statistics.by_class", &s.classes),
            ("statistics.by_group", &s.groups),
            ("statistics.by_programme", &s.programmes),
        ]
        .into_iter()
        .map(|(title, lines)| Section {
            title: t.get(title).to_string(),
            rows: lines.iter().map(row).collect(),
        })
        .collect(),
        total: row(&s.total),
        absence_chart,
        average_chart,
        distribution_chart,
        exports: crate::download::links(&path),
    };
    Ok(render(&page)?.into_response())
}

// ---- the monthly absence summary ----

#[derive(Deserialize)]
struct SummaryQuery {
    i: Option<i64>,
    month: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "absence_summary.html")]
struct SummaryPage {
    page: Chrome,
    t: Tr,
    institution: i64,
    institution_name: String,
    month: String,
    month_label: String,
    deadline: String,
    published: Option<Published>,
    overdue: bool,
    may_publish: bool,
    /// A tutor's view before the month is published.
    waiting: bool,
    csrf: String,
    classes: Vec<statistics::ClassAbsences>,
    exports: Vec<(String, &'static str)>,
}

/// Who published the month's summary and when; late when after the deadline.
struct Published {
    by: String,
    at: String,
    late: bool,
}

fn summary_report(t: Tr, s: &statistics::MonthlySummary) -> Report {
    let mut rows = Vec::new();
    for c in &s.classes {
        for st in &c.students {
            rows.push(vec![
                Cell::text(c.class_name.clone()),
                Cell::text(format!("{} {}", st.family_name, st.given_name)),
                Cell::count(st.excused),
                Cell::count(st.unexcused),
                Cell::count(st.late),
            ]);
        }
        rows.push(vec![
            Cell::text(c.class_name.clone()),
            Cell::text(t.get("statistics.total")),
            Cell::count(c.excused),
            Cell::count(c.unexcused),
            Cell::count(c.late),
        ]);
    }
    Report {
        title: format!("{} {}", t.get("summary_month.title"), t.month(&s.month)),
        subtitle: vec![
            s.institution_name.clone(),
            format!("{}–{}", format_date(s.from), format_date(s.to)),
        ],
        columns: vec![
            Column::new(t.get("statistics.class"), 8.0),
            Column::new(t.get("journal.student"), 28.0),
            Column::new(t.get("statistics.excused"), 13.0),
            Column::new(t.get("statistics.unexcused"), 13.0),
            Column::new(t.get("statistics.late"), 13.0),
        ],
        rows,
    }
}

async fn summary_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let format = crate::download::requested(q.format.as_deref())?;
    let s = statistics::monthly_summary(&state.app, session, q.i.map(InstitutionId), q.month.as_deref()).await?;
    if let (Some(format), false) = (format, s.waiting) {
        let report = summary_report(t, &s);
        return crate::download::download(&report, format, &format!("kavejumi-{}", s.month));
    }
    let overdue = s.published.is_none() && state.app.today() > s.deadline;
    let path = format!("/absence-summary?i={}&month={}", s.institution.0, s.month);
    let page = SummaryPage {
        page: Chrome::for_ctx(&ctx, t.get("summary_month.title"), "/absence-summary", None),
        t,
        institution: s.institution.0,
        institution_name: s.institution_name.clone(),
        month_label: t.month(&s.month),
        month: s.month.clone(),
        deadline: format_date(s.deadline),
        published: s.published.as_ref().map(|p| Published {
            by: p.published_by_name.clone(),
            at: format_instant(p.published_at),
            late: p.late,
        }),
        overdue,
        may_publish: s.may_publish,
        waiting: s.waiting,
        csrf: session.csrf_token.clone(),
        classes: s.classes,
        exports: crate::download::links(&path),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct PublishForm {
    i: Option<i64>,
    month: String,
}

async fn publish(State(state): State<AppState>, ctx: Ctx, Form(f): Form<PublishForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let p = statistics::publish_summary(&state.app, session, f.i.map(InstitutionId), &f.month).await?;
    let i = f.i.map(|i| format!("i={i}&")).unwrap_or_default();
    Ok(Redirect::to(&format!("/absence-summary?{i}month={}", p.month)).into_response())
}

// ---- the VIIS export ----

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "viis_export.html")]
struct ViisPage {
    page: Chrome,
    t: Tr,
    class_name: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    exports: Vec<(String, &'static str)>,
}

/// A class's final grades for VIIS: CSV or XLSX (PDF too, for the eye), or the page previewing them.
async fn viis(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let format = crate::download::requested(q.format.as_deref())?;
    let export = klade_app::viis_export::final_grades(&state.app, session, ClassId(class)).await?;
    if let Some(format) = format {
        return crate::download::download(&export.report, format, &format!("viis-{}", export.class_name));
    }
    let path = format!("/classes/{class}/viis");
    let page = ViisPage {
        page: Chrome::for_ctx(&ctx, t.get("viis.title"), &path, None),
        t,
        class_name: export.class_name.clone(),
        headers: export.report.columns.iter().map(|c| c.title.clone()).collect(),
        rows: export
            .report
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect(),
        exports: crate::download::links(&path),
    };
    Ok(render(&page)?.into_response())
}
