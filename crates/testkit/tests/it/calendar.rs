//! The working-day calendar as stored data: the government's transfers seeded by the migration,
//! an institution's own days and whether it follows the government, and the pages that keep it.

// Helpers here panic on purpose: a panic is a failed test, with its message.

use axum::http::StatusCode;
use jiff::civil::date;
use klade_domain::deadlines::{grades_due, GradedWork};
use klade_domain::InstitutionId;
use klade_testkit::{backends, TestApp};

async fn calendar_of(
    t: &TestApp,
    institution: i64,
) -> (klade_domain::calendar::Calendar, klade_domain::deadlines::Settings) {
    klade_store::calendar::load(t.db().pool(), InstitutionId(institution))
        .await
        .expect("calendar")
}

fn per_month(cal: &klade_domain::calendar::Calendar, year: i16) -> Vec<u32> {
    (1..=12)
        .map(|m| {
            let first = date(year, m, 1);
            cal.working_days_between(first.yesterday().expect("day"), first.last_of_month())
        })
        .collect()
}

#[tokio::test]
async fn known_dates_through_the_stored_calendar() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let (cal, settings) = calendar_of(&t, school).await;
        assert!(settings.follows_government);
        // Working days per month, with the Cabinet's transfers (2025: 17 Nov off, 8 Nov worked;
        // 2026: 2 Jan and 22 June off, 17 Jan and 27 June worked).
        assert_eq!(per_month(&cal, 2025), [22, 20, 21, 20, 20, 19, 23, 21, 22, 23, 19, 19]);
        assert_eq!(per_month(&cal, 2026), [21, 20, 22, 20, 19, 20, 23, 21, 22, 22, 20, 20]);
        for (off, worked) in [
            (date(2025, 11, 17), date(2025, 11, 8)),
            (date(2026, 1, 2), date(2026, 1, 17)),
            (date(2026, 6, 22), date(2026, 6, 27)),
        ] {
            assert!(!cal.is_working_day(off), "{off}");
            assert!(cal.is_working_day(worked), "{worked}");
        }
        // 2023's one-off days off: 29 May and 10 July (the festival's closing day was a Sunday).
        assert!(!cal.is_working_day(date(2023, 5, 29)));
        assert!(!cal.is_working_day(date(2023, 7, 10)));
        assert!(cal.is_working_day(date(2023, 7, 11)));
        // The README's worked examples.
        assert_eq!(cal.add_working_days(date(2026, 4, 30), 3), date(2026, 5, 7));
        assert_eq!(cal.add_working_days(date(2025, 12, 19), 10), date(2026, 1, 12));
        assert_eq!(
            grades_due(&cal, &settings, GradedWork::Summative, date(2025, 12, 19)),
            date(2026, 1, 12)
        );
        // The demo's autumn holiday is the school's data: not a school day, still a working day.
        let autumn = date(2026, 10, 20);
        assert!(cal.is_working_day(autumn) && !cal.is_school_day(autumn));

        // An institution that does not follow the government's transfers.
        let mut director = t.client();
        director.login("direktors", "demo").await;
        let settings_page = format!("/deadlines/settings?i={school}");
        let r = director
            .submit(&settings_page, &settings_page, &defaults(false, "18:00"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (cal, _) = calendar_of(&t, school).await;
        assert!(cal.is_working_day(date(2026, 1, 2)));
        assert!(!cal.is_working_day(date(2026, 1, 17)));
        assert_eq!(cal.add_working_days(date(2025, 12, 19), 10), date(2026, 1, 9));
        // The preschool still follows them.
        let preschool = t.id("SELECT id FROM institutions WHERE kind = 'preschool'").await;
        let (cal, _) = calendar_of(&t, preschool).await;
        assert!(!cal.is_working_day(date(2026, 1, 2)));
    }
}

fn defaults(follows: bool, lessons_by: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut f = vec![
        ("lessons_by", lessons_by),
        ("preschool_attendance_by", "09:00"),
        ("preschool_journal_by", "19:00"),
        ("formative_days", "3"),
        ("summative_days", "10"),
        ("excuse_days", "0"),
        ("summary_day", "12"),
        ("summary_day_june", "30"),
        ("account_days", "7"),
        ("reminders", "true"),
        ("reminder_minutes", "120"),
    ];
    if follows {
        f.push(("follows_government", "true"));
    }
    f
}

