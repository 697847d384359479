//! PDF documents: A4 pages of headings, text and table rows, in DejaVu Sans (embedded, so every
//! Latvian letter prints right on any machine). Layout is deliberately simple: one column, lines
//! wrapped at the page's width, a new page when one is full.

use printpdf::{IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};
use std::io::Cursor;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Text(String),
    /// A table row: the first cell in bold, the rest after it.
    Row(String, String),
    /// A table the page's width: columns as (heading, share of the width), rows of cells; a cell
    /// whose text is a number stands to the right.
    Table {
        columns: Vec<(String, u16)>,
        rows: Vec<Vec<String>>,
    },
    /// A line to sign on, with who signs under it.
    Signature(String),
    /// Starts the next document (e.g. the next student's report) on a new page.
    PageBreak,
    /// The institution's logo, 18 mm high at the left: a baseline JPEG of `width` × `height`
    /// pixels, embedded as it is.
    Logo {
        jpeg: Vec<u8>,
        width: u32,
        height: u32,
    },
}

impl Block {
    /// The logo block for a stored JPEG, when its size can be read from its frame header.
    pub fn logo(jpeg: Vec<u8>) -> Option<Self> {
        let (width, height) = jpeg_size(&jpeg)?;
        Some(Self::Logo { jpeg, width, height })
    }
}

/// A JPEG's width and height from its start-of-frame segment, walking the segments' lengths.
fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    if jpeg.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    while at + 9 < jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u16::from_be_bytes([jpeg[at + 5], jpeg[at + 6]]);
            let w = u16::from_be_bytes([jpeg[at + 7], jpeg[at + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        at += 2 + len;
    }
    None
}

#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct PdfError(String);

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
    /// The page's size in mm (A4, upright or turned for a wide table).
    width: f32,
    height: f32,
}

const TOP: f32 = 280.0;
/// DejaVu Sans at 8 pt: about 1.75 mm a character on average.
const CHAR_MM: f32 = 1.75;
/// A table cell's room between its text and the next column, at 8 pt.
const PAD: f32 = 1.5;
const BOTTOM: f32 = 18.0;
const LEFT: f32 = 18.0;

impl Writer {
    fn new_page(&mut self) {
        let (page, layer) = self.doc.add_page(Mm(self.width), Mm(self.height), "text");
        self.layer = self.doc.get_page(page).get_layer(layer);
        self.y = self.height - (297.0 - TOP);
    }

    fn logo(&mut self, jpeg: &[u8], width: u32, height: u32) {
        use printpdf::{ColorBits, ColorSpace, Image, ImageFilter, ImageTransform, ImageXObject, Px};
        const HIGH_MM: f32 = 18.0;
        if width == 0 || height == 0 {
            return;
        }
        if self.y - HIGH_MM < BOTTOM {
            self.new_page();
        }
        self.y -= HIGH_MM;
        // At this many dots per inch the image is HIGH_MM high, whatever its pixels.
        let dpi = height as f32 * 25.4 / HIGH_MM;
        let image = Image::from(ImageXObject {
            width: Px(width as usize),
            height: Px(height as usize),
            color_space: ColorSpace::Rgb,
            bits_per_component: ColorBits::Bit8,
            interpolate: true,
            image_data: jpeg.to_vec(),
            image_filter: Some(ImageFilter::DCT),
            smask: None,
            clipping_bbox: None,
        });
        image.add_to_layer(
            self.layer.clone(),
            ImageTransform {
                translate_x: Some(Mm(LEFT)),
                translate_y: Some(Mm(self.y)),
                dpi: Some(dpi),
                ..ImageTransform::default()
            },
        );
        self.y -= 3.0;
    }

    fn line(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        let height = size * 0.45;
        if self.y - height < BOTTOM {
            self.new_page();
        }
        self.y -= height;
        let font = if bold { &self.bold } else { &self.regular };
        self.layer.use_text(text, size, Mm(LEFT + indent), Mm(self.y), font);
        self.y -= size * 0.12;
    }

