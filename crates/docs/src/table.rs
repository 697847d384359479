//! Reports out: a report is a title, a few subtitle lines (the institution, the period), columns
//! and rows of typed cells, written once and exported as XLSX, CSV or PDF. What a report holds is
//! its caller's business; this module only knows how each format writes a cell.
//!
//! XLSX is a minimal SpreadsheetML package written with the `zip` crate this crate already has
//! (inline strings, one style sheet), so no second zip or spreadsheet library is pulled in.
//! CSV is what Latvian Excel opens by double click: UTF-8 with a BOM, `;` between cells and a
//! decimal comma.

use std::io::Write;

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number shown with `decimals` places (a count: 0; an average: 2).
    Number {
        value: f64,
        decimals: u8,
    },
    /// An ISO date `YYYY-MM-DD`; shown as `23.11.2026.`, a date cell in XLSX.
    Date(String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    pub fn count(n: i64) -> Self {
        Self::Number {
            value: n as f64,
            decimals: 0,
        }
    }

    /// An average with two decimals, or empty when there is none.
    pub fn average(a: Option<f64>) -> Self {
        a.map_or(Self::Empty, |value| Self::Number { value, decimals: 2 })
    }

    /// The cell as a person reads it: `7,25`, `23.11.2026.`.
    pub fn display(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) => s.clone(),
            Self::Number { value, decimals } => decimal_comma(*value, *decimals),
            Self::Date(iso) => latvian_date(iso),
        }
    }
}

/// A text cell as a spreadsheet must get it: text that a spreadsheet would take for a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets an apostrophe before it, so a name
/// or a note typed as `=HYPERLINK(…)` stays text when a clerk opens the export (OWASP's advice
/// against CSV injection; XLSX gets the same so a converted file is safe too).
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn decimal_comma(value: f64, decimals: u8) -> String {
    format!("{value:.*}", usize::from(decimals)).replace('.', ",")
}

fn latvian_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}."),
        _ => iso.to_string(),
    }
}

/// A column: its heading and its width in characters (the PDF turns it into millimetres).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: f32,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32) -> Self {
        Self {
            title: title.into(),
            width,
        }
    }
}

/// A report: what every export writes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub title: String,
    /// Lines under the title: the institution, the period, the class.
    pub subtitle: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// The formats every report can be downloaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Pdf,
}

impl Format {
    pub const ALL: [Self; 3] = [Self::Xlsx, Self::Csv, Self::Pdf];

