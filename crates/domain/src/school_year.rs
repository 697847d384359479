//! A school year's plan: its dates, its terms and its holidays, proposed from a template for the
//! institution's kind and checked before it is kept.
//!
//! Schools: the year from 1 September (the next Monday when it falls on a weekend) to 31 August,
//! two semesters and the autumn, winter and spring holidays, as the Cabinet sets them each year —
//! the known years' dates as data, any other year by their pattern, for the superuser to correct.
//! Preschools: one journal year, 1 September – 31 August (J22).

use crate::InstitutionKind;
use jiff::civil::{date, Date, Weekday};

/// A term (semester) or a holiday: a name and its first and last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// A school year as planned: `2026/2027`, its dates, terms in order and school holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearPlan {
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub terms: Vec<Period>,
    pub holidays: Vec<Period>,
}

/// Why a plan is refused: the field (`terms.1.ends_on`, say) and the catalogue key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub field: String,
    pub code: &'static str,
}

/// The Cabinet's dates of years past: semester 1's last day, semester 2's first day, the autumn,
/// winter and spring holidays (first and last day).
/// Month, day, year.
type Day = (i8, i8, i16);

const KNOWN: [(i16, [Day; 8]); 6] = [
    (
        2020,
        [
            (12, 21, 2020),
            (1, 4, 2021),
            (10, 19, 2020),
            (10, 23, 2020),
            (12, 21, 2020),
            (1, 1, 2021),
            (3, 15, 2021),
            (3, 19, 2021),
        ],
    ),
    (
        2021,
        [
            (12, 21, 2021),
            (1, 5, 2022),
            (10, 18, 2021),
            (10, 22, 2021),
            (12, 22, 2021),
            (1, 4, 2022),
            (3, 14, 2022),
            (3, 18, 2022),
        ],
    ),
    (
        2022,
        [
            (12, 23, 2022),
            (1, 9, 2023),
            (10, 24, 2022),
            (10, 28, 2022),
            (12, 26, 2022),
            (1, 6, 2023),
            (3, 13, 2023),
            (3, 17, 2023),
        ],
    ),
    (
        2023,
        [
            (12, 22, 2023),
            (1, 8, 2024),
            (10, 23, 2023),
            (10, 27, 2023),
            (12, 25, 2023),
            (1, 5, 2024),
            (3, 11, 2024),
            (3, 15, 2024),
        ],
    ),
    (
        2024,
        [
            (12, 20, 2024),
            (1, 6, 2025),
            (10, 21, 2024),
            (10, 27, 2024),
            (12, 23, 2024),
            (1, 5, 2025),
            (3, 10, 2025),
            (3, 16, 2025),
        ],
    ),
    (
        2025,
        [
            (12, 19, 2025),
            (1, 5, 2026),
            (10, 20, 2025),
            (10, 24, 2025),
            (12, 22, 2025),
            (1, 2, 2026),
            (3, 9, 2026),
            (3, 13, 2026),
        ],
    ),
];

fn d(y: i16, m: i8, day: i8) -> Date {
    date(y, m, day)
}

fn monday_on_or_before(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

fn monday_on_or_after(day: Date) -> Date {
    let ahead = (7 - i64::from(day.weekday().to_monday_zero_offset())) % 7;
    day.checked_add(jiff::Span::new().days(ahead)).unwrap_or(day)
}

fn add(day: Date, days: i64) -> Date {
    day.checked_add(jiff::Span::new().days(days)).unwrap_or(day)
}

/// The last Monday–Friday day on or before `day`.
fn weekday_on_or_before(mut day: Date) -> Date {
    while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        day = add(day, -1);
    }
    day
}

/// The school year that contains `today`: from 1 September to 31 August.
pub fn containing(today: Date) -> (Date, Date) {
    let start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    (date(start, 9, 1), date(start + 1, 8, 31))
}

