//! Sessions, for pages (cookie) and the API (bearer token), kept in the database so that any
//! number of servers can share them. Only a SHA-256 of each token is stored: a copy of the
//! database does not let anyone in.

use crate::{flag, Result};
use klade_domain::{AccountId, PersonId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Web,
    Api,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Web, Self::Api].into_iter().find(|k| k.code() == code)
    }
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub account: AccountId,
    pub kind: Kind,
    pub csrf_token: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub user_agent: &'a str,
    pub address: &'a str,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, s: &NewSession<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, account_id, kind, csrf_token, created_at, last_seen_at, expires_at, user_agent, address) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
    )
    .bind(s.id_hash)
    .bind(s.account.0)
    .bind(s.kind.code())
    .bind(s.csrf_token)
    .bind(s.now)
    .bind(s.expires_at)
    .bind(s.user_agent)
    .bind(s.address)
    .execute(ex)
    .await?;
    Ok(())
}

/// A web login begins a visit: the one before it ended at its session's last activity, or, when
/// that session was ended by logging out, at least began at the login kept before.
pub async fn begin_visit<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET previous_visit_at = COALESCE( \
           (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.account_id = $1 AND s.kind = 'web'), \
           last_login_at, previous_visit_at), last_login_at = $2 WHERE id = $1",
    )
    .bind(account.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// When the visit before this one ended, if there was one.
pub async fn previous_visit<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT previous_visit_at FROM accounts WHERE id = $1")
            .bind(account.0)
            .fetch_optional(ex)
            .await?
            .flatten(),
    )
}

/// A live session with what the request needs to know about its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub id_hash: String,
    pub account: AccountId,
    pub person: PersonId,
    pub username: String,
    /// "Given Family", for the page header.
    pub name: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub must_change_password: bool,
    /// Messages this person has not read yet, counted with the lookup (shown on every page).
    pub unread: i64,
    /// The rights counter (`rights_version`): a person's cached holdings stay valid while it stands.
    pub rights: i64,
    /// The account has a confirmed second factor.
    pub second_factor: bool,
    /// The language the person chose for the pages, when they did.
    pub lang: Option<String>,
}

/// The session, when it exists, has not expired, and its account is not blocked.
pub async fn find_live<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
    kind: Kind,
    now: i64,
) -> Result<Option<Live>> {
    let row = sqlx::query(
        "SELECT s.id, s.account_id, a.person_id, a.username, p.given_name || ' ' || p.family_name AS name, s.csrf_token, \
           s.last_seen_at, a.must_change_password, a.lang, \
           (SELECT COUNT(*) FROM message_recipients r WHERE r.person_id = a.person_id AND r.read_at IS NULL) AS unread, \
           (SELECT v FROM rights_version WHERE id = 1) AS rights, \
           (SELECT COUNT(*) FROM second_factors f WHERE f.account_id = a.id AND f.confirmed_at IS NOT NULL) AS second_factor \
         FROM sessions s JOIN accounts a ON a.id = s.account_id JOIN persons p ON p.id = a.person_id \
         WHERE s.id = $1 AND s.kind = $2 AND s.expires_at > $3 AND a.blocked_at IS NULL",
    )
    .bind(id_hash)
    .bind(kind.code())
    .bind(now)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(Live {
            id_hash: r.try_get("id")?,
            account: AccountId(r.try_get("account_id")?),
            person: PersonId(r.try_get("person_id")?),
            username: r.try_get("username")?,
            name: r.try_get("name")?,
            csrf_token: r.try_get("csrf_token")?,
            last_seen_at: r.try_get("last_seen_at")?,
            must_change_password: flag(&r, "must_change_password")?,
            unread: r.try_get("unread")?,
            rights: r.try_get("rights")?,
            second_factor: r.try_get::<i64, _>("second_factor")? > 0,
            lang: r.try_get("lang")?,
        })
    })
    .transpose()
}

/// Records activity and slides the expiry forward.
/// Marks a session used now: it lives on to `expires_at`, but never past `max_secs` after it began.
pub async fn touch<'e>(
    ex: impl Executor<'e, Database = Any>,
    id_hash: &str,
    now: i64,
    expires_at: i64,
    max_secs: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, \
           expires_at = CASE WHEN $2 < created_at + $4 THEN $2 ELSE created_at + $4 END WHERE id = $3",
    )
    .bind(now)
    .bind(expires_at)
    .bind(id_hash)
    .bind(max_secs)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn delete<'e>(ex: impl Executor<'e, Database = Any>, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Ends every session of the account except `keep`; returns how many ended.
pub async fn delete_others<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId, keep: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
        .bind(account.0)
        .bind(keep)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session and token of the account: a new password, a block, an ended right.
pub async fn delete_all<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account.0)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired<'e>(ex: impl Executor<'e, Database = Any>, now: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id_hash: String,
    pub kind: Kind,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub address: String,
}

pub async fn list<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId, now: i64) -> Result<Vec<Listed>> {
    let rows = sqlx::query(
        "SELECT id, kind, created_at, last_seen_at, user_agent, address FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(account.0)
    .bind(now)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                id_hash: r.try_get("id")?,
                kind: {
                    let code: String = r.try_get("kind")?;
                    Kind::from_code(&code)
                        .ok_or_else(|| crate::StoreError::Corrupt(format!("a session's kind: {code}")))?
                },
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                user_agent: r.try_get("user_agent")?,
                address: r.try_get("address")?,
            })
        })
        .collect()
}
