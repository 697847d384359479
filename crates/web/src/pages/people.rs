//! People and accounts: the superuser's staff accounts, the SMS outbox, the access log, a
//! person's record, a class's list with admissions, and each person's own privacy page.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Choice, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use klade_app::clock::{format_date, format_instant};
use klade_app::people::{Level, RecordInput};
use klade_app::{accounts, enrolment, people, AppError};
use klade_domain::{Action, ClassId, InstitutionId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(staff))
        .route("/admin/accounts/{person}/{action}", post(account_action))
        .route("/admin/sms", get(outbox))
        .route("/admin/access-log", get(access_log))
        .route("/people/{id}", get(person))
        .route("/people/{id}/contacts", post(contacts))
        .route("/people/{id}/parents", post(add_parent))
        .route("/people/{id}/record", post(record))
        .route("/people/{id}/transfer", post(transfer))
        .route("/people/{id}/exit", post(exit))
        .route("/people/{id}/export.json", get(export))
        .route("/people/{id}/data", get(data_page))
        .route("/classes/{class}/students", get(class_students).post(admit))
        .route("/classes/{class}/inform-parents", post(inform_parents))
        .route("/account/privacy", get(privacy))
        .route("/admin/rules", get(rules).post(set_rules))
        .route("/admin/rules/superuser", post(appoint))
        .route("/admin/rules/sms", post(set_sms))
}

#[derive(Deserialize, Default)]
struct InstQuery {
    i: Option<i64>,
    q: Option<String>,
    done: Option<String>,
    /// A download of the page's list (`xlsx`, `csv`, `pdf`) instead of the page.
    format: Option<String>,
}

/// The institution an admin page is about (`klade_app::home::institution_for`).
pub(super) fn institution_for(ctx: &Ctx, wanted: Option<i64>, actions: &[Action]) -> Result<InstitutionId, WebError> {
    klade_app::home::institution_for(ctx.signed_in()?, wanted.map(InstitutionId), actions).map_err(WebError::from)
}

struct StaffRow {
    id: i64,
    name: String,
    roles: String,
    from: String,
    username: Option<String>,
    blocked: Option<String>,
    overdue: bool,
    /// The reader outranks them: the password, block and second-factor buttons show.
    reachable: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    institution: String,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    staff: Vec<StaffRow>,
    overdue: usize,
    manage: bool,
    show_log: bool,
    /// A refused row's form — "create", "block" or "end", with its "person" — as typed.
    typed: crate::layout::Typed,
}

async fn staff(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts, Action::IssuePassword])?;
    let flash = q.done.as_deref().map(|d| match d {
        "create" => "accounts.created",
        "password" => "accounts.password_sent",
        "block" => "accounts.blocked_done",
        "second-factor-reset" => "second_factor.reset_done",
        "end" => "accounts.ended_done",
        _ => "accounts.unblocked_done",
    });
    staff_page(&state, &ctx, inst, Notice::done(flash), crate::layout::Typed::default()).await
}

