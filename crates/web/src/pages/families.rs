//! The diary for students and parents, absence notices, and the tutor's excusing of absences.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::civil::Date;
use klade_app::clock::{format_date, format_instant, format_stored_date};
use klade_app::{families, AppError};
use klade_domain::{ClassId, InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/diary", get(diary))
        .route("/diary/absence", post(report))
        .route("/classes/{class}/absences", get(absences).post(excuse))
        .route("/classes/{class}/absences/days", post(excuse_days))
        .route("/classes/{class}/absences/checked", post(keep_unexcused))
        .route("/grades", get(my_grades))
        .route("/students/{id}/grades", get(grades))
        .route("/classes/{class}/report", get(report_page))
        .route("/classes/{class}/report.pdf", get(report_pdf))
        .route("/reports/progress.pdf", get(all_reports_pdf))
}

struct DayView {
    date: Date,
    heading: String,
    today: bool,
    lessons: Vec<LessonView>,
}

struct Mark {
    text: String,
    excused: bool,
}

/// A student the reader may open the diary of: their own, or a child.
struct StudentTab {
    id: i64,
    name: String,
    chosen: bool,
}

struct LessonView {
    head: String,
    topic: String,
    homework: String,
    /// The student's attendance mark in words, and whether it is excused.
    mark: Option<Mark>,
    grades: Vec<MarkView>,
}

#[derive(Template)]
#[template(path = "diary.html")]
struct DiaryPage {
    page: Chrome,
    t: Tr,
    students: Vec<StudentTab>,
    student: i64,
    name: String,
    class_name: String,
    flash: Option<String>,
    error: Option<String>,
    monday: Date,
    prev: String,
    next: String,
    range: String,
    days: Vec<DayView>,
    notes: Vec<String>,
    notices: Vec<String>,
    can_report: bool,
    csrf: String,
    /// Today as the absence form shows it, `25.11.2026.`.
    today: String,
    /// A refused absence notice as typed.
    typed: crate::layout::Typed,
}

#[derive(Deserialize, Default)]
struct DiaryQuery {
    student: Option<i64>,
    date: Option<String>,
    done: Option<String>,
}

async fn diary(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DiaryQuery>) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("late") => Some("absence.sent_late"),
        Some(_) => Some("absence.sent"),
        None => None,
    };
    diary_page(
        &state,
        &ctx,
        q.student,
        q.date.as_deref(),
        Notice::done(flash),
        crate::layout::Typed::default(),
    )
    .await
}

fn notice_line(t: Tr, n: &klade_app::families::Notice) -> String {
    let mut s = format!(
        "{} – {}: {} ({}, {})",
        format_date(n.from_date),
        format_date(n.to_date),
        n.reason,
        n.author,
        format_instant(n.created_at)
    );
    if n.late {
        s.push_str(&format!(" — {}", t.get("absence.late")));
    }
    s
}

