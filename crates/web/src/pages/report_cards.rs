//! Report cards (*liecības*) of a class for a term or the year: the page to check them and the PDF
//! to print and sign, one learner to a page. What goes on a card is `klade_app::report_cards`'s.

use crate::ctx::{Ctx, Path, Query};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::layout::{render, Chrome};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use klade_app::clock::format_date;
use klade_app::report_cards::{self, CardMark, CardPeriod, ReportCards};
use klade_domain::grading::{Mark, Scale};
use klade_domain::{ClassId, PersonId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/classes/{class}/card", get(card_page))
        .route("/classes/{class}/card.pdf", get(card_pdf))
}

#[derive(Deserialize, Default)]
struct CardQuery {
    student: Option<i64>,
    period: Option<String>,
}

/// One learner's card as the page and the PDF write it.
struct CardView {
    name: String,
    personal_code: String,
    /// Per subject: its name, then a cell per column.
    lines: Vec<(String, Vec<String>)>,
    absences: String,
}

/// The cards asked for, with the heading they share, written out in the reader's language.
struct CardsView {
    cards: ReportCards,
    title: String,
    /// The mark columns after the subject's: each term's, the year's, the final one's.
    columns: Vec<String>,
    issued: String,
    /// Under the signature lines: who signs, by role and name.
    sign_tutor: String,
    sign_director: String,
    views: Vec<CardView>,
}

/// A period mark as a card writes it: numbers as they are (`8`, `85 %`), the rest in words
/// (*ieskaitīts*, *atbrīvots*).
fn card_mark(t: Tr, m: &CardMark) -> String {
    let mark = Mark::stored(m.mark.clone());
    let Some(scale) = Scale::from_code(&m.scale) else {
        return m.mark.clone();
    };
    match mark.number() {
        Some(_) => mark.shown(scale),
        None => mark
            .words_key(scale)
            .map(|k| t.get(&k).to_string())
            .unwrap_or_else(|| mark.shown(scale)),
    }
}

async fn cards_view(state: &AppState, ctx: &Ctx, class: i64, q: &CardQuery) -> Result<CardsView, WebError> {
    let session = ctx.signed_in()?;
    let t = Tr::new(ctx.lang);
    let period = q
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(CardPeriod::parse)
        .transpose()?;
    let cards =
        report_cards::report_cards(&state.app, session, ClassId(class), q.student.map(PersonId), period).await?;
    let with_final = cards
        .cards
        .iter()
        .any(|c| c.subjects.iter().any(|s| s.final_mark.is_some()));
    let mut columns = cards.terms.clone();
    if cards.with_year {
        columns.push(t.get("card.year_mark").to_string());
        if with_final {
            columns.push(t.get("card.final_mark").to_string());
        }
    }
    let cell = |m: &Option<CardMark>| m.as_ref().map(|m| card_mark(t, m)).unwrap_or_default();
    let views = cards
        .cards
        .iter()
        .map(|c| CardView {
            name: c.name.clone(),
            personal_code: c.personal_code.clone().unwrap_or_default(),
            lines: c
                .subjects
                .iter()
                .map(|s| {
                    let mut cells: Vec<String> = s.terms.iter().map(cell).collect();
                    if cards.with_year {
                        cells.push(cell(&s.year));
                        if with_final {
                            cells.push(cell(&s.final_mark));
                        }
                    }
                    (s.course.clone(), cells)
                })
                .collect(),
            absences: t.fill(
                "card.absences",
                &[
                    ("excused", &c.excused.to_string()),
                    ("unexcused", &c.unexcused.to_string()),
                ],
            ),
        })
        .collect();
    let title = match cards.period {
        CardPeriod::Year => t.get("card.title_year").to_string(),
        CardPeriod::Term(_) => t.fill("card.title_term", &[("term", &cards.terms.join(", "))]),
    };
    let sign_tutor = signer(t.get("card.sign_tutor"), cards.tutors.first());
    let sign_director = signer(t.get("card.sign_director"), cards.director.as_ref());
    Ok(CardsView {
        sign_tutor,
        sign_director,
        cards,
        title,
        columns,
        issued: format_date(state.app.today()),
        views,
    })
}

