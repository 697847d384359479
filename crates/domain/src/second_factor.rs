//! The second factor: time-based one-time codes (TOTP, RFC 6238 — what every authenticator app
//! speaks: HMAC-SHA1, six digits, 30-second steps) and single-use recovery codes. Who must have
//! one: everyone whose account reaches other people's records wholesale — the superuser, the
//! director, the deputies and the clerk. Everyone else may.

use crate::{Grant, Role};

/// Seconds a code stands for.
pub const STEP: u64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Roles whose holders must use a second factor.
pub const REQUIRED_FOR: [Role; 7] = [
    Role::Superuser,
    Role::Director,
    Role::DeputyAcademic,
    Role::DeputyMethodical,
    Role::DeputyCreative,
    Role::DeputyUpbringing,
    Role::Clerk,
];

/// Must a person holding `grants` use a second factor? A preschool's deputy head too: she issues
/// passwords (J35).
pub fn required(grants: &[Grant]) -> bool {
    grants
        .iter()
        .any(|g| REQUIRED_FOR.contains(&g.role) || g.role == Role::PreschoolDeputy)
}

/// The code for a moment (Unix seconds).
pub fn code_at(secret: &[u8], unix: u64) -> String {
    totp_lite::totp_custom::<totp_lite::Sha1>(STEP, DIGITS, secret, unix)
}

/// The step a code typed at `unix` was made for: the current one or either neighbour (a phone's
/// clock a little off, a code typed as it turned), and only after `last_step`, so a code seen
/// once is never taken again. Spaces are ignored.
pub fn accepts(secret: &[u8], typed: &str, unix: u64, last_step: u64) -> Option<u64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix / STEP;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|&step| step > last_step)
        .find(|&step| constant_time_eq(code_at(secret, step * STEP).as_bytes(), typed.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret as an authenticator app takes it typed: Base32, no padding.
pub fn secret_text(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// A secret typed as [`secret_text`] writes it.
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(text.trim().as_bytes()).ok()
}

/// The `otpauth://` address an authenticator app reads from a QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        secret_text(secret),
        enc(issuer)
    )
}

/// A recovery code as people type it: lower case, without spaces or dashes.
pub fn normalize_recovery(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InstitutionId;

    #[test]
    fn rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, the last six of its eight digits.
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, t), code, "t = {t}");
        }
    }

    #[test]
    fn a_code_is_taken_once_within_a_step_either_side() {
        let secret = b"12345678901234567890";
        let now = 1_234_567_890;
        let code = code_at(secret, now);
        let step = now / STEP;
        assert_eq!(accepts(secret, &code, now, 0), Some(step));
        assert_eq!(
            accepts(secret, &format!("{} {}", &code[..3], &code[3..]), now, 0),
            Some(step)
        );
        assert_eq!(accepts(secret, &code, now + STEP, 0), Some(step), "the previous step");
        assert_eq!(accepts(secret, &code, now - STEP, 0), Some(step), "the next step");
        assert_eq!(accepts(secret, &code, now + 3 * STEP, 0), None, "too old");
        assert_eq!(accepts(secret, &code, now, step), None, "used once already");
        assert_eq!(accepts(secret, "000000x", now, 0), None);
        assert_eq!(accepts(secret, "", now, 0), None);
    }

    #[test]
    fn the_administration_must_use_one_and_others_may() {
        let grant = |role| Grant {
            institution: InstitutionId(1),
            role,
            class: None,
        };
        for role in Role::ALL {
            let must = required(&[grant(role)]);
            let expected = REQUIRED_FOR.contains(&role) || role == Role::PreschoolDeputy;
            assert_eq!(must, expected, "{role:?}");
        }
        assert!(required(&[grant(Role::Teacher), grant(Role::Clerk)]));
    }

    #[test]
    fn what_an_authenticator_app_reads() {
        let url = otpauth_url("Klade", "Anna Liepa", b"12345678901234567890");
        assert_eq!(
            url,
            "otpauth://totp/Klade:Anna%20Liepa?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Klade&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(normalize_recovery("AB12-cd 34"), "ab12cd34");
        assert_eq!(secret_from_text(&secret_text(b"abc")), Some(b"abc".to_vec()));
    }
}