async fn staff_page(
    state: &AppState,
    ctx: &Ctx,
    inst: InstitutionId,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let list = accounts::staff(&state.app, session, inst).await?;
    let klade_app::home::Institution {
        name: institution,
        kind,
        ..
    } = klade_app::home::institution(&state.app, inst).await?;
    let staff: Vec<StaffRow> = list
        .lines
        .into_iter()
        .map(|l| StaffRow {
            id: l.employee.person_id.0,
            name: l.employee.name,
            roles: l
                .employee
                .roles
                .iter()
                .map(|r| t.role("role", r, kind))
                .collect::<Vec<_>>()
                .join(", "),
            from: format_date(l.employee.employed_from),
            username: l.employee.username,
            blocked: if l.employee.blocked {
                Some(l.employee.blocked_reason.unwrap_or_default())
            } else {
                None
            },
            overdue: l.overdue,
            reachable: l.reachable,
        })
        .collect();
    let page = AccountsPage {
        page: Chrome::for_ctx(ctx, t.get("accounts.title"), "/admin/accounts", None),
        t,
        inst: inst.0,
        institution,
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        csrf: session.csrf_token.clone(),
        overdue: staff.iter().filter(|s| s.overdue).count(),
        staff,
        manage: list.manage,
        show_log: list.show_log,
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
struct AccountForm {
    username: Option<String>,
    reason: Option<String>,
    last_day: Option<String>,
}

async fn account_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((person, action)): Path<(i64, String)>,
    Query(q): Query<InstQuery>,
    Form(form_in): Form<AccountForm>,
) -> Result<Response, WebError> {
    let form = &form_in;
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts, Action::IssuePassword])?;
    let app = &state.app;
    let person = PersonId(person);
    let result = match action.as_str() {
        "create" => accounts::create(app, session, inst, person, form.username.as_deref())
            .await
            .map(|_| ()),
        "password" => accounts::issue_password(app, session, inst, person).await,
        "block" => accounts::set_blocked(app, session, inst, person, Some(form.reason.as_deref().unwrap_or(""))).await,
        "unblock" => accounts::set_blocked(app, session, inst, person, None).await,
        "end" => accounts::end_employment(app, session, inst, person, form.last_day.as_deref().unwrap_or("")).await,
        "second-factor-reset" => klade_app::second_factor::reset(app, session, inst, person).await,
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/accounts?i={}&done={action}", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let form = match action.as_str() {
                "create" => "create",
                "block" => "block",
                "end" => "end",
                _ => "",
            };
            let fields = [
                ("person".to_string(), person.0.to_string()),
                ("username".to_string(), form_in.username.clone().unwrap_or_default()),
                ("reason".to_string(), form_in.reason.clone().unwrap_or_default()),
                ("last_day".to_string(), form_in.last_day.clone().unwrap_or_default()),
            ];
            let mut typed = crate::layout::Typed::new(form, &fields, Some(&e));
            // The row's one field is what was refused, whatever the rule called it.
            typed.bad = match form {
                "create" => "username",
                "block" => "reason",
                _ => "last_day",
            }
            .into();
            staff_page(&state, &ctx, inst, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "sms.html")]
struct SmsPage {
    page: Chrome,
    t: Tr,
    messages: Vec<SmsRow>,
    emails: Vec<EmailRow>,
}

struct SmsRow {
    created_at: String,
    phone: String,
    body: String,
    /// With the last error and the attempts, when sending failed.
    status: String,
}

struct EmailRow {
    created_at: String,
    to: String,
    body: String,
}

async fn outbox(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts])?;
    let t = Tr::new(ctx.lang);
    let messages = accounts::outbox(&state.app, session, inst)
        .await?
        .into_iter()
        .map(|m| {
            let mut status = t.dynamic("sms", &format!("status_{}", m.status));
            if let Some(e) = m.last_error {
                status.push_str(&format!(" ({e}; {} {})", t.get("sms.attempts"), m.attempts));
            }
            SmsRow {
                created_at: format_instant(m.created_at),
                phone: m.phone,
                body: m.body,
                status,
            }
        })
        .collect();
    let emails = accounts::email_outbox(&state.app, session, inst)
        .await?
        .into_iter()
        .map(|e| EmailRow {
            created_at: format_instant(e.created_at),
            to: e.to_addr,
            body: e.body,
        })
        .collect();
    let page = SmsPage {
        page: Chrome::for_ctx(&ctx, t.get("sms.title"), "/admin/sms", None),
        t,
        messages,
        emails,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct LogPage {
    page: Chrome,
    t: Tr,
    title: String,
    inst: i64,
    query: Option<String>,
    export: Option<String>,
    notice: Option<String>,
    entries: Vec<LogRow>,
}

struct LogRow {
    at: String,
    actor: String,
    subject: String,
    /// The action, with its detail when it has one.
    what: String,
}

fn log_rows(t: Tr, entries: Vec<klade_app::people::AccessEntry>) -> Vec<LogRow> {
    entries
        .into_iter()
        .map(|e| {
            let what = match e.detail.as_str() {
                "" => t.dynamic("log", &e.action),
                d => format!("{}: {d}", t.dynamic("log", &e.action)),
            };
            LogRow {
                at: format_instant(e.at),
                actor: e.actor,
                subject: e.subject,
                what,
            }
        })
        .collect()
}

async fn access_log(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::ViewAccessLog])?;
    let t = Tr::new(ctx.lang);
    let query = q.q.unwrap_or_default();
    let entries = people::search_log(&state.app, session, inst, &query).await?;
    let page = LogPage {
        page: Chrome::for_ctx(&ctx, t.get("log.title"), "/admin/access-log", None),
        t,
        title: t.get("log.title").to_string(),
        inst: inst.0,
        query: Some(query),
        export: None,
        notice: None,
        entries: log_rows(t, entries),
    };
    Ok(render(&page)?.into_response())
}

