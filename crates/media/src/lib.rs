//! Photos in: an upload becomes a clean, size-capped JPEG that is safe to store and show.
//!
//! This crate owns turning the bytes a teacher uploads to the preschool daily journal (J27) into
//! the bytes Klade keeps. The file must be a real JPEG, PNG or WebP image; it is decoded under
//! limits (so a small file that claims a huge canvas is refused before its pixels are allocated),
//! turned upright by its EXIF orientation, scaled so its longest side is at most [`MAX_SIDE`],
//! flattened onto white and written anew as a baseline JPEG. Only pixels cross from the upload to
//! the output, so nothing the camera or phone wrote — GPS position, serial numbers, EXIF, XMP,
//! IPTC, ICC profiles, comments, appended motion-photo videos — survives: the re-encoding is the
//! stripping. [`has_metadata`] lets tests prove it of any stored photo.
//!
//! It must not do I/O or touch the database: bytes in, bytes out. Who may upload, where the photo
//! is kept and who sees it are the application's business. Decoding is CPU work that takes a
//! noticeable time on a large photo, so async callers run it on a blocking thread.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};

/// The largest upload accepted, in bytes. A phone photo is a few MiB; 15 MiB leaves room for a
/// 50-megapixel camera without letting an upload tie up the server.
pub const MAX_INPUT_BYTES: usize = 15 * 1024 * 1024;

/// The longest side of a stored photo, in pixels: sharp on a parent's screen, small to keep.
pub const MAX_SIDE: u32 = 1600;

/// The longest side a decoder may accept. Checked from the header, before any pixel is allocated.
const MAX_DECODE_SIDE: u32 = 16_384;

/// The most pixels a decoder may accept: a 64-megapixel phone camera (9248 × 6936) fits, a
/// decompression bomb does not.
const MAX_PIXELS: u64 = 64 * 1024 * 1024;

/// The most memory a decoder may take for its output and working buffers.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// A decode larger than this waits for any other such decode to finish: one 64-megapixel photo
/// takes up to 256 MiB while it is decoded, and two at once would double it. A phone's 12
/// megapixels (36 MiB) go through without waiting.
const LARGE_DECODE_BYTES: u64 = 64 * 1024 * 1024;

static LARGE_DECODES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Good enough that a parent sees no blocks, small enough that a photo is a few hundred KiB.
const JPEG_QUALITY: u8 = 82;

/// A photo as stored: a JPEG with nothing in it but pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub bytes: Vec<u8>,
    /// Always `image/jpeg`; kept with the photo so the server never sniffs a stored file.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the file is larger than {} MiB", MAX_INPUT_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the image has too many pixels")]
    TooManyPixels,
}

/// Turns an upload into a clean JPEG: decoded under limits, upright, at most [`MAX_SIDE`] on its
/// longest side (never enlarged), transparent parts white, every byte of metadata gone.
pub fn reencode(input: &[u8]) -> Result<Photo, PhotoError> {
    // Refused before decoding, so an oversized upload costs no CPU.
    if input.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge);
    }
    // The content decides the format, never the file name or the browser's content type. Other
    // formats (GIF, TIFF, SVG…) are not accepted even if they are images: fewer decoders, less to
    // attack, and a phone sends one of these three.
    let format = image::guess_format(input).map_err(|_| PhotoError::NotAnImage)?;
    let whole = match format {
        ImageFormat::Jpeg => walk_jpeg(input, |_| ()).is_some(),
        // Their decoders refuse a file whose pixels are cut short.
        ImageFormat::Png | ImageFormat::WebP => true,
        _ => false,
    };
    if !whole {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    reader.limits(limits());
    // Reading the header checks the width and height against the limits.
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    // `into_decoder` leaves the output buffer unaccounted for (unlike `ImageReader::decode`), so
    // reserve it here, before `from_decoder` allocates it.
    limits()
        .reserve(decoder.total_bytes())
        .map_err(|_| PhotoError::TooManyPixels)?;
    // Read before the pixels, while the metadata is still at hand; it goes away with the decoder.
    // A broken EXIF block is no reason to refuse a photo: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let _turn =
        (decoder.total_bytes() > LARGE_DECODE_BYTES).then(|| LARGE_DECODES.lock().unwrap_or_else(|e| e.into_inner()));
    let decoded = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    // Scaled before turning: the longest side is the same either way, and a small image turns
    // cheaply.
    let mut upright = DynamicImage::ImageRgb8(shrink(decoded));
    upright.apply_orientation(orientation);

    let mut bytes = Vec::new();
    // The encoder writes only the pixels and a JFIF header: no EXIF, no ICC profile, as none is
    // given to it. It cannot fail on a buffer this size writing to memory; should it, the upload
    // is refused rather than stored half-written.
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(&upright)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(Photo {
        bytes,
        content_type: "image/jpeg",
        width: upright.width(),
        height: upright.height(),
    })
}

/// Fresh limits for each use: `Limits::reserve` counts down what it was given.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// A decoder's refusal in the upload's terms: over a limit is a bomb, anything else is not an
/// image we accept (garbage, a truncated file, an unsupported variant of the format).
fn refusal(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::NotAnImage,
    }
}

