//! What re-encoding a full-size photo costs in memory, counted by the allocator itself: the decoded
//! pixels and the small result, not the several times that scaling through a floating-point
//! buffer took (a 24-megapixel photo took over 250 MiB).

// A test panics on purpose: a panic is a failed test, with its message.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const MIB: usize = 1024 * 1024;

#[test]
fn a_full_size_photo_costs_its_decoded_pixels_and_little_more() {
    // A 24-megapixel camera's photo: 6000 × 4000, 72 MiB of decoded RGB.
    let (width, height) = (6000u32, 4000u32);
    let jpeg = {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&picture)
            .expect("encode");
        out
    };
    ALLOCATOR.reset_peak_memory();
    let photo = klade_media::reencode(&jpeg).expect("a photo");
    let peak = ALLOCATOR.get_peak_memory();
    assert_eq!((photo.width, photo.height), (1600, 1067));
    let decoded = (width * height * 3) as usize;
    assert!(
        peak < decoded + 40 * MIB,
        "re-encoding took {} MiB at its peak; the decoded pixels are {} MiB",
        peak / MIB,
        decoded / MIB
    );
}
