//! Klade's database: one [`Db`] over SQLite or PostgreSQL, through one code path.
//!
//! Every query is written once, in SQL both backends accept, and runs through sqlx's `Any`
//! driver (see `docs/adr/0001-one-code-path-for-two-databases.md`). Values cross the boundary
//! as the few types both share: `i64`, `bool`, text. Dates are ISO `YYYY-MM-DD` text in the
//! database and `jiff::civil::Date` on this crate's side (`date` reads one), instants UTC
//! seconds. Every function that touches an institution's rows takes its `institution_id`.
//!
//! This crate owns storage and nothing else: it does not decide who may do what (that is the
//! policy in `klade-domain`, asked by `klade-app`) and it does not read the clock (callers pass
//! `now`).

mod db;
mod migrate;

pub mod access_log;
pub mod accounts;
pub mod archive;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod calendar_feeds;
pub mod consents;
pub mod deadlines;
pub mod families;
pub mod family_tokens;
pub mod files;
pub mod history;
pub mod imports;
pub mod institutions;
pub mod invitations;
pub mod jobs;
pub mod journal;
pub mod journal_checks;
pub mod lesson_plans;
pub mod meals;
pub mod meetings;
pub mod messages;
pub mod notifications;
pub mod people;
pub mod preschool;
pub mod preschool_plans;
pub mod push;
pub mod repeats;
pub mod retention;
pub mod school;
pub mod second_factors;
pub mod sessions;
pub mod sharing;
pub mod sms;
pub mod statistics;
pub mod throttle;
pub mod viis_export;
pub mod year_lock;

pub use db::{Backend, Db, DbOptions, Reader, Tx};
pub use sqlx::any::AnyRow;
pub use sqlx::Error as SqlError;

/// What can go wrong in storage. Unique-key collisions are told apart so callers can answer
/// "already exists" instead of "internal error".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("a row with the same unique key already exists ({0})")]
    Conflict(String),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error("unsupported database address: {0}")]
    Address(String),
    /// A database that would not keep an acknowledged save through a crash.
    #[error("{0}")]
    Unsafe(String),
    /// A backup or restore that cannot go ahead, with the reason for the operator.
    #[error("{0}")]
    Backup(String),
}

impl StoreError {
    /// The database could not be reached, or could not take a write just now: its connection was
    /// lost, the pool had none to lend, or a PostgreSQL server was shutting down, starting, or
    /// still a standby while another was being promoted. Nothing of the request's transaction
    /// was committed but what the lost answer of a commit may hide; trying again later is right.
    pub fn is_unavailable(&self) -> bool {
        let e = match self {
            Self::Sql(e) => e,
            _ => return false,
        };
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(d) => d.code().is_some_and(|code| {
                // Class 08: connection exceptions; 57P01–57P03: the server shuts down or starts;
                // 25006: a read-only transaction (a standby not yet promoted).
                code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "25006")
            }),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique violation to [`StoreError::Conflict`]; everything else stays a database error.
pub(crate) fn conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(d.message().to_string()),
        _ => StoreError::Sql(e),
    }
}

/// Reads a date column: ISO `YYYY-MM-DD` text in both databases; anything else is corrupt.
pub(crate) fn date(row: &AnyRow, column: &str) -> Result<jiff::civil::Date> {
    use sqlx::Row;
    let text: &str = row.try_get(column)?;
    iso_date(text).ok_or_else(|| StoreError::Corrupt(format!("{column} {text}")))
}

/// Reads a date column that may be empty.
pub(crate) fn maybe_date(row: &AnyRow, column: &str) -> Result<Option<jiff::civil::Date>> {
    use sqlx::Row;
    let text: Option<&str> = row.try_get(column)?;
    text.map(|text| iso_date(text).ok_or_else(|| StoreError::Corrupt(format!("{column} {text}"))))
        .transpose()
}

/// A stored date, `YYYY-MM-DD`, read by hand: the one form both databases keep needs none of
/// jiff's general parser, which reads every form of its format (a test checks the two agree).
pub(crate) fn iso_date(text: &str) -> Option<jiff::civil::Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let number = |from: usize, to: usize| {
        b.get(from..to)?
            .iter()
            .try_fold(0_i16, |n, c| c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0')))
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    jiff::civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Reads a date inside a JSON answer (a query that gathers several kinds of row at once).
pub(crate) fn json_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<jiff::civil::Date, D::Error> {
    struct Iso;
    impl serde::de::Visitor<'_> for Iso {
        type Value = jiff::civil::Date;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date as YYYY-MM-DD")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            iso_date(text).ok_or_else(|| E::custom(format!("not a date: {text}")))
        }
    }
    d.deserialize_str(Iso)
}

/// [`json_date`] for a date that may be missing (`null`).
pub(crate) fn json_maybe_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<jiff::civil::Date>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Day(#[serde(deserialize_with = "json_date")] jiff::civil::Date);
    Ok(<Option<Day> as serde::Deserialize>::deserialize(d)?.map(|Day(d)| d))
}

/// Reads a boolean column: PostgreSQL hands back a boolean, SQLite an integer.
pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    use sqlx::Row;
    match row.try_get::<bool, _>(column) {
        Ok(b) => Ok(b),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_date_is_read_by_hand_exactly_as_jiff_reads_it() {
        for text in ["2026-11-23", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(iso_date(text), text.parse().ok(), "{text}");
        }
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "2026/11/23",
            "26-11-2026",
            "",
            "2026-11-2x",
        ] {
            assert_eq!(iso_date(text), None, "{text}");
        }
    }
}
