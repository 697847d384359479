//! The test photos are made here, in code: a small image encoded with `image`, then the segments a
//! camera or phone would add spliced in by hand, so every byte the output must not carry is known.

use super::*;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, Rgba, RgbaImage};

// ---- making test files ----

/// A gradient, so the JPEG encoder has something to encode.
fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]))
}

/// Pixels from a fixed-seed generator: the same every run, and hard to compress, so an encoded
/// file has a long scan (with stuffed 0xFF bytes in a JPEG's).
fn noise(width: u32, height: u32) -> RgbImage {
    let mut bytes = random_bytes(width as usize * height as usize * 3);
    bytes.truncate(width as usize * height as usize * 3);
    RgbImage::from_raw(width, height, bytes).expect("enough bytes")
}

fn random_bytes(count: usize) -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    (0..count)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 56) as u8
        })
        .collect()
}

fn jpeg_of(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(image)
        .expect("encode jpeg");
    bytes
}

fn png_of(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgba8)
        .expect("encode png");
    bytes
}

fn webp_of(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    WebPEncoder::new_lossless(&mut bytes)
        .encode(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgba8)
        .expect("encode webp");
    bytes
}

/// A JPEG marker segment: 0xFF, the marker, a length that counts itself, the payload.
fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).expect("segment fits");
    let mut bytes = vec![0xFF, marker];
    bytes.extend(length.to_be_bytes());
    bytes.extend(payload);
    bytes
}

/// The JPEG with the segments put right after its start-of-image marker, where cameras put them.
fn splice(jpeg: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut bytes = jpeg[..2].to_vec();
    for s in segments {
        bytes.extend(s);
    }
    bytes.extend(&jpeg[2..]);
    bytes
}

