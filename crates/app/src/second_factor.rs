//! The second factor (TOTP, RFC 6238) and its recovery codes: setting it up, answering a login's
//! challenge with a code, turning it off where it is not required, and the superuser's reset for
//! a lost phone. Wrong codes are throttled per account like wrong passwords; every change is in
//! the access log.

use crate::auth::{open_session, token_hash, LoggedIn, Session};
use crate::{App, AppError};
use klade_domain::second_factor as rules;
use klade_domain::{policy, Action, InstitutionId, PersonId, Scope};
use klade_store::second_factors::{self, Challenge};
use klade_store::{access_log, accounts, sessions, throttle};

/// The codes of the roles that must have a second factor, as memberships store them.
pub const REQUIRED_ROLE_CODES: [&str; 8] = [
    "superuser",
    "director",
    "deputy_academic",
    "deputy_methodical",
    "deputy_creative",
    "deputy_upbringing",
    "clerk",
    "preschool_deputy",
];

/// How long a login may wait for its code.
const CHALLENGE_SECS: i64 = 300;
/// Wrong codes allowed per account within the throttling window.
const MAX_WRONG_CODES: i64 = 5;

/// Where one stands with the second factor.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub enabled: bool,
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(app: &App, session: &Session) -> Result<Status, AppError> {
    Ok(Status {
        enabled: session.second_factor,
        required: rules::required(&session.actor.grants),
        recovery_codes_left: second_factors::recovery_left(app.db.pool(), session.account).await?,
    })
}

/// A secret to set up, as an authenticator app takes it: typed, or as an `otpauth://` address
/// (which the page shows as a QR code).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Setup {
    pub secret: String,
    pub otpauth_url: String,
}

/// Starts setting up a second factor: a new secret, kept unconfirmed until a code from it is
/// typed. One already confirmed is not replaced.
pub async fn start(app: &App, session: &Session) -> Result<Setup, AppError> {
    if session.second_factor {
        return Err(AppError::Conflict("second_factor.already"));
    }
    let db = app.db.pool();
    // The same unconfirmed secret while setting up, so a reload does not break a scanned code.
    let secret = match second_factors::get(db, session.account).await? {
        Some(f) if f.confirmed_at.is_none() => f.secret,
        _ => {
            let mut secret = vec![0u8; rules::SECRET_BYTES];
            getrandom::fill(&mut secret).map_err(|e| AppError::Internal(format!("random: {e}")))?;
            second_factors::start(db, session.account, &secret, app.now()).await?;
            secret
        }
    };
    Ok(Setup {
        secret: rules::secret_text(&secret),
        otpauth_url: rules::otpauth_url("Klade", &session.username, &secret),
    })
}

/// Ten codes of 24 letters and digits (119 bits each): with that much chance in them a code is kept
/// as a plain SHA-256, as NIST SP 800-63B allows for look-up secrets of at least 112 bits.
fn recovery_codes() -> Result<Vec<String>, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..rules::RECOVERY_CODES)
        .map(|_| {
            let mut buf = [0u8; 24];
            getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
            let code: String = buf
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            Ok(format!(
                "{}-{}-{}-{}",
                &code[..6],
                &code[6..12],
                &code[12..18],
                &code[18..]
            ))
        })
        .collect()
}

async fn wrong_codes(app: &App, account: klade_domain::AccountId) -> Result<(), AppError> {
    let key = format!("second_factor:{}", account.0);
    let s = &app.settings;
    if throttle::failures_since(app.db.pool(), &key, app.now() - s.failure_window_secs).await? >= MAX_WRONG_CODES {
        return Err(AppError::Throttled {
            retry_after_secs: s.failure_window_secs,
        });
    }
    Ok(())
}

async fn record_wrong_code(app: &App, account: klade_domain::AccountId) -> Result<(), AppError> {
    throttle::record_failure(app.db.pool(), &format!("second_factor:{}", account.0), app.now()).await?;
    Ok(())
}

/// Takes a code (or, `recovery`, a recovery code) for the account: true if it was right and new.
async fn take(app: &App, account: klade_domain::AccountId, code: &str, recovery: bool) -> Result<bool, AppError> {
    let db = app.db.pool();
    let Some(factor) = second_factors::get(db, account).await? else {
        return Ok(false);
    };
    let now = app.now();
    if recovery {
        let hash = token_hash(&rules::normalize_recovery(code));
        return Ok(factor.confirmed_at.is_some() && second_factors::use_recovery(db, account, &hash, now).await?);
    }
    let unix = u64::try_from(now).unwrap_or(0);
    match rules::accepts(&factor.secret, code, unix, factor.last_step) {
        Some(step) => Ok(second_factors::take_step(db, account, step, now).await?),
        None => Ok(false),
    }
}

