//! Photo uploads fed anything — random bytes, and real PNG and JPEG files with bytes changed:
//! a clean photo or a refusal, never a panic.

// A test panics on purpose: a panic is a failed test, with its message.
#![expect(
    clippy::expect_used,
    reason = "a test fails loudly on what it did not expect; helpers outside `#[test]` functions too"
)]

use image::{ImageFormat, Rgb, RgbImage};
use proptest::prelude::*;

fn encoded(format: ImageFormat) -> Vec<u8> {
    let picture = RgbImage::from_fn(24, 16, |x, y| Rgb([(x * 10) as u8, (y * 15) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = klade_media::reencode(&bytes);
    }

    #[test]
    fn a_png_with_bytes_changed(changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut png = encoded(ImageFormat::Png);
        for (at, byte) in changes {
            let i = at % png.len();
            png[i] = byte;
        }
        if let Ok(photo) = klade_media::reencode(&png) {
            prop_assert!(!klade_media::has_metadata(&photo.bytes));
        }
    }

    #[test]
    fn a_jpeg_with_bytes_changed(changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut jpeg = encoded(ImageFormat::Jpeg);
        for (at, byte) in changes {
            let i = at % jpeg.len();
            jpeg[i] = byte;
        }
        if let Ok(photo) = klade_media::reencode(&jpeg) {
            prop_assert!(!klade_media::has_metadata(&photo.bytes));
        }
    }
}
