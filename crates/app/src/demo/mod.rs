//! The demo: a fictional vocational art secondary school and a fictional preschool, with staff,
//! students, parents and the named demo accounts, made deterministically for the current school
//! year. Every demo account's password is `demo` and is not made to be changed.
//!
//! The people are invented; their personal codes are checksum-valid codes dated in the 1800s
//! (century digit 0), which no living person holds.

use crate::auth::hash_password;
use crate::second_factor;
use crate::{App, AppError};
use jiff::civil::{date, Date};
use klade_domain::{ClassId, InstitutionId, InstitutionKind, PersonId, PersonalCode, Role};
use klade_store::accounts::{self, Basis};
use klade_store::school::{self, Enrolment, NewClass};
use klade_store::{institutions, people, Tx};
use std::collections::HashSet;

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

const FEMALE: &[&str] = &[
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
const MALE: &[&str] = &[
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
const FAMILY: &[(&str, &str)] = &[
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
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Maker {
    tx: Tx,
    backend: klade_store::Backend,
    rng: Rng,
    codes: HashSet<String>,
    serial: u32,
    hash: String,
    now: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sex {
    F,
    M,
}

impl Maker {
    /// A person with a unique fictional personal code and an account (username given, or the code).
    async fn person(
        &mut self,
        given: &str,
        family: &str,
        sex: Sex,
        birth: Date,
        username: Option<&str>,
    ) -> Result<PersonId, AppError> {
        let code = loop {
            self.serial += 1;
            let c = PersonalCode::fictional(
                birth.day() as u32,
                birth.month() as u32,
                (birth.year() % 100) as u32,
                self.serial,
            )
            .map_err(|e| AppError::Internal(format!("demo code: {e}")))?;
            if self.codes.insert(c.to_string()) {
                break c;
            }
        };
        let phone = format!("+371 2{:07}", self.rng.next() % 10_000_000);
        let email = format!("{}.{}@pasts.example", ascii(given), ascii(family));
        let birth = birth.to_string();
        let id = people::insert(
            &mut *self.tx,
            &people::NewPerson {
                given_name: given,
                family_name: family,
                personal_code: Some(code.as_str()),
                birth_date: Some(&birth),
                gender: Some(if sex == Sex::F { "f" } else { "m" }),
                phone: Some(&phone),
                email: Some(&email),
            },
            self.now,
        )
        .await?;
        let username = username.map(str::to_string).unwrap_or_else(|| code.to_string());
        accounts::insert(&mut *self.tx, id, &username, &self.hash, false, self.now).await?;
        Ok(id)
    }

    async fn random_person(
        &mut self,
        birth_year: i16,
        username: Option<&str>,
    ) -> Result<(PersonId, Sex, usize), AppError> {
        let sex = if self.rng.below(2) == 0 { Sex::F } else { Sex::M };
        let family = self.rng.below(FAMILY.len());
        self.person_in_family(family, sex, birth_year, username)
            .await
            .map(|id| (id, sex, family))
    }

    async fn person_in_family(
        &mut self,
        family: usize,
        sex: Sex,
        birth_year: i16,
        username: Option<&str>,
    ) -> Result<PersonId, AppError> {
        let given = *self.rng.pick(if sex == Sex::F { FEMALE } else { MALE });
        let (m, f) = FAMILY[family];
        let birth = date(birth_year, 1 + self.rng.below(12) as i8, 1 + self.rng.below(28) as i8);
        self.person(given, if sex == Sex::F { f } else { m }, sex, birth, username)
            .await
    }

    async fn member(
        &mut self,
        institution: InstitutionId,
        person: PersonId,
        role: Role,
        from: Date,
        basis: &Basis<'_>,
    ) -> Result<(), AppError> {
        accounts::add_membership(
            &mut *self.tx,
            institution,
            person,
            role,
            &from.to_string(),
            basis,
            self.now,
        )
        .await?;
        Ok(())
    }

    /// A student with one or two parents, enrolled in a class by an admission order.
    #[allow(clippy::too_many_arguments)]
    async fn pupil(
        &mut self,
        institution: InstitutionId,
        class: ClassId,
        birth_year: i16,
        admitted: Date,
        year_start: Date,
        order: &str,
        username: Option<&str>,
    ) -> Result<(PersonId, usize), AppError> {
        let (child, _, family) = self.random_person(birth_year, username).await?;
        self.admit(institution, class, child, admitted, year_start, order)
            .await?;
        let parents = if self.rng.below(3) == 0 { 1 } else { 2 };
        for k in 0..parents {
            let sex = if k == 0 { Sex::F } else { Sex::M };
            let born = birth_year - 25 - self.rng.below(10) as i16;
            let parent = self.person_in_family(family, sex, born, None).await?;
            self.parent_of(institution, parent, child, admitted, order).await?;
        }
        Ok((child, family))
    }

    async fn admit(
        &mut self,
        institution: InstitutionId,
        class: ClassId,
        child: PersonId,
        admitted: Date,
        year_start: Date,
        order: &str,
    ) -> Result<(), AppError> {
        let basis = Basis::Order {
            number: order,
            date: &admitted.to_string(),
        };
        self.member(institution, child, Role::Student, admitted, &basis).await?;
        school::enrol(
            &mut *self.tx,
            institution,
            &Enrolment {
                class,
                student: child,
                valid_from: &year_start.to_string(),
                order_number: order,
                order_date: &admitted.to_string(),
                reason: "uzņemšana",
            },
            self.now,
        )
        .await?;
        Ok(())
    }

    async fn parent_of(
        &mut self,
        institution: InstitutionId,
        parent: PersonId,
        child: PersonId,
        admitted: Date,
        order: &str,
    ) -> Result<(), AppError> {
        let basis = Basis::Order {
            number: order,
            date: &admitted.to_string(),
        };
        self.member(institution, parent, Role::Parent, admitted, &basis).await?;
        school::add_guardianship(&mut *self.tx, parent, child, self.now).await?;
        Ok(())
    }
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

/// The school year that contains `today`: from 1 September to 31 August.
pub fn school_year_of(today: Date) -> (Date, Date) {
    let start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    (date(start, 9, 1), date(start + 1, 8, 31))
}

/// Creates the demo institutions unless they exist. Returns true when it created them.
pub async fn ensure(app: &App) -> Result<bool, AppError> {
    if institutions::find_by_reg_no(app.db.pool(), SCHOOL_REG_NO)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let today: Date = app
        .today()
        .parse()
        .map_err(|e| AppError::Internal(format!("today: {e}")))?;
    let (start, end) = school_year_of(today);
    let y = start.year();
    let now = app.now();
    let mut m = Maker {
        tx: app.db.begin().await?,
        backend: app.db.backend(),
        rng: Rng(0x5eed_1a7e_c0de_2026),
        codes: HashSet::new(),
        serial: 0,
        hash: hash_password(PASSWORD)?,
        now,
    };
    let year_name = format!("{}/{}", y, y + 1);
    let employed = Basis::Employment;

    // The vocational art school.
    let school = crate::users::register(
        &mut m.tx,
        InstitutionKind::Vocational,
        "Daugavmalas Mākslas un dizaina vidusskola",
        SCHOOL_REG_NO,
        "Krasta iela 101, Rīga, LV-1019",
        now,
    )
    .await?;
    let sy = school::insert_school_year(&mut *m.tx, school, &year_name, &start.to_string(), &end.to_string()).await?;
    school::insert_term(
        &mut *m.tx,
        school,
        sy,
        1,
        "1. semestris",
        &start.to_string(),
        &date(y, 12, 19).to_string(),
    )
    .await?;
    school::insert_term(
        &mut *m.tx,
        school,
        sy,
        2,
        "2. semestris",
        &date(y + 1, 1, 5).to_string(),
        &date(y + 1, 6, 19).to_string(),
    )
    .await?;
    let mut subjects = Vec::new();
    for name in SUBJECTS {
        subjects.push((
            school::insert_subject(&mut *m.tx, school, "subject", None, name).await?,
            *name,
        ));
    }
    for (code, name) in MODULES {
        subjects.push((
            school::insert_subject(&mut *m.tx, school, "module", Some(code), name).await?,
            *name,
        ));
    }

    let hired = date(2015, 8, 24);
    let staff: &[(&str, &str, Sex, Role, &str)] = &[
        ("Ināra", "Ozoliņa", Sex::F, Role::Director, "direktors"),
        ("Gatis", "Bērziņš", Sex::M, Role::DeputyAcademic, "vietnieks"),
        ("Dace", "Liepa", Sex::F, Role::DeputyMethodical, "metodikis"),
        ("Ilmārs", "Vītols", Sex::M, Role::DeputyCreative, "radosais"),
        ("Sanita", "Eglīte", Sex::F, Role::DeputyUpbringing, "audzinasana"),
        ("Zaiga", "Pētersone", Sex::F, Role::Clerk, "lietvede"),
    ];
    let mut director = None;
    let mut upbringing = None;
    for (i, (given, family, sex, role, username)) in staff.iter().enumerate() {
        let p = m
            .person(
                given,
                family,
                *sex,
                date(1968 + i as i16 * 3, 3 + i as i8, 11),
                Some(username),
            )
            .await?;
        m.member(school, p, *role, hired, &employed).await?;
        if *role == Role::Director {
            director = Some(p);
        }
        if *role == Role::DeputyUpbringing {
            upbringing = Some(p);
        }
    }
    let _ = director;
    // The superuser is appointed by the director's order (R4) and serves both institutions.
    let admin = m
        .person("Aigars", "Kļaviņš", Sex::M, date(1985, 6, 2), Some("admin"))
        .await?;
    let appointment = Basis::Order {
        number: "1-8/2023/12",
        date: "2023-08-30",
    };
    m.member(school, admin, Role::Superuser, date(2023, 8, 30), &appointment)
        .await?;

    // Thirty teachers: two named, the rest generated; the first twelve tutor a class each.
    let skolotajs = m
        .person("Mārtiņš", "Kalniņš", Sex::M, date(1979, 4, 17), Some("skolotajs"))
        .await?;
    let audzinataja = m
        .person("Līga", "Zariņa", Sex::F, date(1983, 10, 5), Some("audzinataja"))
        .await?;
    let mut teachers = vec![audzinataja, skolotajs];
    for _ in 0..28 {
        let born = 1960 + m.rng.below(38) as i16;
        let (t, _, _) = m.random_person(born, None).await?;
        teachers.push(t);
    }
    for t in &teachers {
        m.member(school, *t, Role::Teacher, hired, &employed).await?;
    }
    // Two new teachers still without accounts (R8): one started more than a week ago.
    for (given, family, started) in [("Kārlis", "Mednis", start), ("Dace", "Ūdre", today)] {
        let code = loop {
            m.serial += 1;
            let c = PersonalCode::fictional(started.day() as u32, 7, 88, m.serial)
                .map_err(|e| AppError::Internal(format!("demo code: {e}")))?;
            if m.codes.insert(c.to_string()) {
                break c;
            }
        };
        let p = people::insert(
            &mut *m.tx,
            &people::NewPerson {
                given_name: given,
                family_name: family,
                personal_code: Some(code.as_str()),
                gender: Some(if given == "Dace" { "f" } else { "m" }),
                phone: Some("+37126000000"),
                ..Default::default()
            },
            now,
        )
        .await?;
        m.member(school, p, Role::Teacher, started, &employed).await?;
    }

    // Twelve classes: courses 1–4 of three programmes, 25 students each.
    let mut tutor = 2; // teachers[0] is the tutor of 2.B; the others take the rest in turn
    let mut classes = Vec::new();
    let mut order_no = 0;
    // `vecaks`: the mother of Anna (2.B) and of Jēkabs (preschool group "Mārītes").
    let vecaks = m
        .person("Ilze", "Krūmiņa", Sex::F, date(1986, 7, 23), Some("vecaks"))
        .await?;
    for course in 1..=4_i16 {
        for (letter, code, programme) in PROGRAMMES {
            let name = format!("{course}.{letter}");
            let class = school::insert_class(
                &mut *m.tx,
                school,
                sy,
                &NewClass {
                    name: &name,
                    kind: "class",
                    grade: Some(i64::from(course)),
                    programme_code: Some(code),
                    programme_name: Some(programme),
                },
            )
            .await?;
            let class_tutor = if name == "2.B" {
                teachers[0]
            } else {
                tutor += 1;
                teachers[tutor - 1]
            };
            school::add_tutor(&mut *m.tx, school, class, class_tutor).await?;
            classes.push((class, name.clone()));
            let admitted = date(y - course + 1, 8, 20);
            let birth_year = y - 14 - course;
            for k in 0..25 {
                order_no += 1;
                let order = format!("1-7/{}/{}", admitted.year(), order_no);
                if name == "4.A" && k == 0 {
                    // The adult student: born eighteen or more years before this school year.
                    let p = m
                        .person("Kristaps", "Ābele", Sex::M, date(y - 19, 3, 14), Some("skolens"))
                        .await?;
                    m.admit(school, class, p, admitted, start, &order).await?;
                    continue;
                }
                if name == "2.B" && k == 0 {
                    let anna = m
                        .person("Anna", "Krūmiņa", Sex::F, date(birth_year, 5, 8), None)
                        .await?;
                    m.admit(school, class, anna, admitted, start, &order).await?;
                    m.parent_of(school, vecaks, anna, admitted, &order).await?;
                    continue;
                }
                m.pupil(school, class, birth_year, admitted, start, &order, None)
                    .await?;
            }
        }
    }

    journal_demo::fill(&mut m, school, sy, &classes, &subjects, &teachers, start, today).await?;

    // The preschool.
    let preschool = crate::users::register(
        &mut m.tx,
        InstitutionKind::Preschool,
        "Pirmsskolas izglītības iestāde „Pienenīte”",
        PRESCHOOL_REG_NO,
        "Liepu iela 7, Ogre, LV-5001",
        now,
    )
    .await?;
    let py =
        school::insert_school_year(&mut *m.tx, preschool, &year_name, &start.to_string(), &end.to_string()).await?;
    school::insert_term(
        &mut *m.tx,
        preschool,
        py,
        1,
        "Mācību gads",
        &start.to_string(),
        &end.to_string(),
    )
    .await?;
    m.member(preschool, admin, Role::Superuser, date(2023, 8, 30), &appointment)
        .await?;
    let pii_staff: &[(&str, &str, Role, &str)] = &[
        ("Vija", "Siliņa", Role::Director, "pii.vaditaja"),
        ("Gunta", "Ozola", Role::PreschoolDeputy, "pii.vietniece"),
        ("Inta", "Čakste", Role::Nurse, "masa"),
    ];
    for (i, (given, family, role, username)) in pii_staff.iter().enumerate() {
        let p = m
            .person(
                given,
                family,
                Sex::F,
                date(1970 + i as i16 * 4, 5, 20 + i as i8),
                Some(username),
            )
            .await?;
        m.member(preschool, p, *role, hired, &employed).await?;
    }
    let (clerk, _, _) = m.random_person(1975, None).await?;
    m.member(preschool, clerk, Role::Clerk, hired, &employed).await?;
    let pii_skolotaja = m
        .person("Solvita", "Āboliņa", Sex::F, date(1988, 2, 9), Some("pii.skolotaja"))
        .await?;
    let mut group_teachers = vec![pii_skolotaja];
    for _ in 0..11 {
        let family = m.rng.below(FAMILY.len());
        let born = 1965 + m.rng.below(35) as i16;
        let t = m.person_in_family(family, Sex::F, born, None).await?;
        group_teachers.push(t);
    }
    for t in &group_teachers {
        m.member(preschool, *t, Role::PreschoolTeacher, hired, &employed)
            .await?;
    }
    let mut next_teacher = 1;
    let mut vecaks_group = None;
    for (name, born) in GROUPS {
        let group = school::insert_class(
            &mut *m.tx,
            preschool,
            py,
            &NewClass {
                name,
                kind: "group",
                grade: None,
                programme_code: Some("01011111"),
                programme_name: Some("Vispārējās pirmsskolas izglītības programma"),
            },
        )
        .await?;
        let pair = if *name == "Mārītes" {
            vecaks_group = Some(group);
            [pii_skolotaja, group_teachers[next_teacher]]
        } else {
            [
                group_teachers[next_teacher],
                group_teachers[(next_teacher + 1) % group_teachers.len()],
            ]
        };
        next_teacher = (next_teacher + 2) % group_teachers.len();
        for t in pair {
            school::add_tutor(&mut *m.tx, preschool, group, t).await?;
        }
        for _ in 0..15 {
            order_no += 1;
            let order = format!("2-5/{}/{}", y, order_no);
            m.pupil(preschool, group, *born, date(y, 8, 25), start, &order, None)
                .await?;
        }
    }

    let group = vecaks_group.ok_or_else(|| AppError::Internal("demo: no group".into()))?;
    let little = m.person("Jēkabs", "Krūmiņš", Sex::M, date(2022, 4, 2), None).await?;
    order_no += 1;
    let order = format!("2-5/{}/{}", y, order_no);
    m.admit(preschool, group, little, date(y, 8, 25), start, &order).await?;
    m.parent_of(preschool, vecaks, little, date(y, 8, 25), &order).await?;
    let group_children: Vec<PersonId> =
        klade_store::journal::class_students(&mut *m.tx, preschool, group, &today.to_string())
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
    preschool_demo::fill(&mut m, preschool, group, pii_skolotaja, &group_children, today).await?;

    let class_2b = classes
        .iter()
        .find(|(_, n)| n == "2.B")
        .map(|(c, _)| *c)
        .ok_or_else(|| AppError::Internal("demo: no 2.B".into()))?;
    let upbringing = upbringing.ok_or_else(|| AppError::Internal("demo: no deputy".into()))?;
    mail_demo::fill(
        &mut m,
        school,
        class_2b,
        audzinataja,
        skolotajs,
        vecaks,
        upbringing,
        today,
    )
    .await?;

    // The administration's accounts have their second factor, all with one published key: the
    // demo's login page shows its code (`second_factor::demo_code`).
    for account in accounts::holding_any_role(&mut *m.tx, &second_factor::REQUIRED_ROLE_CODES).await? {
        klade_store::second_factors::start(&mut *m.tx, account, DEMO_SECRET, now).await?;
        klade_store::second_factors::take_step(&mut *m.tx, account, 1, now).await?;
    }

    m.tx.commit().await?;
    Ok(true)
}

/// The second factor's key of every demo account that must have one (Base32
/// `NNWGCZDFMRSW233LNRQWIZLEMVWW6MJS`, to add to an authenticator app by hand).
pub const DEMO_SECRET: &[u8] = b"kladedemokladedemo12";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_school_year_runs_from_september() {
        assert_eq!(
            school_year_of(date(2026, 11, 26)),
            (date(2026, 9, 1), date(2027, 8, 31))
        );
        assert_eq!(school_year_of(date(2027, 3, 1)), (date(2026, 9, 1), date(2027, 8, 31)));
        assert_eq!(school_year_of(date(2026, 9, 1)).0, date(2026, 9, 1));
    }

    #[test]
    fn names_fold_to_ascii_for_e_mail() {
        assert_eq!(ascii("Ķēniņš"), "kenins");
    }
}
