//! Text messages: each one kept with its delivery status, so a failed delivery is visible and
//! the default gateway's outbox can be read by the operator.

use crate::Result;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub institution_id: Option<InstitutionId>,
    pub person_id: Option<PersonId>,
    pub phone: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    person: Option<PersonId>,
    phone: &str,
    body: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO sms_messages (institution_id, person_id, phone, body, status, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5) RETURNING id",
    )
    .bind(institution.map(|i| i.0))
    .bind(person.map(|p| p.0))
    .bind(phone)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

const COLUMNS: &str = "id, institution_id, person_id, phone, body, status, attempts, last_error, created_at, sent_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        institution_id: r.try_get::<Option<i64>, _>("institution_id")?.map(InstitutionId),
        person_id: r.try_get::<Option<i64>, _>("person_id")?.map(PersonId),
        phone: r.try_get("phone")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<Option<Message>> {
    let sql = format!("SELECT {COLUMNS} FROM sms_messages WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The newest messages, of one institution or (with `None`) of all: the operator's outbox.
pub async fn list<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    limit: i64,
) -> Result<Vec<Message>> {
    let sql =
        format!("SELECT {COLUMNS} FROM sms_messages WHERE ($1 = 0 OR institution_id = $1) ORDER BY id DESC LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(institution.map(|i| i.0).unwrap_or(0))
        .bind(limit)
        .fetch_all(ex)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Records an attempt's outcome. `body` replaces the text (a sent password is not kept).
pub async fn set_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
    status: &str,
    error: Option<&str>,
    body: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE sms_messages SET status = $2, attempts = attempts + 1, last_error = $3, \
           body = COALESCE($4, body), sent_at = CASE WHEN $2 = 'queued' OR $2 = 'failed' THEN sent_at ELSE $5 END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}
