//! The Latvian working-day calendar: which days are public holidays, which are working days,
//! which are school days, and how deadlines counted in working days land.
//!
//! The law's part (the fixed holidays, Easter, the move of a weekend 4 May or 18 November) is
//! computed here for any year. Everything the law leaves to a decision of the year is data that
//! comes in from the store through the builder: the Cabinet's transfers of working days, one-off
//! holidays, the Song and Dance Festival's closing day, an institution's school holidays. This
//! module does no I/O and never reads the clock; "today" is always an argument.
//!
//! Mother's Day and Pentecost are holidays too, but they always fall on a Sunday and so never
//! take a working day; they are left out rather than carried as names nobody can act on.

use std::collections::BTreeSet;

use jiff::civil::{date, Date, Weekday};

/// Why a day is a public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holiday {
    /// 1 January.
    NewYear,
    GoodFriday,
    EasterSunday,
    EasterMonday,
    /// 1 May, also the convocation of the Constituent Assembly.
    LabourDay,
    /// 4 May, the restoration of independence.
    IndependenceRestoration,
    /// 23 June, Līgo.
    Ligo,
    /// 24 June, Jāņi.
    Jani,
    /// 18 November, the proclamation of the Republic.
    ProclamationDay,
    ChristmasEve,
    Christmas,
    SecondChristmas,
    NewYearsEve,
    /// The working day that replaces a 4 May, 18 November or festival closing day that fell on a
    /// Saturday or Sunday.
    Moved,
    /// The closing day of the General Latvian Song and Dance Festival.
    Festival,
    /// A one-off holiday declared for one date.
    Declared,
}

/// How a deadline counts its days. Labour law counts working days, so school holidays do not stop
/// the clock unless an institution chooses school days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Clock {
    #[default]
    WorkingDays,
    SchoolDays,
}

/// What a stored calendar row says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A working day made a day off by a transfer.
    Off,
    /// A Saturday or Sunday worked in exchange for a transfer.
    Worked,
    /// A one-off public holiday.
    Holiday,
    /// The closing day of the Song and Dance Festival.
    Festival,
}

impl DayKind {
    pub const ALL: [DayKind; 4] = [Self::Off, Self::Worked, Self::Holiday, Self::Festival];

    /// The stored name.
    pub fn code(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Worked => "worked",
            Self::Holiday => "holiday",
            Self::Festival => "festival",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// Why a calendar row cannot be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    /// Only a Saturday or Sunday can be worked in exchange.
    #[error("a worked day must be a Saturday or a Sunday")]
    WorkedNotWeekend,
    /// A transfer frees a working day; a weekend day is free already.
    #[error("a transferred day off must be a weekday")]
    OffOnWeekend,
}

/// Checks a row before it is stored.
pub fn check_day(kind: DayKind, day: Date) -> Result<(), DayError> {
    match kind {
        DayKind::Worked if !is_weekend(day) => Err(DayError::WorkedNotWeekend),
        DayKind::Off if is_weekend(day) => Err(DayError::OffOnWeekend),
        _ => Ok(()),
    }
}

/// One institution's calendar: the law plus the dates the year decided.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    /// Weekdays that are off without being holidays: the Cabinet's transfers.
    days_off: BTreeSet<Date>,
    /// Saturdays (or other days) worked in exchange for a transfer.
    days_worked: BTreeSet<Date>,
    declared: BTreeSet<Date>,
    festival_days: BTreeSet<Date>,
    /// Inclusive ranges, normalised so that the first date is not after the second.
    school_holidays: Vec<(Date, Date)>,
}

impl Calendar {
    /// The law alone: no transfers, no one-off holidays, no festival, no school holidays.
    pub fn latvia() -> Self {
        Self::default()
    }

    /// A working day made a day off by a transfer. It is not a holiday: it has no name and the day
    /// before it is not shortened.
    pub fn with_day_off(mut self, day: Date) -> Self {
        self.days_off.insert(day);
        self
    }

    /// A day worked in exchange for a transfer, usually a Saturday. It wins over anything else the
    /// calendar says about that day, since the decision that names it is the later one.
    pub fn with_day_worked(mut self, day: Date) -> Self {
        self.days_worked.insert(day);
        self
    }

    /// A one-off public holiday (for example 29 May 2023). It does not move if it is a weekend day;
    /// a one-off is declared for the date it is meant to free.
    pub fn with_declared_holiday(mut self, day: Date) -> Self {
        self.declared.insert(day);
        self
    }