    /// Prints a table from here down: the header in bold under a rule (again on each new page),
    /// then the rows, each cell wrapped within its column of `widths` mm, the `true` cells set to
    /// the right (numbers), in `size` pt.
    fn table(&mut self, widths: &[f32], size: f32, header: &[String], rows: &[Vec<(String, bool)>]) {
        let scale = size / 8.0;
        let char_mm = CHAR_MM * scale;
        let line_height = size * 0.45;
        let chars = |mm: f32| (((mm - PAD * scale) / char_mm).floor() as usize).max(1);
        let lay_out = |cells: Vec<(String, bool)>| -> Vec<(Vec<String>, bool)> {
            cells
                .into_iter()
                .zip(widths)
                .map(|((text, right), mm)| (wrap(&text, chars(*mm)), right))
                .collect()
        };
        let row_height = |row: &[(Vec<String>, bool)]| {
            row.iter().map(|(l, _)| l.len()).max().unwrap_or(1).max(1) as f32 * (line_height + size * 0.12) + 1.0
        };
        let header = lay_out(header.iter().map(|h| (h.clone(), false)).collect());
        let print_row = |w: &mut Writer, row: &[(Vec<String>, bool)], is_header: bool| {
            let mut x = LEFT;
            for ((cell, right), mm) in row.iter().zip(widths) {
                for (k, text) in cell.iter().enumerate() {
                    let y = w.y - line_height * (k as f32 + 1.0) - (size * 0.12) * k as f32;
                    let at = if *right {
                        x + mm - PAD * scale - text.chars().count() as f32 * char_mm
                    } else {
                        x
                    };
                    let font = if is_header { &w.bold } else { &w.regular };
                    w.layer.use_text(text.as_str(), size, Mm(at.max(x)), Mm(y), font);
                }
                x += mm;
            }
            w.y -= row_height(row);
            let rule: printpdf::Line = [
                (printpdf::Point::new(Mm(LEFT), Mm(w.y + 0.5)), false),
                (printpdf::Point::new(Mm(x), Mm(w.y + 0.5)), false),
            ]
            .into_iter()
            .collect();
            w.layer.set_outline_thickness(if is_header { 0.5 } else { 0.1 });
            w.layer.add_line(rule);
            w.y -= 1.0;
        };
        if self.y - row_height(&header) < BOTTOM {
            self.new_page();
        }
        print_row(self, &header, true);
        for cells in rows {
            let row = lay_out(cells.clone());
            if self.y - row_height(&row) < BOTTOM {
                self.new_page();
                print_row(self, &header, true);
            }
            print_row(self, &row, false);
        }
    }

    /// Wraps `text` to lines of at most `width` characters (DejaVu at 10 pt fits about 95 on A4).
    fn wrapped(&mut self, text: &str, size: f32, bold: bool, indent: f32, width: usize) {
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                    self.line(&line, size, bold, indent);
                    line.clear();
                }
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
            }
            self.line(&line, size, bold, indent);
        }
    }
}

/// Renders the blocks to a PDF.
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let err = |e: printpdf::Error| PdfError(e.to_string());
    let (doc, page, layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "text");
    let regular = doc.add_external_font(Cursor::new(REGULAR)).map_err(err)?;
    let bold = doc.add_external_font(Cursor::new(BOLD)).map_err(err)?;
    let layer = doc.get_page(page).get_layer(layer);
    let mut w = Writer {
        doc,
        layer,
        regular,
        bold,
        y: TOP,
        width: 210.0,
        height: 297.0,
    };
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Title(t) => {
                w.wrapped(t, 16.0, true, 0.0, 55);
                w.y -= 3.0;
            }
            Block::Heading(t) => {
                w.y -= 2.0;
                w.wrapped(t, 12.0, true, 0.0, 75);
            }
            Block::Text(t) => w.wrapped(t, 10.0, false, 0.0, 95),
            Block::Row(first, rest) => {
                w.wrapped(first, 10.0, true, 0.0, 95);
                if !rest.is_empty() {
                    w.wrapped(rest, 10.0, false, 6.0, 90);
                }
            }
            Block::Table { columns, rows } => {
                let room = 210.0 - 2.0 * LEFT;
                let total = f32::from(columns.iter().map(|(_, share)| *share).sum::<u16>().max(1));
                let widths: Vec<f32> = columns
                    .iter()
                    .map(|(_, share)| room * f32::from(*share) / total)
                    .collect();
                let header: Vec<String> = columns.iter().map(|(h, _)| h.clone()).collect();
                let rows: Vec<Vec<(String, bool)>> = rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|c| (c.clone(), c.replace(',', ".").trim().parse::<f64>().is_ok()))
                            .collect()
                    })
                    .collect();
                w.y -= 1.0;
                w.table(&widths, 9.0, &header, &rows);
            }
            Block::Signature(who) => {
                w.y -= 10.0;
                w.line("______________________________", 10.0, false, 0.0);
                w.line(who, 8.0, false, 0.0);
            }
            Block::PageBreak if i + 1 < blocks.len() => w.new_page(),
            Block::PageBreak => {}
            Block::Logo { jpeg, width, height } => w.logo(jpeg, *width, *height),
        }
    }
    w.doc.save_to_bytes().map_err(err)
}

