//! Accounts (one per person, J10–J12), memberships (person × institution × role, with the
//! basis of the right, R4–R6) and what a person currently holds: the grants and children the
//! policy reads.

use crate::{conflict, flag, Result, StoreError};
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{AccountId, ClassId, CourseId, Grant, InstitutionId, PersonId, Role};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub person_id: PersonId,
    pub username: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub blocked_at: Option<i64>,
    pub blocked_reason: Option<String>,
}

const COLUMNS: &str = "id, person_id, username, password_hash, must_change_password, blocked_at, blocked_reason";

fn from_row(row: &AnyRow) -> Result<Account> {
    Ok(Account {
        id: AccountId(row.try_get("id")?),
        person_id: PersonId(row.try_get("person_id")?),
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: flag(row, "must_change_password")?,
        blocked_at: row.try_get("blocked_at")?,
        blocked_reason: row.try_get("blocked_reason")?,
    })
}

pub async fn insert<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
    username: &str,
    password_hash: &str,
    must_change_password: bool,
    now: i64,
) -> Result<AccountId> {
    let row = sqlx::query(
        "INSERT INTO accounts (person_id, username, password_hash, must_change_password, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person.0)
    .bind(username)
    .bind(password_hash)
    .bind(must_change_password)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(AccountId(row.try_get("id")?))
}

pub async fn find_by_username<'e>(ex: impl Executor<'e, Database = Any>, username: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE username = $1");
    sqlx::query(&sql)
        .bind(username)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, id: AccountId) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn set_password<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: AccountId,
    password_hash: &str,
    must_change_password: bool,
) -> Result<()> {
    sqlx::query("UPDATE accounts SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(must_change_password)
        .bind(id.0)
        .execute(ex)
        .await?;
    Ok(())
}

/// The basis of a right: the director's order (number and date) or employment (R4–R6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis<'a> {
    Order { number: &'a str, date: Date },
    Employment,
}

pub async fn add_membership<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: PersonId,
    role: Role,
    valid_from: Date,
    basis: &Basis<'_>,
    now: i64,
) -> Result<()> {
    let (kind, number, date) = match basis {
        Basis::Order { number, date } => ("order", Some(*number), Some(*date)),
        Basis::Employment => ("employment", None, None),
    };
    sqlx::query(
        "INSERT INTO memberships (institution_id, person_id, role, valid_from, basis, order_number, order_date, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(institution.id().0)
    .bind(person.0)
    .bind(role.code())
    .bind(valid_from.to_string())
    .bind(kind)
    .bind(number)
    .bind(date.map(|d| d.to_string()))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// A member of staff's employment (R5): the role, from when, on which order, with the position as
/// written and the workload.
#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
pub async fn add_employment<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: PersonId,
    role: Role,
    valid_from: Date,
    order: Option<(&str, Date)>,
    position: Option<&str>,
    workload: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (institution_id, person_id, role, valid_from, basis, order_number, order_date, \
           position, workload, created_at) VALUES ($1, $2, $3, $4, 'employment', $5, $6, $7, $8, $9)",
    )
    .bind(institution.id().0)
    .bind(person.0)
    .bind(role.code())
    .bind(valid_from.to_string())
    .bind(order.map(|o| o.0))
    .bind(order.map(|o| o.1.to_string()))
    .bind(position)
    .bind(workload)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Everyone's roles here on `today` (memberships only), by person.
pub async fn roles_here<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<std::collections::HashMap<PersonId, Vec<Role>>> {
    let rows = sqlx::query(
        "SELECT person_id, role FROM memberships WHERE institution_id = $1 \
           AND (valid_to IS NULL OR valid_to >= $2)",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    let mut out: std::collections::HashMap<PersonId, Vec<Role>> = std::collections::HashMap::new();
    for r in &rows {
        let code: String = r.try_get("role")?;
        if let Some(role) = Role::from_code(&code) {
            out.entry(PersonId(r.try_get("person_id")?)).or_default().push(role);
        }
    }
    Ok(out)
}

/// Does the person hold `role` here, now or from a later day (not ended)?
pub async fn holds_role<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    person: PersonId,
    role: Role,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships WHERE institution_id = $1 AND person_id = $2 AND role = $3 \
           AND valid_to IS NULL",
    )
    .bind(institution.0)
    .bind(person.0)
    .bind(role.code())
    .fetch_one(ex)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// What a person holds on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    pub grants: Vec<Grant>,
    pub children: Vec<(InstitutionId, PersonId)>,
    pub courses: Vec<(InstitutionId, CourseId)>,
}

