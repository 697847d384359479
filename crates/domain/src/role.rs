//! The roles of REQUIREMENTS.md ("Roles") and the kinds of institution.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    General,
    Vocational,
    Preschool,
}

impl InstitutionKind {
    pub const ALL: [Self; 3] = [Self::General, Self::Vocational, Self::Preschool];

    pub fn code(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Vocational => "vocational",
            Self::Preschool => "preschool",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A role a person holds in one institution. Stored by [`Role::code`]; shown through the
/// message catalogue (`role.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// *virslietotājs* (R4, R16)
    Superuser,
    /// *direktors*, *vadītājs*
    Director,
    /// deputy director for academic work (R22)
    DeputyAcademic,
    /// deputy director for methodical work (R23)
    DeputyMethodical,
    /// deputy director for creative work (R24)
    DeputyCreative,
    /// deputy director for extracurricular and upbringing work (R25)
    DeputyUpbringing,
    /// preschool deputy head (*vadītāja vietnieks*, J29, J35)
    PreschoolDeputy,
    /// *lietvedis* (R17, R27)
    Clerk,
    /// *medicīnas māsa* (J23)
    Nurse,
    /// class or group tutor (*audzinātājs*, R18); held for particular classes
    Tutor,
    /// subject or module teacher (*pedagogs*)
    Teacher,
    /// *pirmsskolas skolotājs* (J22–J28)
    PreschoolTeacher,
    /// *izglītojamais*
    Student,
    /// *vecāks*, *likumiskais pārstāvis*
    Parent,
}

impl Role {
    pub const ALL: [Self; 14] = [
        Self::Superuser,
        Self::Director,
        Self::DeputyAcademic,
        Self::DeputyMethodical,
        Self::DeputyCreative,
        Self::DeputyUpbringing,
        Self::PreschoolDeputy,
        Self::Clerk,
        Self::Nurse,
        Self::Tutor,
        Self::Teacher,
        Self::PreschoolTeacher,
        Self::Student,
        Self::Parent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Superuser => "superuser",
            Self::Director => "director",
            Self::DeputyAcademic => "deputy_academic",
            Self::DeputyMethodical => "deputy_methodical",
            Self::DeputyCreative => "deputy_creative",
            Self::DeputyUpbringing => "deputy_upbringing",
            Self::PreschoolDeputy => "preschool_deputy",
            Self::Clerk => "clerk",
            Self::Nurse => "nurse",
            Self::Tutor => "tutor",
            Self::Teacher => "teacher",
            Self::PreschoolTeacher => "preschool_teacher",
            Self::Student => "student",
            Self::Parent => "parent",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Staff roles rest on employment (R5); student and parent roles on an admission order (R6).
    pub fn is_staff(self) -> bool {
        !matches!(self, Self::Student | Self::Parent)
    }

    /// Roles that see the whole institution's journals and statistics.
    pub fn is_administration(self) -> bool {
        matches!(
            self,
            Self::Director
                | Self::DeputyAcademic
                | Self::DeputyMethodical
                | Self::DeputyCreative
                | Self::DeputyUpbringing
                | Self::PreschoolDeputy
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        for k in InstitutionKind::ALL {
            assert_eq!(InstitutionKind::from_code(k.code()), Some(k));
        }
        assert_eq!(Role::from_code("nobody"), None);
    }
}
