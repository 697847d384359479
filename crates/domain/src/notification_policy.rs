//! When a notification to a family may leave. Nothing leaves in the quiet hours, 21:00–07:00 in
//! Riga: it is held until the morning. A grade or a remark waits out a correction window of 15
//! minutes after it is saved, and goes only if it still stands then, so a teacher's slip put
//! right in time alarms nobody. This module holds the rules; the queue applies them.

use jiff::civil::{time, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// How long a grade or remark waits before its parents are told.
pub const CORRECTION_WINDOW_SECS: i64 = 15 * 60;
/// The quiet hours, in Riga's time: from this evening hour...
pub const QUIET_FROM: Time = time(21, 0, 0, 0);
/// ...until this morning hour.
pub const QUIET_TO: Time = time(7, 0, 0, 0);

/// Latvia's time zone.
pub fn riga() -> TimeZone {
    TimeZone::get("Europe/Riga").unwrap_or(TimeZone::UTC)
}

/// Does an event of `kind` (`grade`, `remark`, `absence`, `message`) wait out the correction
/// window?
pub fn waits_for_correction(kind: &str) -> bool {
    matches!(kind, "grade" | "remark")
}

/// When a notification due at `at` may leave: `None` if now, else the end of the quiet hours.
pub fn held_until(at: Timestamp) -> Option<Timestamp> {
    let local = at.to_zoned(riga());
    let t = local.time();
    let morning = if t >= QUIET_FROM {
        local.date().tomorrow().ok()?
    } else if t < QUIET_TO {
        local.date()
    } else {
        return None;
    };
    morning
        .to_datetime(QUIET_TO)
        .to_zoned(riga())
        .ok()
        .map(|z| z.timestamp())
}

/// [`held_until`] in Unix seconds, as the job queue keeps time.
pub fn held_until_second(at: i64) -> Option<i64> {
    held_until(Timestamp::from_second(at).ok()?).map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riga_at(s: &str) -> Timestamp {
        s.parse::<jiff::civil::DateTime>()
            .expect("a time")
            .to_zoned(riga())
            .expect("in Riga")
            .timestamp()
    }

    #[test]
    fn nothing_leaves_between_nine_in_the_evening_and_seven_in_the_morning() {
        assert_eq!(held_until(riga_at("2026-11-26T20:59:59")), None);
        assert_eq!(
            held_until(riga_at("2026-11-26T21:00")),
            Some(riga_at("2026-11-27T07:00"))
        );
        assert_eq!(
            held_until(riga_at("2026-11-26T23:30")),
            Some(riga_at("2026-11-27T07:00"))
        );
        assert_eq!(
            held_until(riga_at("2026-11-27T03:00")),
            Some(riga_at("2026-11-27T07:00"))
        );
        assert_eq!(held_until(riga_at("2026-11-27T07:00")), None);
        // Across the change to summer time the morning is still 07:00 in Riga.
        assert_eq!(
            held_until(riga_at("2027-03-27T22:00")),
            Some(riga_at("2027-03-28T07:00"))
        );
    }

    #[test]
    fn grades_and_remarks_wait_absences_and_mail_do_not() {
        assert!(waits_for_correction("grade") && waits_for_correction("remark"));
        assert!(!waits_for_correction("absence") && !waits_for_correction("message"));
    }
}
