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

pub(crate) const COLUMNS: &str =
    "p.id, p.given_name, p.family_name, p.personal_code, p.birth_date, p.gender, p.phone, p.email";

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
