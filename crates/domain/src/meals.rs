//! The rules of school meals: a day's meal is ordered for every learner enrolled that school day
//! unless it was cancelled — by a parent, or by a notice of absence — before the institution's
//! cut-off that morning (09:00 unless it says otherwise). After the cut-off the day's order is
//! the caterer's and nothing about it changes.

use jiff::civil::{Date, Time};
use jiff::Timestamp;

/// The cut-off unless the institution sets its own.
pub const DEFAULT_CUTOFF: Time = Time::constant(9, 0, 0, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MealError {
    #[error("the day has passed")]
    Past,
    #[error("the day's order closed at its cut-off")]
    AfterCutoff,
}

/// The instant `day`'s order closes: its cut-off in Riga's time.
pub fn cutoff_instant(day: Date, cutoff: Time) -> Timestamp {
    day.to_datetime(cutoff)
        .to_zoned(crate::notification_policy::riga())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// May `day`'s meal still be cancelled (or ordered again) at `now`?
pub fn may_change(day: Date, cutoff: Time, now: Timestamp) -> Result<(), MealError> {
    let today = now.to_zoned(crate::notification_policy::riga()).date();
    if day < today {
        return Err(MealError::Past);
    }
    if now >= cutoff_instant(day, cutoff) {
        return Err(MealError::AfterCutoff);
    }
    Ok(())
}

/// Does a notice of absence written at `written` cancel `day`'s meal? Only one written before
/// that day's cut-off: a later one is too late for the caterer.
pub fn notice_cancels(written: Timestamp, day: Date, cutoff: Time) -> bool {
    written < cutoff_instant(day, cutoff)
}

/// A cut-off as typed, `09:00`.
pub fn parse_cutoff(text: &str) -> Option<Time> {
    let (h, m) = text.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn riga(d: Date, t: Time) -> Timestamp {
        cutoff_instant(d, t)
    }

    #[test]
    fn a_meal_may_be_cancelled_until_the_mornings_cut_off() {
        let day = date(2026, 11, 27);
        let cutoff = time(9, 0, 0, 0);
        assert_eq!(
            may_change(day, cutoff, riga(date(2026, 11, 26), time(20, 0, 0, 0))),
            Ok(())
        );
        assert_eq!(may_change(day, cutoff, riga(day, time(8, 59, 0, 0))), Ok(()));
        assert_eq!(
            may_change(day, cutoff, riga(day, time(9, 0, 0, 0))),
            Err(MealError::AfterCutoff)
        );
        assert_eq!(
            may_change(date(2026, 11, 26), cutoff, riga(day, time(7, 0, 0, 0))),
            Err(MealError::Past)
        );
    }

    #[test]
    fn a_notice_written_before_the_cut_off_cancels_that_days_meal() {
        let day = date(2026, 11, 27);
        let cutoff = time(9, 0, 0, 0);
        assert!(notice_cancels(riga(day, time(8, 30, 0, 0)), day, cutoff));
        assert!(!notice_cancels(riga(day, time(9, 30, 0, 0)), day, cutoff));
        // Written days before, it cancels every day it covers.
        assert!(notice_cancels(riga(date(2026, 11, 20), time(12, 0, 0, 0)), day, cutoff));
    }

    #[test]
    fn a_cut_off_is_read_as_hours_and_minutes() {
        assert_eq!(parse_cutoff("09:00"), Some(time(9, 0, 0, 0)));
        assert_eq!(parse_cutoff(" 8:30 "), Some(time(8, 30, 0, 0)));
        assert_eq!(parse_cutoff("25:00"), None);
        assert_eq!(parse_cutoff("nine"), None);
    }
}
