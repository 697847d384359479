//! The final grades of a class in the shape VIIS takes (R27.2): per student and subject, the year
//! and final grades of the class's school year. Storage only; the columns are the app's.

use crate::Result;
use klade_domain::{ClassId, InstitutionId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FinalGrade {
    pub personal_code: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub class_name: String,
    pub subject: String,
    pub mark: String,
    /// `year` or `final`
    pub kind: String,
    pub school_year: String,
}

/// The year and final grades of every student enrolled in `class` at any time of its school
/// year, in the courses of that year, by student and subject.
pub async fn final_grades<'e>(
    ex: impl Executor<'e, Database = Any>,
    institution: InstitutionId,
    class: ClassId,
) -> Result<Vec<FinalGrade>> {
    let rows = sqlx::query(
        "SELECT p.personal_code, p.family_name, p.given_name, cl.name AS class_name, s.name AS subject, g.mark, a.kind, \
           y.name AS school_year, a.date \
         FROM classes cl JOIN school_years y ON y.id = cl.school_year_id \
         JOIN courses c ON c.institution_id = cl.institution_id AND c.school_year_id = cl.school_year_id \
         JOIN subjects s ON s.id = c.subject_id \
         JOIN assessments a ON a.course_id = c.id AND a.kind IN ('year', 'final') \
         JOIN grades g ON g.assessment_id = a.id \
         JOIN persons p ON p.id = g.student_id \
         WHERE cl.institution_id = $1 AND cl.id = $2 \
           AND g.student_id IN (SELECT e.student_id FROM enrolments e WHERE e.institution_id = $1 AND e.class_id = $2) \
         ORDER BY p.family_name, p.given_name, p.id, s.name, a.date",
    )
    .bind(institution.0)
    .bind(class.0)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FinalGrade {
                personal_code: r.try_get("personal_code")?,
                family_name: r.try_get("family_name")?,
                given_name: r.try_get("given_name")?,
                class_name: r.try_get("class_name")?,
                subject: r.try_get("subject")?,
                mark: r.try_get("mark")?,
                kind: r.try_get("kind")?,
                school_year: r.try_get("school_year")?,
            })
        })
        .collect()
}
