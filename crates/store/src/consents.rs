//! Consents and surveys: what was asked of which classes' families, and every answer given, each
//! a row with who and when (the latest per student stands). Who may ask, see or answer is the use
//! case's to decide (`app::consents`), never this module's; every query names its institution.

use crate::{flag, Result};
use jiff::civil::Date;
use klade_domain::consents::Kind;
use klade_domain::{ClassId, InstitutionId, PersonId, Tenant};
use sqlx::{Any, Executor, Row};

/// A question put to families.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consent {
    pub id: i64,
    pub institution_id: InstitutionId,
    pub author_id: PersonId,
    pub author: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub choices: Vec<String>,
    /// Answers are taken through this day.
    pub answer_by: Date,
    pub created_at: i64,
    /// The classes asked, by name, joined with commas.
    pub classes: String,
}

pub struct NewConsent<'a> {
    pub author: PersonId,
    pub kind: Kind,
    pub title: &'a str,
    pub body: &'a str,
    pub choices: &'a [String],
    pub answer_by: Date,
    pub classes: &'a [ClassId],
}

pub async fn insert(tx: &mut crate::Tx, tenant: Tenant, c: &NewConsent<'_>, now: i64) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO consents (institution_id, author_id, kind, title, body, choices, answer_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant.id().0)
    .bind(c.author.0)
    .bind(c.kind.code())
    .bind(c.title)
    .bind(c.body)
    .bind(c.choices.join("\n"))
    .bind(c.answer_by.to_string())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for class in c.classes {
        sqlx::query("INSERT INTO consent_classes (consent_id, institution_id, class_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(tenant.id().0)
            .bind(class.0)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

const COLUMNS: &str = "c.id, c.institution_id, c.author_id, p.given_name, p.family_name, c.kind, c.title, c.body, \
    c.choices, c.answer_by, c.created_at";

fn consent(r: &sqlx::any::AnyRow, classes: String) -> Result<Consent> {
    let kind: String = r.try_get("kind")?;
    let choices: String = r.try_get("choices")?;
    Ok(Consent {
        id: r.try_get("id")?,
        institution_id: InstitutionId(r.try_get("institution_id")?),
        author_id: PersonId(r.try_get("author_id")?),
        author: format!(
            "{} {}",
            r.try_get::<String, _>("given_name")?,
            r.try_get::<String, _>("family_name")?
        ),
        kind: Kind::from_code(&kind).ok_or_else(|| crate::StoreError::Corrupt(format!("consent kind {kind}")))?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        choices: choices.lines().map(str::to_string).filter(|c| !c.is_empty()).collect(),
        answer_by: crate::date(r, "answer_by")?,
        created_at: r.try_get("created_at")?,
        classes,
    })
}

/// The classes each of these consents asked, as (consent, class, class name), in name order.
pub async fn classes<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    consents: &[i64],
) -> Result<Vec<(i64, ClassId, String)>> {
    if consents.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers we hold, not user input, so inlining them keeps this one query.
    let ids: Vec<String> = consents.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT cc.consent_id, cc.class_id, k.name FROM consent_classes cc \
         JOIN classes k ON k.id = cc.class_id AND k.institution_id = cc.institution_id \
         WHERE cc.institution_id = $1 AND cc.consent_id IN ({}) ORDER BY k.name",
        ids.join(",")
    );
    let rows = sqlx::query(&sql).bind(institution.0).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("consent_id")?,
                ClassId(r.try_get("class_id")?),
                r.try_get("name")?,
            ))
        })
        .collect()
}

/// The institution a consent belongs to, to ask the policy about it.
pub async fn institution_of<'e>(ex: impl Executor<'e, Database = Any>, id: i64) -> Result<Option<InstitutionId>> {
    let row = sqlx::query("SELECT institution_id FROM consents WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await?;
    Ok(row
        .map(|r| r.try_get("institution_id").map(InstitutionId))
        .transpose()?)
}

/// The consents of `institution` whose date is `since` or later, newest first, that `person`
/// asked or that asked one of `classes` (every one with `classes` `None`). Their class names are
/// left empty: `classes` reads them.
pub async fn listed<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    person: PersonId,
    classes: Option<&[ClassId]>,
    since: Date,
) -> Result<Vec<Consent>> {
    let filter = match classes {
        None => String::new(),
        Some(list) => {
            let ids: Vec<String> = list.iter().map(|c| c.0.to_string()).collect();
            let asked = if ids.is_empty() {
                String::new()
            } else {
                format!(
                    " OR EXISTS (SELECT 1 FROM consent_classes cc WHERE cc.consent_id = c.id AND cc.institution_id = c.institution_id \
                     AND cc.class_id IN ({}))",
                    ids.join(",")
                )
            };
            format!(" AND (c.author_id = $3{asked})")
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM consents c JOIN persons p ON p.id = c.author_id \
         WHERE c.institution_id = $1 AND c.answer_by >= $2{filter} ORDER BY c.id DESC LIMIT 200"
    );
    let mut q = sqlx::query(&sql).bind(institution.0).bind(since.to_string());
    if classes.is_some() {
        q = q.bind(person.0);
    }
    let rows = q.fetch_all(ex).await?;
    rows.iter().map(|r| consent(r, String::new())).collect()
}

/// One consent of `institution`, with its classes' names.
pub async fn get(db: &crate::Db, institution: InstitutionId, id: i64) -> Result<Option<Consent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM consents c JOIN persons p ON p.id = c.author_id WHERE c.institution_id = $1 AND c.id = $2"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(institution.0)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let names: Vec<String> = classes(db.pool(), institution, &[id])
        .await?
        .into_iter()
        .map(|c| c.2)
        .collect();
    consent(&row, names.join(", ")).map(Some)
}

