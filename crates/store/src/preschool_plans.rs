//! The preschool's monthly plans (J24, J25) and talks with parents (J28).
//!
//! Storage only: which fields a plan has, who may read or write, and when a plan is late are the
//! app's and the policy's. Every query names the institution.

use crate::{flag, Result};
use jiff::civil::Date;
use klade_domain::journal_item::Item;
use klade_domain::Tenant;
use klade_domain::{ClassId, InstitutionId, PersonId};
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::{BTreeMap, HashMap};

/// A group's plan for one month, with its filled fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub id: i64,
    pub class_id: ClassId,
    pub month: String,
    pub late: bool,
    pub created_by: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
    /// field → text; an empty field is absent.
    pub fields: BTreeMap<String, String>,
}

/// The plan of `class` for `month` (`YYYY-MM`), if one was filed.
pub async fn plan<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    month: &str,
) -> Result<Option<Plan>> {
    // One query: the plan's row repeated for each of its fields (or once, with no field).
    let rows = sqlx::query(
        "SELECT p.id, p.class_id, p.month, p.late, p.created_at, p.updated_at, \
           c.given_name || ' ' || c.family_name AS created_by, u.given_name || ' ' || u.family_name AS updated_by, \
           f.field, f.value \
         FROM preschool_plans p JOIN persons c ON c.id = p.created_by JOIN persons u ON u.id = p.updated_by \
         LEFT JOIN preschool_plan_fields f ON f.plan_id = p.id AND f.institution_id = p.institution_id \
         WHERE p.institution_id = $1 AND p.class_id = $2 AND p.month = $3",
    )
    .bind(institution.0)
    .bind(class.0)
    .bind(month)
    .fetch_all(ex)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut plan = Plan {
        id: first.try_get("id")?,
        class_id: ClassId(first.try_get("class_id")?),
        month: first.try_get("month")?,
        late: flag(first, "late")?,
        created_by: first.try_get("created_by")?,
        created_at: first.try_get("created_at")?,
        updated_by: first.try_get("updated_by")?,
        updated_at: first.try_get("updated_at")?,
        fields: BTreeMap::new(),
    };
    for r in &rows {
        let field: Option<String> = r.try_get("field")?;
        let value: Option<String> = r.try_get("value")?;
        if let (Some(f), Some(v)) = (field, value) {
            plan.fields.insert(f, v);
        }
    }
    Ok(Some(plan))
}

/// The plan's id, creating the row if the month has none yet; `late` is only written then. The
/// second value says whether it was created now.
pub async fn ensure_plan(
    conn: &mut AnyConnection,
    institution: Tenant,
    class: ClassId,
    month: &str,
    late: bool,
    by: PersonId,
    now: i64,
) -> Result<(i64, bool)> {
    // ON CONFLICT keeps two first saves of the same month from failing one of them.
    let created = sqlx::query(
        "INSERT INTO preschool_plans (institution_id, class_id, month, late, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5, $6) ON CONFLICT (institution_id, class_id, month) DO NOTHING RETURNING id",
    )
    .bind(institution.id().0)
    .bind(class.0)
    .bind(month)
    .bind(late)
    .bind(by.0)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = created {
        return Ok((r.try_get("id")?, true));
    }
    let row = sqlx::query("SELECT id FROM preschool_plans WHERE institution_id = $1 AND class_id = $2 AND month = $3")
        .bind(institution.id().0)
        .bind(class.0)
        .bind(month)
        .fetch_one(&mut *conn)
        .await?;
    Ok((row.try_get("id")?, false))
}

