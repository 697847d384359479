//! When each obligation the clauses set falls due: the institution's deadline settings (with the
//! clauses' values as defaults) and the rules that turn a lesson's day, an assessment's hand-in
//! date or a month into a due date and time.
//!
//! Pure rules: the calendar and the settings come in as values, and a due time is a civil date and
//! time in Latvia; turning it into an instant, finding what is overdue and who must act are the
//! store's and the app's.

use crate::calendar::{Calendar, Clock};
use jiff::civil::{Date, Time};

/// An institution's deadlines. `Default` is what the clauses say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The government's transfers of working days apply here (they bind state bodies; a
    /// municipal school may keep its own calendar).
    pub follows_government: bool,
    /// A school lesson's topic and attendance, by this time of its day (R19).
    pub lessons_by: Time,
    /// A preschool group's attendance, by this time of the day (J22).
    pub preschool_attendance_by: Time,
    /// A preschool group's daily journal, by this time of the day (J27).
    pub preschool_journal_by: Time,
    /// Formative work graded within this many working days of its hand-in date.
    pub formative_days: u32,
    /// Summative work graded within this many working days of its hand-in date.
    pub summative_days: u32,
    /// Absences excused by the end of their month plus this many working days (0: the month's end).
    pub excuse_days: u32,
    /// The monthly absence summary for the previous month, by this day of the month (R25.2).
    pub summary_day: i8,
    /// … except in June, by this day.
    pub summary_day_june: i8,
    /// A new employee's account within this many days of starting work (R8).
    pub account_days: u32,
    /// School holidays stop the grading clock (school days instead of working days).
    pub holidays_stop_grading: bool,
    /// Reminders go out before a deadline.
    pub reminders: bool,
    /// How long before a due time the reminder goes out.
    pub reminder_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            follows_government: true,
            lessons_by: Time::constant(18, 0, 0, 0),
            preschool_attendance_by: Time::constant(9, 0, 0, 0),
            preschool_journal_by: Time::constant(19, 0, 0, 0),
            formative_days: 3,
            summative_days: 10,
            excuse_days: 0,
            summary_day: 12,
            summary_day_june: 30,
            account_days: 7,
            holidays_stop_grading: false,
            reminders: true,
            reminder_minutes: 120,
        }
    }
}

/// Why a setting cannot be stored; each names its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{0}: a time is written HH:MM, from 00:00 to 23:59")]
    Time(&'static str),
    #[error("{0}: out of range")]
    Range(&'static str),
}

impl SettingsError {
    pub fn field(self) -> &'static str {
        match self {
            Self::Time(f) | Self::Range(f) => f,
        }
    }
}

/// Reads `HH:MM` (24-hour). `25:00`, `18:60`, `6pm` are refused.
pub fn parse_time(field: &'static str, text: &str) -> Result<Time, SettingsError> {
    let t = text.trim();
    let (h, m) = t.split_once(':').ok_or(SettingsError::Time(field))?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(SettingsError::Time(field));
    }
    let (h, m): (i8, i8) = (
        h.parse().map_err(|_| SettingsError::Time(field))?,
        m.parse().map_err(|_| SettingsError::Time(field))?,
    );
    Time::new(h, m, 0, 0).map_err(|_| SettingsError::Time(field))
}

/// `18:00`.
pub fn format_time(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl Settings {
    /// Checks the lengths; times are checked when read.
    pub fn check(&self) -> Result<(), SettingsError> {
        let within = |v: u32, max: u32, f: &'static str| if v <= max { Ok(()) } else { Err(SettingsError::Range(f)) };
        within(self.formative_days, 60, "formative_days")?;
        within(self.summative_days, 60, "summative_days")?;
        within(self.excuse_days, 60, "excuse_days")?;
        within(self.account_days, 60, "account_days")?;
        within(self.reminder_minutes, 24 * 60, "reminder_minutes")?;
        if !(1..=28).contains(&self.summary_day) {
            return Err(SettingsError::Range("summary_day"));
        }
        if !(1..=30).contains(&self.summary_day_june) {
            return Err(SettingsError::Range("summary_day_june"));
        }
        Ok(())
    }

    fn grading_clock(&self) -> Clock {
        if self.holidays_stop_grading {
            Clock::SchoolDays
        } else {
            Clock::WorkingDays
        }
    }
}

/// The kinds of assessment that carry a grading deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GradedWork {
    Formative,
    Summative,
}

impl GradedWork {
    /// From an assessment's stored kind; interim, semester, year and final grades have no
    /// deadline of their own.
    pub fn of_kind(kind: &str) -> Option<Self> {
        match kind {
            "formative" => Some(Self::Formative),
            "summative" => Some(Self::Summative),
            _ => None,
        }
    }
}