/// What a person holds on `today`: their valid memberships, a tutor grant per class they tutor in
/// a school year that contains `today`, the children whose student membership is valid (and who,
/// as adults, have not withheld their diary from this parent: `sharing`), and the
/// courses they teach this school year — and, in a locked year, the course or group a deputy let
/// them change (`year_changes`). One query.
pub async fn holdings<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId, today: Date) -> Result<Holdings> {
    let rows = sqlx::query(
        "SELECT 'g' AS k, institution_id AS a, role AS r, NULL AS c FROM memberships \
           WHERE person_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2) \
         UNION ALL \
         SELECT 't', t.institution_id, 'tutor', t.class_id FROM class_tutors t \
           JOIN classes c ON c.id = t.class_id JOIN school_years y ON y.id = c.school_year_id \
           WHERE t.person_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 \
         UNION ALL \
         SELECT 'c', m.institution_id, '', m.person_id FROM guardianships g \
           JOIN memberships m ON m.person_id = g.child_id AND m.role = 'student' \
           WHERE g.parent_id = $1 AND g.withheld_at IS NULL AND m.valid_from <= $2 \
             AND (m.valid_to IS NULL OR m.valid_to >= $2) \
         UNION ALL \
         SELECT 'k', c.institution_id, '', c.id FROM course_teachers t \
           JOIN courses c ON c.id = t.course_id JOIN school_years y ON y.id = c.school_year_id \
           WHERE t.person_id = $1 AND y.starts_on <= $2 AND y.ends_on >= $2 \
         UNION ALL \
         SELECT 'k', r.institution_id, '', r.course_id FROM year_changes r \
           WHERE r.teacher_id = $1 AND r.course_id IS NOT NULL AND r.valid_until >= $2 \
         UNION ALL \
         SELECT 't', r.institution_id, 'tutor', r.class_id FROM year_changes r \
           WHERE r.teacher_id = $1 AND r.class_id IS NOT NULL AND r.valid_until >= $2",
    )
    .bind(person.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    let mut grants = Vec::new();
    let mut children = Vec::new();
    let mut courses = Vec::new();
    for row in &rows {
        let kind: String = row.try_get("k")?;
        let institution = InstitutionId(row.try_get("a")?);
        let other: Option<i64> = row.try_get("c")?;
        match (kind.as_str(), other) {
            ("c", Some(child)) => children.push((institution, PersonId(child))),
            ("k", Some(course)) => courses.push((institution, CourseId(course))),
            ("c" | "k", None) => {}
            _ => {
                let code: String = row.try_get("r")?;
                let role = Role::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("role {code}")))?;
                grants.push(Grant {
                    institution,
                    role,
                    class: other.map(ClassId),
                });
            }
        }
    }
    children.sort();
    children.dedup();
    Ok(Holdings {
        grants,
        children,
        courses,
    })
}

/// Every (institution, role) the person holds or has held, anywhere — what decides who may change
/// their contacts and credentials (`policy::may_manage`). A guardian of a student counts as a
/// parent there even before their own membership starts.
pub async fn roles_held<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
) -> Result<Vec<(InstitutionId, Role)>> {
    let rows = sqlx::query(
        "SELECT institution_id AS i, role AS r FROM memberships WHERE person_id = $1 \
         UNION SELECT t.institution_id, 'tutor' FROM class_tutors t WHERE t.person_id = $1 \
         UNION SELECT m.institution_id, 'parent' FROM guardianships g \
           JOIN memberships m ON m.person_id = g.child_id AND m.role = 'student' WHERE g.parent_id = $1",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get("r")?;
            let role = Role::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("role {code}")))?;
            Ok((InstitutionId(r.try_get("i")?), role))
        })
        .collect()
}

/// The accounts of everyone who holds or held any of `roles` (codes) anywhere.
pub async fn holding_any_role<'e>(ex: impl Executor<'e, Database = Any>, roles: &[&str]) -> Result<Vec<AccountId>> {
    let placeholders: Vec<String> = (1..=roles.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT DISTINCT a.id FROM accounts a JOIN memberships m ON m.person_id = a.person_id \
         WHERE m.role IN ({}) ORDER BY a.id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for r in roles {
        q = q.bind(*r);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| Ok(AccountId(r.try_get("id")?)))
        .collect()
}

/// People holding `role` in `institution` on `today`, as (id, "Given Family"), in Latvian order.
pub async fn people_with_role<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    role: Role,
    today: Date,
) -> Result<Vec<(PersonId, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT p.id, p.given_name, p.family_name FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.institution_id = $1 AND m.role = $2 AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to >= $3)",
    )
    .bind(institution.0)
    .bind(role.code())
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok((PersonId(r.try_get("id")?), given, family))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_cached_key(|(_, g, f)| klade_domain::collate::person_key(f, g));
    Ok(out.into_iter().map(|(id, g, f)| (id, format!("{g} {f}"))).collect())
}

