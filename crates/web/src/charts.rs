//! Charts drawn by the server as SVG (no script, strict CSP): a student's grades over time and the
//! statistics' bar charts. Display only; the figures come from the use cases.

/// The width charts are drawn at: a phone's column, so a 12 px label is 12 px there (a chart
/// never grows wider than it is drawn, and shrinks only on screens narrower than 320 px).
const WIDTH: f64 = 320.0;

/// A line chart of 1–10 grades, drawn as SVG: each grade a labelled point, the pass mark (4) a
/// dashed line, the scale's 1, 4, 7 and 10 on the left and the first and last dates below. It
/// reads without colour; a screen reader gets the grades in its title. The caption and legend are
/// the page's, above it.
pub fn chart_svg(points: &[(jiff::civil::Date, f64)], label: &str) -> String {
    let (w, h) = (WIDTH, 170.0_f64);
    let (left, right, top, bottom) = (26.0_f64, 12.0_f64, 18.0_f64, 26.0_f64);
    if points.is_empty() {
        return String::new();
    }
    let step = if points.len() > 1 {
        (w - left - right) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let y = |v: f64| h - bottom - (v - 1.0) / 9.0 * (h - top - bottom);
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| (left + step * i as f64, y(*v)))
        .collect();
    let line: Vec<String> = coords.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let values: Vec<String> = points
        .iter()
        .map(|(d, v)| format!("{} {v}", klade_app::clock::format_date(*d)))
        .collect();
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(label),
        escape(&values.join(", "))
    );
    for tick in [1.0, 4.0, 7.0, 10.0] {
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" class="axis">{tick}</text>"#,
            left - 8.0,
            y(tick) + 4.0
        ));
    }
    // The pass line: 4 on the 1–10 scale.
    svg.push_str(&format!(
        r#"<line x1="{left}" x2="{}" y1="{y4:.1}" y2="{y4:.1}" class="pass" stroke-dasharray="4 3"/>"#,
        w - right,
        y4 = y(4.0)
    ));
    svg.push_str(&format!(
        r#"<polyline points="{}" class="line" fill="none"/>"#,
        line.join(" ")
    ));
    for ((x, yy), (_, v)) in coords.iter().zip(points) {
        svg.push_str(&format!(
            r#"<circle cx="{x:.1}" cy="{yy:.1}" r="3.5"/><text x="{x:.1}" y="{:.1}">{v}</text>"#,
            yy - 7.0
        ));
    }
    let day = |d: &jiff::civil::Date| d.strftime("%d.%m.").to_string();
    if let (Some((first, _)), Some((last, _))) = (points.first(), points.last()) {
        svg.push_str(&format!(
            r#"<text x="{left}" y="{:.1}" class="axis start">{}</text>"#,
            h - 6.0,
            day(first)
        ));
        if points.len() > 1 {
            svg.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" class="axis end">{}</text>"#,
                w - right,
                h - 6.0,
                day(last)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One series of a bar chart: its name and a value per category; `None` where there is nothing
/// to show (a class without grades has no average, which is not an average of 0).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

/// A horizontal bar chart drawn by the server, for a phone first: the legend on top, then per
/// category its name on a line of its own and a bar per series below it, the full width. Readable
/// without colour: each series has its own pattern (solid, hatched, dotted) named in the legend,
/// and every bar carries its value as text; the table beside it holds the same figures.
pub fn bar_chart_svg(label: &str, categories: &[String], series: &[Series<'_>], decimals: usize) -> String {
    const PATTERNS: [&str; 3] = ["url(#p-solid)", "url(#p-hatch)", "url(#p-dots)"];
    const LINE: f64 = 17.0;
    if categories.is_empty() || series.is_empty() {
        return String::new();
    }
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let (bar, gap, width) = (14.0_f64, 10.0_f64, WIDTH);
    let room = width - 48.0;
    let per_row = LINE + bar * series.len() as f64 + gap;
    let top = LINE * series.len() as f64 + 8.0;
    let height = top + per_row * categories.len() as f64;
    let mut svg = format!(
        r##"<svg class="chart bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}"><title>{}</title><defs><pattern id="p-solid" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" class="ink"/></pattern><pattern id="p-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" class="paper"/><line x1="0" y1="0" x2="0" y2="4" class="stroke"/></pattern><pattern id="p-dots" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" class="paper"/><circle cx="2" cy="2" r="1" class="ink"/></pattern></defs>"##,
        escape(label),
        escape(label)
    );
    for (k, s) in series.iter().enumerate() {
        let y = LINE * k as f64 + 2.0;
        svg.push_str(&format!(
            r#"<rect x="0" y="{y:.1}" width="14" height="12" fill="{}" class="bar"/><text x="20" y="{:.1}" class="legend">{}</text>"#,
            PATTERNS[k % 3],
            y + 11.0,
            escape(s.name)
        ));
    }
    for (i, c) in categories.iter().enumerate() {
        let y0 = top + per_row * i as f64;
        svg.push_str(&format!(
            r#"<text x="0" y="{:.1}" class="category">{}</text>"#,
            y0 + 12.0,
            escape(c)
        ));
        for (k, s) in series.iter().enumerate() {
            let y = y0 + LINE + bar * k as f64;
            let Some(v) = s.values.get(i).copied().flatten() else {
                svg.push_str(&format!(
                    r#"<text x="3" y="{:.1}" class="value">—</text>"#,
                    y + bar - 3.0
                ));
                continue;
            };
            let w = (v / max * room).max(0.5);
            let shown = format!("{v:.decimals$}").replace('.', ",");
            svg.push_str(&format!(
                r#"<rect x="0" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}" class="bar"/><text x="{:.1}" y="{:.1}" class="value">{shown}</text>"#,
                bar - 2.0,
                PATTERNS[k % 3],
                w + 4.0,
                y + bar - 3.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_point_and_a_label_per_grade() {
        let svg = chart_svg(
            &[
                (jiff::civil::date(2026, 9, 10), 7.0),
                (jiff::civil::date(2026, 10, 1), 9.0),
            ],
            "Matemātika",
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        // The scale and the dates are written out, at the size the stylesheet gives them.
        assert!(
            svg.contains(r#"class="axis">4</text>"#)
                && svg.contains(">10.09.</text>")
                && svg.contains(">01.10.</text>")
        );
        assert!(svg.contains(">9</text>") && svg.contains("<title>10.09.2026. 7, 01.10.2026. 9</title>"));
        assert!(chart_svg(&[], "x").is_empty());
    }

    #[test]
    fn the_chart_labels_every_bar() {
        let svg = bar_chart_svg(
            "Vidējais vērtējums",
            &["5.a".into(), "6.b".into()],
            &[
                Series {
                    name: "šis periods",
                    values: vec![Some(7.25), Some(6.0)],
                },
                Series {
                    name: "iepriekšējais",
                    values: vec![Some(6.5), None],
                },
            ],
            2,
        );
        assert_eq!(svg.matches(r#"class="value""#).count(), 4);
        assert!(svg.contains(">7,25</text>") && svg.contains(">šis periods</text>") && svg.contains("url(#p-hatch)"));
        // No average is drawn as a dash without a bar, never as 0,00.
        assert!(svg.contains(">—</text>") && !svg.contains(">0,00</text>"));
        assert_eq!(svg.matches(r#"class="bar"/><text x="#).count(), 2 + 3);
        assert!(bar_chart_svg("x", &[], &[], 0).is_empty());
    }
}