/// The school year that starts in September of `year`, as the template proposes it.
pub fn template(kind: InstitutionKind, year: i16) -> YearPlan {
    let name = format!("{}/{}", year, year + 1);
    let ends_on = d(year + 1, 8, 31);
    if kind == InstitutionKind::Preschool {
        let starts_on = d(year, 9, 1);
        return YearPlan {
            name,
            starts_on,
            ends_on,
            terms: vec![Period {
                name: "Mācību gads".into(),
                starts_on,
                ends_on,
            }],
            holidays: Vec::new(),
        };
    }
    let first = d(year, 9, 1);
    let starts_on = if matches!(first.weekday(), Weekday::Saturday | Weekday::Sunday) {
        monday_on_or_after(first)
    } else {
        first
    };
    let last = weekday_on_or_before(d(year + 1, 5, 31));
    let (s1_end, s2_start, autumn, winter, spring) = match KNOWN.iter().find(|(y, _)| *y == year) {
        Some((_, k)) => {
            let at = |i: usize| d(k[i].2, k[i].0, k[i].1);
            (at(0), at(1), (at(2), at(3)), (at(4), at(5)), (at(6), at(7)))
        }
        None => {
            // The pattern of the known years: autumn the week of the Monday on or before 24
            // October; winter from the Monday of Christmas week (the next one when 24 December
            // is a weekend or a Monday) until semester 2 starts on the first Monday on or after 4
            // January; spring the second week of March.
            let autumn_start = monday_on_or_before(d(year, 10, 24));
            let eve = d(year, 12, 24);
            let winter_start = match eve.weekday() {
                Weekday::Saturday | Weekday::Sunday | Weekday::Monday => monday_on_or_after(eve),
                _ => monday_on_or_before(eve),
            };
            let s2_start = monday_on_or_after(d(year + 1, 1, 4));
            let spring_start = add(monday_on_or_after(d(year + 1, 3, 1)), 7);
            (
                add(winter_start, -3),
                s2_start,
                (autumn_start, add(autumn_start, 4)),
                (winter_start, add(s2_start, -3)),
                (spring_start, add(spring_start, 4)),
            )
        }
    };
    YearPlan {
        name,
        starts_on: d(year, 9, 1),
        ends_on,
        terms: vec![
            Period {
                name: "1. semestris".into(),
                starts_on,
                ends_on: s1_end,
            },
            Period {
                name: "2. semestris".into(),
                starts_on: s2_start,
                ends_on: last,
            },
        ],
        holidays: vec![
            Period {
                name: "Rudens brīvlaiks".into(),
                starts_on: autumn.0,
                ends_on: autumn.1,
            },
            Period {
                name: "Ziemas brīvlaiks".into(),
                starts_on: winter.0,
                ends_on: winter.1,
            },
            Period {
                name: "Pavasara brīvlaiks".into(),
                starts_on: spring.0,
                ends_on: spring.1,
            },
            Period {
                name: "Vasaras brīvlaiks".into(),
                starts_on: add(last, 1),
                ends_on,
            },
        ],
    }
}

/// The September a school year of `name` (`2026/2027`) starts in.
pub fn start_year(name: &str) -> Option<i16> {
    let (a, b) = name.trim().split_once('/')?;
    let a: i16 = a.trim().parse().ok()?;
    let b: i16 = b.trim().parse().ok()?;
    (b == a + 1 && (2000..2200).contains(&a)).then_some(a)
}

/// Checks a plan: a year named `YYYY/YYYY+1` of at most a year, terms in order inside it without
/// overlaps, holidays inside it. A holiday may fall inside a term (autumn, spring) or between
/// them (winter, summer).
pub fn check(plan: &YearPlan) -> Result<(), PlanError> {
    let err = |field: String, code| Err(PlanError { field, code });
    if start_year(&plan.name).is_none() {
        return err("name".into(), "year.name");
    }
    if plan.ends_on <= plan.starts_on {
        return err("ends_on".into(), "year.ends_before_start");
    }
    if add(plan.starts_on, 366) < plan.ends_on {
        return err("ends_on".into(), "year.too_long");
    }
    if plan.terms.is_empty() {
        return err("terms".into(), "year.no_terms");
    }
    let mut previous: Option<&Period> = None;
    for (i, t) in plan.terms.iter().enumerate() {
        if t.name.trim().is_empty() {
            return err(format!("terms.{i}.name"), "error.required");
        }
        if t.ends_on < t.starts_on {
            return err(format!("terms.{i}.ends_on"), "year.ends_before_start");
        }
        if t.starts_on < plan.starts_on || t.ends_on > plan.ends_on {
            return err(format!("terms.{i}.starts_on"), "year.term_outside");
        }
        if let Some(p) = previous {
            if t.starts_on <= p.ends_on {
                return err(format!("terms.{i}.starts_on"), "year.terms_overlap");
            }
        }
        previous = Some(t);
    }
    for (i, h) in plan.holidays.iter().enumerate() {
        if h.ends_on < h.starts_on {
            return err(format!("holidays.{i}.ends_on"), "year.ends_before_start");
        }
        if h.starts_on < plan.starts_on || h.ends_on > plan.ends_on {
            return err(format!("holidays.{i}.starts_on"), "year.holiday_outside");
        }
    }
    Ok(())
}