/// A report's table: title and subtitle, then the columns' headings (repeated on every page)
/// and the rows, each cell wrapped within its column. A table wider than an upright A4 page is
/// printed on turned pages; one wider still has its columns narrowed to fit.
pub fn render_report(report: &crate::table::Report) -> Result<Vec<u8>, PdfError> {
    use crate::table::Cell;
    let err = |e: printpdf::Error| PdfError(e.to_string());
    let wanted: Vec<f32> = report
        .columns
        .iter()
        .map(|c| c.width.max(3.0) * CHAR_MM + PAD)
        .collect();
    let total: f32 = wanted.iter().sum();
    let (width, height) = if total > 210.0 - 2.0 * LEFT {
        (297.0, 210.0)
    } else {
        (210.0, 297.0)
    };
    let room = width - 2.0 * LEFT;
    // A table too wide even for a turned page is printed smaller rather than with its words
    // broken, down to 5 pt.
    let scale = if total > room {
        (room / total).max(5.0 / 8.0)
    } else {
        1.0
    };
    let widths: Vec<f32> = wanted.iter().map(|w| w * scale).collect();
    let size = 8.0 * scale;

    let (doc, page, layer) = PdfDocument::new(&report.title, Mm(width), Mm(height), "text");
    let regular = doc.add_external_font(Cursor::new(REGULAR)).map_err(err)?;
    let bold = doc.add_external_font(Cursor::new(BOLD)).map_err(err)?;
    let layer = doc.get_page(page).get_layer(layer);
    let top = height - (297.0 - TOP);
    let mut w = Writer {
        doc,
        layer,
        regular,
        bold,
        y: top,
        width,
        height,
    };
    w.wrapped(&report.title, 14.0, true, 0.0, (room / (CHAR_MM * 14.0 / 8.0)) as usize);
    for s in &report.subtitle {
        w.wrapped(s, 10.0, false, 0.0, (room / (CHAR_MM * 10.0 / 8.0)) as usize);
    }
    w.y -= 3.0;

    let header: Vec<String> = report.columns.iter().map(|c| c.title.clone()).collect();
    let rows: Vec<Vec<(String, bool)>> = report
        .rows
        .iter()
        .map(|cells| {
            cells
                .iter()
                .map(|c| (c.display(), matches!(c, Cell::Number { .. })))
                .collect()
        })
        .collect();
    w.table(&widths, size, &header, &rows);
    w.doc.save_to_bytes().map_err(err)
}

/// `text` in lines of at most `width` characters, broken between words where it can be.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            if !line.is_empty() && line.chars().count() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            while word.len() > width {
                let rest = word.split_off(width);
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(word.into_iter().collect());
                word = rest;
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.extend(word);
        }
        lines.push(line);
    }
    lines
}

