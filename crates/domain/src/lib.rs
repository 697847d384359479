//! Klade's rules, free of I/O: ids, roles and the one authorization policy, personal codes.
//!
//! Nothing here reads the clock, the database or the environment; time and facts come in as
//! arguments, so every rule is a plain function that a unit test can pin down.

pub mod attendance;
pub mod calendar;
pub mod clean_language;
pub mod collate;
pub mod consents;
pub mod deadlines;
pub mod file_type;
pub mod grading;
pub mod ids;
pub mod journal_check;
pub mod journal_item;
pub mod meals;
pub mod meetings;
pub mod news;
pub mod notification_policy;
pub mod password;
pub mod personal_code;
pub mod policy;
pub mod preschool;
pub mod retention;
pub mod role;
pub mod school_year;
pub mod second_factor;
pub mod timetable;

pub use ids::*;
pub use personal_code::{PersonalCode, PersonalCodeError};
pub use policy::{Action, Actor, Denied, Grant, Permit, Scope, Tenant};
pub use role::{ClassKind, InstitutionKind, Role, SubjectKind};
