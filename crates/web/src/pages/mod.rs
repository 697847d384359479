//! Server-rendered pages. Every page works without JavaScript and on a phone; every string comes
//! from the catalogue in the reader's language.

use crate::error::WebError;
use crate::i18n::{Lang, Tr};
use crate::session::Path;
use crate::session::Query;
use crate::session::{self, set_cookie, Ctx, CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::auth::{self, LoginInput, SessionKind};
use klade_app::clock::format_instant;
use klade_app::{home, AppError};
use serde::Deserialize;

mod archive;
mod calendar;
mod deadlines;
mod families;
mod history_words;
mod import;
mod invitations;
mod journal;
mod messages;
pub(crate) use messages::file_response;
mod journal_checks;
mod people;
mod preschool;
mod preschool_plans;
mod second_factor;
mod setup;
mod statistics;
mod timetable;
mod years;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home_page))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/username", post(choose_username))
        .route("/account/notifications", post(set_notifications))
        .route("/account/contacts", post(answer_proposed_contacts))
        .route("/rules/ack", post(acknowledge_rules))
        .route("/lang/{code}", get(switch_language))
        .merge(journal::routes())
        .merge(timetable::routes())
        .merge(people::routes())
        .merge(import::routes())
        .merge(families::routes())
        .merge(messages::routes())
        .merge(preschool::routes())
        .merge(archive::routes())
        .merge(years::routes())
        .merge(journal_checks::routes())
        .merge(preschool_plans::routes())
        .merge(calendar::routes())
        .merge(deadlines::routes())
        .merge(statistics::routes())
        .merge(second_factor::routes())
        .merge(setup::routes())
        .merge(invitations::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state, session::pages))
        .route("/healthz", get(healthz))
}

/// An address that is no page: the page that says so, in the reader's language, with their
/// navigation; under `/api/` the API's JSON.
async fn not_found(ctx: Ctx, uri: axum::extract::OriginalUri) -> WebError {
    if uri.0.path().starts_with("/api/") {
        WebError::api(AppError::NotFound, ctx.lang)
    } else {
        WebError::new(AppError::NotFound, ctx.lang).with_user(Chrome::user_of(&ctx))
    }
}

/// What every page's frame shows: title, language switch, the signed-in person.
pub struct Chrome {
    pub title: String,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub lang_href: String,
    pub user: Option<UserChrome>,
    /// The page answers a form that was not taken (the session ended, the form was outdated): the
    /// browser keeps what was typed to put back into the form (`static/forms.js`).
    pub keep_draft: bool,
    /// A one-time token for this page's creating forms (`once`): the same form sent twice makes
    /// one record (`session::once_only`).
    pub once: String,
}

/// What a refused form's user typed, for the page to show again with the wrong field marked:
/// the rule for every form is that a refusal loses nothing. `form` names which of a page's forms
/// it was; a fresh page has none.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub form: &'static str,
    fields: Vec<(String, String)>,
    /// The refused field.
    pub bad: String,
}

impl Typed {
    pub fn new(form: &'static str, fields: &[(String, String)], error: Option<&AppError>) -> Self {
        Self {
            form,
            fields: fields.iter().filter(|(k, _)| k != "csrf").cloned().collect(),
            bad: match error {
                Some(AppError::Invalid { field, .. }) => (*field).to_string(),
                Some(AppError::InvalidAt { field, .. }) => field.clone(),
                _ => String::new(),
            },
        }
    }

    /// The typed value of `name` when `form` was the one refused, else `default`.
    pub fn or<'a>(&'a self, form: &str, name: &str, default: &'a str) -> &'a str {
        if self.form != form {
            return default;
        }
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or(default, |(_, v)| v.as_str())
    }

