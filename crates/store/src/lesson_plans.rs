//! Courses' thematic plans: the topics in order. Who may read or change one is the use case's to
//! decide (`app::lesson_plans`), never this module's; every query names its institution.

use crate::Result;
use klade_domain::{CourseId, InstitutionId, Tenant};
use sqlx::{Any, Executor, Row};

/// The course's topics in order.
pub async fn topics<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<Vec<String>> {
    let rows =
        sqlx::query("SELECT topic FROM lesson_plans WHERE institution_id = $1 AND course_id = $2 ORDER BY ordinal")
            .bind(institution.0)
            .bind(course.0)
            .fetch_all(ex)
            .await?;
    rows.iter().map(|r| Ok(r.try_get("topic")?)).collect()
}

/// Replaces the course's plan with `topics`. Run it in a transaction: the old plan goes only
/// with the new one in place.
pub async fn replace(tx: &mut crate::Tx, tenant: Tenant, course: CourseId, topics: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM lesson_plans WHERE institution_id = $1 AND course_id = $2")
        .bind(tenant.id().0)
        .bind(course.0)
        .execute(&mut **tx)
        .await?;
    for (i, topic) in topics.iter().enumerate() {
        sqlx::query("INSERT INTO lesson_plans (institution_id, course_id, ordinal, topic) VALUES ($1, $2, $3, $4)")
            .bind(tenant.id().0)
            .bind(course.0)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .bind(topic)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The topics the course's lessons have had.
pub async fn used<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<Vec<String>> {
    let rows =
        sqlx::query("SELECT DISTINCT topic FROM lessons WHERE institution_id = $1 AND course_id = $2 AND topic <> ''")
            .bind(institution.0)
            .bind(course.0)
            .fetch_all(ex)
            .await?;
    rows.iter().map(|r| Ok(r.try_get("topic")?)).collect()
}

/// A plan to copy from: another course of the same subject in the institution (last year's, a
/// parallel class's) that has one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub course_id: CourseId,
    pub label: String,
    pub topics: i64,
}

pub async fn sources<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    course: CourseId,
) -> Result<Vec<Source>> {
    let rows = sqlx::query(
        "SELECT c.id, y.name AS year, COALESCE(k.name, '') AS class_name, c.name, COUNT(*) AS topics \
         FROM courses c JOIN lesson_plans p ON p.course_id = c.id AND p.institution_id = c.institution_id \
         JOIN school_years y ON y.id = c.school_year_id LEFT JOIN classes k ON k.id = c.class_id \
         WHERE c.institution_id = $1 AND c.id <> $2 \
           AND c.subject_id = (SELECT subject_id FROM courses WHERE id = $2 AND institution_id = $1) \
         GROUP BY c.id, y.name, k.name, c.name, y.starts_on ORDER BY y.starts_on DESC, k.name, c.name",
    )
    .bind(institution.0)
    .bind(course.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Source {
                course_id: CourseId(r.try_get("id")?),
                label: format!(
                    "{} · {} {}",
                    r.try_get::<String, _>("year")?,
                    r.try_get::<String, _>("class_name")?,
                    r.try_get::<String, _>("name")?
                ),
                topics: r.try_get("topics")?,
            })
        })
        .collect()
}
