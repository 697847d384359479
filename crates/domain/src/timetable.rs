//! When two lessons of a week clash (R22.1): a teacher, a room or a class in two places at once.
//! The timetable's entry by hand and its import from a file both ask this one rule; what a lesson
//! is called and how it is stored is theirs.

/// A lesson booked into the week, as the rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking<'a> {
    pub class: i64,
    /// The subgroup's name; `None` for the whole class.
    pub group: Option<&'a str>,
    pub subject: i64,
    pub teachers: &'a [i64],
    /// Empty when no room is given.
    pub room: &'a str,
    pub weekday: i64,
    pub lesson_no: i64,
}

/// Who or what would be in two places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Clash {
    Teacher,
    Room,
    Class,
}

impl Clash {
    /// The catalogue key of the message.
    pub fn code(self) -> &'static str {
        match self {
            Self::Teacher => "timetable.clash_teacher",
            Self::Room => "timetable.clash_room",
            Self::Class => "timetable.clash_class",
        }
    }
}

/// Whether `a` and `b` cannot both be held. One lesson given to several classes at once — the
/// same subject and group, the same teachers and room — is one lesson, not a clash; two groups
/// of one class may learn at the same time, the whole class and a group of it may not.
pub fn clash(a: &Booking<'_>, b: &Booking<'_>) -> Option<Clash> {
    if a.weekday != b.weekday || a.lesson_no != b.lesson_no {
        return None;
    }
    if a.class == b.class {
        let apart = matches!((a.group, b.group), (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y));
        return (!apart).then_some(Clash::Class);
    }
    let joint = a.subject == b.subject && a.group == b.group && same_set(a.teachers, b.teachers) && a.room == b.room;
    if joint {
        return None;
    }
    if a.teachers.iter().any(|t| b.teachers.contains(t)) {
        return Some(Clash::Teacher);
    }
    if !a.room.trim().is_empty() && a.room.trim().eq_ignore_ascii_case(b.room.trim()) {
        return Some(Clash::Room);
    }
    None
}

fn same_set(a: &[i64], b: &[i64]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson<'a>(class: i64, group: Option<&'a str>, subject: i64, teachers: &'a [i64], room: &'a str) -> Booking<'a> {
        Booking {
            class,
            group,
            subject,
            teachers,
            room,
            weekday: 1,
            lesson_no: 3,
        }
    }

    #[test]
    fn a_teacher_in_two_classes_at_once_clashes() {
        let a = lesson(1, None, 10, &[7], "101");
        let b = lesson(2, None, 11, &[7], "102");
        assert_eq!(clash(&a, &b), Some(Clash::Teacher));
        let later = Booking {
            lesson_no: 4,
            ..b.clone()
        };
        assert_eq!(clash(&a, &later), None, "another lesson of the day");
        let tuesday = Booking { weekday: 2, ..b };
        assert_eq!(clash(&a, &tuesday), None, "another day");
    }

    #[test]
    fn a_room_taken_twice_clashes_and_no_room_never_does() {
        assert_eq!(
            clash(&lesson(1, None, 10, &[7], "101"), &lesson(2, None, 11, &[8], "101 ")),
            Some(Clash::Room)
        );
        assert_eq!(
            clash(&lesson(1, None, 10, &[7], ""), &lesson(2, None, 11, &[8], "")),
            None
        );
    }

    #[test]
    fn a_class_in_two_lessons_clashes_unless_two_of_its_groups() {
        assert_eq!(
            clash(&lesson(1, None, 10, &[7], ""), &lesson(1, None, 11, &[8], "")),
            Some(Clash::Class)
        );
        assert_eq!(
            clash(
                &lesson(1, None, 10, &[7], ""),
                &lesson(1, Some("1. grupa"), 11, &[8], "")
            ),
            Some(Clash::Class),
            "the whole class cannot also be in a group"
        );
        assert_eq!(
            clash(
                &lesson(1, Some("1. grupa"), 10, &[7], "1"),
                &lesson(1, Some("2. grupa"), 10, &[8], "2")
            ),
            None
        );
        assert_eq!(
            clash(
                &lesson(1, Some("1. grupa"), 10, &[7], "1"),
                &lesson(1, Some("1. grupa"), 11, &[8], "2")
            ),
            Some(Clash::Class)
        );
    }

    #[test]
    fn one_lesson_for_several_classes_is_no_clash() {
        let a = lesson(1, Some("zēni"), 20, &[7, 9], "zāle");
        let b = lesson(2, Some("zēni"), 20, &[9, 7], "zāle");
        assert_eq!(clash(&a, &b), None);
        let other_room = lesson(2, Some("zēni"), 20, &[7, 9], "101");
        assert_eq!(clash(&a, &other_room), Some(Clash::Teacher));
    }
}
