//! Calendar feeds (iCalendar, RFC 5545): a person makes a secret address for their own or a
//! child's school calendar — lessons as the timetable stands on each day, homework due, tests,
//! public holidays and school holidays — that Google, Apple or Outlook calendars fetch without
//! signing in, and revokes it. Each fetch is allowed only what the owner may see that day: a
//! guardianship ended, an adult child's choice (`sharing`) or rights lost close the feed too.
//! This module gathers the events; writing them as iCalendar text is the web layer's.

use crate::auth::{self, Session};
use crate::{App, AppError};
use jiff::civil::Date;
use jiff::Timestamp;
use klade_domain::PersonId;
pub use klade_store::calendar_feeds::Feed;
use klade_store::journal;

/// At most this many live feeds per person: enough for every child on every device.
pub const MAX_FEEDS: usize = 20;
/// A feed covers the week before this one and the next `WEEKS_AHEAD` weeks.
pub const WEEKS_AHEAD: i64 = 8;

/// Makes a feed of `student` — oneself or one's child — and gives its secret token, shown once.
pub async fn create(app: &App, session: &Session, student: PersonId) -> Result<(i64, String), AppError> {
    // One's own or one's child's: a teacher reads diaries, but does not take them home.
    if !session.students.iter().any(|p| p.student_id == student) {
        return Err(AppError::invalid("student", "feeds.not_yours"));
    }
    let db = app.db.pool();
    if klade_store::calendar_feeds::live(db, session.person).await?.len() >= MAX_FEEDS {
        return Err(AppError::invalid("student", "feeds.too_many"));
    }
    let token = auth::random_hex(32)?;
    let id =
        klade_store::calendar_feeds::create(db, session.person, student, &auth::token_hash(&token), app.now()).await?;
    Ok((id, token))
}

/// The signed-in person's live feeds.
pub async fn list(app: &App, session: &Session) -> Result<Vec<Feed>, AppError> {
    Ok(klade_store::calendar_feeds::live(app.db.pool(), session.person).await?)
}

/// Revokes one of the signed-in person's feeds: its address answers nothing from now on.
pub async fn revoke(app: &App, session: &Session, id: i64) -> Result<(), AppError> {
    if klade_store::calendar_feeds::revoke(app.db.pool(), session.person, id, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// When an event happens: at a time (in UTC), or over whole days (the end not included, as
/// iCalendar writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    At(Timestamp, Timestamp),
    Days(Date, Date),
}

/// What an event is; the web layer names it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A lesson: the course, its topic and the homework set in it, once recorded.
    Lesson {
        course: String,
        topic: String,
        homework: String,
    },
    /// Homework due that day, set in a lesson of `course`.
    Homework { course: String, homework: String },
    /// A test or other assessment: its kind's code and title.
    Test {
        course: String,
        kind: String,
        title: String,
    },
    /// A public holiday or a day off.
    DayOff,
    /// The school holidays (*brīvlaiks*).
    SchoolHoliday,
    /// A parent–teacher meeting booked for the student: its title, host and online address.
    Meeting {
        title: String,
        host: String,
        link: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across fetches, so a calendar updates an event instead of adding another.
    pub uid: String,
    pub when: When,
    pub what: What,
    pub location: String,
}

/// A feed's content.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub student: String,
    pub class_name: String,
    pub events: Vec<Event>,
}