/// The day by which work handed in on `handed_in` must be graded (the end of that day).
pub fn grades_due(cal: &Calendar, settings: &Settings, work: GradedWork, handed_in: Date) -> Date {
    let n = match work {
        GradedWork::Formative => settings.formative_days,
        GradedWork::Summative => settings.summative_days,
    };
    cal.add_days(handed_in, n, settings.grading_clock())
}

/// The day by which the absences of the month containing `day` must be excused (end of day).
pub fn excuses_due(cal: &Calendar, settings: &Settings, day: Date) -> Date {
    cal.add_working_days(day.last_of_month(), settings.excuse_days)
}

/// The day by which the absence summary of a month (`year`, `month`) is due: the
/// `summary_day` of the next month, in June the `summary_day_june` (R25.2).
pub fn summary_due(settings: &Settings, year: i16, month: i8) -> Option<Date> {
    let next = Date::new(year, month, 1).ok()?.last_of_month().tomorrow().ok()?;
    let day = if next.month() == 6 {
        settings.summary_day_june
    } else {
        settings.summary_day
    };
    Date::new(next.year(), next.month(), day.min(next.days_in_month())).ok()
}

/// The day by which a preschool group's plan for the month starting `first_of_month` is due: the
/// last working day of the month before (J24).
pub fn plan_due(cal: &Calendar, first_of_month: Date) -> Option<Date> {
    let before = first_of_month.yesterday().ok()?;
    cal.last_working_day_of_month(before.year(), before.month())
}

/// The day by which an employee who started on `employed_from` must have an account (R8).
pub fn account_due(settings: &Settings, employed_from: Date) -> Date {
    employed_from
        .checked_add(jiff::Span::new().days(i64::from(settings.account_days)))
        .unwrap_or(employed_from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        Calendar::latvia()
            .with_day_off(date(2026, 1, 2))
            .with_day_worked(date(2026, 1, 17))
    }

    #[test]
    fn times_are_24_hour() {
        assert_eq!(parse_time("t", "18:00"), Ok(Time::constant(18, 0, 0, 0)));
        assert_eq!(parse_time("t", " 9:05 "), Ok(Time::constant(9, 5, 0, 0)));
        for bad in ["25:00", "18:60", "18", "6pm", "18:5", "", "-1:00", "18:00:00"] {
            assert_eq!(parse_time("t", bad), Err(SettingsError::Time("t")), "{bad}");
        }
        assert_eq!(format_time(Time::constant(9, 0, 0, 0)), "09:00");
    }

    #[test]
    fn grading_deadlines_count_working_days() {
        let s = Settings::default();
        assert_eq!(
            grades_due(&cal(), &s, GradedWork::Formative, date(2026, 4, 30)),
            date(2026, 5, 7)
        );
        assert_eq!(
            grades_due(&cal(), &s, GradedWork::Summative, date(2025, 12, 19)),
            date(2026, 1, 12)
        );
        assert_eq!(
            grades_due(&Calendar::latvia(), &s, GradedWork::Summative, date(2025, 12, 19)),
            date(2026, 1, 9)
        );
        let stop = Settings {
            holidays_stop_grading: true,
            ..Settings::default()
        };
        let school = cal().with_school_holiday(date(2026, 3, 9), date(2026, 3, 13));
        assert_eq!(
            grades_due(&school, &stop, GradedWork::Formative, date(2026, 3, 6)),
            date(2026, 3, 18)
        );
        assert_eq!(GradedWork::of_kind("interim"), None);
    }

    #[test]
    fn monthly_deadlines() {
        let s = Settings::default();
        assert_eq!(summary_due(&s, 2026, 1), Some(date(2026, 2, 12)));
        assert_eq!(summary_due(&s, 2026, 5), Some(date(2026, 6, 30)));
        assert_eq!(summary_due(&s, 2025, 12), Some(date(2026, 1, 12)));
        assert_eq!(excuses_due(&cal(), &s, date(2026, 3, 10)), date(2026, 3, 31));
        let grace = Settings {
            excuse_days: 2,
            ..Settings::default()
        };
        // 31 Jan 2026 is a Saturday: two working days on is Tuesday 3 February.
        assert_eq!(excuses_due(&cal(), &grace, date(2026, 1, 5)), date(2026, 2, 3));
        assert_eq!(plan_due(&cal(), date(2026, 6, 1)), Some(date(2026, 5, 29)));
        assert_eq!(account_due(&s, date(2026, 9, 1)), date(2026, 9, 8));
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(Settings::default().check(), Ok(()));
        let bad = Settings {
            summary_day: 0,
            ..Settings::default()
        };
        assert_eq!(bad.check(), Err(SettingsError::Range("summary_day")));
        let bad = Settings {
            formative_days: 100,
            ..Settings::default()
        };
        assert_eq!(bad.check().map_err(SettingsError::field), Err("formative_days"));
    }
}
