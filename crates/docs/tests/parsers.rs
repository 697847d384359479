//! The table reader and the aSc XML reader fed anything — bytes, CSV shapes, broken zip packages,
//! XML-ish text: a table within the budget or a refusal, never a panic.

// A test panics on purpose: a panic is a failed test, with its message.

use klade_docs::{asc, budget, read_table};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(t) = read_table(&bytes) {
            prop_assert!(t.rows.len() < budget::MAX_ROWS);
            prop_assert!(t.headers.len() <= budget::MAX_COLUMNS);
        }
    }

    #[test]
    fn csv_shapes(text in "([a-zA-ZāēīūšžĀ0-9 ]{0,8}[;,\"\\r\\n\\t]{0,3}){0,200}") {
        if let Ok(t) = read_table(text.as_bytes()) {
            prop_assert!(t.rows.iter().all(|r| r.len() <= budget::MAX_COLUMNS));
        }
    }

    #[test]
    fn a_zip_signature_on_anything(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        prop_assert!(read_table(&bytes).is_err());
    }

    #[test]
    fn xml_shapes(text in "(<(timetable|card|lesson|period|class|group)( [a-z]{1,8}=\"[0-9A-Za-z,:. ]{0,6}\"){0,4}/?>|</timetable>|&[a-z]{0,4};?){0,60}") {
        if let Ok(t) = asc::read(text.as_bytes()) {
            prop_assert!(t.rows.len() <= budget::MAX_ROWS);
            prop_assert!(t.rows.iter().all(|r| r.len() == asc::HEADERS.len()));
        }
    }

    #[test]
    fn xml_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut doc = b"<timetable>".to_vec();
        doc.extend(bytes);
        let _ = asc::read(&doc);
    }
}
