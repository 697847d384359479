//! The journal's history in words: an item key (`grade:222:326`) becomes the student's name and
//! the assessment's title and date, a stored value (`summative·ten·2026-12-04·…`) its kinds and
//! scales in words and its dates the Latvian way. Display only: the keys and values as stored
//! are the history's, and the API gives them unchanged.

use crate::i18n::Tr;
use klade_app::clock::{format_date, format_stored_date};
use klade_app::journal::HistoryNames;
use klade_domain::journal_item::Item;
use klade_domain::{AssessmentId, LessonId, PersonId};

/// A line of a history table: when, who, what changed, from what to what, and why.
pub struct HistoryRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub old: String,
    pub new: String,
    pub reason: String,
}

pub struct Words<'a> {
    pub t: Tr,
    pub names: &'a HistoryNames,
}

impl Words<'_> {
    /// What an item is: "Bērziņa Anna · 12.11.2026., 3. st.".
    pub fn item(&self, item: &str) -> String {
        match item.parse::<Item>() {
            Ok(Item::Lesson(l)) => self.lesson(l).map(|l| format!("{} {l}", self.t.get("history.lesson"))),
            Ok(Item::Attendance(l, s)) => self.lesson(l).map(|l| format!("{} · {l}", self.student(s))),
            Ok(Item::Assessment(a)) => self.assessment(a),
            Ok(Item::Grade(a, s)) => self.assessment(a).map(|a| format!("{} · {a}", self.student(s))),
            // The other journals' items are named by their own pages.
            Ok(_) | Err(_) => None,
        }
        .unwrap_or_else(|| item.to_string())
    }

    /// A stored value in words; "—" for none.
    pub fn value(&self, item: &str, value: Option<&str>) -> String {
        let Some(v) = value else {
            return "—".to_string();
        };
        let fields: Vec<&str> = v.split('\u{1f}').collect();
        let item = item.parse::<Item>().ok();
        let kind = item.as_ref().map_or("", Item::kind);
        match (kind, fields.as_slice()) {
            ("lesson", [_, _, topic, content, homework, due]) => {
                let mut parts = Vec::new();
                for (key, text) in [
                    ("journal.topic", topic),
                    ("journal.content", content),
                    ("journal.homework", homework),
                ] {
                    if !text.is_empty() {
                        parts.push(format!("{}: {text}", self.t.get(key)));
                    }
                }
                if !due.is_empty() {
                    parts.push(format!(
                        "{}: {}",
                        self.t.get("journal.homework_due"),
                        format_stored_date(due)
                    ));
                }
                if parts.is_empty() {
                    self.t.get("history.empty").to_string()
                } else {
                    parts.join("; ")
                }
            }
            ("assessment", [kind, scale, date, title, handed_in]) => {
                let mut s = format!(
                    "{}, {}, {}, „{title}”",
                    self.t.dynamic("grade_kind", kind),
                    self.t.dynamic("scale", scale),
                    format_stored_date(date)
                );
                if !handed_in.is_empty() {
                    s.push_str(&format!(
                        "; {} {}",
                        self.t.get("history.handed_in"),
                        format_stored_date(handed_in)
                    ));
                }
                s
            }
            ("attendance", [code]) => self.mark(code),
            ("grade", [mark]) => {
                let scale = match &item {
                    Some(Item::Grade(a, _)) => self.names.assessments.get(a).map_or("", |a| a.scale.as_str()),
                    _ => "",
                };
                klade_domain::grading::shown(mark, scale)
            }
            _ => v.replace('\u{1f}', " · "),
        }
    }

    fn student(&self, id: PersonId) -> String {
        self.names.students.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn lesson(&self, id: LessonId) -> Option<String> {
        self.names.lessons.get(&id).map(|l| {
            let lesson = self.t.fill("journal.lesson_n", &[("n", &l.lesson_no.to_string())]);
            format!("{}, {lesson}", format_date(l.date))
        })
    }

    fn assessment(&self, id: AssessmentId) -> Option<String> {
        self.names
            .assessments
            .get(&id)
            .map(|a| format!("„{}” ({})", a.title, format_date(a.date)))
    }

    /// An attendance mark with its words: "n (nebija)", "k5 (kavēja 5 min)".
    fn mark(&self, code: &str) -> String {
        match self.t.mark_words(code) {
            Some(w) => format!("{code} ({w})"),
            None => code.to_string(),
        }
    }
}