/// A value in a TIFF directory entry.
enum Value {
    Short(u16),
    Ascii(&'static str),
    Rationals(&'static [(u32, u32)]),
    /// The offset of another directory in the list given to [`tiff`].
    Directory(usize),
}

/// A big-endian TIFF structure — what an EXIF block is — with the directories in order (the first
/// is IFD0); values longer than four bytes go after the last directory.
fn tiff(directories: &[&[(u16, Value)]]) -> Vec<u8> {
    let mut offsets = Vec::new();
    let mut at = 8;
    for entries in directories {
        offsets.push(at);
        at += 2 + 12 * entries.len() + 4;
    }
    let data_start = at;
    let mut head = b"MM\0\x2A".to_vec();
    head.extend(8u32.to_be_bytes());
    let mut data = Vec::new();
    let to_u32 = |n: usize| u32::try_from(n).expect("fits");
    for entries in directories {
        head.extend(u16::try_from(entries.len()).expect("fits").to_be_bytes());
        for (tag, value) in *entries {
            let (kind, count, bytes): (u16, usize, Vec<u8>) = match value {
                Value::Short(n) => (3, 1, n.to_be_bytes().to_vec()),
                Value::Ascii(s) => (2, s.len() + 1, [s.as_bytes(), b"\0"].concat()),
                Value::Rationals(r) => (
                    5,
                    r.len(),
                    r.iter()
                        .flat_map(|(n, d)| [n.to_be_bytes(), d.to_be_bytes()].concat())
                        .collect(),
                ),
                Value::Directory(i) => (4, 1, to_u32(offsets[*i]).to_be_bytes().to_vec()),
            };
            head.extend(tag.to_be_bytes());
            head.extend(kind.to_be_bytes());
            head.extend(to_u32(count).to_be_bytes());
            if bytes.len() <= 4 {
                let mut inline = bytes;
                inline.resize(4, 0);
                head.extend(inline);
            } else {
                head.extend(to_u32(data_start + data.len()).to_be_bytes());
                data.extend(bytes);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        head.extend(0u32.to_be_bytes());
    }
    assert_eq!(head.len(), data_start);
    head.extend(data);
    head
}

const DESCRIPTION: &str = "GPSLatitude 56.9496 N 24.1052 E";
const MODEL: &str = "Canon EOS 5D SN 123456";
const SERIAL: &str = "SerialNumber 0420123456";

/// An APP1 EXIF segment as a camera writes it: make, model, orientation, a body serial number in
/// the EXIF directory and a position in the GPS directory.
fn exif_segment(orientation: u16) -> Vec<u8> {
    let ifd0: &[(u16, Value)] = &[
        (0x010E, Value::Ascii(DESCRIPTION)),
        (0x010F, Value::Ascii("Canon")),
        (0x0110, Value::Ascii(MODEL)),
        (0x0112, Value::Short(orientation)),
        (0x8769, Value::Directory(1)),
        (0x8825, Value::Directory(2)),
    ];
    let exif: &[(u16, Value)] = &[(0xA431, Value::Ascii(SERIAL))];
    let gps: &[(u16, Value)] = &[
        (0x0001, Value::Ascii("N")),
        (0x0002, Value::Rationals(&[(56, 1), (56, 1), (5856, 100)])),
        (0x0003, Value::Ascii("E")),
        (0x0004, Value::Rationals(&[(24, 1), (6, 1), (1872, 100)])),
    ];
    segment(0xE1, &[b"Exif\0\0".as_slice(), &tiff(&[ifd0, exif, gps])].concat())
}

const XMP: &str = concat!(
    r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">"#,
    r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description"#,
    r#" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/""#,
    r#" exif:GPSLatitude="56,56.976N" exif:GPSLongitude="24,6.312E" aux:SerialNumber="XMP-SN-998877"/>"#,
    r#"</rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
);

fn xmp_segment() -> Vec<u8> {
    segment(
        0xE1,
        &[b"http://ns.adobe.com/xap/1.0/\0".as_slice(), XMP.as_bytes()].concat(),
    )
}

/// Everything a phone, a camera or an editor leaves in a JPEG: EXIF with GPS, XMP, an ICC profile
/// with a comment-like description, IPTC and a plain comment.
fn phone_photo(image: &RgbImage, orientation: u16) -> Vec<u8> {
    splice(
        &jpeg_of(image),
        &[
            exif_segment(orientation),
            xmp_segment(),
            segment(0xE2, b"ICC_PROFILE\0\x01\x01desc Printed on the teacher's laptop"),
            segment(
                0xED,
                b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x78\0\x08Kindergarten",
            ),
            segment(0xFE, b"Comment: taken by the teacher"),
        ],
    )
}

/// Every byte string of [`phone_photo`] that must not reach a stored photo.
const MARKERS: &[&[u8]] = &[
    b"Exif\0\0",
    b"http://ns.adobe.com/xap",
    b"GPSLatitude",
    b"GPSLongitude",
    b"Canon",
    b"123456",
    b"XMP-SN-998877",
    b"ICC_PROFILE",
    b"teacher",
    b"Photoshop 3.0",
    b"8BIM",
    b"Kindergarten",
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).expect("output decodes as JPEG")
}

// ---- re-encoding ----

#[test]
fn a_phone_photo_comes_out_without_any_metadata() {
    let input = phone_photo(&picture(320, 240), 1);
    // The fixture is what it claims: every marker is there and a decoder reads the EXIF.
    for marker in MARKERS {
        assert!(
            contains(&input, marker),
            "fixture lacks {}",
            String::from_utf8_lossy(marker)
        );
    }
    assert!(has_metadata(&input));
    let mut decoder = JpegDecoderFor::new(Cursor::new(&input)).expect("fixture decodes");
    let exif = decoder.exif_metadata().expect("exif readable").expect("exif present");
    assert!(contains(&exif, MODEL.as_bytes()));

    let photo = reencode(&input).expect("a photo");
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(image::guess_format(&photo.bytes).expect("format"), ImageFormat::Jpeg);
    assert_eq!((photo.width, photo.height), (320, 240));
    let output = decode(&photo.bytes);
    assert_eq!((output.width(), output.height()), (320, 240));
    for marker in MARKERS {
        assert!(
            !contains(&photo.bytes, marker),
            "output keeps {}",
            String::from_utf8_lossy(marker)
        );
    }
    assert!(!has_metadata(&photo.bytes));
    // And no decoder finds any metadata in it either.
    let mut decoder = JpegDecoderFor::new(Cursor::new(&photo.bytes)).expect("output decodes");
    assert_eq!(decoder.exif_metadata().expect("readable"), None);
    assert_eq!(decoder.xmp_metadata().expect("readable"), None);
    assert_eq!(decoder.iptc_metadata().expect("readable"), None);
    assert_eq!(decoder.icc_profile().expect("readable"), None);
}

type JpegDecoderFor<'a> = image::codecs::jpeg::JpegDecoder<Cursor<&'a Vec<u8>>>;

#[test]
fn an_orientation_6_photo_comes_out_turned_upright() {
    // The sensor's pixels are landscape with a red top-left corner; orientation 6 says "turn 90°
    // clockwise to view", so the upright photo is portrait with the red corner at the top right.
    let sensor = RgbImage::from_fn(400, 200, |x, y| {
        if x < 100 && y < 100 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let photo = reencode(&phone_photo(&sensor, 6)).expect("a photo");
    assert_eq!((photo.width, photo.height), (200, 400));
    let upright = decode(&photo.bytes).into_rgb8();
    assert_eq!(upright.dimensions(), (200, 400));
    let red = |p: &Rgb<u8>| p.0[0] > 200 && p.0[2] < 60;
    assert!(
        red(upright.get_pixel(150, 50)),
        "top right is {:?}",
        upright.get_pixel(150, 50)
    );
    assert!(
        !red(upright.get_pixel(50, 50)),
        "top left is {:?}",
        upright.get_pixel(50, 50)
    );
    assert!(
        !red(upright.get_pixel(150, 350)),
        "bottom right is {:?}",
        upright.get_pixel(150, 350)
    );
    assert!(!has_metadata(&photo.bytes));
}

#[test]
fn a_large_photo_is_scaled_to_max_side_keeping_its_aspect() {
    let photo = reencode(&jpeg_of(&picture(2000, 500))).expect("a photo");
    assert_eq!((photo.width, photo.height), (MAX_SIDE, 400));
    assert_eq!(decode(&photo.bytes).into_rgb8().dimensions(), (MAX_SIDE, 400));

    // Portrait, and a ratio that must round rather than truncate: 300 × 2001 → 239.88… × 1600.
    let photo = reencode(&jpeg_of(&picture(300, 2001))).expect("a photo");
    assert_eq!((photo.width, photo.height), (240, MAX_SIDE));
}

#[test]
fn a_small_photo_is_not_enlarged() {
    let photo = reencode(&jpeg_of(&picture(300, 200))).expect("a photo");
    assert_eq!((photo.width, photo.height), (300, 200));
    let photo = reencode(&jpeg_of(&picture(MAX_SIDE, 10))).expect("a photo");
    assert_eq!((photo.width, photo.height), (MAX_SIDE, 10));
}

#[test]
fn fitting_keeps_the_aspect_and_at_least_one_pixel() {
    assert_eq!(fit(1600, 1600), (1600, 1600));
    assert_eq!(fit(1601, 1601), (1600, 1600));
    assert_eq!(fit(4032, 3024), (1600, 1200));
    assert_eq!(fit(3024, 4032), (1200, 1600));
    assert_eq!(fit(16_000, 1), (1600, 1));
}

#[test]
fn a_transparent_png_is_laid_onto_white() {
    // Left half fully transparent (its colour is black, which must not show), right half red.
    let image = RgbaImage::from_fn(64, 32, |x, _| {
        if x < 32 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([255, 0, 0, 255])
        }
    });
    let photo = reencode(&png_of(&image)).expect("a photo");
    assert_eq!((photo.width, photo.height), (64, 32));
    let output = decode(&photo.bytes).into_rgb8();
    let near = |p: &Rgb<u8>, want: [u8; 3]| p.0.iter().zip(want).all(|(&a, b)| a.abs_diff(b) < 16);
    assert!(
        near(output.get_pixel(8, 16), [255, 255, 255]),
        "left is {:?}",
        output.get_pixel(8, 16)
    );
    assert!(
        near(output.get_pixel(56, 16), [255, 0, 0]),
        "right is {:?}",
        output.get_pixel(56, 16)
    );
    assert!(!has_metadata(&photo.bytes));
}

#[test]
fn half_transparency_is_blended_with_white() {
    let half = shrink(DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        1,
        1,
        Rgba([0, 0, 0, 128]),
    )));
    assert_eq!(half.get_pixel(0, 0).0, [127, 127, 127]);
    let opaque = shrink(DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        1,
        1,
        Rgba([10, 20, 30, 255]),
    )));
    assert_eq!(opaque.get_pixel(0, 0).0, [10, 20, 30]);
}

