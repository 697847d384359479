//! `klade seed`: invented institutions at a chosen size, for measuring Klade at a school's, a
//! county's or the whole country's scale. The same seed makes the same data.
//!
//! Unlike the demo, which sets one school up through the use cases as an institution would, the
//! seed writes its people and the school year to date in bulk (`klade_store::bulk`): a million
//! learners one use case at a time would take hours. What it writes is what the use cases would
//! have written — the institution registered by `users::register`, its year by
//! `setup::write_year`, every journal value with its place in the institution's history chain —
//! so `klade verify` holds and every page works on it. Every account's password is `demo`
//! (hashed once for all: a seeded database is for measuring, never for real people); usernames
//! name the role and the person (`t123`: a teacher, `p456`: a parent, `s789`: a learner, `d12`:
//! a director). Personal codes are checksum-valid codes of the 1800s, as the demo's.
//!
//! It does not write: preschool plans and assessments, period marks, excuses, files, sessions.

use crate::auth::hash_password;
use crate::clock::riga;
use crate::demo::Rng;
use crate::{setup, users, App, AppError};
use jiff::civil::{date, Date};
use jiff::ToSpan;
use klade_domain::calendar::Calendar;
use klade_domain::journal_item::Item;
use klade_domain::{AssessmentId, CourseId, InstitutionKind, LessonId, PersonalCode, Role, Tenant};
use klade_store::bulk::{self, Bulk, Cell};
use klade_store::history;
use klade_store::journal::{Assessment, Lesson};
use std::collections::HashSet;

/// How much to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One school and one preschool.
    School,
    /// A county: 16 schools and 14 preschools.
    County,
    /// The country: 650 schools of every kind and 550 preschools.
    Latvia,
}

impl std::str::FromStr for Scale {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "school" => Ok(Self::School),
            "county" => Ok(Self::County),
            "latvia" => Ok(Self::Latvia),
            _ => Err(AppError::invalid("scale", "seed.unknown_scale")),
        }
    }
}

impl Scale {
    pub fn plan(self) -> Plan {
        let (schools, preschools) = match self {
            Self::School => (1, 1),
            Self::County => (16, 14),
            Self::Latvia => (650, 550),
        };
        Plan {
            schools,
            preschools,
            size: None,
        }
    }
}

/// How many institutions, and how large: `size` learners or children in each, or (`None`) sizes
/// as varied as the country's — between 60 and 700 learners a school, 60 and 300 children a
/// preschool, every fortieth institution a large one (1 200; 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub schools: usize,
    pub preschools: usize,
    pub size: Option<usize>,
}

/// What was made, for the progress line and the summary.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub institutions: usize,
    pub of: usize,
    pub persons: u64,
    pub rows: u64,
}

/// Makes `scale`'s institutions. Refuses a database that holds institutions already unless
/// `force`; calls `progress` after each institution. Each institution is one transaction.
pub async fn run(
    app: &App,
    plan: Plan,
    seed: u64,
    force: bool,
    mut progress: impl FnMut(&Progress),
) -> Result<Progress, AppError> {
    let mut conn = app.db.begin().await?;
    let existing = bulk::institutions(&mut conn).await?;
    if existing > 0 && !force {
        return Err(AppError::Conflict("seed.not_empty"));
    }
    let codes = bulk::personal_codes(&mut conn).await?;
    let mut ids = Ids {
        person: bulk::next_id(&mut conn, "persons").await?,
        class: bulk::next_id(&mut conn, "classes").await?,
        subject: bulk::next_id(&mut conn, "subjects").await?,
        course: bulk::next_id(&mut conn, "courses").await?,
        lesson: bulk::next_id(&mut conn, "lessons").await?,
        assessment: bulk::next_id(&mut conn, "assessments").await?,
        message: bulk::next_id(&mut conn, "messages").await?,
        note: bulk::next_id(&mut conn, "notes").await?,
        entry: bulk::next_id(&mut conn, "preschool_entries").await?,
        codes: codes.into_iter().collect(),
    };
    conn.commit().await?;

    let today = app.today();
    let (start, _) = klade_domain::school_year::containing(today);
    let ctx = Context {
        backend: app.db.backend(),
        hash: hash_password(crate::demo::PASSWORD)?,
        today,
        start,
        now: app.now(),
    };
    let Plan {
        schools, preschools, ..
    } = plan;
    let mut done = Progress {
        of: schools + preschools,
        ..Progress::default()
    };
    for n in 0..schools + preschools {
        let mut rng = Rng(seed.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (n as u64 + 1) << 20 | 1);
        let kind = if n >= schools {
            InstitutionKind::Preschool
        } else if n % 8 == 7 {
            InstitutionKind::Vocational
        } else {
            InstitutionKind::General
        };
        // A few large institutions, where most of the evening's load goes.
        let size = if let Some(size) = plan.size {
            size
        } else if n % 40 == 0 {
            if kind == InstitutionKind::Preschool {
                400
            } else {
                1200
            }
        } else if kind == InstitutionKind::Preschool {
            60 + rng.below(240)
        } else {
            60 + rng.below(640)
        };
        let mut tx = app.db.begin().await?;
        // Numbered after those already there, so a forced seed takes registration numbers of its own.
        let number = n + usize::try_from(existing).unwrap_or(0);
        let written = institution(&mut tx, &ctx, &mut ids, &mut rng, kind, number, size).await?;
        tx.commit().await?;
        done.institutions += 1;
        done.persons += written.0;
        done.rows += written.1;
        progress(&done);
    }
    let mut conn = app.db.begin().await?;
    for table in [
        "persons",
        "classes",
        "subjects",
        "courses",
        "lessons",
        "assessments",
        "messages",
        "notes",
        "preschool_entries",
    ] {
        bulk::move_identity(&mut conn, app.db.backend(), table).await?;
    }
    conn.commit().await?;
    let tables: Vec<&str> = Tables::new(app.db.backend()).all().iter().map(|b| b.table()).collect();
    let mut conn = app.db.begin().await?;
    bulk::analyze(&mut conn, app.db.backend(), &tables).await?;
    conn.commit().await?;
    Ok(done)
}

