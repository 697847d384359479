//! Signing in and out: passwords (argon2id), sessions for pages and API tokens, throttling of
//! failed logins per account and per address, and loading the actor behind a session.

use crate::{App, AppError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use klade_domain::personal_code::{looks_like_personal_code, PersonalCode};
use klade_domain::{AccountId, Actor, PersonId};
use klade_store::{accounts, sessions, throttle};
use sha2::{Digest, Sha256};

pub use klade_store::sessions::Kind as SessionKind;

/// Random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(hex(&buf))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, as lowercase hex (files are stored and archived by it).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// What is stored for a token: its SHA-256, so a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A password the system generates (R9, R10): 12 characters from an alphabet without look-alikes.
pub fn generate_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 12];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(buf
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// Rules for a password a person chooses (`klade_domain::password`): staff without a second factor
/// need a longer one.
pub fn check_new_password(password: &str, username: &str, staff_without_second_factor: bool) -> Result<(), AppError> {
    klade_domain::password::check(password, username, staff_without_second_factor)
        .map_err(|r| AppError::invalid("new", r.code()))
}

/// Usernames are compared lower-case; a personal code is accepted with or without its hyphen (R9).
pub fn normalize_username(input: &str) -> String {
    let t = input.trim();
    if looks_like_personal_code(t) {
        if let Ok(code) = PersonalCode::parse(t) {
            return code.to_string();
        }
    }
    t.to_lowercase()
}

pub struct LoginInput<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub address: &'a str,
    pub user_agent: &'a str,
    pub kind: SessionKind,
}

/// A new session. `token` goes to the client once and is never stored.
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub account: AccountId,
    pub must_change_password: bool,
}

/// What a right password leads to: a session, or — for an account with a second factor — a
/// challenge to answer with a code (`crate::second_factor::answer`). The challenge token goes to
/// the client once and is never stored.
#[derive(Debug)]
pub enum Login {
    Done(LoggedIn),
    SecondFactor { challenge: String },
}

// A real argon2id hash of a random password, verified against when the username is unknown so
// that a wrong username costs as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$rJHjVAu/YHc9zptkmTCkG1xq0jZ1Nz8wT5b3Ff0V2lU";

pub async fn login(app: &App, input: LoginInput<'_>) -> Result<Login, AppError> {
    let now = app.now();
    let s = &app.settings;
    let username = normalize_username(input.username);
    let account_key = format!("account:{username}");
    let address_key = format!("address:{}", input.address);
    let since = now - s.failure_window_secs;
    let by_account = throttle::failures_since(app.db.pool(), &account_key, since).await?;
    let by_address = throttle::failures_since(app.db.pool(), &address_key, since).await?;
    if by_account >= s.max_failures_per_account || by_address >= s.max_failures_per_address {
        tracing::info!(username = %username, address = %input.address, "login throttled");
        return Err(AppError::Throttled {
            retry_after_secs: s.failure_window_secs,
        });
    }
    // An over-long password is wrong without hashing it: hashing costs with its length.
    let too_long = input.password.len() > klade_domain::password::MAX_BYTES;
    let account = accounts::find_by_username(app.db.pool(), &username).await?;
    let ok = match &account {
        _ if too_long => false,
        Some(a) => verify_password(input.password, &a.password_hash),
        None => {
            verify_password(input.password, DUMMY_HASH);
            false
        }
    };
    let account = match (ok, account) {
        (true, Some(a)) => a,
        _ => {
            let mut tx = app.db.begin().await?;
            throttle::record_failure(&mut *tx, &account_key, now).await?;
            throttle::record_failure(&mut *tx, &address_key, now).await?;
            tx.commit().await?;
            tracing::info!(username = %username, address = %input.address, "failed login");
            return Err(AppError::InvalidCredentials);
        }
    };
    if account.blocked_at.is_some() {
        return Err(AppError::AccountBlocked);
    }
    let held = accounts::holdings(app.db.pool(), account.person_id, app.today()).await?;
    if held.grants.is_empty() {
        return Err(AppError::NoActiveRights);
    }
    throttle::clear(app.db.pool(), &account_key).await?;
    tracing::info!(username = %username, address = %input.address, "password accepted");
    if klade_store::second_factors::get(app.db.pool(), account.id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some())
    {
        let challenge = random_hex(32)?;
        klade_store::second_factors::insert_challenge(
            app.db.pool(),
            &token_hash(&challenge),
            &klade_store::second_factors::Challenge {
                account: account.id,
                kind: input.kind.code().to_string(),
                user_agent: input.user_agent.chars().take(200).collect(),
                address: input.address.to_string(),
                created_at: now,
            },
        )
        .await?;
        return Ok(Login::SecondFactor { challenge });
    }
    Ok(Login::Done(
        open_session(app, &account, input.kind, input.user_agent, input.address).await?,
    ))
}

