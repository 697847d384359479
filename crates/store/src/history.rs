//! The journal's history: every change to a journal value, hash-chained per institution.
//!
//! Each row's hash covers the previous row's hash and every field of the row, so editing,
//! deleting or inserting a history row breaks the chain at that point. Editing a journal value
//! itself (a grade, a mark) leaves a value the history does not explain. [`verify`] finds both.

use crate::{Backend, Result};
use jiff::civil::Date;
use klade_domain::journal_item::Item;
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::HashMap;

/// One change to append.
#[derive(Debug, Clone)]
pub struct Change {
    pub item: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub reason: Option<String>,
    pub person: PersonId,
    pub at: i64,
}

/// The hash of a history row: SHA-256 over the previous hash and the row's fields.
#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub fn link(
    prev: &str,
    institution: i64,
    seq: i64,
    item: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: Option<&str>,
    person: i64,
    at: i64,
) -> String {
    let mut h = Sha256::new();
    let opt = |v: Option<&str>| match v {
        Some(s) => format!("+{s}"),
        None => "-".to_string(),
    };
    for part in [
        prev.to_string(),
        institution.to_string(),
        seq.to_string(),
        item.to_string(),
        opt(old),
        opt(new),
        opt(reason),
        person.to_string(),
        at.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends changes to the institution's chain. Call inside the transaction that writes the values:
/// the chain's head is locked until it commits, so two writers cannot fork it.
pub async fn append(conn: &mut AnyConnection, backend: Backend, institution: Tenant, changes: &[Change]) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO journal_heads (institution_id, seq, hash) VALUES ($1, 0, '') ON CONFLICT (institution_id) DO NOTHING",
    )
    .bind(institution.id().0)
    .execute(&mut *conn)
    .await?;
    let lock = match backend {
        // SQLite's write transactions are already exclusive (BEGIN IMMEDIATE).
        Backend::Sqlite => "SELECT seq, hash FROM journal_heads WHERE institution_id = $1",
        Backend::Postgres => "SELECT seq, hash FROM journal_heads WHERE institution_id = $1 FOR UPDATE",
    };
    let head = sqlx::query(lock).bind(institution.id().0).fetch_one(&mut *conn).await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut hash: String = head.try_get("hash")?;
    for c in changes {
        seq += 1;
        hash = link(
            &hash,
            institution.id().0,
            seq,
            &c.item,
            c.old.as_deref(),
            c.new.as_deref(),
            c.reason.as_deref(),
            c.person.0,
            c.at,
        );
        sqlx::query(
            "INSERT INTO journal_history (institution_id, seq, item, old_value, new_value, reason, person_id, at, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(institution.id().0)
        .bind(seq)
        .bind(&c.item)
        .bind(&c.old)
        .bind(&c.new)
        .bind(&c.reason)
        .bind(c.person.0)
        .bind(c.at)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE journal_heads SET seq = $2, hash = $3 WHERE institution_id = $1")
        .bind(institution.id().0)
        .bind(seq)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A change as the history page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub seq: i64,
    pub item: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub person: String,
    pub at: i64,
}

const ENTRY_COLUMNS: &str = "h.seq, h.item, h.old_value, h.new_value, h.reason, h.at, \
     p.given_name || ' ' || p.family_name AS person FROM journal_history h JOIN persons p ON p.id = h.person_id";

/// The changes of the item `prefix` and of the items under it (`prefix:…`), oldest first.
pub async fn entries<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    prefix: &str,
) -> Result<Vec<Entry>> {
    // The items under the prefix as a range of the index (`:` to `;`, the next character), not
    // LIKE, which neither backend can look up in an index here: a large school's whole history.
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} WHERE h.institution_id = $1 AND (h.item = $2 OR (h.item > $3 AND h.item < $4)) \
         ORDER BY h.seq"
    );
    let rows = sqlx::query(&sql)
        .bind(institution.0)
        .bind(prefix)
        .bind(format!("{prefix}:"))
        .bind(format!("{prefix};"))
        .fetch_all(ex)
        .await?;
    to_entries(&rows)
}

