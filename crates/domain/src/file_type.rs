//! What an uploaded file really is. A file is accepted only when its first bytes agree with the
//! type its name claims, so a program renamed to `.pdf` is refused; the stored content type comes
//! from here, never from the browser.
//!
//! Pure: bytes in, a verdict out. Size limits are the caller's (they differ per use).

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileTypeError {
    /// The name's extension is not one Klade accepts.
    #[error("this kind of file is not accepted")]
    NotAllowed,
    /// The content is not what the name says.
    #[error("the file's content does not match its name")]
    Mismatch,
}

/// An accepted kind: its extensions and its content type.
struct Kind {
    extensions: &'static [&'static str],
    content_type: &'static str,
    matches: fn(&[u8]) -> bool,
}

fn zip(b: &[u8]) -> bool {
    b.starts_with(b"PK\x03\x04")
}

fn ole(b: &[u8]) -> bool {
    b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Plain text: valid UTF-8 without NUL bytes.
fn text(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok() && !b.contains(&0)
}

const KINDS: &[Kind] = &[
    Kind {
        extensions: &["pdf"],
        content_type: "application/pdf",
        matches: |b| b.starts_with(b"%PDF-"),
    },
    Kind {
        extensions: &["png"],
        content_type: "image/png",
        matches: |b| b.starts_with(b"\x89PNG\r\n\x1a\n"),
    },
    Kind {
        extensions: &["jpg", "jpeg"],
        content_type: "image/jpeg",
        matches: |b| b.starts_with(&[0xFF, 0xD8, 0xFF]),
    },
    Kind {
        extensions: &["gif"],
        content_type: "image/gif",
        matches: |b| b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a"),
    },
    Kind {
        extensions: &["webp"],
        content_type: "image/webp",
        matches: |b| b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP",
    },
    Kind {
        extensions: &["docx"],
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        matches: zip,
    },
    Kind {
        extensions: &["xlsx"],
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        matches: zip,
    },
    Kind {
        extensions: &["pptx"],
        content_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        matches: zip,
    },
    Kind {
        extensions: &["odt"],
        content_type: "application/vnd.oasis.opendocument.text",
        matches: zip,
    },
    Kind {
        extensions: &["ods"],
        content_type: "application/vnd.oasis.opendocument.spreadsheet",
        matches: zip,
    },
    Kind {
        extensions: &["doc"],
        content_type: "application/msword",
        matches: ole,
    },
    Kind {
        extensions: &["xls"],
        content_type: "application/vnd.ms-excel",
        matches: ole,
    },
    Kind {
        extensions: &["txt"],
        content_type: "text/plain; charset=utf-8",
        matches: text,
    },
    Kind {
        extensions: &["csv"],
        content_type: "text/csv; charset=utf-8",
        matches: text,
    },
];

/// The content type of a file named `name` holding `bytes`, if Klade accepts it.
pub fn check(name: &str, bytes: &[u8]) -> Result<&'static str, FileTypeError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = KINDS
        .iter()
        .find(|k| k.extensions.contains(&ext.as_str()))
        .ok_or(FileTypeError::NotAllowed)?;
    if (kind.matches)(bytes) {
        Ok(kind.content_type)
    } else {
        Err(FileTypeError::Mismatch)
    }
}

/// Whether a content type is an image a browser shows by itself.
pub fn is_image(content_type: &str) -> bool {
    content_type.starts_with("image/")
}

/// A file name safe to send back in a header and to show: no path, no control characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_what_its_content_says() {
        assert_eq!(check("Plāns.PDF", b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(check("foto.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check("a.png", b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(check("a.webp", b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(check("saraksts.xlsx", b"PK\x03\x04rest"), Ok(KINDS[6].content_type));
        assert_eq!(
            check("piezīmes.txt", "Labdien!".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn a_file_that_lies_about_its_type_is_refused() {
        assert_eq!(check("rēķins.pdf", b"MZ\x90\0 program"), Err(FileTypeError::Mismatch));
        assert_eq!(check("bilde.jpg", b"%PDF-1.4"), Err(FileTypeError::Mismatch));
        assert_eq!(check("teksts.txt", &[0x00, 0x01, 0xFF]), Err(FileTypeError::Mismatch));
        assert_eq!(check("programma.exe", b"MZ"), Err(FileTypeError::NotAllowed));
        assert_eq!(check("bez_paplašinājuma", b"%PDF-"), Err(FileTypeError::NotAllowed));
        assert_eq!(check("a.pdf", b""), Err(FileTypeError::Mismatch));
    }

    #[test]
    fn names_lose_paths_and_quotes() {
        assert_eq!(clean_name("C:\\Users\\x\\Plāns \"A\".pdf"), "Plāns A.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("  "), "file");
    }
}