/// A new session for an account whose every factor was checked.
pub(crate) async fn open_session(
    app: &App,
    account: &accounts::Account,
    kind: SessionKind,
    user_agent: &str,
    address: &str,
) -> Result<LoggedIn, AppError> {
    let now = app.now();
    let s = &app.settings;
    let token = random_hex(32)?;
    let csrf = random_hex(32)?;
    let idle = match kind {
        SessionKind::Web => s.web_session_idle_secs,
        SessionKind::Api => s.api_session_idle_secs,
    };
    tracing::info!(username = %account.username, %address, kind = kind.code(), "logged in");
    if kind == SessionKind::Web {
        sessions::begin_visit(app.db.pool(), account.id, now).await?;
    }
    sessions::insert(
        app.db.pool(),
        &sessions::NewSession {
            id_hash: &token_hash(&token),
            account: account.id,
            kind,
            csrf_token: &csrf,
            now,
            expires_at: now + idle,
            user_agent: &user_agent.chars().take(200).collect::<String>(),
            address,
        },
    )
    .await?;
    Ok(LoggedIn {
        token,
        account: account.id,
        must_change_password: account.must_change_password,
    })
}

/// Each person's holdings for a day, with the rights counter they were read at. Anything a
/// person's rights come from moves the counter (database triggers), and every session lookup reads
/// it, so a cached entry is used only while nothing changed — on this server or any other.
/// 100 000 people is every signed-in person of a large deployment.
pub(crate) type HoldingsCache = crate::cache::Cache<PersonId, (jiff::civil::Date, i64), Held>;

pub(crate) fn holdings_cache() -> HoldingsCache {
    crate::cache::Cache::new(100_000)
}

/// What is cached per person: their holdings, and where they and their children are enrolled.
#[derive(Clone)]
pub(crate) struct Held {
    holdings: accounts::Holdings,
    students: std::sync::Arc<Vec<klade_store::school::Placement>>,
}

async fn held(app: &App, person: PersonId, version: i64) -> Result<Held, AppError> {
    let stamp = (app.today(), version);
    if let Some(held) = app.holdings.get(&person, &stamp) {
        return Ok(held);
    }
    let today = stamp.0;
    let holdings = accounts::holdings(app.db.pool(), person, today).await?;
    let mut students: Vec<PersonId> = holdings.children.iter().map(|(_, c)| *c).collect();
    if holdings.grants.iter().any(|g| g.role == klade_domain::Role::Student) {
        students.insert(0, person);
    }
    let students = if students.is_empty() {
        Vec::new()
    } else {
        klade_store::school::placements(app.db.pool(), &students, today).await?
    };
    let held = Held {
        holdings,
        students: std::sync::Arc::new(students),
    };
    app.holdings.put(person, stamp, held.clone());
    Ok(held)
}

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub account: AccountId,
    pub person: PersonId,
    pub username: String,
    pub name: String,
    pub csrf_token: String,
    pub must_change_password: bool,
    /// The account has a confirmed second factor.
    pub second_factor: bool,
    /// The person's rights call for a second factor they have not set up yet: until they do, only
    /// setting it up (and logging out) answers.
    pub must_enrol_second_factor: bool,
    /// Messages not read yet.
    pub unread: i64,
    pub actor: Actor,
    /// Where this person (if a student) and their children are enrolled today.
    pub students: std::sync::Arc<Vec<klade_store::school::Placement>>,
    /// The rights counter at this request: what a server keeps in memory is good while it stands.
    pub rights: i64,
    /// The language the person chose for the pages (`lv`, `en`, `uk`, `ru`), when they did.
    pub lang: Option<String>,
}

/// What `person` holds today, as a session of no login: for what they set up to be fetched
/// without signing in (a calendar feed), so that it is allowed exactly what they would be allowed
/// now. It carries no CSRF token and no session id, so no form accepts it. `None` when their
/// account is blocked (as a login would be refused) or they hold nothing any more.
pub async fn as_person(app: &App, person: PersonId) -> Result<Option<Session>, AppError> {
    let Some(rights) = accounts::rights_if_open(app.db.pool(), person).await? else {
        return Ok(None);
    };
    let Held {
        holdings: held,
        students,
    } = held(app, person, rights).await?;
    if held.grants.is_empty() {
        return Ok(None);
    }
    Ok(Some(Session {
        id_hash: String::new(),
        account: AccountId(0),
        person,
        username: String::new(),
        name: String::new(),
        csrf_token: String::new(),
        must_change_password: false,
        second_factor: false,
        must_enrol_second_factor: false,
        unread: 0,
        actor: Actor {
            person,
            grants: held.grants,
            children: held.children,
            courses: held.courses,
        },
        students,
        rights,
        lang: None,
    }))
}