/// The changes of exactly these items, oldest first, in one statement.
pub async fn entries_of<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    items: &[String],
) -> Result<Vec<Entry>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} WHERE h.institution_id = $1 AND h.item IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(institution.0);
    for item in items {
        q = q.bind(item);
    }
    // Sorted here: asked to sort, SQLite walks the institution's history in order instead of
    // looking the few items up.
    let mut entries = to_entries(&q.fetch_all(ex).await?)?;
    entries.sort_by_key(|e| e.seq);
    Ok(entries)
}

fn to_entries(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Entry>> {
    rows.iter()
        .map(|r| {
            Ok(Entry {
                seq: r.try_get("seq")?,
                item: r.try_get("item")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
                reason: r.try_get("reason")?,
                person: r.try_get("person")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// The last recorded value of each of `items` (absent when never recorded).
pub async fn last_values<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    items: &[String],
) -> Result<HashMap<String, (Option<String>, i64)>> {
    if items.is_empty() {
        return Ok(HashMap::new());
    }
    // Item keys are made by the application from integer ids; placeholders keep them parameters.
    let placeholders: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT h.item, h.new_value, h.at FROM journal_history h WHERE h.institution_id = $1 AND h.seq = \
           (SELECT MAX(x.seq) FROM journal_history x WHERE x.institution_id = h.institution_id AND x.item = h.item) \
           AND h.item IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(institution.0);
    for item in items {
        q = q.bind(item);
    }
    let rows = q.fetch_all(ex).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("item")?, (r.try_get("new_value")?, r.try_get("at")?))))
        .collect()
}

/// What `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Problem {
    /// The chain breaks at this row: it, or one before it, was changed, added or removed.
    BrokenLink { seq: i64 },
    /// The head does not point at the last row.
    Head,
    /// A journal value differs from what its history says it should be.
    Value {
        item: String,
        recorded: Option<String>,
        found: Option<String>,
    },
}

/// Checks an institution's chain and that every journal value is the one its history explains.
pub async fn verify(db: &crate::Db, institution: InstitutionId) -> Result<Vec<Problem>> {
    let pool = db.pool();
    let rows = sqlx::query(
        "SELECT seq, item, old_value, new_value, reason, person_id, at, hash FROM journal_history \
         WHERE institution_id = $1 ORDER BY seq",
    )
    .bind(institution.0)
    .fetch_all(pool)
    .await?;
    let mut problems = Vec::new();
    let mut prev = String::new();
    let mut expected_seq = 0;
    let mut recorded: HashMap<String, Option<String>> = HashMap::new();
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        let item: String = r.try_get("item")?;
        let old: Option<String> = r.try_get("old_value")?;
        let new: Option<String> = r.try_get("new_value")?;
        let reason: Option<String> = r.try_get("reason")?;
        let person: i64 = r.try_get("person_id")?;
        let at: i64 = r.try_get("at")?;
        let hash: String = r.try_get("hash")?;
        expected_seq += 1;
        let computed = link(
            &prev,
            institution.0,
            seq,
            &item,
            old.as_deref(),
            new.as_deref(),
            reason.as_deref(),
            person,
            at,
        );
        if problems.is_empty() && (seq != expected_seq || computed != hash) {
            problems.push(Problem::BrokenLink { seq });
        }
        prev = hash;
        recorded.insert(item, new);
    }
    if problems.is_empty() {
        let head = sqlx::query("SELECT seq, hash FROM journal_heads WHERE institution_id = $1")
            .bind(institution.0)
            .fetch_optional(pool)
            .await?;
        let ok = match head {
            Some(h) => h.try_get::<i64, _>("seq")? == expected_seq && h.try_get::<String, _>("hash")? == prev,
            None => rows.is_empty(),
        };
        if !ok {
            problems.push(Problem::Head);
        }
    }
    let current = current_values(db, institution).await?;
    let mut items: Vec<&String> = current.keys().chain(recorded.keys()).collect();
    items.sort();
    items.dedup();
    for item in items {
        let found = current.get(item).cloned();
        let rec = recorded.get(item).cloned().flatten();
        if found != rec {
            problems.push(Problem::Value {
                item: item.clone(),
                recorded: rec,
                found,
            });
        }
    }
    Ok(problems)
}

