//! The demo: a fictional vocational art secondary school and a fictional preschool, with staff,
//! students, parents and the named demo accounts, made deterministically for the current school
//! year. Every demo account's password is `demo` and is not made to be changed.
//!
//! The demo sets its institutions up the way a real one is set up from an empty install, through
//! the same use cases, as on the first day of the school year (its clock set to 1 September, so
//! every record carries the date it would have): the console registers the institution and its
//! superuser (`users`); the superuser prepares the year from the template (`setup`), enters the
//! administration one by one, imports subjects, classes, teachers and the students with their
//! parents from files in the shape VIIS exports (`import`), names the tutors and fills each
//! class's study plan; the deputy for academic work imports the timetable. Only what no use case
//! may do is the demo's own: the published password of its accounts and the published key of
//! their second factor, and the autumn up to yesterday — lessons, marks, messages, the
//! preschool's days — written with the past times they would have had (`journal_demo`,
//! `preschool_demo`, `mail_demo`).
//!
//! The people are invented; their personal codes are checksum-valid codes dated in the 1800s
//! (century digit 0), which no living person holds.

use crate::auth::{self, hash_password, Login, LoginInput, Session, SessionKind};
use crate::clock::FixedClock;
use crate::import::Kind;
use crate::setup::{self, PlanLineInput, StaffInput};
use crate::{second_factor, users, App, AppError};
use jiff::civil::{date, Date};
use klade_domain::{ClassId, CourseId, InstitutionId, InstitutionKind, PersonId, PersonalCode, SubjectId};
use klade_store::{accounts, institutions, people, Tx};
use std::collections::HashSet;
use std::sync::Arc;

mod journal_demo;
mod mail_demo;
mod preschool_demo;

pub const SCHOOL_REG_NO: &str = "3313901001";
pub const PRESCHOOL_REG_NO: &str = "4301901002";
pub const PASSWORD: &str = "demo";

/// The named demo accounts and what each one is, for the start-up banner and the README.
pub const LOGINS: &[(&str, &str)] = &[
    ("admin", "virslietotājs / superuser"),
    ("direktors", "direktore / director"),
    ("vietnieks", "direktora vietnieks mācību darbā / deputy, academic"),
    (
        "metodikis",
        "direktora vietniece metodiskajā darbā / deputy, methodical",
    ),
    ("radosais", "direktora vietnieks radošajā darbā / deputy, creative"),
    (
        "audzinasana",
        "direktora vietniece audzināšanas darbā / deputy, upbringing",
    ),
    ("lietvede", "lietvede / clerk"),
    ("skolotajs", "mācību priekšmeta skolotājs / subject teacher"),
    ("audzinataja", "klases audzinātāja (2.B) / class tutor"),
    ("skolens", "pilngadīgs audzēknis (4.A) / adult student"),
    ("vecaks", "vecāks: bērns skolā un bērnudārzā / parent"),
    ("pii.vaditaja", "PII vadītāja / preschool head"),
    ("pii.vietniece", "PII vadītājas vietniece / preschool deputy head"),
    (
        "pii.skolotaja",
        "pirmsskolas skolotāja (grupa „Mārītes”) / preschool teacher",
    ),
    ("masa", "medicīnas māsa / nurse"),
];

pub(crate) const FEMALE: &[&str] = &[
    "Anna",
    "Elza",
    "Marta",
    "Sofija",
    "Emīlija",
    "Alise",
    "Paula",
    "Līva",
    "Laura",
    "Katrīna",
    "Evelīna",
    "Annija",
    "Elīza",
    "Madara",
    "Rūta",
    "Ilze",
    "Inese",
    "Dace",
    "Līga",
    "Sandra",
    "Kristīne",
    "Zane",
    "Ieva",
    "Baiba",
    "Agnese",
    "Māra",
    "Dagnija",
    "Gunta",
    "Aija",
    "Sarmīte",
    "Ērika",
    "Ļena",
    "Daiga",
    "Žanna",
];
pub(crate) const MALE: &[&str] = &[
    "Jānis",
    "Roberts",
    "Mārtiņš",
    "Kārlis",
    "Artūrs",
    "Gustavs",
    "Markuss",
    "Ričards",
    "Emīls",
    "Daniels",
    "Olivers",
    "Toms",
    "Rainers",
    "Edgars",
    "Andris",
    "Juris",
    "Pēteris",
    "Aivars",
    "Guntis",
    "Valdis",
    "Uldis",
    "Māris",
    "Raimonds",
    "Oskars",
    "Krišjānis",
    "Ēriks",
    "Ģirts",
    "Dāvis",
    "Nauris",
    "Ivars",
    "Žanis",
    "Čaba",
];
/// Family names in their masculine and feminine forms.
pub(crate) const FAMILY: &[(&str, &str)] = &[
    ("Bērziņš", "Bērziņa"),
    ("Kalniņš", "Kalniņa"),
    ("Ozols", "Ozola"),
    ("Liepa", "Liepa"),
    ("Krūmiņš", "Krūmiņa"),
    ("Zariņš", "Zariņa"),
    ("Jansons", "Jansone"),
    ("Ozoliņš", "Ozoliņa"),
    ("Vītols", "Vītola"),
    ("Kļaviņš", "Kļaviņa"),
    ("Pētersons", "Pētersone"),
    ("Balodis", "Balode"),
    ("Eglītis", "Eglīte"),
    ("Lapiņš", "Lapiņa"),
    ("Siliņš", "Siliņa"),
    ("Grīnbergs", "Grīnberga"),
    ("Celmiņš", "Celmiņa"),
    ("Āboliņš", "Āboliņa"),
    ("Šmits", "Šmite"),
    ("Žagars", "Žagare"),
    ("Čakste", "Čakste"),
    ("Putniņš", "Putniņa"),
    ("Kārkliņš", "Kārkliņa"),
    ("Dūmiņš", "Dūmiņa"),
    ("Ābele", "Ābele"),
    ("Rozītis", "Rozīte"),
    ("Strazdiņš", "Strazdiņa"),
    ("Ģērmanis", "Ģērmane"),
    ("Ķēniņš", "Ķēniņa"),
    ("Lūsis", "Lūse"),
    ("Mednis", "Medne"),
    ("Ūdris", "Ūdre"),
];