/// The calendar behind a secret token, as its owner may see it today. An unknown or revoked
/// token, or an owner who may no longer see the student, finds nothing.
pub async fn fetch(app: &App, token: &str) -> Result<Calendar, AppError> {
    let db = app.db.pool();
    let feed = klade_store::calendar_feeds::find(db, &auth::token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let session = auth::as_person(app, feed.person_id).await?.ok_or(AppError::NotFound)?;
    if !session.students.iter().any(|p| p.student_id == feed.student_id) {
        return Err(AppError::NotFound);
    }
    let now = app.now();
    // Calendars fetch every few minutes to hours: note the use once an hour, not at every fetch.
    if feed.last_used_at.is_none_or(|t| now - t >= 3600) {
        klade_store::calendar_feeds::used(db, feed.id, now).await?;
    }
    let today = app.today();
    let first = crate::timetable::monday_of(today)
        .checked_sub(jiff::Span::new().days(7))
        .unwrap_or(today);
    let last = first
        .checked_add(jiff::Span::new().weeks(WEEKS_AHEAD + 1))
        .unwrap_or(first);
    let days = last.since(first).map(|s| s.get_days().into()).unwrap_or(7);
    let diary = crate::families::diary_days(app, &session, feed.student_id, first, days)
        .await
        .map_err(|e| match e {
            AppError::Forbidden(_) => AppError::NotFound,
            e => e,
        })?;
    let mut events = Vec::new();
    for day in &diary.days {
        for l in &day.lessons {
            let key = format!("{}-{}-{}", day.date, l.lesson_no, uid_part(&l.course));
            if let Some(when) = lesson_time(day.date, &l.time) {
                events.push(Event {
                    uid: format!("lesson-{}-{key}", feed.student_id.0),
                    when,
                    what: What::Lesson {
                        course: l.course.clone(),
                        topic: l.topic.clone(),
                        homework: l.homework.clone(),
                    },
                    location: l.room.clone(),
                });
            }
            if let (Some(due), false) = (l.homework_due, l.homework.trim().is_empty()) {
                events.push(Event {
                    uid: format!("homework-{}-{key}", feed.student_id.0),
                    when: When::Days(due, due.tomorrow().unwrap_or(due)),
                    what: What::Homework {
                        course: l.course.clone(),
                        homework: l.homework.clone(),
                    },
                    location: String::new(),
                });
            }
        }
    }
    let placement = session
        .students
        .iter()
        .find(|p| p.student_id == feed.student_id)
        .ok_or(AppError::NotFound)?;
    let inst = placement.institution_id;
    for a in journal::class_assessments(db, inst, placement.class_id, feed.student_id, first, last).await? {
        events.push(Event {
            uid: format!("test-{}-{}", feed.student_id.0, a.id.0),
            when: When::Days(a.date, a.date.tomorrow().unwrap_or(a.date)),
            what: What::Test {
                course: a.course_name,
                kind: a.kind,
                title: a.title,
            },
            location: String::new(),
        });
    }
    let start = |d: Date| {
        d.to_zoned(crate::clock::riga())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_default()
    };
    for b in klade_store::meetings::bookings_of(db, &[feed.student_id], start(first), start(last)).await? {
        let (Ok(from), Ok(to)) = (Timestamp::from_second(b.starts_at), Timestamp::from_second(b.ends_at)) else {
            continue;
        };
        events.push(Event {
            uid: format!("meeting-{}-{}", feed.student_id.0, b.meeting_id),
            when: When::At(from, to),
            what: What::Meeting {
                title: b.title,
                host: b.host,
                link: b.link,
            },
            location: b.place,
        });
    }
    let cal = crate::calendar::cached(app, inst, session.rights).await?;
    let mut day = first;
    while day < last {
        let next = day.tomorrow().unwrap_or(last);
        if cal.0.is_public_holiday(day) || (!cal.0.is_working_day(day) && day.weekday().to_monday_one_offset() <= 5) {
            events.push(Event {
                uid: format!("off-{}-{day}", inst.0),
                when: When::Days(day, next),
                what: What::DayOff,
                location: String::new(),
            });
        }
        let began = day == first || !cal.0.is_school_holiday(day.yesterday().unwrap_or(day));
        if cal.0.is_school_holiday(day) && began {
            // One event for the whole school holiday, from its first day in the feed.
            let mut end = next;
            while end < last && cal.0.is_school_holiday(end) {
                end = end.tomorrow().unwrap_or(last);
            }
            events.push(Event {
                uid: format!("holidays-{}-{day}", inst.0),
                when: When::Days(day, end),
                what: What::SchoolHoliday,
                location: String::new(),
            });
        }
        day = next;
    }
    Ok(Calendar {
        student: diary.name,
        class_name: diary.class_name,
        events,
    })
}

/// A lesson's start and end from the diary's "08:30–09:10" on `day`, in Riga's time, as instants.
fn lesson_time(day: Date, time: &str) -> Option<When> {
    let (from, to) = time.split_once('–')?;
    let at = |t: &str| -> Option<Timestamp> {
        let t: jiff::civil::Time = t.trim().parse().ok()?;
        day.to_datetime(t)
            .to_zoned(crate::clock::riga())
            .ok()
            .map(|z| z.timestamp())
    };
    Some(When::At(at(from)?, at(to)?))
}

/// A name made safe for an event's UID.
fn uid_part(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{lesson_time, When};
    use jiff::civil::date;

    #[test]
    fn a_lesson_time_is_read_in_riga_and_kept_as_an_instant() {
        let Some(When::At(from, to)) = lesson_time(date(2026, 11, 26), "08:30–09:10") else {
            panic!("a time");
        };
        // Winter: Riga is UTC+2.
        assert_eq!(from.to_string(), "2026-11-26T06:30:00Z");
        assert_eq!(to.to_string(), "2026-11-26T07:10:00Z");
        // Summer time: UTC+3.
        let Some(When::At(from, _)) = lesson_time(date(2026, 9, 1), "08:30–09:10") else {
            panic!("a time");
        };
        assert_eq!(from.to_string(), "2026-09-01T05:30:00Z");
        assert_eq!(
            lesson_time(date(2026, 9, 1), ""),
            None,
            "a lesson held outside the timetable"
        );
    }
}