    /// Whether `value` was chosen for `name` (a select's option, a ticked box) in the refused form.
    pub fn has(&self, form: &str, name: &str, value: &str) -> bool {
        self.form == form && self.fields.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether `form` was refused: its fields then show what was typed, not the defaults.
    pub fn is(&self, form: &str) -> bool {
        self.form == form
    }

    /// ` aria-invalid="true"` for the refused field of `form`, for the template to write as is.
    pub fn invalid(&self, form: &str, name: &str) -> &'static str {
        if self.form == form && self.bad == name {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    }
}

/// Reads a form's fields into its input type; a field that does not parse (a number left empty)
/// is a refusal the page shows with what was typed, not the framework's plain-text answer.
pub fn parse_form<T: serde::de::DeserializeOwned>(fields: &[(String, String)]) -> Result<T, AppError> {
    let encoded = serde_urlencoded::to_string(fields).map_err(|_| AppError::invalid("form", "error.form"))?;
    serde_urlencoded::from_str(&encoded).map_err(|_| AppError::invalid("form", "error.form"))
}

#[derive(Debug, Clone)]
pub struct UserChrome {
    pub name: String,
    /// The person's id: a draft kept after an ended session goes back only to the same person.
    pub who: i64,
    pub csrf: String,
    /// Where this person's work is: (href, catalogue key), from what the policy allows.
    pub links: Vec<(&'static str, &'static str)>,
    /// Messages not read yet.
    pub unread: i64,
}

impl Chrome {
    fn new(lang: Lang, title: &str, path: &str, user: Option<UserChrome>) -> Self {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        Self {
            title: title.to_string(),
            lang: lang.code(),
            other_lang: lang.other().code(),
            lang_href: format!("/lang/{}?next={next}", lang.other().code()),
            user,
            keep_draft: false,
            once: klade_app::auth::random_hex(16).unwrap_or_default(),
        }
    }

    pub(crate) fn for_ctx(ctx: &Ctx, title: &str, path: &str, name: Option<String>) -> Self {
        let mut user = Self::user_of(ctx);
        if let (Some(u), Some(n)) = (user.as_mut(), name) {
            u.name = n;
        }
        Self::new(ctx.lang, title, path, user)
    }

    /// The signed-in person's part of the page: name, navigation, unread mail.
    pub(crate) fn user_of(ctx: &Ctx) -> Option<UserChrome> {
        ctx.session.as_ref().map(|s| UserChrome {
            name: s.name.clone(),
            who: s.person.0,
            csrf: s.csrf_token.clone(),
            links: klade_app::home::menu(&s.actor),
            unread: s.unread,
        })
    }

    /// An error page's: the navigation of whoever is signed in.
    pub(crate) fn for_error(lang: Lang, title: &str, user: Option<UserChrome>) -> Self {
        Self::new(lang, title, "/", user)
    }
}

pub(crate) fn render(template: &impl Template, lang: Lang) -> Result<Html<String>, WebError> {
    template
        .render()
        .map(Html)
        .map_err(|e| WebError::new(AppError::Internal(format!("template: {e}")), lang))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

// ---- login and logout ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    username: &'a str,
    message: Option<&'a str>,
}

async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if ctx.session.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    login_page(&state, &ctx, "", None, StatusCode::OK)
}

/// The login form, with a pre-session CSRF token (set as a cookie when the browser has none).
fn login_page(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    error: Option<&AppError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let t = Tr::new(ctx.lang);
    let (token, fresh) = match &ctx.pre_csrf {
        Some(c) if !c.is_empty() => (c.clone(), false),
        _ => (auth::random_hex(32)?, true),
    };
    let page = LoginPage {
        page: Chrome::for_ctx(ctx, t.get("login.title"), "/login", None),
        t,
        csrf: &token,
        username,
        message: error.map(|e| t.get(e.code())),
    };
    let mut response = (status, render(&page, ctx.lang)?).into_response();
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.web.secure_cookies),
        );
    }
    if let Some(AppError::Throttled { retry_after_secs }) = error {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(State(state): State<AppState>, ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, WebError> {
    let result = auth::login(
        &state.app,
        LoginInput {
            username: &form.username,
            password: &form.password,
            address: &ctx.address,
            user_agent: &ctx.user_agent,
            kind: SessionKind::Web,
        },
    )
    .await;
    match result {
        Ok(auth::Login::SecondFactor { challenge }) => {
            let mut response = Redirect::to("/login/second-factor").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    session::CHALLENGE_COOKIE,
                    &challenge,
                    Some(300),
                    state.web.secure_cookies,
                ),
            );
            Ok(response)
        }
        Ok(auth::Login::Done(done)) => {
            // A session the browser already had (another account) ends: one browser, one session.
            if let Some(old) = &ctx.session {
                auth::logout(&state.app, old).await?;
            }
            let to = if done.must_change_password {
                "/account"
            } else {
                ctx.next.as_deref().unwrap_or("/")
            };
            let mut response = Redirect::to(to).into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &done.token, None, state.web.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(session::NEXT_COOKIE, "", Some(0), state.web.secure_cookies),
            );
            Ok(response)
        }
        Err(
            e @ (AppError::InvalidCredentials
            | AppError::Throttled { .. }
            | AppError::AccountBlocked
            | AppError::NoActiveRights),
        ) => login_page(&state, &ctx, &form.username, Some(&e), crate::error::status_of(&e)),
        Err(e) => Err(e.into()),
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        auth::logout(&state.app, s).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.web.secure_cookies),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct LangQuery {
    next: Option<String>,
}

