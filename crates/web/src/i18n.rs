//! The message catalogue: every user-facing string, Latvian first, English second; the pages
//! families read also in Ukrainian and Russian ([`FAMILY_SECTIONS`]), which fall back to English
//! where a staff page has no translation. Keys are dotted (`home.title`); the catalogues live in
//! `i18n/*.toml` and are embedded.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The catalogue, parsed once. The tests below prove the embedded files parse; should they not,
/// the keys themselves are shown rather than the server refusing to start.
static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::embedded().unwrap_or_else(|e| {
        tracing::error!("message catalogue does not parse: {e}");
        Catalogue {
            maps: Default::default(),
        }
    })
});

pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Lv,
    En,
    Uk,
    Ru,
}

/// The sections of the catalogue the families' pages use: the Ukrainian and Russian catalogues
/// hold each of their keys (a test checks it), and nothing else.
pub const FAMILY_SECTIONS: &[&str] = &[
    "app",
    "nav",
    "nav2",
    "login",
    "home",
    "role",
    "kind",
    "account",
    "password",
    "username",
    "personal_code",
    "error",
    "privacy",
    "rules",
    "onboarding",
    "second_factor",
    "diary",
    "absence",
    "excuse_reason",
    "grades",
    "grade",
    "grade_kind",
    "grade_kind_short",
    "scale",
    "note",
    "mark_code",
    "mark_word",
    "glance",
    "weekday",
    "month",
    "timetable",
    "notify",
    "message",
    "news",
    "report",
    "card",
    "sharing",
    "feeds",
    "tokens",
    "meetings",
    "consents",
    "meals",
    "push",
    "preschool",
    "history",
];

impl Lang {
    pub const ALL: [Self; 4] = [Self::Lv, Self::En, Self::Uk, Self::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Self::Lv => "lv",
            Self::En => "en",
            Self::Uk => "uk",
            Self::Ru => "ru",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language's own name, for choosing it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lv => "Latviešu",
            Self::En => "English",
            Self::Uk => "Українська",
            Self::Ru => "Русский",
        }
    }

    /// The language the header offers: English to a Latvian reader, Latvian to everyone else (the
    /// rest are chosen on the account and login pages).
    pub fn other(self) -> Self {
        match self {
            Self::Lv => Self::En,
            Self::En | Self::Uk | Self::Ru => Self::Lv,
        }
    }

    /// Where a string without a translation is read instead: staff pages are not translated to
    /// Ukrainian and Russian, and a reader who chose them may not read Latvian.
    fn fallback(self) -> Self {
        match self {
            Self::Uk | Self::Ru => Self::En,
            Self::Lv | Self::En => Self::Lv,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug)]
pub struct Catalogue {
    maps: [HashMap<String, String>; 4],
}

const SOURCES: [&str; 4] = [
    include_str!("../i18n/lv.toml"),
    include_str!("../i18n/en.toml"),
    include_str!("../i18n/uk.toml"),
    include_str!("../i18n/ru.toml"),
];

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            // Only strings belong in a catalogue; anything else is left out and its key shows.
            _ => {}
        }
    }
}

fn parse(text: &str) -> Result<HashMap<String, String>, toml::de::Error> {
    let table: toml::Table = text.parse()?;
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    Ok(out)
}

impl Catalogue {
    /// The embedded catalogues. They are checked by tests, so a parse error here is a build defect.
    pub fn embedded() -> Result<Self, toml::de::Error> {
        Ok(Self {
            maps: [
                parse(SOURCES[0])?,
                parse(SOURCES[1])?,
                parse(SOURCES[2])?,
                parse(SOURCES[3])?,
            ],
        })
    }