    /// The closing day of the General Latvian Song and Dance Festival in a festival year. Like 4 May
    /// and 18 November, if it is a Saturday or Sunday the next working day is off.
    pub fn with_festival_closing_day(mut self, day: Date) -> Self {
        self.festival_days.insert(day);
        self
    }

    /// A school holiday (brīvlaiks), both ends included. The order of the ends does not matter.
    pub fn with_school_holiday(mut self, from: Date, to: Date) -> Self {
        self.school_holidays.push((from.min(to), from.max(to)));
        self
    }

    /// Adds a stored row of the given kind.
    pub fn with_day(self, kind: DayKind, day: Date) -> Self {
        match kind {
            DayKind::Off => self.with_day_off(day),
            DayKind::Worked => self.with_day_worked(day),
            DayKind::Holiday => self.with_declared_holiday(day),
            DayKind::Festival => self.with_festival_closing_day(day),
        }
    }

    /// Which holiday `day` is, if any, including a day off that replaces a weekend holiday.
    pub fn holiday_name(&self, day: Date) -> Option<Holiday> {
        self.own_holiday(day)
            .or_else(|| self.is_substitute(day).then_some(Holiday::Moved))
    }

    pub fn is_public_holiday(&self, day: Date) -> bool {
        self.holiday_name(day).is_some()
    }

    /// Monday to Friday and neither a holiday nor a transferred day off; or a day named as worked.
    pub fn is_working_day(&self, day: Date) -> bool {
        if self.days_worked.contains(&day) {
            return true;
        }
        !is_weekend(day) && !self.days_off.contains(&day) && !self.is_public_holiday(day)
    }

    /// A working day outside the school holidays.
    pub fn is_school_day(&self, day: Date) -> bool {
        self.is_working_day(day) && !self.is_school_holiday(day)
    }

    pub fn is_school_holiday(&self, day: Date) -> bool {
        self.school_holidays.iter().any(|&(from, to)| from <= day && day <= to)
    }

    /// A working day one hour shorter because the next day is a public holiday. A transferred day
    /// off is not a holiday, so the day before it keeps its full length.
    pub fn is_shortened(&self, day: Date) -> bool {
        self.is_working_day(day) && day.tomorrow().is_ok_and(|next| self.is_public_holiday(next))
    }

    /// The date `n` working days after `day`: counting starts the day after, so `n = 0` gives
    /// `day` itself even when it is not a working day.
    pub fn add_working_days(&self, day: Date, n: u32) -> Date {
        self.add_days(day, n, Clock::WorkingDays)
    }

    /// The date `n` days after `day` as `clock` counts them; see [`Calendar::add_working_days`].
    /// Stops at the last date the calendar can represent rather than fail.
    pub fn add_days(&self, day: Date, n: u32, clock: Clock) -> Date {
        let mut current = day;
        let mut left = n;
        while left > 0 {
            let Ok(next) = current.tomorrow() else {
                return current;
            };
            current = next;
            if self.counts(current, clock) {
                left -= 1;
            }
        }
        current
    }

    /// The first working day after `day`.
    pub fn next_working_day(&self, day: Date) -> Date {
        self.add_working_days(day, 1)
    }

