//! What a password a person chooses must be (NIST SP 800-63B, 3.1.1.2): long enough, not too long
//! to hash, not one of the 100,000 most common (`common_passwords.txt`, see its `.md`), not the
//! username. No composition rules: a long phrase of lower-case words is a good password.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest password anyone may choose.
pub const MIN_CHARS: usize = 8;
/// The shortest for a person holding staff rights without a second factor: a guessed staff
/// password opens other people's data.
pub const MIN_CHARS_STAFF_WITHOUT_SECOND_FACTOR: usize = 15;
/// The longest accepted (NIST asks for at least 64); longer is refused before it is hashed.
pub const MAX_CHARS: usize = 128;
/// The most bytes a password may take, whatever its characters: 128 four-byte characters.
pub const MAX_BYTES: usize = 4 * MAX_CHARS;

const COMMON: &str = include_str!("common_passwords.txt");

static COMMON_SET: LazyLock<HashSet<String>> = LazyLock::new(|| COMMON.lines().map(str::to_lowercase).collect());

/// Is the password one of the 100,000 most common (in any mix of capitals)?
pub fn is_common(password: &str) -> bool {
    COMMON_SET.contains(&password.to_lowercase())
}

/// Why a chosen password is refused, as the catalogue's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooShort,
    TooShortForStaff,
    TooLong,
    Common,
    SameAsUsername,
    /// Little more than the service's or a school's words, the username, digits and marks.
    Context,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "password.too_short",
            Self::TooShortForStaff => "password.too_short_staff",
            Self::TooLong => "password.too_long",
            Self::Common => "password.common",
            Self::SameAsUsername => "password.same_as_username",
            Self::Context => "password.context",
        }
    }
}

/// Checks a password a person chooses. `staff_without_second_factor`: they hold a staff right
/// somewhere and have no second factor.
pub fn check(password: &str, username: &str, staff_without_second_factor: bool) -> Result<(), Refusal> {
    if password.len() > MAX_BYTES {
        return Err(Refusal::TooLong);
    }
    let chars = password.chars().count();
    if chars > MAX_CHARS {
        return Err(Refusal::TooLong);
    }
    if chars < MIN_CHARS {
        return Err(Refusal::TooShort);
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(Refusal::SameAsUsername);
    }
    if is_common(password) {
        return Err(Refusal::Common);
    }
    if mostly_context(password, username) {
        return Err(Refusal::Context);
    }
    if staff_without_second_factor && chars < MIN_CHARS_STAFF_WITHOUT_SECOND_FACTOR {
        return Err(Refusal::TooShortForStaff);
    }
    Ok(())
}

/// Words a guesser tries first against this service (NIST SP 800-63B asks for context-specific
/// words to be refused): its name, the older system's, and the school's everyday words.
const CONTEXT_WORDS: [&str; 8] = [
    "klade", "eklase", "e-klase", "skola", "parole", "password", "latvija", "riga",
];

/// Is the password little more than context words, the username, digits and marks — fewer than
/// four letters of its own?
fn mostly_context(password: &str, username: &str) -> bool {
    let mut rest = password.to_lowercase();
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 3 {
        rest = rest.replace(&user, "");
    }
    for word in CONTEXT_WORDS {
        rest = rest.replace(word, "");
    }
    rest.chars().filter(|c| c.is_alphabetic()).count() < 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_whole() {
        assert_eq!(COMMON.lines().count(), 100_000);
        for p in ["password123", "1234567890", "qwerty123", "iloveyou", "PASSWORD123"] {
            assert!(is_common(p), "{p}");
        }
        assert!(!is_common("zaļā vārna lido pār Daugavu"));
    }

    #[test]
    fn common_short_long_and_the_username_are_refused() {
        assert_eq!(check("password123", "anna", false), Err(Refusal::Common));
        assert_eq!(check("1234567890", "anna", false), Err(Refusal::Common));
        assert_eq!(check("īss", "anna", false), Err(Refusal::TooShort));
        assert_eq!(
            check("anna.berzina", "Anna.Berzina", false),
            Err(Refusal::SameAsUsername)
        );
        assert_eq!(check(&"ā".repeat(129), "anna", false), Err(Refusal::TooLong));
        assert_eq!(check(&"x".repeat(10_000), "anna", false), Err(Refusal::TooLong));
        // 64 characters, no composition rules.
        assert_eq!(check(&"zaļš ".repeat(13)[..64], "anna", false), Ok(()));
        assert_eq!(check("kaķis guļ", "anna", false), Ok(()));
    }

    #[test]
    fn the_services_and_the_schools_words_are_not_a_password() {
        assert_eq!(check("Klade2026!!", "anna", false), Err(Refusal::Context));
        assert_eq!(check("skola-1234567", "anna", false), Err(Refusal::Context));
        assert_eq!(check("anna.berzina.1990", "anna.berzina", false), Err(Refusal::Context));
        assert_eq!(check("mana skolas parole ir gara", "anna", false), Ok(()));
    }

    #[test]
    fn staff_without_a_second_factor_need_fifteen() {
        assert_eq!(check("kaķis guļ mājā", "anna", true), Err(Refusal::TooShortForStaff));
        assert_eq!(check("kaķis guļ mājās un sapņo", "anna", true), Ok(()));
        assert_eq!(check("kaķis guļ mājā", "anna", false), Ok(()));
    }
}