struct Context {
    backend: klade_store::Backend,
    hash: String,
    today: Date,
    start: Date,
    now: i64,
}

/// The next free id of each table the seed writes ids into, and the personal codes taken.
struct Ids {
    person: i64,
    class: i64,
    subject: i64,
    course: i64,
    lesson: i64,
    assessment: i64,
    message: i64,
    note: i64,
    entry: i64,
    codes: HashSet<String>,
}

fn take(id: &mut i64) -> i64 {
    *id += 1;
    *id - 1
}

/// Every table the seed writes, waiting to be flushed.
struct Tables {
    persons: Bulk,
    accounts: Bulk,
    memberships: Bulk,
    guardianships: Bulk,
    subjects: Bulk,
    classes: Bulk,
    tutors: Bulk,
    enrolments: Bulk,
    courses: Bulk,
    course_teachers: Bulk,
    course_students: Bulk,
    timetable: Bulk,
    lessons: Bulk,
    attendance: Bulk,
    assessments: Bulk,
    grades: Bulk,
    notes: Bulk,
    notices: Bulk,
    messages: Bulk,
    recipients: Bulk,
    preschool_days: Bulk,
    preschool_attendance: Bulk,
    preschool_entries: Bulk,
    history: Bulk,
}

impl Tables {
    fn new(backend: klade_store::Backend) -> Self {
        Self {
            persons: Bulk::new(
                backend,
                "persons",
                &[
                    "id",
                    "given_name",
                    "family_name",
                    "personal_code",
                    "birth_date",
                    "gender",
                    "phone",
                    "email",
                    "created_at",
                ],
            ),
            accounts: Bulk::new(
                backend,
                "accounts",
                &[
                    "person_id",
                    "username",
                    "password_hash",
                    "must_change_password",
                    "created_at",
                ],
            ),
            memberships: Bulk::new(
                backend,
                "memberships",
                &[
                    "institution_id",
                    "person_id",
                    "role",
                    "valid_from",
                    "basis",
                    "order_number",
                    "order_date",
                    "position",
                    "created_at",
                ],
            ),
            guardianships: Bulk::new(
                backend,
                "guardianships",
                &["parent_id", "child_id", "relation", "created_at"],
            ),
            subjects: Bulk::new(backend, "subjects", &["id", "institution_id", "kind", "code", "name"]),
            classes: Bulk::new(
                backend,
                "classes",
                &[
                    "id",
                    "institution_id",
                    "school_year_id",
                    "name",
                    "kind",
                    "grade",
                    "programme_code",
                    "programme_name",
                ],
            ),
            tutors: Bulk::new(backend, "class_tutors", &["institution_id", "class_id", "person_id"]),
            enrolments: Bulk::new(
                backend,
                "enrolments",
                &[
                    "institution_id",
                    "class_id",
                    "student_id",
                    "valid_from",
                    "order_number",
                    "order_date",
                    "reason",
                    "created_at",
                ],
            ),
            courses: Bulk::new(
                backend,
                "courses",
                &[
                    "id",
                    "institution_id",
                    "school_year_id",
                    "subject_id",
                    "class_id",
                    "name",
                    "hours_per_week",
                ],
            ),
            course_teachers: Bulk::new(
                backend,
                "course_teachers",
                &["institution_id", "course_id", "person_id"],
            ),
            course_students: Bulk::new(
                backend,
                "course_students",
                &["institution_id", "course_id", "student_id"],
            ),
            timetable: Bulk::new(
                backend,
                "timetable",
                &[
                    "institution_id",
                    "class_id",
                    "course_id",
                    "weekday",
                    "lesson_no",
                    "starts_at",
                    "ends_at",
                    "room",
                    "valid_from",
                ],
            ),
            lessons: Bulk::new(
                backend,
                "lessons",
                &[
                    "id",
                    "institution_id",
                    "course_id",
                    "date",
                    "lesson_no",
                    "topic",
                    "content",
                    "homework",
                    "homework_due",
                    "recorded_at",
                ],
            ),
            attendance: Bulk::new(
                backend,
                "attendance",
                &["institution_id", "lesson_id", "student_id", "code", "minutes"],
            ),
            assessments: Bulk::new(
                backend,
                "assessments",
                &[
                    "id",
                    "institution_id",
                    "course_id",
                    "kind",
                    "scale",
                    "date",
                    "title",
                    "handed_in_on",
                ],
            ),
            grades: Bulk::new(
                backend,
                "grades",
                &["institution_id", "assessment_id", "student_id", "mark", "entered_at"],
            ),
            notes: Bulk::new(
                backend,
                "notes",
                &[
                    "id",
                    "institution_id",
                    "course_id",
                    "student_id",
                    "date",
                    "kind",
                    "text",
                    "author_id",
                ],
            ),
            notices: Bulk::new(
                backend,
                "absence_notices",
                &[
                    "institution_id",
                    "student_id",
                    "from_date",
                    "to_date",
                    "reason",
                    "late",
                    "created_by",
                    "created_at",
                ],
            ),
            messages: Bulk::new(
                backend,
                "messages",
                &[
                    "id",
                    "institution_id",
                    "thread_id",
                    "sender_id",
                    "subject",
                    "body",
                    "audience",
                    "search_text",
                    "created_at",
                ],
            ),
            recipients: Bulk::new(backend, "message_recipients", &["message_id", "person_id", "read_at"]),
            preschool_days: Bulk::new(
                backend,
                "preschool_days",
                &["institution_id", "group_id", "date", "late", "marked_by", "marked_at"],
            ),
            preschool_attendance: Bulk::new(
                backend,
                "preschool_attendance",
                &[
                    "institution_id",
                    "group_id",
                    "child_id",
                    "date",
                    "code",
                    "reason",
                    "late",
                    "entered_by",
                    "entered_at",
                ],
            ),
            preschool_entries: Bulk::new(
                backend,
                "preschool_entries",
                &[
                    "id",
                    "institution_id",
                    "group_id",
                    "date",
                    "area",
                    "tasks",
                    "activities",
                    "late",
                    "created_by",
                    "created_at",
                ],
            ),
            history: Bulk::new(
                backend,
                "journal_history",
                &[
                    "institution_id",
                    "seq",
                    "item",
                    "old_value",
                    "new_value",
                    "reason",
                    "person_id",
                    "at",
                    "hash",
                ],
            ),
        }
    }

