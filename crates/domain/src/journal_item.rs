//! The names of a journal's values: a grid cell's key as forms and the API send it
//! (`a:2026-11-12:3:326`, `g:222:326`), and a history item's key as the history stores it
//! (`lesson:45`, `attendance:45:326`, `grade:222:326`, `pattendance:326:2026-11-26`,
//! `plan:7:goals`, …). One type each, written and read in one place, so no code builds or splits
//! them by hand.

use crate::{AssessmentId, LessonId, PersonId};
use jiff::civil::Date;
use std::fmt;
use std::str::FromStr;

/// A cell of a course's grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cell {
    /// A student's attendance at the lesson held on `date` as its `lesson_no`.
    Attendance {
        date: Date,
        lesson_no: i64,
        student: PersonId,
    },
    /// A student's mark for an assessment.
    Grade {
        assessment: AssessmentId,
        student: PersonId,
    },
}

impl Cell {
    pub fn student(self) -> PersonId {
        match self {
            Self::Attendance { student, .. } | Self::Grade { student, .. } => student,
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Attendance {
                date,
                lesson_no,
                student,
            } => write!(f, "a:{date}:{lesson_no}:{student}"),
            Self::Grade { assessment, student } => write!(f, "g:{assessment}:{student}"),
        }
    }
}

/// A key that names no cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a journal key")]
pub struct NotAKey;

fn id(s: &str) -> Result<i64, NotAKey> {
    s.parse().map_err(|_| NotAKey)
}

impl FromStr for Cell {
    type Err = NotAKey;

    fn from_str(s: &str) -> Result<Self, NotAKey> {
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["a", date, no, student] => Ok(Self::Attendance {
                date: date.parse().map_err(|_| NotAKey)?,
                lesson_no: id(no)?,
                student: PersonId(id(student)?),
            }),
            ["g", assessment, student] => Ok(Self::Grade {
                assessment: AssessmentId(id(assessment)?),
                student: PersonId(id(student)?),
            }),
            _ => Err(NotAKey),
        }
    }
}

/// An item of the history (`journal_history.item`): a value of a course's journal, of a preschool
/// group's journal, of the tutor's excuses, of a journal check or of a group's monthly plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    Lesson(LessonId),
    Attendance(LessonId, PersonId),
    Assessment(AssessmentId),
    Grade(AssessmentId, PersonId),
    /// A teacher's note (its id).
    Note(i64),
    /// The tutor's excuse over a range of days (its id).
    Excuse(i64),
    /// A deputy's journal check (its id).
    Check(i64),
    /// A child's absence from the preschool on a day.
    PreschoolAttendance(PersonId, Date),
    /// A preschool group's day entry (its id).
    PreschoolEntry(i64),
    /// A child's assessment in the preschool (its id).
    PreschoolAssessment(i64),
    /// A group's monthly plan as a whole: the prefix of its fields' items.
    Plan(i64),
    /// One field of a monthly plan.
    PlanField(i64, String),
}

impl Item {
    /// The student the item is about, if one.
    pub fn student(&self) -> Option<PersonId> {
        match self {
            Self::Attendance(_, s) | Self::Grade(_, s) | Self::PreschoolAttendance(s, _) => Some(*s),
            _ => None,
        }
    }

    /// The kind, as the key begins: `lesson`, `attendance`, `assessment`, `grade`, `note`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Lesson(_) => "lesson",
            Self::Attendance(..) => "attendance",
            Self::Assessment(_) => "assessment",
            Self::Grade(..) => "grade",
            Self::Note(_) => "note",
            Self::Excuse(_) => "excuse",
            Self::Check(_) => "check",
            Self::PreschoolAttendance(..) => "pattendance",
            Self::PreschoolEntry(_) => "pentry",
            Self::PreschoolAssessment(_) => "passessment",
            Self::Plan(_) | Self::PlanField(..) => "plan",
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            Self::Lesson(l) => write!(f, "{kind}:{l}"),
            Self::Attendance(l, s) => write!(f, "{kind}:{l}:{s}"),
            Self::Assessment(a) => write!(f, "{kind}:{a}"),
            Self::Grade(a, s) => write!(f, "{kind}:{a}:{s}"),
            Self::Note(id)
            | Self::Excuse(id)
            | Self::Check(id)
            | Self::PreschoolEntry(id)
            | Self::PreschoolAssessment(id)
            | Self::Plan(id) => write!(f, "{kind}:{id}"),
            Self::PreschoolAttendance(child, day) => write!(f, "{kind}:{child}:{day}"),
            Self::PlanField(plan, field) => write!(f, "{kind}:{plan}:{field}"),
        }
    }
}

