//! Web Push: the install's VAPID key pair and the browsers people subscribed. Whether an endpoint
//! may be subscribed, and what is sent, is decided elsewhere (`app::push`, `klade-notify`).

use crate::Result;
use klade_domain::PersonId;
use sqlx::{Any, Executor, Row};

/// The key pair (base64url: the 32-byte private scalar, the 65-byte uncompressed public point),
/// when one was made.
pub async fn keys<'e>(ex: impl Executor<'e, Database = Any>) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT private_key, public_key FROM push_keys WHERE id = 1")
        .fetch_optional(ex)
        .await?;
    row.map(|r| Ok((r.try_get("private_key")?, r.try_get("public_key")?)))
        .transpose()
}

/// Keeps a key pair unless one is kept already (another server made it first): the one kept wins.
pub async fn keep_keys<'e>(ex: impl Executor<'e, Database = Any>, private: &str, public: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO push_keys (id, private_key, public_key, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(private)
    .bind(public)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// A browser a person subscribed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subscription {
    pub id: i64,
    pub person_id: PersonId,
    pub endpoint: String,
    #[serde(skip)]
    pub p256dh: String,
    #[serde(skip)]
    pub auth: String,
    pub created_at: i64,
    pub last_sent_at: Option<i64>,
}

const COLUMNS: &str = "id, person_id, endpoint, p256dh, auth, created_at, last_sent_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Subscription> {
    Ok(Subscription {
        id: r.try_get("id")?,
        person_id: PersonId(r.try_get("person_id")?),
        endpoint: r.try_get("endpoint")?,
        p256dh: r.try_get("p256dh")?,
        auth: r.try_get("auth")?,
        created_at: r.try_get("created_at")?,
        last_sent_at: r.try_get("last_sent_at")?,
    })
}

/// Subscribes `person`'s browser; an endpoint subscribed before (the same browser, perhaps
/// another person signed in on it) is theirs now, with the keys it gave this time.
pub async fn subscribe<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO push_subscriptions (person_id, endpoint, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (endpoint) DO UPDATE SET person_id = excluded.person_id, p256dh = excluded.p256dh, \
           auth = excluded.auth, created_at = excluded.created_at",
    )
    .bind(person.0)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// `person`'s subscribed browsers, oldest first.
pub async fn of_person<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Vec<Subscription>> {
    let sql = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE person_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(person.0).fetch_all(ex).await?;
    rows.iter().map(from_row).collect()
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<Option<Subscription>> {
    let sql = format!("SELECT {COLUMNS} FROM push_subscriptions WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(ex).await?;
    row.as_ref().map(from_row).transpose()
}

/// Removes one of `person`'s subscriptions; false when they have no such one.
pub async fn remove<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND person_id = $2")
        .bind(id)
        .bind(person.0)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets a subscription the push service says is gone.
pub async fn forget<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn sent<'e>(ex: impl Executor<'e, Database = Any>, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE push_subscriptions SET last_sent_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}