    fn all(&mut self) -> [&mut Bulk; 24] {
        [
            &mut self.persons,
            &mut self.accounts,
            &mut self.memberships,
            &mut self.guardianships,
            &mut self.subjects,
            &mut self.classes,
            &mut self.tutors,
            &mut self.enrolments,
            &mut self.courses,
            &mut self.course_teachers,
            &mut self.course_students,
            &mut self.timetable,
            &mut self.lessons,
            &mut self.attendance,
            &mut self.assessments,
            &mut self.grades,
            &mut self.notes,
            &mut self.notices,
            &mut self.messages,
            &mut self.recipients,
            &mut self.preschool_days,
            &mut self.preschool_attendance,
            &mut self.preschool_entries,
            &mut self.history,
        ]
    }

    /// Writes everything waiting, table by table in the order the foreign keys need: a row is
    /// only ever written after the rows it refers to.
    async fn flush(&mut self, tx: &mut klade_store::Tx) -> Result<(), AppError> {
        for b in self.all() {
            b.finish(tx).await?;
        }
        Ok(())
    }

    fn written(&mut self) -> u64 {
        self.all().iter().map(|b| b.written).sum()
    }
}

/// The institution's history chain, kept in memory as the journal is written.
struct Chain {
    institution: i64,
    seq: i64,
    hash: String,
}

impl Chain {
    fn push(&mut self, t: &mut Tables, item: Item, new: String, person: i64, at: i64) {
        self.seq += 1;
        let item = item.to_string();
        self.hash = history::link(
            &self.hash,
            self.institution,
            self.seq,
            &item,
            None,
            Some(&new),
            None,
            person,
            at,
        );
        t.history.row([
            self.institution.into(),
            self.seq.into(),
            item.into(),
            Cell::Text(None),
            new.into(),
            Cell::Text(None),
            person.into(),
            at.into(),
            self.hash.clone().into(),
        ]);
    }
}

const SUBJECTS: &[(&str, u8, u8)] = &[
    // (name, first grade, last grade)
    ("Latviešu valoda", 1, 12),
    ("Matemātika", 1, 12),
    ("Angļu valoda", 1, 12),
    ("Dabaszinības", 1, 6),
    ("Sports un veselība", 1, 12),
    ("Vizuālā māksla", 1, 9),
    ("Mūzika", 1, 9),
    ("Sociālās zinības", 1, 9),
    ("Datorika", 4, 9),
    ("Literatūra", 4, 12),
    ("Vēsture", 6, 12),
    ("Bioloģija", 7, 12),
    ("Fizika", 7, 12),
    ("Ķīmija", 8, 12),
    ("Ģeogrāfija", 7, 9),
    ("Krievu valoda", 6, 12),
];