const SUBJECTS: &[&str] = &[
    "Latviešu valoda un literatūra",
    "Matemātika",
    "Angļu valoda",
    "Vēsture un sociālās zinātnes",
    "Fizika",
    "Ķīmija",
    "Bioloģija",
    "Sports un veselība",
    "Datorika",
    "Ģeogrāfija",
];
const MODULES: &[(&str, &str)] = &[
    ("M01", "Zīmēšana"),
    ("M02", "Gleznošana"),
    ("M03", "Kompozīcija"),
    ("M04", "Krāsu mācība"),
    ("M05", "Datorgrafika"),
    ("M06", "Fotografēšana"),
    ("M07", "Mākslas vēsture"),
    ("M08", "Dizaina vēsture"),
    ("M09", "Maketēšana"),
    ("M10", "Tipogrāfija"),
];
const PROGRAMMES: &[(&str, &str, &str)] = &[
    ("A", "33214011", "Vides dizains"),
    ("B", "33214021", "Grafikas dizains"),
    ("C", "33213011", "Multimediju dizains"),
];
const GROUPS: &[(&str, i16)] = &[
    ("Mazputniņi", 2021),
    ("Zīlītes", 2021),
    ("Mārītes", 2022),
    ("Bitītes", 2022),
    ("Taurenīši", 2023),
    ("Pūcītes", 2024),
];

/// A small deterministic generator, so every demo database holds the same people.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sex {
    F,
    M,
}

/// A person the demo invents, as a clerk would type them in.
#[derive(Clone)]
struct Made {
    given: String,
    family: String,
    code: String,
    sex: Sex,
    birth: Date,
    phone: String,
    email: String,
}

