//! Grades (R19.2): the kinds of assessment, the scales, parsing a typed mark against its scale,
//! and the averages and proposals computed from them.

use serde::{Deserialize, Serialize};

/// What an assessment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// *formatīvais*: feedback; never averaged into the summative grade.
    Formative,
    /// *summatīvais*: the end of a topic; its 10-working-day clock starts at hand-in.
    Summative,
    /// *starpvērtējums*
    Interim,
    Semester,
    Year,
    /// *galīgais*
    Final,
    Exam,
}

impl Kind {
    pub const ALL: [Self; 7] = [
        Self::Formative,
        Self::Summative,
        Self::Interim,
        Self::Semester,
        Self::Year,
        Self::Final,
        Self::Exam,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Formative => "formative",
            Self::Summative => "summative",
            Self::Interim => "interim",
            Self::Semester => "semester",
            Self::Year => "year",
            Self::Final => "final",
            Self::Exam => "exam",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Semester, year and final grades are the teacher's judgement over a period.
    pub fn is_period_grade(self) -> bool {
        matches!(self, Self::Semester | Self::Year | Self::Final)
    }
}

/// How a mark is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 1–10, 4 the lowest pass.
    Ten,
    /// 0–100 %.
    Percent,
    /// *ieskaitīts* / *neieskaitīts*: `i` / `ni`.
    PassFail,
    /// S, T, A, P (grades 1–3 and preschool).
    Stap,
}

impl Scale {
    pub const ALL: [Self; 4] = [Self::Ten, Self::Percent, Self::PassFail, Self::Stap];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ten => "ten",
            Self::Percent => "percent",
            Self::PassFail => "pass_fail",
            Self::Stap => "stap",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A mark as entered and stored: the normalised text (`7`, `85`, `i`, `ni`, `S`, `nv`, `atbr.`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mark(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MarkError {
    #[error("not a mark of this scale")]
    OutOfScale,
}

impl MarkError {
    pub fn code(self, scale: Scale) -> &'static str {
        match scale {
            Scale::Ten => "grade.out_of_scale_ten",
            Scale::Percent => "grade.out_of_scale_percent",
            Scale::PassFail => "grade.out_of_scale_pass_fail",
            Scale::Stap => "grade.out_of_scale_stap",
        }
    }
}

impl Mark {
    /// Parses what a teacher typed. `nv` (not assessed yet) and `atbr.` (exempt) are valid on
    /// every scale. An empty input is no mark (`None`).
    pub fn parse(input: &str, scale: Scale) -> Result<Option<Self>, MarkError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let lower = t.to_lowercase();
        if lower == "nv" {
            return Ok(Some(Self("nv".into())));
        }
        if lower == "atbr" || lower == "atbr." {
            return Ok(Some(Self("atbr.".into())));
        }
        let ok = match scale {
            Scale::Ten => lower
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=10).contains(n))
                .map(|n| n.to_string()),
            Scale::Percent => lower
                .trim_end_matches('%')
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= 100)
                .map(|n| n.to_string()),
            Scale::PassFail => match lower.as_str() {
                "i" | "ieskaitīts" | "ieskaitits" => Some("i".into()),
                "ni" | "neieskaitīts" | "neieskaitits" => Some("ni".into()),
                _ => None,
            },
            Scale::Stap => match lower.as_str() {
                "s" => Some("S".into()),
                "t" => Some("T".into()),
                "a" => Some("A".into()),
                "p" => Some("P".into()),
                _ => None,
            },
        };
        ok.map(|v| Some(Self(v))).ok_or(MarkError::OutOfScale)
    }

    /// A stored mark, trusted as it is.
    pub fn stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number a 1–10 or percent mark stands for; `nv`, `atbr.` and the others count for nothing.
    pub fn number(&self) -> Option<f64> {
        self.0.parse::<u8>().ok().map(f64::from)
    }

    /// The mark as people read it: a percent mark with its sign (`95 %`), the rest as stored.
    pub fn shown(&self, scale: Scale) -> String {
        match (scale, self.number()) {
            (Scale::Percent, Some(_)) => format!("{} %", self.0),
            _ => self.0.clone(),
        }
    }

    /// Below the pass mark: under 4 on the 1–10 scale, `ni`, or an unmade `nv` is not counted here.
    pub fn is_insufficient(&self, scale: Scale) -> bool {
        match scale {
            Scale::Ten => self.number().is_some_and(|n| n < 4.0),
            Scale::PassFail => self.0 == "ni",
            _ => false,
        }
    }
}

