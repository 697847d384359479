//! aSc Timetables' XML export — what most Latvian schools make their timetable in — read into the
//! table of the timetable's CSV shape (`docs/import.md`): one row for each class, day and period a
//! card puts a lesson on. Names are resolved here (the subject's, the teachers', the room's, the
//! group's); whether they exist in the institution is the importer's business.
//!
//! The file is read as a stream of elements within [`crate::budget`]: no entity is expanded beyond
//! XML's five, no DTD is followed, and the rows written are counted.

use crate::{budget, ReadError, Table};
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;
use std::collections::HashMap;

/// The header the rows come under: the timetable CSV's own.
pub const HEADERS: [&str; 9] = [
    "klase",
    "priekšmets",
    "grupa",
    "skolotājs",
    "diena",
    "stunda",
    "sākums",
    "beigas",
    "telpa",
];

/// Whether `bytes` look like XML rather than a table.
pub fn is_xml(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

#[derive(Default)]
struct Lesson {
    classes: Vec<String>,
    subject: String,
    teachers: Vec<String>,
    groups: Vec<String>,
    rooms: Vec<String>,
}

struct Card {
    lesson: String,
    period: String,
    days: String,
    rooms: Vec<String>,
}

#[derive(Default)]
struct Export {
    periods: HashMap<String, (String, String)>,
    subjects: HashMap<String, String>,
    teachers: HashMap<String, String>,
    classes: HashMap<String, String>,
    rooms: HashMap<String, String>,
    /// A group's class and name, empty for the whole class.
    groups: HashMap<String, (String, String)>,
    lessons: HashMap<String, Lesson>,
    cards: Vec<Card>,
    /// A day's bit pattern (`10000`) by the `daysdef` id some cards use instead.
    daysdefs: HashMap<String, String>,
}

fn attrs(e: &BytesStart<'_>) -> Result<HashMap<String, String>, ReadError> {
    let mut out = HashMap::new();
    for a in e.attributes() {
        let a = a.map_err(|_| ReadError::Format)?;
        let key: &str = a.key.as_ref();
        let key = key.to_ascii_lowercase();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|_| ReadError::Format)?;
        if value.chars().count() > budget::MAX_CELL {
            return Err(ReadError::TooLarge("cell"));
        }
        out.insert(key, value.trim().to_string());
    }
    Ok(out)
}

fn list(v: Option<&String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

fn take(a: &mut HashMap<String, String>, key: &str) -> String {
    a.remove(key).unwrap_or_default()
}

/// `8:00` as `08:00`; anything else as written, for the importer to refuse.
fn time(t: &str) -> String {
    match t.split_once(':') {
        Some((h, m)) if h.len() == 1 && h.chars().all(|c| c.is_ascii_digit()) => format!("0{h}:{m}"),
        _ => t.to_string(),
    }
}

fn read_export(bytes: &[u8]) -> Result<Export, ReadError> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut x = Export::default();
    let mut root = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|_| ReadError::Format)?;
        let e = match &event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            Event::DocType(_) => return Err(ReadError::Format),
            _ => {
                buf.clear();
                continue;
            }
        };
        let local = e.local_name();
        let name: &str = local.as_ref();
        let name = name.to_ascii_lowercase();
        if !root {
            if name != "timetable" {
                return Err(ReadError::Format);
            }
            root = true;
        }
        let mut a = attrs(e)?;
        let id = take(&mut a, "id");
        match name.as_str() {
            "period" => {
                let number = a.remove("period").or_else(|| a.remove("name")).unwrap_or_default();
                x.periods.insert(
                    number,
                    (time(&take(&mut a, "starttime")), time(&take(&mut a, "endtime"))),
                );
            }
            "daysdef" => {
                x.daysdefs.insert(id, take(&mut a, "days"));
            }
            "subject" => {
                x.subjects.insert(id, take(&mut a, "name"));
            }
            "teacher" => {
                let full = format!("{} {}", take(&mut a, "firstname"), take(&mut a, "lastname"));
                let full = full.trim();
                let name = if full.is_empty() {
                    take(&mut a, "name")
                } else {
                    full.to_string()
                };
                x.teachers.insert(id, name);
            }
            "class" => {
                x.classes.insert(id, take(&mut a, "name"));
            }
            "classroom" => {
                x.rooms.insert(id, take(&mut a, "name"));
            }
            "group" => {
                let whole = a
                    .get("entireclass")
                    .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                let group = if whole { String::new() } else { take(&mut a, "name") };
                x.groups.insert(id, (take(&mut a, "classid"), group));
            }
            "lesson" => {
                x.lessons.insert(
                    id,
                    Lesson {
                        classes: list(a.get("classids")),
                        subject: take(&mut a, "subjectid"),
                        teachers: list(a.get("teacherids")),
                        groups: list(a.get("groupids")),
                        rooms: list(a.get("classroomids")),
                    },
                );
            }
            "card" => {
                let days = match a.remove("days") {
                    Some(d) if !d.is_empty() => d,
                    _ => x.daysdefs.get(&take(&mut a, "daysdefid")).cloned().unwrap_or_default(),
                };
                x.cards.push(Card {
                    lesson: take(&mut a, "lessonid"),
                    period: take(&mut a, "period"),
                    days,
                    rooms: list(a.get("classroomids")),
                });
            }
            _ => {}
        }
        buf.clear();
    }
    if !root {
        return Err(ReadError::Empty);
    }
    Ok(x)
}

