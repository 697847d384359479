//! Every parser of what people type, fed anything: it answers a value or a refusal, never panics,
//! and what it accepts it accepts again as it writes it. A bounded number of cases, so CI stays
//! quick; a failure prints the smallest input that shows it.

// A test panics on purpose: a panic is a failed test, with its message.

use klade_domain::attendance::{Entry, MarkKind};
use klade_domain::grading::{Mark, Scale};
use klade_domain::{password, second_factor, PersonalCode};
use proptest::prelude::*;

fn kinds() -> Vec<MarkKind> {
    [
        ("n", true, false, false),
        ("N", true, false, true),
        ("k", false, true, false),
        ("s", true, false, true),
    ]
    .into_iter()
    .map(|(code, absent, late, excused)| MarkKind {
        code: code.into(),
        absent,
        late,
        excused,
    })
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_personal_code_is_parsed_or_refused(input in "\\PC{0,20}|[0-9]{6}-?[0-9]{5}") {
        if let Ok(code) = PersonalCode::parse(&input) {
            let again = PersonalCode::parse(&code.to_string());
            prop_assert_eq!(again.map(|c| c.to_string()), Ok(code.to_string()));
        }
    }

    #[test]
    fn a_grade_is_parsed_or_refused_on_every_scale(input in "\\PC{0,12}|[0-9]{1,4}|(nv|atbr\\.?|i|ni|[STAPstap])") {
        for scale in Scale::ALL {
            if let Ok(Some(mark)) = Mark::parse(&input, scale) {
                prop_assert_eq!(Mark::parse(mark.as_str(), scale), Ok(Some(mark.clone())));
                if scale == Scale::Ten {
                    if let Ok(n) = mark.as_str().parse::<u8>() {
                        prop_assert!((1..=10).contains(&n));
                    }
                }
            }
        }
    }

    #[test]
    fn an_attendance_mark_is_parsed_or_refused(input in "\\PC{0,12}|[nNks][0-9]{0,3}") {
        let _ = Entry::parse(&input, &kinds());
    }

    #[test]
    fn a_password_is_judged_without_panic(input in "\\PC{0,300}") {
        let verdict = password::check(&input, "anna", true);
        if input.chars().count() > password::MAX_CHARS {
            prop_assert_eq!(verdict, Err(password::Refusal::TooLong));
        }
    }

    #[test]
    fn a_second_factor_code_is_checked_without_panic(input in "\\PC{0,12}|[0-9 ]{6,8}", unix in 0u64..4_000_000_000, last in 0u64..200_000_000) {
        let _ = second_factor::accepts(b"12345678901234567890", &input, unix, last);
    }
}