async fn privacy(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let entries = people::access_of(&state.app, session, session.person).await?;
    let page = LogPage {
        page: Chrome::for_ctx(&ctx, t.get("privacy.title"), "/account/privacy", None),
        t,
        title: t.get("privacy.who_looked").to_string(),
        inst: 0,
        query: None,
        export: Some(format!("/people/{}/data", session.person)),
        notice: Some(privacy_notice(&state, session, t).await?),
        entries: log_rows(t, entries),
    };
    Ok(render(&page)?.into_response())
}

async fn export(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let data = people::export(&state.app, session, PersonId(id)).await?;
    let mut response = Json(data).into_response();
    if let Ok(v) = format!("attachment; filename=\"klade-{id}.json\"").parse() {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: Chrome,
    t: Tr,
    id: i64,
    name: String,
    class_name: Option<String>,
    flash: Option<String>,
    error: Option<String>,
    fields: Vec<Detail>,
    parents: Vec<String>,
    history: Vec<String>,
    edit_contacts: bool,
    edit_record: bool,
    enrol: bool,
    add_parent: bool,
    /// The reader may open the student's grades.
    grades_link: bool,
    csrf: String,
    phone: String,
    email: String,
    form: Vec<Input>,
    classes: Vec<Choice<i64>>,
    today: String,
    /// A refused form's input: "contacts", "parent", "record", "transfer" or "exit".
    typed: crate::layout::Typed,
}

/// A line of a person's record: what it is and what it says.
struct Detail {
    label: String,
    value: String,
}

/// A form's text field: its name, its label and the value it shows.
struct Input {
    name: &'static str,
    label: String,
    value: String,
}

const RECORD_FIELDS: [&str; 11] = [
    "given_name",
    "family_name",
    "personal_code",
    "birth_date",
    "gender",
    "address_declared",
    "address_actual",
    "document_number",
    "document_issuer",
    "document_date",
    "previous_programme",
];

async fn person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.as_deref().map(|d| match d {
        "transfer" => "enrolment.transferred",
        "exit" => "enrolment.exited",
        "contacts_proposed" => "person.awaiting_confirmation",
        "parent" => "person.parent_added",
        _ => "person.saved",
    });
    person_page(
        &state,
        &ctx,
        PersonId(id),
        Notice::done(flash),
        crate::layout::Typed::default(),
    )
    .await
}