/// How a mark reads at a glance: the colour a page gives it, always beside the mark itself and its
/// words, never instead of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// 8–10, `i`, A and P.
    High,
    /// 4–7 and T: passed.
    Middle,
    /// Below 4, `ni`, `nv` (work still owed) and S.
    Low,
    /// No colour: percent marks (no national pass mark), `atbr.`, a scale the code does not know.
    Plain,
}

impl Band {
    pub fn code(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Middle => "middle",
            Self::Low => "low",
            Self::Plain => "plain",
        }
    }
}

impl Mark {
    pub fn band(&self, scale: Scale) -> Band {
        match (scale, self.0.as_str(), self.number()) {
            (_, "nv", _) => Band::Low,
            (Scale::Ten, _, Some(n)) if n >= 8.0 => Band::High,
            (Scale::Ten, _, Some(n)) if n >= 4.0 => Band::Middle,
            (Scale::Ten, _, Some(_)) => Band::Low,
            (Scale::PassFail, "i", _) | (Scale::Stap, "A" | "P", _) => Band::High,
            (Scale::Stap, "T", _) => Band::Middle,
            (Scale::PassFail, "ni", _) | (Scale::Stap, "S", _) => Band::Low,
            _ => Band::Plain,
        }
    }

    /// The catalogue key of the mark's words (`mark_word.ten_8`: *ļoti labi*), when it has any.
    pub fn words_key(&self, scale: Scale) -> Option<String> {
        match (scale, self.0.as_str()) {
            (_, "nv") => Some("mark_word.nv".into()),
            (_, "atbr.") => Some("mark_word.atbr".into()),
            (Scale::Ten, m) if self.number().is_some_and(|n| (1.0..=10.0).contains(&n)) => {
                Some(format!("mark_word.ten_{m}"))
            }
            (Scale::PassFail, m @ ("i" | "ni")) | (Scale::Stap, m @ ("S" | "T" | "A" | "P")) => {
                Some(format!("mark_word.{}", m.to_lowercase()))
            }
            _ => None,
        }
    }
}

/// A stored mark on a scale given by its code, as people read it (see [`Mark::shown`]); a mark of
/// an unknown scale as stored.
pub fn shown(mark: &str, scale: &str) -> String {
    match Scale::from_code(scale) {
        Some(s) => Mark::stored(mark.to_string()).shown(s),
        None => mark.to_string(),
    }
}

/// The average of the summative 1–10 marks; formative work, `nv` and `atbr.` do not count.
pub fn term_average<'a>(marks: impl IntoIterator<Item = (Kind, Scale, &'a Mark)>) -> Option<f64> {
    let numbers: Vec<f64> = marks
        .into_iter()
        .filter(|(k, s, _)| matches!(k, Kind::Summative | Kind::Interim | Kind::Exam) && *s == Scale::Ten)
        .filter_map(|(_, _, m)| m.number())
        .collect();
    if numbers.is_empty() {
        None
    } else {
        Some(numbers.iter().sum::<f64>() / numbers.len() as f64)
    }
}

/// The semester or year grade proposed from an average: rounded half up (6,5 → 7). The teacher
/// sets the grade; this is only the suggestion.
pub fn propose(average: Option<f64>) -> Option<u8> {
    average.map(|a| (a + 0.5).floor().clamp(1.0, 10.0) as u8)
}

