//! The timetable from a file (R22.1): aSc Timetables' XML export or a CSV or XLSX of the same
//! columns, planned row by row like every import, but taken whole — a timetable half imported is
//! worse than none, so one refused row stops the confirmation. Clashes (`klade_domain::timetable`)
//! are looked for between the file's rows and against the lessons of the classes the file leaves
//! alone; each refused row names the other lesson. The classes in the file get the file's week
//! from the day it is confirmed (or the year's first day), their earlier week kept before it.

use super::{cell, fold, PlannedRow, RowAction};
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::timetable::{clash, Booking};
use klade_domain::{ClassId, CourseId, InstitutionId, PersonId, Role, SubjectId};
use klade_store::journal::{self, SlotFacts};
use klade_store::school;
use std::collections::{HashMap, HashSet};

/// What the plan compares against.
pub(super) struct Context {
    year: klade_domain::SchoolYearId,
    /// The first day the file's week applies: the day it is planned.
    from: Date,
    classes: HashMap<String, (ClassId, String)>,
    subjects: HashMap<String, (SubjectId, String)>,
    /// Teachers here as (id, "given family" folded, "family given" folded).
    teachers: Vec<(PersonId, String, String)>,
    /// The year's courses of classes: (class, subject, group folded or "") → (course, its teachers).
    courses: HashMap<(ClassId, SubjectId, String), (CourseId, Vec<i64>)>,
    /// The lessons of the week from `from` on.
    slots: Vec<SlotFacts>,
}

pub(super) async fn context(app: &App, institution: InstitutionId) -> Result<Context, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let (year, _, ends) = school::current_year(db, institution, today)
        .await?
        .ok_or(AppError::invalid("year", "import.no_school_year"))?;
    let classes = school::classes_of(db, institution, today)
        .await?
        .into_iter()
        .map(|c| (fold(&c.name), (c.id, c.name)))
        .collect();
    let subjects = school::subjects(db, institution)
        .await?
        .into_iter()
        .map(|(id, name, _)| (fold(&name), (id, name)))
        .collect();
    let teachers = klade_store::accounts::people_with_role(db, institution, Role::Teacher, today)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect::<Vec<_>>();
    let mut named = Vec::with_capacity(teachers.len());
    for id in teachers {
        if let Some(p) = klade_store::people::get(db, id).await? {
            named.push((
                id,
                fold(&format!("{} {}", p.given_name, p.family_name)),
                fold(&format!("{} {}", p.family_name, p.given_name)),
            ));
        }
    }
    let mut courses = HashMap::new();
    for c in journal::year_courses(db, institution, year).await? {
        if let Some(class) = c.class_id {
            let teachers = journal::course_teacher_ids(db, institution, c.id).await?;
            let group = c.subgroup.as_deref().map(fold).unwrap_or_default();
            courses.insert((class, c.subject_id, group), (c.id, teachers));
        }
    }
    let slots = journal::slot_facts(db, institution, today, ends).await?;
    Ok(Context {
        year,
        from: today,
        classes,
        subjects,
        teachers: named,
        courses,
        slots,
    })
}

/// A checked row.
#[derive(Debug, Clone)]
struct Row {
    class: ClassId,
    class_name: String,
    subject: SubjectId,
    subject_name: String,
    /// As written; `None` for the whole class.
    group: Option<String>,
    teachers: Vec<i64>,
    weekday: i64,
    lesson_no: i64,
    starts_at: String,
    ends_at: String,
    room: String,
}

impl Row {
    fn booking(&self) -> Booking<'_> {
        Booking {
            class: self.class.0,
            group: self.group.as_deref(),
            subject: self.subject.0,
            teachers: &self.teachers,
            room: &self.room,
            weekday: self.weekday,
            lesson_no: self.lesson_no,
        }
    }

    fn course_key(&self) -> (ClassId, SubjectId, String) {
        (
            self.class,
            self.subject,
            self.group.as_deref().map(fold).unwrap_or_default(),
        )
    }

    fn label(&self) -> String {
        match &self.group {
            Some(g) => format!("{} {} ({g})", self.class_name, self.subject_name),
            None => format!("{} {}", self.class_name, self.subject_name),
        }
    }
}

/// Days as timetables write them: a number from Monday, a Latvian or English name or abbreviation.
fn weekday(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return (1..=7).contains(&n).then_some(n);
    }
    let f = fold(s);
    let names: [&[&str]; 7] = [
        &["p", "pr", "pirmdiena", "mon", "monday"],
        &["o", "ot", "otr", "otrdiena", "tue", "tuesday"],
        &["t", "tr", "tresdiena", "wed", "wednesday"],
        &["c", "ce", "ceturtdiena", "thu", "thursday"],
        &["pk", "pi", "piektdiena", "fri", "friday"],
        &["s", "se", "sestdiena", "sat", "saturday"],
        &["sv", "svetdiena", "sun", "sunday"],
    ];
    names.iter().position(|n| n.contains(&f.as_str())).map(|i| i as i64 + 1)
}