#[test]
fn a_webp_photo_is_accepted() {
    let image = RgbaImage::from_fn(40, 30, |x, y| Rgba([x as u8 * 6, y as u8 * 8, 90, 255]));
    let photo = reencode(&webp_of(&image)).expect("a photo");
    assert_eq!((photo.width, photo.height), (40, 30));
    assert_eq!(image::guess_format(&photo.bytes).expect("format"), ImageFormat::Jpeg);
}

// ---- refusals ----

#[test]
fn what_is_not_an_image_is_refused() {
    let pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    let random = random_bytes(4096);
    let jpeg = jpeg_of(&picture(64, 64));
    let gif =
        b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    for (what, bytes) in [
        ("a PDF", pdf.as_slice()),
        ("random bytes", &random),
        ("nothing", &[]),
        ("a JPEG's first bytes", &jpeg[..20]),
        ("a JPEG cut in its headers", &jpeg[..jpeg.len() / 4]),
        ("a GIF", gif),
        ("an SVG", svg),
        ("a PNG signature alone", b"\x89PNG\r\n\x1a\n"),
    ] {
        assert_eq!(reencode(bytes), Err(PhotoError::NotAnImage), "{what}");
    }
}

#[test]
fn a_file_cut_in_its_pixels_is_refused() {
    // The JPEG decoder alone would fill the missing half with grey.
    let jpeg = jpeg_of(&noise(256, 256));
    assert!(reencode(&jpeg).is_ok());
    assert_eq!(reencode(&jpeg[..jpeg.len() / 2]), Err(PhotoError::NotAnImage));
    assert_eq!(
        reencode(&jpeg[..jpeg.len() - 2]),
        Err(PhotoError::NotAnImage),
        "only the end marker missing"
    );

    let png = png_of(&DynamicImage::ImageRgb8(noise(256, 256)).into_rgba8());
    assert!(reencode(&png).is_ok());
    assert_eq!(reencode(&png[..png.len() / 2]), Err(PhotoError::NotAnImage));

    let webp = webp_of(&DynamicImage::ImageRgb8(noise(256, 256)).into_rgba8());
    assert!(reencode(&webp).is_ok());
    assert_eq!(reencode(&webp[..webp.len() / 2]), Err(PhotoError::NotAnImage));
}

