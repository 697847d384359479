//! The rules of consents and surveys: what may be asked (yes or no, one of a few choices, a short
//! text), what counts as an answer to each, and until when answers are taken. A consent given may
//! be withdrawn at any time, even after the date; any other change waits for nothing but the date.

use jiff::civil::Date;

/// What is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Yes or no: an excursion, photos.
    Consent,
    /// One of two to ten choices.
    Choice,
    /// A short text.
    Text,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Choice => "choice",
            Self::Text => "text",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Consent, Self::Choice, Self::Text]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

pub const YES: &str = "yes";
pub const NO: &str = "no";
/// The longest title, choice and text answer, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_CHOICE: usize = 100;
pub const MAX_TEXT: usize = 500;
/// The longest description, in characters.
pub const MAX_BODY: usize = 4000;
pub const CHOICES: std::ops::RangeInclusive<usize> = 2..=10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("two to ten different choices, one per line, each at most 100 characters")]
    Choices,
    #[error("not an answer to this question")]
    Answer,
    #[error("the answer is empty or longer than 500 characters")]
    Text,
}

/// The choices as typed, one per line: blank lines dropped, each trimmed. Only a `Choice` has
/// any; for the other kinds whatever was typed is ignored.
pub fn choices(kind: Kind, typed: &str) -> Result<Vec<String>, ConsentError> {
    if kind != Kind::Choice {
        return Ok(Vec::new());
    }
    let list: Vec<String> = typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let distinct = list.iter().enumerate().all(|(i, c)| !list[..i].contains(c));
    if !CHOICES.contains(&list.len()) || !distinct || list.iter().any(|c| c.chars().count() > MAX_CHOICE) {
        return Err(ConsentError::Choices);
    }
    Ok(list)
}

/// The answer as it is kept, or why it is not one.
pub fn answer(kind: Kind, choices: &[String], typed: &str) -> Result<String, ConsentError> {
    let typed = typed.trim();
    match kind {
        Kind::Consent if typed == YES || typed == NO => Ok(typed.to_string()),
        Kind::Choice if choices.iter().any(|c| c == typed) => Ok(typed.to_string()),
        Kind::Text if !typed.is_empty() && typed.chars().count() <= MAX_TEXT => Ok(typed.to_string()),
        Kind::Text => Err(ConsentError::Text),
        _ => Err(ConsentError::Answer),
    }
}

/// Answers are taken through the whole of the last day.
pub fn open(answer_by: Date, today: Date) -> bool {
    today <= answer_by
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn choices_are_lines_two_to_ten_and_different() {
        assert_eq!(
            choices(Kind::Choice, "Rīga\n\n  Sigulda \r\n"),
            Ok(vec!["Rīga".to_string(), "Sigulda".to_string()])
        );
        assert_eq!(choices(Kind::Choice, "Tikai viena"), Err(ConsentError::Choices));
        assert_eq!(choices(Kind::Choice, "A\nA"), Err(ConsentError::Choices));
        assert_eq!(choices(Kind::Choice, &"x\n".repeat(11)), Err(ConsentError::Choices));
        assert_eq!(
            choices(Kind::Choice, &format!("A\n{}", "b".repeat(101))),
            Err(ConsentError::Choices)
        );
        assert_eq!(choices(Kind::Consent, "ignored"), Ok(Vec::new()));
    }

    #[test]
    fn an_answer_fits_its_question() {
        let two = vec!["Rīga".to_string(), "Sigulda".to_string()];
        assert_eq!(answer(Kind::Consent, &[], " yes "), Ok("yes".to_string()));
        assert_eq!(answer(Kind::Consent, &[], "maybe"), Err(ConsentError::Answer));
        assert_eq!(answer(Kind::Choice, &two, "Sigulda"), Ok("Sigulda".to_string()));
        assert_eq!(answer(Kind::Choice, &two, "Cēsis"), Err(ConsentError::Answer));
        assert_eq!(answer(Kind::Text, &[], "  "), Err(ConsentError::Text));
        assert_eq!(answer(Kind::Text, &[], &"ā".repeat(501)), Err(ConsentError::Text));
        assert_eq!(
            answer(Kind::Text, &[], "Alerģija pret riekstiem"),
            Ok("Alerģija pret riekstiem".to_string())
        );
    }

    #[test]
    fn answers_are_taken_through_the_last_day() {
        assert!(open(date(2026, 12, 4), date(2026, 12, 4)));
        assert!(!open(date(2026, 12, 4), date(2026, 12, 5)));
    }
}