/// Blocks an account (shared or borrowed credentials, R11) with the reason; unblocks with `None`.
pub async fn set_blocked<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: AccountId,
    block: Option<(&str, PersonId, i64)>,
) -> Result<()> {
    let (reason, by, at) = match block {
        Some((r, by, at)) => (Some(r), Some(by.0), Some(at)),
        None => (None, None, None),
    };
    sqlx::query("UPDATE accounts SET blocked_at = $2, blocked_reason = $3, blocked_by = $4 WHERE id = $1")
        .bind(id.0)
        .bind(at)
        .bind(reason)
        .bind(by)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn by_person<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE person_id = $1");
    sqlx::query(&sql)
        .bind(person.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// An employee as the superuser's account list shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Employee {
    pub person_id: PersonId,
    pub name: String,
    pub roles: Vec<String>,
    pub employed_from: Date,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub blocked_reason: Option<String>,
    pub blocked: bool,
}

/// Everyone employed by `institution` on `today`, with their account if they have one.
pub async fn employees<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    today: Date,
) -> Result<Vec<Employee>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, p.phone, m.role, m.valid_from, a.username, a.blocked_at, a.blocked_reason \
         FROM memberships m JOIN persons p ON p.id = m.person_id LEFT JOIN accounts a ON a.person_id = p.id \
         WHERE m.institution_id = $1 AND m.basis = 'employment' AND m.valid_from <= $2 \
           AND (m.valid_to IS NULL OR m.valid_to >= $2) ORDER BY p.id",
    )
    .bind(institution.0)
    .bind(today.to_string())
    .fetch_all(ex)
    .await?;
    let mut out: Vec<Employee> = Vec::new();
    for r in &rows {
        let id = PersonId(r.try_get("id")?);
        let role: String = r.try_get("role")?;
        let from = crate::date(r, "valid_from")?;
        if let Some(e) = out.iter_mut().find(|e| e.person_id == id) {
            e.roles.push(role);
            if from < e.employed_from {
                e.employed_from = from;
            }
            continue;
        }
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        out.push(Employee {
            person_id: id,
            name: format!("{given} {family}"),
            roles: vec![role],
            employed_from: from,
            phone: r.try_get("phone")?,
            username: r.try_get("username")?,
            blocked: r.try_get::<Option<i64>, _>("blocked_at")?.is_some(),
            blocked_reason: r.try_get("blocked_reason")?,
        });
    }
    out.sort_by_cached_key(|e| {
        let mut parts = e.name.rsplitn(2, ' ');
        let family = parts.next().unwrap_or("").to_string();
        let given = parts.next().unwrap_or("").to_string();
        klade_domain::collate::person_key(&family, &given)
    });
    Ok(out)
}

/// Ends a person's memberships of `role` in `institution` on `last_day` (graduation, expulsion,
/// the end of employment). Nothing is deleted.
pub async fn end_memberships<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: Tenant,
    person: PersonId,
    role: Role,
    last_day: Date,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE memberships SET valid_to = $4 WHERE institution_id = $1 AND person_id = $2 AND role = $3 \
           AND (valid_to IS NULL OR valid_to > $4)",
    )
    .bind(institution.id().0)
    .bind(person.0)
    .bind(role.code())
    .bind(last_day.to_string())
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

pub async fn set_username<'e>(ex: impl Executor<'e, Database = Any>, id: AccountId, username: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET username = $2 WHERE id = $1")
        .bind(id.0)
        .bind(username)
        .execute(ex)
        .await
        .map_err(conflict)?;
    Ok(())
}

/// The language the account's person chose for the pages.
pub async fn set_lang<'e>(ex: impl Executor<'e, Database = Any>, id: AccountId, lang: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET lang = $2 WHERE id = $1")
        .bind(id.0)
        .bind(lang)
        .execute(ex)
        .await?;
    Ok(())
}

/// The rights counter as it stands, if `person` has an account that is not blocked: what
/// `sessions::find_live` reads with a session, for what acts as a person without one.
pub async fn rights_if_open<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT (SELECT v FROM rights_version WHERE id = 1) AS v, \
           (SELECT COUNT(*) FROM accounts WHERE person_id = $1 AND blocked_at IS NULL) AS open",
    )
    .bind(person.0)
    .fetch_one(ex)
    .await?;
    Ok((row.try_get::<i64, _>("open")? > 0)
        .then(|| row.try_get("v"))
        .transpose()?)
}
