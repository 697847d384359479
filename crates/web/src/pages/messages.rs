//! Mail (J30, J31), institution news (R22.5, R24.2, R25.3) and the institution's clean-language
//! list (J18). Forms with attachments are multipart, their CSRF token in the address.

use crate::ctx::Ctx;
use crate::ctx::Path;
use crate::ctx::Query;
use crate::error::{Notice, WebError};
use crate::i18n::Tr;
use crate::layout::{render, Choice, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jiff::civil::Date;
use klade_app::clock::{format_date, format_instant};
use klade_app::messages::{self, Draft, Folder, To, Upload};
use klade_app::{news, AppError};
use klade_domain::{ClassId, InstitutionId, PersonId};
use serde::Deserialize;

/// A whole message with its attachments, with room for the form's other fields.
const UPLOAD_LIMIT: usize = messages::MAX_ATTACHMENTS_TOTAL + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(list))
        .route(
            "/messages/new",
            get(compose).post(send).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/messages/{thread}", get(thread))
        .route(
            "/messages/{message}/reply",
            post(reply).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/messages/attachments/{id}", get(attachment))
        .route("/news", get(news_page).post(publish))
        .route("/news/{id}/delete", post(remove_news))
        .route("/admin/words", get(words_page).post(save_words))
}

/// The catalogue's words for what a message was sent to.
fn audience_label(t: Tr, stored: &str) -> String {
    messages::audience_parts(stored)
        .into_iter()
        .map(|(kind, name)| {
            let what = t.dynamic("message", &format!("to_{kind}"));
            match (kind.as_str(), name.is_empty()) {
                ("person", _) => name,
                (_, true) => what,
                _ => format!("{name} — {what}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- the inbox and the sent list ----

struct Line {
    thread: i64,
    who: String,
    subject: String,
    when: String,
    unread: bool,
    attachments: i64,
    /// "read by 12 of 30" for one's own messages.
    read: String,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct ListPage {
    page: Chrome,
    t: Tr,
    sent: bool,
    search: String,
    lines: Vec<Line>,
    total: i64,
    page_no: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    flash: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    folder: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    done: Option<String>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let folder = if q.folder.as_deref() == Some("sent") {
        Folder::Sent
    } else {
        Folder::Inbox
    };
    let search = q.q.unwrap_or_default();
    let listing = messages::list(&state.app, session, folder, &search, q.page.unwrap_or(1)).await?;
    let sent = folder == Folder::Sent;
    let lines = listing
        .items
        .iter()
        .map(|m| Line {
            thread: m.thread_id,
            who: if sent {
                audience_label(t, &m.audience)
            } else {
                m.sender.clone()
            },
            subject: m.subject.clone(),
            when: format_instant(m.created_at),
            unread: !sent && m.read_at.is_none(),
            attachments: m.attachments,
            read: if sent {
                t.fill(
                    "message.read_of",
                    &[("read", &m.read.to_string()), ("all", &m.recipients.to_string())],
                )
            } else {
                String::new()
            },
        })
        .collect();
    let q_enc: String = form_urlencoded::byte_serialize(search.as_bytes()).collect();
    let link = |n: i64| {
        format!(
            "/messages?folder={}&q={q_enc}&page={n}",
            if sent { "sent" } else { "inbox" }
        )
    };
    let page = ListPage {
        page: Chrome::for_ctx(&ctx, t.get("message.title"), "/messages", None),
        t,
        sent,
        search,
        lines,
        total: listing.total,
        page_no: listing.page,
        pages: listing.pages,
        prev: (listing.page > 1).then(|| link(listing.page - 1)),
        next: (listing.page < listing.pages).then(|| link(listing.page + 1)),
        flash: q.done.is_some().then_some("message.sent"),
    };
    Ok(render(&page)?.into_response())
}

// ---- writing ----

/// A part of the "to" list: groups, or people.
struct OptionGroup {
    label: String,
    /// Each by its `To` code.
    options: Vec<Choice<String>>,
}

#[derive(Template)]
#[template(path = "message_new.html")]
struct ComposePage {
    page: Chrome,
    t: Tr,
    csrf: String,
    inst: i64,
    institutions: Vec<Choice<i64>>,
    options: Vec<OptionGroup>,
    staff: bool,
    find: String,
    subject: String,
    body: String,
    error: Option<String>,
    /// The refused field ("to", "subject", "body", "attachments").
    bad: String,
    max_mb: usize,
}

#[derive(Deserialize, Default)]
struct ComposeQuery {
    i: Option<i64>,
    to: Option<String>,
    find: Option<String>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page is drawn from the request, the typed form and the notice alike"
)]
async fn compose_page(
    state: &AppState,
    ctx: &Ctx,
    inst: Option<i64>,
    chosen: &[String],
    find: &str,
    subject: &str,
    body: &str,
    error: Option<&AppError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let wanted: Vec<PersonId> = chosen
        .iter()
        .filter_map(|code| match To::parse(code) {
            Some(To::Person(p)) => Some(p),
            _ => None,
        })
        .collect();
    let choices = messages::choices(&state.app, session, inst.map(InstitutionId), find, &wanted).await?;
    let staff = session.actor.roles_in(choices.institution).iter().any(|r| r.is_staff());
    let mut options: Vec<OptionGroup> = Vec::new();
    let mut groups: Vec<Choice<String>> = Vec::new();
    for g in &choices.groups {
        let what = t.dynamic("message", &format!("to_{}", g.kind));
        let label = if g.name.is_empty() {
            what
        } else {
            format!("{} — {what}", g.name)
        };
        groups.push(Choice {
            value: g.code.clone(),
            label,
            chosen: chosen.contains(&g.code),
        });
    }
    if !groups.is_empty() {
        options.push(OptionGroup {
            label: t.get("message.groups").to_string(),
            options: groups,
        });
    }
    let people: Vec<Choice<String>> = choices
        .people
        .iter()
        .map(|m| {
            let code = To::Person(m.id).code();
            let roles: Vec<String> = m.roles.iter().map(|r| t.role("role", r.code(), choices.kind)).collect();
            Choice {
                chosen: chosen.contains(&code),
                value: code,
                label: format!("{} ({})", m.name, roles.join(", ")),
            }
        })
        .collect();
    if !people.is_empty() {
        let label = if staff { "message.people" } else { "message.staff" };
        options.push(OptionGroup {
            label: t.get(label).to_string(),
            options: people,
        });
    }
    let bad = bad_field(error);
    let error = error.map(|e| crate::error::text(t, e));
    let page = ComposePage {
        bad,
        page: Chrome::for_ctx(ctx, t.get("message.new"), "/messages/new", None),
        t,
        csrf: session.csrf_token.clone(),
        inst: choices.institution.0,
        institutions: choices
            .institutions
            .iter()
            .map(|(i, n)| Choice {
                value: i.0,
                label: n.clone(),
                chosen: *i == choices.institution,
            })
            .collect(),
        options,
        staff,
        find: find.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
        error,
        max_mb: messages::MAX_ATTACHMENT / (1024 * 1024),
    };
    Ok((status, render(&page)?).into_response())
}

async fn compose(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ComposeQuery>) -> Result<Response, WebError> {
    let chosen: Vec<String> = q.to.into_iter().collect();
    compose_page(
        &state,
        &ctx,
        q.i,
        &chosen,
        q.find.as_deref().unwrap_or(""),
        "",
        "",
        None,
        StatusCode::OK,
    )
    .await
}

/// The fields of a multipart message form.
#[derive(Default)]
struct MessageForm {
    inst: Option<i64>,
    to: Vec<String>,
    subject: String,
    body: String,
    files: Vec<Upload>,
    too_big: bool,
}

async fn read_form(mut multipart: Multipart) -> MessageForm {
    let mut f = MessageForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                f.too_big = true;
                break;
            }
        };
        match field.name() {
            Some("i") => f.inst = field.text().await.ok().and_then(|v| v.parse().ok()),
            Some("to") => f.to.extend(field.text().await.ok()),
            Some("subject") => f.subject = field.text().await.unwrap_or_default(),
            Some("body") => f.body = field.text().await.unwrap_or_default(),
            Some("files") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) if !name.is_empty() => f.files.push(Upload {
                        name,
                        bytes: bytes.to_vec(),
                    }),
                    Ok(_) => {}
                    Err(_) => f.too_big = true,
                }
            }
            _ => {}
        }
    }
    f
}

