//! Persons: one row per human, whatever roles they hold and wherever.

use crate::{conflict, Result};
use klade_domain::PersonId;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub personal_code: Option<String>,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_declared: Option<String>,
    pub address_actual: Option<String>,
    pub document_number: Option<String>,
    pub document_issuer: Option<String>,
    pub document_date: Option<String>,
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
    pub birth_date: Option<&'a str>,
    pub gender: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub(crate) const COLUMNS: &str = "p.id, p.given_name, p.family_name, p.personal_code, p.birth_date, p.gender, \
     p.phone, p.email, p.address_declared, p.address_actual, p.document_number, p.document_issuer, p.document_date, \
     p.previous_programme";

pub(crate) fn from_row(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: PersonId(row.try_get("id")?),
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        personal_code: row.try_get("personal_code")?,
        birth_date: row.try_get("birth_date")?,
        gender: row.try_get("gender")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        address_declared: row.try_get("address_declared")?,
        address_actual: row.try_get("address_actual")?,
        document_number: row.try_get("document_number")?,
        document_issuer: row.try_get("document_issuer")?,
        document_date: row.try_get("document_date")?,
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
    .bind(p.birth_date)
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

pub async fn set_contacts<'e>(
    ex: impl Executor<'e, Database = Any>,
    id: PersonId,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE persons SET phone = $2, email = $3 WHERE id = $1")
        .bind(id.0)
        .bind(phone)
        .bind(email)
        .execute(ex)
        .await?;
    Ok(())
}

/// Writes the whole record (everything but the id).
pub async fn update<'e>(ex: impl Executor<'e, Database = Any>, p: &Person) -> Result<()> {
    sqlx::query(
        "UPDATE persons SET given_name = $2, family_name = $3, personal_code = $4, birth_date = $5, gender = $6, \
           phone = $7, email = $8, address_declared = $9, address_actual = $10, document_number = $11, \
           document_issuer = $12, document_date = $13, previous_programme = $14 WHERE id = $1",
    )
    .bind(p.id.0)
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.personal_code)
    .bind(&p.birth_date)
    .bind(&p.gender)
    .bind(&p.phone)
    .bind(&p.email)
    .bind(&p.address_declared)
    .bind(&p.address_actual)
    .bind(&p.document_number)
    .bind(&p.document_issuer)
    .bind(&p.document_date)
    .bind(&p.previous_programme)
    .execute(ex)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// The parents (guardians) of a person.
pub async fn parents<'e>(ex: impl Executor<'e, Database = Any>, child: PersonId) -> Result<Vec<Person>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM persons p JOIN guardianships g ON g.parent_id = p.id WHERE g.child_id = $1 ORDER BY p.id"
    );
    sqlx::query(&sql)
        .bind(child.0)
        .fetch_all(ex)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The persons with these personal codes (any number; asked in chunks).
pub async fn by_codes(pool: &sqlx::AnyPool, codes: &[String]) -> Result<Vec<Person>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM persons p WHERE p.personal_code IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(c);
        }
        for row in q.fetch_all(pool).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}