/// Confirms the setup with a code from the app; answers the recovery codes, shown once.
pub async fn confirm(app: &App, session: &Session, code: &str) -> Result<Vec<String>, AppError> {
    if session.second_factor {
        return Err(AppError::Conflict("second_factor.already"));
    }
    wrong_codes(app, session.account).await?;
    if !take(app, session.account, code, false).await? {
        record_wrong_code(app, session.account).await?;
        return Err(AppError::invalid("code", "second_factor.wrong_code"));
    }
    let codes = recovery_codes()?;
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| token_hash(&rules::normalize_recovery(c)))
        .collect();
    let now = app.now();
    let mut tx = app.db.begin().await?;
    second_factors::set_recovery(&mut tx, session.account, &hashes).await?;
    // Other sessions were opened without it; they end.
    sessions::delete_others(&mut *tx, session.account, &session.id_hash).await?;
    access_log::record(
        &mut *tx,
        None,
        session.person,
        session.person,
        "change",
        "second factor set up",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns one's own second factor off, with a code, where one's rights do not require it.
pub async fn turn_off(app: &App, session: &Session, code: &str) -> Result<(), AppError> {
    if rules::required(&session.actor.grants) {
        return Err(AppError::invalid("code", "second_factor.required"));
    }
    wrong_codes(app, session.account).await?;
    if !take(app, session.account, code, false).await? {
        record_wrong_code(app, session.account).await?;
        return Err(AppError::invalid("code", "second_factor.wrong_code"));
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    second_factors::remove(&mut tx, session.account).await?;
    access_log::record(
        &mut *tx,
        None,
        session.person,
        session.person,
        "change",
        "second factor turned off",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Answers a login's challenge with a code from the app or a recovery code; opens the session.
pub async fn answer(app: &App, challenge: &str, code: &str, recovery: bool) -> Result<LoggedIn, AppError> {
    let db = app.db.pool();
    let now = app.now();
    let hash = token_hash(challenge);
    let Some(c) = second_factors::challenge(db, &hash, now - CHALLENGE_SECS).await? else {
        return Err(AppError::Unauthenticated);
    };
    wrong_codes(app, c.account).await?;
    if !take(app, c.account, code, recovery).await? {
        record_wrong_code(app, c.account).await?;
        tracing::info!(account = c.account.0, "wrong second-factor code");
        return Err(AppError::invalid("code", "second_factor.wrong_code"));
    }
    let Challenge {
        account,
        kind,
        user_agent,
        address,
        ..
    } = c;
    second_factors::end_challenge(db, &hash, now - CHALLENGE_SECS).await?;
    throttle::clear(db, &format!("second_factor:{}", account.0)).await?;
    let account = accounts::get(db, account).await?.ok_or(AppError::Unauthenticated)?;
    if account.blocked_at.is_some() {
        return Err(AppError::AccountBlocked);
    }
    let kind = sessions::Kind::from_code(&kind).ok_or(AppError::Unauthenticated)?;
    open_session(app, &account, kind, &user_agent, &address).await
}

/// The superuser removes a person's second factor (a lost phone): the person sets up a new one at
/// the next login. Only for a person within the superuser's reach (`policy::may_manage`).
pub async fn reset(app: &App, session: &Session, institution: InstitutionId, person: PersonId) -> Result<(), AppError> {
    let db = app.db.pool();
    let scope = Scope::Student {
        institution,
        student: person,
        class: None,
    };
    let held = accounts::roles_held(db, person).await?;
    if !held.iter().any(|(i, _)| *i == institution) {
        return Err(AppError::NotFound);
    }
    let permit = policy::may_manage(&session.actor, Action::ManageAccounts, scope, &held)?;
    let account = accounts::by_person(db, person).await?.ok_or(AppError::NotFound)?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    second_factors::remove(&mut tx, account.id).await?;
    sessions::delete_all(&mut *tx, account.id).await?;
    access_log::record(
        &mut *tx,
        Some(permit.institution()),
        session.person,
        person,
        "change",
        "second factor reset",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// On the demo's server only: the code a demo account's login waits for — the next one its key
/// gives that has not been taken — so a visitor needs no authenticator app.
pub async fn demo_code(app: &App, challenge: &str) -> Result<Option<String>, AppError> {
    let db = app.db.pool();
    let now = app.now();
    let Some(c) = second_factors::challenge(db, &token_hash(challenge), now - CHALLENGE_SECS).await? else {
        return Ok(None);
    };
    let Some(factor) = second_factors::get(db, c.account).await? else {
        return Ok(None);
    };
    if factor.secret != crate::demo::DEMO_SECRET {
        return Ok(None);
    }
    let step = u64::try_from(now).unwrap_or(0) / rules::STEP;
    let next = step.max(factor.last_step + 1);
    Ok((next <= step + 1).then(|| rules::code_at(&factor.secret, next * rules::STEP)))
}
