//! Attendance marks (R19.1, J22). How attendance is written is each institution's choice, so a
//! mark is data with flags; these are the defaults users know.

use serde::Serialize;

/// One kind of mark an institution uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkKind {
    pub code: String,
    pub absent: bool,
    pub late: bool,
    pub excused: bool,
}

/// The defaults: `n` absent (not yet excused), `ns` absent through illness (excused), `k` late
/// (with minutes), `N` the preschool's unexcused absence, `atbr.` exempt from the lesson.
pub fn default_kinds() -> Vec<MarkKind> {
    let k = |code: &str, absent, late, excused| MarkKind {
        code: code.to_string(),
        absent,
        late,
        excused,
    };
    vec![
        k("n", true, false, false),
        k("ns", true, false, true),
        k("k", false, true, false),
        k("N", true, false, false),
        k("atbr.", false, false, true),
    ]
}

/// What a teacher typed in an attendance cell, parsed: no mark (present), or a mark with the
/// minutes of lateness (`k5`, `k 5`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub minutes: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("unknown attendance mark")]
    Unknown,
    #[error("lateness needs minutes between 1 and 90")]
    Minutes,
}

impl EntryError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Unknown => "attendance.unknown_mark",
            Self::Minutes => "attendance.minutes",
        }
    }
}

impl Entry {
    /// Parses against the institution's `kinds`. Empty means present (`None`). Case matters only
    /// where two marks differ by it (`n` and `N`).
    pub fn parse(input: &str, kinds: &[MarkKind]) -> Result<Option<Self>, EntryError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let split = t.find(|c: char| c.is_ascii_digit()).unwrap_or(t.len());
        let (code, rest) = t.split_at(split);
        let code = code.trim();
        let kind = kinds
            .iter()
            .find(|k| k.code == code)
            .or_else(|| {
                kinds
                    .iter()
                    .find(|k| k.code.eq_ignore_ascii_case(code) || k.code.trim_end_matches('.') == code)
            })
            .ok_or(EntryError::Unknown)?;
        let minutes = if rest.trim().is_empty() {
            None
        } else {
            Some(rest.trim().parse::<i64>().map_err(|_| EntryError::Minutes)?)
        };
        match (kind.late, minutes) {
            (true, Some(m)) if (1..=90).contains(&m) => {}
            (true, None) => {}
            (true, Some(_)) => return Err(EntryError::Minutes),
            (false, Some(_)) => return Err(EntryError::Unknown),
            (false, None) => {}
        }
        Ok(Some(Self {
            code: kind.code.clone(),
            minutes,
        }))
    }

    /// As shown in a cell and kept in the history: `n`, `k5`.
    pub fn display(&self) -> String {
        match self.minutes {
            Some(m) => format!("{}{m}", self.code),
            None => self.code.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Option<Entry>, EntryError> {
        Entry::parse(s, &default_kinds())
    }

    #[test]
    fn marks_users_type() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("n").map(|e| e.map(|e| e.display())), Ok(Some("n".into())));
        assert_eq!(parse("N").map(|e| e.map(|e| e.display())), Ok(Some("N".into())));
        assert_eq!(parse("ns").map(|e| e.map(|e| e.display())), Ok(Some("ns".into())));
        assert_eq!(parse("NS").map(|e| e.map(|e| e.display())), Ok(Some("ns".into())));
        assert_eq!(parse("k5").map(|e| e.map(|e| e.display())), Ok(Some("k5".into())));
        assert_eq!(
            parse("k 15"),
            Ok(Some(Entry {
                code: "k".into(),
                minutes: Some(15)
            }))
        );
        assert_eq!(parse("K").map(|e| e.map(|e| e.display())), Ok(Some("k".into())));
        assert_eq!(parse("atbr").map(|e| e.map(|e| e.display())), Ok(Some("atbr.".into())));
    }

    #[test]
    fn nonsense_is_refused() {
        assert_eq!(parse("x"), Err(EntryError::Unknown));
        assert_eq!(parse("n5"), Err(EntryError::Unknown));
        assert_eq!(parse("k0"), Err(EntryError::Minutes));
        assert_eq!(parse("k200"), Err(EntryError::Minutes));
        assert_eq!(parse("7"), Err(EntryError::Unknown));
    }
}
