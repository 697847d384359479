//! Downloading a report, the same way for every page: the page builds its `Report` (title,
//! subtitle, columns, typed cells) and, when the request asks `?format=xlsx|csv|pdf`, answers with
//! [`download`] instead of HTML. Pages show the three links with [`links`] and the template
//! `exports.html`. What goes into a report is the page's business; how a format writes it is
//! `klade_docs::table`'s.

use crate::error::WebError;
use axum::http::header;
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
