//! Institution news ("Iestādes aktualitātes", R22.5, R24.2, R25.3): the categories the clauses
//! name, who writes in each, and the audiences an item can have.

use crate::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Centralised exams (R22.5).
    CentralisedExams,
    /// Module final examinations and professional qualification exams (R22.5, R24.2).
    ModuleExams,
    /// Schedules of interim assessments and reviews, *skates* (R24.2).
    AssessmentSchedules,
    /// Events of an education field (R22.5).
    Events,
    /// Extracurricular and upbringing events (R25.3).
    Extracurricular,
    /// Changes of the timetable (R22.5).
    TimetableChanges,
    General,
}

impl Category {
    pub const ALL: [Self; 7] = [
        Self::CentralisedExams,
        Self::ModuleExams,
        Self::AssessmentSchedules,
        Self::Events,
        Self::Extracurricular,
        Self::TimetableChanges,
        Self::General,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::CentralisedExams => "centralised_exams",
            Self::ModuleExams => "module_exams",
            Self::AssessmentSchedules => "assessment_schedules",
            Self::Events => "events",
            Self::Extracurricular => "extracurricular",
            Self::TimetableChanges => "timetable_changes",
            Self::General => "general",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The roles that write in this category, after the clause that gives it to them. The
    /// director oversees all and the preschool's deputy head is the only deputy there.
    pub fn publishers(self) -> &'static [Role] {
        use Role::*;
        match self {
            Self::CentralisedExams | Self::Events | Self::TimetableChanges => {
                &[Director, DeputyAcademic, PreschoolDeputy]
            }
            Self::ModuleExams => &[Director, DeputyAcademic, DeputyCreative],
            Self::AssessmentSchedules => &[Director, DeputyCreative],
            Self::Extracurricular => &[Director, DeputyUpbringing, PreschoolDeputy],
            Self::General => &[
                Director,
                DeputyAcademic,
                DeputyCreative,
                DeputyUpbringing,
                PreschoolDeputy,
            ],
        }
    }
}

/// Who sees an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    Staff,
    /// Students and parents.
    Families,
    /// One class's students, their parents, and the staff.
    Class,
}

impl Audience {
    pub const ALL: [Self; 4] = [Self::Everyone, Self::Staff, Self::Families, Self::Class];

    pub fn code(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Staff => "staff",
            Self::Families => "families",
            Self::Class => "class",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deputy_writes_in_their_own_field() {
        use Category::*;
        assert!(CentralisedExams.publishers().contains(&Role::DeputyAcademic));
        assert!(!CentralisedExams.publishers().contains(&Role::DeputyUpbringing));
        assert!(AssessmentSchedules.publishers().contains(&Role::DeputyCreative));
        assert!(!AssessmentSchedules.publishers().contains(&Role::DeputyAcademic));
        assert!(Extracurricular.publishers().contains(&Role::DeputyUpbringing));
        for c in Category::ALL {
            assert!(c.publishers().contains(&Role::Director), "{c:?}");
            assert!(!c.publishers().contains(&Role::Teacher), "{c:?}");
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
    }
}
