//! The clock is passed in, never read directly, so tests can set the time.

use jiff::{civil::Date, tz::TimeZone, Timestamp};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that starts at a configured instant and runs on from there (`now` in the configuration,
/// `KLADE_NOW`): browser tests and demonstrations run on a chosen school day — a weekday, a
/// Saturday, a public holiday — whatever day the machine thinks it is.
pub struct StartedClock {
    at: Timestamp,
    since: std::time::Instant,
}

impl StartedClock {
    pub fn new(at: Timestamp) -> Self {
        Self {
            at,
            since: std::time::Instant::now(),
        }
    }
}

impl Clock for StartedClock {
    fn now(&self) -> Timestamp {
        let run = jiff::SignedDuration::try_from(self.since.elapsed()).unwrap_or_default();
        self.at.saturating_add(run).unwrap_or(self.at)
    }
}

/// Reads a configured instant: `2026-11-25T10:00:00+02:00`, `2026-11-25T08:00:00Z`, or a Riga
/// wall-clock time `2026-11-25T10:00` or `2026-11-25 10:00` (a bare date means 10:00 that day).
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    // A date and time first: jiff reads a date out of `2026-11-25T06:00` too, dropping the time.
    let civil = text
        .replace(' ', "T")
        .parse::<jiff::civil::DateTime>()
        .ok()
        .filter(|_| text.len() > 10)
        .map_or_else(|| text.parse::<Date>().map(|d| d.at(10, 0, 0, 0)), Ok)
        .map_err(|_| format!("{text}: not a time (e.g. 2026-11-25T10:00 or 2026-11-25T10:00:00+02:00)"))?;
    civil
        .to_zoned(riga())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{text}: {e}"))
}

/// A clock that stands still until moved; for tests and benchmarks.
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    pub fn advance_secs(&self, secs: i64) {
        if let Ok(mut t) = self.0.lock() {
            *t = t.saturating_add(jiff::SignedDuration::from_secs(secs)).unwrap_or(*t);
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner())
    }
}

/// Latvia's time zone; every "by 18:00" and "today" is reckoned in it.
pub fn riga() -> TimeZone {
    klade_domain::notification_policy::riga()
}

pub fn riga_date(at: Timestamp) -> Date {
    at.to_zoned(riga()).date()
}

pub use klade_domain::calendar::{format_date, format_instant};

/// Parses a stored `YYYY-MM-DD` and shows it as `23.11.2026.`; anything else is shown as it is.
pub fn format_stored_date(iso: &str) -> String {
    iso.parse::<Date>().map(format_date).unwrap_or_else(|_| iso.to_string())
}

/// A date as a person types it: the Latvian way `23.11.2026.` (the last dot optional) or
/// `2026-11-23`, so a form does not depend on how the browser shows dates.
pub fn parse_typed_date(typed: &str) -> Option<Date> {
    let typed = typed.trim();
    if let Ok(d) = typed.parse::<Date>() {
        return Some(d);
    }
    let mut parts = typed.strip_suffix('.').unwrap_or(typed).split('.').map(str::trim);
    let day = parts.next()?.parse::<i8>().ok()?;
    let month = parts.next()?.parse::<i8>().ok()?;
    let year = parts.next()?.parse::<i16>().ok().filter(|y| *y >= 1000)?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_typed_the_latvian_way_or_as_iso() {
        let d = Some(jiff::civil::date(2026, 11, 23));
        assert_eq!(parse_typed_date("23.11.2026."), d);
        assert_eq!(parse_typed_date(" 23.11.2026 "), d);
        assert_eq!(parse_typed_date("2026-11-23"), d);
        assert_eq!(parse_typed_date("31.02.2026."), None);
        assert_eq!(parse_typed_date("23.11.26."), None);
        assert_eq!(parse_typed_date("23.11.2026.1"), None);
        assert_eq!(parse_typed_date(""), None);
    }

    #[test]
    fn dates_are_written_the_latvian_way() {
        assert_eq!(format_date(jiff::civil::date(2026, 11, 23)), "23.11.2026.");
        assert_eq!(format_stored_date("2026-09-01"), "01.09.2026.");
    }

    #[test]
    fn a_configured_instant_is_read_in_riga_time_unless_it_names_its_zone() {
        let riga_ten: Timestamp = "2026-11-18T08:00:00Z".parse().expect("timestamp");
        assert_eq!(parse_instant("2026-11-18T10:00"), Ok(riga_ten));
        assert_eq!(parse_instant("2026-11-18 10:00"), Ok(riga_ten));
        assert_eq!(parse_instant("2026-11-18"), Ok(riga_ten));
        assert_eq!(parse_instant("2026-11-18T10:00:00+02:00"), Ok(riga_ten));
        // The time is kept, not only the date (09:00 deadlines are tried at 06:30).
        assert_eq!(
            parse_instant("2026-11-18T06:30"),
            Ok("2026-11-18T04:30:00Z".parse().expect("timestamp"))
        );
        // Summer time: UTC+3.
        assert_eq!(
            parse_instant("2026-06-01T10:00"),
            Ok("2026-06-01T07:00:00Z".parse().expect("timestamp"))
        );
        assert!(parse_instant("18.11.2026").is_err());
        assert!(parse_instant("").is_err());
    }

    #[test]
    fn a_started_clock_runs_on_from_its_start() {
        let start: Timestamp = "2026-11-21T10:00:00Z".parse().expect("timestamp");
        let clock = StartedClock::new(start);
        let first = clock.now();
        assert!(first >= start);
        assert!(
            first
                < start
                    .checked_add(jiff::SignedDuration::from_secs(60))
                    .expect("in range")
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > first);
    }

    #[test]
    fn riga_is_ahead_of_utc() {
        // 22:30 UTC on 30 November is already 1 December in Riga (UTC+2 in winter).
        let t: Timestamp = "2026-11-30T22:30:00Z".parse().expect("timestamp");
        assert_eq!(riga_date(t), jiff::civil::date(2026, 12, 1));
        assert_eq!(format_instant(t.as_second()), "01.12.2026. 00:30");
    }
}
