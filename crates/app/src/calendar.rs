//! An institution's working-day calendar and deadline settings (R19, R25.2, J22): the year's days
//! off, worked days and school holidays, kept by those with `ManageCalendar`; the government's
//! days, kept by the installation's operator at the console.
//!
//! [`of`] is the one way a use case gets an institution's calendar. This module renders nothing;
//! bad input is refused before anything is written.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::calendar::{check_day, Calendar, DayError, DayKind};
use klade_domain::deadlines::{format_time, parse_time, Settings};
use klade_domain::{policy, Action, InstitutionId, Permit, Scope};
use klade_store::calendar::{self as store, SchoolHoliday};
use klade_store::StoreError;

/// The institution's calendar and its deadline settings.
pub async fn of(app: &App, institution: InstitutionId) -> Result<(Calendar, Settings), AppError> {
    Ok(store::load(app.db.pool(), institution).await?)
}

/// Each institution's calendar, kept per server while the rights counter stands: a change of its
/// days, school holidays or deadline settings moves the counter (by trigger), and every session
/// lookup reads it. The week, the diary and the journal ask it on every view.
pub(crate) type CalendarCache = crate::cache::Cache<InstitutionId, i64, std::sync::Arc<(Calendar, Settings)>>;

pub(crate) fn calendar_cache() -> CalendarCache {
    crate::cache::Cache::new(10_000)
}

/// The institution's calendar as of the rights counter `version` (the session's).
pub async fn cached(
    app: &App,
    institution: InstitutionId,
    version: i64,
) -> Result<std::sync::Arc<(Calendar, Settings)>, AppError> {
    if let Some(c) = app.calendars.get(&institution, &version) {
        return Ok(c);
    }
    let c = std::sync::Arc::new(of(app, institution).await?);
    app.calendars.put(institution, version, c.clone());
    Ok(c)
}

/// A date as the forms send it (`2026-01-02`, or `02.01.2026.`).
pub fn parse_date(text: &str, field: &'static str) -> Result<Date, AppError> {
    let t = text.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = t.trim_end_matches('.').split('.').collect();
    if let [d, m, y] = parts.as_slice() {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) {
            if let Ok(date) = Date::new(y, m, d) {
                return Ok(date);
            }
        }
    }
    Err(AppError::invalid(field, "calendar.bad_date"))
}

fn manage(session: &Session, institution: InstitutionId) -> Result<Permit, AppError> {
    Ok(policy::authorize(
        &session.actor,
        Action::ManageCalendar,
        Scope::Institution(institution),
    )?)
}

/// One line of a year's calendar.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DayLine {
    pub date: Date,
    /// `off`, `worked`, `holiday`, `festival` (stored rows) or `law` (a public holiday by law).
    pub kind: String,
    pub note: String,
    /// The government's row (read-only here), not the institution's own.
    pub government: bool,
    /// The government's row does not apply: the institution does not follow the transfers, or
    /// has its own row for the date.
    pub ignored: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarView {
    pub institution: InstitutionId,
    pub year: i16,
    pub days: Vec<DayLine>,
    pub holidays: Vec<SchoolHoliday>,
    pub follows_government: bool,
    /// Working days per month of the year, January first.
    pub working_days: Vec<u32>,
}

