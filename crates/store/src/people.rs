//! Persons: one row per human, whatever roles they hold and wherever. The names, the personal code,
//! the birth date, the gender and the contacts are the person's own; the rest of the record
//! (addresses, the identity document, the previous programme) each institution keeps for itself
//! in `person_records`, read with [`get_in`] and written with [`set_details`].

use crate::{conflict, Result};
use jiff::civil::Date;
use klade_domain::Tenant;
use klade_domain::{InstitutionId, PersonId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub personal_code: Option<String>,
    pub birth_date: Option<Date>,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_declared: Option<String>,
    pub address_actual: Option<String>,
    pub document_number: Option<String>,
    pub document_issuer: Option<String>,
    pub document_date: Option<Date>,
    pub previous_programme: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewPerson<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub personal_code: Option<&'a str>,
    pub birth_date: Option<Date>,
    pub gender: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// The person's own columns; the institution's record comes as NULLs unless joined by [`get_in`].
pub(crate) const COLUMNS: &str = "p.id, p.given_name, p.family_name, p.personal_code, p.birth_date, p.gender, \
     p.phone, p.email, NULL AS address_declared, NULL AS address_actual, NULL AS document_number, \
     NULL AS document_issuer, NULL AS document_date, NULL AS previous_programme";

const COLUMNS_IN: &str = "p.id, p.given_name, p.family_name, p.personal_code, p.birth_date, p.gender, \
     p.phone, p.email, r.address_declared, r.address_actual, r.document_number, r.document_issuer, r.document_date, \
     r.previous_programme";

pub(crate) fn from_row(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: PersonId(row.try_get("id")?),
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        personal_code: row.try_get("personal_code")?,
        birth_date: crate::maybe_date(row, "birth_date")?,
        gender: row.try_get("gender")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        address_declared: row.try_get("address_declared")?,
        address_actual: row.try_get("address_actual")?,
        document_number: row.try_get("document_number")?,
        document_issuer: row.try_get("document_issuer")?,
        document_date: crate::maybe_date(row, "document_date")?,
        previous_programme: row.try_get("previous_programme")?,
    })
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, p: &NewPerson<'_>, now: i64) -> Result<PersonId> {
    let row = sqlx::query(
        "INSERT INTO persons (given_name, family_name, personal_code, birth_date, gender, phone, email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.personal_code)
    .bind(p.birth_date.map(|d| d.to_string()))
    .bind(p.gender)
    .bind(p.phone)
    .bind(p.email)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict)?;
    Ok(PersonId(row.try_get("id")?))
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, id: PersonId) -> Result<Option<Person>> {
    let sql = format!("SELECT {COLUMNS} FROM persons p WHERE p.id = $1");
    sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// A person with the record `institution` keeps of them.
pub async fn get_in<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    id: PersonId,
) -> Result<Option<Person>> {
    let sql = format!(
        "SELECT {COLUMNS_IN} FROM persons p \
         LEFT JOIN person_records r ON r.person_id = p.id AND r.institution_id = $2 WHERE p.id = $1"
    );
    sqlx::query(&sql)
        .bind(id.0)
        .bind(institution.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn find_by_personal_code<'e>(ex: impl Executor<'e, Database = Any>, code: &str) -> Result<Option<Person>> {
    let sql = format!("SELECT {COLUMNS} FROM persons p WHERE p.personal_code = $1");
    sqlx::query(&sql)
        .bind(code)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Sets a phone and an e-mail. `confirmed`: set by the person, by a superuser, or confirmed by the
/// person; a contact set by anyone else is not trusted with a password for seven days.
pub async fn set_contacts<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: PersonId,
    phone: Option<&str>,
    email: Option<&str>,
    confirmed: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE persons SET phone = $2, email = $3, contacts_confirmed = $4, contacts_changed_at = $5 WHERE id = $1",
    )
    .bind(id.0)
    .bind(phone)
    .bind(email)
    .bind(i64::from(confirmed))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// When the contacts last changed, and whether that change is trusted (see [`set_contacts`]).
pub async fn contacts_state<'e>(ex: impl Executor<'e, Database = Any>, id: PersonId) -> Result<(Option<i64>, bool)> {
    let row = sqlx::query("SELECT contacts_changed_at, contacts_confirmed FROM persons WHERE id = $1")
        .bind(id.0)
        .fetch_optional(ex)
        .await?;
    match row {
        Some(r) => Ok((
            r.try_get("contacts_changed_at")?,
            r.try_get::<i64, _>("contacts_confirmed")? != 0,
        )),
        None => Ok((None, true)),
    }
}

/// Writes what is the person's own: names, personal code, birth date, gender.
pub async fn set_identity<'e>(ex: impl Executor<'e, Database = Any>, p: &Person) -> Result<()> {
    sqlx::query(
        "UPDATE persons SET given_name = $2, family_name = $3, personal_code = $4, birth_date = $5, gender = $6 \
         WHERE id = $1",
    )
    .bind(p.id.0)
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.personal_code)
    .bind(p.birth_date.map(|d| d.to_string()))
    .bind(&p.gender)
    .execute(ex)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Writes the record `institution` keeps of the person: addresses, document, previous programme.