/// The decoded image as 8-bit RGB (the only thing a baseline JPEG holds) at its [`fit`] size, with
/// no more than the decoded pixels and the small result in memory at once: the big buffer is
/// worked in place, then scaled into the small one. Transparent pixels are laid onto white, as a
/// page would show them, rather than onto black (what dropping the alpha channel would give).
fn shrink(image: DynamicImage) -> RgbImage {
    if image.color().has_alpha() {
        let mut rgba = image.into_rgba8();
        for pixel in rgba.pixels_mut() {
            let [r, g, b, a] = pixel.0;
            let over_white = |c: u8| {
                let (c, a) = (u16::from(c), u16::from(a));
                // c·a + 255·(1 − a), rounded; at most 255, so the narrowing is exact.
                ((c * a + 255 * (255 - a) + 127) / 255) as u8
            };
            pixel.0 = [over_white(r), over_white(g), over_white(b), 255];
        }
        DynamicImage::ImageRgba8(scale(rgba)).into_rgb8()
    } else {
        scale(image.into_rgb8())
    }
}

/// An image at its [`fit`] size. Far down (more than half), by averaging each output pixel's area
/// of the input: sharp enough at that factor, and it needs nothing but the output. Near its size,
/// CatmullRom, which keeps a photo sharp without the ringing of Lanczos (its working buffer is
/// then small). The generic code is instantiated in this crate, which the dev profile optimises.
fn scale<P>(image: image::ImageBuffer<P, Vec<u8>>) -> image::ImageBuffer<P, Vec<u8>>
where
    P: image::Pixel<Subpixel = u8> + 'static,
{
    let (width, height) = image.dimensions();
    let (fit_width, fit_height) = fit(width, height);
    if (fit_width, fit_height) == (width, height) {
        image
    } else if width.max(height) > 2 * MAX_SIDE {
        image::imageops::thumbnail(&image, fit_width, fit_height)
    } else {
        image::imageops::resize(&image, fit_width, fit_height, FilterType::CatmullRom)
    }
}

/// The size that fits in MAX_SIDE × MAX_SIDE with the same aspect, or the size itself if it
/// already fits: a small photo is never enlarged.
fn fit(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= MAX_SIDE {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled = (u64::from(side) * u64::from(MAX_SIDE) + u64::from(longest) / 2) / u64::from(longest);
        // At most MAX_SIDE, so it fits; at least one pixel, so a 1 × 20000 strip stays an image.
        u32::try_from(scaled).unwrap_or(MAX_SIDE).max(1)
    };
    (scale(width), scale(height))
}

/// Whether a JPEG carries anything besides its pixels: an APP1–APP15 segment (EXIF, XMP, ICC,
/// IPTC, maker data) or a COM comment, anywhere in the file. APP0 (the JFIF header) is allowed.
/// Bytes after the end-of-image marker also count — phones put motion-photo videos there — and
/// so does a file that cannot be walked: what cannot be read cannot be shown to be clean.
pub fn has_metadata(jpeg: &[u8]) -> bool {
    let mut found = false;
    match walk_jpeg(jpeg, |marker| found |= matches!(marker, 0xE1..=0xEF | 0xFE)) {
        Some(end) => found || end != jpeg.len(),
        None => true,
    }
}

/// Walks a JPEG's segments from its start-of-image marker to its end-of-image marker, telling
/// `visit` each marker, and answers the offset just past the end-of-image marker; `None` if the
/// file is not a JPEG or stops before its end.
///
/// The decoder is lenient and fills a file cut off in its pixels with grey, so `reencode` walks a
/// JPEG first: an interrupted upload is refused rather than stored half grey.
fn walk_jpeg(jpeg: &[u8], mut visit: impl FnMut(u8)) -> Option<usize> {
    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    let is_restart = |marker: u8| (0xD0..=0xD7).contains(&marker);
    if !jpeg.starts_with(&[0xFF, SOI]) {
        return None;
    }
    let mut at = 2;
    loop {
        if *jpeg.get(at)? != 0xFF {
            return None;
        }
        // A marker may be preceded by any number of 0xFF fill bytes.
        while *jpeg.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *jpeg.get(at)?;
        at += 1;
        visit(marker);
        // The end, and the markers that stand alone, without a length: restarts and TEM.
        if marker == EOI {
            return Some(at);
        }
        if is_restart(marker) || marker == 0x01 {
            continue;
        }
        let length = match jpeg.get(at..at + 2)? {
            &[high, low] => usize::from(u16::from_be_bytes([high, low])),
            _ => return None,
        };
        if length < 2 {
            return None;
        }
        at += length;
        if marker == SOS {
            // The entropy-coded scan follows, in which 0xFF is a stuffed 0xFF 0x00, a fill byte
            // or a restart marker; the first other marker ends the scan.
            loop {
                let (byte, next) = (*jpeg.get(at)?, *jpeg.get(at + 1)?);
                if byte == 0xFF && next != 0x00 && next != 0xFF && !is_restart(next) {
                    break;
                }
                at += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;