fn back_to_form(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid { .. } | AppError::Unclean(_) | AppError::Forbidden(_)
    )
}

/// The field a refusal marks; words not allowed are in the text.
fn bad_field(error: Option<&AppError>) -> String {
    match error {
        Some(AppError::Invalid { field, .. }) => (*field).to_string(),
        Some(AppError::Unclean(_)) => "body".into(),
        _ => String::new(),
    }
}

async fn send(State(state): State<AppState>, ctx: Ctx, multipart: Multipart) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let form = read_form(multipart).await;
    let result = if form.too_big {
        Err(AppError::invalid("attachments", "message.too_large"))
    } else {
        let inst = form.inst.map(InstitutionId).ok_or(AppError::NotFound);
        match (inst, form.to.iter().map(|c| To::parse(c)).collect::<Option<Vec<_>>>()) {
            (Ok(institution), Some(to)) => {
                messages::send(
                    &state.app,
                    session,
                    Draft {
                        institution,
                        to,
                        subject: form.subject.clone(),
                        body: form.body.clone(),
                        attachments: form.files,
                    },
                )
                .await
            }
            (Err(e), _) => Err(e),
            (_, None) => Err(AppError::invalid("to", "message.no_recipients")),
        }
    };
    match result {
        Ok(thread) => Ok(Redirect::to(&format!("/messages/{thread}?done=1")).into_response()),
        Err(e) if back_to_form(&e) => {
            compose_page(
                &state,
                &ctx,
                form.inst,
                &form.to,
                "",
                &form.subject,
                &form.body,
                Some(&e),
                crate::error::status_of(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- a thread ----

struct MessageView {
    id: i64,
    mine: bool,
    sender: String,
    to: String,
    when: String,
    body: String,
    attachments: Vec<AttachmentLink>,
    /// For one's own messages.
    receipts: Vec<Receipt>,
    read_count: usize,
}

struct AttachmentLink {
    id: i64,
    file_name: String,
    size: String,
}

struct Receipt {
    name: String,
    /// Empty while unread.
    read_at: String,
}

#[derive(Template)]
#[template(path = "message_thread.html")]
struct ThreadPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    subject: String,
    messages: Vec<MessageView>,
    last: i64,
    flash: Option<&'static str>,
    error: Option<String>,
    /// The refused field ("body", "attachments").
    bad: String,
    body: String,
    max_mb: usize,
}

#[derive(Deserialize, Default)]
struct ThreadQuery {
    done: Option<String>,
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} kB", (bytes + 1023) / 1024)
    }
}

async fn thread_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    notice: Notice<'_>,
    body: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (flash, error) = (notice.done, notice.error);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let th = messages::thread(&state.app, session, id).await?;
    let views: Vec<MessageView> = th
        .messages
        .iter()
        .map(|m| {
            let receipts: Vec<Receipt> = th
                .receipts
                .iter()
                .filter(|r| r.message_id == m.id)
                .map(|r| Receipt {
                    name: r.name.clone(),
                    read_at: r.read_at.map(format_instant).unwrap_or_default(),
                })
                .collect();
            MessageView {
                id: m.id,
                mine: m.sender_id == session.person,
                sender: m.sender.clone(),
                to: audience_label(t, &m.audience),
                when: format_instant(m.created_at),
                body: m.body.clone(),
                attachments: th
                    .attachments
                    .iter()
                    .filter(|a| a.message_id == m.id)
                    .map(|a| AttachmentLink {
                        id: a.id,
                        file_name: a.file_name.clone(),
                        size: size_text(a.size),
                    })
                    .collect(),
                read_count: receipts.iter().filter(|r| !r.read_at.is_empty()).count(),
                receipts,
            }
        })
        .collect();
    let last = views.last().map(|m| m.id).unwrap_or(id);
    let page = ThreadPage {
        page: Chrome::for_ctx(ctx, &th.subject, "/messages", None),
        t,
        csrf: session.csrf_token.clone(),
        subject: th.subject.clone(),
        messages: views,
        last,
        flash,
        bad: bad_field(error),
        error: error.map(|e| crate::error::text(t, e)),
        body: body.to_string(),
        max_mb: messages::MAX_ATTACHMENT / (1024 * 1024),
    };
    Ok((status, render(&page)?).into_response())
}