async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    // Only paths on this site: never an open redirect.
    let next = q
        .next
        .as_deref()
        .and_then(crate::session::same_site_path)
        .unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 24 * 3600),
            state.web.secure_cookies,
        ),
    );
    response
}

// ---- home ----

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Chrome,
    t: Tr,
    name: String,
    csrf: String,
    pending: Vec<PendingView>,
    news: Vec<messages::HomeNews>,
    /// (line, journal link, filled)
    today: Vec<(String, String, bool)>,
    /// Staff have deadlines.
    deadlines: bool,
    /// (institution, name, may see the overdue list) where the calendar and deadline settings
    /// may be kept.
    calendars: Vec<(i64, String, bool)>,
    institutions: Vec<InstitutionView>,
}

struct PendingView {
    id: i64,
    name: String,
    version: i64,
    rules: Vec<String>,
    instructions: Vec<String>,
}

struct InstitutionView {
    /// Oversees the preschool groups' monthly plans (J24).
    plans: bool,
    /// May download the year-end archive (R28).
    archives: bool,
    /// May extend the clean-language list (J18).
    manages_words: bool,
    id: i64,
    name: String,
    kind: String,
    roles: String,
    own_class: Option<String>,
    /// (label, summary link)
    tutored: Vec<(String, String, Option<String>)>,
    /// (name, timetable link if editable, the class's address)
    classes: Vec<(String, Option<String>, String, Option<String>)>,
    /// Checks the journals: sees every class's absences and summary journal.
    oversees: bool,
    /// Prints progress reports for any class (the clerk).
    prints: bool,
    /// (who, where, their preschool page)
    children: Vec<(String, Option<String>)>,
    counts: Option<klade_app::home::Counts>,
    /// (what is left, where it is done when the reader may do it)
    checklist: Vec<(String, Option<String>)>,
}