async fn person_page(
    state: &AppState,
    ctx: &Ctx,
    id: PersonId,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let r = people::record(&state.app, session, id).await?;
    let p = &r.person;
    // "gender", "phone" and "email" alone are the catalogue's messages about a wrong value.
    let label = |k: &str| match k {
        "gender" | "phone" | "email" => t.dynamic("person", &format!("{k}_label")),
        _ => t.dynamic("person", k),
    };
    let mut fields = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            fields.push(Detail {
                label: label(k),
                value: v.clone(),
            });
        }
    };
    push("personal_code", &p.personal_code);
    push("birth_date", &p.birth_date.map(format_date));
    push("gender", &p.gender.as_deref().map(|g| label(&format!("gender_{g}"))));
    push("phone", &p.phone);
    push("email", &p.email);
    push("address_declared", &p.address_declared);
    push("address_actual", &p.address_actual);
    push("document_number", &p.document_number);
    push("document_issuer", &p.document_issuer);
    push("document_date", &p.document_date.map(format_date));
    push("previous_programme", &p.previous_programme);
    push("username", &r.username);
    let level = match r.level {
        Level::Basic => "level_basic",
        Level::Contacts => "level_contacts",
        Level::Full => "level_full",
    };
    fields.push(Detail {
        label: label("shown"),
        value: label(level),
    });
    let value = |k: &str| -> String {
        match k {
            "given_name" => p.given_name.clone(),
            "family_name" => p.family_name.clone(),
            "personal_code" => p.personal_code.clone().unwrap_or_default(),
            "birth_date" => p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            "gender" => p.gender.clone().unwrap_or_default(),
            "address_declared" => p.address_declared.clone().unwrap_or_default(),
            "address_actual" => p.address_actual.clone().unwrap_or_default(),
            "document_number" => p.document_number.clone().unwrap_or_default(),
            "document_issuer" => p.document_issuer.clone().unwrap_or_default(),
            "document_date" => p.document_date.map(|d| d.to_string()).unwrap_or_default(),
            _ => p.previous_programme.clone().unwrap_or_default(),
        }
    };
    let classes: Vec<Choice<i64>> = r
        .classes
        .iter()
        .map(|(id, name)| Choice {
            value: id.0,
            label: name.clone(),
            chosen: typed.has("transfer", "class", &id.0.to_string()),
        })
        .collect();
    let page = PersonPage {
        page: Chrome::for_ctx(ctx, &p.full_name(), &format!("/people/{}", id.0), None),
        t,
        id: id.0,
        name: p.full_name(),
        class_name: r.placement.as_ref().map(|c| c.class_name.clone()),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| crate::error::text(t, e)),
        fields,
        parents: r
            .parents
            .iter()
            .map(|x| {
                format!("{} {}", x.full_name(), x.phone.clone().unwrap_or_default())
                    .trim()
                    .to_string()
            })
            .collect(),
        history: r
            .enrolments
            .iter()
            .map(|e| {
                let mut s = format!(
                    "{} · {} – {} · {} ({} {}, {})",
                    e.class_name,
                    format_date(e.valid_from),
                    e.valid_to.map(format_date).unwrap_or_default(),
                    e.reason,
                    t.get("enrolment.order"),
                    e.order_number,
                    format_date(e.order_date)
                );
                if let (Some(n), Some(d)) = (&e.end_order_number, &e.end_order_date) {
                    s.push_str(&format!(
                        "; {}: {} ({} {n}, {})",
                        t.get("enrolment.ended"),
                        e.end_reason.clone().unwrap_or_default(),
                        t.get("enrolment.order"),
                        format_date(*d)
                    ));
                }
                s
            })
            .collect(),
        edit_contacts: r.can_edit_contacts,
        edit_record: r.can_edit_record,
        enrol: r.can_enrol && r.placement.is_some(),
        add_parent: r.can_add_parent,
        grades_link: r.can_view_grades,
        csrf: session.csrf_token.clone(),
        phone: typed
            .or("contacts", "phone", p.phone.as_deref().unwrap_or_default())
            .to_string(),
        email: typed
            .or("contacts", "email", p.email.as_deref().unwrap_or_default())
            .to_string(),
        form: RECORD_FIELDS
            .iter()
            .map(|k| {
                let v = value(k);
                Input {
                    name: k,
                    label: label(k),
                    value: typed.or("record", k, &v).to_string(),
                }
            })
            .collect(),
        classes,
        today: state.app.today().to_string(),
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct ContactsForm {
    phone: String,
    email: String,
}

/// Re-shows the record with the refused form as typed, or follows the success.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    id: PersonId,
    result: Result<(), AppError>,
    done: &str,
    form: &'static str,
    fields: &[(String, String)],
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/people/{}?done={done}", id.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::InvalidAt { .. } | AppError::Conflict(_))) => {
            let typed = crate::layout::Typed::new(form, fields, Some(&e));
            person_page(state, ctx, id, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let r = match crate::layout::parse_form::<ContactsForm>(&fields) {
        Ok(f) => people::update_contacts(&state.app, session, PersonId(id), &f.phone, &f.email).await,
        Err(e) => Err(e),
    };
    let done = match r {
        Ok(people::ContactsSaved::AwaitsConfirmation) => "contacts_proposed",
        _ => "contacts",
    };
    after(&state, &ctx, PersonId(id), r.map(|_| ()), done, "contacts", &fields).await
}

