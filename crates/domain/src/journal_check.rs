//! What a journal check looks at (R22.2, R23, R24.1, R25.1): each deputy checks the journals in
//! their own field. The area is a label on a finding, not a right: any member of the
//! administration may record a finding in any area.

use crate::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// All entries (R22.2, the deputy for academic work; J29).
    Entries,
    /// The content of lessons (R23, the deputy for methodical work).
    Content,
    /// Professional subjects and modules (R24.1, the deputy for creative work).
    Professional,
    /// Absences (R25.1, the deputy for upbringing).
    Absences,
}

impl Area {
    pub const ALL: [Self; 4] = [Self::Entries, Self::Content, Self::Professional, Self::Absences];

    pub fn code(self) -> &'static str {
        match self {
            Self::Entries => "entries",
            Self::Content => "content",
            Self::Professional => "professional",
            Self::Absences => "absences",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The field a role checks, offered first on its form.
    pub fn of_role(role: Role) -> Self {
        match role {
            Role::DeputyMethodical => Self::Content,
            Role::DeputyCreative => Self::Professional,
            Role::DeputyUpbringing => Self::Absences,
            _ => Self::Entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deputy_checks_their_field() {
        assert_eq!(Area::of_role(Role::DeputyAcademic), Area::Entries);
        assert_eq!(Area::of_role(Role::DeputyMethodical), Area::Content);
        assert_eq!(Area::of_role(Role::DeputyCreative), Area::Professional);
        assert_eq!(Area::of_role(Role::DeputyUpbringing), Area::Absences);
        for a in Area::ALL {
            assert_eq!(Area::parse(a.code()), Some(a));
        }
        assert_eq!(Area::parse("everything"), None);
    }
}
