//! The demo's journals: every class's courses and weekly timetable, and a filled journal —
//! lessons, attendance, assessments and grades since 1 September — for class 2.B and for the
//! mathematics courses of `skolotajs`. Everything written here goes into the history chain, as
//! the application's own saves do, so `klade verify` holds for the demo.

use super::Maker;
use crate::AppError;
use jiff::civil::{date, Date};
use klade_domain::{AssessmentId, ClassId, CourseId, InstitutionId, LessonId, PersonId, SchoolYearId, SubjectId};
use klade_store::history::{self, Change};
use klade_store::journal::{self, Assessment, Lesson, NewCourse, NewSlot};

const TIMES: [(&str, &str); 6] = [
    ("08:30", "09:10"),
    ("09:20", "10:00"),
    ("10:10", "10:50"),
    ("11:10", "11:50"),
    ("12:00", "12:40"),
    ("13:00", "13:40"),
];

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

#[allow(clippy::too_many_arguments)]
pub(super) async fn fill(
    m: &mut Maker,
    school: InstitutionId,
    year: SchoolYearId,
    classes: &[(ClassId, String)],
    subjects: &[(SubjectId, &str)],
    teachers: &[PersonId],
    start: Date,
    today: Date,
) -> Result<(), AppError> {
    let audzinataja = teachers[0];
    let skolotajs = teachers[1];
    let maths = subjects.iter().position(|(_, n)| *n == "Matemātika").unwrap_or(1);
    let latvian = subjects
        .iter()
        .position(|(_, n)| *n == "Latviešu valoda un literatūra")
        .unwrap_or(0);
    let mut filled: Vec<(CourseId, ClassId, PersonId, &str)> = Vec::new();
    let mut next_teacher = 2;
    for (ci, (class, class_name)) in classes.iter().enumerate() {
        // Eight general subjects and three modules per class.
        let chosen: Vec<usize> = (0..8).chain((10..13).map(|k| k + (ci % 7))).collect();
        let mut courses = Vec::new();
        for &si in &chosen {
            let (subject, name) = subjects[si.min(subjects.len() - 1)];
            let teacher = if si == maths && (ci % 2 == 0 || class_name == "2.B") {
                skolotajs
            } else if si == latvian && (class_name == "2.B" || ci % 3 == 0) {
                audzinataja
            } else {
                next_teacher = 2 + (next_teacher - 1) % (teachers.len() - 2);
                teachers[next_teacher]
            };
            let course = journal::insert_course(
                &mut *m.tx,
                school,
                &NewCourse {
                    year,
                    subject,
                    class: Some(*class),
                    name,
                    subgroup: None,
                },
            )
            .await?;
            journal::add_course_teacher(&mut *m.tx, school, course, teacher).await?;
            courses.push((course, teacher, name));
            // The two teachers one signs in as keep their journals up to date; the others' leave
            // lessons unrecorded for the deadlines' lists.
            if class_name == "2.B" || teacher == skolotajs || teacher == audzinataja {
                filled.push((course, *class, teacher, name));
            }
        }
        // Thirty lessons a week: six a day, the courses in turn, rotated per class.
        for weekday in 1..=5_i64 {
            for (n, (starts, ends)) in TIMES.iter().enumerate() {
                let pick = (weekday as usize * 6 + n + ci) % courses.len();
                let (course, _, _) = courses[pick];
                journal::insert_slot(
                    &mut *m.tx,
                    school,
                    &NewSlot {
                        class: *class,
                        course,
                        weekday,
                        lesson_no: n as i64 + 1,
                        starts_at: starts,
                        ends_at: ends,
                        room: &format!("{}{:02}", 1 + ci / 4, 1 + (pick % 12)),
                        valid_from: &start.to_string(),
                    },
                )
                .await?;
            }
        }
    }

    // The autumn holiday the demo's journals skip, kept as the school's calendar data.
    klade_store::calendar::add_school_holiday(
        &mut *m.tx,
        school,
        date(start.year(), 10, 19),
        date(start.year(), 10, 23),
        "Rudens brīvlaiks",
        m.now,
    )
    .await?;
    let last = today.yesterday().unwrap_or(today);
    for (course, class, teacher, name) in filled {
        fill_course(m, school, course, class, teacher, name, start, last).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn fill_course(
    m: &mut Maker,
    school: InstitutionId,
    course: CourseId,
    class: ClassId,
    teacher: PersonId,
    subject: &str,
    start: Date,
    last: Date,
) -> Result<(), AppError> {
    let slots = journal::slots(
        &mut *m.tx,
        school,
        journal::SlotsOf::Course(course),
        &start.to_string(),
        &last.to_string(),
    )
    .await?;
    let students: Vec<PersonId> = journal::students(&mut *m.tx, school, course, &last.to_string())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let _ = class;
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
                    school,
                    &Lesson {
                        id: LessonId(0),
                        course_id: course,
                        date: day.to_string(),
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
                    format!("lesson:{}", lesson.id),
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
                        journal::set_attendance(&mut *m.tx, school, lesson.id, *student, Some((code, minutes))).await?;
                        let shown = minutes
                            .map(|x| format!("{code}{x}"))
                            .unwrap_or_else(|| code.to_string());
                        log.push(entry(format!("attendance:{}:{student}", lesson.id), shown, teacher, at));
                    }
                }
                held += 1;
                // Every sixth lesson ends a topic: a summative test; every fourth, formative work.
                if held.is_multiple_of(6) || held.is_multiple_of(4) {
                    let summative = held.is_multiple_of(6);
                    let a = journal::insert_assessment(
                        &mut *m.tx,
                        school,
                        &Assessment {
                            id: AssessmentId(0),
                            course_id: course,
                            kind: if summative { "summative" } else { "formative" }.to_string(),
                            scale: if summative { "ten" } else { "percent" }.to_string(),
                            date: day.to_string(),
                            title: if summative {
                                format!("Pārbaudes darbs: {topic}")
                            } else {
                                format!("Patstāvīgais darbs: {topic}")
                            },
                            handed_in_on: summative.then(|| day.to_string()),
                        },
                    )
                    .await?;
                    log.push(entry(format!("assessment:{}", a.id), a.history_value(), teacher, at));
                    for student in &students {
                        let mark = if m.rng.below(25) == 0 {
                            "nv".to_string()
                        } else if summative {
                            (3 + (m.rng.below(8) + m.rng.below(8)).div_ceil(2).min(7)).to_string()
                        } else {
                            (40 + m.rng.below(61)).to_string()
                        };
                        journal::set_grade(&mut *m.tx, school, a.id, *student, Some(&mark), at).await?;
                        log.push(entry(format!("grade:{}:{student}", a.id), mark, teacher, at));
                    }
                }
            }
        }
        day = match day.tomorrow() {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    history::append(&mut m.tx, m.backend, school, &log).await?;
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
