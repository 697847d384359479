//! The integration tests: one binary, so the whole app is linked once. Each module drives the real
//! router through `klade_testkit::TestApp` on every configured backend.
#![expect(
    clippy::expect_used,
    reason = "a test fails loudly on what it did not expect; helpers outside `#[test]` functions too"
)]

mod api;
mod archive;
mod auth;
mod backup;
mod calendar;
mod calendar_feeds;
mod consents;
mod deadlines;
mod demo;
mod families;
mod family_tokens;
mod home;
mod import;
mod journal;
mod journal_checks;
mod languages;
mod lesson_plans;
mod meals;
mod meetings;
mod messages;
mod ops;
mod people;
mod preschool;
mod preschool_plans;
mod probe;
mod push;
mod report_cards;
mod reports;
mod retention;
mod schema;
mod second_factor;
mod security;
mod seed;
mod servers;
mod setup;
mod sharing;
mod year_lock;