    /// The working days `d` with `from < d <= to`: `from` is excluded and `to` included, so that
    /// `working_days_between(d, add_working_days(d, n)) == n`. Zero when `to` is not after `from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut current = from;
        while current < to {
            let Ok(next) = current.tomorrow() else {
                break;
            };
            current = next;
            if self.is_working_day(current) {
                count += 1;
            }
        }
        count
    }

    /// The last working day of a month, or `None` if the month does not exist or has no working
    /// day at all.
    pub fn last_working_day_of_month(&self, year: i16, month: i8) -> Option<Date> {
        let first = Date::new(year, month, 1).ok()?;
        let mut current = first.last_of_month();
        loop {
            if self.is_working_day(current) {
                return Some(current);
            }
            if current == first {
                return None;
            }
            current = current.yesterday().ok()?;
        }
    }

    fn counts(&self, day: Date, clock: Clock) -> bool {
        match clock {
            Clock::WorkingDays => self.is_working_day(day),
            Clock::SchoolDays => self.is_school_day(day),
        }
    }

    /// A holiday by its own date, before any move.
    fn own_holiday(&self, day: Date) -> Option<Holiday> {
        if let Some(holiday) = fixed_holiday(day) {
            return Some(holiday);
        }
        let from_easter = i32::from(day.day_of_year()) - i32::from(easter_sunday(day.year()).day_of_year());
        match from_easter {
            -2 => return Some(Holiday::GoodFriday),
            0 => return Some(Holiday::EasterSunday),
            1 => return Some(Holiday::EasterMonday),
            _ => {}
        }
        if self.festival_days.contains(&day) {
            return Some(Holiday::Festival);
        }
        if self.declared.contains(&day) {
            return Some(Holiday::Declared);
        }
        None
    }

    /// Whether `day` is the day off that replaces a 4 May, 18 November or festival closing day
    /// falling on a weekend.
    fn is_substitute(&self, day: Date) -> bool {
        if is_weekend(day) {
            return false;
        }
        let year = day.year();
        [date(year, 5, 4), date(year, 11, 18)]
            .into_iter()
            .chain(self.festival_days.iter().copied())
            .any(|moving| self.substitute_for(moving) == Some(day))
    }

    /// The next weekday after a weekend `moving` holiday that is not itself a holiday.
    fn substitute_for(&self, moving: Date) -> Option<Date> {
        if !is_weekend(moving) {
            return None;
        }
        let mut current = moving.tomorrow().ok()?;
        while is_weekend(current) || self.own_holiday(current).is_some() {
            current = current.tomorrow().ok()?;
        }
        Some(current)
    }
}

/// Easter Sunday of the Gregorian calendar, by the anonymous algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // h < 30 and l < 7 keep n within 107..=149: always 22 March to 26 April, a valid date.
    date(year, (n / 31) as i8, (n % 31 + 1) as i8)
}

