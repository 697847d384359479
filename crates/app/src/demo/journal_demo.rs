//! The demo's journals: lessons, attendance, assessments and grades since 1 September, for class
//! 2.B and for the courses of `skolotajs` and `audzinataja` (the set-up made the courses and the
//! week they follow). Everything written here goes into the history chain, as
//! the application's own saves do, so `klade verify` holds for the demo.

use super::Maker;
use crate::AppError;
use jiff::civil::{date, Date};
use klade_domain::journal_item::Item;
use klade_domain::{AssessmentId, CourseId, LessonId, PersonId};
use klade_store::history::{self, Change};
use klade_store::journal::{self, Assessment, Lesson};

/// Topics per subject, by the subject's name; others get numbered topics.
fn topics(subject: &str) -> &'static [&'static str] {
    match subject {
        "Matemātika" => &[
            "Lineāra funkcija un tās grafiks",
            "Kvadrātvienādojumi",
            "Vjeta teorēma",
            "Nevienādību sistēmas",
            "Trigonometriskās funkcijas",
            "Vektori plaknē",
            "Varbūtību teorijas pamati",
        ],
        "Latviešu valoda un literatūra" => &[
            "Tautasdziesmu poētika",
            "Rūdolfs Blaumanis: „Nāves ēnā”",
            "Teikuma sintakse",
            "Argumentētā eseja",
            "Aspazija un jaunā strāva",
            "Interpunkcija saliktos teikumos",
        ],
        "Angļu valoda" => &[
            "Present Perfect",
            "Describing art",
            "Reported speech",
            "Formal letters",
            "Design vocabulary",
        ],
        "Zīmēšana" => &[
            "Klusā daba ar drapēriju",
            "Ģipša galva",
            "Perspektīva interjerā",
            "Tonālās skices",
        ],
        "Datorgrafika" => &[
            "Vektorgrafikas pamati",
            "Slāņi un maskas",
            "Krāsu modeļi RGB un CMYK",
            "Plakāta makets",
        ],
        _ => &[
            "Ievads",
            "Pamatjēdzieni",
            "Praktiskais darbs",
            "Atkārtojums",
            "Projekts",
        ],
    }
}

/// UTC seconds of 15:00 in Riga on `day` (when a teacher would fill the journal).
fn afternoon(day: Date) -> i64 {
    day.at(15, 0, 0, 0)
        .to_zoned(crate::clock::riga())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

/// Working days of the demo's autumn: no weekends, no autumn holiday week, no 18 November.
fn school_day(day: Date, year: i16) -> bool {
    let weekday = day.weekday().to_monday_one_offset();
    if weekday > 5 {
        return false;
    }
    let autumn = date(year, 10, 19) <= day && day <= date(year, 10, 23);
    let national = day == date(year, 11, 18)
        || (day == date(year, 11, 19) && date(year, 11, 18).weekday().to_monday_one_offset() > 5);
    !autumn && !national
}

/// Fills the journals of `filled` (course, its teacher, subject) from the year's first day to yesterday.
pub(super) async fn fill(
    m: &mut Maker<'_>,
    tenant: klade_domain::Tenant,
    filled: &[(CourseId, PersonId, String)],
    start: Date,
    today: Date,
) -> Result<(), AppError> {
    let last = today.yesterday().unwrap_or(today);
    for (course, teacher, name) in filled {
        fill_course(m, tenant, *course, *teacher, name, start, last).await?;
    }
    Ok(())
}

async fn fill_course(
    m: &mut Maker<'_>,
    tenant: klade_domain::Tenant,
    course: CourseId,
    teacher: PersonId,
    subject: &str,
    start: Date,
    last: Date,
) -> Result<(), AppError> {
    let school = tenant.id();
    let slots = journal::slots(&mut *m.tx, school, journal::SlotsOf::Course(course), start, last).await?;
    let students: Vec<PersonId> = journal::students(&mut *m.tx, school, course, last)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let topics = topics(subject);
    let mut log = Vec::new();
    let mut held = 0usize;
    let mut day = start;
    while day <= last {
        if school_day(day, start.year()) {
            let weekday = i64::from(day.weekday().to_monday_one_offset());
            for s in slots.iter().filter(|s| s.weekday == weekday) {
                let at = afternoon(day);
                let topic = topics[(held / 3) % topics.len()];
                let lesson = journal::put_lesson(
                    &mut *m.tx,
                    tenant,
                    &Lesson {
                        id: LessonId(0),
                        course_id: course,
                        date: day,
                        lesson_no: s.lesson_no,
                        topic: topic.to_string(),
                        content: format!("{topic}: skaidrojums, piemēri un patstāvīgais darbs."),
                        homework: if held.is_multiple_of(2) {
                            format!("Uzdevumi par tēmu „{topic}”.")
                        } else {
                            String::new()
                        },
                        homework_due: None,
                    },
                    at,
                )
                .await?;
                log.push(entry(
                    Item::Lesson(lesson.id).to_string(),
                    lesson.history_value(),
                    teacher,
                    at,
                ));
                for student in &students {
                    let roll = m.rng.below(100);
                    let mark = match roll {
                        0..=2 => Some(("n", None)),
                        3..=5 => Some(("ns", None)),
                        6 => Some(("k", Some(5 + m.rng.below(11) as i64))),
                        _ => None,
                    };
                    if let Some((code, minutes)) = mark {
                        journal::set_attendance(&mut *m.tx, tenant, lesson.id, *student, Some((code, minutes))).await?;
                        let shown = minutes
                            .map(|x| format!("{code}{x}"))
                            .unwrap_or_else(|| code.to_string());
                        log.push(entry(
                            Item::Attendance(lesson.id, *student).to_string(),
                            shown,
                            teacher,
                            at,
                        ));
                    }
                }
                held += 1;
                // Every sixth lesson ends a topic: a summative test; every fourth, formative work.
                if held.is_multiple_of(6) || held.is_multiple_of(4) {
                    let summative = held.is_multiple_of(6);
                    let a = journal::insert_assessment(
                        &mut *m.tx,
                        tenant,
                        &Assessment {
                            id: AssessmentId(0),
                            course_id: course,
                            kind: if summative { "summative" } else { "formative" }.to_string(),
                            scale: if summative { "ten" } else { "percent" }.to_string(),
                            date: day,
                            title: if summative {
                                format!("Pārbaudes darbs: {topic}")
                            } else {
                                format!("Patstāvīgais darbs: {topic}")
                            },
                            handed_in_on: summative.then_some(day),
                        },
                    )
                    .await?;
                    log.push(entry(
                        Item::Assessment(a.id).to_string(),
                        a.history_value(),
                        teacher,
                        at,
                    ));
                    for student in &students {
                        let mark = if m.rng.below(25) == 0 {
                            "nv".to_string()
                        } else if summative {
                            (3 + (m.rng.below(8) + m.rng.below(8)).div_ceil(2).min(7)).to_string()
                        } else {
                            (40 + m.rng.below(61)).to_string()
                        };
                        journal::set_grade(&mut *m.tx, tenant, a.id, *student, Some(&mark), at).await?;
                        log.push(entry(Item::Grade(a.id, *student).to_string(), mark, teacher, at));
                    }
                }
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    history::append(&mut m.tx, m.backend, tenant, &log).await?;
    Ok(())
}

fn entry(item: String, new: String, person: PersonId, at: i64) -> Change {
    Change {
        item,
        old: None,
        new: Some(new),
        reason: None,
        person,
        at,
    }
}
