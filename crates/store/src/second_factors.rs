//! Second factors: each account's TOTP secret (hex), whether it was confirmed, the last step a
//! code was taken for; its recovery codes (hashes); and logins waiting for the second factor.

use crate::Result;
use klade_domain::AccountId;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    pub secret: Vec<u8>,
    pub confirmed_at: Option<i64>,
    pub last_step: u64,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId) -> Result<Option<Factor>> {
    let row = sqlx::query("SELECT secret, confirmed_at, last_step FROM second_factors WHERE account_id = $1")
        .bind(account.0)
        .fetch_optional(ex)
        .await?;
    row.map(|r| {
        let secret: String = r.try_get("secret")?;
        Ok(Factor {
            secret: unhex(&secret).ok_or_else(|| crate::StoreError::Corrupt("a second factor's secret".into()))?,
            confirmed_at: r.try_get("confirmed_at")?,
            last_step: u64::try_from(r.try_get::<i64, _>("last_step")?).unwrap_or(0),
        })
    })
    .transpose()
}

/// A new, unconfirmed secret; replaces one not confirmed yet, never a confirmed one.
pub async fn start<'e>(
    ex: impl Executor<'e, Database = Any>,
    account: AccountId,
    secret: &[u8],
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO second_factors (account_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at \
         WHERE second_factors.confirmed_at IS NULL",
    )
    .bind(account.0)
    .bind(hex(secret))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Takes a code's step: true only if it is later than every step taken before (so two requests
/// with one code cannot both pass), confirming the factor if it was not yet.
pub async fn take_step<'e>(
    ex: impl Executor<'e, Database = Any>,
    account: AccountId,
    step: u64,
    now: i64,
) -> Result<bool> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let done = sqlx::query(
        "UPDATE second_factors SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3) \
         WHERE account_id = $1 AND last_step < $2",
    )
    .bind(account.0)
    .bind(step)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the second factor and its recovery codes (a lost phone, with the superuser).
pub async fn remove(conn: &mut sqlx::AnyConnection, account: AccountId) -> Result<()> {
    for table in ["recovery_codes", "second_factors"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(account.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the recovery codes with new ones (their hashes).
pub async fn set_recovery(conn: &mut sqlx::AnyConnection, account: AccountId, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account.0)
        .execute(&mut *conn)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account.0)
            .bind(h)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code: true if it was there and unused.
pub async fn use_recovery<'e>(
    ex: impl Executor<'e, Database = Any>,
    account: AccountId,
    hash: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(account.0)
    .bind(hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_left<'e>(ex: impl Executor<'e, Database = Any>, account: AccountId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL")
        .bind(account.0)
        .fetch_one(ex)
        .await?;
    Ok(row.try_get("n")?)
}

/// A login that waits for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub account: AccountId,
    pub kind: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: i64,
}

pub async fn insert_challenge<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    c: &Challenge,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO login_challenges (token_hash, account_id, kind, user_agent, address, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(c.account.0)
    .bind(&c.kind)
    .bind(&c.user_agent)
    .bind(&c.address)
    .bind(c.created_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The challenge, if it was made after `since`.
pub async fn challenge<'e>(
    ex: impl Executor<'e, Database = Any>,
    token_hash: &str,
    since: i64,
) -> Result<Option<Challenge>> {
    let row = sqlx::query(
        "SELECT account_id, kind, user_agent, address, created_at FROM login_challenges \
         WHERE token_hash = $1 AND created_at > $2",
    )
    .bind(token_hash)
    .bind(since)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(Challenge {
            account: AccountId(r.try_get("account_id")?),
            kind: r.try_get("kind")?,
            user_agent: r.try_get("user_agent")?,
            address: r.try_get("address")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Ends a challenge (met), and forgets every one older than `before`.
pub async fn end_challenge<'e>(ex: impl Executor<'e, Database = Any>, token_hash: &str, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1 OR created_at <= $2")
        .bind(token_hash)
        .bind(before)
        .execute(ex)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_round_trip_through_hex() {
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(super::unhex(&super::hex(&secret)), Some(secret));
        assert_eq!(super::unhex("zz"), None);
    }
}