#[derive(Template)]
#[template(path = "report_card.html")]
struct CardPage {
    page: Chrome,
    t: Tr,
    class_id: i64,
    student: Option<i64>,
    period: String,
    /// The periods to choose from: (code, name).
    periods: Vec<(String, String)>,
    v: CardsView,
    pdf: String,
}

async fn card_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<CardQuery>,
) -> Result<Response, WebError> {
    let v = cards_view(&state, &ctx, class, &q).await?;
    let t = Tr::new(ctx.lang);
    let period = v.cards.period.code();
    let mut pdf = format!("/classes/{class}/card.pdf?period={period}");
    if let Some(s) = q.student {
        pdf.push_str(&format!("&student={s}"));
    }
    let mut periods: Vec<(String, String)> = v
        .cards
        .all_terms
        .iter()
        .map(|(n, name)| (n.to_string(), name.clone()))
        .collect();
    periods.push(("year".into(), t.get("card.year").to_string()));
    let page = CardPage {
        page: Chrome::for_ctx(&ctx, &v.title, &format!("/classes/{class}/card"), None),
        t,
        class_id: class,
        student: q.student,
        period,
        periods,
        v,
        pdf,
    };
    Ok(render(&page)?.into_response())
}

/// The same cards as a PDF, one learner to a page.
async fn card_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(class): Path<i64>,
    Query(q): Query<CardQuery>,
) -> Result<Response, WebError> {
    use klade_docs::pdf::Block;
    let v = cards_view(&state, &ctx, class, &q).await?;
    let t = Tr::new(ctx.lang);
    let logo = klade_app::setup::logo_block(&state.app, v.cards.institution).await?;
    let c = &v.cards;
    let mut blocks = Vec::new();
    for card in &v.views {
        blocks.extend(logo.clone());
        blocks.push(Block::Text(c.institution_name.clone()));
        blocks.push(Block::Text(format!("{} {}", t.get("card.reg_no"), c.reg_no)));
        blocks.push(Block::Title(v.title.clone()));
        blocks.push(Block::Row(t.get("card.learner").to_string(), card.name.clone()));
        blocks.push(Block::Row(
            t.get("card.personal_code").to_string(),
            card.personal_code.clone(),
        ));
        blocks.push(Block::Row(t.get("card.class").to_string(), c.class_name.clone()));
        blocks.push(Block::Row(t.get("card.school_year").to_string(), c.year_name.clone()));
        if card.lines.is_empty() {
            blocks.push(Block::Text(t.get("card.no_marks").to_string()));
        } else {
            let mut columns = vec![(t.get("report.subject").to_string(), 8)];
            columns.extend(v.columns.iter().map(|h| (h.clone(), 3)));
            blocks.push(Block::Table {
                columns,
                rows: card
                    .lines
                    .iter()
                    .map(|(course, cells)| std::iter::once(course.clone()).chain(cells.iter().cloned()).collect())
                    .collect(),
            });
        }
        blocks.push(Block::Text(card.absences.clone()));
        blocks.push(Block::Text(format!("{} {}", t.get("report.issued"), v.issued)));
        blocks.push(Block::Signature(v.sign_tutor.clone()));
        blocks.push(Block::Signature(v.sign_director.clone()));
        blocks.push(Block::Text(t.get("report.stamp").to_string()));
        blocks.push(Block::PageBreak);
    }
    if v.views.is_empty() {
        blocks.push(Block::Title(v.title.clone()));
        blocks.push(Block::Text(t.get("report.none").to_string()));
    }
    crate::pages::families::pdf_answer(&v.title, &blocks, &format!("liecibas-{class}.pdf"))
}

fn signer(role: &str, name: Option<&String>) -> String {
    match name {
        Some(n) => format!("{role} {n}"),
        None => role.to_string(),
    }
}