async fn thread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, WebError> {
    let flash = q.done.is_some().then_some("message.sent");
    thread_page(&state, &ctx, id, Notice::done(flash), "", StatusCode::OK).await
}

async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(message): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let form = read_form(multipart).await;
    let result = if form.too_big {
        Err(AppError::invalid("attachments", "message.too_large"))
    } else {
        messages::reply(&state.app, session, message, &form.body, form.files).await
    };
    match result {
        Ok(thread) => Ok(Redirect::to(&format!("/messages/{thread}?done=1")).into_response()),
        Err(e) if back_to_form(&e) => {
            let thread = messages::thread_of(&state.app, session, message).await?;
            thread_page(
                &state,
                &ctx,
                thread,
                Notice::refused(&e),
                &form.body,
                crate::error::status_of(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn attachment(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let (name, content_type, bytes) = messages::attachment(&state.app, session, id).await?;
    Ok(crate::download::file_response(&name, &content_type, bytes))
}

// ---- news ----

struct NewsView {
    id: i64,
    category: String,
    title: String,
    body: String,
    period: String,
    audience: String,
    author: String,
    upcoming: bool,
    may_remove: bool,
}

struct BoardView {
    id: i64,
    name: String,
    items: Vec<NewsView>,
    categories: Vec<Choice<&'static str>>,
    audiences: Vec<Choice<&'static str>>,
    classes: Vec<Choice<i64>>,
    /// The refused item, when it was this board's.
    typed: crate::layout::Typed,
}

#[derive(Template)]
#[template(path = "news.html")]
struct NewsPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    boards: Vec<BoardView>,
    today: String,
    flash: Option<&'static str>,
    error: Option<String>,
}

/// The items of a board as shown (used by the news page and the home page).
fn news_views(t: Tr, board: &news::Board, today: Date) -> Vec<NewsView> {
    board
        .items
        .iter()
        .map(|n| NewsView {
            id: n.id,
            category: t.dynamic("news", &format!("cat_{}", n.category)),
            title: n.title.clone(),
            body: n.body.clone(),
            period: format!("{} – {}", format_date(n.visible_from), format_date(n.visible_to)),
            audience: match &n.class_name {
                Some(c) => format!("{c} — {}", t.dynamic("news", &format!("aud_{}", n.audience))),
                None => t.dynamic("news", &format!("aud_{}", n.audience)),
            },
            author: n.author.clone(),
            upcoming: n.visible_from > today,
            may_remove: klade_domain::news::Category::from_code(&n.category)
                .is_some_and(|c| board.may_publish.contains(&c)),
        })
        .collect()
}

/// What the home page shows of the news: the items relevant today.
pub(crate) struct HomeNews {
    pub institution: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub author: String,
}

pub(crate) async fn home_news(state: &AppState, ctx: &Ctx) -> Result<Vec<HomeNews>, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today = state.app.today();
    let boards = news::boards(&state.app, session).await?;
    let mut out = Vec::new();
    for b in &boards {
        for v in news_views(t, b, today).into_iter().filter(|v| !v.upcoming) {
            out.push(HomeNews {
                institution: b.name.clone(),
                category: v.category,
                title: v.title,
                body: v.body,
                author: v.author,
            });
        }
    }
    Ok(out)
}

async fn news_page_with(
    state: &AppState,
    ctx: &Ctx,
    notice: Notice<'_>,
    typed: crate::layout::Typed,
) -> Result<Response, WebError> {
    let (flash, error, status) = (notice.done, notice.error, notice.status);
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let today = state.app.today().to_string();
    let boards = news::boards(&state.app, session).await?;
    let mut views = Vec::new();
    for b in &boards {
        // Only the board whose item was refused shows what was typed.
        let typed = if typed.has("news", "i", &b.institution.0.to_string()) {
            typed.clone()
        } else {
            crate::layout::Typed::default()
        };
        let classes: Vec<Choice<i64>> = news::audience_classes(&state.app, session, b.institution)
            .await?
            .into_iter()
            .map(|(id, name)| Choice {
                value: id.0,
                label: name,
                chosen: typed.has("news", "class", &id.0.to_string()),
            })
            .collect();
        views.push(BoardView {
            id: b.institution.0,
            name: b.name.clone(),
            items: news_views(t, b, state.app.today()),
            categories: b
                .may_publish
                .iter()
                .map(|c| Choice {
                    value: c.code(),
                    label: t.dynamic("news", &format!("cat_{}", c.code())),
                    chosen: typed.has("news", "category", c.code()),
                })
                .collect(),
            audiences: klade_domain::news::Audience::ALL
                .iter()
                .map(|a| Choice {
                    value: a.code(),
                    label: t.dynamic("news", &format!("aud_{}", a.code())),
                    chosen: typed.has("news", "audience", a.code()),
                })
                .collect(),
            classes,
            typed,
        });
    }
    let page = NewsPage {
        page: Chrome::for_ctx(ctx, t.get("news.title"), "/news", None),
        t,
        csrf: session.csrf_token.clone(),
        boards: views,
        today,
        flash,
        error: error.map(|e| crate::error::text(t, e)),
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
struct NewsQuery {
    done: Option<String>,
}

async fn news_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NewsQuery>) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("removed") => Some("news.removed"),
        Some(_) => Some("news.published"),
        None => None,
    };
    news_page_with(&state, &ctx, Notice::done(flash), crate::layout::Typed::default()).await
}

#[derive(Deserialize)]
struct NewsForm {
    i: i64,
    category: String,
    audience: String,
    class: Option<String>,
    title: String,
    body: String,
    visible_from: String,
    visible_to: String,
}

async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let result = match crate::layout::parse_form::<NewsForm>(&fields) {
        Ok(f) => {
            let item = news::NewItem {
                institution: InstitutionId(f.i),
                category: f.category,
                audience: f.audience,
                class: f.class.and_then(|c| c.parse().ok()).map(ClassId),
                title: f.title,
                body: f.body,
                visible_from: f.visible_from,
                visible_to: f.visible_to,
            };
            news::publish(&state.app, session, item).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/news?done=1").into_response()),
        Err(e) if back_to_form(&e) => {
            let typed = crate::layout::Typed::new("news", &fields, Some(&e));
            news_page_with(&state, &ctx, Notice::refused(&e), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct InstForm {
    i: i64,
}

async fn remove_news(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<InstForm>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    news::remove(&state.app, session, InstitutionId(f.i), id).await?;
    Ok(Redirect::to("/news?done=removed").into_response())
}

// ---- the institution's word list ----

#[derive(Template)]
#[template(path = "words.html")]
struct WordsPage {
    page: Chrome,
    t: Tr,
    csrf: String,
    inst: i64,
    words: String,
    flash: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct WordsQuery {
    i: i64,
    done: Option<String>,
}

async fn words_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<WordsQuery>,
) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let words = messages::banned_words(&state.app, session, InstitutionId(q.i)).await?;
    let page = WordsPage {
        page: Chrome::for_ctx(&ctx, t.get("words.title"), "/admin/words", None),
        t,
        csrf: session.csrf_token.clone(),
        inst: q.i,
        words: words.join("\n"),
        flash: q.done.is_some().then_some("words.saved"),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct WordsForm {
    i: i64,
    words: String,
}

async fn save_words(State(state): State<AppState>, ctx: Ctx, Form(f): Form<WordsForm>) -> Result<Response, WebError> {
    let session = ctx.signed_in()?;
    match messages::set_banned_words(&state.app, session, InstitutionId(f.i), &f.words).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/words?i={}&done=1", f.i)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let t = Tr::new(ctx.lang);
            let page = WordsPage {
                page: Chrome::for_ctx(&ctx, t.get("words.title"), "/admin/words", None),
                t,
                csrf: session.csrf_token.clone(),
                inst: f.i,
                words: f.words,
                flash: None,
                error: Some(crate::error::text(t, &e)),
            };
            Ok((crate::error::status_of(&e), render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