fn fixed_holiday(day: Date) -> Option<Holiday> {
    Some(match (day.month(), day.day()) {
        (1, 1) => Holiday::NewYear,
        (5, 1) => Holiday::LabourDay,
        (5, 4) => Holiday::IndependenceRestoration,
        (6, 23) => Holiday::Ligo,
        (6, 24) => Holiday::Jani,
        (11, 18) => Holiday::ProclamationDay,
        (12, 24) => Holiday::ChristmasEve,
        (12, 25) => Holiday::Christmas,
        (12, 26) => Holiday::SecondChristmas,
        (12, 31) => Holiday::NewYearsEve,
        _ => return None,
    })
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `23.11.2026.`, the way Latvian users write a date.
pub fn format_date(d: jiff::civil::Date) -> String {
    format!("{:02}.{:02}.{}.", d.day(), d.month(), d.year())
}

/// `23.11.2026. 17:55` in Riga time.
pub fn format_instant(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => {
            let z = t.to_zoned(crate::notification_policy::riga());
            format!("{} {:02}:{:02}", format_date(z.date()), z.hour(), z.minute())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Cabinet's transfers for 2026.
    fn calendar_2026() -> Calendar {
        Calendar::latvia()
            .with_day_off(date(2026, 1, 2))
            .with_day_worked(date(2026, 1, 17))
            .with_day_off(date(2026, 6, 22))
            .with_day_worked(date(2026, 6, 27))
    }

    #[test]
    fn easter_by_year() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        // The extremes of the range.
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
        assert_eq!(easter_sunday(1943), date(1943, 4, 25));
    }

    #[test]
    fn every_public_holiday_of_2026() {
        let cal = calendar_2026();
        let expected = [
            (date(2026, 1, 1), Holiday::NewYear),
            (date(2026, 4, 3), Holiday::GoodFriday),
            (date(2026, 4, 5), Holiday::EasterSunday),
            (date(2026, 4, 6), Holiday::EasterMonday),
            (date(2026, 5, 1), Holiday::LabourDay),
            (date(2026, 5, 4), Holiday::IndependenceRestoration),
            (date(2026, 6, 23), Holiday::Ligo),
            (date(2026, 6, 24), Holiday::Jani),
            (date(2026, 11, 18), Holiday::ProclamationDay),
            (date(2026, 12, 24), Holiday::ChristmasEve),
            (date(2026, 12, 25), Holiday::Christmas),
            (date(2026, 12, 26), Holiday::SecondChristmas),
            (date(2026, 12, 31), Holiday::NewYearsEve),
        ];
        let mut found = Vec::new();
        let mut day = date(2026, 1, 1);
        while day.year() == 2026 {
            if let Some(holiday) = cal.holiday_name(day) {
                found.push((day, holiday));
            }
            day = day.tomorrow().expect("within range");
        }
        assert_eq!(found, expected);
        for (day, _) in expected {
            assert!(cal.is_public_holiday(day));
            assert!(!cal.is_working_day(day));
        }
    }

    #[test]
    fn transfers_are_days_off_but_not_holidays() {
        let cal = calendar_2026();
        for off in [date(2026, 1, 2), date(2026, 6, 22)] {
            assert!(!cal.is_working_day(off));
            assert!(!cal.is_public_holiday(off));
            assert_eq!(cal.holiday_name(off), None);
        }
        for worked in [date(2026, 1, 17), date(2026, 6, 27)] {
            assert_eq!(worked.weekday(), Weekday::Saturday);
            assert!(cal.is_working_day(worked));
        }
        // The law alone knows none of this.
        let law = Calendar::latvia();
        assert!(law.is_working_day(date(2026, 1, 2)));
        assert!(!law.is_working_day(date(2026, 1, 17)));

        let autumn_2025 = Calendar::latvia()
            .with_day_off(date(2025, 11, 17))
            .with_day_worked(date(2025, 11, 8));
        assert!(!autumn_2025.is_working_day(date(2025, 11, 17)));
        assert!(autumn_2025.is_working_day(date(2025, 11, 8)));
        assert!(!autumn_2025.is_working_day(date(2025, 11, 18)));
    }

    #[test]
    fn working_days_per_month_of_2026() {
        let cal = calendar_2026();
        // Weekdays, less holidays and transferred days off, plus worked Saturdays:
        // Jan 22-2+1, Apr 22-2, May 21-2, Jun 22-3+1, Nov 21-1, Dec 23-3.
        let expected = [21, 20, 22, 20, 19, 20, 23, 21, 22, 22, 20, 20];
        for (month, want) in (1..=12).zip(expected) {
            let first = date(2026, month, 1);
            let before = first.yesterday().expect("within range");
            assert_eq!(
                cal.working_days_between(before, first.last_of_month()),
                want,
                "month {month}"
            );
        }
        assert_eq!(cal.working_days_between(date(2025, 12, 31), date(2026, 12, 31)), 250);
    }

    #[test]
    fn weekend_independence_and_proclamation_days_move() {
        let cal = Calendar::latvia();
        // 18 Nov 2023 was a Saturday.
        assert_eq!(cal.holiday_name(date(2023, 11, 18)), Some(Holiday::ProclamationDay));
        assert_eq!(cal.holiday_name(date(2023, 11, 20)), Some(Holiday::Moved));
        assert!(!cal.is_working_day(date(2023, 11, 20)));
        assert!(cal.is_working_day(date(2023, 11, 21)));
        // 4 May 2024 was a Saturday.
        assert_eq!(cal.holiday_name(date(2024, 5, 6)), Some(Holiday::Moved));
        assert!(cal.is_working_day(date(2024, 5, 7)));
        // 4 May 2025 was a Sunday.
        assert_eq!(cal.holiday_name(date(2025, 5, 5)), Some(Holiday::Moved));
        assert!(cal.is_working_day(date(2025, 5, 6)));
        // 18 Nov 2029 is a Sunday.
        assert_eq!(cal.holiday_name(date(2029, 11, 19)), Some(Holiday::Moved));
        // Other weekend holidays stay where they are: 1 May 2027 is a Saturday, 3 May a Monday
        // (4 May 2027 itself is a Tuesday).
        assert!(cal.is_working_day(date(2027, 5, 3)));
        // Christmas and Second Christmas 2027 fall on Saturday and Sunday; Monday stays worked.
        assert!(cal.is_working_day(date(2027, 12, 27)));
    }

    #[test]
    fn deadlines_in_working_days() {
        let cal = calendar_2026();
        assert_eq!(cal.add_working_days(date(2026, 4, 30), 3), date(2026, 5, 7));
        assert_eq!(cal.add_working_days(date(2025, 12, 19), 10), date(2026, 1, 12));
        assert_eq!(
            Calendar::latvia().add_working_days(date(2025, 12, 19), 10),
            date(2026, 1, 9)
        );
        // Zero is the day itself, even a holiday.
        assert_eq!(cal.add_working_days(date(2026, 5, 1), 0), date(2026, 5, 1));
        assert_eq!(cal.next_working_day(date(2026, 12, 23)), date(2026, 12, 28));
        assert_eq!(cal.next_working_day(date(2026, 1, 16)), date(2026, 1, 17));
    }

    #[test]
    fn between_inverts_adding() {
        let cal = calendar_2026();
        for start in [
            date(2025, 12, 19),
            date(2026, 4, 30),
            date(2026, 6, 19),
            date(2026, 1, 1),
        ] {
            for n in 0..40 {
                assert_eq!(cal.working_days_between(start, cal.add_working_days(start, n)), n);
            }
        }
        assert_eq!(cal.working_days_between(date(2026, 3, 10), date(2026, 3, 2)), 0);
        assert_eq!(cal.working_days_between(date(2026, 3, 10), date(2026, 3, 10)), 0);
    }

    #[test]
    fn one_off_and_festival_days_of_2023() {
        let cal = Calendar::latvia()
            .with_declared_holiday(date(2023, 5, 29))
            .with_festival_closing_day(date(2023, 7, 9));
        assert_eq!(cal.holiday_name(date(2023, 5, 29)), Some(Holiday::Declared));
        assert!(!cal.is_working_day(date(2023, 5, 29)));
        assert_eq!(cal.holiday_name(date(2023, 7, 9)), Some(Holiday::Festival));
        assert_eq!(cal.holiday_name(date(2023, 7, 10)), Some(Holiday::Moved));
        assert!(!cal.is_working_day(date(2023, 7, 10)));
        assert!(cal.is_working_day(date(2023, 7, 11)));
        assert!(Calendar::latvia().is_working_day(date(2023, 7, 10)));

        // A festival closing day on a weekday simply is the holiday.
        let weekday = Calendar::latvia().with_festival_closing_day(date(2028, 7, 5));
        assert_eq!(weekday.holiday_name(date(2028, 7, 5)), Some(Holiday::Festival));
        assert!(weekday.is_working_day(date(2028, 7, 6)));
    }

    #[test]
    fn last_working_day_of_a_month() {
        let cal = calendar_2026();
        assert_eq!(cal.last_working_day_of_month(2026, 5), Some(date(2026, 5, 29)));
        assert_eq!(cal.last_working_day_of_month(2026, 12), Some(date(2026, 12, 30)));
        assert_eq!(cal.last_working_day_of_month(2026, 6), Some(date(2026, 6, 30)));
        assert_eq!(cal.last_working_day_of_month(2026, 13), None);
    }

    #[test]
    fn shortened_days() {
        let cal = calendar_2026();
        assert!(cal.is_shortened(date(2026, 4, 30)));
        assert!(cal.is_shortened(date(2026, 12, 23)));
        assert!(cal.is_shortened(date(2026, 12, 30)));
        assert!(cal.is_shortened(date(2026, 11, 17)));
        // Not before a transferred day off, and not on a day that is itself off.
        assert!(!cal.is_shortened(date(2026, 6, 19)));
        assert!(!cal.is_shortened(date(2026, 6, 22)));
        assert!(!cal.is_shortened(date(2026, 4, 29)));
    }

    #[test]
    fn school_holidays_do_not_stop_the_working_day_clock() {
        let cal = calendar_2026()
            .with_school_holiday(date(2025, 10, 20), date(2025, 10, 24))
            .with_school_holiday(date(2025, 12, 22), date(2026, 1, 2))
            .with_school_holiday(date(2026, 3, 9), date(2026, 3, 13))
            .with_school_holiday(date(2026, 8, 31), date(2026, 6, 1));
        let monday = date(2026, 3, 9);
        assert!(cal.is_working_day(monday));
        assert!(!cal.is_school_day(monday));
        assert!(cal.is_school_day(date(2026, 3, 16)));
        assert!(!cal.is_school_day(date(2026, 7, 1)));
        assert!(!cal.is_school_day(date(2026, 3, 14)));

        assert_eq!(cal.add_working_days(date(2026, 3, 6), 5), date(2026, 3, 13));
        assert_eq!(cal.add_days(date(2026, 3, 6), 5, Clock::default()), date(2026, 3, 13));
        assert_eq!(cal.add_days(date(2026, 3, 6), 5, Clock::SchoolDays), date(2026, 3, 20));
        // Across the winter holiday: 22, 23, 29, 30 Dec and 5 Jan are working days, not school days.
        assert_eq!(cal.add_working_days(date(2025, 12, 19), 5), date(2026, 1, 5));
        assert_eq!(cal.add_days(date(2025, 12, 19), 5, Clock::SchoolDays), date(2026, 1, 9));
    }
}