impl FromStr for Item {
    type Err = NotAKey;

    fn from_str(s: &str) -> Result<Self, NotAKey> {
        // A plan's field is the rest after the plan's id, whatever it holds.
        if let Some((plan, field)) = s.strip_prefix("plan:").and_then(|r| r.split_once(':')) {
            return if field.is_empty() {
                Err(NotAKey)
            } else {
                Ok(Self::PlanField(id(plan)?, field.to_string()))
            };
        }
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["lesson", l] => Ok(Self::Lesson(LessonId(id(l)?))),
            ["attendance", l, s] => Ok(Self::Attendance(LessonId(id(l)?), PersonId(id(s)?))),
            ["assessment", a] => Ok(Self::Assessment(AssessmentId(id(a)?))),
            ["grade", a, s] => Ok(Self::Grade(AssessmentId(id(a)?), PersonId(id(s)?))),
            ["note", n] => Ok(Self::Note(id(n)?)),
            ["excuse", e] => Ok(Self::Excuse(id(e)?)),
            ["check", c] => Ok(Self::Check(id(c)?)),
            ["pattendance", c, d] => Ok(Self::PreschoolAttendance(
                PersonId(id(c)?),
                d.parse().map_err(|_| NotAKey)?,
            )),
            ["pentry", e] => Ok(Self::PreschoolEntry(id(e)?)),
            ["passessment", a] => Ok(Self::PreschoolAssessment(id(a)?)),
            ["plan", p] => Ok(Self::Plan(id(p)?)),
            _ => Err(NotAKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn keys_read_back_as_written() {
        let cells = [
            Cell::Attendance {
                date: date(2026, 11, 12),
                lesson_no: 3,
                student: PersonId(326),
            },
            Cell::Grade {
                assessment: AssessmentId(222),
                student: PersonId(326),
            },
        ];
        for c in cells {
            assert_eq!(c.to_string().parse::<Cell>(), Ok(c));
        }
        assert_eq!(cells[0].to_string(), "a:2026-11-12:3:326");
        let items = [
            Item::Lesson(LessonId(45)),
            Item::Attendance(LessonId(45), PersonId(326)),
            Item::Assessment(AssessmentId(222)),
            Item::Grade(AssessmentId(222), PersonId(326)),
            Item::Note(9),
            Item::Excuse(4),
            Item::Check(5),
            Item::PreschoolAttendance(PersonId(326), date(2026, 11, 26)),
            Item::PreschoolEntry(6),
            Item::PreschoolAssessment(8),
            Item::Plan(7),
            Item::PlanField(7, "goals".into()),
        ];
        for i in &items {
            assert_eq!(i.to_string().parse::<Item>().as_ref(), Ok(i));
        }
        assert_eq!(items[3].to_string(), "grade:222:326");
        assert_eq!(items[7].to_string(), "pattendance:326:2026-11-26");
        assert_eq!(items[11].to_string(), "plan:7:goals");
    }

    #[test]
    fn anything_else_is_no_key() {
        for bad in [
            "",
            "a:2026-13-01:3:1",
            "a:x:3:1",
            "g:1",
            "g:1:2:3",
            "lesson:",
            "note:",
            "grade:a:1",
            "pattendance:1:2026-02-30",
            "plan:1:",
            "plan:x:goals",
        ] {
            assert!(bad.parse::<Cell>().is_err() && bad.parse::<Item>().is_err(), "{bad}");
        }
    }
}
