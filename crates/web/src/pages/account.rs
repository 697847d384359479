//! One's own account: password, sessions, contacts proposed by another, username, notifications,
//! the institution's rules acknowledged.

use crate::ctx::{Ctx, Query};
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Choice, Chrome, Typed};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::auth::{self, SessionKind};
use klade_app::clock::format_instant;
use klade_app::AppError;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/username", post(choose_username))
        .route("/account/notifications", post(set_notifications))
        .route("/account/contacts", post(answer_proposed_contacts))
        .route("/account/sharing", post(choose_sharing))
        .route("/account/push", post(subscribe_push))
        .route("/account/push/{id}/remove", post(remove_push))
        .route("/rules/ack", post(acknowledge_rules))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    page: Chrome,
    t: Tr,
    parent: bool,
    /// Each event's channels, as `event:channel`.
    notify: Vec<Choice<String>>,
    username: &'a str,
    csrf: &'a str,
    must_change: bool,
    flash: Option<&'a str>,
    error: Option<&'a str>,
    sessions: Vec<SessionView>,
    /// A change of one's contacts someone else asked for.
    proposed: Option<ProposedContacts>,
    /// The refused form — "password", "notify", "username" or "sharing" — as typed (never a
    /// password), its message shown with it.
    typed: Typed,
    /// A student's parents and whether each sees the diary; `None` for who is not a student.
    sharing: Option<SharingView>,
    /// Choices an adult student made, as that student or as their parent; newest first.
    choices: Vec<ChoiceView>,
    /// The install's key for browsers to subscribe to push messages with, when it has one.
    push_key: Option<String>,
    /// The browsers subscribed: (id, the push service's host, since when).
    push_devices: Vec<(i64, String, String)>,
}

struct SharingView {
    adult: bool,
    parents: Vec<ParentView>,
}

struct ParentView {
    id: i64,
    name: String,
    /// Since when they no longer see the diary, shown as a moment; `None` while they do.
    withheld: Option<String>,
}

struct ChoiceView {
    at: String,
    child: String,
    parent: String,
    shared: bool,
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
        Some("sharing") => Some("sharing.saved"),
        Some("push") => Some("push.subscribed"),
        Some("push_removed") => Some("push.removed"),
        _ => None,
    };
    account_page(&state, &ctx, Notice::done(flash), Typed::default()).await
}

async fn account_page(state: &AppState, ctx: &Ctx, notice: Notice<'_>, typed: Typed) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
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
            kind: match s.kind {
                SessionKind::Api => "API",
                SessionKind::Web => "Web",
            },
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
    let sharing = klade_app::sharing::of_session(&state.app, session).await?;
    let choices = klade_app::sharing::choices(&state.app, session)
        .await?
        .into_iter()
        .map(|c| ChoiceView {
            at: format_instant(c.at),
            child: c.child,
            parent: c.parent,
            shared: c.shared,
        })
        .collect();
    let sharing = sharing.map(|s| SharingView {
        adult: s.adult,
        parents: s
            .parents
            .into_iter()
            .map(|p| ParentView {
                id: p.parent_id.0,
                name: p.name,
                withheld: p.withheld_at.map(format_instant),
            })
            .collect(),
    });
    let parent = !session.actor.children.is_empty();
    let mut notify = Vec::new();
    for e in klade_app::families::EVENTS {
        if !parent && e != "message" {
            continue;
        }
        for c in klade_app::families::CHANNELS {
            notify.push(Choice {
                value: format!("{e}:{c}"),
                label: format!(
                    "{} — {}",
                    t.dynamic("notify", &format!("event_{e}")),
                    t.dynamic("notify", &format!("channel_{c}"))
                ),
                chosen: if typed.is("notify") {
                    typed.has("notify", "notify", &format!("{e}:{c}"))
                } else {
                    chosen.iter().any(|(x, y)| x == e && y == c)
                },
            });
        }
    }
    let push_devices = klade_app::push::list(&state.app, session)
        .await?
        .into_iter()
        .map(|s| {
            let host = s
                .endpoint
                .split("://")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .unwrap_or("")
                .to_string();
            (s.id, host, format_instant(s.created_at))
        })
        .collect();
    let page = AccountPage {
        push_key: klade_app::push::public_key(&state.app).await?,
        push_devices,
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
        sharing,
        choices,
    };
    Ok((status, render(&page)?).into_response())
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
            account_page(&state, &ctx, Notice::refused(&e), typed).await
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
            account_page(&state, &ctx, Notice::refused(&e), typed).await
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
            account_page(&state, &ctx, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct SharingForm {
    parent: i64,
    /// "yes": the parent sees the diary and grades; "no": no longer.
    shared: String,
}

async fn choose_sharing(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SharingForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let shared = form.shared == "yes";
    match klade_app::sharing::choose(&state.app, session, klade_domain::PersonId(form.parent), shared).await {
        Ok(()) => Ok(Redirect::to("/account?done=sharing#sharing").into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let typed = Typed::new("sharing", &[], Some(&e));
            account_page(&state, &ctx, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PushForm {
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    p256dh: String,
    #[serde(default)]
    auth: String,
}

/// The browser's subscription, sent by `static/push.js` once the person allowed notifications.
async fn subscribe_push(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PushForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match klade_app::push::subscribe(&state.app, session, &f.endpoint, &f.p256dh, &f.auth).await {
        Ok(()) => Ok(Redirect::to("/account?done=push#push").into_response()),
        Err(e @ AppError::Invalid { .. }) => account_page(&state, &ctx, Notice::refused(&e), Typed::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn remove_push(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, WebError> {
    klade_app::push::remove(&state.app, ctx.signed_in()?, id).await?;
    Ok(Redirect::to("/account?done=push_removed#push").into_response())
}
