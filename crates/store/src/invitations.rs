//! Invitations for family members to choose their own username and password: a one-time code
//! (kept as its SHA-256) sent by SMS or e-mail or printed on a slip, until it expires or is used.

use crate::Result;
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{ClassId, InstitutionId, PersonId};
use sqlx::{Any, Executor, Row};

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: PersonId,
    code_hash: &str,
    channel: &str,
    by: PersonId,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO invitations (institution_id, person_id, code_hash, channel, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(institution.id().0)
    .bind(person.0)
    .bind(code_hash)
    .bind(channel)
    .bind(by.0)
    .bind(now)
    .bind(expires_at)
    .fetch_one(ex)
    .await?;
    Ok(row.try_get("id")?)
}

/// A code's invitation if it is unused and unexpired: (id, institution, person).
pub async fn valid<'e>(
    ex: impl Executor<'e, Database = Any>,
    code_hash: &str,
    now: i64,
) -> Result<Option<(i64, InstitutionId, PersonId)>> {
    let row = sqlx::query(
        "SELECT id, institution_id, person_id FROM invitations \
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(code_hash)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("id")?,
            InstitutionId(r.try_get("institution_id")?),
            PersonId(r.try_get("person_id")?),
        ))
    })
    .transpose()
}

/// Uses an invitation: true only for the first caller.
pub async fn use_it<'e>(ex: impl Executor<'e, Database = Any>, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A family member of a class: a student or one of their parents, whether they have an account
/// and when they were last invited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub student_id: PersonId,
    pub student: String,
    pub person_id: PersonId,
    pub name: String,
    /// `student` or the parent's relation (`māte`…), or `parent`.
    pub relation: String,
    pub has_account: bool,
    pub has_phone: bool,
    pub has_email: bool,
    pub invited_at: Option<i64>,
    pub invitation_expires: Option<i64>,
}

/// The class's students enrolled on `today` and their parents, students in name order.
pub async fn class_members<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
    today: Date,
) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT s.id AS student_id, s.family_name || ' ' || s.given_name AS student, p.id AS person_id, \
           p.given_name || ' ' || p.family_name AS name, \
           CASE WHEN p.id = s.id THEN 'student' ELSE COALESCE(g.relation, 'parent') END AS relation, \
           (SELECT COUNT(*) FROM accounts a WHERE a.person_id = p.id) AS accounts, \
           CASE WHEN p.phone IS NULL THEN 0 ELSE 1 END AS has_phone, \
           CASE WHEN p.email IS NULL THEN 0 ELSE 1 END AS has_email, \
           (SELECT MAX(i.created_at) FROM invitations i WHERE i.person_id = p.id AND i.institution_id = $1) AS invited_at, \
           (SELECT MAX(i.expires_at) FROM invitations i WHERE i.person_id = p.id AND i.institution_id = $1 AND i.used_at IS NULL) AS expires \
         FROM enrolments e JOIN persons s ON s.id = e.student_id \
         LEFT JOIN guardianships g ON g.child_id = s.id \
         JOIN persons p ON p.id = COALESCE(g.parent_id, s.id) \
         WHERE e.institution_id = $1 AND e.class_id = $2 AND e.valid_from <= $3 AND (e.valid_to IS NULL OR e.valid_to >= $3) \
         UNION \
         SELECT s.id, s.family_name || ' ' || s.given_name, s.id, s.given_name || ' ' || s.family_name, 'student', \
           (SELECT COUNT(*) FROM accounts a WHERE a.person_id = s.id), \
           CASE WHEN s.phone IS NULL THEN 0 ELSE 1 END, CASE WHEN s.email IS NULL THEN 0 ELSE 1 END, \
           (SELECT MAX(i.created_at) FROM invitations i WHERE i.person_id = s.id AND i.institution_id = $1), \
           (SELECT MAX(i.expires_at) FROM invitations i WHERE i.person_id = s.id AND i.institution_id = $1 AND i.used_at IS NULL) \
         FROM enrolments e JOIN persons s ON s.id = e.student_id \
         WHERE e.institution_id = $1 AND e.class_id = $2 AND e.valid_from <= $3 AND (e.valid_to IS NULL OR e.valid_to >= $3) \
         ORDER BY 2, 1, 5 DESC, 4",
    )
    .bind(institution.0)
    .bind(class.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Member {
                student_id: PersonId(r.try_get("student_id")?),
                student: r.try_get("student")?,
                person_id: PersonId(r.try_get("person_id")?),
                name: r.try_get("name")?,
                relation: r.try_get("relation")?,
                has_account: r.try_get::<i64, _>("accounts")? > 0,
                has_phone: r.try_get::<i64, _>("has_phone")? > 0,
                has_email: r.try_get::<i64, _>("has_email")? > 0,
                invited_at: r.try_get("invited_at")?,
                invitation_expires: r.try_get("expires")?,
            })
        })
        .collect()
}