/// The name of the class a class moves up to: `2.B` → `3.B`, `9a` → `10a`; `None` past `top`
/// (they leave) or for a name without a leading number (groups keep theirs).
pub fn moved_up(name: &str, top: i64) -> Option<String> {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let grade: i64 = digits.parse().ok()?;
    (grade < top).then(|| format!("{}{}", grade + 1, &name[digits.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_school_year_runs_from_september() {
        assert_eq!(containing(date(2026, 11, 26)), (date(2026, 9, 1), date(2027, 8, 31)));
        assert_eq!(containing(date(2027, 3, 1)), (date(2026, 9, 1), date(2027, 8, 31)));
        assert_eq!(containing(date(2026, 9, 1)).0, date(2026, 9, 1));
    }

    #[test]
    fn the_known_years_come_from_the_cabinets_regulations() {
        let y = template(InstitutionKind::General, 2025);
        assert_eq!(y.name, "2025/2026");
        assert_eq!(y.terms[0].starts_on, d(2025, 9, 1));
        assert_eq!(y.terms[0].ends_on, d(2025, 12, 19));
        assert_eq!(y.terms[1].starts_on, d(2026, 1, 5));
        assert_eq!(y.terms[1].ends_on, d(2026, 5, 29));
        assert_eq!(y.holidays[0].starts_on, d(2025, 10, 20));
        assert_eq!(y.holidays[2].starts_on, d(2026, 3, 9));
        assert_eq!(check(&y), Ok(()));
    }

    #[test]
    fn the_pattern_gives_the_known_years_too() {
        // The pattern, tried on years whose dates are known: autumn and semester 2 exactly.
        for (year, k) in KNOWN {
            let autumn = monday_on_or_before(d(year, 10, 24));
            assert_eq!(autumn, d(k[2].2, k[2].0, k[2].1), "autumn {year}");
        }
        let y = template(InstitutionKind::General, 2026);
        assert_eq!(y.terms[0].starts_on, d(2026, 9, 1), "a Tuesday");
        assert_eq!(y.holidays[0].starts_on, d(2026, 10, 19));
        assert_eq!(y.holidays[1].starts_on, d(2026, 12, 21), "Christmas Eve is a Thursday");
        assert_eq!(y.terms[0].ends_on, d(2026, 12, 18));
        assert_eq!(y.terms[1].starts_on, d(2027, 1, 4));
        assert_eq!(y.holidays[2].starts_on, d(2027, 3, 8));
        assert_eq!(y.terms[1].ends_on, d(2027, 5, 31), "a Monday");
        assert_eq!(check(&y), Ok(()));
        let y = template(InstitutionKind::Vocational, 2027);
        assert_eq!(y.terms[0].starts_on, d(2027, 9, 1));
        assert_eq!(check(&y), Ok(()));
        // 1 September 2029 is a Saturday.
        assert_eq!(
            template(InstitutionKind::General, 2029).terms[0].starts_on,
            d(2029, 9, 3)
        );
    }

    #[test]
    fn a_preschool_has_one_journal_year() {
        let y = template(InstitutionKind::Preschool, 2026);
        assert_eq!(y.terms.len(), 1);
        assert_eq!(
            (y.terms[0].starts_on, y.terms[0].ends_on),
            (d(2026, 9, 1), d(2027, 8, 31))
        );
        assert!(y.holidays.is_empty());
    }

    #[test]
    fn overlapping_terms_and_terms_outside_the_year_are_refused() {
        let mut y = template(InstitutionKind::General, 2026);
        y.terms[1].starts_on = d(2026, 12, 10);
        assert_eq!(check(&y).map_err(|e| e.code), Err("year.terms_overlap"));
        let mut y = template(InstitutionKind::General, 2026);
        y.terms[1].ends_on = d(2027, 9, 10);
        assert_eq!(
            check(&y).map_err(|e| (e.field, e.code)),
            Err(("terms.1.starts_on".into(), "year.term_outside"))
        );
        let mut y = template(InstitutionKind::General, 2026);
        y.holidays[0].starts_on = d(2026, 8, 20);
        assert_eq!(check(&y).map_err(|e| e.code), Err("year.holiday_outside"));
        let mut y = template(InstitutionKind::General, 2026);
        y.name = "2026".into();
        assert_eq!(check(&y).map_err(|e| e.code), Err("year.name"));
    }

    #[test]
    fn classes_move_up_and_the_top_grade_leaves() {
        assert_eq!(moved_up("2.B", 12).as_deref(), Some("3.B"));
        assert_eq!(moved_up("9a", 12).as_deref(), Some("10a"));
        assert_eq!(moved_up("12.A", 12), None);
        assert_eq!(moved_up("4.C", 4), None);
        assert_eq!(moved_up("Mārītes", 12), None);
        assert_eq!(start_year("2026/2027"), Some(2026));
        assert_eq!(start_year("2026/2028"), None);
    }
}