/// A year's calendar as the institution has it.
pub async fn view(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    year: i16,
) -> Result<CalendarView, AppError> {
    let permit = manage(session, institution)?;
    let inst = permit.institution();
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid("year", "calendar.bad_year"));
    }
    let db = app.db.pool();
    let (cal, settings) = of(app, inst).await?;
    let stored = store::days(db, Some(inst), true).await?;
    let own: Vec<Date> = stored
        .iter()
        .filter(|d| d.institution.is_some())
        .map(|d| d.date)
        .collect();
    let mut days: Vec<DayLine> = stored
        .into_iter()
        .filter(|d| d.date.year() == year)
        .map(|d| DayLine {
            ignored: d.institution.is_none() && (!settings.follows_government || own.contains(&d.date)),
            government: d.institution.is_none(),
            kind: d.kind.code().to_string(),
            date: d.date,
            note: d.note,
        })
        .collect();
    let mut day = Date::new(year, 1, 1).map_err(|_| AppError::invalid("year", "calendar.bad_year"))?;
    let mut working_days = vec![0_u32; 12];
    while day.year() == year {
        if cal.holiday_name(day).is_some() && !days.iter().any(|d| d.date == day) {
            days.push(DayLine {
                date: day,
                kind: "law".into(),
                note: String::new(),
                government: true,
                ignored: false,
            });
        }
        if cal.is_working_day(day) {
            if let Some(n) = working_days.get_mut(usize::try_from(day.month() - 1).unwrap_or(0)) {
                *n += 1;
            }
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    days.sort_by_key(|d| d.date);
    let holidays = store::school_holidays(db, inst)
        .await?
        .into_iter()
        .filter(|h| h.starts_on.year() == year || h.ends_on.year() == year)
        .collect();
    Ok(CalendarView {
        institution: inst,
        year,
        days,
        holidays,
        follows_government: settings.follows_government,
        working_days,
    })
}

fn day_error(e: DayError) -> AppError {
    match e {
        DayError::WorkedNotWeekend => AppError::invalid("date", "calendar.worked_not_weekend"),
        DayError::OffOnWeekend => AppError::invalid("date", "calendar.off_on_weekend"),
    }
}

fn checked(date: &str, kind: &str) -> Result<(Date, DayKind), AppError> {
    let date = parse_date(date, "date")?;
    let kind = DayKind::parse(kind).ok_or(AppError::invalid("kind", "calendar.bad_kind"))?;
    check_day(kind, date).map_err(day_error)?;
    Ok((date, kind))
}

fn stored(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict("calendar.exists"),
        e => e.into(),
    }
}

const MAX_NOTE: usize = 200;

fn note(text: &str) -> Result<&str, AppError> {
    let t = text.trim();
    if t.chars().count() > MAX_NOTE {
        return Err(AppError::invalid("note", "calendar.note_long"));
    }
    Ok(t)
}

/// The institution's own day off, worked day, one-off holiday or festival day.
pub async fn add_day(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    date: &str,
    kind: &str,
    text: &str,
) -> Result<i64, AppError> {
    let permit = manage(session, institution)?;
    let inst = permit.institution();
    let (date, kind) = checked(date, kind)?;
    store::add_day(app.db.pool(), Some(inst), date, kind, note(text)?, app.now())
        .await
        .map_err(stored)
}

