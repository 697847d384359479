//! Families join: the tutor's page of a class's students and parents — who has joined, an
//! invitation by SMS or e-mail, the slips to print — and `/join`, where a code becomes an account.
//! The rules are `klade_app::invitations`'.

use crate::ctx::Path;
use crate::ctx::{Ctx, Query};
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::session::{set_cookie, CSRF_COOKIE, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use klade_app::auth::SessionKind;
use klade_app::clock::format_instant;
use klade_app::invitations::{self, Channel, JoinInput};
use klade_app::AppError;
use klade_domain::{ClassId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classes/{class}/families", get(families))
        .route("/classes/{class}/families/invite", post(invite))
        .route("/classes/{class}/families/slips.pdf", post(slips))
        .route("/join", get(join_form).post(join))
}

struct MemberView {
    id: i64,
    student: String,
    name: String,
    relation: String,
    joined: bool,
    invited: String,
    phone: bool,
    email: bool,
}

#[derive(Template)]
#[template(path = "families.html")]
struct FamiliesPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    class_name: String,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    missing: usize,
    members: Vec<MemberView>,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn page(state: &AppState, ctx: &Ctx, class: ClassId, notice: Notice<'_>) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let f = invitations::families(&state.app, session, class).await?;
    let relation = |r: &str| match r {
        "student" => t.get("invitation.the_student").to_string(),
        "parent" => t.get("person.parents").to_string(),
        other => other.to_string(),
    };
    let members: Vec<MemberView> = f
        .members
        .iter()
        .map(|m| MemberView {
            id: m.person_id.0,
            student: m.student.clone(),
            name: m.name.clone(),
            relation: relation(&m.relation),
            joined: m.has_account,
            invited: m.invited_at.map(format_instant).unwrap_or_default(),
            phone: m.has_phone,
            email: m.has_email,
        })
        .collect();
    let mut waiting: Vec<i64> = members.iter().filter(|m| !m.joined).map(|m| m.id).collect();
    waiting.sort_unstable();
    waiting.dedup();
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let p = FamiliesPage {
        page: Chrome::for_ctx(
            ctx,
            t.get("invitation.title"),
            &format!("/classes/{}/families", class.0),
            None,
        ),
        t,
        class_id: class.0,
        class_name: f.class_name,
        csrf: session.csrf_token.clone(),
        flash: flash.map(|k| t.get(k).to_string()),
        error: error.map(|e| t.get(e.code()).to_string()),
        missing: waiting.len(),
        members,
    };
    Ok((status, render(&p)?).into_response())
}

async fn families(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = (q.done.as_deref() == Some("sent")).then_some("invitation.sent");
    page(&state, &ctx, ClassId(class), Notice::done(flash)).await
}

#[derive(Deserialize)]
struct InviteForm {
    person: i64,
    channel: Channel,
}

async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Form(f): Form<InviteForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match invitations::invite(&state.app, session, PersonId(f.person), f.channel).await {
        Ok(()) => Ok(Redirect::to(&format!("/classes/{class}/families?done=sent")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            page(&state, &ctx, ClassId(class), Notice::refused(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The slips as a PDF: one per person, each with the code, the address and how to join.
async fn slips(State(state): State<AppState>, ctx: Ctx, Path(class): Path<i64>) -> Result<Response, WebError> {
    use klade_docs::pdf::Block;
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let invitations::Slips {
        institution: inst,
        class_name,
        slips,
    } = invitations::slips(&state.app, session, ClassId(class)).await?;
    let at = state
        .app
        .settings
        .public_url
        .as_deref()
        .map(|u| format!("{}/join", u.trim_end_matches('/')))
        .unwrap_or_else(|| t.get("invitation.join_page").to_string());
    let mut blocks: Vec<Block> = klade_app::setup::logo_block(&state.app, inst)
        .await?
        .into_iter()
        .collect();
    blocks.push(Block::Title(format!(
        "{} — {class_name}",
        t.get("invitation.slips_title")
    )));
    for (i, s) in slips.iter().enumerate() {
        if i > 0 {
            blocks.push(Block::Text(
                "✂ - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -".into(),
            ));
        }
        blocks.push(Block::Heading(s.name.clone()));
        blocks.push(Block::Row(t.get("invitation.student").into(), s.student.clone()));
        blocks.push(Block::Row(t.get("invitation.code").into(), s.code.clone()));
        blocks.push(Block::Row(t.get("invitation.where").into(), at.clone()));
        blocks.push(Block::Row(t.get("invitation.until").into(), format_instant(s.expires)));
        blocks.push(Block::Text(t.get("invitation.slip_text").into()));
    }
    if slips.is_empty() {
        blocks.push(Block::Text(t.get("invitation.everyone_joined").into()));
    }
    let pdf = klade_docs::pdf::render(t.get("invitation.slips_title"), &blocks)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ieluguma-lapinas-{class}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage<'a> {
    page: Chrome,
    t: Tr,
    csrf: &'a str,
    code: &'a str,
    username: &'a str,
    bad: &'a str,
    message: Option<&'a str>,
}

fn join_page(state: &AppState, ctx: &Ctx, typed: &JoinInput, error: Option<&AppError>) -> Result<Response, WebError> {
    let t = Tr::new(ctx.lang);
    let (token, fresh) = match &ctx.pre_csrf {
        Some(c) if !c.is_empty() => (c.clone(), false),
        _ => (klade_app::auth::random_hex(32)?, true),
    };
    let bad = match error {
        Some(AppError::Invalid { field, .. }) => field,
        _ => "",
    };
    let p = JoinPage {
        page: Chrome::for_ctx(ctx, t.get("invitation.join_title"), "/join", None),
        t,
        csrf: &token,
        code: &typed.code,
        username: &typed.username,
        bad,
        message: error.map(|e| t.get(e.code())),
    };
    let status = error.map_or(StatusCode::OK, crate::error::status_of);
    let mut response = (status, render(&p)?).into_response();
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.web.secure_cookies),
        );
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    code: Option<String>,
}

async fn join_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let typed = JoinInput {
        code: q.code.unwrap_or_default(),
        ..JoinInput::default()
    };
    join_page(&state, &ctx, &typed, None)
}

async fn join(State(state): State<AppState>, ctx: Ctx, Form(form): Form<JoinInput>) -> Result<Response, WebError> {
    match invitations::join(&state.app, &form, SessionKind::Web, &ctx.address, &ctx.user_agent).await {
        Ok(done) => {
            if let Some(old) = &ctx.session {
                klade_app::auth::logout(&state.app, old).await?;
            }
            let mut response = Redirect::to("/").into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &done.token, None, state.web.secure_cookies),
            );
            Ok(response)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Throttled { .. })) => {
            let typed = JoinInput {
                password: String::new(),
                repeat: String::new(),
                ..form
            };
            join_page(&state, &ctx, &typed, Some(&e))
        }
        Err(e) => Err(e.into()),
    }
}