async fn diary_page(
    state: &AppState,
    ctx: &Ctx,
    student: Option<i64>,
    date: Option<&str>,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let students = families::diary_students(&state.app, session).await?;
    let chosen = student
        .map(PersonId)
        .or_else(|| students.first().map(|p| p.student_id))
        .ok_or_else(|| AppError::NotFound)?;
    let today: Date = state.app.today();
    let day = date.and_then(|d| d.parse::<Date>().ok()).unwrap_or(today);
    let d = families::diary(&state.app, session, chosen, day).await?;
    let monday = d.monday;
    let shift = |n: i64| {
        monday
            .checked_add(jiff::Span::new().days(n))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let mut days: Vec<DayView> = d
        .days
        .iter()
        .filter(|day| !day.lessons.is_empty() || day.weekday <= 5)
        .map(|day| day_view(t, day, today))
        .collect();
    // On a phone, today comes first.
    if let Some(i) = days.iter().position(|d| d.today) {
        days.rotate_left(i);
    }
    let page = DiaryPage {
        page: Chrome::for_ctx(ctx, t.get("diary.title"), "/diary", None),
        t,
        students: students
            .iter()
            .map(|p| StudentTab {
                id: p.student_id.0,
                name: format!("{} {}", p.given_name, p.family_name),
                chosen: p.student_id == chosen,
            })
            .collect(),
        student: chosen.0,
        name: d.name.clone(),
        class_name: d.class_name.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        monday: d.monday,
        prev: shift(-7),
        next: shift(7),
        range: format!("{} – {}", format_date(d.monday), format_stored_date(&shift(6))),
        days,
        notes: d
            .notes
            .iter()
            .map(|n| {
                format!(
                    "{} · {}: {} ({})",
                    format_date(n.date),
                    t.dynamic("note", &n.kind),
                    n.text,
                    n.author
                )
            })
            .collect(),
        notices: d.notices.iter().map(|n| notice_line(t, n)).collect(),
        can_report: d.can_report,
        csrf: session.csrf_token.clone(),
        today: format_date(today),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

/// A day of the diary: its lessons with topic, homework, the student's mark and grades.
fn day_view(t: Tr, day: &families::DiaryDay, today: Date) -> DayView {
    DayView {
        date: day.date,
        heading: format!(
            "{}, {}",
            t.dynamic("weekday", &day.weekday.to_string()),
            format_date(day.date)
        ),
        today: day.date == today,
        lessons: day.lessons.iter().map(|l| lesson_view(t, l)).collect(),
    }
}

fn lesson_view(t: Tr, l: &families::DiaryLesson) -> LessonView {
    LessonView {
        head: if l.lesson_no > 0 {
            format!("{}. {} {}", l.lesson_no, l.time, l.course).trim().to_string()
        } else {
            l.course.clone()
        },
        topic: l.topic.clone(),
        homework: match &l.homework_due {
            Some(due) if !l.homework.is_empty() => {
                format!("{} ({} {})", l.homework, t.get("diary.due"), format_date(*due))
            }
            _ => l.homework.clone(),
        },
        mark: l.mark.as_ref().map(|(m, excused)| {
            let state = if *excused {
                t.get("diary.excused")
            } else {
                t.get("diary.unexcused")
            };
            // The code with its words: a parent reads it on a phone, with no hover.
            let shown = match t.mark_words(m) {
                Some(w) => format!("{m} — {w}"),
                None => m.clone(),
            };
            Mark {
                text: format!("{}: {shown} ({state})", t.get("diary.attendance")),
                excused: *excused,
            }
        }),
        grades: l.grades.iter().map(|g| grade_mark(t, g)).collect(),
    }
}

/// A student's days at a glance on the home page.
struct GlanceView {
    student: i64,
    name: String,
    today: Vec<LessonView>,
    tomorrow_heading: String,
    tomorrow: Vec<LessonView>,
    homework: Vec<String>,
    grades: Vec<RecentGradeView>,
    absences: Vec<Mark>,
    tests: Vec<String>,
    /// "2 absences wait for an explanation", when the family may report them.
    to_explain: Option<String>,
}

struct RecentGradeView {
    mark: MarkView,
    course: String,
    date: String,
    new: bool,
}

#[derive(Template)]
#[template(path = "glance.html")]
struct GlanceCard {
    t: Tr,
    g: GlanceView,
}

/// The glance's card, for the home page to place.
pub(super) fn glance_card(t: Tr, g: &families::Glance) -> Result<String, WebError> {
    let card = GlanceCard {
        t,
        g: glance_view(t, g),
    };
    Ok(render(&card)?.0)
}

fn glance_view(t: Tr, g: &families::Glance) -> GlanceView {
    let day_name = |d: &families::DiaryDay| {
        format!(
            "{}, {}",
            t.dynamic("weekday", &d.weekday.to_string()),
            format_date(d.date)
        )
    };
    GlanceView {
        student: g.student.0,
        name: format!("{}, {}", g.name, g.class_name),
        today: g.today.lessons.iter().map(|l| lesson_view(t, l)).collect(),
        tomorrow_heading: format!("{} — {}", t.get("glance.tomorrow"), day_name(&g.tomorrow)),
        tomorrow: g.tomorrow.lessons.iter().map(|l| lesson_view(t, l)).collect(),
        homework: g
            .homework
            .iter()
            .map(|h| match h.due {
                Some(due) => format!("{}: {} ({} {})", h.course, h.text, t.get("diary.due"), format_date(due)),
                None => format!("{}: {}", h.course, h.text),
            })
            .collect(),
        grades: g
            .grades
            .iter()
            .map(|r| RecentGradeView {
                mark: grade_mark(t, &r.grade),
                course: r.grade.course_name.clone(),
                date: format_date(r.grade.date),
                new: r.new,
            })
            .collect(),
        absences: g
            .absences
            .iter()
            .map(|a| {
                let state = if a.excused {
                    t.get("diary.excused")
                } else if a.noticed {
                    t.get("glance.noticed")
                } else {
                    t.get("diary.unexcused")
                };
                let lesson = t.fill("journal.lesson_n", &[("n", &a.lesson_no.to_string())]);
                Mark {
                    text: format!("{} {lesson} {} — {} ({state})", format_date(a.date), a.course, a.mark),
                    excused: a.excused || a.noticed,
                }
            })
            .collect(),
        tests: g
            .tests
            .iter()
            .map(|x| {
                let kind = t.dynamic("grade_kind", &x.kind);
                let what = if x.title.is_empty() {
                    kind
                } else {
                    format!("{kind}, {}", x.title)
                };
                format!("{} {} — {what}", format_date(x.date), x.course_name)
            })
            .collect(),
        to_explain: (g.can_report && g.to_explain > 0)
            .then(|| t.fill("glance.to_explain", &[("n", &g.to_explain.to_string())])),
    }
}

/// A grade's mark with what it was for: the kind and the work's title.
fn grade_mark(t: Tr, g: &families::StudentGrade) -> MarkView {
    let title = if g.title.is_empty() {
        String::new()
    } else {
        format!(", {}", g.title)
    };
    mark_view(
        t,
        &g.mark,
        &g.scale,
        format!("{}{title}", t.dynamic("grade_kind", &g.kind)),
    )
}

#[derive(Deserialize)]
struct ReportForm {
    student: i64,
    from: String,
    to: String,
    reason: String,
}

async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = crate::layout::parse_form::<ReportForm>(&fields)?;
    match families::report_absence(&state.app, session, PersonId(f.student), &f.from, &f.to, &f.reason).await {
        Ok((_, late)) => Ok(Redirect::to(&format!(
            "/diary?student={}&done={}",
            f.student,
            if late { "late" } else { "sent" }
        ))
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = crate::layout::Typed::new("absence", &fields, Some(&e));
            diary_page(&state, &ctx, Some(f.student), None, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A family's absence notice as the tutor reads it, with what excusing it sends.
struct NoticeView {
    line: String,
    notice: families::Notice,
}

#[derive(Template)]
#[template(path = "absences.html")]
struct AbsencesPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    class_name: String,
    flash: Option<String>,
    error: Option<String>,
    notices: Vec<NoticeView>,
    overdue: Vec<AbsencesOfStudent>,
    overdue_count: usize,
    checked: Vec<AbsencesOfStudent>,
    can_excuse: bool,
    csrf: String,
    students: Vec<crate::layout::Choice<i64>>,
    reasons: Vec<String>,
    /// A refused excuse as typed.
    typed: crate::layout::Typed,
    month: MonthView,
}

/// The tutor's month: students × days, a box on each day with unexcused absences.
struct MonthView {
    /// `YYYY-MM` of this month, the one before and the one after.
    this: String,
    prev: String,
    next: String,
    title: String,
    /// Each day: its number, whether lessons are held, whether it is a weekend.
    days: Vec<(i8, bool)>,
    rows: Vec<MonthRowView>,
}

struct MonthRowView {
    name: String,
    cells: Vec<MonthCellView>,
    notices: Vec<String>,
}

struct MonthCellView {
    /// `student:YYYY-MM-DD`, the box's value.
    value: String,
    /// "Krūmiņa Anna, 03.11.2026.", for the box's label.
    label: String,
    unexcused: u32,
    excused: u32,
    noticed: bool,
    picked: bool,
    school_day: bool,
}

fn month_view(t: Tr, m: &families::ClassMonth, typed: &crate::layout::Typed) -> MonthView {
    let ym = |d: Date| d.strftime("%Y-%m").to_string();
    MonthView {
        this: ym(m.month),
        prev: m.month.yesterday().map(ym).unwrap_or_default(),
        next: m.month.last_of_month().tomorrow().map(ym).unwrap_or_default(),
        title: t.month(&ym(m.month)),
        days: m.days.iter().map(|(d, school)| (d.day(), *school)).collect(),
        rows: m
            .rows
            .iter()
            .map(|r| {
                let name = format!("{} {}", r.student.family_name, r.student.given_name);
                MonthRowView {
                    cells: r
                        .cells
                        .iter()
                        .zip(&m.days)
                        .map(|(c, (d, school))| {
                            let value = format!("{}:{d}", r.student.id.0);
                            MonthCellView {
                                picked: typed.has("days", "day", &value),
                                value,
                                label: format!("{name}, {}", format_date(*d)),
                                unexcused: c.unexcused,
                                excused: c.excused,
                                noticed: c.noticed,
                                school_day: *school,
                            }
                        })
                        .collect(),
                    notices: r.notices.iter().map(|n| notice_line(t, n)).collect(),
                    name,
                }
            })
            .collect(),
    }
}

/// One student's unexcused absences on the class's absences page.
struct AbsencesOfStudent {
    id: i64,
    name: String,
    lines: Vec<String>,
}

/// The absences grouped by student, in the class list's order.
fn by_student(
    t: Tr,
    list: &[(klade_app::journal::Student, klade_app::journal::StudentMark)],
) -> Vec<AbsencesOfStudent> {
    let mut out: Vec<AbsencesOfStudent> = Vec::new();
    for (s, m) in list {
        let line = format!(
            "{}, {} {} ({})",
            format_date(m.date),
            t.fill("journal.lesson_n", &[("n", &m.lesson_no.to_string())]),
            m.course_name,
            m.code
        );
        match out.iter_mut().find(|l| l.id == s.id.0) {
            Some(l) => l.lines.push(line),
            None => out.push(AbsencesOfStudent {
                id: s.id.0,
                name: format!("{} {}", s.family_name, s.given_name),
                lines: vec![line],
            }),
        }
    }
    out
}

#[derive(Deserialize)]
struct AbsencesQuery {
    done: Option<String>,
    /// `YYYY-MM`: the month the grid shows (this one when absent).
    month: Option<String>,
}

async fn absences(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<AbsencesQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.map(|d| match d.as_str() {
        "checked" => "absence.checked_done",
        "ahead" => "absence.excused_ahead",
        _ => "absence.excused_done",
    });
    let month = q.month.as_deref().and_then(|m| format!("{m}-01").parse::<Date>().ok());
    absences_page(
        &state,
        &ctx,
        ClassId(class),
        month,
        Notice::done(flash),
        crate::layout::Typed::default(),
    )
    .await
}

async fn absences_page(
    state: &AppState,
    ctx: &Ctx,
    class: ClassId,
    month: Option<Date>,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let a = families::class_absences(&state.app, session, class).await?;
    let m = families::class_month(&state.app, session, class, month.unwrap_or(state.app.today())).await?;
    let page = AbsencesPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("absence.title"),
            &format!("/classes/{}/absences", class.0),
            None,
        ),
        t,
        class_id: class.0,
        class_name: a.class_name.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        notices: a
            .notices
            .iter()
            .map(|n| NoticeView {
                line: format!("{}: {}", n.student, notice_line(t, n)),
                notice: n.clone(),
            })
            .collect(),
        overdue: by_student(t, &a.overdue),
        overdue_count: a.overdue.len(),
        checked: by_student(t, &a.checked),
        can_excuse: a.can_excuse,
        csrf: session.csrf_token.clone(),
        students: a
            .students
            .iter()
            .map(|s| crate::layout::Choice {
                value: s.id.0,
                label: format!("{} {}", s.family_name, s.given_name),
                chosen: typed.has("excuse", "student", &s.id.0.to_string()),
            })
            .collect(),
        reasons: ["illness", "family", "event", "other"]
            .iter()
            .map(|r| t.dynamic("excuse_reason", r))
            .collect(),
        month: month_view(t, &m, &typed),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct ExcuseForm {
    student: i64,
    from: String,
    to: String,
    reason: String,
    notice: Option<i64>,
}

async fn excuse(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = crate::layout::parse_form::<ExcuseForm>(&fields)?;
    match families::excuse(
        &state.app,
        session,
        PersonId(f.student),
        &f.from,
        &f.to,
        &f.reason,
        f.notice,
    )
    .await
    {
        Ok(e) => {
            let done = if e.covered == 0 { "ahead" } else { "excused" };
            Ok(Redirect::to(&format!("/classes/{class}/absences?done={done}")).into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            // A notice's own excuse has nothing typed; the form below does.
            let typed = if f.notice.is_some() {
                crate::layout::Typed::default()
            } else {
                crate::layout::Typed::new("excuse", &fields, Some(&e))
            };
            absences_page(&state, &ctx, ClassId(class), None, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The days ticked in the month's grid, excused in one step.
async fn excuse_days(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let month = format!("{}-01", get("month")).parse::<Date>().ok();
    let picks: Option<Vec<(PersonId, Date)>> = fields
        .iter()
        .filter(|(k, _)| k == "day")
        .map(|(_, v)| {
            let (student, day) = v.split_once(':')?;
            Some((PersonId(student.parse().ok()?), day.parse().ok()?))
        })
        .collect();
    let result = match picks {
        Some(picks) => families::excuse_days(&state.app, session, ClassId(class), &picks, get("reason")).await,
        None => Err(AppError::invalid("day", "error.form")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/classes/{class}/absences?done=excused&month={}",
            get("month")
        ))
        .into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = crate::layout::Typed::new("days", &fields, Some(&e));
            absences_page(&state, &ctx, ClassId(class), month, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CheckedForm {
    student: i64,
}

async fn keep_unexcused(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let f = crate::layout::parse_form::<CheckedForm>(&fields)?;
    families::keep_unexcused(&state.app, session, PersonId(f.student)).await?;
    Ok(Redirect::to(&format!("/classes/{class}/absences?done=checked")).into_response())
}

struct SubjectView {
    name: String,
    /// (what, value): each term's average, set apart from the marks.
    averages: Vec<(String, String)>,
    /// (kind, mark): the semester, year and final marks.
    period: Vec<(String, String)>,
    chart: String,
    grades: Vec<GradeLine>,
}

/// A grade as the student's list shows it.
struct GradeLine {
    date: String,
    kind: String,
    title: String,
    mark: MarkView,
}

/// A mark as a family reads it at a glance: the mark, its band's colour and its words, the three
/// always together (colour alone says nothing to some readers).
struct MarkView {
    shown: String,
    band: &'static str,
    words: String,
    /// What it was for: the kind and the work's title.
    about: String,
}

fn mark_view(t: Tr, mark: &str, scale: &str, about: String) -> MarkView {
    let m = klade_domain::grading::Mark::stored(mark.to_string());
    let scale = klade_domain::grading::Scale::from_code(scale);
    MarkView {
        shown: scale.map_or_else(|| mark.to_string(), |s| m.shown(s)),
        band: scale.map_or("plain", |s| m.band(s).code()),
        words: scale
            .and_then(|s| m.words_key(s))
            .map(|k| t.get(&k).to_string())
            .unwrap_or_default(),
        about,
    }
}

#[derive(Template)]
#[template(path = "grades.html")]
struct GradesPage {
    page: Chrome,
    t: Tr,
    who: String,
    /// The reader's own diary students (themselves, their children), to switch between.
    students: Vec<StudentTab>,
    subjects: Vec<SubjectView>,
    /// Absences per month of the year so far, for who reads the diary (not a teacher's look).
    attendance_chart: String,
}

/// Absences per month as a bar chart: unexcused, excused, late.
fn attendance_chart(t: Tr, months: &[families::MonthAttendance]) -> String {
    let categories: Vec<String> = months
        .iter()
        .map(|m| t.month(&m.month.strftime("%Y-%m").to_string()))
        .collect();
    let series = |name, pick: fn(&families::MonthAttendance) -> i64| crate::charts::Series {
        name,
        values: months.iter().map(|m| Some(pick(m) as f64)).collect(),
    };
    crate::charts::bar_chart_svg(
        t.get("grades.attendance_chart"),
        &categories,
        &[
            series(t.get("summary.unexcused"), |m| m.unexcused),
            series(t.get("summary.excused"), |m| m.excused),
            series(t.get("summary.late"), |m| m.late),
        ],
        0,
    )
}

/// The family's "grades" tab: the first of the reader's students (themselves, then their children).
async fn my_grades(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let students = families::diary_students(&state.app, session).await?;
    let first = students.first().ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/students/{}/grades", first.student_id.0)).into_response())
}

/// A student's grades per subject with their averages and a chart of how they moved (R20.2).
async fn grades(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let (who, reports) = families::grade_report(&state.app, session, PersonId(id)).await?;
    let subjects = reports
        .iter()
        .map(|r| SubjectView {
            name: r.course.clone(),
            averages: r
                .averages
                .iter()
                .map(|(term, avg)| {
                    (
                        format!("{term}: {}", t.get("grades.average")),
                        avg.map(klade_domain::grading::format_average)
                            .unwrap_or_else(|| "—".into()),
                    )
                })
                .collect(),
            period: r
                .period
                .iter()
                .map(|(k, m)| (t.dynamic("grade_kind", k), m.clone()))
                .collect(),
            chart: crate::charts::chart_svg(&r.points, &format!("{} — {}", r.course, t.get("grades.chart"))),
            grades: r
                .grades
                .iter()
                .map(|g| GradeLine {
                    date: format_date(g.date),
                    kind: t.dynamic("grade_kind", &g.kind),
                    title: g.title.clone(),
                    mark: mark_view(t, &g.mark, &g.scale, String::new()),
                })
                .collect(),
        })
        .collect();
    let mine = families::diary_students(&state.app, session).await?;
    let students = mine
        .iter()
        .map(|p| StudentTab {
            id: p.student_id.0,
            name: format!("{} {}", p.given_name, p.family_name),
            chosen: p.student_id.0 == id,
        })
        .collect();
    // A teacher sees a student's grades in their own courses, not the diary's absences.
    let attendance = match families::attendance_by_month(&state.app, session, PersonId(id)).await {
        Ok(months) => attendance_chart(t, &months),
        Err(AppError::Forbidden(_)) => String::new(),
        Err(e) => return Err(e.into()),
    };
    let page = GradesPage {
        page: Chrome::for_ctx(&ctx, t.get("grades.title"), &format!("/students/{id}/grades"), None),
        t,
        who,
        students,
        subjects,
        attendance_chart: attendance,
    };
    Ok(render(&page)?.into_response())
}

struct ReportView {
    name: String,
    class_name: String,
    period: String,
    subjects: Vec<SubjectLine>,
    absences: String,
}

/// A course's line of a progress report.
struct SubjectLine {
    course: String,
    /// The period's marks in date order (1–10, pass/fail, S/T/A/P).
    marks: String,
    /// The period's percentages in date order.
    percents: String,
    average: String,
    /// The term and year grades given in the period.
    period_grades: String,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    student: Option<i64>,
    from: Date,
    to: Date,
    institution: String,
    issued: String,
    reports: Vec<ReportView>,
    pdf: String,
}

#[derive(Deserialize, Default)]
struct ReportQuery {
    student: Option<i64>,
    from: Option<String>,
    to: Option<String>,
}

/// The reports asked for, as the page and the PDF show them.
struct ReportViews {
    institution: InstitutionId,
    institution_name: String,
    issued: String,
    from: Date,
    to: Date,
    views: Vec<ReportView>,
}

async fn report_views(state: &AppState, ctx: &Ctx, class: i64, q: &ReportQuery) -> Result<ReportViews, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today = state.app.today();
    let families::Reports {
        institution,
        institution_name,
        from,
        to,
        reports,
    } = families::progress_reports(
        &state.app,
        session,
        ClassId(class),
        q.student.map(PersonId),
        q.from.as_deref(),
        q.to.as_deref(),
    )
    .await?;
    let views = reports
        .iter()
        .map(|r| ReportView {
            name: r.name.clone(),
            class_name: r.class_name.clone(),
            period: format!("{} – {}", format_date(r.from), format_date(r.to)),
            subjects: r
                .subjects
                .iter()
                .map(|x| SubjectLine {
                    course: x.course.clone(),
                    marks: report_grades(t, &x.marks),
                    percents: report_grades(t, &x.percents),
                    average: x.average.map(klade_domain::grading::format_average).unwrap_or_default(),
                    period_grades: x
                        .period
                        .iter()
                        .map(|(k, m)| format!("{}: {m}", t.dynamic("grade_kind", k)))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect(),
            absences: format!(
                "{} {}, {} {}, {} {}",
                r.excused,
                t.get("summary.excused"),
                r.unexcused,
                t.get("summary.unexcused"),
                r.late,
                t.get("summary.late")
            ),
        })
        .collect();
    Ok(ReportViews {
        institution,
        institution_name,
        issued: format_date(today),
        from,
        to,
        views,
    })
}

/// A report's grades in date order, each with its day and kind: "12.10. S 8; 20.10. F 75 %".
fn report_grades(t: Tr, grades: &[families::ReportGrade]) -> String {
    grades
        .iter()
        .map(|g| {
            format!(
                "{} {} {}",
                g.date.strftime("%d.%m."),
                t.dynamic("grade_kind_short", &g.kind),
                g.mark
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The printable progress report (*sekmju izraksts*) of one student or of the whole class.
async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let ReportViews {
        institution_name: institution,
        issued,
        from,
        to,
        views: reports,
        ..
    } = report_views(&state, &ctx, class, &q).await?;
    let t = Tr::new(ctx.lang);
    let mut pdf = format!("/classes/{class}/report.pdf?from={from}&to={to}");
    if let Some(s) = q.student {
        pdf.push_str(&format!("&student={s}"));
    }
    let page = ProgressPage {
        page: Chrome::for_ctx(&ctx, t.get("report.title"), &format!("/classes/{class}/report"), None),
        t,
        class_id: class,
        student: q.student,
        institution,
        issued,
        reports,
        from,
        to,
        pdf,
    };
    Ok(render(&page)?.into_response())
}

/// The same reports as a PDF, one student to a page, with every Latvian letter right.
async fn report_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let r = report_views(&state, &ctx, class, &q).await?;
    let logo = klade_app::setup::logo_block(&state.app, r.institution).await?;
    let mut blocks = Vec::new();
    report_blocks(
        Tr::new(ctx.lang),
        logo.as_ref(),
        &r.institution_name,
        &r.issued,
        &r.views,
        &mut blocks,
    );
    pdf_answer(
        Tr::new(ctx.lang).get("report.title"),
        &blocks,
        &format!("sekmju-izraksts-{class}.pdf"),
    )
}

/// Every student's progress report in the institution, one PDF (R27.1: the clerk prints them all).
async fn all_reports_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AllQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = klade_domain::InstitutionId(q.i);
    let classes = families::report_classes(&state.app, session, inst).await?;
    let logo = klade_app::setup::logo_block(&state.app, inst).await?;
    let mut blocks = Vec::new();
    let query = ReportQuery {
        student: None,
        from: q.from.clone(),
        to: q.to.clone(),
    };
    for c in &classes {
        let r = report_views(&state, &ctx, c.0, &query).await?;
        report_blocks(
            Tr::new(ctx.lang),
            logo.as_ref(),
            &r.institution_name,
            &r.issued,
            &r.views,
            &mut blocks,
        );
    }
    pdf_answer(Tr::new(ctx.lang).get("report.title"), &blocks, "sekmju-izraksti.pdf")
}

#[derive(Deserialize)]
struct AllQuery {
    i: i64,
    from: Option<String>,
    to: Option<String>,
}

/// A PDF document as the answer, shown in the browser and saved as `filename`.
pub(crate) fn pdf_answer(title: &str, blocks: &[klade_docs::pdf::Block], filename: &str) -> Result<Response, WebError> {
    let bytes = klade_docs::pdf::render(title, blocks).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn report_blocks(
    t: Tr,
    logo: Option<&klade_docs::pdf::Block>,
    institution: &str,
    issued: &str,
    reports: &[ReportView],
    blocks: &mut Vec<klade_docs::pdf::Block>,
) {
    use klade_docs::pdf::Block;
    for r in reports {
        blocks.extend(logo.cloned());
        blocks.push(Block::Title(t.get("report.title").to_string()));
        blocks.push(Block::Text(institution.to_string()));
        blocks.push(Block::Heading(format!("{}, {} · {}", r.name, r.class_name, r.period)));
        if r.subjects.is_empty() {
            blocks.push(Block::Text(t.get("report.no_grades").to_string()));
        } else {
            blocks.push(Block::Table {
                columns: vec![
                    (t.get("report.subject").to_string(), 7),
                    (t.get("report.marks").to_string(), 7),
                    (t.get("report.percents").to_string(), 6),
                    (t.get("report.average").to_string(), 3),
                    (t.get("report.final").to_string(), 5),
                ],
                rows: r
                    .subjects
                    .iter()
                    .map(|s| {
                        vec![
                            s.course.clone(),
                            s.marks.clone(),
                            s.percents.clone(),
                            s.average.clone(),
                            s.period_grades.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        blocks.push(Block::Text(format!("{}: {}", t.get("report.missed"), r.absences)));
        blocks.push(Block::Text(format!("{} {issued}", t.get("report.issued"))));
        blocks.push(Block::Signature(t.get("report.sign_tutor").to_string()));
        blocks.push(Block::Signature(t.get("report.sign_director").to_string()));
        blocks.push(Block::Text(t.get("report.stamp").to_string()));
        blocks.push(Block::PageBreak);
    }
}
