//! Setting an institution up for a school year, from an empty install (R16): the year with its
//! terms and holidays from the template for the institution's kind, checked; the next year
//! prepared from the last one (classes move up, groups stay, leavers leave) in one reviewed step.
//! Who: the superuser (`Action::PrepareYear`).

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::school_year::{self as rules, Period, YearPlan};
use klade_domain::{policy, Action, InstitutionId, Scope};
use klade_store::{calendar, institutions, school};

/// A period as a form or the API sends it: text dates, checked here.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PeriodInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// A school year as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct YearInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub terms: Vec<PeriodInput>,
    pub holidays: Vec<PeriodInput>,
}

impl From<&YearPlan> for YearInput {
    fn from(p: &YearPlan) -> Self {
        let period = |x: &Period| PeriodInput {
            name: x.name.clone(),
            starts_on: x.starts_on.to_string(),
            ends_on: x.ends_on.to_string(),
        };
        Self {
            name: p.name.clone(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            terms: p.terms.iter().map(period).collect(),
            holidays: p.holidays.iter().map(period).collect(),
        }
    }
}

fn day(text: &str, field: String) -> Result<Date, AppError> {
    text.trim().parse::<Date>().map_err(|_| AppError::InvalidAt {
        field,
        code: "error.date",
    })
}

/// The plan an input describes, checked: every date a date, terms in order inside the year,
/// holidays inside it. Empty rows (a form's spare lines) are left out.
pub fn plan_of(input: &YearInput) -> Result<YearPlan, AppError> {
    let periods = |list: &[PeriodInput], what: &str| -> Result<Vec<Period>, AppError> {
        list.iter()
            .enumerate()
            .filter(|(_, p)| {
                !(p.name.trim().is_empty() && p.starts_on.trim().is_empty() && p.ends_on.trim().is_empty())
            })
            .map(|(i, p)| {
                Ok(Period {
                    name: p.name.trim().to_string(),
                    starts_on: day(&p.starts_on, format!("{what}.{i}.starts_on"))?,
                    ends_on: day(&p.ends_on, format!("{what}.{i}.ends_on"))?,
                })
            })
            .collect()
    };
    let plan = YearPlan {
        name: input.name.trim().to_string(),
        starts_on: day(&input.starts_on, "starts_on".into())?,
        ends_on: day(&input.ends_on, "ends_on".into())?,
        terms: periods(&input.terms, "terms")?,
        holidays: periods(&input.holidays, "holidays")?,
    };
    rules::check(&plan).map_err(|e| AppError::InvalidAt {
        field: e.field,
        code: e.code,
    })?;
    Ok(plan)
}

/// The institution's school years, newest first, each with its terms and holidays.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Years {
    pub institution: InstitutionId,
    pub years: Vec<YearInput>,
    /// What the form proposes for the next year: the template for the year after the newest one
    /// (or the one under way when there is none).
    pub proposal: YearInput,
}

pub async fn years(app: &App, session: &Session, institution: InstitutionId) -> Result<Years, AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let kind = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?.kind;
    let holidays = calendar::school_holidays(db, inst).await?;
    let mut years = Vec::new();
    for y in klade_store::year_lock::years(db, inst).await? {
        let terms = school::terms(db, inst, y.id).await?;
        years.push(YearInput {
            terms: terms
                .iter()
                .map(|t| PeriodInput {
                    name: t.name.clone(),
                    starts_on: t.starts_on.clone(),
                    ends_on: t.ends_on.clone(),
                })
                .collect(),
            holidays: holidays
                .iter()
                .filter(|h| h.starts_on >= y.starts_on && h.starts_on <= y.ends_on)
                .map(|h| PeriodInput {
                    name: h.name.clone(),
                    starts_on: h.starts_on.clone(),
                    ends_on: h.ends_on.clone(),
                })
                .collect(),
            name: y.name,
            starts_on: y.starts_on,
            ends_on: y.ends_on,
        });
    }
    let today: Date = app.today().parse().map_err(|_| AppError::Internal("today".into()))?;
    let under_way = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let next = years
        .iter()
        .filter_map(|y| rules::start_year(&y.name))
        .max()
        .map_or(under_way, |newest| newest + 1);
    Ok(Years {
        institution: inst,
        proposal: YearInput::from(&rules::template(kind, next)),
        years,
    })
}

/// Creates a school year with its terms and holidays, all or nothing.
pub async fn create_year(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    input: &YearInput,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let plan = plan_of(input)?;
    let db = app.db.pool();
    let existing = klade_store::year_lock::years(db, inst).await?;
    if existing.iter().any(|y| y.name == plan.name) {
        return Err(AppError::Conflict("year.exists"));
    }
    let (from, to) = (plan.starts_on.to_string(), plan.ends_on.to_string());
    if existing
        .iter()
        .any(|y| y.starts_on.as_str() <= to.as_str() && y.ends_on.as_str() >= from.as_str())
    {
        return Err(AppError::InvalidAt {
            field: "starts_on".into(),
            code: "year.overlaps_another",
        });
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let year = school::insert_school_year(&mut *tx, inst, &plan.name, &from, &to).await?;
    for (i, t) in plan.terms.iter().enumerate() {
        let ordinal = i64::try_from(i).unwrap_or(0) + 1;
        school::insert_term(
            &mut *tx,
            inst,
            year,
            ordinal,
            &t.name,
            &t.starts_on.to_string(),
            &t.ends_on.to_string(),
        )
        .await?;
    }
    for h in &plan.holidays {
        calendar::add_school_holiday(&mut *tx, inst, h.starts_on, h.ends_on, &h.name, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