async fn add_parent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let r = match crate::layout::parse_form::<people::ParentInput>(&fields) {
        Ok(f) => people::add_parent(&state.app, session, PersonId(id), &f)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &ctx, PersonId(id), r, "parent", "parent", &fields).await
}

async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let r = match crate::layout::parse_form::<RecordInput>(&fields) {
        Ok(f) => people::update_record(&state.app, session, PersonId(id), &f).await,
        Err(e) => Err(e),
    };
    after(&state, &ctx, PersonId(id), r, "record", "record", &fields).await
}

#[derive(Deserialize)]
struct TransferForm {
    class: i64,
    #[serde(flatten)]
    order: enrolment::Order,
}

async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let r = people::record(&state.app, session, PersonId(id)).await?;
    let result = match crate::layout::parse_form::<TransferForm>(&fields) {
        Ok(f) => {
            enrolment::transfer(
                &state.app,
                session,
                r.institution,
                PersonId(id),
                ClassId(f.class),
                &f.order,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &ctx, PersonId(id), result, "transfer", "transfer", &fields).await
}

#[derive(Deserialize)]
struct ExitForm {
    reason: String,
    #[serde(flatten)]
    order: enrolment::Order,
}

async fn exit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let r = people::record(&state.app, session, PersonId(id)).await?;
    let result = match crate::layout::parse_form::<ExitForm>(&fields) {
        Ok(f) => enrolment::exit(&state.app, session, r.institution, PersonId(id), &f.order, &f.reason).await,
        Err(e) => Err(e),
    };
    after(&state, &ctx, PersonId(id), result, "exit", "exit", &fields).await
}

#[derive(Template)]
#[template(path = "class_students.html")]
struct ClassPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    /// The class list to download.
    exports: Vec<(String, &'static str)>,
    class_name: String,
    flash: Option<String>,
    error: Option<String>,
    students: Vec<StudentLink>,
    admit: bool,
    inform: bool,
    /// The link to the families' invitations, for those who enter their data.
    families: bool,
    /// The clerk's link to the final grades for VIIS.
    viis: bool,
    csrf: String,
    form: Vec<Input>,
    /// The refused field of the admission.
    bad: String,
}

struct StudentLink {
    id: i64,
    name: String,
}

/// A student without a Latvian personal code is admitted with an identity document's number.
const ADMIT_FIELDS: [&str; 10] = [
    "given_name",
    "family_name",
    "personal_code",
    "document_number",
    "birth_date",
    "gender",
    "phone",
    "order_number",
    "order_date",
    "from",
];

async fn class_students(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<InstQuery>,
) -> Result<Response, WebError> {
    if let Some(f) = crate::download::requested(q.format.as_deref())? {
        return class_list(&state, &ctx, ClassId(class), f).await;
    }
    let flash = q.done.as_deref().map(|d| {
        if d == "informed" {
            "onboarding_sent.done"
        } else {
            "enrolment.admitted"
        }
    });
    class_page(&state, &ctx, ClassId(class), Notice::done(flash), &[], StatusCode::OK).await
}

/// The class list to print or hand on: its students numbered in Latvian order, under the
/// institution, the class and the day it was made.
async fn class_list(
    state: &AppState,
    ctx: &Ctx,
    class: ClassId,
    format: klade_docs::table::Format,
) -> Result<Response, WebError> {
    use klade_docs::table::{Cell, Column, Report};
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let roster = klade_app::people::class_roster(&state.app, session, class).await?;
    let institution = klade_app::home::institution(&state.app, roster.institution).await?;
    let report = Report {
        title: format!("{}: {}", t.get("person.class_list"), roster.name),
        subtitle: vec![institution.name, format_date(state.app.today())],
        columns: vec![
            Column::new(t.get("person.number"), 5.0),
            Column::new(t.get("person.family_name"), 30.0),
            Column::new(t.get("person.given_name"), 30.0),
        ],
        rows: roster
            .students
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    Cell::Number {
                        value: (i + 1) as f64,
                        decimals: 0,
                    },
                    Cell::Text(s.family_name.clone()),
                    Cell::Text(s.given_name.clone()),
                ]
            })
            .collect(),
    };
    crate::download::download(&report, format, &format!("klase-{}", roster.name))
}

