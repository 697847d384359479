//! Documents in and out: reports written as XLSX, CSV and PDF (`table`), PDF documents (`pdf`),
//! zip files, and reading a table — CSV (`;` or `,`, UTF-8 with or without BOM,
//! or Windows-1257 as older Latvian exports are) or XLSX (the first sheet) — into header and rows
//! of text. What the columns mean is the importer's business, not this crate's.

use std::io::Cursor;

pub mod asc;
pub mod pdf;
pub mod table;

/// A table as read: the header row and the data rows, every cell as trimmed text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What reading one table may cost. A school's VIIS export is a few hundred rows and a few hundred
/// kilobytes; the largest institution's is a few thousand rows. Anything beyond these is refused
/// before it is held in memory: a zip entry's declared and real size, the file's rows and columns.
/// Reading within them takes a few tens of megabytes at most.
impl table::Report {
    /// The report in `format`: the table's own writers, or the PDF's (`pdf` reads the table, the
    /// table knows nothing of PDF).
    pub fn write(&self, format: table::Format) -> Result<Vec<u8>, table::ExportError> {
        match format {
            table::Format::Xlsx => self.xlsx(),
            table::Format::Csv => self.csv(),
            table::Format::Pdf => pdf::render_report(self).map_err(|e| e.to_string()),
        }
        .map_err(table::ExportError)
    }
}

pub mod budget {
    /// The largest file accepted, in bytes.
    pub const MAX_BYTES: usize = 8 * 1024 * 1024;
    /// Rows, the header included.
    pub const MAX_ROWS: usize = 20_000;
    /// Columns of a row.
    pub const MAX_COLUMNS: usize = 64;
    /// Characters of one cell.
    pub const MAX_CELL: usize = 2_000;
    /// Entries of an XLSX package (a workbook has a dozen).
    pub const MAX_ENTRIES: usize = 200;
    /// Bytes one entry of an XLSX package may unpack to, declared or real.
    pub const MAX_ENTRY_BYTES: u64 = 32 * 1024 * 1024;
    /// Bytes the whole package may unpack to.
    pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is neither CSV nor XLSX")]
    Format,
    #[error("row {0} cannot be read")]
    Row(usize),
    #[error("the file is larger than a table may be ({0})")]
    TooLarge(&'static str),
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "import.empty",
            Self::Format => "import.format",
            Self::Row(_) => "import.bad_row",
            Self::TooLarge("rows") => "import.too_many_rows",
            Self::TooLarge("columns") => "import.too_many_columns",
            Self::TooLarge("cell") => "import.cell_too_long",
            Self::TooLarge(_) => "import.too_large",
        }
    }
}

/// Reads `bytes`; XLSX is recognised by its ZIP signature, anything else is taken as CSV. Within
/// [`budget`], whatever the bytes are.
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.len() > budget::MAX_BYTES {
        return Err(ReadError::TooLarge("file"));
    }
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
    // The reader keeps a record's every field boundary: a line of four million separators is a
    // row of four million cells before any check could count them. Lines are measured first.
    let longest_row = budget::MAX_COLUMNS * (budget::MAX_CELL + 3);
    for line in text.lines() {
        if line.len() > longest_row || line.bytes().filter(|&b| b == separator).count() > 4 * budget::MAX_COLUMNS {
            return Err(ReadError::TooLarge("columns"));
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| ReadError::Row(i + 1))?;
        if record.len() > budget::MAX_COLUMNS {
            return Err(ReadError::TooLarge("columns"));
        }
        let row: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if row.iter().any(|c| c.chars().count() > budget::MAX_CELL) {
            return Err(ReadError::TooLarge("cell"));
        }
        if row.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() == budget::MAX_ROWS {
            return Err(ReadError::TooLarge("rows"));
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

/// Checks an XLSX package before a reader unpacks it: few entries, each declaring and really
/// unpacking to no more than the budget — a package may lie about its sizes, so each entry is
/// unpacked here, counted and thrown away, never kept.
fn check_package(bytes: &[u8]) -> Result<(), ReadError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Format)?;
    if zip.len() > budget::MAX_ENTRIES {
        return Err(ReadError::TooLarge("entries"));
    }
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| ReadError::Format)?;
        if entry.size() > budget::MAX_ENTRY_BYTES {
            return Err(ReadError::TooLarge("entry"));
        }
        let real = std::io::copy(&mut entry.take(budget::MAX_ENTRY_BYTES + 1), &mut std::io::sink())
            .map_err(|_| ReadError::Format)?;
        if real > budget::MAX_ENTRY_BYTES {
            return Err(ReadError::TooLarge("entry"));
        }
        unpacked += real;
        if unpacked > budget::MAX_UNPACKED_BYTES {
            return Err(ReadError::TooLarge("package"));
        }
    }
    Ok(())
}

