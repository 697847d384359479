//! The roles of REQUIREMENTS.md ("Roles"), the kinds of institution, of their classes and of
//! what courses teach.

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

/// What a class is: a school's class (R16) or a preschool's group (J8), kept by its group
/// teachers rather than by courses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassKind {
    Class,
    Group,
}

impl ClassKind {
    pub const ALL: [Self; 2] = [Self::Class, Self::Group];

    /// A preschool's classes are groups.
    pub fn of(institution: InstitutionKind) -> Self {
        if institution == InstitutionKind::Preschool {
            Self::Group
        } else {
            Self::Class
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Class => "class",
            Self::Group => "group",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// What a course teaches: a general subject or a vocational programme's professional module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Subject,
    Module,
}

impl SubjectKind {
    pub const ALL: [Self; 2] = [Self::Subject, Self::Module];

    pub fn code(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Module => "module",
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

/// Folds a position as people write it: lower case, Latvian letters as their base.
fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ā' => 'a',
            'č' => 'c',
            'ē' => 'e',
            'ģ' => 'g',
            'ī' => 'i',
            'ķ' => 'k',
            'ļ' => 'l',
            'ņ' => 'n',
            'š' => 's',
            'ū' => 'u',
            'ž' => 'z',
            c => c,
        })
        .collect()
}

/// The role a position gives, as VIIS and staff lists write positions (`direktora vietnieks
/// mācību darbā`, `pirmsskolas izglītības skolotāja`, `lietvede`…), in an institution of `kind`.
/// The superuser is not a position: the director appoints one by an order (R4).
pub fn role_for_position(position: &str, kind: InstitutionKind) -> Option<Role> {
    let p = fold(position);
    let has = |w: &str| p.contains(w);
    let deputy = has("vietniek") || has("vietniec");
    Some(if deputy && (has("vaditaj") || kind == InstitutionKind::Preschool) {
        Role::PreschoolDeputy
    } else if deputy && has("metodisk") {
        Role::DeputyMethodical
    } else if deputy && has("rados") {
        Role::DeputyCreative
    } else if deputy && (has("audzinasan") || has("arpusklase")) {
        Role::DeputyUpbringing
    } else if deputy {
        Role::DeputyAcademic
    } else if has("direktor") || has("vaditaj") {
        Role::Director
    } else if has("lietved") || has("sekretar") {
        Role::Clerk
    } else if has("masa") || has("medic") {
        Role::Nurse
    } else if has("skolotaj") || has("pedagog") {
        if kind == InstitutionKind::Preschool || has("pirmsskol") {
            Role::PreschoolTeacher
        } else {
            Role::Teacher
        }
    } else {
        return None;
    })
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

    #[test]
    fn positions_give_roles() {
        use InstitutionKind::*;
        for (position, kind, role) in [
            ("Direktors", General, Some(Role::Director)),
            (
                "Direktora vietnieks mācību darbā",
                Vocational,
                Some(Role::DeputyAcademic),
            ),
            (
                "direktora vietniece metodiskajā darbā",
                General,
                Some(Role::DeputyMethodical),
            ),
            (
                "Direktora vietnieks radošajā darbā",
                Vocational,
                Some(Role::DeputyCreative),
            ),
            (
                "Direktora vietniece ārpusklases un audzināšanas darbā",
                General,
                Some(Role::DeputyUpbringing),
            ),
            ("Vadītāja", Preschool, Some(Role::Director)),
            ("Vadītājas vietniece", Preschool, Some(Role::PreschoolDeputy)),
            ("Lietvede", General, Some(Role::Clerk)),
            ("Medicīnas māsa", Preschool, Some(Role::Nurse)),
            (
                "Pirmsskolas izglītības skolotāja",
                Preschool,
                Some(Role::PreschoolTeacher),
            ),
            ("Skolotājs", Preschool, Some(Role::PreschoolTeacher)),
            ("Matemātikas skolotājs", General, Some(Role::Teacher)),
            (
                "Profesionālo mācību priekšmetu pedagogs",
                Vocational,
                Some(Role::Teacher),
            ),
            ("Sētnieks", General, None),
        ] {
            assert_eq!(role_for_position(position, kind), role, "{position}");
        }
    }
}
