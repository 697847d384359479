//! The Latvian personal code (*personas kods*): parsing, both formats, display with the hyphen.
//!
//! Old codes (until 30 June 2017) carry a birth date and a check digit; new codes start with `3`
//! and carry neither for sure, so a check-digit mismatch on a new code is a warning, not a refusal.
//! The birth date is never derived from here: a person's birth date is its own field.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonalCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonalCodeError {
    #[error("personal code must have 11 digits")]
    Length,
    #[error("personal code has a character that is not a digit")]
    NotDigits,
    #[error("the date in the personal code does not exist")]
    Date,
    #[error("unknown century digit in the personal code")]
    Century,
    #[error("the check digit of the personal code is wrong")]
    CheckDigit,
}

impl PersonalCodeError {
    /// Key in the message catalogue.
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "personal_code.length",
            Self::NotDigits => "personal_code.digits",
            Self::Date => "personal_code.date",
            Self::Century => "personal_code.century",
            Self::CheckDigit => "personal_code.check_digit",
        }
    }
}

const WEIGHTS: [u32; 10] = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check digit for the first ten digits; 10 is written as 0 (what the libraries in use accept).
pub fn check_digit(first_ten: &[u32; 10]) -> u32 {
    let sum: u32 = first_ten.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    (1101 - sum) % 11 % 10
}

impl PersonalCode {
    /// Parses `DDMMYY-NNNNN` or `DDMMYYNNNNN`. A new-format code (first digit 3) with a wrong
    /// check digit is accepted; see [`PersonalCode::check_digit_matches`].
    pub fn parse(input: &str) -> Result<Self, PersonalCodeError> {
        let trimmed = input.trim();
        let compact: String = match trimmed.char_indices().nth(6) {
            Some((i, '-')) => format!("{}{}", &trimmed[..i], &trimmed[i + 1..]),
            _ => trimmed.to_string(),
        };
        if compact.chars().any(|c| !c.is_ascii_digit()) {
            return Err(PersonalCodeError::NotDigits);
        }
        if compact.len() != 11 {
            return Err(PersonalCodeError::Length);
        }
        let d: Vec<u32> = compact.bytes().map(|b| u32::from(b - b'0')).collect();
        // New codes start 32–39; old ones may start with 3 too (days 30 and 31).
        if !(d[0] == 3 && d[1] >= 2) {
            let day = d[0] * 10 + d[1];
            let month = d[2] * 10 + d[3];
            let yy = d[4] * 10 + d[5];
            let century = match d[6] {
                0 => 1800,
                1 => 1900,
                2 => 2000,
                _ => return Err(PersonalCodeError::Century),
            };
            if !date_exists(century + yy, month, day) {
                return Err(PersonalCodeError::Date);
            }
            let mut ten = [0u32; 10];
            ten.copy_from_slice(&d[..10]);
            if check_digit(&ten) != d[10] {
                return Err(PersonalCodeError::CheckDigit);
            }
        }
        Ok(Self(format!("{}-{}", &compact[..6], &compact[6..])))
    }

    /// `DDMMYY-NNNNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_new_format(&self) -> bool {
        self.0.starts_with('3') && self.0.as_bytes().get(1).is_some_and(|b| *b >= b'2')
    }

    /// For new-format codes the check digit is not mandated; callers may warn when this is false.
    pub fn check_digit_matches(&self) -> bool {
        let d: Vec<u32> = self
            .0
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| u32::from(b - b'0'))
            .collect();
        let mut ten = [0u32; 10];
        ten.copy_from_slice(&d[..10]);
        check_digit(&ten) == d[10]
    }

    /// Builds a valid old-format code from a date and a serial number;
    /// used to make fictional codes for demo and test people (century digit 0: the 1800s).
    pub fn fictional(day: u32, month: u32, yy: u32, serial: u32) -> Result<Self, PersonalCodeError> {
        let s = format!("{day:02}{month:02}{yy:02}0{:03}", serial % 1000);
        let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let mut ten = [0u32; 10];
        ten.copy_from_slice(&d[..10]);
        Self::parse(&format!("{s}{}", check_digit(&ten)))
    }
}

/// True for something shaped like a personal code (so a login name can be normalised).
pub fn looks_like_personal_code(input: &str) -> bool {
    let t = input.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    digits == 11 && (t.len() == 11 || (t.len() == 12 && t.as_bytes().get(6) == Some(&b'-')))
}

fn date_exists(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

impl fmt::Display for PersonalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonalCode {
    type Error = PersonalCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PersonalCode> for String {
    fn from(c: PersonalCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_codes_from_the_domain_notes() {
        for code in [
            "150385-01233",
            "010180-01234",
            "311299-07896",
            "290296-04561",
            "15038501233",
        ] {
            assert!(PersonalCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            PersonalCode::parse("15038501233").map(|c| c.to_string()),
            Ok("150385-01233".to_string())
        );
    }

    #[test]
    fn invalid_codes_from_the_domain_notes() {
        use PersonalCodeError::*;
        let cases = [
            ("150385-01236", CheckDigit),
            ("290200-04560", Date),
            ("311399-07890", Date),
            ("150385-31236", Century),
            ("321299-0789", Length),
            ("15038A-01233", NotDigits),
            ("", Length),
        ];
        for (code, err) in cases {
            assert_eq!(PersonalCode::parse(code), Err(err), "{code}");
        }
    }

    #[test]
    fn worked_example_check_digit() {
        assert_eq!(check_digit(&[1, 5, 0, 3, 8, 5, 0, 1, 2, 3]), 3);
    }

    #[test]
    fn new_format_is_accepted_and_mismatch_only_reported() {
        let c = PersonalCode::parse("32123456789").expect("new code");
        assert!(c.is_new_format());
        assert_eq!(c.as_str(), "321234-56789");
        // 31.12.34 is an old code's date; its century digit 5 does not exist.
        assert_eq!(PersonalCode::parse("31123456789"), Err(PersonalCodeError::Century));
        assert!(!PersonalCode::parse("311299-07896").expect("old code").is_new_format());
    }

    #[test]
    fn fictional_codes_are_valid() {
        for serial in 0..200 {
            let c = PersonalCode::fictional(1 + serial % 28, 1 + serial % 12, serial % 100, serial)
                .expect("valid fictional code");
            assert!(c.check_digit_matches());
        }
    }

    #[test]
    fn shape_detection() {
        assert!(looks_like_personal_code("150385-01233"));
        assert!(looks_like_personal_code("15038501233"));
        assert!(!looks_like_personal_code("skolotajs"));
        assert!(!looks_like_personal_code("1503850-1233"));
    }
}