/// Reads an aSc XML export into the timetable's table. A card naming a lesson, subject or teacher
/// the file does not have gives its cell empty, for the importer to refuse with the row.
pub fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.len() > budget::MAX_BYTES {
        return Err(ReadError::TooLarge("file"));
    }
    let x = read_export(bytes)?;
    let name = |map: &HashMap<String, String>, id: &str| map.get(id).cloned().unwrap_or_default();
    let mut rows = Vec::new();
    for card in &x.cards {
        let lesson = x.lessons.get(&card.lesson);
        let Some(lesson) = lesson else {
            rows.push(vec![String::new(); HEADERS.len()]);
            continue;
        };
        let (starts, ends) = x.periods.get(&card.period).cloned().unwrap_or_default();
        let teachers: Vec<String> = lesson.teachers.iter().map(|t| name(&x.teachers, t)).collect();
        let rooms = if card.rooms.is_empty() {
            &lesson.rooms
        } else {
            &card.rooms
        };
        let room = rooms.first().map(|r| name(&x.rooms, r)).unwrap_or_default();
        for (day, bit) in card.days.chars().enumerate() {
            if bit != '1' {
                continue;
            }
            for class in &lesson.classes {
                let group = lesson
                    .groups
                    .iter()
                    .filter_map(|g| x.groups.get(g))
                    .find(|(c, _)| c == class)
                    .map(|(_, g)| g.clone())
                    .unwrap_or_default();
                if rows.len() >= budget::MAX_ROWS {
                    return Err(ReadError::TooLarge("rows"));
                }
                rows.push(vec![
                    name(&x.classes, class),
                    name(&x.subjects, &lesson.subject),
                    group,
                    teachers.join(", "),
                    (day + 1).to_string(),
                    card.period.clone(),
                    starts.clone(),
                    ends.clone(),
                    room.clone(),
                ]);
            }
        }
    }
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(Table {
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<timetable ascttversion="2024.6.2" importtype="database" options="idprefix:Klade" defaultexport="1">
  <periods options="canadd,export:silent" columns="period,name,short,starttime,endtime">
    <period name="1" short="1" period="1" starttime="8:30" endtime="9:10"/>
    <period name="2" short="2" period="2" starttime="9:20" endtime="10:00"/>
  </periods>
  <daysdefs columns="id,days,name,short">
    <daysdef id="D1" days="10000" name="Pirmdiena" short="P"/>
  </daysdefs>
  <subjects><subject id="S1" name="Matemātika" short="Mat"/><subject id="S2" name="Angļu valoda" short="Ang"/></subjects>
  <teachers><teacher id="T1" firstname="Līga" lastname="Zariņa" name="Zariņa Līga" short="LZ"/>
    <teacher id="T2" name="Kalniņš Mārtiņš" short="MK"/></teachers>
  <classrooms><classroom id="R1" name="207" short="207"/></classrooms>
  <classes><class id="C1" name="2.B" short="2.B"/><class id="C2" name="3.A" short="3.A"/></classes>
  <groups>
    <group id="G1" name="Visa klase" classid="C1" entireclass="1" divisiontag="0"/>
    <group id="G2" name="1. grupa" classid="C1" entireclass="0" divisiontag="1"/>
    <group id="G3" name="Visa klase" classid="C2" entireclass="1" divisiontag="0"/>
  </groups>
  <lessons>
    <lesson id="L1" classids="C1" subjectid="S1" groupids="G1" teacherids="T1" classroomids="R1" periodspercard="1" periodsperweek="2"/>
    <lesson id="L2" classids="C1" subjectid="S2" groupids="G2" teacherids="T2" classroomids="" periodspercard="1" periodsperweek="1"/>
  </lessons>
  <cards>
    <card lessonid="L1" classroomids="R1" period="1" weeks="1" days="10000"/>
    <card lessonid="L1" classroomids="" period="2" weeks="1" days="00100"/>
    <card lessonid="L2" classroomids="" period="2" weeks="1" daysdefid="D1"/>
  </cards>
</timetable>"#;

    #[test]
    fn cards_become_rows_of_the_csv_shape() {
        assert!(is_xml(SAMPLE.as_bytes()));
        let t = read(SAMPLE.as_bytes()).expect("read");
        assert_eq!(t.headers, HEADERS);
        assert_eq!(
            t.rows[0],
            [
                "2.B",
                "Matemātika",
                "",
                "Līga Zariņa",
                "1",
                "1",
                "08:30",
                "09:10",
                "207"
            ]
        );
        assert_eq!(
            t.rows[1][4..8],
            ["3", "2", "09:20", "10:00"],
            "Wednesday; the lesson's room when the card has none"
        );
        assert_eq!(t.rows[1][8], "207");
        assert_eq!(
            t.rows[2][..5],
            ["2.B", "Angļu valoda", "1. grupa", "Kalniņš Mārtiņš", "1"],
            "a group; days from a daysdef"
        );
    }

    #[test]
    fn what_is_not_an_asc_export_is_refused() {
        assert_eq!(read(b"<html><body/></html>"), Err(ReadError::Format));
        assert_eq!(read(b"<timetable/>"), Err(ReadError::Empty));
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><timetable/>"#;
        assert_eq!(
            read(dtd.as_bytes()),
            Err(ReadError::Format),
            "no DTD, so no entity bombs"
        );
        assert!(!is_xml(b"klase;diena\n2.B;1"));
    }
}
