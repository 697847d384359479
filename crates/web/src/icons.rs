//! The icons the pages show, from Lucide (`static/icons/`, ISC licence), embedded in the binary
//! and written into the page itself, so a page asks the server for nothing more and the strict
//! CSP holds. An icon is decoration beside its words: hidden from screen readers, never alone.

use std::collections::HashMap;
use std::sync::LazyLock;

const FILES: [(&str, &str); 5] = [
    ("book-open", include_str!("../static/icons/book-open.svg")),
    ("chart-line", include_str!("../static/icons/chart-line.svg")),
    ("house", include_str!("../static/icons/house.svg")),
    ("mail", include_str!("../static/icons/mail.svg")),
    ("menu", include_str!("../static/icons/menu.svg")),
];

/// Each icon's drawing (what is inside its `<svg>`), in our own frame.
static ICONS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, file)| {
            let inner = file
                .split_once("<svg")
                .and_then(|(_, rest)| rest.split_once('>'))
                .and_then(|(_, body)| body.rsplit_once("</svg>"))
                .map_or("", |(inner, _)| inner.trim());
            let svg = format!(
                r#"<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{inner}</svg>"#
            );
            (*name, svg)
        })
        .collect()
});

/// The icon `name` as inline SVG; nothing for a name not kept.
pub fn icon(name: &str) -> &'static str {
    ICONS.get(name).map_or("", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kept_icon_draws_something_in_our_frame() {
        for (name, _) in FILES {
            let svg = icon(name);
            assert!(svg.starts_with(r#"<svg class="icon""#), "{name}");
            assert!(svg.contains("<path") || svg.contains("<rect"), "{name}: {svg}");
            assert!(!svg.contains("<!--") && !svg.contains("xmlns"), "{name}: {svg}");
        }
        assert_eq!(icon("no-such-icon"), "");
    }
}