#[test]
fn data_after_the_end_of_a_jpeg_is_dropped() {
    // A phone's motion photo: the still image, then a video after its end-of-image marker.
    let motion = [
        jpeg_of(&picture(64, 48)).as_slice(),
        b"\0\0\0\x18ftypmp42 a short video",
    ]
    .concat();
    let photo = reencode(&motion).expect("a photo");
    assert!(!contains(&photo.bytes, b"ftypmp42"));
    assert!(!has_metadata(&photo.bytes));
}

#[test]
fn an_upload_over_the_limit_is_refused_before_decoding() {
    assert_eq!(reencode(&vec![0; MAX_INPUT_BYTES + 1]), Err(PhotoError::TooLarge));
    // Even a real image: the size is checked first.
    let mut padded = jpeg_of(&picture(16, 16));
    padded.resize(MAX_INPUT_BYTES + 1, 0);
    assert_eq!(reencode(&padded), Err(PhotoError::TooLarge));
    // At the limit it is looked at (and found to be no image).
    assert_eq!(reencode(&vec![0; MAX_INPUT_BYTES]), Err(PhotoError::NotAnImage));
}

/// The JPEG with the width and height in its frame header replaced: a few hundred bytes that claim
/// a canvas of any size.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = jpeg_of(&picture(16, 16));
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims a canvas of any size, its checksum made right so only the size is
/// wrong with it.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_of(&RgbaImage::new(4, 4));
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), 5 more bytes, CRC (4).
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn a_decompression_bomb_is_refused_before_its_pixels_are_allocated() {
    // Over the side limit, within the side limit but over the pixel count, and the PNG variants.
    // Were these allocated, each would take hundreds of MiB to GiB; the test would be slow or die.
    assert_eq!(reencode(&jpeg_claiming(60_000, 60_000)), Err(PhotoError::TooManyPixels));
    assert_eq!(reencode(&jpeg_claiming(16_000, 16_000)), Err(PhotoError::TooManyPixels));
    assert_eq!(
        reencode(&png_claiming(100_000, 100_000)),
        Err(PhotoError::TooManyPixels)
    );
    assert_eq!(reencode(&png_claiming(16_384, 16_384)), Err(PhotoError::TooManyPixels));
    // The fixtures are sound: with the header unchanged the same files are photos.
    assert!(reencode(&jpeg_claiming(16, 16)).is_ok());
    assert!(reencode(&png_claiming(4, 4)).is_ok());
}

