//! Downloading a report, the same way for every page: the page builds its `Report` (title,
//! subtitle, columns, typed cells) and, when the request asks `?format=xlsx|csv|pdf`, answers with
//! [`download`] instead of HTML. Pages show the three links with [`links`] and the template
//! `exports.html`. What goes into a report is the page's business; how a format writes it is
//! `klade_docs::table`'s.

use crate::error::WebError;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use klade_app::AppError;
use klade_docs::table::{Format, Report};

/// The format a request asks for: none (the page itself), or one of the three; anything else is a
/// clear message.
pub fn requested(format: Option<&str>) -> Result<Option<Format>, WebError> {
    match format.map(str::trim).filter(|f| !f.is_empty()) {
        None => Ok(None),
        Some(f) => Format::from_param(f)
            .map(Some)
            .ok_or(AppError::invalid("format", "export.bad_format").into()),
    }
}

/// The report as an attachment named `<name>.<extension>` (`name` is kept to ASCII letters,
/// digits, `-` and `_`, so every browser saves it under that name).
pub fn download(report: &Report, format: Format, name: &str) -> Result<Response, WebError> {
    let bytes = report.write(format).map_err(|e| AppError::Internal(e.to_string()))?;
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{}\"", format.extension()),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The three download links of a page at `path` (which may carry a query already): (href, label).
pub fn links(path: &str) -> Vec<(String, &'static str)> {
    let joiner = if path.contains('?') { '&' } else { '?' };
    Format::ALL
        .into_iter()
        .map(|f| {
            let label = match f {
                Format::Xlsx => "XLSX",
                Format::Csv => "CSV",
                Format::Pdf => "PDF",
            };
            (format!("{path}{joiner}format={}", f.extension()), label)
        })
        .collect()
}

/// Sends an attachment back; never shown inline unless it is an image, so a document cannot
/// run in the site's origin.
pub fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let inline = klade_domain::file_type::is_image(content_type);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encoded.replace('+', "%20")
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}
