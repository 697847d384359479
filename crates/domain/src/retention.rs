//! How long each kind of data is kept (R29). The law leaves it to each institution's document
//! classification scheme, agreed with the National Archives; these are the defaults the domain
//! notes give (*unsure*: every one is an institution setting).

/// A kind of data with its own retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    /// A person's personal data (the record, contacts, the account), counted from the day they
    /// last held any right in the institution; the default follows the personal file (75 years).
    PersonalData,
    /// Mail between the institution and families.
    Messages,
    /// Who looked at or changed whose personal data.
    AccessLog,
}

impl Kind {
    pub const ALL: [Self; 3] = [Self::PersonalData, Self::Messages, Self::AccessLog];

    pub fn code(self) -> &'static str {
        match self {
            Self::PersonalData => "personal_data",
            Self::Messages => "messages",
            Self::AccessLog => "access_log",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Years kept when the institution has set nothing.
    pub fn default_years(self) -> i64 {
        match self {
            Self::PersonalData => 75,
            Self::Messages => 5,
            Self::AccessLog => 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_code_and_a_default() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            assert!(k.default_years() > 0);
        }
        assert_eq!(Kind::PersonalData.default_years(), 75);
    }
}