    /// `xlsx`, `csv` or `pdf` (a query parameter's value).
    pub fn from_param(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.extension() == s.trim().to_ascii_lowercase())
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
            Self::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Pdf => "application/pdf",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the report could not be written: {0}")]
pub struct ExportError(pub(crate) String);

impl Report {
    /// The column headings and the rows only: a CSV is data for a spreadsheet, so the title and
    /// period stay in the file's name and the other formats.
    pub fn csv(&self) -> Result<Vec<u8>, String> {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut out);
            w.write_record(self.columns.iter().map(|c| neutralise(&c.title).into_owned()))
                .map_err(|e| e.to_string())?;
            for row in &self.rows {
                // Latvian Excel reads `23.11.2026` as a date; with the closing dot it would be text.
                let cells = row.iter().map(|c| match c {
                    Cell::Date(_) => c.display().trim_end_matches('.').to_string(),
                    Cell::Text(s) => neutralise(s).into_owned(),
                    _ => c.display(),
                });
                w.write_record(cells).map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())?;
        }
        Ok(out)
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, String> {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"/></sheetViews>"#,
        );
        if !self.columns.is_empty() {
            sheet.push_str("<cols>");
            for (i, c) in self.columns.iter().enumerate() {
                sheet.push_str(&format!(
                    r#"<col min="{n}" max="{n}" width="{w:.1}" customWidth="1"/>"#,
                    n = i + 1,
                    w = c.width.max(4.0) + 1.0
                ));
            }
            sheet.push_str("</cols>");
        }
        sheet.push_str("<sheetData>");
        let mut r = 0usize;
        let mut row = |sheet: &mut String, cells: &mut dyn Iterator<Item = (Cell, u8)>| {
            r += 1;
            sheet.push_str(&format!(r#"<row r="{r}">"#));
            for (c, (cell, style)) in cells.enumerate() {
                let at = format!("{}{r}", column_name(c));
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => sheet.push_str(&format!(
                        r#"<c r="{at}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        xml_escape(&neutralise(&s))
                    )),
                    Cell::Number { value, decimals } if value.is_finite() => {
                        let style = match decimals {
                            0 => 2,
                            1 => 3,
                            _ => 4,
                        };
                        sheet.push_str(&format!(r#"<c r="{at}" s="{style}"><v>{value}</v></c>"#));
                    }
                    Cell::Number { .. } => {}
                    Cell::Date(iso) => match excel_serial(&iso) {
                        Some(n) => sheet.push_str(&format!(r#"<c r="{at}" s="5"><v>{n}</v></c>"#)),
                        None => sheet.push_str(&format!(
                            r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                            xml_escape(&iso)
                        )),
                    },
                }
            }
            sheet.push_str("</row>");
        };
        row(&mut sheet, &mut std::iter::once((Cell::Text(self.title.clone()), 1)));
        for s in &self.subtitle {
            row(&mut sheet, &mut std::iter::once((Cell::Text(s.clone()), 0)));
        }
        row(&mut sheet, &mut std::iter::empty());
        row(
            &mut sheet,
            &mut self.columns.iter().map(|c| (Cell::Text(c.title.clone()), 1)),
        );
        for cells in &self.rows {
            row(&mut sheet, &mut cells.iter().map(|c| (c.clone(), 0)));
        }
        sheet.push_str("</sheetData></worksheet>");

        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            xml_escape(&sheet_name(&self.title))
        );
        let files: [(&str, &str); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", &workbook),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
            ("xl/worksheets/sheet1.xml", &sheet),
        ];
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, body) in files {
            zip.start_file(name, options).map_err(|e| e.to_string())?;
            zip.write_all(body.as_bytes()).map_err(|e| e.to_string())?;
        }
        zip.finish().map_err(|e| e.to_string())?;
        Ok(out.into_inner())
    }
}

/// `A`, …, `Z`, `AA`, …
fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// A sheet's name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if name.trim().is_empty() {
        "Sheet1".into()
    } else {
        name
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Days since 30.12.1899, the way spreadsheets count dates.
fn excel_serial(iso: &str) -> Option<i64> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days-from-civil (Howard Hinnant's algorithm), to the Unix epoch, then to Excel's.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468 + 25_569)
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Styles by index: 0 plain, 1 bold, 2 whole number, 3 one decimal, 4 two decimals, 5 a date
/// written `23.11.2026.`.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0"/><numFmt numFmtId="165" formatCode="dd\.mm\.yyyy\."/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const LETTERS: &str = "ā č ē ģ ī ķ ļ ņ š ū ž Ā Č Ē Ģ Ī Ķ Ļ Ņ Š Ū Ž";

    pub(crate) fn sample() -> Report {
        Report {
            title: "Kavējumu kopsavilkums".into(),
            subtitle: vec!["Rīgas Ķēniņu vidusskola".into(), "01.03.2027.–31.03.2027.".into()],
            columns: vec![
                Column::new("Skolēns", 24.0),
                Column::new("Attaisnoti", 10.0),
                Column::new("Vidējais", 10.0),
                Column::new("Datums", 12.0),
            ],
            rows: vec![
                vec![
                    Cell::text("Bērziņa Ļena; \"Šķ\""),
                    Cell::count(3),
                    Cell::average(Some(7.25)),
                    Cell::Date("2027-03-15".into()),
                ],
                vec![Cell::text(LETTERS), Cell::count(0), Cell::average(None), Cell::Empty],
            ],
        }
    }

    #[test]
    fn xlsx_reads_back_with_its_cells() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = sample().write(Format::Xlsx).expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        assert_eq!(book.sheet_names(), vec!["Kavējumu kopsavilkums".to_string()]);
        let range = book.worksheet_range_at(0).expect("sheet").expect("range");
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows[0][0], Data::String("Kavējumu kopsavilkums".into()));
        assert_eq!(rows[1][0], Data::String("Rīgas Ķēniņu vidusskola".into()));
        assert_eq!(rows[4][0], Data::String("Skolēns".into()));
        assert_eq!(rows[5][0], Data::String("Bērziņa Ļena; \"Šķ\"".into()));
        assert_eq!(rows[5][1], Data::Float(3.0));
        assert_eq!(rows[5][2], Data::Float(7.25));
        match &rows[5][3] {
            Data::DateTime(d) => assert_eq!(crate::excel_date(d.as_f64()).as_deref(), Some("2027-03-15")),
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(rows[6][0], Data::String(LETTERS.into()));
        // And through the importer's reader, which skips nothing but empty rows.
        let t = crate::read_table(&sample().write(Format::Xlsx).expect("xlsx")).expect("table");
        assert_eq!(t.headers[0], "Kavējumu kopsavilkums");
        assert_eq!(t.rows[3][2], "7.25");
    }

    #[test]
    fn csv_has_a_bom_semicolons_and_decimal_commas() {
        let bytes = sample().write(Format::Csv).expect("csv");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Skolēns;Attaisnoti;Vidējais;Datums");
        assert_eq!(lines[1], "\"Bērziņa Ļena; \"\"Šķ\"\"\";3;7,25;15.03.2027");
        assert_eq!(lines[2], format!("{LETTERS};0;;"));
        let back = crate::read_csv(text.as_bytes()).expect("read");
        assert_eq!(back.rows[0][0], "Bērziņa Ļena; \"Šķ\"");
    }

    #[test]
    fn text_a_spreadsheet_would_run_stays_text() {
        let mut r = Report {
            title: "Atskaite".into(),
            columns: vec![Column::new("Piezīme", 20.0)],
            ..Report::default()
        };
        for bad in [
            "=HYPERLINK(\"http://evil.example\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            r.rows.push(vec![Cell::text(bad)]);
        }
        r.rows.push(vec![Cell::count(-5)]);
        let csv = String::from_utf8(r.csv().expect("csv")).expect("utf-8");
        for line in csv.lines().skip(1).take(4) {
            assert!(line.trim_start_matches('"').starts_with('\''), "{line}");
        }
        assert!(csv.contains("-5"), "numbers stay numbers: {csv}");
        let xlsx = r.xlsx().expect("xlsx");
        let table = crate::read_xlsx(&xlsx).expect("reads back");
        let texts: Vec<&str> = table
            .rows
            .iter()
            .filter_map(|row| row.first())
            .map(String::as_str)
            .collect();
        assert!(texts.contains(&"'=HYPERLINK(\"http://evil.example\")"), "{texts:?}");
        assert!(texts.contains(&"'@SUM(A1)"), "{texts:?}");
        assert_eq!(neutralise("Anna"), "Anna");
    }

    #[test]
    fn names_and_serials() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(excel_serial("2023-03-15"), Some(45_000));
        assert_eq!(sheet_name("a/b: c"), "ab c");
        assert_eq!(Format::from_param("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_param("doc"), None);
    }
}
