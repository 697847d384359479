//! Documents in and out: reports written as XLSX, CSV and PDF (`table`), PDF documents (`pdf`),
//! zip files, and reading a table — CSV (`;` or `,`, UTF-8 with or without BOM,
//! or Windows-1257 as older Latvian exports are) or XLSX (the first sheet) — into header and rows
//! of text. What the columns mean is the importer's business, not this crate's.

use std::io::Cursor;

pub mod pdf;
pub mod table;

/// A table as read: the header row and the data rows, every cell as trimmed text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither CSV nor XLSX")]
    Format,
    #[error("row {0} cannot be read")]
    Row(usize),
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "import.empty",
            Self::Format => "import.format",
            Self::Row(_) => "import.bad_row",
        }
    }
}

/// Reads `bytes`; XLSX is recognised by its ZIP signature, anything else is taken as CSV.
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1257.decode(bytes).0.into_owned(),
    }
}

pub fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode(bytes);
    let first = text.lines().find(|l| !l.trim().is_empty()).ok_or(ReadError::Empty)?;
    // The separator is the one the header uses more of: Latvian spreadsheets write `;`.
    let separator = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| ReadError::Row(i + 1))?;
        let row: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if row.iter().all(String::is_empty) {
            continue;
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

/// An Excel date serial (days since 30.12.1899) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> Option<String> {
    if !(1.0..200_000.0).contains(&serial) {
        return None;
    }
    // Civil-from-days (Howard Hinnant's algorithm), from the Unix epoch.
    let days = serial.floor() as i64 - 25_569;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|_| ReadError::Format)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ReadError::Empty)?
        .map_err(|_| ReadError::Format)?;
    let mut rows = Vec::new();
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => excel_date(d.as_f64()).unwrap_or_default(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
                Data::Error(_) => String::new(),
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        rows.push(cells);
    }
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

/// A zip file of `files` (path, bytes), stored without compression: the archive's PDFs and
/// photos are compressed already, and a plain zip opens anywhere.
pub fn zip_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, body) in files {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(body).map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let t = read_csv("\u{feff}Personas kods;Vārds;Uzvārds\n150385-01233;Anna;Bērziņa\n\n".as_bytes()).expect("csv");
        assert_eq!(t.headers, vec!["Personas kods", "Vārds", "Uzvārds"]);
        assert_eq!(t.rows, vec![vec!["150385-01233", "Anna", "Bērziņa"]]);
    }

    #[test]
    fn csv_with_commas_and_quotes() {
        let t = read_csv(b"a,b\n\"x, y\",\"he said \"\"hi\"\"\"\n").expect("csv");
        assert_eq!(t.rows, vec![vec!["x, y", "he said \"hi\""]]);
    }

    #[test]
    fn windows_1257_is_understood() {
        // "Vārds;Ēriks" in Windows-1257: ā = 0xE2, Ē = 0xC7.
        let t = read_csv(b"V\xE2rds\n\xC7riks\n").expect("csv");
        assert_eq!(t.headers, vec!["Vārds"]);
        assert_eq!(t.rows, vec![vec!["Ēriks"]]);
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(read_table(b""), Err(ReadError::Empty));
        assert_eq!(read_table(b"PK\x03\x04not really a zip"), Err(ReadError::Format));
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(45_000.0).as_deref(), Some("2023-03-15"));
        assert_eq!(excel_date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(excel_date(-3.0), None);
    }
}

#[cfg(test)]
mod xlsx_tests {
    use super::*;
    use std::io::Write;

    /// A minimal workbook, as a spreadsheet program writes one: inline strings, a number, a date.
    fn workbook(rows: &[&[&str]]) -> Vec<u8> {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, row) in rows.iter().enumerate() {
            sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, value) in row.iter().enumerate() {
                let col = (b'A' + c as u8) as char;
                if let Some(n) = value.strip_prefix('#') {
                    sheet.push_str(&format!(r#"<c r="{col}{}"><v>{n}</v></c>"#, r + 1));
                } else {
                    sheet.push_str(&format!(
                        r#"<c r="{col}{}" t="inlineStr"><is><t>{value}</t></is></c>"#,
                        r + 1
                    ));
                }
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");
        let files = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Audzēkņi" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            for (name, body) in files {
                zip.start_file(name, options).expect("entry");
                zip.write_all(body.as_bytes()).expect("write");
            }
            zip.finish().expect("zip");
        }
        out.into_inner()
    }

    #[test]
    fn an_xlsx_sheet_is_read() {
        let bytes = workbook(&[
            &["Personas kods", "Vārds", "Klase", "Kurss"],
            &["150385-01233", "Ēriks", "2.B", "#2"],
            &[],
        ]);
        let t = read_table(&bytes).expect("xlsx");
        assert_eq!(t.headers, vec!["Personas kods", "Vārds", "Klase", "Kurss"]);
        assert_eq!(t.rows, vec![vec!["150385-01233", "Ēriks", "2.B", "2"]]);
    }
}
