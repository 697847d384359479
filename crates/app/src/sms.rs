//! Queuing a text message: the message and its job are written in the caller's transaction, so a
//! message exists exactly when the change that asked for it does. The worker sends it later.

use crate::AppError;
use klade_domain::{InstitutionId, PersonId};
use klade_store::{jobs, sms};

/// A phone number as Latvian users write them: `+371 2xxxxxxx`, `2xxxxxxx`, with spaces or not.
/// Answers the canonical `+371xxxxxxxx`, or foreign numbers with their own `+` prefix.
pub fn normalize_phone(input: &str) -> Result<String, AppError> {
    let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("phone", "person.phone"));
    }
    if !compact.starts_with('+') {
        // A local number: eight digits starting 2 (mobile) or 6 (landline).
        if digits.len() == 8 && (digits.starts_with('2') || digits.starts_with('6')) {
            return Ok(format!("+371{digits}"));
        }
        return Err(AppError::invalid("phone", "person.phone"));
    }
    if digits.starts_with("371") && digits.len() != 11 {
        return Err(AppError::invalid("phone", "person.phone"));
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(AppError::invalid("phone", "person.phone"));
    }
    Ok(format!("+{digits}"))
}

/// Queues `body` for `phone`.
pub async fn queue(
    tx: &mut klade_store::Tx,
    institution: Option<InstitutionId>,
    person: Option<PersonId>,
    phone: &str,
    body: &str,
    now: i64,
) -> Result<i64, AppError> {
    let id = sms::insert(&mut **tx, institution, person, phone, body, now).await?;
    jobs::enqueue(&mut **tx, "sms", &id.to_string(), now).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise() {
        assert_eq!(normalize_phone("+371 2612 3456").ok(), Some("+37126123456".into()));
        assert_eq!(normalize_phone("26123456").ok(), Some("+37126123456".into()));
        assert_eq!(normalize_phone("+44 20 7946 0958").ok(), Some("+442079460958".into()));
        for bad in ["", "abc", "1234", "+371 123", "36123456", "+12"] {
            assert!(normalize_phone(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever is typed, a phone number is refused or written as `+` and 8–15 digits.
        #[test]
        fn a_phone_is_normalised_or_refused(input in "\\PC{0,24}|[+]?[0-9 ()-]{0,20}") {
            if let Ok(p) = normalize_phone(&input) {
                proptest::prop_assert!(p.starts_with('+'));
                proptest::prop_assert!((9..=16).contains(&p.len()), "{}", p);
                proptest::prop_assert!(p[1..].bytes().all(|b| b.is_ascii_digit()));
                proptest::prop_assert_eq!(normalize_phone(&p).ok(), Some(p.clone()));
            }
        }
    }
}