/// `7,25` — an average as Latvians write it.
pub fn format_average(average: f64) -> String {
    format!("{average:.2}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str, scale: Scale) -> Option<Mark> {
        Mark::parse(s, scale).expect("valid")
    }

    #[test]
    fn marks_parse_against_their_scale() {
        assert_eq!(m("7", Scale::Ten).map(|x| x.0), Some("7".into()));
        assert_eq!(m(" 10 ", Scale::Ten).map(|x| x.0), Some("10".into()));
        assert_eq!(m("85%", Scale::Percent).map(|x| x.0), Some("85".into()));
        assert_eq!(m("0", Scale::Percent).map(|x| x.0), Some("0".into()));
        assert_eq!(m("Ieskaitīts", Scale::PassFail).map(|x| x.0), Some("i".into()));
        assert_eq!(m("t", Scale::Stap).map(|x| x.0), Some("T".into()));
        assert_eq!(m("NV", Scale::Stap).map(|x| x.0), Some("nv".into()));
        assert_eq!(m("atbr", Scale::Ten).map(|x| x.0), Some("atbr.".into()));
        assert_eq!(m("", Scale::Ten), None);
    }

    #[test]
    fn marks_outside_the_scale_are_refused() {
        for (s, scale) in [
            ("0", Scale::Ten),
            ("11", Scale::Ten),
            ("7.5", Scale::Ten),
            ("abc", Scale::Ten),
            ("101", Scale::Percent),
            ("-1", Scale::Percent),
            ("7", Scale::PassFail),
            ("X", Scale::Stap),
            ("7", Scale::Stap),
        ] {
            assert_eq!(Mark::parse(s, scale), Err(MarkError::OutOfScale), "{s} on {scale:?}");
        }
    }

    #[test]
    fn averages_count_summative_ten_scale_marks_only() {
        let seven = Mark::stored("7".into());
        let eight = Mark::stored("8".into());
        let two = Mark::stored("2".into());
        let nv = Mark::stored("nv".into());
        let marks = [
            (Kind::Summative, Scale::Ten, &seven),
            (Kind::Summative, Scale::Ten, &eight),
            (Kind::Formative, Scale::Ten, &two),
            (Kind::Summative, Scale::Ten, &nv),
            (Kind::Summative, Scale::Percent, &two),
        ];
        assert_eq!(term_average(marks), Some(7.5));
        assert_eq!(propose(Some(7.5)), Some(8));
        assert_eq!(propose(Some(7.49)), Some(7));
        assert_eq!(propose(None), None);
        assert_eq!(term_average([]), None);
        assert_eq!(format_average(7.25), "7,25");
    }

    #[test]
    fn insufficient_marks() {
        assert!(Mark::stored("3".into()).is_insufficient(Scale::Ten));
        assert!(!Mark::stored("4".into()).is_insufficient(Scale::Ten));
        assert!(Mark::stored("ni".into()).is_insufficient(Scale::PassFail));
        assert!(!Mark::stored("nv".into()).is_insufficient(Scale::Ten));
    }

    #[test]
    fn codes_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
        }
        for s in Scale::ALL {
            assert_eq!(Scale::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn a_percent_mark_is_shown_with_its_sign() {
        assert_eq!(Mark::stored("95".into()).shown(Scale::Percent), "95 %");
        assert_eq!(Mark::stored("nv".into()).shown(Scale::Percent), "nv");
        assert_eq!(Mark::stored("7".into()).shown(Scale::Ten), "7");
    }

    #[test]
    fn a_mark_reads_at_a_glance_and_in_words() {
        let m = |s: &str| Mark::stored(s.to_string());
        assert_eq!(m("8").band(Scale::Ten), Band::High);
        assert_eq!(m("4").band(Scale::Ten), Band::Middle);
        assert_eq!(m("3").band(Scale::Ten), Band::Low);
        assert_eq!(m("nv").band(Scale::Ten), Band::Low);
        assert_eq!(m("atbr.").band(Scale::Ten), Band::Plain);
        assert_eq!(m("95").band(Scale::Percent), Band::Plain);
        assert_eq!(m("ni").band(Scale::PassFail), Band::Low);
        assert_eq!(m("P").band(Scale::Stap), Band::High);
        assert_eq!(m("S").band(Scale::Stap), Band::Low);
        assert_eq!(m("8").words_key(Scale::Ten).as_deref(), Some("mark_word.ten_8"));
        assert_eq!(m("i").words_key(Scale::PassFail).as_deref(), Some("mark_word.i"));
        assert_eq!(m("A").words_key(Scale::Stap).as_deref(), Some("mark_word.a"));
        assert_eq!(m("95").words_key(Scale::Percent), None);
    }
}
