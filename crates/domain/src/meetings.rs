//! The rules of a parent–teacher meeting's slots: cut from one evening's span into equal parts,
//! within sizes a teacher and a parent can live with. Times here are Riga wall-clock times; the
//! use case turns them into instants.

use jiff::civil::{Date, DateTime, Time};

/// The shortest and the longest slot, in minutes.
pub const MINUTES: std::ops::RangeInclusive<i64> = 5..=120;
/// At most this many slots in one meeting: a class with room to spare.
pub const MAX_SLOTS: usize = 60;
/// The longest title, place and online address, in characters.
pub const MAX_TEXT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("a slot lasts 5 to 120 minutes")]
    Minutes,
    #[error("the span ends before one slot fits")]
    Empty,
    #[error("more than {MAX_SLOTS} slots")]
    TooMany,
}

/// The slots of `minutes` each from `from` to `until` on `day`; a remainder shorter than a slot is
/// left out.
pub fn slots(day: Date, from: Time, until: Time, minutes: i64) -> Result<Vec<(DateTime, DateTime)>, SlotError> {
    if !MINUTES.contains(&minutes) {
        return Err(SlotError::Minutes);
    }
    let step = jiff::SignedDuration::from_mins(minutes);
    let end = day.to_datetime(until);
    let mut at = day.to_datetime(from);
    let mut out = Vec::new();
    while let Ok(next) = at.checked_add(step) {
        if next > end || next.date() != day {
            break;
        }
        if out.len() == MAX_SLOTS {
            return Err(SlotError::TooMany);
        }
        out.push((at, next));
        at = next;
    }
    if out.is_empty() {
        return Err(SlotError::Empty);
    }
    Ok(out)
}

/// An online meeting's address as it may be shown as a link: `https://` with a host and no spaces
/// or quotes, so it leads where it says and nowhere else (not `javascript:`, not another scheme).
pub fn is_meeting_link(link: &str) -> bool {
    link.strip_prefix("https://").is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty()
            && host.contains('.')
            && !host.contains('@')
            && link.chars().count() <= MAX_TEXT
            && !link
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn an_evening_is_cut_into_equal_slots() {
        let s = slots(date(2026, 12, 10), time(17, 0, 0, 0), time(18, 0, 0, 0), 15).expect("slots");
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].0, date(2026, 12, 10).at(17, 0, 0, 0));
        assert_eq!(s[3].1, date(2026, 12, 10).at(18, 0, 0, 0));
        // A remainder shorter than a slot is left out.
        let s = slots(date(2026, 12, 10), time(17, 0, 0, 0), time(17, 50, 0, 0), 20).expect("slots");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn spans_and_sizes_out_of_bounds_are_refused() {
        let day = date(2026, 12, 10);
        assert_eq!(
            slots(day, time(17, 0, 0, 0), time(18, 0, 0, 0), 4),
            Err(SlotError::Minutes)
        );
        assert_eq!(
            slots(day, time(17, 0, 0, 0), time(18, 0, 0, 0), 121),
            Err(SlotError::Minutes)
        );
        assert_eq!(
            slots(day, time(18, 0, 0, 0), time(17, 0, 0, 0), 15),
            Err(SlotError::Empty)
        );
        assert_eq!(
            slots(day, time(17, 0, 0, 0), time(17, 10, 0, 0), 15),
            Err(SlotError::Empty)
        );
        assert_eq!(
            slots(day, time(7, 0, 0, 0), time(23, 0, 0, 0), 5),
            Err(SlotError::TooMany)
        );
        // The last slot of the day ends by midnight.
        let late = slots(day, time(23, 0, 0, 0), time(23, 59, 0, 0), 30).expect("slots");
        assert_eq!(late.len(), 1);
    }

    #[test]
    fn only_plain_https_addresses_are_links() {
        assert!(is_meeting_link("https://meet.example.lv/abc-def?pwd=1"));
        assert!(!is_meeting_link("http://meet.example.lv/abc"));
        assert!(!is_meeting_link("javascript:alert(1)"));
        assert!(!is_meeting_link("https://"));
        assert!(!is_meeting_link("https://localhost/x"));
        assert!(!is_meeting_link("https://user@evil.example/x"));
        assert!(!is_meeting_link("https://a.lv/x y"));
        assert!(!is_meeting_link("https://a.lv/\"onmouseover=x"));
    }
}
