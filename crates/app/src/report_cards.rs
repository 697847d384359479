//! Report cards (*liecības*): each learner's term and year marks as the school prints and signs
//! them at a term's or the year's end — the institution and its registration number, the learner
//! and their personal code, the class and school year, every subject's period marks, the lessons
//! missed, and who signs. Reads the journal's period grades as teachers gave them; computes no mark
//! and writes nothing.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::grading::Kind;
use klade_domain::{ClassId, InstitutionId, PersonId, Role};
use klade_store::{journal, people, school, year_lock};

/// Which card: a term's (its ordinal in the year, from 1) or the whole year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardPeriod {
    Term(i64),
    Year,
}

impl CardPeriod {
    /// `1`, `2` … for a term, `year` for the year; anything else is refused.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "year" => Ok(Self::Year),
            t => t
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Self::Term)
                .ok_or_else(|| AppError::invalid("period", "card.bad_period")),
        }
    }

    pub fn code(self) -> String {
        match self {
            Self::Term(n) => n.to_string(),
            Self::Year => "year".into(),
        }
    }
}

/// A class's report cards with the heading they share.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportCards {
    pub institution: InstitutionId,
    pub institution_name: String,
    pub reg_no: String,
    pub year_name: String,
    pub class_name: String,
    pub period: CardPeriod,
    /// The terms the card shows a column for: the one asked, or every term of the year.
    pub terms: Vec<String>,
    /// Every term of the year as (ordinal, name), to choose another card from.
    pub all_terms: Vec<(i64, String)>,
    /// The year's (and, where given, the final) mark has a column: on the year's card only.
    pub with_year: bool,
    pub from: Date,
    pub to: Date,
    pub tutors: Vec<String>,
    pub director: Option<String>,
    pub cards: Vec<ReportCard>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportCard {
    pub student: PersonId,
    pub name: String,
    pub personal_code: Option<String>,
    /// In Latvian order; only subjects with a period mark.
    pub subjects: Vec<CardSubject>,
    /// Lessons missed in the period, excused and not.
    pub excused: i64,
    pub unexcused: i64,
}

/// A subject's line: a mark per term shown, the year's and the final one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CardSubject {
    pub course: String,
    pub terms: Vec<Option<CardMark>>,
    pub year: Option<CardMark>,
    pub final_mark: Option<CardMark>,
}

/// A period mark as stored with its scale's code; how it is written is the reader's business.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardMark {
    pub mark: String,
    pub scale: String,
}