/// Writes one field of a plan; `None` removes it.
pub async fn set_field(
    conn: &mut AnyConnection,
    institution: Tenant,
    plan: i64,
    field: &str,
    value: Option<&str>,
) -> Result<()> {
    match value {
        None => {
            sqlx::query("DELETE FROM preschool_plan_fields WHERE institution_id = $1 AND plan_id = $2 AND field = $3")
                .bind(institution.id().0)
                .bind(plan)
                .bind(field)
                .execute(&mut *conn)
                .await?;
        }
        Some(v) => {
            sqlx::query(
                "INSERT INTO preschool_plan_fields (plan_id, institution_id, field, value) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (plan_id, field) DO UPDATE SET value = excluded.value",
            )
            .bind(plan)
            .bind(institution.id().0)
            .bind(field)
            .bind(v)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Records who changed the plan last, and when.
pub async fn touch(conn: &mut AnyConnection, institution: Tenant, plan: i64, by: PersonId, now: i64) -> Result<()> {
    sqlx::query("UPDATE preschool_plans SET updated_by = $3, updated_at = $4 WHERE institution_id = $1 AND id = $2")
        .bind(institution.id().0)
        .bind(plan)
        .bind(by.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The plans filed for any of `months`: (group, month, late, first filed at).
pub async fn filed<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    months: &[String],
) -> Result<Vec<(ClassId, String, bool, i64)>> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..months.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT class_id, month, late, created_at FROM preschool_plans WHERE institution_id = $1 AND month IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(institution.0);
    for m in months {
        q = q.bind(m);
    }
    let rows = q.fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok((
                ClassId(r.try_get("class_id")?),
                r.try_get("month")?,
                flag(r, "late")?,
                r.try_get("created_at")?,
            ))
        })
        .collect()
}

/// An individual conversation with a child's parents (J28).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Talk {
    pub id: i64,
    pub student_id: PersonId,
    pub student: String,
    pub held_on: Date,
    pub participants: String,
    pub topic: String,
    pub content: String,
    pub shared: bool,
    pub author: String,
    pub created_at: i64,
}

/// What a new talk holds.
pub struct NewTalk<'a> {
    pub class: ClassId,
    pub student: PersonId,
    pub held_on: Date,
    pub participants: &'a str,
    pub topic: &'a str,
    pub content: &'a str,
    pub shared: bool,
}

pub async fn insert_talk<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    t: &NewTalk<'_>,
    by: PersonId,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO parent_talks (institution_id, class_id, student_id, held_on, participants, topic, content, shared, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(t.class.0)
    .bind(t.student.0)
    .bind(t.held_on.to_string())
    .bind(t.participants)
    .bind(t.topic)
    .bind(t.content)
    .bind(t.shared)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// A group's talks, newest first; with `only_shared_about`, only the shared talks about those
/// children (what their parents see).
pub async fn talks<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    only_shared_about: Option<&[PersonId]>,
) -> Result<Vec<Talk>> {
    let filter = match only_shared_about {
        None => String::new(),
        Some([]) => return Ok(Vec::new()),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(|s| s.0.to_string()).collect();
            // Integer ids of our own rows.
            format!(" AND t.shared = $3 AND t.student_id IN ({})", ids.join(","))
        }
    };
    let sql = format!(
        "SELECT t.id, t.student_id, s.given_name || ' ' || s.family_name AS student, t.held_on, t.participants, t.topic, \
           t.content, t.shared, a.given_name || ' ' || a.family_name AS author, t.created_at \
         FROM parent_talks t JOIN persons s ON s.id = t.student_id JOIN persons a ON a.id = t.created_by \
         WHERE t.institution_id = $1 AND t.class_id = $2{filter} ORDER BY t.held_on DESC, t.id DESC"
    );
    let mut q = sqlx::query(&sql).bind(institution.0).bind(class.0);
    if only_shared_about.is_some() {
        q = q.bind(true);
    }
    let rows = q.fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(Talk {
                id: r.try_get("id")?,
                student_id: PersonId(r.try_get("student_id")?),
                student: r.try_get("student")?,
                held_on: crate::date(r, "held_on")?,
                participants: r.try_get("participants")?,
                topic: r.try_get("topic")?,
                content: r.try_get("content")?,
                shared: flag(r, "shared")?,
                author: r.try_get("author")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The current values this module records in the journal's history, keyed as the history keys
/// them (`plan:<plan>:<field>`), for `history::verify`.
pub async fn history_values(pool: &sqlx::AnyPool, institution: InstitutionId) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for r in sqlx::query("SELECT plan_id, field, value FROM preschool_plan_fields WHERE institution_id = $1")
        .bind(institution.0)
        .fetch_all(pool)
        .await?
    {
        let plan: i64 = r.try_get("plan_id")?;
        let field: String = r.try_get("field")?;
        out.insert(Item::PlanField(plan, field).to_string(), r.try_get("value")?);
    }
    Ok(out)
}
