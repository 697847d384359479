//! The names of a journal's values: a grid cell's key as forms and the API send it
//! (`a:2026-11-12:3:326`, `g:222:326`), and a history item's key as the history stores it
//! (`lesson:45`, `attendance:45:326`, `assessment:222`, `grade:222:326`). One type each, written
//! and read in one place, so no code splits them by hand.

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

/// A course journal's item in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    Lesson(LessonId),
    Attendance(LessonId, PersonId),
    Assessment(AssessmentId),
    Grade(AssessmentId, PersonId),
}

impl Item {
    /// The student the item is about, if one.
    pub fn student(self) -> Option<PersonId> {
        match self {
            Self::Attendance(_, s) | Self::Grade(_, s) => Some(s),
            Self::Lesson(_) | Self::Assessment(_) => None,
        }
    }

    /// The kind, as the key begins: `lesson`, `attendance`, `assessment`, `grade`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Lesson(_) => "lesson",
            Self::Attendance(..) => "attendance",
            Self::Assessment(_) => "assessment",
            Self::Grade(..) => "grade",
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lesson(l) => write!(f, "lesson:{l}"),
            Self::Attendance(l, s) => write!(f, "attendance:{l}:{s}"),
            Self::Assessment(a) => write!(f, "assessment:{a}"),
            Self::Grade(a, s) => write!(f, "grade:{a}:{s}"),
        }
    }
}

impl FromStr for Item {
    type Err = NotAKey;

    fn from_str(s: &str) -> Result<Self, NotAKey> {
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            ["lesson", l] => Ok(Self::Lesson(LessonId(id(l)?))),
            ["attendance", l, s] => Ok(Self::Attendance(LessonId(id(l)?), PersonId(id(s)?))),
            ["assessment", a] => Ok(Self::Assessment(AssessmentId(id(a)?))),
            ["grade", a, s] => Ok(Self::Grade(AssessmentId(id(a)?), PersonId(id(s)?))),
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
        ];
        for i in items {
            assert_eq!(i.to_string().parse::<Item>(), Ok(i));
        }
        assert_eq!(items[3].to_string(), "grade:222:326");
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
            "note:1",
            "grade:a:1",
        ] {
            assert!(bad.parse::<Cell>().is_err() && bad.parse::<Item>().is_err(), "{bad}");
        }
    }
}
