//! What parents asked to be told, and the e-mail outbox. The fan-out from an event to messages
//! runs in the worker, so a teacher's save only writes one job.

use crate::{flag, Result};
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, AnyConnection, Executor, Row};

pub const EVENTS: [&str; 4] = ["grade", "absence", "remark", "message"];
pub const CHANNELS: [&str; 3] = ["email", "sms", "push"];

pub async fn prefs<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT event, channel FROM notification_prefs WHERE person_id = $1")
        .bind(person.0)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("event")?, r.try_get("channel")?)))
        .collect()
}

/// Replaces a person's choices with `chosen` (event, channel) pairs.
pub async fn set_prefs(conn: &mut AnyConnection, person: PersonId, chosen: &[(&str, &str)]) -> Result<()> {
    sqlx::query("DELETE FROM notification_prefs WHERE person_id = $1")
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    for (event, channel) in chosen {
        sqlx::query("INSERT INTO notification_prefs (person_id, event, channel) VALUES ($1, $2, $3)")
            .bind(person.0)
            .bind(*event)
            .bind(*channel)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A parent to tell about an event of their child: who, how to reach them, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub person: PersonId,
    pub channel: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The parents of `student` who asked to be told of `event`, each with the channels they chose —
/// not those an adult student withholds their diary from.
pub async fn recipients<'e>(
    ex: impl Executor<'e, Database = Any>,
    student: PersonId,
    event: &str,
) -> Result<Vec<Recipient>> {
    let rows = sqlx::query(
        "SELECT p.id, n.channel, p.phone, p.email FROM guardianships g JOIN persons p ON p.id = g.parent_id \
         JOIN notification_prefs n ON n.person_id = p.id WHERE g.child_id = $1 AND g.withheld_at IS NULL AND n.event = $2 ORDER BY p.id, n.channel",
    )
    .bind(student.0)
    .bind(event)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                person: PersonId(r.try_get("id")?),
                channel: r.try_get("channel")?,
                phone: r.try_get("phone")?,
                email: r.try_get("email")?,
            })
        })
        .collect()
}

/// The recipients of a message who asked to be told of new messages, with their channels.
pub async fn message_recipients<'e>(ex: impl Executor<'e, Database = Any>, message: i64) -> Result<Vec<Recipient>> {
    let rows = sqlx::query(
        "SELECT p.id, n.channel, p.phone, p.email FROM message_recipients r JOIN persons p ON p.id = r.person_id \
         JOIN notification_prefs n ON n.person_id = p.id WHERE r.message_id = $1 AND n.event = 'message' ORDER BY p.id, n.channel",
    )
    .bind(message)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Recipient {
                person: PersonId(r.try_get("id")?),
                channel: r.try_get("channel")?,
                phone: r.try_get("phone")?,
                email: r.try_get("email")?,
            })
        })
        .collect()
}

/// A message's sender ("Given Family") and subject.
pub async fn message_summary<'e>(
    ex: impl Executor<'e, Database = Any>,
    message: i64,
) -> Result<Option<(String, String)>> {
    let row = sqlx::query(
        "SELECT p.given_name || ' ' || p.family_name AS sender, m.subject FROM messages m \
         JOIN persons p ON p.id = m.sender_id WHERE m.id = $1",
    )
    .bind(message)
    .fetch_optional(ex)
    .await?;
    row.map(|r| Ok((r.try_get("sender")?, r.try_get("subject")?)))
        .transpose()
}

pub async fn sms_allowed<'e>(ex: impl Executor<'e, Database = Any>, institution: InstitutionId) -> Result<bool> {
    let row = sqlx::query("SELECT sms_notifications FROM institutions WHERE id = $1")
        .bind(institution.0)
        .fetch_one(ex)
        .await?;
    flag(&row, "sms_notifications")
}

pub async fn set_sms_allowed<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    allowed: bool,
) -> Result<()> {
    sqlx::query("UPDATE institutions SET sms_notifications = $2 WHERE id = $1")
        .bind(institution.id().0)
        .bind(allowed)
        .execute(ex)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Email {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub created_at: i64,
}

/// Records an e-mail: `queued` for the SMTP worker, or `kept` in the outbox when there is none.
#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert_email<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: Option<PersonId>,
    to: &str,
    subject: &str,
    body: &str,
    status: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO emails (institution_id, person_id, to_addr, subject, body, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(person.map(|p| p.0))
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(status)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn email<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<Option<Email>> {
    let row = sqlx::query("SELECT id, to_addr, subject, body, status, created_at FROM emails WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await?;
    row.map(|r| {
        Ok(Email {
            id: r.try_get("id")?,
            to_addr: r.try_get("to_addr")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

pub async fn set_email_status<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: i64,
    status: &str,
    error: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE emails SET status = $2, attempts = attempts + 1, last_error = $3, \
           sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn emails<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    limit: i64,
) -> Result<Vec<Email>> {
    let rows = sqlx::query(
        "SELECT id, to_addr, subject, body, status, created_at FROM emails WHERE institution_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(institution.0)
    .bind(limit)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Email {
                id: r.try_get("id")?,
                to_addr: r.try_get("to_addr")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}
