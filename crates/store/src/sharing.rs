//! What an adult student shows their parents: per guardianship, whether the parent still sees
//! the diary and grades (`guardianships.withheld_at`), and the record of every choice. Persons and
//! guardianships belong to no one institution, so neither do these rows; who may choose is the
//! use case's to decide (`app::sharing`), never this module's.

use crate::{flag, Result};
use klade_domain::PersonId;
use sqlx::{Any, Executor, Row};

/// A parent of a student, as the student's choice sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Guardian {
    pub parent_id: PersonId,
    pub name: String,
    /// Since when this parent no longer sees the diary and grades; `None` while they do.
    pub withheld_at: Option<i64>,
}

/// The parents of `child`, in the order they were registered.
pub async fn guardians<'e>(ex: impl Executor<'e, Database = Any>, child: PersonId) -> Result<Vec<Guardian>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, g.withheld_at FROM guardianships g \
         JOIN persons p ON p.id = g.parent_id WHERE g.child_id = $1 ORDER BY g.created_at, p.id",
    )
    .bind(child.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Guardian {
                parent_id: PersonId(r.try_get("id")?),
                name: format!(
                    "{} {}",
                    r.try_get::<String, _>("given_name")?,
                    r.try_get::<String, _>("family_name")?
                ),
                withheld_at: r.try_get("withheld_at")?,
            })
        })
        .collect()
}

/// Sets whether `parent` sees `child`'s diary and grades (`withheld_at` `None`: they do) and
/// records the choice. False when `parent` is not `child`'s parent: nothing is written then.
/// Run it in a transaction: the state and its record change together.
pub async fn choose(
    tx: &mut sqlx::Transaction<'_, Any>,
    child: PersonId,
    parent: PersonId,
    withheld_at: Option<i64>,
    at: i64,
) -> Result<bool> {
    let changed = sqlx::query("UPDATE guardianships SET withheld_at = $3 WHERE child_id = $1 AND parent_id = $2")
        .bind(child.0)
        .bind(parent.0)
        .bind(withheld_at)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO sharing_choices (child_id, parent_id, shared, at) VALUES ($1, $2, $3, $4)")
        .bind(child.0)
        .bind(parent.0)
        .bind(withheld_at.is_none())
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// One choice an adult student made about one parent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    pub child_id: PersonId,
    pub child: String,
    pub parent_id: PersonId,
    pub parent: String,
    pub shared: bool,
    pub at: i64,
}

/// The choices made by `person` as a student or about them as a parent, newest first (the last
/// hundred).
pub async fn choices<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Vec<Choice>> {
    let rows = sqlx::query(
        "SELECT s.child_id, c.given_name AS cg, c.family_name AS cf, s.parent_id, p.given_name AS pg, \
           p.family_name AS pf, s.shared, s.at FROM sharing_choices s \
           JOIN persons c ON c.id = s.child_id JOIN persons p ON p.id = s.parent_id \
         WHERE s.child_id = $1 OR s.parent_id = $1 ORDER BY s.id DESC LIMIT 100",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Choice {
                child_id: PersonId(r.try_get("child_id")?),
                child: format!("{} {}", r.try_get::<String, _>("cg")?, r.try_get::<String, _>("cf")?),
                parent_id: PersonId(r.try_get("parent_id")?),
                parent: format!("{} {}", r.try_get::<String, _>("pg")?, r.try_get::<String, _>("pf")?),
                shared: flag(r, "shared")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// The children who no longer show `parent` their diary and grades: (child, name, since).
pub async fn withheld_from<'e>(
    ex: impl Executor<'e, Database = Any>,
    parent: PersonId,
) -> Result<Vec<(PersonId, String, i64)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, g.withheld_at FROM guardianships g \
         JOIN persons p ON p.id = g.child_id WHERE g.parent_id = $1 AND g.withheld_at IS NOT NULL ORDER BY p.id",
    )
    .bind(parent.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                PersonId(r.try_get("id")?),
                format!(
                    "{} {}",
                    r.try_get::<String, _>("given_name")?,
                    r.try_get::<String, _>("family_name")?
                ),
                r.try_get("withheld_at")?,
            ))
        })
        .collect()
}