/// Finds the live session for `token` and loads what its person holds today.
pub async fn authenticate(app: &App, token: &str, kind: SessionKind) -> Result<Option<Session>, AppError> {
    let now = app.now();
    let hash = token_hash(token);
    let Some(live) = sessions::find_live(&mut *app.db.read().await?, &hash, kind, now).await? else {
        return Ok(None);
    };
    // Touch at most once a minute: a page view should not always cost a write.
    if now - live.last_seen_at >= 60 {
        let (idle, max) = match kind {
            SessionKind::Web => (app.settings.web_session_idle_secs, app.settings.web_session_max_secs),
            SessionKind::Api => (app.settings.api_session_idle_secs, app.settings.api_session_max_secs),
        };
        sessions::touch(app.db.pool(), &hash, now, now + idle, max).await?;
    }
    let Held {
        holdings: held,
        students,
    } = held(app, live.person, live.rights).await?;
    // Rights that ended (graduation, expulsion, the end of employment) end the session too (R11).
    if held.grants.is_empty() {
        return Ok(None);
    }
    Ok(Some(Session {
        id_hash: live.id_hash,
        account: live.account,
        person: live.person,
        username: live.username,
        name: live.name,
        csrf_token: live.csrf_token,
        must_change_password: live.must_change_password,
        second_factor: live.second_factor,
        must_enrol_second_factor: !live.second_factor && klade_domain::second_factor::required(&held.grants),
        unread: live.unread,
        actor: Actor {
            person: live.person,
            grants: held.grants,
            children: held.children,
            courses: held.courses,
        },
        students,
        rights: live.rights,
        lang: live.lang,
    }))
}

/// Keeps the language the person chose for the pages, so it follows them to every device.
pub async fn choose_language(app: &App, session: &Session, code: &str) -> Result<(), AppError> {
    accounts::set_lang(app.db.pool(), session.account, code).await?;
    Ok(())
}

pub async fn logout(app: &App, session: &Session) -> Result<(), AppError> {
    sessions::delete(app.db.pool(), &session.id_hash).await?;
    tracing::info!(username = %session.username, "logged out");
    Ok(())
}

/// Ends every other session and token of the account ("log out my other sessions").
pub async fn logout_others(app: &App, session: &Session) -> Result<u64, AppError> {
    Ok(sessions::delete_others(app.db.pool(), session.account, &session.id_hash).await?)
}

/// A person changes their own password; other sessions end, since the old password may be known.
pub async fn change_password(
    app: &App,
    session: &Session,
    current: &str,
    new: &str,
    repeat: &str,
) -> Result<(), AppError> {
    // Nothing over-long is hashed: hashing costs with the length.
    if new.len() > klade_domain::password::MAX_BYTES {
        return Err(AppError::invalid("new", "password.too_long"));
    }
    let account = accounts::get(app.db.pool(), session.account)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.len() > klade_domain::password::MAX_BYTES || !verify_password(current, &account.password_hash) {
        return Err(AppError::invalid("current", "password.current_wrong"));
    }
    if new != repeat {
        return Err(AppError::invalid("repeat", "password.mismatch"));
    }
    let staff = session.actor.grants.iter().any(|g| g.role.is_staff());
    check_new_password(new, &account.username, staff && !session.second_factor)?;
    if verify_password(new, &account.password_hash) {
        return Err(AppError::invalid("password", "password.unchanged"));
    }
    let hash = hash_password(new)?;
    let mut tx = app.db.begin().await?;
    accounts::set_password(&mut *tx, account.id, &hash, false).await?;
    sessions::delete_others(&mut *tx, account.id, &session.id_hash).await?;
    tx.commit().await?;
    tracing::info!(username = %account.username, "password changed");
    Ok(())
}

/// Forgets expired sessions, failed logins older than the throttling window and the answers
/// kept for repeated requests (`repeats`); the server runs
/// it every few minutes so neither table grows without bound.
pub async fn housekeeping(app: &App) -> Result<(u64, u64), AppError> {
    let now = app.now();
    let sessions = sessions::delete_expired(app.db.pool(), now).await?;
    let failures = throttle::prune(app.db.pool(), now - app.settings.failure_window_secs).await?;
    crate::repeats::prune(app).await?;
    Ok((sessions, failures))
}

pub async fn list_sessions(app: &App, session: &Session) -> Result<Vec<sessions::Listed>, AppError> {
    Ok(sessions::list(app.db.pool(), session.account, app.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("pareizā parole").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("pareizā parole", &h));
        assert!(!verify_password("nepareiza", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_is_a_real_hash() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn generated_passwords_are_long_and_varied() {
        let a = generate_password().expect("password");
        let b = generate_password().expect("password");
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', 'l', '1', 'I']));
    }

    #[test]
    fn usernames_normalise() {
        assert_eq!(normalize_username("  Skolotajs "), "skolotajs");
        assert_eq!(normalize_username("15038501233"), "150385-01233");
        assert_eq!(normalize_username("150385-01233"), "150385-01233");
    }

    #[test]
    fn chosen_passwords_follow_the_rules() {
        assert!(check_new_password("īsa", "x", false).is_err());
        assert!(check_new_password("skolotajs1", "skolotajs1", false).is_err());
        assert!(check_new_password("garāka parole", "x", false).is_ok());
        assert!(check_new_password("garāka parole", "x", true).is_err());
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
