//! The preschool's record (J22–J29): the learning areas and transversal skills a plan, a journal
//! entry and an assessment are written per, the S/T/A/P scale, the daily attendance marks, and the
//! day's deadlines (attendance by 09:00, the journal by 19:00, Riga time).

use serde::Serialize;

/// The learning areas of the preschool curriculum (*mācību jomas*).
pub const LEARNING_AREAS: [&str; 7] = [
    "language",
    "social_civic",
    "culture_art",
    "science",
    "maths",
    "technology",
    "health_physical",
];

/// The transversal skills (*caurviju prasmes*).
pub const TRANSVERSAL_SKILLS: [&str; 6] = [
    "critical_thinking",
    "creativity",
    "self_directed",
    "cooperation",
    "civic_participation",
    "digital",
];

/// Is `code` a learning area or a transversal skill?
pub fn is_area(code: &str) -> bool {
    LEARNING_AREAS.contains(&code) || TRANSVERSAL_SKILLS.contains(&code)
}

/// J26: *sācis apgūt*, *turpina apgūt*, *apguvis*, *apguvis padziļināti*.
pub const ASSESSMENT_MARKS: [&str; 4] = ["S", "T", "A", "P"];

/// A mark typed by a teacher, normalised (`s` → `S`), if it is one of S/T/A/P.
pub fn assessment_mark(input: &str) -> Option<&'static str> {
    let t = input.trim().to_uppercase();
    ASSESSMENT_MARKS.into_iter().find(|m| *m == t)
}

/// A day's attendance mark of a child (J22). No mark means present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DayMark {
    /// `N`: absent, unexcused.
    Unexcused,
    /// `S`: absent, ill (excused).
    Ill,
    /// `C`: absent for another reason the family gave (excused).
    Other,
}

impl DayMark {
    pub const ALL: [Self; 3] = [Self::Unexcused, Self::Ill, Self::Other];

    pub fn code(self) -> &'static str {
        match self {
            Self::Unexcused => "N",
            Self::Ill => "S",
            Self::Other => "C",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let t = input.trim().to_uppercase();
        Self::ALL.into_iter().find(|m| m.code() == t)
    }

    pub fn excused(self) -> bool {
        !matches!(self, Self::Unexcused)
    }
}

/// Attendance is due by 09:00 of the day (J22); a mark entered later is accepted and shown late.
pub const ATTENDANCE_DUE_HOUR: i8 = 9;
/// The day's journal entries are due by 19:00 (J27).
pub const JOURNAL_DUE_HOUR: i8 = 19;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_areas_parse() {
        assert_eq!(assessment_mark(" t "), Some("T"));
        assert_eq!(assessment_mark("X"), None);
        assert_eq!(DayMark::parse("n"), Some(DayMark::Unexcused));
        assert!(!DayMark::Unexcused.excused());
        assert!(DayMark::Ill.excused());
        assert_eq!(DayMark::parse("k"), None);
        assert!(is_area("maths") && is_area("cooperation") && !is_area("history"));
    }
}