async fn home_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let home = home::load(&state.app, session).await?;
    let t = Tr::new(ctx.lang);
    let institutions = home
        .institutions
        .iter()
        .map(|i| InstitutionView {
            id: i.institution.id.0,
            name: i.institution.name.clone(),
            kind: t.dynamic("kind", i.institution.kind.code()),
            roles: i
                .roles
                .iter()
                .map(|r| t.role("role", r.code(), i.institution.kind))
                .collect::<Vec<_>>()
                .join(", "),
            own_class: i.own_class.as_ref().map(|c| c.class_name.clone()),
            tutored: i
                .tutored
                .iter()
                .map(|c| {
                    let mut s = format!("{} — {} {}", c.name, c.students, t.get("home.students"));
                    if let Some(p) = &c.programme_name {
                        s.push_str(&format!(" · {p}"));
                    }
                    let group = (c.kind == "group").then(|| format!("/groups/{}", c.id));
                    (s, format!("/classes/{}", c.id), group)
                })
                .collect(),
            classes: i
                .classes
                .iter()
                .map(|c| {
                    let reads_group = i.reads_groups.contains(&c.id);
                    (
                        format!("{} ({})", c.name, c.students),
                        i.edits_timetable.then(|| format!("/classes/{}/timetable", c.id)),
                        format!("/classes/{}", c.id),
                        (c.kind == "group" && reads_group).then(|| format!("/groups/{}", c.id)),
                    )
                })
                .collect(),
            children: i
                .children
                .iter()
                .map(|c| {
                    (
                        format!("{} {} — {}", c.given_name, c.family_name, c.class_name),
                        (i.institution.kind == klade_domain::InstitutionKind::Preschool)
                            .then(|| format!("/preschool?child={}", c.student_id)),
                    )
                })
                .collect(),
            counts: i.counts.clone(),
            checklist: i
                .checklist
                .iter()
                .map(|c| {
                    (
                        format!("{} {}", t.get(c.what), c.detail).trim_end().to_string(),
                        c.link.clone(),
                    )
                })
                .collect(),
            oversees: i.oversees,
            plans: i.institution.kind == klade_domain::InstitutionKind::Preschool && i.oversees,
            archives: i.archives,
            manages_words: i.manages_words,
            prints: i.prints,
        })
        .collect();
    let name = home.person.full_name();
    let today = home
        .today
        .iter()
        .map(|(l, filled)| {
            (
                format!(
                    "{}. {}–{} {} ({})",
                    l.slot.lesson_no, l.slot.starts_at, l.slot.ends_at, l.slot.course_name, l.slot.class_name
                ),
                format!("/journal/{}", l.slot.course_id),
                *filled,
            )
        })
        .collect();
    let pending = klade_app::onboarding::pending(&state.app, session)
        .await?
        .into_iter()
        .map(|p| PendingView {
            id: p.institution.id.0,
            name: p.institution.name.clone(),
            version: p.institution.rules_version,
            rules: p
                .institution
                .rules
                .split("\n\n")
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            instructions: p
                .roles
                .iter()
                .map(|r| t.role("onboarding", r.code(), p.institution.kind))
                .collect(),
        })
        .collect();
    let news = messages::home_news(&state, &ctx).await?;
    let calendars = home
        .institutions
        .iter()
        .filter(|i| i.manages_calendar)
        .map(|i| (i.institution.id.0, i.institution.name.clone(), i.overview))
        .collect();
    let page = HomePage {
        csrf: session.csrf_token.clone(),
        pending,
        news,
        today,
        deadlines: home.deadlines,
        calendars,
        page: Chrome::for_ctx(&ctx, t.get("home.title"), "/", Some(name.clone())),
        t,
        name,
        institutions,
    };
    Ok(render(&page, ctx.lang)?.into_response())
}

// ---- account: password and sessions ----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    page: Chrome,
    t: Tr,
    parent: bool,
    /// (event:channel, label, chosen)
    notify: Vec<(String, String, bool)>,
    username: &'a str,
    csrf: &'a str,
    must_change: bool,
    flash: Option<&'a str>,
    error: Option<&'a str>,
    sessions: Vec<SessionView>,
    /// A change of one's contacts someone else asked for.
    proposed: Option<ProposedContacts>,
    /// The refused form — "password", "notify" or "username" — as typed (never a password), its
    /// message shown with it.
    typed: Typed,
}

struct ProposedContacts {
    phone: String,
    email: String,
    by: String,
    at: String,
}

struct SessionView {
    current: bool,
    started: String,
    last_seen: String,
    device: String,
    address: String,
    kind: &'static str,
}

#[derive(Deserialize, Default)]
struct AccountQuery {
    done: Option<String>,
}

async fn account(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AccountQuery>) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("password") => Some("account.changed"),
        Some("sessions") => Some("account.ended_others"),
        Some("username") => Some("username.changed"),
        Some("notifications") => Some("notify.saved"),
        Some("contacts_accepted") => Some("person.proposed_accepted"),
        Some("contacts_refused") => Some("person.proposed_refused"),
        _ => None,
    };
    account_page(&state, &ctx, flash, None, StatusCode::OK, Typed::default()).await
}