/// The first sheet, cell by cell. A sheet's cells are read one at a time, never as calamine's
/// rectangle: a sheet with one cell in A1 and one in XFD1048576 would make that rectangle 17
/// billion cells. Rows and columns beyond the budget are refused as they come.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    use calamine::{DataRef, Reader, Xlsx};
    check_package(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| ReadError::Format)?;
    let first = book.sheet_names().into_iter().next().ok_or(ReadError::Empty)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(|_| ReadError::Format)?;
    let mut grid: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| ReadError::Format)? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if column >= budget::MAX_COLUMNS {
            return Err(ReadError::TooLarge("columns"));
        }
        if row >= budget::MAX_ROWS {
            return Err(ReadError::TooLarge("rows"));
        }
        let text = match cell.get_value() {
            DataRef::Empty | DataRef::Error(_) => continue,
            DataRef::String(s) => s.trim().to_string(),
            DataRef::SharedString(s) => s.trim().to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => excel_date(d.as_f64()).unwrap_or_default(),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        };
        if text.chars().count() > budget::MAX_CELL {
            return Err(ReadError::TooLarge("cell"));
        }
        if grid.len() <= row {
            grid.resize_with(row + 1, Vec::new);
        }
        let cells_of_row = &mut grid[row];
        if cells_of_row.len() <= column {
            cells_of_row.resize(column + 1, String::new());
        }
        cells_of_row[column] = text;
    }
    let mut rows: Vec<Vec<String>> = grid.into_iter().filter(|r| r.iter().any(|c| !c.is_empty())).collect();
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
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            data.push_str(&format!(r#"<row r="{}">"#, r + 1));
            for (c, value) in row.iter().enumerate() {
                let col = (b'A' + c as u8) as char;
                if let Some(n) = value.strip_prefix('#') {
                    data.push_str(&format!(r#"<c r="{col}{}"><v>{n}</v></c>"#, r + 1));
                } else {
                    data.push_str(&format!(
                        r#"<c r="{col}{}" t="inlineStr"><is><t>{value}</t></is></c>"#,
                        r + 1
                    ));
                }
            }
            data.push_str("</row>");
        }
        package(&data, &[])
    }

    /// A package around `sheet_data`, with `extra` entries (name, bytes) deflated beside it.
    fn package(sheet_data: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
        );
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
            let deflated = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            for (name, body) in extra {
                zip.start_file(*name, deflated).expect("entry");
                zip.write_all(body).expect("write");
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

    #[test]
    fn cells_far_apart_are_refused_before_they_cost_memory() {
        // As a rectangle, A1 to XFD1048576 is 17 billion cells: 512 GiB.
        let corner = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Vārds</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
        let bytes = package(corner, &[]);
        assert!(bytes.len() < 3_000, "a bomb of {} bytes", bytes.len());
        assert_eq!(read_table(&bytes), Err(ReadError::TooLarge("columns")));
        let down = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>"#;
        assert_eq!(read_table(&package(down, &[])), Err(ReadError::TooLarge("rows")));
        let wide = r#"<row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>1</v></c></row>"#;
        assert_eq!(read_table(&package(wide, &[])), Err(ReadError::TooLarge("columns")));
    }

    #[test]
    fn a_package_that_unpacks_beyond_its_budget_is_refused() {
        let zeros = vec![0u8; (budget::MAX_ENTRY_BYTES + 1) as usize];
        let bytes = package("", &[("xl/media/image1.bin", &zeros)]);
        assert!(bytes.len() < 200_000, "{} bytes packed", bytes.len());
        assert_eq!(read_table(&bytes), Err(ReadError::TooLarge("entry")));
        let half = vec![0u8; (budget::MAX_UNPACKED_BYTES / 3) as usize];
        let many = package(
            "",
            &[("a.bin", &half), ("b.bin", &half), ("c.bin", &half), ("d.bin", &half)],
        );
        assert_eq!(read_table(&many), Err(ReadError::TooLarge("package")));
    }

    #[test]
    fn a_csv_beyond_its_budget_is_refused() {
        let mut rows = String::from("a;b\n");
        for i in 0..budget::MAX_ROWS {
            rows.push_str(&format!("{i};x\n"));
        }
        assert_eq!(read_table(rows.as_bytes()), Err(ReadError::TooLarge("rows")));
        let wide = vec!["x"; budget::MAX_COLUMNS + 1].join(";");
        assert_eq!(read_table(wide.as_bytes()), Err(ReadError::TooLarge("columns")));
        let long = format!("a\n{}\n", "x".repeat(budget::MAX_CELL + 1));
        assert_eq!(read_table(long.as_bytes()), Err(ReadError::TooLarge("cell")));
        let huge = vec![b'a'; budget::MAX_BYTES + 1];
        assert_eq!(read_table(&huge), Err(ReadError::TooLarge("file")));
    }
}