/// The consents that asked any of these classes and whose date is `since` or later, as (consent,
/// class asked), oldest date first.
pub async fn of_classes<'e>(
    ex: impl Executor<'e, Database = Any>,
    classes: &[(InstitutionId, ClassId)],
    since: Date,
) -> Result<Vec<(Consent, ClassId)>> {
    if classes.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers we hold, not user input, so inlining them keeps this one query.
    let pairs: Vec<String> = classes
        .iter()
        .map(|(i, c)| format!("(cc.institution_id = {} AND cc.class_id = {})", i.0, c.0))
        .collect();
    let sql = format!(
        "SELECT {COLUMNS}, cc.class_id FROM consent_classes cc \
         JOIN consents c ON c.id = cc.consent_id AND c.institution_id = cc.institution_id \
         JOIN persons p ON p.id = c.author_id WHERE ({}) AND c.answer_by >= $1 ORDER BY c.answer_by, c.id",
        pairs.join(" OR ")
    );
    let rows = sqlx::query(&sql).bind(since.to_string()).fetch_all(ex).await?;
    rows.iter()
        .map(|r| Ok((consent(r, String::new())?, ClassId(r.try_get("class_id")?))))
        .collect()
}

/// One answer given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    pub consent_id: i64,
    pub student_id: PersonId,
    pub parent_id: PersonId,
    pub parent: String,
    pub answer: String,
    /// A consent given and then withdrawn (the answer is then `no`).
    pub withdrawn: bool,
    pub answered_at: i64,
}

#[expect(
    clippy::too_many_arguments,
    reason = "an answer carries its question, student, parent, value and moment"
)]
pub async fn record<'e>(
    ex: impl Executor<'e, Database = Any>,
    tenant: Tenant,
    consent: i64,
    student: PersonId,
    parent: PersonId,
    answer: &str,
    withdrawn: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO consent_answers (consent_id, institution_id, student_id, parent_id, answer, withdrawn, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(consent)
    .bind(tenant.id().0)
    .bind(student.0)
    .bind(parent.0)
    .bind(answer)
    .bind(withdrawn)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The answers to these consents of `institution`: with `all`, every one given, oldest first;
/// else only the one that stands per consent and student.
pub async fn answers<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    consents: &[i64],
    all: bool,
) -> Result<Vec<Answer>> {
    if consents.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = consents.iter().map(i64::to_string).collect();
    let standing = if all {
        ""
    } else {
        " AND a.id = (SELECT MAX(b.id) FROM consent_answers b WHERE b.consent_id = a.consent_id AND b.student_id = a.student_id)"
    };
    let sql = format!(
        "SELECT a.consent_id, a.student_id, a.parent_id, p.given_name, p.family_name, a.answer, a.withdrawn, a.answered_at \
         FROM consent_answers a JOIN persons p ON p.id = a.parent_id \
         WHERE a.institution_id = $1 AND a.consent_id IN ({}){standing} ORDER BY a.id",
        ids.join(",")
    );
    let rows = sqlx::query(&sql).bind(institution.0).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(Answer {
                consent_id: r.try_get("consent_id")?,
                student_id: PersonId(r.try_get("student_id")?),
                parent_id: PersonId(r.try_get("parent_id")?),
                parent: format!(
                    "{} {}",
                    r.try_get::<String, _>("given_name")?,
                    r.try_get::<String, _>("family_name")?
                ),
                answer: r.try_get("answer")?,
                withdrawn: flag(r, "withdrawn")?,
                answered_at: r.try_get("answered_at")?,
            })
        })
        .collect()
}