#[tokio::test]
async fn the_calendar_page_adds_and_removes_days_and_refuses_bad_input() {
    for backend in backends() {
        let t = TestApp::demo(backend).await;
        let school = t.id("SELECT id FROM institutions WHERE kind <> 'preschool'").await;
        let i = school.to_string();
        let page = format!("/calendar?i={school}&year=2026");
        let mut deputy = t.client();
        deputy.login("vietnieks", "demo").await;
        let body = deputy.get(&page).await.body;
        assert!(body.contains("02.01.2026."), "the government's transfer is listed");
        assert!(body.contains("Valdība"), "{body}");

        // An own day off, a worked Saturday, a school holiday.
        let r = deputy
            .submit(
                &page,
                "/calendar/days",
                &[
                    ("i", &i),
                    ("date", "2026-12-28"),
                    ("kind", "off"),
                    ("note", "Skolas diena"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = deputy
            .submit(
                &page,
                "/calendar/days",
                &[("i", &i), ("date", "2026-12-19"), ("kind", "worked")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = deputy
            .submit(
                &page,
                "/calendar/holidays",
                &[
                    ("i", &i),
                    ("from", "2026-12-21"),
                    ("to", "2027-01-01"),
                    ("name", "Ziemas brīvlaiks"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (cal, _) = calendar_of(&t, school).await;
        assert!(!cal.is_working_day(date(2026, 12, 28)));
        assert!(cal.is_working_day(date(2026, 12, 19)));
        assert!(cal.is_school_holiday(date(2026, 12, 30)));

        // Bad input: a clear message, nothing stored.
        let before = t.count("calendar_days").await + t.count("school_holidays").await;
        for (path, fields, message) in [
            (
                "/calendar/days",
                vec![("i", i.as_str()), ("date", "2026-12-16"), ("kind", "worked")],
                "tikai sestdienu vai svētdienu",
            ),
            (
                "/calendar/days",
                vec![("i", i.as_str()), ("date", "2026-12-19"), ("kind", "off")],
                "darbdienā",
            ),
            (
                "/calendar/days",
                vec![("i", i.as_str()), ("date", "31.02.2026."), ("kind", "off")],
                "Datums nav derīgs",
            ),
            (
                "/calendar/days",
                vec![("i", i.as_str()), ("date", "2026-12-28"), ("kind", "off")],
                "jau ir ieraksts",
            ),
            (
                "/calendar/holidays",
                vec![("i", i.as_str()), ("from", "2027-03-13"), ("to", "2027-03-09")],
                "pirms sākuma",
            ),
        ] {
            let r = deputy.submit(&page, path, &fields).await;
            assert!(
                r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::CONFLICT,
                "{path} {fields:?}: {}",
                r.status
            );
            assert!(r.body.contains(message), "{message}: {}", r.body);
            assert!(
                r.body.contains("aria-invalid=\"true\""),
                "the field is marked: {}",
                r.body
            );
        }
        // A refused school holiday of another year keeps the page on that year.
        let r = deputy
            .submit(
                &page,
                "/calendar/holidays",
                &[("i", i.as_str()), ("from", "2027-03-13"), ("to", "2027-03-09")],
            )
            .await;
        assert!(r.body.contains("2027</h1>"), "{}", r.body);
        assert!(
            r.body.contains("value=\"2027-03-09\" aria-invalid=\"true\""),
            "{}",
            r.body
        );
        assert_eq!(
            t.count("calendar_days").await + t.count("school_holidays").await,
            before
        );

        // A time like 25:00 in the settings.
        let settings_page = format!("/deadlines/settings?i={school}");
        let r = deputy
            .submit(&settings_page, &settings_page, &defaults(true, "25:00"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("SS:MM"), "{}", r.body);
        assert!(r.body.contains("value=\"25:00\" aria-invalid=\"true\""), "{}", r.body);
        assert_eq!(t.count("deadline_settings").await, 0);

        // Removing the own day off.
        let r = deputy
            .submit(&page, "/calendar/days/remove", &[("i", &i), ("date", "2026-12-28")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let (cal, _) = calendar_of(&t, school).await;
        assert!(cal.is_working_day(date(2026, 12, 28)));

        // A teacher may not keep the calendar; the preschool's deputy not this school's.
        let mut teacher = t.client();
        teacher.login("skolotajs", "demo").await;
        assert_eq!(teacher.get(&page).await.status, StatusCode::FORBIDDEN);
        let mut other = t.client();
        other.login("pii.vietniece", "demo").await;
        assert_eq!(other.get(&page).await.status, StatusCode::FORBIDDEN);
    }
}