fn reject(field: &'static str, code: &'static str) -> RowAction {
    RowAction::Reject { field, code }
}

fn check(row: &[String], cols: &HashMap<&'static str, usize>, ctx: &Context) -> Result<Row, RowAction> {
    let (class, class_name) = ctx
        .classes
        .get(&fold(cell(row, cols, "class")))
        .cloned()
        .ok_or(reject("class", "import.class_unknown"))?;
    let (subject, subject_name) = ctx
        .subjects
        .get(&fold(cell(row, cols, "subject")))
        .cloned()
        .ok_or(reject("subject", "import.timetable_subject"))?;
    let group = Some(cell(row, cols, "group").to_string()).filter(|g| !g.is_empty());
    let mut teachers = Vec::new();
    for name in cell(row, cols, "teacher")
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let f = fold(name);
        let found: Vec<i64> = ctx
            .teachers
            .iter()
            .filter(|(_, a, b)| *a == f || *b == f)
            .map(|(id, _, _)| id.0)
            .collect();
        match found.as_slice() {
            [one] => teachers.push(*one),
            [] => return Err(reject("teacher", "import.timetable_teacher")),
            _ => return Err(reject("teacher", "import.timetable_teacher_twice")),
        }
    }
    if teachers.is_empty() {
        return Err(reject("teacher", "course.no_teachers"));
    }
    let weekday = weekday(cell(row, cols, "weekday")).ok_or(reject("weekday", "timetable.weekday"))?;
    let lesson_no = cell(row, cols, "lesson_no")
        .trim_end_matches('.')
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=12).contains(n))
        .ok_or(reject("lesson_no", "journal.lesson_no_range"))?;
    let (starts_at, ends_at) = (cell(row, cols, "starts_at"), cell(row, cols, "ends_at"));
    if !crate::timetable::valid_time(starts_at) || !crate::timetable::valid_time(ends_at) || starts_at >= ends_at {
        return Err(reject("starts_at", "timetable.times"));
    }
    let r = Row {
        class,
        class_name,
        subject,
        subject_name,
        group,
        teachers,
        weekday,
        lesson_no,
        starts_at: starts_at.to_string(),
        ends_at: ends_at.to_string(),
        room: cell(row, cols, "room").to_string(),
    };
    // A group's course is opened with its students first; the whole class's is opened here.
    if r.group.is_some() && !ctx.courses.contains_key(&r.course_key()) {
        return Err(reject("group", "import.timetable_group"));
    }
    Ok(r)
}

/// The slot of the file's class already there with the same lesson, which then stays.
fn same_slot<'a>(r: &Row, ctx: &'a Context) -> Option<&'a SlotFacts> {
    let course = ctx.courses.get(&r.course_key()).map(|(c, _)| *c)?;
    ctx.slots.iter().find(|s| {
        s.class_id == r.class
            && s.course_id == course
            && s.weekday == r.weekday
            && s.lesson_no == r.lesson_no
            && s.room == r.room
            && s.starts_at == r.starts_at
            && s.ends_at == r.ends_at
    })
}

fn checked(
    table: &klade_docs::Table,
    cols: &HashMap<&'static str, usize>,
    ctx: &Context,
) -> Vec<Result<Row, RowAction>> {
    let rows: Vec<Result<Row, RowAction>> = table.rows.iter().map(|r| check(r, cols, ctx)).collect();
    let in_file: HashSet<ClassId> = rows.iter().flatten().map(|r| r.class).collect();
    let mut out: Vec<Result<Row, RowAction>> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Ok(r) = row else {
            out.push(row.clone());
            continue;
        };
        let mine = r.booking();
        let earlier = rows[..i].iter().enumerate().find_map(|(j, other)| {
            let o = other.as_ref().ok()?;
            clash(&mine, &o.booking()).map(|c| (c, o.label(), Some(j + 2)))
        });
        // Lessons of classes the file does not touch stay, so the file must fit around them.
        let kept = || {
            ctx.slots
                .iter()
                .filter(|s| !in_file.contains(&s.class_id))
                .find_map(|s| {
                    let there = Booking {
                        class: s.class_id.0,
                        group: s.subgroup.as_deref(),
                        subject: s.subject_id.0,
                        teachers: &s.teachers,
                        room: &s.room,
                        weekday: s.weekday,
                        lesson_no: s.lesson_no,
                    };
                    clash(&mine, &there).map(|c| (c, format!("{} {}", s.class_name, s.course_name), None))
                })
        };
        match earlier.or_else(kept) {
            Some((c, with, line)) => out.push(Err(RowAction::Clash {
                code: c.code(),
                with,
                line,
            })),
            None => out.push(Ok(r.clone())),
        }
    }
    out
}