    fn map(&self, lang: Lang) -> &HashMap<String, String> {
        &self.maps[lang.index()]
    }

    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        self.map(lang)
            .get(key)
            .or_else(|| self.map(lang.fallback()).get(key))
            .or_else(|| self.map(Lang::Lv).get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    pub fn keys(&self, lang: Lang) -> Vec<&str> {
        let mut keys: Vec<&str> = self.map(lang).keys().map(String::as_str).collect();
        keys.sort();
        keys
    }
}

/// The catalogue bound to one language, handed to templates as `t`.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    pub fn get<'k>(&self, key: &'k str) -> &'k str {
        catalogue().get(self.lang, key)
    }

    /// A sentence with parts: the catalogue's text with each `{name}` given. The parts' order is the
    /// language's ("3. stunda", "lesson 3"), so no `format!` glues words around them.
    pub fn fill(&self, key: &str, parts: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_string();
        for (name, value) in parts {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A key built at run time (`role.<code>`, `kind.<code>`).
    /// A role's name where it is held: a preschool's director is its head ("vadītājs"), with a
    /// `_preschool` key of its own in `prefix`'s section (`role`, `onboarding`).
    pub fn role(&self, prefix: &str, role: &str, kind: klade_domain::InstitutionKind) -> String {
        let own = (kind == klade_domain::InstitutionKind::Preschool)
            .then(|| self.find(prefix, &format!("{role}_preschool")))
            .flatten();
        own.unwrap_or_else(|| self.dynamic(prefix, role))
    }

    /// An attendance mark's words: "nebija" for `n`, "kavēja 5 min" for `k5`; none for a code the
    /// catalogue does not know (an institution's own).
    pub fn mark_words(&self, code: &str) -> Option<String> {
        let (base, minutes) = match code.strip_prefix('k').filter(|m| m.parse::<u32>().is_ok()) {
            Some(m) => ("k", Some(m)),
            None => (code, None),
        };
        let words = self.find("mark_code", base)?;
        Some(match minutes {
            Some(m) => format!("{words} {m} min"),
            None => words,
        })
    }

    /// A month (`2026-12`) in words: "2026. gada decembris", "December 2026".
    pub fn month(&self, month: &str) -> String {
        let Some((y, m)) = month.split_once('-') else {
            return month.to_string();
        };
        let Some(name) = m.parse::<u8>().ok().and_then(|m| self.find("month", &m.to_string())) else {
            return month.to_string();
        };
        self.fill("month.pattern", &[("y", y), ("m", &name)])
    }

    /// The catalogue's text for `prefix.code`, if it has one.
    pub fn find(&self, prefix: &str, code: &str) -> Option<String> {
        let c = catalogue();
        let key = format!("{prefix}.{code}");
        c.map(self.lang)
            .get(&key)
            .or_else(|| c.map(self.lang.fallback()).get(&key))
            .cloned()
    }

    pub fn dynamic(&self, prefix: &str, code: &str) -> String {
        self.find(prefix, code).unwrap_or_else(|| format!("{prefix}.{code}"))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_month_in_words() {
        assert_eq!(Tr::new(Lang::Lv).month("2026-12"), "2026. gada decembris");
        assert_eq!(Tr::new(Lang::En).month("2027-03"), "March 2027");
        assert_eq!(Tr::new(Lang::Lv).month("x"), "x");
    }
    use super::*;

    /// A sentence's parts are the same in both languages: a `{name}` in one is in the other.
    #[test]
    fn both_catalogues_have_the_same_parts() {
        let c = Catalogue::embedded().expect("catalogues parse");
        let parts = |text: &str| {
            let mut v: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        for key in c.keys(Lang::Lv) {
            for lang in [Lang::En, Lang::Uk, Lang::Ru] {
                assert_eq!(parts(c.get(Lang::Lv, key)), parts(c.get(lang, key)), "{lang:?} {key}");
            }
        }
        assert_eq!(Tr::new(Lang::Lv).fill("deadlines.lesson_n", &[("n", "3")]), "3. stunda");
        assert_eq!(Tr::new(Lang::En).fill("deadlines.lesson_n", &[("n", "3")]), "lesson 3");
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let c = Catalogue::embedded().expect("catalogues parse");
        assert_eq!(c.keys(Lang::Lv), c.keys(Lang::En));
        assert!(c.keys(Lang::Lv).len() > 50);
    }

    /// Ukrainian and Russian hold every key of the families' sections, translated, and no other.
    #[test]
    fn the_families_languages_hold_the_families_pages() {
        let c = Catalogue::embedded().expect("catalogues parse");
        let family: Vec<&str> = c
            .keys(Lang::Lv)
            .into_iter()
            .filter(|k| FAMILY_SECTIONS.iter().any(|s| k.split('.').next() == Some(*s)))
            .collect();
        assert!(family.len() > 500, "{}", family.len());
        for lang in [Lang::Uk, Lang::Ru] {
            let keys = c.keys(lang);
            let missing: Vec<&&str> = family.iter().filter(|k| !keys.contains(k)).collect();
            let extra: Vec<&&str> = keys.iter().filter(|k| !family.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang:?}: missing {missing:?}, not a family key {extra:?}"
            );
            let same = family
                .iter()
                .filter(|k| c.get(lang, k) == c.get(Lang::Lv, k) && c.get(Lang::Lv, k).chars().any(char::is_lowercase))
                .filter(|k| c.get(Lang::Lv, k).chars().count() > 12)
                .count();
            // Names, codes and numbers may stay as they are; sentences may not.
            assert!(same < 10, "{lang:?}: {same} sentences left in Latvian");
        }
        assert_eq!(Tr::new(Lang::Uk).get("nav.diary"), c.get(Lang::Uk, "nav.diary"));
        // A staff page's string falls back to English.
        assert_eq!(Tr::new(Lang::Ru).get("import.title"), c.get(Lang::En, "import.title"));
    }

    #[test]
    fn every_role_and_kind_has_a_name() {
        let c = Catalogue::embedded().expect("catalogues parse");
        for lang in [Lang::Lv, Lang::En] {
            for r in klade_domain::Role::ALL {
                let key = format!("role.{}", r.code());
                assert_ne!(c.get(lang, &key), key);
            }
            for k in klade_domain::InstitutionKind::ALL {
                let key = format!("kind.{}", k.code());
                assert_ne!(c.get(lang, &key), key);
            }
        }
    }

    /// Every key the templates and the code ask for exists in the catalogue.
    #[test]
    fn every_key_used_exists() {
        let c = Catalogue::embedded().expect("catalogues parse");
        let keys = c.keys(Lang::Lv);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates") {
            let path = entry.expect("entry").path();
            sources.push(std::fs::read_to_string(path).expect("template"));
        }
        for file in [
            "src/pages/mod.rs",
            "src/pages/journal.rs",
            "src/pages/timetable.rs",
            "src/pages/people.rs",
            "src/pages/import.rs",
            "src/pages/families.rs",
            "src/pages/messages.rs",
            "src/pages/preschool.rs",
            "src/pages/archive.rs",
            "src/pages/years.rs",
            "src/pages/journal_checks.rs",
            "src/pages/preschool_plans.rs",
            "src/pages/calendar.rs",
            "src/pages/deadlines.rs",
            "src/pages/statistics.rs",
            "src/pages/meetings.rs",
            "src/pages/consents.rs",
            "src/pages/meals.rs",
            "src/pages/lesson_plans.rs",
            "src/error.rs",
        ] {
            sources.push(std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).expect("source"));
        }
        let mut missing = Vec::new();
        for text in sources {
            for part in text.split("t.get(\"").skip(1) {
                if let Some(end) = part.find('"') {
                    let key = &part[..end];
                    if !keys.contains(&key) {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing catalogue keys: {missing:?}");
    }
}
