//! The final grades of a class for VIIS (R27.2): the clerk (`ExportToViis`) downloads them as a
//! table to enter into VIIS. The columns are described in `docs/viis-export.md`. A student without
//! a personal code keeps their row, with the code empty and a note, so nobody is left out silently.

use crate::auth::Session;
use crate::{App, AppError};
use klade_docs::table::{Cell, Column, Report};
use klade_domain::policy::{self, Action, Scope};
use klade_domain::ClassId;
use klade_store::viis_export as store;

/// The columns, in order (`docs/viis-export.md`).
pub const COLUMNS: [&str; 9] = [
    "Personas kods",
    "Uzvārds",
    "Vārds",
    "Klase",
    "Mācību priekšmets",
    "Vērtējums",
    "Vērtējuma veids",
    "Mācību gads",
    "Piezīme",
];

/// The note of a row whose student has no personal code.
pub const NO_CODE: &str = "Nav personas koda";

pub struct ViisExport {
    pub class_name: String,
    pub rows: Vec<store::FinalGrade>,
    pub report: Report,
}

fn kind_name(kind: &str) -> &str {
    match kind {
        "year" => "Gada",
        "final" => "Galīgais",
        other => other,
    }
}

pub async fn final_grades(app: &App, session: &Session, class: ClassId) -> Result<ViisExport, AppError> {
    let db = app.db.pool();
    let inst = klade_store::school::class_institution(db, class)
        .await?
        .ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::ExportToViis, Scope::Institution(inst))?;
    let inst = permit.institution();
    let (class_name, _) = klade_store::school::class(db, inst, class)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::final_grades(db, inst, class).await?;
    let widths = [14.0, 16.0, 14.0, 6.0, 22.0, 9.0, 10.0, 10.0, 18.0];
    let report = Report {
        title: format!("Gala vērtējumi VIIS: {class_name}"),
        subtitle: rows.first().map(|r| r.school_year.clone()).into_iter().collect(),
        columns: COLUMNS.iter().zip(widths).map(|(c, w)| Column::new(*c, w)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                let code = r.personal_code.clone().unwrap_or_default();
                vec![
                    Cell::text(code.clone()),
                    Cell::text(r.family_name.clone()),
                    Cell::text(r.given_name.clone()),
                    Cell::text(r.class_name.clone()),
                    Cell::text(r.subject.clone()),
                    // Marks stay text: `10`, `i`, `atbr.` are all VIIS values.
                    Cell::text(r.mark.clone()),
                    Cell::text(kind_name(&r.kind)),
                    Cell::text(r.school_year.clone()),
                    Cell::text(if code.is_empty() { NO_CODE } else { "" }),
                ]
            })
            .collect(),
    };
    Ok(ViisExport {
        class_name,
        rows,
        report,
    })
}