async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Option<&str>,
    error: Option<&AppError>,
    status: StatusCode,
    typed: Typed,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let sessions = auth::list_sessions(&state.app, session)
        .await?
        .into_iter()
        .map(|s| SessionView {
            current: s.id_hash == session.id_hash,
            started: format_instant(s.created_at),
            last_seen: format_instant(s.last_seen_at),
            device: s.user_agent,
            address: s.address,
            kind: if s.kind == "api" { "API" } else { "Web" },
        })
        .collect();
    let chosen = klade_app::families::notification_prefs(&state.app, session).await?;
    let proposed = klade_app::people::proposed_contacts(&state.app, session)
        .await?
        .map(|c| ProposedContacts {
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            by: c.requested_by_name,
            at: format_instant(c.requested_at),
        });
    let parent = !session.actor.children.is_empty();
    let mut notify = Vec::new();
    for e in klade_app::families::EVENTS {
        if !parent && e != "message" {
            continue;
        }
        for c in klade_app::families::CHANNELS {
            notify.push((
                format!("{e}:{c}"),
                format!(
                    "{} — {}",
                    t.dynamic("notify", &format!("event_{e}")),
                    t.dynamic("notify", &format!("channel_{c}"))
                ),
                if typed.is("notify") {
                    typed.has("notify", "notify", &format!("{e}:{c}"))
                } else {
                    chosen.iter().any(|(x, y)| x == e && y == c)
                },
            ));
        }
    }
    let page = AccountPage {
        page: Chrome::for_ctx(ctx, t.get("account.title"), "/account", None),
        t,
        notify,
        parent: session
            .actor
            .grants
            .iter()
            .any(|g| g.role == klade_domain::Role::Parent),
        username: &session.username,
        csrf: &session.csrf_token,
        must_change: session.must_change_password,
        flash: flash.map(|k| t.get(k)),
        error: error.map(|e| t.get(e.code())),
        sessions,
        proposed,
        typed,
    };
    Ok((status, render(&page, ctx.lang)?).into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match auth::change_password(&state.app, session, &form.current, &form.new, &form.repeat).await {
        Ok(()) => Ok(Redirect::to("/account?done=password").into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            // Passwords are not shown again; the refused one is marked.
            let typed = Typed::new("password", &[], Some(&e));
            account_page(&state, &ctx, None, Some(&e), crate::error::status_of(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn answer_proposed_contacts(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let accept = form.answer == "accept";
    klade_app::people::answer_proposed_contacts(&state.app, session, accept).await?;
    let done = if accept {
        "contacts_accepted"
    } else {
        "contacts_refused"
    };
    Ok(Redirect::to(&format!("/account?done={done}")).into_response())
}

async fn end_other_sessions(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    auth::logout_others(&state.app, session).await?;
    Ok(Redirect::to("/account?done=sessions").into_response())
}

#[derive(Deserialize)]
struct UsernameForm {
    username: String,
}

async fn choose_username(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<UsernameForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match klade_app::onboarding::choose_username(&state.app, session, &form.username).await {
        Ok(_) => Ok(Redirect::to("/account?done=username").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let mut typed = Typed::new("username", &[("username".into(), form.username.clone())], Some(&e));
            typed.bad = "username".into();
            account_page(&state, &ctx, None, Some(&e), crate::error::status_of(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AckForm {
    institution: i64,
    version: i64,
}

async fn acknowledge_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<AckForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    klade_app::onboarding::acknowledge(
        &state.app,
        session,
        klade_domain::InstitutionId(form.institution),
        form.version,
    )
    .await?;
    Ok(Redirect::to("/").into_response())
}

async fn set_notifications(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let chosen: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k == "notify")
        .filter_map(|(_, v)| v.split_once(':').map(|(e, c)| (e.to_string(), c.to_string())))
        .collect();
    match klade_app::families::set_notification_prefs(&state.app, session, &chosen).await {
        Ok(()) => Ok(Redirect::to("/account?done=notifications").into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("notify", &fields, Some(&e));
            account_page(&state, &ctx, None, Some(&e), crate::error::status_of(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}