/// Every journal value of the institution, keyed as the history keys it.
async fn current_values(db: &crate::Db, institution: InstitutionId) -> Result<HashMap<String, String>> {
    use crate::journal::Note;
    use klade_domain::CourseId;
    let pool = db.pool();
    let mut out = HashMap::new();
    let i = institution.0;
    for r in sqlx::query(
        "SELECT id, course_id, date, lesson_no, topic, content, homework, homework_due FROM lessons WHERE institution_id = $1",
    )
    .bind(i)
    .fetch_all(pool)
    .await?
    {
        let l = crate::journal::lesson_from_row(&r)?;
        out.insert(format!("lesson:{}", l.id), l.history_value());
    }
    for r in sqlx::query("SELECT lesson_id, student_id, code, minutes FROM attendance WHERE institution_id = $1")
        .bind(i)
        .fetch_all(pool)
        .await?
    {
        let code: String = r.try_get("code")?;
        let minutes: Option<i64> = r.try_get("minutes")?;
        let value = minutes.map(|m| format!("{code}{m}")).unwrap_or(code);
        out.insert(
            format!(
                "attendance:{}:{}",
                r.try_get::<i64, _>("lesson_id")?,
                r.try_get::<i64, _>("student_id")?
            ),
            value,
        );
    }
    for r in sqlx::query(
        "SELECT id, course_id, kind, scale, date, title, handed_in_on FROM assessments WHERE institution_id = $1",
    )
    .bind(i)
    .fetch_all(pool)
    .await?
    {
        let a = crate::journal::assessment_from_row(&r)?;
        out.insert(format!("assessment:{}", a.id), a.history_value());
    }
    for r in sqlx::query("SELECT assessment_id, student_id, mark FROM grades WHERE institution_id = $1")
        .bind(i)
        .fetch_all(pool)
        .await?
    {
        out.insert(
            format!(
                "grade:{}:{}",
                r.try_get::<i64, _>("assessment_id")?,
                r.try_get::<i64, _>("student_id")?
            ),
            r.try_get("mark")?,
        );
    }
    for r in sqlx::query("SELECT id, course_id, student_id, date, kind, text FROM notes WHERE institution_id = $1")
        .bind(i)
        .fetch_all(pool)
        .await?
    {
        let n = Note {
            id: r.try_get("id")?,
            course_id: r.try_get::<Option<i64>, _>("course_id")?.map(CourseId),
            student_id: PersonId(r.try_get("student_id")?),
            date: crate::date(&r, "date")?,
            kind: r.try_get("kind")?,
            text: r.try_get("text")?,
            author: String::new(),
        };
        out.insert(Item::Note(n.id).to_string(), n.history_value());
    }
    for e in crate::families::excuses(pool, institution, &[], Date::MIN, Date::MAX).await? {
        out.insert(Item::Excuse(e.id).to_string(), e.history_value());
    }
    crate::preschool::current_values(pool, institution, &mut out).await?;
    out.extend(crate::preschool_plans::history_values(pool, institution).await?);
    out.extend(crate::journal_checks::history_values(pool, institution).await?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_covers_every_field() {
        let base = link("", 1, 1, "grade:1:2", None, Some("7"), None, 5, 100);
        assert_eq!(base.len(), 64);
        assert_ne!(base, link("x", 1, 1, "grade:1:2", None, Some("7"), None, 5, 100));
        assert_ne!(base, link("", 1, 1, "grade:1:2", Some(""), Some("7"), None, 5, 100));
        assert_ne!(base, link("", 1, 1, "grade:1:2", None, Some("8"), None, 5, 100));
        assert_ne!(
            base,
            link("", 1, 1, "grade:1:2", None, Some("7"), Some("kļūda"), 5, 100)
        );
        assert_ne!(base, link("", 1, 1, "grade:1:2", None, Some("7"), None, 6, 100));
        assert_ne!(base, link("", 1, 2, "grade:1:2", None, Some("7"), None, 5, 100));
    }
}