pub async fn set_details<'e>(ex: impl Executor<'e, Database = Any>, institution: Tenant, p: &Person) -> Result<()> {
    sqlx::query(
        "INSERT INTO person_records (institution_id, person_id, address_declared, address_actual, document_number, \
           document_issuer, document_date, previous_programme) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (person_id, institution_id) DO UPDATE SET address_declared = excluded.address_declared, \
           address_actual = excluded.address_actual, document_number = excluded.document_number, \
           document_issuer = excluded.document_issuer, document_date = excluded.document_date, \
           previous_programme = excluded.previous_programme",
    )
    .bind(institution.id().0)
    .bind(p.id.0)
    .bind(&p.address_declared)
    .bind(&p.address_actual)
    .bind(&p.document_number)
    .bind(&p.document_issuer)
    .bind(p.document_date.map(|d| d.to_string()))
    .bind(&p.previous_programme)
    .execute(ex)
    .await?;
    Ok(())
}

/// A change of an account holder's contacts waiting for the holder's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactChange {
    pub person_id: PersonId,
    pub institution_id: InstitutionId,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub requested_by: PersonId,
    pub requested_by_name: String,
    pub requested_at: i64,
}

/// Records (or replaces) the change waiting for the person's confirmation.
pub async fn propose_contacts<'e>(ex: impl Executor<'e, Database = Any>, c: &ContactChange) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_changes (person_id, institution_id, phone, email, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id) DO UPDATE SET institution_id = excluded.institution_id, \
           phone = excluded.phone, email = excluded.email, requested_by = excluded.requested_by, \
           requested_at = excluded.requested_at",
    )
    .bind(c.person_id.0)
    .bind(c.institution_id.0)
    .bind(&c.phone)
    .bind(&c.email)
    .bind(c.requested_by.0)
    .bind(c.requested_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The change waiting for `person`'s confirmation, if any.
pub async fn proposed_contacts<'e>(
    ex: impl Executor<'e, Database = Any>,
    person: PersonId,
) -> Result<Option<ContactChange>> {
    let row = sqlx::query(
        "SELECT c.person_id, c.institution_id, c.phone, c.email, c.requested_by, c.requested_at, \
           p.given_name || ' ' || p.family_name AS by_name \
         FROM contact_changes c JOIN persons p ON p.id = c.requested_by WHERE c.person_id = $1",
    )
    .bind(person.0)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(ContactChange {
            person_id: PersonId(r.try_get("person_id")?),
            institution_id: InstitutionId(r.try_get("institution_id")?),
            phone: r.try_get("phone")?,
            email: r.try_get("email")?,
            requested_by: PersonId(r.try_get("requested_by")?),
            requested_by_name: r.try_get("by_name")?,
            requested_at: r.try_get("requested_at")?,
        })
    })
    .transpose()
}

pub async fn drop_proposed_contacts<'e>(ex: impl Executor<'e, Database = Any>, person: PersonId) -> Result<()> {
    sqlx::query("DELETE FROM contact_changes WHERE person_id = $1")
        .bind(person.0)
        .execute(ex)
        .await?;
    Ok(())
}

/// The parents (guardians) of a person known to `institution`: those who hold or held a right
/// there. A parent only another institution knows stays unknown here.
pub async fn parents<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    child: PersonId,
) -> Result<Vec<Person>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM persons p JOIN guardianships g ON g.parent_id = p.id WHERE g.child_id = $1 \
           AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.institution_id = $2) \
         ORDER BY p.id"
    );
    sqlx::query(&sql)
        .bind(child.0)
        .bind(institution.0)
        .fetch_all(ex)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The names ("given family") of these persons, for showing who a record is about.
pub async fn names<'e>(
    ex: impl Executor<'e, Database = Any>,
    ids: &[PersonId],
) -> Result<std::collections::HashMap<PersonId, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = ids.iter().map(|p| p.0.to_string()).collect();
    // Integer ids from our own rows.
    let sql = format!(
        "SELECT id, given_name, family_name FROM persons WHERE id IN ({})",
        list.join(",")
    );
    sqlx::query(&sql)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            let given: String = r.try_get("given_name")?;
            let family: String = r.try_get("family_name")?;
            Ok((PersonId(r.try_get("id")?), format!("{given} {family}")))
        })
        .collect()
}

/// The personal codes of these persons (none for one without), for documents that carry them.
pub async fn personal_codes<'e>(
    ex: impl Executor<'e, Database = Any>,
    ids: &[PersonId],
) -> Result<std::collections::HashMap<PersonId, Option<String>>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list: Vec<String> = ids.iter().map(|p| p.0.to_string()).collect();
    // Integer ids from our own rows.
    let sql = format!("SELECT id, personal_code FROM persons WHERE id IN ({})", list.join(","));
    sqlx::query(&sql)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| Ok((PersonId(r.try_get("id")?), r.try_get("personal_code")?)))
        .collect()
}

/// The persons with these personal codes (any number; asked in chunks), each with the record
/// `institution` keeps of them and whether another institution knows them (holds or held a
/// membership of theirs).
pub async fn by_codes(
    pool: &sqlx::AnyPool,
    institution: InstitutionId,
    codes: &[String],
) -> Result<Vec<(Person, bool)>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS_IN}, EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id \
               AND m.institution_id <> $1) AS elsewhere \
             FROM persons p LEFT JOIN person_records r ON r.person_id = p.id AND r.institution_id = $1 \
             WHERE p.personal_code IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(institution.0);
        for c in chunk {
            q = q.bind(c);
        }
        for row in q.fetch_all(pool).await? {
            let elsewhere: bool = row
                .try_get::<bool, _>("elsewhere")
                .or_else(|_| row.try_get::<i64, _>("elsewhere").map(|n| n != 0))?;
            out.push((from_row(&row)?, elsewhere));
        }
    }
    Ok(out)
}

/// Do the two names name the same person, as people type them (case and spacing aside)?
pub fn same_name(p: &Person, given: &str, family: &str) -> bool {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    fold(&p.given_name) == fold(given) && fold(&p.family_name) == fold(family)
}