// ---- has_metadata ----

#[test]
fn a_plain_encoded_jpeg_has_no_metadata() {
    // APP0 (JFIF), quantisation and Huffman tables, a frame, a scan: nothing else.
    assert!(!has_metadata(&jpeg_of(&picture(64, 48))));
}

#[test]
fn each_kind_of_metadata_segment_is_found() {
    let jpeg = jpeg_of(&picture(32, 32));
    for marker in 0xE1..=0xEFu8 {
        assert!(
            has_metadata(&splice(&jpeg, &[segment(marker, b"x")])),
            "APP{}",
            marker - 0xE0
        );
    }
    assert!(has_metadata(&splice(&jpeg, &[segment(0xFE, b"a comment")])), "COM");
    assert!(has_metadata(&splice(&jpeg, &[exif_segment(1)])), "EXIF");
    assert!(has_metadata(&splice(&jpeg, &[xmp_segment()])), "XMP");
    // A second APP0 is only JFIF's own kind of segment.
    assert!(!has_metadata(&splice(&jpeg, &[segment(0xE0, b"JFXX\0\x13")])), "APP0");
}

#[test]
fn a_segment_after_the_scan_or_data_after_the_end_is_found() {
    let jpeg = jpeg_of(&picture(32, 32));
    let (body, end) = jpeg.split_at(jpeg.len() - 2);
    assert_eq!(end, [0xFF, 0xD9]);
    let comment_after_scan = [body, &segment(0xFE, b"late"), end].concat();
    assert!(has_metadata(&comment_after_scan));
    let motion_photo = [jpeg.as_slice(), b"\0\0\0\x18ftypmp42"].concat();
    assert!(has_metadata(&motion_photo));
}

#[test]
fn what_cannot_be_walked_is_not_called_clean() {
    let jpeg = jpeg_of(&picture(32, 32));
    assert!(has_metadata(b""));
    assert!(has_metadata(b"%PDF-1.7"));
    assert!(has_metadata(&jpeg[..jpeg.len() - 2]), "no end-of-image marker");
    assert!(has_metadata(&jpeg[..40]), "cut in a segment");
    assert!(
        has_metadata(&[0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x01]),
        "a length shorter than itself"
    );
}

#[test]
fn fill_bytes_and_stuffed_bytes_do_not_confuse_the_walk() {
    let jpeg = jpeg_of(&noise(64, 64));
    // A 0xFF in the pixels is written 0xFF 0x00; this picture has some.
    let scan = jpeg.windows(2).rposition(|w| w == [0xFF, 0xDA]).expect("a scan");
    assert!(
        jpeg[scan..].windows(2).any(|w| w == [0xFF, 0x00]),
        "the scan has a stuffed byte"
    );
    assert!(!has_metadata(&jpeg));
    let filled = [&jpeg[..2], &[0xFF, 0xFF][..], &jpeg[2..]].concat();
    assert!(!has_metadata(&filled));
}
