//! Retention (R29): each institution's periods, and the erasures they call for — people's
//! personal data anonymised (the row and its id stay, so journals and archives keep their links),
//! old mail and old access-log entries deleted. Which periods apply is decided by the caller.

use crate::Result;
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, AnyConnection, Executor, Row};

/// The institution's own periods (kind code → years).
pub async fn rules<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT kind, years FROM retention_rules WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("years")?)))
        .collect()
}

pub async fn set_rule<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    kind: &str,
    years: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO retention_rules (institution_id, kind, years) VALUES ($1, $2, $3) \
         ON CONFLICT (institution_id, kind) DO UPDATE SET years = excluded.years",
    )
    .bind(institution.id().0)
    .bind(kind)
    .bind(years)
    .execute(ex)
    .await?;
    Ok(())
}

/// Every membership that has ended: (person, institution, the day it ended), of people not yet
/// anonymised. A person with any membership still open never appears.
pub async fn ended_memberships<'e>(
    ex: impl Executor<'e, Database = Any>,
) -> Result<Vec<(PersonId, InstitutionId, jiff::civil::Date)>> {
    let rows = sqlx::query(
        "SELECT m.person_id, m.institution_id, m.valid_to FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE p.anonymised_at IS NULL AND m.valid_to IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.person_id = m.person_id AND o.valid_to IS NULL)",
    )
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("person_id")?),
                InstitutionId(r.try_get("institution_id")?),
                crate::date(r, "valid_to")?,
            ))
        })
        .collect()
}

/// Erases a person's personal data and account; the row stays, named only "Anonimizēts".
pub async fn anonymise(conn: &mut AnyConnection, person: PersonId, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE persons SET given_name = '—', family_name = 'Anonimizēts', personal_code = NULL, birth_date = NULL, \
           gender = NULL, phone = NULL, email = NULL, anonymised_at = $2 WHERE id = $1",
    )
    .bind(person.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for table in ["person_records", "contact_changes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE person_id = $1"))
            .bind(person.0)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM sessions WHERE account_id IN (SELECT id FROM accounts WHERE person_id = $1)")
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM accounts WHERE person_id = $1")
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM notification_prefs WHERE person_id = $1")
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The institution's messages written before `before` (seconds).
pub async fn old_messages<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    before: i64,
) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM messages WHERE institution_id = $1 AND created_at < $2")
        .bind(institution.0)
        .bind(before)
        .fetch_all(ex)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// Deletes messages with their recipients and attachments, then the files nothing refers to.
pub async fn delete_messages(conn: &mut AnyConnection, institution: Tenant, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(500) {
        // Our own integer ids, not user input.
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let list = list.join(",");
        for sql in [
            format!("DELETE FROM message_recipients WHERE message_id IN ({list})"),
            format!("DELETE FROM message_attachments WHERE message_id IN ({list})"),
            format!("UPDATE messages SET reply_to = NULL WHERE reply_to IN ({list})"),
        ] {
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        sqlx::query(&format!(
            "DELETE FROM messages WHERE institution_id = $1 AND id IN ({list})"
        ))
        .bind(institution.id().0)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "DELETE FROM files WHERE institution_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.file_id = files.id) \
         AND NOT EXISTS (SELECT 1 FROM preschool_photos p WHERE p.file_id = files.id)",
    )
    .bind(institution.id().0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes (or, with `apply` false, counts) the institution's access-log entries before `before`.
pub async fn old_access_log(conn: &mut AnyConnection, institution: Tenant, before: i64, apply: bool) -> Result<u64> {
    if apply {
        let done = sqlx::query("DELETE FROM access_log WHERE institution_id = $1 AND at < $2")
            .bind(institution.id().0)
            .bind(before)
            .execute(&mut *conn)
            .await?;
        return Ok(done.rows_affected());
    }
    let row = sqlx::query("SELECT COUNT(*) AS n FROM access_log WHERE institution_id = $1 AND at < $2")
        .bind(institution.id().0)
        .bind(before)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? as u64)
}