/// The cards of `class` (or of one student of it) for `period` of the class's school year (the
/// latest term begun unless given), for who prints progress reports (the tutor, the clerk, the
/// director).
pub async fn report_cards(
    app: &App,
    session: &Session,
    class: ClassId,
    only: Option<PersonId>,
    period: Option<CardPeriod>,
) -> Result<ReportCards, AppError> {
    let db = app.db.pool();
    let (inst, class_name, year_id) = crate::families::printable_class(app, session, class).await?;
    let year = year_lock::years(db, inst)
        .await?
        .into_iter()
        .find(|y| y.id == year_id)
        .ok_or(AppError::NotFound)?;
    let all_terms = school::terms(db, inst, year_id).await?;
    // The term a period grade belongs to: the last that began on or before its day.
    let term_of = |day: Date| all_terms.iter().rev().find(|t| t.starts_on <= day).map(|t| t.ordinal);
    let period = period.unwrap_or_else(|| CardPeriod::Term(term_of(app.today()).unwrap_or(1)));
    let shown: Vec<&school::Term> = match period {
        CardPeriod::Year => all_terms.iter().collect(),
        CardPeriod::Term(n) => all_terms.iter().filter(|t| t.ordinal == n).collect(),
    };
    if shown.is_empty() {
        return Err(AppError::invalid("period", "card.bad_period"));
    }
    let (from, to) = match period {
        CardPeriod::Year => (year.starts_on, year.ends_on),
        CardPeriod::Term(_) => (shown[0].starts_on, shown[0].ends_on),
    };
    // A term's mark is often given in the days after the term ends (before the next begins), so
    // period grades are read to the start of the next term, or a month past the year's end.
    let grades_until = all_terms
        .iter()
        .find(|t| t.starts_on > to)
        .map(|t| t.starts_on.yesterday().unwrap_or(t.starts_on))
        .unwrap_or_else(|| to.checked_add(jiff::Span::new().days(31)).unwrap_or(to));
    let on = app.today().clamp(year.starts_on, year.ends_on);
    let mut students = journal::class_students(db, inst, class, on).await?;
    if let Some(one) = only {
        students.retain(|s| s.id == one);
        if students.is_empty() {
            return Err(AppError::NotFound);
        }
    }
    let ids: Vec<PersonId> = students.iter().map(|s| s.id).collect();
    let grades = journal::student_grades(db, inst, &ids, year.starts_on, grades_until).await?;
    let marks = journal::student_attendance(db, inst, &ids, from, to).await?;
    let codes = people::personal_codes(db, &ids).await?;
    let cards = students
        .iter()
        .map(|s| {
            let mut subjects: Vec<CardSubject> = Vec::new();
            for (_, g) in grades.iter().filter(|(p, _)| *p == s.id) {
                let Some(kind) = Kind::from_code(&g.kind).filter(|k| k.is_period_grade()) else {
                    continue;
                };
                let mark = CardMark {
                    mark: g.mark.clone(),
                    scale: g.scale.clone(),
                };
                let slot = match kind {
                    Kind::Semester => {
                        let Some(at) = term_of(g.date).and_then(|o| shown.iter().position(|t| t.ordinal == o)) else {
                            continue;
                        };
                        Slot::Term(at)
                    }
                    Kind::Year if period == CardPeriod::Year => Slot::Year,
                    Kind::Final if period == CardPeriod::Year => Slot::Final,
                    _ => continue,
                };
                let line = match subjects.iter().position(|x| x.course == g.course_name) {
                    Some(i) => &mut subjects[i],
                    None => {
                        subjects.push(CardSubject {
                            course: g.course_name.clone(),
                            terms: vec![None; shown.len()],
                            year: None,
                            final_mark: None,
                        });
                        let last = subjects.len() - 1;
                        &mut subjects[last]
                    }
                };
                // Grades come in date order: a later one (a corrected mark) stands.
                match slot {
                    Slot::Term(i) => line.terms[i] = Some(mark),
                    Slot::Year => line.year = Some(mark),
                    Slot::Final => line.final_mark = Some(mark),
                }
            }
            subjects.sort_by(|a, b| klade_domain::collate::cmp(&a.course, &b.course));
            let (mut excused, mut unexcused) = (0, 0);
            for (_, m) in marks.iter().filter(|(p, m)| *p == s.id && m.absent) {
                if m.excused {
                    excused += 1;
                } else {
                    unexcused += 1;
                }
            }
            ReportCard {
                student: s.id,
                name: format!("{} {}", s.given_name, s.family_name),
                personal_code: codes.get(&s.id).cloned().flatten(),
                subjects,
                excused,
                unexcused,
            }
        })
        .collect();
    let institution = crate::home::institution(app, inst).await?;
    let director = klade_store::accounts::people_with_role(db, inst, Role::Director, on)
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n);
    Ok(ReportCards {
        institution: inst,
        institution_name: institution.name,
        reg_no: institution.reg_no,
        year_name: year.name,
        class_name,
        period,
        terms: shown.iter().map(|t| t.name.clone()).collect(),
        all_terms: all_terms.iter().map(|t| (t.ordinal, t.name.clone())).collect(),
        with_year: period == CardPeriod::Year,
        from,
        to,
        tutors: school::tutors_of(db, inst, class)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect(),
        director,
        cards,
    })
}

enum Slot {
    Term(usize),
    Year,
    Final,
}
