//! Retention (R29): what each institution's periods call to be erased now, reported, and done
//! with `apply`. Personal data is anonymised, not deleted, so the journals, their history chain
//! and the written archives stay whole; mail and access-log entries past their time are deleted.
//! The live journals themselves are not erased here: they go to the year-end archive.

use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::retention::Kind;
use klade_domain::{InstitutionId, PersonId};
use klade_store::retention as store;
use std::collections::HashMap;

/// What retention erased (or, without `apply`, would erase) in one institution.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub institution: String,
    pub people: Vec<PersonId>,
    pub messages: u64,
    pub access_log: u64,
}

fn years_before(today: Date, years: i64) -> Date {
    today.checked_sub(jiff::Span::new().years(years)).unwrap_or(today)
}

/// The periods of an institution: its own, or the defaults.
pub async fn periods(app: &App, institution: InstitutionId) -> Result<HashMap<&'static str, i64>, AppError> {
    let own = store::rules(app.db.pool(), institution).await?;
    Ok(Kind::ALL
        .into_iter()
        .map(|k| {
            let years = own
                .iter()
                .find(|(c, _)| c == k.code())
                .map(|(_, y)| *y)
                .unwrap_or(k.default_years());
            (k.code(), years)
        })
        .collect())
}

/// Sets an institution's period for a kind of data (the operator's console).
pub async fn set_period(app: &App, tenant: klade_domain::Tenant, kind: &str, years: i64) -> Result<(), AppError> {
    let kind = Kind::from_code(kind).ok_or(AppError::invalid("kind", "error.bad_request"))?;
    if !(1..=200).contains(&years) {
        return Err(AppError::invalid("years", "error.bad_request"));
    }
    store::set_rule(app.db.pool(), tenant, kind.code(), years).await?;
    Ok(())
}

/// Runs retention over every institution; erases only with `apply`.
pub async fn run(app: &App, apply: bool) -> Result<Vec<Report>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let now = app.now();
    let institutions = klade_store::institutions::list(db).await?;
    let mut periods_of = HashMap::new();
    for i in &institutions {
        periods_of.insert(i.id, periods(app, i.id).await?);
    }
    // A person is past their time when every right they held has ended, and ended longer ago
    // than the personal-data period of the institution where they held it.
    let mut last: HashMap<PersonId, (bool, InstitutionId)> = HashMap::new();
    for (person, inst, ended) in store::ended_memberships(db).await? {
        let years = periods_of
            .get(&inst)
            .and_then(|p| p.get(Kind::PersonalData.code()))
            .copied()
            .unwrap_or(Kind::PersonalData.default_years());
        let past = ended < years_before(today, years);
        let entry = last.entry(person).or_insert((true, inst));
        entry.0 &= past;
        entry.1 = inst;
    }
    let mut reports = Vec::new();
    let mut tx = app.db.begin().await?;
    for i in &institutions {
        let periods = &periods_of[&i.id];
        let mut people: Vec<PersonId> = last
            .iter()
            .filter(|(_, (past, inst))| *past && *inst == i.id)
            .map(|(p, _)| *p)
            .collect();
        people.sort();
        if apply {
            for p in &people {
                store::anonymise(&mut tx, *p, now).await?;
            }
        }
        let before = |kind: Kind| -> i64 {
            let d = years_before(today, periods[kind.code()]);
            d.to_zoned(crate::clock::riga())
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0)
        };
        let messages = store::old_messages(&mut *tx, i.id, before(Kind::Messages)).await?;
        if apply {
            store::delete_messages(&mut tx, klade_domain::Tenant::without_permit(i.id), &messages).await?;
        }
        let access_log = store::old_access_log(
            &mut tx,
            klade_domain::Tenant::without_permit(i.id),
            before(Kind::AccessLog),
            apply,
        )
        .await?;
        reports.push(Report {
            institution: i.name.clone(),
            people,
            messages: messages.len() as u64,
            access_log,
        });
    }
    tx.commit().await?;
    Ok(reports)
}