pub(super) fn plan(table: &klade_docs::Table, cols: &HashMap<&'static str, usize>, ctx: &Context) -> Vec<PlannedRow> {
    checked(table, cols, ctx)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let line = i + 2;
            match r {
                Err(action) => {
                    let row = &table.rows[i];
                    let label = format!(
                        "{} {}, {} {}.",
                        cell(row, cols, "class"),
                        cell(row, cols, "subject"),
                        cell(row, cols, "weekday"),
                        cell(row, cols, "lesson_no")
                    );
                    PlannedRow { line, label, action }
                }
                Ok(r) => {
                    let teachers_differ = ctx
                        .courses
                        .get(&r.course_key())
                        .is_some_and(|(_, t)| !same_set(t, &r.teachers));
                    let action = if teachers_differ {
                        RowAction::Change {
                            fields: vec!["teacher"],
                        }
                    } else if same_slot(&r, ctx).is_some() {
                        RowAction::Same
                    } else {
                        RowAction::Create
                    };
                    PlannedRow {
                        line,
                        label: format!("{}, {} {}.", r.label(), r.weekday, r.lesson_no),
                        action,
                    }
                }
            }
        })
        .collect()
}

fn same_set(a: &[i64], b: &[i64]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// Writes the file's week in one transaction: courses the file needs opened (the whole class's,
/// with the file's teachers), teachers changed where the file says otherwise, the classes' other
/// lessons ended the day before, the new ones added. Refused whole if any row is refused.
pub(super) async fn apply(
    app: &App,
    tenant: klade_domain::Tenant,
    table: &klade_docs::Table,
    cols: &HashMap<&'static str, usize>,
    by: PersonId,
) -> Result<(i64, i64), AppError> {
    let institution = tenant.id();
    let ctx = context(app, institution).await?;
    let rows: Vec<Row> = checked(table, cols, &ctx)
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::Conflict("import.timetable_refused"))?;
    let from = ctx.from;
    let day_before = from.yesterday().unwrap_or(from);
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut courses: HashMap<(ClassId, SubjectId, String), CourseId> =
        ctx.courses.iter().map(|(k, (c, _))| (k.clone(), *c)).collect();
    let mut changed_teachers = HashSet::new();
    let mut keep = HashSet::new();
    let (mut created, mut changed) = (0, 0);
    for r in &rows {
        let key = r.course_key();
        let course = match courses.get(&key) {
            Some(c) => *c,
            None => {
                let c = journal::insert_course(
                    &mut *tx,
                    tenant,
                    &journal::NewCourse {
                        year: ctx.year,
                        subject: r.subject,
                        class: Some(r.class),
                        name: &r.subject_name,
                        subgroup: None,
                    },
                )
                .await?;
                for t in &r.teachers {
                    journal::add_course_teacher(&mut *tx, tenant, c, PersonId(*t)).await?;
                }
                courses.insert(key.clone(), c);
                c
            }
        };
        if let Some((_, old)) = ctx.courses.get(&key) {
            if !same_set(old, &r.teachers) && changed_teachers.insert(course) {
                journal::set_course_teachers(&mut tx, tenant, course, &r.teachers).await?;
                changed += 1;
            }
        }
        match same_slot(r, &ctx) {
            Some(s) => {
                keep.insert(s.id);
            }
            None => {
                journal::insert_slot(
                    &mut *tx,
                    tenant,
                    &journal::NewSlot {
                        class: r.class,
                        course,
                        weekday: r.weekday,
                        lesson_no: r.lesson_no,
                        starts_at: &r.starts_at,
                        ends_at: &r.ends_at,
                        room: &r.room,
                        valid_from: ctx.from,
                    },
                )
                .await?;
                created += 1;
            }
        }
    }
    let in_file: HashSet<ClassId> = rows.iter().map(|r| r.class).collect();
    for s in ctx
        .slots
        .iter()
        .filter(|s| in_file.contains(&s.class_id) && !keep.contains(&s.id))
    {
        journal::end_slot(&mut *tx, tenant, s.id, day_before).await?;
        changed += 1;
    }
    klade_store::access_log::record(&mut *tx, Some(institution), by, by, "change", "timetable import", now).await?;
    tx.commit().await?;
    Ok((created, changed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_as_timetables_write_them() {
        assert_eq!(weekday("1"), Some(1));
        assert_eq!(weekday("Pirmdiena"), Some(1));
        assert_eq!(weekday("Trešdiena"), Some(3));
        assert_eq!(weekday("Pk"), Some(5));
        assert_eq!(weekday("friday"), Some(5));
        assert_eq!(weekday("8"), None);
        assert_eq!(weekday("rīt"), None);
    }
}