async fn inform_parents(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    klade_app::onboarding::inform_parents(&state.app, session, ClassId(class)).await?;
    Ok(Redirect::to(&format!("/classes/{class}/students?done=informed")).into_response())
}

async fn class_page(
    state: &AppState,
    ctx: &Ctx,
    class: ClassId,
    notice: Notice<'_>,
    typed: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let roster = klade_app::people::class_roster(&state.app, session, class).await?;
    let value = |k: &str| {
        typed
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let page = ClassPage {
        page: Chrome::for_ctx(ctx, &roster.name, &format!("/classes/{}/students", class.0), None),
        t,
        class_id: class.0,
        class_name: roster.name.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        students: roster
            .students
            .iter()
            .map(|s| StudentLink {
                id: s.id.0,
                name: format!("{} {}", s.family_name, s.given_name),
            })
            .collect(),
        exports: crate::download::links(&format!("/classes/{}/students", class.0)),
        admit: roster.admit,
        inform: roster.inform,
        families: roster.families,
        viis: roster.viis,
        csrf: session.csrf_token.clone(),
        bad: match error {
            Some(AppError::Invalid { field, .. }) => (*field).to_string(),
            _ => String::new(),
        },
        form: ADMIT_FIELDS
            .iter()
            .map(|k| Input {
                name: k,
                label: t.dynamic("person", k),
                value: value(k),
            })
            .collect(),
    };
    Ok((status, render(&page)?).into_response())
}

async fn admit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = enrolment::Admission {
        record: RecordInput {
            given_name: get("given_name"),
            family_name: get("family_name"),
            personal_code: get("personal_code"),
            birth_date: get("birth_date"),
            gender: get("gender"),
            document_number: get("document_number"),
            ..Default::default()
        },
        order: enrolment::Order {
            order_number: get("order_number"),
            order_date: get("order_date"),
            from: get("from"),
        },
        phone: get("phone"),
    };
    match enrolment::admit(&state.app, session, ClassId(class), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/classes/{class}/students?done=admit")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            class_page(
                &state,
                &ctx,
                ClassId(class),
                Notice::refused(&e),
                &fields,
                crate::error::status_of(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The privacy notice, naming each institution's data processor (R15, J7).
async fn privacy_notice(state: &AppState, session: &klade_app::auth::Session, t: Tr) -> Result<String, AppError> {
    let mut text = t.get("privacy.notice").to_string();
    for id in session.actor.institutions() {
        if let Ok(i) = klade_app::home::institution(&state.app, id).await {
            if !i.data_processor.is_empty() {
                text.push_str(&format!(
                    " {} — {}: {}.",
                    i.name,
                    t.get("rules.processor"),
                    i.data_processor
                ));
            }
        }
    }
    Ok(text)
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    page: Chrome,
    t: Tr,
    inst: i64,
    institution: String,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    processor: String,
    rules: String,
    version: i64,
    missing: Vec<String>,
    appoint: bool,
    staff: Vec<Choice<i64>>,
    sms_allowed: bool,
    /// A refused form's input: "rules" or "appoint".
    typed: crate::layout::Typed,
}

async fn rules(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InstQuery>) -> Result<Response, WebError> {
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts, Action::AppointSuperuser])?;
    let flash = q.done.as_deref().map(|d| {
        if d == "superuser" {
            "rules.appointed"
        } else {
            "rules.saved"
        }
    });
    rules_page(&state, &ctx, inst, Notice::done(flash), crate::layout::Typed::default()).await
}

async fn rules_page(
    state: &AppState,
    ctx: &Ctx,
    inst: InstitutionId,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let (i, missing) = klade_app::onboarding::rules(&state.app, session, inst).await?;
    let appointable = klade_app::onboarding::appointable(&state.app, session, inst).await?;
    let appoint = appointable.is_some();
    let staff: Vec<Choice<i64>> = appointable
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.0,
            label: name,
            chosen: typed.has("appoint", "person", &id.0.to_string()),
        })
        .collect();
    let page = RulesPage {
        page: Chrome::for_ctx(ctx, t.get("rules.title"), "/admin/rules", None),
        t,
        inst: inst.0,
        institution: i.name.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| crate::error::text(t, e)),
        csrf: session.csrf_token.clone(),
        processor: typed.or("rules", "data_processor", &i.data_processor).to_string(),
        rules: typed.or("rules", "rules", &i.rules).to_string(),
        version: i.rules_version,
        missing: missing
            .into_iter()
            .map(|(_, name, role)| format!("{name} ({})", t.role("role", &role, i.kind)))
            .collect(),
        appoint,
        staff,
        sms_allowed: klade_app::onboarding::sms_notifications(&state.app, session, inst).await?,
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
struct RulesForm {
    data_processor: String,
    rules: String,
}