pub async fn remove_day(app: &App, session: &Session, institution: InstitutionId, date: &str) -> Result<(), AppError> {
    let permit = manage(session, institution)?;
    let inst = permit.institution();
    let date = parse_date(date, "date")?;
    if store::remove_day(app.db.pool(), Some(inst), date).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A school holiday from `from` to `to`, both included.
pub async fn add_holiday(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    from: &str,
    to: &str,
    name: &str,
) -> Result<i64, AppError> {
    let permit = manage(session, institution)?;
    let from = parse_date(from, "from")?;
    let to = parse_date(to, "to")?;
    if to < from {
        return Err(AppError::invalid("to", "calendar.range_backwards"));
    }
    if to.since(from).map_or(true, |s| s.get_days() > 120) {
        return Err(AppError::invalid("to", "calendar.range_long"));
    }
    Ok(store::add_school_holiday(app.db.pool(), permit.tenant(), from, to, note(name)?, app.now()).await?)
}

pub async fn remove_holiday(app: &App, session: &Session, institution: InstitutionId, id: i64) -> Result<(), AppError> {
    let permit = manage(session, institution)?;
    if store::remove_school_holiday(app.db.pool(), permit.tenant(), id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

// ---- the government's days, kept at the console ----

/// Adds a government day (the operator at the console: no session, no institution).
pub async fn add_government_day(app: &App, date: &str, kind: &str, text: &str) -> Result<i64, AppError> {
    let (date, kind) = checked(date, kind)?;
    store::add_day(app.db.pool(), None, date, kind, note(text)?, app.now())
        .await
        .map_err(stored)
}

pub async fn remove_government_day(app: &App, date: &str) -> Result<(), AppError> {
    let date = parse_date(date, "date")?;
    if store::remove_day(app.db.pool(), None, date).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn government_days(app: &App) -> Result<Vec<store::Day>, AppError> {
    Ok(store::days(app.db.pool(), None, true).await?)
}

// ---- deadline settings ----

/// The settings as a form shows and sends them: times `HH:MM`, numbers as text.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub follows_government: bool,
    pub lessons_by: String,
    pub preschool_attendance_by: String,
    pub preschool_journal_by: String,
    pub formative_days: String,
    pub summative_days: String,
    pub excuse_days: String,
    pub summary_day: String,
    pub summary_day_june: String,
    pub account_days: String,
    pub holidays_stop_grading: bool,
    pub reminders: bool,
    pub reminder_minutes: String,
}

impl SettingsForm {
    pub fn from_settings(s: &Settings) -> Self {
        Self {
            follows_government: s.follows_government,
            lessons_by: format_time(s.lessons_by),
            preschool_attendance_by: format_time(s.preschool_attendance_by),
            preschool_journal_by: format_time(s.preschool_journal_by),
            formative_days: s.formative_days.to_string(),
            summative_days: s.summative_days.to_string(),
            excuse_days: s.excuse_days.to_string(),
            summary_day: s.summary_day.to_string(),
            summary_day_june: s.summary_day_june.to_string(),
            account_days: s.account_days.to_string(),
            holidays_stop_grading: s.holidays_stop_grading,
            reminders: s.reminders,
            reminder_minutes: s.reminder_minutes.to_string(),
        }
    }

    /// The settings, or the first field that is wrong.
    pub fn parse(&self) -> Result<Settings, AppError> {
        fn time(field: &'static str, v: &str) -> Result<jiff::civil::Time, AppError> {
            parse_time(field, v).map_err(|e| AppError::invalid(e.field(), "settings.bad_time"))
        }
        fn number<T: std::str::FromStr>(field: &'static str, v: &str) -> Result<T, AppError> {
            v.trim()
                .parse()
                .map_err(|_| AppError::invalid(field, "settings.bad_number"))
        }
        let s = Settings {
            follows_government: self.follows_government,
            lessons_by: time("lessons_by", &self.lessons_by)?,
            preschool_attendance_by: time("preschool_attendance_by", &self.preschool_attendance_by)?,
            preschool_journal_by: time("preschool_journal_by", &self.preschool_journal_by)?,
            formative_days: number("formative_days", &self.formative_days)?,
            summative_days: number("summative_days", &self.summative_days)?,
            excuse_days: number("excuse_days", &self.excuse_days)?,
            summary_day: number("summary_day", &self.summary_day)?,
            summary_day_june: number("summary_day_june", &self.summary_day_june)?,
            account_days: number("account_days", &self.account_days)?,
            holidays_stop_grading: self.holidays_stop_grading,
            reminders: self.reminders,
            reminder_minutes: number("reminder_minutes", &self.reminder_minutes)?,
        };
        s.check()
            .map_err(|e| AppError::invalid(e.field(), "settings.out_of_range"))?;
        Ok(s)
    }
}

pub async fn settings(app: &App, session: &Session, institution: InstitutionId) -> Result<SettingsForm, AppError> {
    let permit = manage(session, institution)?;
    let inst = permit.institution();
    Ok(SettingsForm::from_settings(
        &store::settings(app.db.pool(), inst).await?,
    ))
}

pub async fn save_settings(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    form: &SettingsForm,
) -> Result<(), AppError> {
    let permit = manage(session, institution)?;
    let s = form.parse()?;
    store::save_settings(app.db.pool(), permit.tenant(), &s, session.person, app.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        assert_eq!(parse_date("2026-01-02", "d").ok(), Some(jiff::civil::date(2026, 1, 2)));
        assert_eq!(parse_date("02.01.2026.", "d").ok(), Some(jiff::civil::date(2026, 1, 2)));
        assert!(parse_date("31.02.2026.", "d").is_err());
        assert!(parse_date("2026-13-01", "d").is_err());
        assert!(parse_date("rīt", "d").is_err());
    }

    #[test]
    fn a_bad_time_names_its_field() {
        let mut form = SettingsForm::from_settings(&Settings::default());
        assert!(form.parse().is_ok());
        form.lessons_by = "25:00".into();
        match form.parse() {
            Err(AppError::Invalid { field, code }) => {
                assert_eq!((field, code), ("lessons_by", "settings.bad_time"));
            }
            other => panic!("{other:?}"),
        }
    }
}
