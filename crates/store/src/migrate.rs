//! The migration runner. Both backends keep their migrations side by side under the same file
//! names; `schema_migrations` records what was applied. On PostgreSQL an advisory lock keeps two
//! servers starting at once from migrating twice.

use crate::{Backend, Db, Result, StoreError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_core"),
    migration!(2, "0002_journal"),
    migration!(3, "0003_people"),
    migration!(4, "0004_families"),
    migration!(5, "0005_messages"),
    migration!(6, "0006_rights_version"),
    migration!(7, "0007_preschool"),
    migration!(8, "0008_preschool_plans"),
    migration!(9, "0009_archive"),
    migration!(10, "0010_retention"),
    migration!(11, "0011_enrolment_rights"),
    migration!(12, "0012_year_lock"),
    migration!(13, "0013_calendar"),
    migration!(14, "0014_absence_summaries"),
    migration!(15, "0015_journal_check_areas"),
    migration!(16, "0016_report_indexes"),
    migration!(17, "0017_timetable_version"),
    migration!(18, "0018_notes_by_date"),
    migration!(19, "0019_person_care"),
    migration!(20, "0020_second_factor"),
    migration!(21, "0021_day_one"),
    migration!(22, "0022_deadline_states"),
    migration!(23, "0023_repeats"),
    migration!(24, "0024_visits"),
    migration!(25, "0025_institution_version"),
    migration!(26, "0026_hot_indexes"),
    migration!(27, "0027_adult_sharing"),
    migration!(28, "0028_calendar_feeds"),
    migration!(29, "0029_family_tokens"),
    migration!(30, "0030_meetings"),
    migration!(31, "0031_consents"),
    migration!(32, "0032_account_language"),
    migration!(33, "0033_meals"),
    migration!(34, "0034_push"),
    migration!(35, "0035_lesson_plans"),
];

pub(crate) async fn run(db: &Db) -> Result<Vec<i64>> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (CAST(CURRENT_TIMESTAMP AS TEXT)))",
    )
    .execute(db.pool())
    .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        if db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(4242)")
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("n")?;
        if done > 0 {
            continue;
        }
        let sql = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .map_err(|source| StoreError::Migration {
                version: m.version,
                name: m.name,
                source,
            })?;
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}