impl Made {
    /// As VIIS writes it.
    fn gender(&self) -> &'static str {
        if self.sex == Sex::F {
            "s"
        } else {
            "v"
        }
    }
    fn name(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

/// A student with the parents the file names.
struct Student {
    child: Made,
    parents: Vec<Made>,
}

/// The demo's people, invented in a fixed order from one seed, each with a unique fictional code,
/// and who of them gets an account with the demo's password.
struct People {
    rng: Rng,
    codes: HashSet<String>,
    serial: u32,
    /// (personal code, username; `None`: the personal code).
    accounts: Vec<(String, Option<&'static str>)>,
}

impl People {
    fn code(&mut self, day: u32, month: u32, yy: u32) -> Result<String, AppError> {
        loop {
            self.serial += 1;
            let c = PersonalCode::fictional(day, month, yy, self.serial)
                .map_err(|e| AppError::Internal(format!("demo code: {e}")))?;
            if self.codes.insert(c.to_string()) {
                return Ok(c.to_string());
            }
        }
    }

    /// A person with an account (username given, or the code).
    fn person(
        &mut self,
        given: &str,
        family: &str,
        sex: Sex,
        birth: Date,
        username: Option<&'static str>,
    ) -> Result<Made, AppError> {
        let code = self.code(birth.day() as u32, birth.month() as u32, (birth.year() % 100) as u32)?;
        let phone = format!("+371 2{:07}", self.rng.next() % 10_000_000);
        let email = format!("{}.{}@pasts.example", ascii(given), ascii(family));
        self.accounts.push((code.clone(), username));
        Ok(Made {
            given: given.to_string(),
            family: family.to_string(),
            code,
            sex,
            birth,
            phone,
            email,
        })
    }

    fn random_person(&mut self, birth_year: i16) -> Result<(Made, usize), AppError> {
        let sex = if self.rng.below(2) == 0 { Sex::F } else { Sex::M };
        let family = self.rng.below(FAMILY.len());
        Ok((self.person_in_family(family, sex, birth_year)?, family))
    }

    fn person_in_family(&mut self, family: usize, sex: Sex, birth_year: i16) -> Result<Made, AppError> {
        let given = *self.rng.pick(if sex == Sex::F { FEMALE } else { MALE });
        let (m, f) = FAMILY[family];
        let birth = date(birth_year, 1 + self.rng.below(12) as i8, 1 + self.rng.below(28) as i8);
        self.person(given, if sex == Sex::F { f } else { m }, sex, birth, None)
    }

    /// A student with one or two parents of the same family.
    fn student(&mut self, birth_year: i16) -> Result<Student, AppError> {
        let (child, family) = self.random_person(birth_year)?;
        let count = if self.rng.below(3) == 0 { 1 } else { 2 };
        let mut parents = Vec::new();
        for k in 0..count {
            let sex = if k == 0 { Sex::F } else { Sex::M };
            let born = birth_year - 25 - self.rng.below(10) as i16;
            parents.push(self.person_in_family(family, sex, born)?);
        }
        Ok(Student { child, parents })
    }
}

/// The demo's history, written in one transaction after the set-up with the times it would have had.
struct Maker<'a> {
    tx: Tx,
    backend: klade_store::Backend,
    rng: &'a mut Rng,
    now: i64,
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ā' | 'Ā' => 'a',
            'č' | 'Č' => 'c',
            'ē' | 'Ē' => 'e',
            'ģ' | 'Ģ' => 'g',
            'ī' | 'Ī' => 'i',
            'ķ' | 'Ķ' => 'k',
            'ļ' | 'Ļ' => 'l',
            'ņ' | 'Ņ' => 'n',
            'š' | 'Š' => 's',
            'ū' | 'Ū' => 'u',
            'ž' | 'Ž' => 'z',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A table as a spreadsheet saves it for an import: `;` between cells, a header line.
fn csv(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = headers.join(";");
    for row in rows {
        out.push('\n');
        out.push_str(&row.join(";"));
    }
    out.into_bytes()
}

/// Uploads a file, checks its preview refuses no row, and confirms it, as the import page does.
async fn import(
    app: &App,
    by: &Session,
    institution: InstitutionId,
    kind: Kind,
    file: Vec<u8>,
) -> Result<(), AppError> {
    let name = format!("{}.csv", kind.code());
    let id = crate::import::upload(app, by, institution, kind, &name, &file).await?;
    let preview = crate::import::preview(app, by, institution, id).await?;
    if let Some(row) = preview.rows.iter().find(|r| r.action.refused()) {
        return Err(AppError::Internal(format!(
            "demo {name}: line {} ({}) refused: {:?}",
            row.line, row.label, row.action
        )));
    }
    crate::import::confirm_and_wait(app, by, institution, id).await
}

/// Signs in as a person would, for the set-up steps taken in their name.
async fn sign_in(app: &App, username: &str, password: &str) -> Result<Session, AppError> {
    let login = auth::login(
        app,
        LoginInput {
            username,
            password,
            address: "demo",
            user_agent: "klade demo",
            kind: SessionKind::Web,
        },
    )
    .await?;
    let Login::Done(done) = login else {
        return Err(AppError::Internal("demo: a second factor asked at set-up".into()));
    };
    auth::authenticate(app, &done.token, SessionKind::Web)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo: no session for {username}")))
}

/// The demo's accounts: everyone it invented (but the staff still without one, R8) gets an
/// account with the published password — the one step no use case may take, as a password is
/// always generated or chosen by its holder. Accounts that exist (the superuser's) get it too.
async fn give_accounts(app: &App, people: &mut People, hash: &str) -> Result<(), AppError> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    for (code, username) in people.accounts.drain(..) {
        let person = people::find_by_personal_code(&mut *tx, &code)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo: {code} was not entered")))?;
        match accounts::by_person(&mut *tx, person.id).await? {
            Some(a) => accounts::set_password(&mut *tx, a.id, hash, false).await?,
            None => {
                accounts::insert(&mut *tx, person.id, username.unwrap_or(&code), hash, false, now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A member of staff as the form takes them, employed since 24 August 2015.
fn staff_input(p: &Made, position: &str) -> StaffInput {
    StaffInput {
        personal_code: p.code.clone(),
        given_name: p.given.clone(),
        family_name: p.family.clone(),
        position: position.to_string(),
        workload: "1".into(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        employed_from: "2015-08-24".into(),
        order_number: String::new(),
        order_date: String::new(),
    }
}

const STAFF_HEADERS: &[&str] = &[
    "Personas kods",
    "Vārds",
    "Uzvārds",
    "Amats",
    "Slodze",
    "Tālrunis",
    "E-pasts",
    "Darba attiecību sākums",
];

fn staff_row(s: &StaffInput) -> Vec<String> {
    vec![
        s.personal_code.clone(),
        s.given_name.clone(),
        s.family_name.clone(),
        s.position.clone(),
        s.workload.clone(),
        s.phone.clone(),
        s.email.clone(),
        s.employed_from.clone(),
    ]
}

const STUDENT_HEADERS: &[&str] = &[
    "Personas kods",
    "Vārds",
    "Uzvārds",
    "Dzimšanas datums",
    "Dzimums",
    "Klase",
    "Rīkojuma nr.",
    "Rīkojuma datums",
    "1. vecāka vārds",
    "1. vecāka uzvārds",
    "1. vecāka personas kods",
    "1. vecāka tālrunis",
    "1. vecāka e-pasts",
    "1. vecāka radniecība",
    "2. vecāka vārds",
    "2. vecāka uzvārds",
    "2. vecāka personas kods",
    "2. vecāka tālrunis",
    "2. vecāka e-pasts",
    "2. vecāka radniecība",
];

/// A student's line of the VIIS file: admitted by `order` on `admitted` into `class`.
fn student_row(l: &Student, class: &str, order: &str, admitted: Date) -> Vec<String> {
    let mut row = vec![
        l.child.code.clone(),
        l.child.given.clone(),
        l.child.family.clone(),
        l.child.birth.to_string(),
        l.child.gender().to_string(),
        class.to_string(),
        order.to_string(),
        admitted.to_string(),
    ];
    for k in 0..2 {
        match l.parents.get(k) {
            Some(p) => row.extend([
                p.given.clone(),
                p.family.clone(),
                p.code.clone(),
                p.phone.clone(),
                p.email.clone(),
                if p.sex == Sex::F { "māte" } else { "tēvs" }.to_string(),
            ]),
            None => row.extend(std::iter::repeat_n(String::new(), 6)),
        }
    }
    row
}

/// Whom the set-up entered under `code`.
async fn id_of(app: &App, code: &str) -> Result<PersonId, AppError> {
    Ok(people::find_by_personal_code(app.db.pool(), code)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo: {code} was not entered")))?
        .id)
}

const LESSON_TIMES: [(&str, &str); 6] = [
    ("08:30", "09:10"),
    ("09:20", "10:00"),
    ("10:10", "10:50"),
    ("11:10", "11:50"),
    ("12:00", "12:40"),
    ("13:00", "13:40"),
];

/// Each class's courses: eight general subjects and three modules, as indexes into `SUBJECTS`
/// then `MODULES`, with their teachers. `skolotajs` teaches mathematics in every other class and in
/// 2.B, `audzinataja` Latvian in 2.B and every third class; the other teachers take the rest in
/// turn, a teacher skipped where the week would put them in two classes at once.
fn course_plan(classes: &[String]) -> Vec<Vec<(usize, usize)>> {
    const MATHS: usize = 1;
    const LATVIAN: usize = 0;
    let others = 28;
    // The week's lesson t (0..30) of class ci is its course (t + 6 + ci) % 11: a course k of ci
    // meets when t + 6 ≡ k − ci (mod 11), so a teacher's courses must differ in k − ci.
    let residue = |ci: usize, k: usize| (k + 11 * 2 - ci % 11) % 11;
    let mut busy: Vec<HashSet<usize>> = vec![HashSet::new(); others + 2];
    let mut next = 2;
    classes
        .iter()
        .enumerate()
        .map(|(ci, name)| {
            let chosen: Vec<usize> = (0..8).chain((10..13).map(|k| k + (ci % 7))).collect();
            chosen
                .iter()
                .enumerate()
                .map(|(k, &si)| {
                    let teacher = if si == MATHS && (ci % 2 == 0 || name == "2.B") {
                        1
                    } else if si == LATVIAN && (name == "2.B" || ci % 3 == 0) {
                        0
                    } else {
                        loop {
                            next = 2 + (next - 1) % others;
                            if !busy[next].contains(&residue(ci, k)) {
                                break next;
                            }
                        }
                    };
                    busy[teacher].insert(residue(ci, k));
                    (si, teacher)
                })
                .collect()
        })
        .collect()
}

/// Creates the demo institutions unless they exist. Returns true when it created them.
pub async fn ensure(app: &App) -> Result<bool, AppError> {
    if institutions::find_by_reg_no(app.db.pool(), SCHOOL_REG_NO)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let today = app.today();
    let (start, _) = klade_domain::school_year::containing(today);
    // The set-up is done as on the year's first morning, so its records carry that day.
    let at = start
        .at(8, 0, 0, 0)
        .to_zoned(crate::clock::riga())
        .map_err(|e| AppError::Internal(format!("demo clock: {e}")))?
        .timestamp();
    let day_one = App::new(app.db.clone(), Arc::new(FixedClock::new(at)), app.settings.clone());
    let mut people = People {
        rng: Rng(0x5eed_1a7e_c0de_2026),
        codes: HashSet::new(),
        serial: 0,
        accounts: Vec::new(),
    };
    let hash = hash_password(PASSWORD)?;
    let mut order_no = 0;

    let school = the_school(&day_one, &mut people, &hash, &mut order_no, start, today).await?;
    let mut m = Maker {
        tx: app.db.begin().await?,
        backend: app.db.backend(),
        rng: &mut people.rng,
        now: app.now(),
    };
    journal_demo::fill(
        &mut m,
        klade_domain::Tenant::without_permit(school.id),
        &school.filled,
        start,
        today,
    )
    .await?;
    m.tx.commit().await?;

    let (preschool, group, pii_skolotaja) = the_preschool(
        &day_one,
        &mut people,
        &hash,
        &mut order_no,
        &school.admin,
        &school.vecaks_made,
        start,
    )
    .await?;
    let mut m = Maker {
        tx: app.db.begin().await?,
        backend: app.db.backend(),
        rng: &mut people.rng,
        now: app.now(),
    };
    let children: Vec<PersonId> = klade_store::journal::class_students(&mut *m.tx, preschool, group, today)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    preschool_demo::fill(
        &mut m,
        klade_domain::Tenant::without_permit(preschool),
        group,
        pii_skolotaja,
        &children,
        today,
    )
    .await?;
    mail_demo::fill(
        &mut m,
        school.id,
        school.class_2b,
        school.audzinataja,
        school.skolotajs,
        school.vecaks,
        school.upbringing,
        today,
    )
    .await?;
    // The administration's accounts have their second factor, all with one published key: the
    // demo's login page shows its code (`second_factor::demo_code`).
    let now = m.now;
    for account in accounts::holding_any_role(&mut *m.tx, &second_factor::REQUIRED_ROLE_CODES).await? {
        klade_store::second_factors::start(&mut *m.tx, account, DEMO_SECRET, now).await?;
        klade_store::second_factors::take_step(&mut *m.tx, account, 1, now).await?;
    }
    m.tx.commit().await?;
    Ok(true)
}

/// What the school's history and the preschool's set-up need of the school.
struct School {
    id: InstitutionId,
    /// The superuser (they serve the preschool too).
    admin: Made,
    /// `vecaks`, whose younger child goes to the preschool.
    vecaks_made: Made,
    /// The courses whose journals are kept up to date: (course, teacher, subject).
    filled: Vec<(CourseId, PersonId, String)>,
    class_2b: ClassId,
    audzinataja: PersonId,
    skolotajs: PersonId,
    vecaks: PersonId,
    upbringing: PersonId,
}

/// The vocational art school, set up as on 1 September.
async fn the_school(
    app: &App,
    people: &mut People,
    hash: &str,
    order_no: &mut u32,
    start: Date,
    today: Date,
) -> Result<School, AppError> {
    let y = start.year();
    let kind = InstitutionKind::Vocational;
    let id = users::create_institution(
        app,
        kind,
        "Daugavmalas Mākslas un dizaina vidusskola",
        SCHOOL_REG_NO,
        "Krasta iela 101, Rīga, LV-1019",
    )
    .await?;

    // Everyone the school's files name, invented in one fixed order.
    let administration: &[(&str, &str, Sex, &str, &'static str)] = &[
        ("Ināra", "Ozoliņa", Sex::F, "Direktore", "direktors"),
        (
            "Gatis",
            "Bērziņš",
            Sex::M,
            "Direktora vietnieks mācību darbā",
            "vietnieks",
        ),
        (
            "Dace",
            "Liepa",
            Sex::F,
            "Direktora vietniece metodiskajā darbā",
            "metodikis",
        ),
        (
            "Ilmārs",
            "Vītols",
            Sex::M,
            "Direktora vietnieks radošajā darbā",
            "radosais",
        ),
        (
            "Sanita",
            "Eglīte",
            Sex::F,
            "Direktora vietniece audzināšanas darbā",
            "audzinasana",
        ),
        ("Zaiga", "Pētersone", Sex::F, "Lietvede", "lietvede"),
    ];
    let mut staff = Vec::new();
    for (i, (given, family, sex, position, username)) in administration.iter().enumerate() {
        let p = people.person(
            given,
            family,
            *sex,
            date(1968 + i as i16 * 3, 3 + i as i8, 11),
            Some(username),
        )?;
        staff.push(staff_input(&p, position));
    }
    let admin = people.person("Aigars", "Kļaviņš", Sex::M, date(1985, 6, 2), Some("admin"))?;
    // Thirty teachers: `audzinataja` and `skolotajs` first, the rest generated.
    let skolotajs = people.person("Mārtiņš", "Kalniņš", Sex::M, date(1979, 4, 17), Some("skolotajs"))?;
    let audzinataja = people.person("Līga", "Zariņa", Sex::F, date(1983, 10, 5), Some("audzinataja"))?;
    let mut teachers = vec![audzinataja, skolotajs];
    for _ in 0..28 {
        let born = 1960 + people.rng.below(38) as i16;
        teachers.push(people.random_person(born)?.0);
    }
    let teacher_position = |p: &Made| if p.sex == Sex::F { "Skolotāja" } else { "Skolotājs" };
    let mut teacher_rows: Vec<Vec<String>> = teachers
        .iter()
        .map(|t| staff_row(&staff_input(t, teacher_position(t))))
        .collect();
    // Two new teachers still without accounts (R8): one started more than a week ago, one today.
    for (given, family, sex, started) in [("Kārlis", "Mednis", Sex::M, start), ("Dace", "Ūdre", Sex::F, today)] {
        let code = people.code(started.day() as u32, 7, 88)?;
        let mut s = staff_input(
            &Made {
                given: given.into(),
                family: family.into(),
                code,
                sex,
                birth: date(1988, 7, started.day()),
                phone: "+37126000000".into(),
                email: String::new(),
            },
            if sex == Sex::F { "Skolotāja" } else { "Skolotājs" },
        );
        s.employed_from = started.to_string();
        teacher_rows.push(staff_row(&s));
    }
    // `vecaks`: the mother of Anna (2.B) and of Jēkabs (preschool group "Mārītes").
    let vecaks = people.person("Ilze", "Krūmiņa", Sex::F, date(1986, 7, 23), Some("vecaks"))?;
    let mut classes = Vec::new();
    let mut student_rows = Vec::new();
    for course in 1..=4_i16 {
        for (letter, code, programme) in PROGRAMMES {
            let name = format!("{course}.{letter}");
            classes.push(vec![
                name.clone(),
                course.to_string(),
                code.to_string(),
                programme.to_string(),
            ]);
            let admitted = date(y - course + 1, 8, 20);
            let birth_year = y - 14 - course;
            for k in 0..25 {
                *order_no += 1;
                let order = format!("1-7/{}/{}", admitted.year(), order_no);
                let student = if name == "4.A" && k == 0 {
                    // The adult student: born eighteen or more years before this school year.
                    let child = people.person("Kristaps", "Ābele", Sex::M, date(y - 19, 3, 14), Some("skolens"))?;
                    Student {
                        child,
                        parents: Vec::new(),
                    }
                } else if name == "2.B" && k == 0 {
                    let child = people.person("Anna", "Krūmiņa", Sex::F, date(birth_year, 5, 8), None)?;
                    Student {
                        child,
                        parents: vec![vecaks.clone()],
                    }
                } else {
                    people.student(birth_year)?
                };
                student_rows.push(student_row(&student, &name, &order, admitted));
            }
        }
    }

    // The console: the superuser, appointed by the director's order (R4).
    let (_, password) = users::create_superuser(
        app,
        &users::NewSuperuser {
            institution_reg_no: SCHOOL_REG_NO,
            given_name: &admin.given,
            family_name: &admin.family,
            personal_code: Some(&admin.code),
            username: Some("admin"),
            order_number: "1-8/2023/12",
            order_date: "2023-08-30",
        },
    )
    .await?;
    let password = password.ok_or_else(|| AppError::Internal("demo: the superuser existed".into()))?;
    let su = sign_in(app, "admin", &password).await?;

    // The superuser: the year from the template, the administration, the VIIS files.
    setup::create_year(app, &su, id, &(&klade_domain::school_year::template(kind, y)).into()).await?;
    for s in &staff {
        setup::add_staff(app, &su, id, s).await?;
    }
    import(app, &su, id, Kind::Staff, csv(STAFF_HEADERS, &teacher_rows)).await?;
    let subject_rows: Vec<Vec<String>> = SUBJECTS
        .iter()
        .map(|n| vec![n.to_string(), "mācību priekšmets".into(), String::new()])
        .chain(
            MODULES
                .iter()
                .map(|(c, n)| vec![n.to_string(), "modulis".into(), c.to_string()]),
        )
        .collect();
    import(
        app,
        &su,
        id,
        Kind::Subjects,
        csv(&["Nosaukums", "Veids", "Kods"], &subject_rows),
    )
    .await?;
    import(
        app,
        &su,
        id,
        Kind::Classes,
        csv(&["Klase", "Kurss", "Programmas kods", "Programma"], &classes),
    )
    .await?;
    import(app, &su, id, Kind::Students, csv(STUDENT_HEADERS, &student_rows)).await?;

    // Tutors: `audzinataja` tutors 2.B; the first twelve of the others one class each in turn.
    let structure = setup::structure(app, &su, id).await?;
    let class_id = |name: &str| {
        structure
            .classes
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .ok_or_else(|| AppError::Internal(format!("demo: no class {name}")))
    };
    let mut teacher_ids = Vec::new();
    for t in &teachers {
        teacher_ids.push(id_of(app, &t.code).await?);
    }
    let names: Vec<String> = classes.iter().map(|c| c[0].clone()).collect();
    let mut tutor = 2;
    for name in &names {
        let t = if name == "2.B" {
            teacher_ids[0]
        } else {
            tutor += 1;
            teacher_ids[tutor - 1]
        };
        setup::set_tutor(app, &su, class_id(name)?, t, false).await?;
    }
    give_accounts(app, people, hash).await?;

    // The study plan of every class, then the deputy's timetable of it.
    let subject_names: Vec<&str> = SUBJECTS
        .iter()
        .copied()
        .chain(MODULES.iter().map(|(_, n)| *n))
        .collect();
    let subject_id = |name: &str| -> Result<SubjectId, AppError> {
        structure
            .subjects
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.id)
            .ok_or_else(|| AppError::Internal(format!("demo: no subject {name}")))
    };
    let plan = course_plan(&names);
    let mut timetable = Vec::new();
    for (ci, (name, courses)) in names.iter().zip(&plan).enumerate() {
        let mut lines = Vec::new();
        for (k, (si, teacher)) in courses.iter().enumerate() {
            let hours = (6..36).filter(|t| (t + ci) % courses.len() == k).count();
            lines.push(PlanLineInput {
                subject: subject_id(subject_names[*si])?.0,
                teachers: vec![teacher_ids[*teacher].0],
                hours: hours.to_string(),
            });
        }
        setup::set_study_plan(app, &su, class_id(name)?, &lines).await?;
        // Thirty lessons a week: six a day, the courses in turn, rotated per class.
        for weekday in 1..=5_usize {
            for (n, (starts, ends)) in LESSON_TIMES.iter().enumerate() {
                let pick = (weekday * 6 + n + ci) % courses.len();
                let (si, teacher) = courses[pick];
                timetable.push(vec![
                    name.clone(),
                    subject_names[si].to_string(),
                    teachers[teacher].name(),
                    weekday.to_string(),
                    (n + 1).to_string(),
                    starts.to_string(),
                    ends.to_string(),
                    format!("{}{:02}", 1 + ci / 4, 1 + (pick % 12)),
                ]);
            }
        }
    }
    auth::logout(app, &su).await?;
    let deputy = sign_in(app, "vietnieks", PASSWORD).await?;
    import(
        app,
        &deputy,
        id,
        Kind::Timetable,
        csv(
            &[
                "Klase",
                "Priekšmets",
                "Skolotājs",
                "Diena",
                "Stunda",
                "Sākums",
                "Beigas",
                "Telpa",
            ],
            &timetable,
        ),
    )
    .await?;
    auth::logout(app, &deputy).await?;

    // The journals kept up to date: 2.B's, and every course of the two teachers one signs in as.
    let mut filled = Vec::new();
    for (name, courses) in names.iter().zip(&plan) {
        let class = class_id(name)?;
        let kept = klade_store::journal::courses_of_class(app.db.pool(), id, class).await?;
        for (si, teacher) in courses {
            if name == "2.B" || *teacher < 2 {
                let course = kept
                    .iter()
                    .find(|c| c.name == subject_names[*si])
                    .ok_or_else(|| AppError::Internal(format!("demo: no course {} of {name}", subject_names[*si])))?;
                filled.push((course.id, teacher_ids[*teacher], subject_names[*si].to_string()));
            }
        }
    }
    Ok(School {
        id,
        admin,
        filled,
        class_2b: class_id("2.B")?,
        audzinataja: teacher_ids[0],
        skolotajs: teacher_ids[1],
        vecaks: id_of(app, &vecaks.code).await?,
        vecaks_made: vecaks,
        upbringing: id_of(app, &staff[4].personal_code).await?,
    })
}

/// The preschool, set up as on 1 September by the same superuser.
async fn the_preschool(
    app: &App,
    people: &mut People,
    hash: &str,
    order_no: &mut u32,
    admin: &Made,
    vecaks: &Made,
    start: Date,
) -> Result<(InstitutionId, ClassId, PersonId), AppError> {
    let y = start.year();
    let kind = InstitutionKind::Preschool;
    let id = users::create_institution(
        app,
        kind,
        "Pirmsskolas izglītības iestāde „Pienenīte”",
        PRESCHOOL_REG_NO,
        "Liepu iela 7, Ogre, LV-5001",
    )
    .await?;
    let heads: &[(&str, &str, &str, &'static str)] = &[
        ("Vija", "Siliņa", "Vadītāja", "pii.vaditaja"),
        ("Gunta", "Ozola", "Vadītājas vietniece", "pii.vietniece"),
        ("Inta", "Čakste", "Medicīnas māsa", "masa"),
    ];
    let mut staff = Vec::new();
    for (i, (given, family, position, username)) in heads.iter().enumerate() {
        let p = people.person(
            given,
            family,
            Sex::F,
            date(1970 + i as i16 * 4, 5, 20 + i as i8),
            Some(username),
        )?;
        staff.push(staff_input(&p, position));
    }
    let (clerk, _) = people.random_person(1975)?;
    staff.push(staff_input(&clerk, "Lietvede"));
    let pii_skolotaja = people.person("Solvita", "Āboliņa", Sex::F, date(1988, 2, 9), Some("pii.skolotaja"))?;
    let mut group_teachers = vec![pii_skolotaja];
    for _ in 0..11 {
        let family = people.rng.below(FAMILY.len());
        let born = 1965 + people.rng.below(35) as i16;
        group_teachers.push(people.person_in_family(family, Sex::F, born)?);
    }
    let teacher_rows: Vec<Vec<String>> = group_teachers
        .iter()
        .map(|t| staff_row(&staff_input(t, "Pirmsskolas izglītības skolotāja")))
        .collect();
    let admitted = date(y, 8, 25);
    let mut student_rows = Vec::new();
    for (name, born) in GROUPS {
        for _ in 0..15 {
            *order_no += 1;
            let student = people.student(*born)?;
            student_rows.push(student_row(&student, name, &format!("2-5/{y}/{order_no}"), admitted));
        }
    }
    let jekabs = Student {
        child: people.person("Jēkabs", "Krūmiņš", Sex::M, date(2022, 4, 2), None)?,
        parents: vec![vecaks.clone()],
    };
    *order_no += 1;
    student_rows.push(student_row(
        &jekabs,
        "Mārītes",
        &format!("2-5/{y}/{order_no}"),
        admitted,
    ));

    // The console makes the school's superuser superuser here too; they keep their account.
    users::create_superuser(
        app,
        &users::NewSuperuser {
            institution_reg_no: PRESCHOOL_REG_NO,
            given_name: &admin.given,
            family_name: &admin.family,
            personal_code: Some(&admin.code),
            username: None,
            order_number: "1-8/2023/12",
            order_date: "2023-08-30",
        },
    )
    .await?;
    let su = sign_in(app, "admin", PASSWORD).await?;
    setup::create_year(app, &su, id, &(&klade_domain::school_year::template(kind, y)).into()).await?;
    for s in &staff {
        setup::add_staff(app, &su, id, s).await?;
    }
    import(app, &su, id, Kind::Staff, csv(STAFF_HEADERS, &teacher_rows)).await?;
    let groups: Vec<Vec<String>> = GROUPS
        .iter()
        .map(|(name, _)| {
            vec![
                name.to_string(),
                "01011111".into(),
                "Vispārējās pirmsskolas izglītības programma".into(),
            ]
        })
        .collect();
    import(
        app,
        &su,
        id,
        Kind::Classes,
        csv(&["Grupa", "Programmas kods", "Programma"], &groups),
    )
    .await?;
    import(app, &su, id, Kind::Students, csv(STUDENT_HEADERS, &student_rows)).await?;

    // Two teachers a group; `pii.skolotaja` in "Mārītes".
    let structure = setup::structure(app, &su, id).await?;
    let mut teacher_ids = Vec::new();
    for t in &group_teachers {
        teacher_ids.push(id_of(app, &t.code).await?);
    }
    let mut next = 1;
    let mut marites = None;
    for (name, _) in GROUPS {
        let group = structure
            .classes
            .iter()
            .find(|c| c.name == *name)
            .map(|c| c.id)
            .ok_or_else(|| AppError::Internal(format!("demo: no group {name}")))?;
        let pair = if *name == "Mārītes" {
            marites = Some(group);
            [0, next]
        } else {
            [next, (next + 1) % teacher_ids.len()]
        };
        next = (next + 2) % teacher_ids.len();
        for t in pair {
            setup::set_tutor(app, &su, group, teacher_ids[t], false).await?;
        }
    }
    auth::logout(app, &su).await?;
    give_accounts(app, people, hash).await?;
    let group = marites.ok_or_else(|| AppError::Internal("demo: no group".into()))?;
    Ok((id, group, teacher_ids[0]))
}

/// The second factor's key of every demo account that must have one (Base32
/// `NNWGCZDFMRSW233LNRQWIZLEMVWW6MJS`, to add to an authenticator app by hand).
pub const DEMO_SECRET: &[u8] = b"kladedemokladedemo12";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_ascii_for_e_mail() {
        assert_eq!(ascii("Ķēniņš"), "kenins");
    }

    /// No teacher is put in two classes at once by the week the demo imports.
    #[test]
    fn the_course_plan_books_no_teacher_twice() {
        let names: Vec<String> = (1..=4)
            .flat_map(|c| ["A", "B", "C"].map(|l| format!("{c}.{l}")))
            .collect();
        let plan = course_plan(&names);
        let mut seen = HashSet::new();
        for (ci, courses) in plan.iter().enumerate() {
            assert_eq!(courses.len(), 11);
            for t in 6..36 {
                let (_, teacher) = courses[(t + ci) % courses.len()];
                assert!(seen.insert((teacher, t)), "teacher {teacher} twice at {t}");
            }
        }
    }
}