async fn set_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts, Action::AppointSuperuser])?;
    let result = match crate::layout::parse_form::<RulesForm>(&fields) {
        Ok(f) => klade_app::onboarding::set_rules(&state.app, session, inst, &f.data_processor, &f.rules).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/rules?i={}&done=rules", inst.0)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = crate::layout::Typed::new("rules", &fields, Some(&e));
            rules_page(&state, &ctx, inst, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AppointForm {
    person: i64,
    order_number: String,
    order_date: String,
}

async fn appoint(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::AppointSuperuser])?;
    let result = match crate::layout::parse_form::<AppointForm>(&fields) {
        Ok(f) => {
            klade_app::onboarding::appoint_superuser(
                &state.app,
                session,
                inst,
                PersonId(f.person),
                &f.order_number,
                &f.order_date,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/rules?i={}&done=superuser", inst.0)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let typed = crate::layout::Typed::new("appoint", &fields, Some(&e));
            rules_page(&state, &ctx, inst, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the downloaded data as nested lists and tables, so a person can read what is held.
fn render_value(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Null => out.push('—'),
        Value::Bool(b) => out.push_str(if *b { "✓" } else { "✗" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&escape(&s.replace('\u{1f}', " · "))),
        Value::Array(items) if items.is_empty() => out.push('—'),
        Value::Array(items) => {
            // A list of like records reads best as a table.
            let keys: Option<Vec<String>> = items
                .first()
                .and_then(|f| f.as_object())
                .map(|o| o.keys().cloned().collect());
            match keys {
                Some(keys) if items.iter().all(Value::is_object) => {
                    out.push_str("<div class=\"table-wrap\"><table><thead><tr>");
                    for k in &keys {
                        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(k)));
                    }
                    out.push_str("</tr></thead><tbody>");
                    for item in items {
                        out.push_str("<tr>");
                        for k in &keys {
                            out.push_str("<td>");
                            render_value(&item[k.as_str()], out);
                            out.push_str("</td>");
                        }
                        out.push_str("</tr>");
                    }
                    out.push_str("</tbody></table></div>");
                }
                _ => {
                    out.push_str("<ul>");
                    for item in items {
                        out.push_str("<li>");
                        render_value(item, out);
                        out.push_str("</li>");
                    }
                    out.push_str("</ul>");
                }
            }
        }
        Value::Object(map) => {
            out.push_str("<dl class=\"record\">");
            for (k, v) in map {
                out.push_str(&format!("<div><dt>{}</dt><dd>", escape(k)));
                render_value(v, out);
                out.push_str("</dd></div>");
            }
            out.push_str("</dl>");
        }
    }
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    page: Chrome,
    t: Tr,
    json: String,
    html: String,
}

/// Everything held about a person, as a page to read (the same data as the JSON download).
async fn data_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let data = people::export(&state.app, session, PersonId(id)).await?;
    let mut html = String::new();
    render_value(&data, &mut html);
    let page = DataPage {
        page: Chrome::for_ctx(&ctx, t.get("privacy.data_title"), "/account/privacy", None),
        t,
        json: format!("/people/{id}/export.json"),
        html,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct SmsForm {
    allowed: Option<String>,
}

async fn set_sms(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InstQuery>,
    Form(f): Form<SmsForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let inst = institution_for(&ctx, q.i, &[Action::ManageAccounts, Action::AppointSuperuser])?;
    klade_app::onboarding::set_sms_notifications(&state.app, session, inst, f.allowed.is_some()).await?;
    Ok(Redirect::to(&format!("/admin/rules?i={}&done=rules", inst.0)).into_response())
}
