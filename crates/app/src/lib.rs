//! Klade's use cases, shared by the pages, the JSON API and the CLI.
//!
//! A use case takes the [`App`] (database, clock, settings), the actor when there is one, and its
//! input; it asks the policy once and returns domain values or an [`AppError`]. It knows nothing
//! of HTTP, HTML or JSON.

pub mod accounts;
pub mod archive;
pub mod auth;
mod cache;
pub mod calendar;
pub mod calendar_feeds;
pub mod clock;
pub mod consents;
pub mod deadlines;
pub mod demo;
pub mod enrolment;
pub mod error;
pub mod families;
pub mod family_tokens;
pub mod home;
pub mod import;
pub mod invitations;
pub mod journal;
pub mod journal_checks;
pub mod lesson_plans;
pub mod meals;
pub mod meetings;
pub mod messages;
pub mod news;
pub mod onboarding;
pub mod people;
pub mod preschool;
pub mod preschool_plans;
pub mod push;
pub mod repeats;
pub mod report_cards;
pub mod retention;
pub mod second_factor;
pub mod seed;
pub mod setup;
pub mod sharing;
pub mod sms;
pub mod statistics;
pub mod timetable;
pub mod users;
pub mod viis_export;
pub mod year_lock;

pub use clock::{Clock, FixedClock, StartedClock, SystemClock};
pub use error::AppError;

use klade_store::Db;
use std::sync::Arc;

/// Settings the use cases read; defaults are the values the clauses and common practice give.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A page session ends after this many seconds without a request.
    pub web_session_idle_secs: i64,
    /// An API token lives this long without use.
    pub api_session_idle_secs: i64,
    /// A page session ends this long after its login, however busy (ASVS 7.3.2).
    pub web_session_max_secs: i64,
    /// An API token ends this long after its login, however busy.
    pub api_session_max_secs: i64,
    /// Failed logins on one account, within the window, after which logins are refused.
    pub max_failures_per_account: i64,
    /// Failed logins from one address, within the window, after which logins are refused.
    pub max_failures_per_address: i64,
    pub failure_window_secs: i64,
    /// The address people reach this server at (`https://klade.example.lv`), for links in
    /// messages; without it, messages name the page instead.
    pub public_url: Option<String>,
    /// Hosts a browser's push endpoint may name besides the known push services (a push service
    /// of one's own; a stand-in in tests). Endpoints on these may be plain `http://`.
    pub push_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            web_session_idle_secs: 8 * 3600,
            api_session_idle_secs: 30 * 24 * 3600,
            web_session_max_secs: 24 * 3600,
            api_session_max_secs: 90 * 24 * 3600,
            max_failures_per_account: 10,
            max_failures_per_address: 50,
            failure_window_secs: 15 * 60,
            public_url: None,
            push_hosts: Vec::new(),
        }
    }
}

/// Everything a use case needs besides its input.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// What each signed-in person holds, kept while the rights counter stands (see `auth`).
    pub(crate) holdings: Arc<auth::HoldingsCache>,
    /// Each class's timetable, kept the same way (see `timetable`).
    pub(crate) timetables: Arc<timetable::TimetableCache>,
    /// Each institution's calendar, kept the same way (see `calendar`).
    pub(crate) calendars: Arc<calendar::CalendarCache>,
    /// Each institution's name and logo for the pages' header, kept the same way (see `home`).
    pub(crate) institutions: Arc<home::InstitutionCache>,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            db,
            clock,
            settings,
            holdings: Arc::new(auth::holdings_cache()),
            timetables: Arc::new(timetable::timetable_cache()),
            calendars: Arc::new(calendar::calendar_cache()),
            institutions: Arc::new(crate::cache::Cache::new(10_000)),
        }
    }

    /// Seconds since the epoch, from the clock.
    pub fn now(&self) -> i64 {
        self.clock.now().as_second()
    }

    /// Today's date in Latvia.
    pub fn today(&self) -> jiff::civil::Date {
        clock::riga_date(self.clock.now())
    }
}