const TOPICS: &[&str] = &[
    "Ievads",
    "Pamatjēdzieni",
    "Praktiskais darbs",
    "Uzdevumu risināšana",
    "Teksta analīze",
    "Grupu darbs",
    "Atkārtojums",
    "Projekts",
];

const LESSON_TIMES: [(&str, &str); 8] = [
    ("08:30", "09:10"),
    ("09:20", "10:00"),
    ("10:10", "10:50"),
    ("11:20", "12:00"),
    ("12:10", "12:50"),
    ("13:00", "13:40"),
    ("13:50", "14:30"),
    ("14:40", "15:20"),
];

const PRESCHOOL_AREAS: &[(&str, &str, &str)] = &[
    ("language", "Stāsts un sarunas", "Lomu spēle"),
    ("maths", "Skaitām līdz desmit", "Rindas un pāri"),
    ("science", "Dabas vērojumi", "Pastaiga parkā"),
    ("culture_art", "Krāsas un formas", "Zīmējam ar guašu"),
    ("health_physical", "Līdzsvars un kustības", "Šķēršļu josla"),
    ("cooperation", "Kopīgs darbs pāros", "Tornis no klucīšiem"),
];

/// UTC seconds of `hour`:00 in Riga on `day`.
fn at(day: Date, hour: i8) -> i64 {
    day.at(hour, 0, 0, 0)
        .to_zoned(riga())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

/// One institution: its people, classes or groups, courses, timetable and the year to date.
/// Returns (persons, rows) written.
async fn institution(
    tx: &mut klade_store::Tx,
    ctx: &Context,
    ids: &mut Ids,
    rng: &mut Rng,
    kind: InstitutionKind,
    n: usize,
    size: usize,
) -> Result<(u64, u64), AppError> {
    let persons_before = ids.person;
    let (noun, prefix) = match kind {
        InstitutionKind::General => ("vidusskola", "39"),
        InstitutionKind::Vocational => ("tehnikums", "33"),
        InstitutionKind::Preschool => ("pirmsskolas izglītības iestāde", "43"),
    };
    let town = *rng.pick(TOWNS);
    let name = format!("{town} {}. {noun}", n + 1);
    let reg_no = format!("{prefix}{:08}", 90_000_000 + n as u64);
    let inst = users::register(
        tx,
        kind,
        &name,
        &reg_no,
        &format!("Skolas iela {}, {town}", n + 1),
        ctx.now,
    )
    .await?;
    let tenant = Tenant::without_permit(inst);
    let i = inst.0;
    let plan = klade_domain::school_year::template(kind, ctx.start.year());
    let year = setup::write_year(tx, tenant, &plan, ctx.now).await?.0;
    let mut calendar = Calendar::latvia();
    for h in &plan.holidays {
        calendar = calendar.with_school_holiday(h.starts_on, h.ends_on);
    }
    let mut t = Tables::new(ctx.backend);
    let mut chain = Chain {
        institution: i,
        seq: 0,
        hash: String::new(),
    };
    let y = ctx.start.year();
    let from = ctx.start.to_string();
    let order_date = date(y, 8, 25).to_string();

    // Staff: the director, a deputy, a clerk, then teachers — four to every three classes or
    // groups (about 30 000 staff in the country, as in Latvia's statistics), so that a school's
    // shape depends on its classes and groups, not on how full they are.
    let rooms = if kind == InstitutionKind::Preschool {
        size.div_ceil(20)
    } else {
        let grades = if kind == InstitutionKind::Vocational { 4 } else { 12 };
        (size / grades).div_ceil(26).max(1) * grades
    };
    let teachers_wanted = (rooms * 4).div_ceil(3) + 3;
    let mut staff = Vec::new();
    for (role, position) in [
        (Role::Director, "Direktors"),
        (Role::DeputyAcademic, "Direktora vietnieks"),
        (Role::Clerk, "Lietvedis"),
    ] {
        let born = 1960 + rng.below(35) as i16;
        let p = person(&mut t, ids, rng, ctx, born, role_letter(role))?;
        member(&mut t, i, p, role, &from, Some(position), &order_date, ctx.now);
        staff.push(p);
    }
    let teacher_role = if kind == InstitutionKind::Preschool {
        Role::PreschoolTeacher
    } else {
        Role::Teacher
    };
    let mut teachers = Vec::new();
    for _ in 0..teachers_wanted {
        let born = 1960 + rng.below(40) as i16;
        let p = person(&mut t, ids, rng, ctx, born, 't')?;
        member(
            &mut t,
            i,
            p,
            teacher_role,
            &from,
            Some("Skolotājs"),
            &order_date,
            ctx.now,
        );
        teachers.push(p);
    }

    if kind == InstitutionKind::Preschool {
        preschool(
            &mut t,
            &mut chain,
            ids,
            rng,
            ctx,
            &calendar,
            i,
            year,
            size,
            &teachers,
            &order_date,
        )?;
    } else {
        school(
            &mut t,
            &mut chain,
            ids,
            rng,
            ctx,
            &calendar,
            kind,
            i,
            year,
            size,
            &teachers,
            &order_date,
            tx,
        )
        .await?;
    }
    t.flush(tx).await?;
    if chain.seq > 0 {
        bulk::history_head(tx, i, chain.seq, &chain.hash).await?;
    }
    Ok(((ids.person - persons_before) as u64, t.written()))
}

const TOWNS: &[&str] = &[
    "Rīgas",
    "Daugavpils",
    "Liepājas",
    "Jelgavas",
    "Jūrmalas",
    "Ventspils",
    "Rēzeknes",
    "Valmieras",
    "Jēkabpils",
    "Ogres",
    "Tukuma",
    "Cēsu",
    "Salaspils",
    "Kuldīgas",
    "Bauskas",
    "Siguldas",
];

fn role_letter(role: Role) -> char {
    match role {
        Role::Director => 'd',
        Role::DeputyAcademic => 'v',
        Role::Clerk => 'l',
        _ => 't',
    }
}

/// A person with an account: `letter` and the id are the username.
fn person(
    t: &mut Tables,
    ids: &mut Ids,
    rng: &mut Rng,
    ctx: &Context,
    born: i16,
    letter: char,
) -> Result<i64, AppError> {
    let id = take(&mut ids.person);
    let female = rng.below(2) == 0;
    let given = *rng.pick(if female { crate::demo::FEMALE } else { crate::demo::MALE });
    let (m, f) = *rng.pick(crate::demo::FAMILY);
    let family = if female { f } else { m };
    let birth = date(born, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8);
    // Fictional codes have a thousand serials a day; the next day takes over when they run out.
    let mut code = None;
    for shift in 0..400 {
        let day = birth.checked_add(shift.days()).unwrap_or(birth);
        for _ in 0..4 {
            let c = PersonalCode::fictional(
                day.day() as u32,
                day.month() as u32,
                (day.year() % 100) as u32,
                rng.below(1000) as u32,
            )
            .map_err(|e| AppError::Internal(format!("seed code: {e}")))?
            .to_string();
            if ids.codes.insert(c.clone()) {
                code = Some(c);
                break;
            }
        }
        if code.is_some() {
            break;
        }
    }
    let username = format!("{letter}{id}");
    t.persons.row([
        id.into(),
        given.into(),
        family.into(),
        code.into(),
        birth.to_string().into(),
        (if female { "f" } else { "m" }).into(),
        format!("+371 2{:07}", rng.below(10_000_000)).into(),
        format!("{username}@pasts.example").into(),
        ctx.now.into(),
    ]);
    t.accounts.row([
        id.into(),
        username.into(),
        ctx.hash.clone().into(),
        false.into(),
        ctx.now.into(),
    ]);
    Ok(id)
}

#[expect(clippy::too_many_arguments, reason = "one argument per column of the row it writes")]
fn member(t: &mut Tables, i: i64, p: i64, role: Role, from: &str, position: Option<&str>, order_date: &str, now: i64) {
    let staff = position.is_some();
    t.memberships.row([
        i.into(),
        p.into(),
        role.code().into(),
        from.into(),
        (if staff { "employment" } else { "order" }).into(),
        Cell::Text((!staff).then(|| format!("1-7/{}", &order_date[..4]))),
        Cell::Text((!staff).then(|| order_date.to_string())),
        Cell::Text(position.map(str::to_string)),
        now.into(),
    ]);
}

/// A learner or a child with one or two parents, enrolled in `class`.
#[expect(clippy::too_many_arguments, reason = "the seed's state, passed down once")]
fn learner(
    t: &mut Tables,
    ids: &mut Ids,
    rng: &mut Rng,
    ctx: &Context,
    i: i64,
    class: i64,
    born: i16,
    order_date: &str,
) -> Result<(i64, Vec<i64>), AppError> {
    let child = person(t, ids, rng, ctx, born, 's')?;
    let from = ctx.start.to_string();
    member(t, i, child, Role::Student, &from, None, order_date, ctx.now);
    t.enrolments.row([
        i.into(),
        class.into(),
        child.into(),
        from.clone().into(),
        format!("1-7/{}/{child}", &order_date[..4]).into(),
        order_date.into(),
        "VIIS".into(),
        ctx.now.into(),
    ]);
    let mut parents = Vec::new();
    // About 1,4 parents a child: 500 000 parents for 350 000 learners.
    for k in 0..(if rng.below(5) < 2 { 2 } else { 1 }) {
        let age = 25 + rng.below(15) as i16;
        let p = person(t, ids, rng, ctx, born - age, 'p')?;
        member(t, i, p, Role::Parent, &from, None, order_date, ctx.now);
        t.guardianships.row([
            p.into(),
            child.into(),
            (if k == 0 { "māte" } else { "tēvs" }).into(),
            ctx.now.into(),
        ]);
        parents.push(p);
    }
    Ok((child, parents))
}

/// The days lessons were held, from the year's first day to yesterday.
fn school_days(calendar: &Calendar, ctx: &Context) -> Vec<Date> {
    let mut days = Vec::new();
    let mut d = ctx.start;
    while d < ctx.today {
        if calendar.is_school_day(d) {
            days.push(d);
        }
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    days
}

struct Class {
    id: i64,
    name: String,
    grade: u8,
    tutor: i64,
    students: Vec<i64>,
    parents: Vec<i64>,
}

#[expect(clippy::too_many_arguments, reason = "the seed's state, passed down once")]
async fn school(
    t: &mut Tables,
    chain: &mut Chain,
    ids: &mut Ids,
    rng: &mut Rng,
    ctx: &Context,
    calendar: &Calendar,
    kind: InstitutionKind,
    i: i64,
    year: i64,
    size: usize,
    teachers: &[i64],
    order_date: &str,
    tx: &mut klade_store::Tx,
) -> Result<(), AppError> {
    let y = ctx.start.year();
    let grades: Vec<u8> = if kind == InstitutionKind::Vocational {
        (1..=4).collect()
    } else {
        (1..=12).collect()
    };
    let mut subjects = Vec::new();
    for (name, _, _) in SUBJECTS {
        let id = take(&mut ids.subject);
        t.subjects
            .row([id.into(), i.into(), "subject".into(), Cell::Text(None), (*name).into()]);
        subjects.push(id);
    }
    // Classes of at most 26, as many parallel ones as each grade needs.
    let per_grade = size / grades.len();
    let parallel = per_grade.div_ceil(26).max(1);
    let mut classes = Vec::new();
    for &grade in &grades {
        for k in 0..parallel {
            let id = take(&mut ids.class);
            let letter = ["a", "b", "c", "d", "e", "f"][k % 6];
            let name = format!("{grade}.{letter}");
            let (code, programme) = if kind == InstitutionKind::Vocational {
                (Some("33481011".to_string()), Some("Grāmatvedība".to_string()))
            } else {
                (None, None)
            };
            t.classes.row([
                id.into(),
                i.into(),
                year.into(),
                name.clone().into(),
                "class".into(),
                i64::from(grade).into(),
                code.into(),
                programme.into(),
            ]);
            let tutor = teachers[classes.len() % teachers.len()];
            t.tutors.row([i.into(), id.into(), tutor.into()]);
            // A learner of the first course at a vocational school is 15 or 16; of grade 1, 7.
            let born = if kind == InstitutionKind::Vocational {
                y - 15 - grade as i16
            } else {
                y - 6 - grade as i16
            };
            let mut students = Vec::new();
            let mut parents = Vec::new();
            for _ in 0..per_grade.div_ceil(parallel).max(1) {
                let (s, ps) = learner(t, ids, rng, ctx, i, id, born, order_date)?;
                students.push(s);
                parents.extend(ps);
            }
            classes.push(Class {
                id,
                name,
                grade,
                tutor,
                students,
                parents,
            });
        }
    }
    t.flush(tx).await?;

    let days = school_days(calendar, ctx);
    for (ci, class) in classes.iter().enumerate() {
        // The class's courses: every subject of its grade, each with its teacher and hours.
        let taught: Vec<(usize, u8)> = SUBJECTS
            .iter()
            .enumerate()
            .filter(|(_, (_, a, b))| (*a..=*b).contains(&class.grade.min(12)))
            .map(|(k, _)| (k, if k < 3 { 4 } else { 2 }))
            .collect();
        let mut courses = Vec::new();
        for (k, hours) in &taught {
            let id = take(&mut ids.course);
            let teacher = teachers[(ci * 7 + k * 3) % teachers.len()];
            t.courses.row([
                id.into(),
                i.into(),
                year.into(),
                subjects[*k].into(),
                class.id.into(),
                format!("{} {}", SUBJECTS[*k].0, &class.name).into(),
                i64::from(*hours).into(),
            ]);
            t.course_teachers.row([i.into(), id.into(), teacher.into()]);
            for s in &class.students {
                t.course_students.row([i.into(), id.into(), (*s).into()]);
            }
            courses.push(Course {
                id,
                teacher,
                held: 0,
                hours: *hours,
            });
        }
        // The week: the courses' hours laid over five days.
        let per_day = match class.grade {
            1..=4 => 5,
            5..=9 => 6,
            _ => 7,
        };
        let mut week: Vec<(i64, i64, usize)> = Vec::new(); // (weekday, lesson_no, course)
        let mut slot = 0usize;
        for (ci2, c) in courses.iter().enumerate() {
            for _ in 0..c.hours {
                if slot < 5 * per_day {
                    week.push(((slot % 5) as i64 + 1, (slot / 5) as i64 + 1, ci2));
                    slot += 1;
                }
            }
        }
        for (weekday, no, c) in &week {
            let (starts, ends) = LESSON_TIMES[(*no as usize - 1).min(7)];
            t.timetable.row([
                i.into(),
                class.id.into(),
                courses[*c].id.into(),
                (*weekday).into(),
                (*no).into(),
                starts.into(),
                ends.into(),
                format!("{}", 100 + ci).into(),
                ctx.start.to_string().into(),
            ]);
        }
        for day in &days {
            let weekday = i64::from(day.weekday().to_monday_one_offset());
            let when = at(*day, 15);
            for (_, no, c) in week.iter().filter(|(w, _, _)| *w == weekday) {
                let course = &mut courses[*c];
                lesson(t, chain, ids, rng, class, course, *day, *no, when)?;
            }
            // Now and then a tutor's note, a parent's notice of absence.
            if rng.below(10) == 0 {
                let note = klade_store::journal::Note {
                    id: take(&mut ids.note),
                    course_id: None,
                    student_id: klade_domain::PersonId(*rng.pick(&class.students)),
                    date: *day,
                    kind: "praise".into(),
                    text: "Aktīvi strādāja stundā un palīdzēja klasesbiedriem.".into(),
                    author: String::new(),
                };
                t.notes.row([
                    note.id.into(),
                    i.into(),
                    Cell::Int(None),
                    note.student_id.0.into(),
                    day.to_string().into(),
                    note.kind.clone().into(),
                    note.text.clone().into(),
                    class.tutor.into(),
                ]);
                chain.push(t, Item::Note(note.id), note.history_value(), class.tutor, when);
            }
            if rng.below(8) == 0 && !class.parents.is_empty() {
                let parent = *rng.pick(&class.parents);
                let s = class.students[rng.below(class.students.len())];
                t.notices.row([
                    i.into(),
                    s.into(),
                    day.to_string().into(),
                    day.to_string().into(),
                    "Slimības dēļ".into(),
                    false.into(),
                    parent.into(),
                    at(*day, 7).into(),
                ]);
            }
        }
        // A message from the tutor to the class's parents each month of the year so far.
        let mut month = ctx.start;
        while month < ctx.today {
            let id = take(&mut ids.message);
            let subject = format!("{} klases jaunumi", &class.name);
            let body = "Labdien! Atgādinu par vecāku sapulci nākamnedēļ. Ar cieņu, audzinātāja.";
            t.messages.row([
                id.into(),
                i.into(),
                id.into(),
                class.tutor.into(),
                subject.clone().into(),
                body.into(),
                format!("{} vecāki", &class.name).into(),
                format!("{} {}", subject, body).to_lowercase().into(),
                at(month, 16).into(),
            ]);
            for p in &class.parents {
                let read = (rng.below(3) > 0).then(|| at(month, 20));
                t.recipients.row([id.into(), (*p).into(), read.into()]);
            }
            month = match month.checked_add(1.month()) {
                Ok(m) => m,
                Err(_) => break,
            };
        }
        t.flush(tx).await?;
    }
    Ok(())
}

struct Course {
    id: i64,
    teacher: i64,
    held: usize,
    hours: u8,
}

/// A lesson held, its attendance, and every fifth lesson an assessment with its grades.
#[expect(clippy::too_many_arguments, reason = "the seed's state, passed down once")]
fn lesson(
    t: &mut Tables,
    chain: &mut Chain,
    ids: &mut Ids,
    rng: &mut Rng,
    class: &Class,
    course: &mut Course,
    day: Date,
    no: i64,
    when: i64,
) -> Result<(), AppError> {
    let i = chain.institution;
    let topic = TOPICS[(course.held / 3) % TOPICS.len()];
    let l = Lesson {
        id: LessonId(take(&mut ids.lesson)),
        course_id: CourseId(course.id),
        date: day,
        lesson_no: no,
        topic: format!("{topic} ({})", course.held / 3 + 1),
        content: format!("{topic}: skaidrojums, piemēri un patstāvīgais darbs."),
        homework: if course.held.is_multiple_of(2) {
            format!("Uzdevumi par tēmu „{topic}”.")
        } else {
            String::new()
        },
        homework_due: None,
    };
    t.lessons.row([
        l.id.0.into(),
        i.into(),
        course.id.into(),
        day.to_string().into(),
        no.into(),
        l.topic.clone().into(),
        l.content.clone().into(),
        l.homework.clone().into(),
        Cell::Text(None),
        when.into(),
    ]);
    chain.push(t, Item::Lesson(l.id), l.history_value(), course.teacher, when);
    for s in &class.students {
        let (code, minutes) = match rng.below(100) {
            0..=2 => ("n", None),
            3..=4 => ("ns", None),
            5 => ("k", Some(5 + rng.below(11) as i64)),
            _ => continue,
        };
        t.attendance
            .row([i.into(), l.id.0.into(), (*s).into(), code.into(), minutes.into()]);
        let shown = minutes
            .map(|m| format!("{code}{m}"))
            .unwrap_or_else(|| code.to_string());
        chain.push(
            t,
            Item::Attendance(l.id, klade_domain::PersonId(*s)),
            shown,
            course.teacher,
            when,
        );
    }
    course.held += 1;
    if course.held.is_multiple_of(5) {
        let summative = course.held.is_multiple_of(10);
        let scale = match (summative, class.grade) {
            (_, 1..=3) => "stap",
            (true, _) => "ten",
            (false, _) => "percent",
        };
        let a = Assessment {
            id: AssessmentId(take(&mut ids.assessment)),
            course_id: CourseId(course.id),
            kind: if summative { "summative" } else { "formative" }.to_string(),
            scale: scale.to_string(),
            date: day,
            title: format!(
                "{}: {topic}",
                if summative {
                    "Pārbaudes darbs"
                } else {
                    "Patstāvīgais darbs"
                }
            ),
            handed_in_on: summative.then_some(day),
        };
        t.assessments.row([
            a.id.0.into(),
            i.into(),
            course.id.into(),
            a.kind.clone().into(),
            a.scale.clone().into(),
            day.to_string().into(),
            a.title.clone().into(),
            Cell::Text(a.handed_in_on.map(|d| d.to_string())),
        ]);
        chain.push(t, Item::Assessment(a.id), a.history_value(), course.teacher, when);
        for s in &class.students {
            let mark = if rng.below(25) == 0 {
                "nv".to_string()
            } else {
                match scale {
                    "stap" => ["S", "T", "A", "P"][rng.below(4)].to_string(),
                    "ten" => (3 + (rng.below(8) + rng.below(8)).div_ceil(2).min(7)).to_string(),
                    _ => (40 + rng.below(61)).to_string(),
                }
            };
            t.grades
                .row([i.into(), a.id.0.into(), (*s).into(), mark.clone().into(), when.into()]);
            chain.push(
                t,
                Item::Grade(a.id, klade_domain::PersonId(*s)),
                mark,
                course.teacher,
                when,
            );
        }
    }
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "the seed's state, passed down once")]
fn preschool(
    t: &mut Tables,
    chain: &mut Chain,
    ids: &mut Ids,
    rng: &mut Rng,
    ctx: &Context,
    calendar: &Calendar,
    i: i64,
    year: i64,
    size: usize,
    teachers: &[i64],
    order_date: &str,
) -> Result<(), AppError> {
    let y = ctx.start.year();
    const NAMES: &[&str] = &[
        "Mārītes",
        "Zīlītes",
        "Bitītes",
        "Pūcītes",
        "Taurenīši",
        "Vāverītes",
        "Ezīši",
        "Lācīši",
    ];
    let groups = size.div_ceil(20).max(1);
    let mut days = Vec::new();
    let mut d = ctx.start;
    while d < ctx.today {
        if calendar.is_working_day(d) {
            days.push(d);
        }
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    for g in 0..groups {
        let id = take(&mut ids.class);
        let name = format!("{} {}", NAMES[g % NAMES.len()], g / NAMES.len() + 1);
        t.classes.row([
            id.into(),
            i.into(),
            year.into(),
            name.into(),
            "group".into(),
            Cell::Int(None),
            Cell::Text(None),
            Cell::Text(None),
        ]);
        let teacher = teachers[g % teachers.len()];
        t.tutors.row([i.into(), id.into(), teacher.into()]);
        let born = y - 2 - (g % 5) as i16;
        let mut children = Vec::new();
        for _ in 0..size.div_ceil(groups) {
            children.push(learner(t, ids, rng, ctx, i, id, born, order_date)?.0);
        }
        for (n, day) in days.iter().enumerate() {
            let when = at(*day, 10);
            t.preschool_days.row([
                i.into(),
                id.into(),
                day.to_string().into(),
                false.into(),
                teacher.into(),
                when.into(),
            ]);
            for c in &children {
                let (code, reason) = match rng.below(100) {
                    0..=5 => ("S", "Saaukstēšanās"),
                    6..=9 => ("N", ""),
                    _ => continue,
                };
                t.preschool_attendance.row([
                    i.into(),
                    id.into(),
                    (*c).into(),
                    day.to_string().into(),
                    code.into(),
                    reason.into(),
                    false.into(),
                    teacher.into(),
                    when.into(),
                ]);
                chain.push(
                    t,
                    Item::PreschoolAttendance(klade_domain::PersonId(*c), *day),
                    klade_store::preschool::absence_value(code, reason),
                    teacher,
                    when,
                );
            }
            for (area, tasks, activities) in [PRESCHOOL_AREAS[n % 6], PRESCHOOL_AREAS[(n + 2) % 6]] {
                let entry = take(&mut ids.entry);
                chain.push(
                    t,
                    Item::PreschoolEntry(entry),
                    klade_store::preschool::entry_value(tasks, activities),
                    teacher,
                    when + 6 * 3600,
                );
                t.preschool_entries.row([
                    entry.into(),
                    i.into(),
                    id.into(),
                    day.to_string().into(),
                    area.into(),
                    tasks.into(),
                    activities.into(),
                    false.into(),
                    teacher.into(),
                    (when + 6 * 3600).into(),
                ]);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_named_as_the_command_takes_them() {
        assert_eq!("latvia".parse::<Scale>().ok(), Some(Scale::Latvia));
        assert!("europe".parse::<Scale>().is_err());
        assert_eq!(
            (Scale::Latvia.plan().schools, Scale::Latvia.plan().preschools),
            (650, 550)
        );
    }
}