/// The text of every page, read back through the fonts' ToUnicode maps as a PDF reader does
/// (used to check what was printed).
pub fn extract_text(pdf: &[u8]) -> Result<String, PdfError> {
    use std::collections::HashMap;
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| PdfError(e.to_string()))?;
    let content = |s: &lopdf::Stream| s.decompressed_content().unwrap_or_else(|_| s.content.clone());
    let hex = |h: &str| u32::from_str_radix(h.trim_matches(|c| c == '<' || c == '>'), 16).ok();
    // Glyph id → character, from every ToUnicode map (`<gid> <unicode>` pairs).
    let mut glyphs: HashMap<u32, char> = HashMap::new();
    for object in doc.objects.values() {
        if let Ok(stream) = object.as_stream() {
            let text = String::from_utf8_lossy(&content(stream)).into_owned();
            // Maps come in blocks of at most 100 pairs.
            for block in text.split("beginbfchar").skip(1) {
                let body = &block[..block.find("endbfchar").unwrap_or(block.len())];
                let tokens: Vec<&str> = body.split_whitespace().collect();
                for pair in tokens.chunks(2) {
                    if let [g, u] = pair {
                        if let (Some(g), Some(c)) = (hex(g), hex(u).and_then(char::from_u32)) {
                            glyphs.insert(g, c);
                        }
                    }
                }
            }
        }
    }
    let mut out = String::new();
    for (_, page) in doc.get_pages() {
        for stream_id in doc.get_page_contents(page) {
            let Ok(stream) = doc.get_object(stream_id).and_then(|o| o.as_stream()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&content(stream)).into_owned();
            // Text shown as hex strings of 4-digit glyph ids: `<0041004F> Tj`.
            for part in text.split('<').skip(1) {
                let Some(end) = part.find('>') else { continue };
                let digits = &part[..end];
                for k in (0..digits.len()).step_by(4) {
                    if let Some(c) = digits.get(k..k + 4).and_then(hex).and_then(|g| glyphs.get(&g)) {
                        out.push(*c);
                    }
                }
                out.push(' ');
            }
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::tests::{sample, LETTERS};
    use crate::table::{Cell, Column, Format};

    #[test]
    fn latvian_letters_print_and_can_be_read_back() {
        let pdf = render(
            "Sekmju izraksts",
            &[
                Block::Title("Sekmju izraksts".into()),
                Block::Text("Ķēniņš Čaba, 2.B — Ģeogrāfija: 7, 8; Šūšana, Žagars, Ļoti labi".into()),
                Block::PageBreak,
                Block::Row("Matemātika".into(), "9, 10".into()),
            ],
        )
        .expect("pdf");
        assert!(pdf.starts_with(b"%PDF"));
        let text = extract_text(&pdf).expect("text");
        for word in ["Ķēniņš", "Čaba", "Ģeogrāfija", "Šūšana", "Žagars", "Ļoti", "Matemātika"] {
            assert!(text.contains(word), "{word} in {text}");
        }
        let doc = lopdf::Document::load_mem(&pdf).expect("load");
        assert_eq!(doc.get_pages().len(), 2);
    }

    #[test]
    fn long_reports_continue_on_new_pages() {
        let blocks: Vec<Block> = (0..200).map(|i| Block::Text(format!("Rinda {i}"))).collect();
        let pdf = render("x", &blocks).expect("pdf");
        let doc = lopdf::Document::load_mem(&pdf).expect("load");
        assert!(doc.get_pages().len() > 1);
    }

    #[test]
    fn pdf_keeps_latvian_letters() {
        let bytes = sample().write(Format::Pdf).expect("pdf");
        let text = crate::pdf::extract_text(&bytes).expect("text");
        for letter in LETTERS.split(' ') {
            assert!(text.contains(letter), "{letter} in {text}");
        }
        assert!(text.contains("7,25"), "{text}");
        assert!(text.contains("15.03.2027."), "{text}");
    }

    #[test]
    fn wide_and_long_tables_turn_and_continue() {
        let mut r = sample();
        r.columns = (0..20).map(|i| Column::new(format!("K{i}"), 10.0)).collect();
        r.rows = (0..120)
            .map(|i| (0..20).map(|j| Cell::count(i * 100 + j)).collect())
            .collect();
        let bytes = r.write(Format::Pdf).expect("pdf");
        let doc = lopdf::Document::load_mem(&bytes).expect("load");
        assert!(doc.get_pages().len() > 2);
        let text = crate::pdf::extract_text(&bytes).expect("text");
        assert!(text.contains("11919"), "the last cell printed");
    }
}
