//! Who looked at or changed whose personal data, and when (R29, J15, J33). Written by the use
//! cases that show or change a personal record; read by the superuser and by each person about
//! themselves.

use crate::Result;
use klade_domain::{InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

pub async fn record<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    actor: PersonId,
    subject: PersonId,
    action: &str,
    detail: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_log (institution_id, actor_id, subject_id, action, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(institution.map(|i| i.0))
    .bind(actor.0)
    .bind(subject.0)
    .bind(action)
    .bind(detail)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub at: i64,
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub detail: String,
}

/// Entries about one person (`subject`), or of an institution matching a name (`search`), newest first.
pub async fn search<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Option<InstitutionId>,
    subject: Option<PersonId>,
    search: &str,
    limit: i64,
) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT l.at, a.given_name || ' ' || a.family_name AS actor, s.given_name || ' ' || s.family_name AS subject, \
           l.action, l.detail FROM access_log l JOIN persons a ON a.id = l.actor_id JOIN persons s ON s.id = l.subject_id \
         WHERE ($1 = 0 OR l.institution_id = $1) AND ($2 = 0 OR l.subject_id = $2) \
           AND ($3 = '' OR LOWER(a.given_name || ' ' || a.family_name) LIKE $4 OR LOWER(s.given_name || ' ' || s.family_name) LIKE $4) \
         ORDER BY l.id DESC LIMIT $5",
    )
    .bind(institution.map(|i| i.0).unwrap_or(0))
    .bind(subject.map(|s| s.0).unwrap_or(0))
    .bind(search)
    .bind(format!("%{}%", search.to_lowercase()))
    .bind(limit)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                subject: r.try_get("subject")?,
                action: r.try_get("action")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}
