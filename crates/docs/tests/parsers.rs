//! The table reader fed anything — bytes, CSV shapes, broken zip packages: a table within the
//! budget or a refusal, never a panic.

// A test panics on purpose: a panic is a failed test, with its message.
#![allow(clippy::expect_used)]

use klade_docs::{budget, read_table};
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
}
