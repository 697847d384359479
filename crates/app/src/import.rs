//! Importing from VIIS (R16): at year start the superuser uploads classes, subjects and modules,
//! and students as CSV or XLSX. A preview shows, row by row, what will be created, changed or
//! rejected and why; nothing is written until it is confirmed; importing the same file again
//! changes nothing. The columns are documented in `docs/import.md`; the header variants a real
//! export has (Latvian letters or not, abbreviations) are all accepted.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_docs::Table;
use klade_domain::{
    policy, Action, ClassId, InstitutionId, InstitutionKind, PersonId, PersonalCode, Role, Scope, SubjectKind,
};
use klade_store::accounts::{self, Basis};
use klade_store::school::{self, Enrolment, NewClass};
use klade_store::{imports, institutions, people};
use std::collections::{HashMap, HashSet};

mod timetable;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Classes,
    Subjects,
    Students,
    Staff,
    Timetable,
}

impl Kind {
    /// Who may import it: staff also those who enter staff (J8), the timetable the deputy for
    /// academic work (R22.1), the rest the superuser (R16).
    pub fn action(self) -> Action {
        match self {
            Self::Staff => Action::EnterStaff,
            Self::Timetable => Action::EnterTimetable,
            _ => Action::ImportFromViis,
        }
    }

    pub const ALL: [Self; 5] = [
        Self::Classes,
        Self::Subjects,
        Self::Students,
        Self::Staff,
        Self::Timetable,
    ];

    /// The kinds the reader may import into `institution`.
    pub fn allowed(session: &Session, institution: InstitutionId) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|k| session.actor.may(k.action(), Scope::Institution(institution)))
            .collect()
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Classes => "classes",
            Self::Subjects => "subjects",
            Self::Students => "students",
            Self::Staff => "staff",
            Self::Timetable => "timetable",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// (field, required, header variants as they are written, folded and compared loosely).
    fn columns(self) -> &'static [(&'static str, bool, &'static [&'static str])] {
        match self {
            Self::Classes => &[
                (
                    "name",
                    true,
                    &["klase", "klases nosaukums", "nosaukums", "grupa", "grupas nosaukums"],
                ),
                (
                    "grade",
                    false,
                    &["kurss", "klašu grupa", "līmenis", "klases līmenis", "gads"],
                ),
                (
                    "programme_code",
                    false,
                    &["programmas kods", "izglītības programmas kods", "izgl. progr. kods"],
                ),
                (
                    "programme_name",
                    false,
                    &["programma", "programmas nosaukums", "izglītības programma"],
                ),
            ],
            Self::Subjects => &[
                (
                    "name",
                    true,
                    &[
                        "nosaukums",
                        "mācību priekšmets",
                        "priekšmets",
                        "modulis",
                        "moduļa nosaukums",
                    ],
                ),
                ("kind", false, &["veids", "tips"]),
                ("code", false, &["kods", "moduļa kods", "priekšmeta kods"]),
            ],
            Self::Students => &[
                ("personal_code", true, &["personas kods", "pers. kods", "p.k.", "pk"]),
                ("given_name", true, &["vārds", "vārdi", "vārds(-i)"]),
                ("family_name", true, &["uzvārds"]),
                ("birth_date", false, &["dzimšanas datums", "dzim. datums", "dzimis"]),
                ("gender", false, &["dzimums"]),
                ("class", true, &["klase", "klases nosaukums", "grupa"]),
                (
                    "programme_code",
                    false,
                    &["programmas kods", "izglītības programmas kods"],
                ),
                (
                    "order_number",
                    false,
                    &["rīkojuma nr.", "rīkojuma numurs", "rīkojums", "uzņemšanas rīkojums"],
                ),
                ("order_date", false, &["rīkojuma datums", "uzņemšanas datums"]),
                (
                    "address",
                    false,
                    &["deklarētā adrese", "deklarētā dzīvesvietas adrese", "adrese"],
                ),
                // The legal representatives (R6): two, each optional.
                (
                    "parent1_given",
                    false,
                    &["1. vecāka vārds", "vecāka vārds", "likumiskā pārstāvja vārds"],
                ),
                (
                    "parent1_family",
                    false,
                    &["1. vecāka uzvārds", "vecāka uzvārds", "likumiskā pārstāvja uzvārds"],
                ),
                (
                    "parent1_code",
                    false,
                    &[
                        "1. vecāka personas kods",
                        "vecāka personas kods",
                        "likumiskā pārstāvja personas kods",
                    ],
                ),
                (
                    "parent1_phone",
                    false,
                    &["1. vecāka tālrunis", "vecāka tālrunis", "likumiskā pārstāvja tālrunis"],
                ),
                (
                    "parent1_email",
                    false,
                    &["1. vecāka e-pasts", "vecāka e-pasts", "likumiskā pārstāvja e-pasts"],
                ),
                (
                    "parent1_relation",
                    false,
                    &["1. vecāka radniecība", "radniecība", "pārstāvja statuss"],
                ),
                ("parent2_given", false, &["2. vecāka vārds", "otra vecāka vārds"]),
                ("parent2_family", false, &["2. vecāka uzvārds", "otra vecāka uzvārds"]),
                (
                    "parent2_code",
                    false,
                    &["2. vecāka personas kods", "otra vecāka personas kods"],
                ),
                ("parent2_phone", false, &["2. vecāka tālrunis", "otra vecāka tālrunis"]),
                ("parent2_email", false, &["2. vecāka e-pasts", "otra vecāka e-pasts"]),
                (
                    "parent2_relation",
                    false,
                    &["2. vecāka radniecība", "otra vecāka radniecība"],
                ),
            ],
            Self::Staff => &[
                ("personal_code", true, &["personas kods", "pers. kods", "p.k.", "pk"]),
                ("given_name", true, &["vārds", "vārdi", "vārds(-i)"]),
                ("family_name", true, &["uzvārds"]),
                ("position", true, &["amats", "ieņemamais amats", "amata nosaukums"]),
                ("workload", false, &["slodze", "darba slodze", "likmes"]),
                (
                    "phone",
                    false,
                    &["tālrunis", "telefons", "mobilais tālrunis", "mob. tālrunis"],
                ),
                ("email", false, &["e-pasts", "epasts", "e-pasta adrese"]),
                (
                    "employed_from",
                    false,
                    &["darba attiecību sākums", "pieņemts darbā", "sākuma datums"],
                ),
                ("order_number", false, &["rīkojuma nr.", "rīkojuma numurs", "rīkojums"]),
                ("order_date", false, &["rīkojuma datums"]),
            ],
            Self::Timetable => &[
                ("class", true, &["klase", "klases nosaukums"]),
                ("subject", true, &["priekšmets", "mācību priekšmets", "modulis"]),
                ("group", false, &["grupa", "apakšgrupa"]),
                ("teacher", true, &["skolotājs", "skolotāji", "pedagogs"]),
                ("weekday", true, &["diena", "nedēļas diena"]),
                ("lesson_no", true, &["stunda", "stundas nr.", "stundas numurs"]),
                ("starts_at", true, &["sākums", "sākuma laiks", "no"]),
                ("ends_at", true, &["beigas", "beigu laiks", "līdz"]),
                ("room", false, &["telpa", "kabinets"]),
            ],
        }
    }
}

/// A header folded for comparison: lower case, Latvian letters as their base, only letters and digits.
fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ā' => 'a',
            'č' => 'c',
            'ē' => 'e',
            'ģ' => 'g',
            'ī' => 'i',
            'ķ' => 'k',
            'ļ' => 'l',
            'ņ' => 'n',
            'š' => 's',
            'ū' => 'u',
            'ž' => 'z',
            c => c,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Which column holds each field; a missing required column is an error naming it.
fn map_columns(kind: Kind, headers: &[String]) -> Result<HashMap<&'static str, usize>, AppError> {
    let folded: Vec<String> = headers.iter().map(|h| fold(h)).collect();
    let mut out = HashMap::new();
    for (field, required, variants) in kind.columns() {
        let found = variants
            .iter()
            .find_map(|v| folded.iter().position(|h| *h == fold(v)))
            .or_else(|| folded.iter().position(|h| *h == fold(field)));
        match found {
            Some(i) => {
                out.insert(*field, i);
            }
            None if *required => return Err(AppError::invalid(field, "import.missing_column")),
            None => {}
        }
    }
    Ok(out)
}

/// What the import will do with a row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Change {
        fields: Vec<&'static str>,
    },
    Same,
    Reject {
        field: &'static str,
        code: &'static str,
    },
    /// A lesson that clashes with another: the file's row (`line`) or one already in the week.
    Clash {
        code: &'static str,
        with: String,
        line: Option<usize>,
    },
}

impl RowAction {
    pub fn refused(&self) -> bool {
        matches!(self, Self::Reject { .. } | Self::Clash { .. })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedRow {
    /// The row's line in the file (the header is line 1).
    pub line: usize,
    pub label: String,
    pub action: RowAction,
}

/// Dates as VIIS and spreadsheets write them: `15.03.2010`, `15.03.2010.`, `2010-03-15`.
fn gender(s: &str) -> Result<Option<&'static str>, ()> {
    match fold(s).as_str() {
        "" => Ok(None),
        "s" | "f" | "sieviete" | "siev" => Ok(Some("f")),
        "v" | "m" | "virietis" | "vir" => Ok(Some("m")),
        _ => Err(()),
    }
}

fn cell<'a>(row: &'a [String], cols: &HashMap<&'static str, usize>, field: &str) -> &'a str {
    cols.get(field)
        .and_then(|i| row.get(*i))
        .map(|s| s.trim())
        .unwrap_or("")
}

/// A checked student row.
struct Student {
    code: String,
    given: String,
    family: String,
    birth: Option<Date>,
    gender: Option<&'static str>,
    class: ClassId,
    order_number: String,
    order_date: Date,
    address: Option<String>,
    parents: Vec<ParentIn>,
}

/// A legal representative as a student's row gives them.
struct ParentIn {
    given: String,
    family: String,
    code: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    relation: Option<String>,
}

/// The parent columns of a row, checked: a parent is there when their names are.
fn check_parents(
    row: &[String],
    cols: &HashMap<&'static str, usize>,
    ctx: &Context,
) -> Result<Vec<ParentIn>, RowAction> {
    const FIELDS: [[&str; 6]; 2] = [
        [
            "parent1_given",
            "parent1_family",
            "parent1_code",
            "parent1_phone",
            "parent1_email",
            "parent1_relation",
        ],
        [
            "parent2_given",
            "parent2_family",
            "parent2_code",
            "parent2_phone",
            "parent2_email",
            "parent2_relation",
        ],
    ];
    let reject = |field, code| RowAction::Reject { field, code };
    let mut out = Vec::new();
    for [given, family, code, phone, email, relation] in FIELDS {
        let any = [given, family, code, phone, email]
            .iter()
            .any(|f| !cell(row, cols, f).is_empty());
        if !any {
            continue;
        }
        let g = cell(row, cols, given).to_string();
        let f = cell(row, cols, family).to_string();
        if g.is_empty() {
            return Err(reject(given, "error.required"));
        }
        if f.is_empty() {
            return Err(reject(family, "error.required"));
        }
        let c = match cell(row, cols, code) {
            "" => None,
            c => Some(PersonalCode::parse(c).map_err(|e| reject(code, e.code()))?.to_string()),
        };
        if let Some(p) = c.as_ref().and_then(|c| ctx.persons.get(c)) {
            if !people::same_name(p, &g, &f) {
                return Err(reject(code, "person.code_name_conflict"));
            }
        }
        let ph = match cell(row, cols, phone) {
            "" => None,
            p => Some(crate::sms::normalize_phone(p).map_err(|_| reject(phone, "person.phone"))?),
        };
        let em = match cell(row, cols, email) {
            "" => None,
            e if e.contains('@') && !e.contains(char::is_whitespace) => Some(e.to_string()),
            _ => return Err(reject(email, "person.email")),
        };
        out.push(ParentIn {
            given: g,
            family: f,
            code: c,
            phone: ph,
            email: em,
            relation: Some(cell(row, cols, relation).to_string()).filter(|r| !r.is_empty()),
        });
    }
    Ok(out)
}

/// The parent a row names, if already linked to the student: by code, else by name.
fn linked_parent<'a>(ctx: &'a Context, student: Option<PersonId>, p: &ParentIn) -> Option<&'a people::Person> {
    let known = ctx.parents_of.get(&student?)?;
    known.iter().find(|k| match &p.code {
        Some(c) => k.personal_code.as_deref() == Some(c.as_str()),
        None => people::same_name(k, &p.given, &p.family),
    })
}

/// A checked staff row.
struct StaffIn {
    code: String,
    given: String,
    family: String,
    role: Role,
    position: String,
    workload: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    from: Date,
    order: Option<(String, Date)>,
}

fn check_staff(row: &[String], cols: &HashMap<&'static str, usize>, ctx: &Context) -> Result<StaffIn, RowAction> {
    let reject = |field, code| RowAction::Reject { field, code };
    let code = PersonalCode::parse(cell(row, cols, "personal_code"))
        .map_err(|e| reject("personal_code", e.code()))?
        .to_string();
    let given = cell(row, cols, "given_name").to_string();
    if given.is_empty() {
        return Err(reject("given_name", "error.required"));
    }
    let family = cell(row, cols, "family_name").to_string();
    if family.is_empty() {
        return Err(reject("family_name", "error.required"));
    }
    if let Some(p) = ctx.persons.get(&code) {
        if ctx.elsewhere.contains(&p.id) && !people::same_name(p, &given, &family) {
            return Err(reject("personal_code", "person.code_name_conflict"));
        }
    }
    let position = cell(row, cols, "position").to_string();
    let role = klade_domain::role::role_for_position(&position, ctx.kind)
        .ok_or(reject("position", "import.position_unknown"))?;
    let phone = match cell(row, cols, "phone") {
        "" => None,
        p => Some(crate::sms::normalize_phone(p).map_err(|_| reject("phone", "person.phone"))?),
    };
    let email = match cell(row, cols, "email") {
        "" => None,
        e if e.contains('@') && !e.contains(char::is_whitespace) => Some(e.to_string()),
        _ => return Err(reject("email", "person.email")),
    };
    let from = match cell(row, cols, "employed_from") {
        "" => ctx.year.1,
        d => crate::clock::parse_typed_date(d).ok_or(reject("employed_from", "error.date"))?,
    };
    let order = match (cell(row, cols, "order_number"), cell(row, cols, "order_date")) {
        ("", _) => None,
        (n, d) => Some((
            n.to_string(),
            crate::clock::parse_typed_date(d).ok_or(reject("order_date", "error.date"))?,
        )),
    };
    Ok(StaffIn {
        code,
        given,
        family,
        role,
        position,
        workload: Some(cell(row, cols, "workload").to_string()).filter(|w| !w.is_empty()),
        phone,
        email,
        from,
        order,
    })
}

fn staff_action(s: &StaffIn, ctx: &Context) -> RowAction {
    match ctx.persons.get(&s.code) {
        None => RowAction::Create,
        Some(p) if ctx.roles_here.get(&p.id).is_some_and(|r| r.contains(&s.role)) => RowAction::Same,
        Some(_) => RowAction::Change {
            fields: vec!["position"],
        },
    }
}

/// What the database holds that the plan compares against.
struct Context {
    kind: InstitutionKind,
    year: (klade_domain::SchoolYearId, Date, Date),
    classes: HashMap<String, ClassId>,
    subjects: HashSet<String>,
    persons: HashMap<String, people::Person>,
    /// Persons another institution knows too: linked, never overwritten.
    elsewhere: HashSet<PersonId>,
    enrolled: HashMap<PersonId, (i64, ClassId)>,
    /// The roles each person holds here now.
    roles_here: HashMap<PersonId, Vec<Role>>,
    /// Each known student's parents.
    parents_of: HashMap<PersonId, Vec<people::Person>>,
}

async fn context(app: &App, institution: InstitutionId, table: &Table, kind: Kind) -> Result<Context, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let inst = institutions::get(db, institution).await?.ok_or(AppError::NotFound)?;
    let year = school::current_year(db, institution, today)
        .await?
        .ok_or(AppError::invalid("year", "import.no_school_year"))?;
    let classes = school::classes_of(db, institution, today)
        .await?
        .into_iter()
        .map(|c| (fold(&c.name), c.id))
        .collect();
    let subjects = school::subjects(db, institution)
        .await?
        .into_iter()
        .map(|(_, n, _)| fold(&n))
        .collect();
    let mut persons = HashMap::new();
    let mut elsewhere = HashSet::new();
    let mut enrolled = HashMap::new();
    let mut parents_of = HashMap::new();
    let roles_here = accounts::roles_here(db, institution, today).await?;
    if matches!(kind, Kind::Students | Kind::Staff) {
        let cols = map_columns(kind, &table.headers)?;
        let codes: Vec<String> = table
            .rows
            .iter()
            .flat_map(|r| {
                ["personal_code", "parent1_code", "parent2_code"]
                    .into_iter()
                    .filter_map(|f| PersonalCode::parse(cell(r, &cols, f)).ok())
            })
            .map(|c| c.to_string())
            .collect();
        for (p, known_elsewhere) in people::by_codes(db, institution, &codes).await? {
            if known_elsewhere {
                elsewhere.insert(p.id);
            }
            if let Some(c) = p.personal_code.clone() {
                persons.insert(c, p);
            }
        }
        enrolled = school::current_enrolments(db, institution, today).await?;
        for p in persons.values() {
            parents_of.insert(p.id, people::parents(db, institution, p.id).await?);
        }
    }
    Ok(Context {
        kind: inst.kind,
        year,
        classes,
        subjects,
        persons,
        elsewhere,
        enrolled,
        roles_here,
        parents_of,
    })
}

fn check_student(row: &[String], cols: &HashMap<&'static str, usize>, ctx: &Context) -> Result<Student, RowAction> {
    let reject = |field, code| RowAction::Reject { field, code };
    let code = PersonalCode::parse(cell(row, cols, "personal_code"))
        .map_err(|e| reject("personal_code", e.code()))?
        .to_string();
    let given = cell(row, cols, "given_name").to_string();
    if given.is_empty() {
        return Err(reject("given_name", "error.required"));
    }
    let family = cell(row, cols, "family_name").to_string();
    if family.is_empty() {
        return Err(reject("family_name", "error.required"));
    }
    let birth = match cell(row, cols, "birth_date") {
        "" => None,
        b => Some(crate::clock::parse_typed_date(b).ok_or(reject("birth_date", "error.date"))?),
    };
    let gender = gender(cell(row, cols, "gender")).map_err(|()| reject("gender", "person.gender"))?;
    let class_name = cell(row, cols, "class");
    let class = *ctx
        .classes
        .get(&fold(class_name))
        .ok_or(reject("class", "import.class_unknown"))?;
    // Without an order in the file, the basis is the VIIS record itself, from the year's start.
    let order_number = match cell(row, cols, "order_number") {
        "" => "VIIS".to_string(),
        n => n.to_string(),
    };
    let order_date = match cell(row, cols, "order_date") {
        "" => ctx.year.1,
        d => crate::clock::parse_typed_date(d).ok_or(reject("order_date", "error.date"))?,
    };
    let address = Some(cell(row, cols, "address").to_string()).filter(|a| !a.is_empty());
    // A code another institution's person holds, typed with another name, is a mistake or a probe:
    // refused, without saying whose it is.
    if let Some(p) = ctx.persons.get(&code) {
        if ctx.elsewhere.contains(&p.id) && !people::same_name(p, &given, &family) {
            return Err(reject("personal_code", "person.code_name_conflict"));
        }
    }
    let parents = check_parents(row, cols, ctx)?;
    Ok(Student {
        code,
        given,
        family,
        birth,
        gender,
        class,
        order_number,
        order_date,
        address,
        parents,
    })
}

fn student_action(l: &Student, ctx: &Context) -> RowAction {
    let Some(p) = ctx.persons.get(&l.code) else {
        return RowAction::Create;
    };
    let mut fields = Vec::new();
    // What another institution knows of the person too is theirs as much as ours: not changed here.
    if !ctx.elsewhere.contains(&p.id) {
        if p.given_name != l.given {
            fields.push("given_name");
        }
        if p.family_name != l.family {
            fields.push("family_name");
        }
        if l.birth.is_some() && p.birth_date != l.birth {
            fields.push("birth_date");
        }
        if l.gender.is_some() && p.gender.as_deref() != l.gender {
            fields.push("gender");
        }
    }
    if l.address.is_some() && p.address_declared != l.address {
        fields.push("address");
    }
    if ctx.enrolled.get(&p.id).map(|(_, c)| *c) != Some(l.class) {
        fields.push("class");
    }
    if l.parents.iter().any(|x| linked_parent(ctx, Some(p.id), x).is_none()) {
        fields.push("parents");
    }
    if fields.is_empty() {
        RowAction::Same
    } else {
        RowAction::Change { fields }
    }
}

/// The plan for every row of `table`, against the database as it is now.
pub async fn plan(
    app: &App,
    institution: InstitutionId,
    kind: Kind,
    table: &Table,
) -> Result<Vec<PlannedRow>, AppError> {
    let cols = map_columns(kind, &table.headers)?;
    if kind == Kind::Timetable {
        let ctx = timetable::context(app, institution).await?;
        return Ok(timetable::plan(table, &cols, &ctx));
    }
    let ctx = context(app, institution, table, kind).await?;
    Ok(plan_with(kind, table, &cols, &ctx))
}

fn plan_with(kind: Kind, table: &Table, cols: &HashMap<&'static str, usize>, ctx: &Context) -> Vec<PlannedRow> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let line = i + 2;
        let (label, action) = match kind {
            Kind::Students => {
                let label = format!(
                    "{} {}, {}",
                    cell(row, cols, "given_name"),
                    cell(row, cols, "family_name"),
                    cell(row, cols, "class")
                );
                match check_student(row, cols, ctx) {
                    Err(reject) => (label, reject),
                    Ok(l) if !seen.insert(l.code.clone()) => (
                        label,
                        RowAction::Reject {
                            field: "personal_code",
                            code: "import.duplicate_in_file",
                        },
                    ),
                    Ok(l) => (label, student_action(&l, ctx)),
                }
            }
            Kind::Staff => {
                let label = format!(
                    "{} {}, {}",
                    cell(row, cols, "given_name"),
                    cell(row, cols, "family_name"),
                    cell(row, cols, "position")
                );
                match check_staff(row, cols, ctx) {
                    Err(reject) => (label, reject),
                    Ok(s) if !seen.insert(format!("{}:{}", s.code, s.role.code())) => (
                        label,
                        RowAction::Reject {
                            field: "personal_code",
                            code: "import.duplicate_in_file",
                        },
                    ),
                    Ok(s) => (label, staff_action(&s, ctx)),
                }
            }
            Kind::Classes => {
                let name = cell(row, cols, "name");
                let action = if name.is_empty() {
                    RowAction::Reject {
                        field: "name",
                        code: "error.required",
                    }
                } else if !seen.insert(fold(name)) {
                    RowAction::Reject {
                        field: "name",
                        code: "import.duplicate_in_file",
                    }
                } else if !cell(row, cols, "grade").is_empty() && cell(row, cols, "grade").parse::<i64>().is_err() {
                    RowAction::Reject {
                        field: "grade",
                        code: "import.grade",
                    }
                } else if ctx.classes.contains_key(&fold(name)) {
                    RowAction::Same
                } else {
                    RowAction::Create
                };
                (name.to_string(), action)
            }
            // Planned whole by `timetable::plan`, never row by row here.
            Kind::Timetable => (
                String::new(),
                RowAction::Reject {
                    field: "file",
                    code: "import.format",
                },
            ),
            Kind::Subjects => {
                let name = cell(row, cols, "name");
                let action = if name.is_empty() {
                    RowAction::Reject {
                        field: "name",
                        code: "error.required",
                    }
                } else if subject_kind(cell(row, cols, "kind")).is_none() {
                    RowAction::Reject {
                        field: "kind",
                        code: "import.subject_kind",
                    }
                } else if !seen.insert(fold(name)) {
                    RowAction::Reject {
                        field: "name",
                        code: "import.duplicate_in_file",
                    }
                } else if ctx.subjects.contains(&fold(name)) {
                    RowAction::Same
                } else {
                    RowAction::Create
                };
                (name.to_string(), action)
            }
        };
        out.push(PlannedRow { line, label, action });
    }
    out
}

fn subject_kind(s: &str) -> Option<SubjectKind> {
    match fold(s).as_str() {
        "" | "prieksmets" | "macibuprieksmets" | "subject" => Some(SubjectKind::Subject),
        "modulis" | "module" | "profesionalaismodulis" => Some(SubjectKind::Module),
        _ => None,
    }
}

/// Tables read at once by one server: each may take tens of megabytes within `klade_docs::budget`.
static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Reads an uploaded table off the runtime's threads, two at a time at most.
async fn read_table(bytes: &[u8]) -> Result<Table, AppError> {
    let _turn = READING
        .acquire()
        .await
        .map_err(|_| AppError::Internal("the table readers are closed".into()))?;
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || {
        if klade_docs::asc::is_xml(&bytes) {
            klade_docs::asc::read(&bytes)
        } else {
            klade_docs::read_table(&bytes)
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("reading a table: {e}")))?
    .map_err(|e| AppError::invalid("file", e.code()))
}

/// Reads an uploaded file and keeps it for its preview; returns the import's id.
pub async fn upload(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    kind: Kind,
    filename: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    let permit = policy::authorize(&session.actor, kind.action(), Scope::Institution(institution))?;
    let table = read_table(bytes).await?;
    map_columns(kind, &table.headers)?;
    if kind == Kind::Timetable {
        // A file of another year or school names none of this year's classes.
        let planned = plan(app, permit.institution(), kind, &table).await?;
        if planned
            .iter()
            .all(|r| matches!(r.action, RowAction::Reject { field: "class", .. }))
        {
            return Err(AppError::invalid("file", "import.timetable_other_year"));
        }
    }
    let json = serde_json::json!({ "headers": table.headers, "rows": table.rows }).to_string();
    let id = imports::insert(
        app.db.pool(),
        permit.tenant(),
        kind.code(),
        filename,
        &json,
        table.rows.len() as i64,
        session.person,
        app.now(),
    )
    .await?;
    Ok(id)
}

fn table_of(import: &imports::Import) -> Result<Table, AppError> {
    let v: serde_json::Value =
        serde_json::from_str(&import.table_json).map_err(|e| AppError::Internal(e.to_string()))?;
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    };
    Ok(Table {
        headers: strings(&v["headers"]),
        rows: v["rows"]
            .as_array()
            .map(|rows| rows.iter().map(strings).collect())
            .unwrap_or_default(),
    })
}

/// An import with its plan (while in preview) or its progress.
pub struct Preview {
    pub import: imports::Import,
    pub rows: Vec<PlannedRow>,
}

/// The import `id` of `institution`, if the session may handle its kind.
async fn import_for(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    id: i64,
) -> Result<(policy::Permit, imports::Import, Kind), AppError> {
    let scope = Scope::Institution(institution);
    policy::authorize(&session.actor, Action::ImportFromViis, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::EnterStaff, scope))
        .or_else(|_| policy::authorize(&session.actor, Action::EnterTimetable, scope))?;
    let import = imports::get(app.db.pool(), institution, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = Kind::from_code(&import.kind).ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, kind.action(), scope)?;
    Ok((permit, import, kind))
}

pub async fn preview(app: &App, session: &Session, institution: InstitutionId, id: i64) -> Result<Preview, AppError> {
    let (permit, import, kind) = import_for(app, session, institution, id).await?;
    let rows = if import.status == "preview" {
        plan(app, permit.institution(), kind, &table_of(&import)?).await?
    } else {
        Vec::new()
    };
    Ok(Preview { import, rows })
}

/// Confirms an import: it runs in the background, 500 rows to a transaction, and its progress is
/// kept on the import for the page to show. Rows are planned again against the database as it is
/// then, so a confirmed preview never writes what it did not show, and a second run changes nothing.
pub async fn confirm(app: &App, session: &Session, institution: InstitutionId, id: i64) -> Result<(), AppError> {
    let (inst, import) = started(app, session, institution, id).await?;
    let app = app.clone();
    let by = session.person;
    tokio::spawn(async move {
        let _ = run_to_end(&app, inst, &import, by).await;
    });
    Ok(())
}

/// Confirms an import and runs it before answering, where nothing waits on the answer (the demo's
/// set-up); a failure is kept on the import as in the background.
pub async fn confirm_and_wait(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    id: i64,
) -> Result<(), AppError> {
    let (inst, import) = started(app, session, institution, id).await?;
    run_to_end(app, inst, &import, session.person).await
}

/// The checks of a confirmation, and the import marked as running.
async fn started(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    id: i64,
) -> Result<(klade_domain::Tenant, imports::Import), AppError> {
    let (permit, import, kind) = import_for(app, session, institution, id).await?;
    let inst = permit.institution();
    if kind == Kind::Timetable
        && plan(app, inst, kind, &table_of(&import)?)
            .await?
            .iter()
            .any(|r| r.action.refused())
    {
        return Err(AppError::Conflict("import.timetable_refused"));
    }
    if !imports::start(app.db.pool(), id).await? {
        return Err(AppError::Conflict("import.already_confirmed"));
    }
    // The background run writes with the permit its confirmation was given.
    Ok((permit.tenant(), import))
}

async fn run_to_end(
    app: &App,
    tenant: klade_domain::Tenant,
    import: &imports::Import,
    by: PersonId,
) -> Result<(), AppError> {
    let id = import.id;
    let result = run(app, tenant, import, by).await;
    let error = result.as_ref().err().map(|e| e.to_string());
    if let Some(e) = &error {
        tracing::error!(import = id, "import failed: {e}");
    }
    if let Err(e) = imports::finish(app.db.pool(), id, error.as_deref(), app.now()).await {
        tracing::error!(import = id, "import status: {e}");
    }
    result
}

/// Runs an import to the end (the background task of [`confirm`]; tests call it directly).
pub async fn run(
    app: &App,
    tenant: klade_domain::Tenant,
    import: &imports::Import,
    by: PersonId,
) -> Result<(), AppError> {
    let institution = tenant.id();
    let kind = Kind::from_code(&import.kind).ok_or(AppError::NotFound)?;
    let table = table_of(import)?;
    let cols = map_columns(kind, &table.headers)?;
    if kind == Kind::Timetable {
        let (created, changed) = timetable::apply(app, tenant, &table, &cols, by).await?;
        let total = table.rows.len() as i64;
        imports::progress(app.db.pool(), import.id, total, created, changed, 0).await?;
        return Ok(());
    }
    let (mut created, mut changed, mut rejected) = (0, 0, 0);
    let mut processed = 0;
    for chunk in table.rows.chunks(500) {
        let part = Table {
            headers: table.headers.clone(),
            rows: chunk.to_vec(),
        };
        let ctx = context(app, institution, &part, kind).await?;
        let planned = plan_with(kind, &part, &cols, &ctx);
        let now = app.now();
        let mut tx = app.db.begin().await?;
        // Parents without a personal code made in this chunk, so a second child links the same one.
        let mut made = HashMap::new();
        for (row, p) in chunk.iter().zip(&planned) {
            match &p.action {
                RowAction::Reject { .. } | RowAction::Clash { .. } => rejected += 1,
                RowAction::Same => {}
                RowAction::Create | RowAction::Change { .. } => {
                    if matches!(p.action, RowAction::Create) {
                        created += 1;
                    } else {
                        changed += 1;
                    }
                    apply_row(&mut tx, tenant, kind, row, &cols, &ctx, &mut made, now).await?;
                }
            }
        }
        klade_store::access_log::record(
            &mut *tx,
            Some(institution),
            by,
            by,
            "change",
            &format!("import {}", import.id),
            now,
        )
        .await?;
        tx.commit().await?;
        processed += chunk.len() as i64;
        imports::progress(app.db.pool(), import.id, processed, created, changed, rejected).await?;
    }
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "the step works inside its caller's transaction on what the caller has checked"
)]
async fn apply_row(
    tx: &mut klade_store::Tx,
    tenant: klade_domain::Tenant,
    kind: Kind,
    row: &[String],
    cols: &HashMap<&'static str, usize>,
    ctx: &Context,
    made: &mut HashMap<String, PersonId>,
    now: i64,
) -> Result<(), AppError> {
    match kind {
        Kind::Staff => {
            let s =
                check_staff(row, cols, ctx).map_err(|_| AppError::Internal("row changed under the import".into()))?;
            let id = match ctx.persons.get(&s.code) {
                Some(p) => p.id,
                None => {
                    people::insert(
                        &mut **tx,
                        &people::NewPerson {
                            given_name: &s.given,
                            family_name: &s.family,
                            personal_code: Some(&s.code),
                            phone: s.phone.as_deref(),
                            email: s.email.as_deref(),
                            ..Default::default()
                        },
                        now,
                    )
                    .await?
                }
            };
            accounts::add_employment(
                &mut **tx,
                tenant,
                id,
                s.role,
                s.from,
                s.order.as_ref().map(|(n, d)| (n.as_str(), *d)),
                Some(&s.position),
                s.workload.as_deref(),
                now,
            )
            .await?;
        }
        Kind::Classes => {
            let group = ctx.kind == InstitutionKind::Preschool;
            school::insert_class(
                &mut **tx,
                tenant,
                ctx.year.0,
                &NewClass {
                    name: cell(row, cols, "name"),
                    kind: if group {
                        klade_domain::ClassKind::Group
                    } else {
                        klade_domain::ClassKind::Class
                    },
                    grade: cell(row, cols, "grade").parse().ok(),
                    programme_code: Some(cell(row, cols, "programme_code")).filter(|s| !s.is_empty()),
                    programme_name: Some(cell(row, cols, "programme_name")).filter(|s| !s.is_empty()),
                },
            )
            .await?;
        }
        Kind::Timetable => return Err(AppError::Internal("the timetable is applied whole".into())),
        Kind::Subjects => {
            let k = subject_kind(cell(row, cols, "kind")).unwrap_or(SubjectKind::Subject);
            let code = Some(cell(row, cols, "code")).filter(|s| !s.is_empty());
            school::insert_subject(&mut **tx, tenant, k, code, cell(row, cols, "name")).await?;
        }
        Kind::Students => {
            let l =
                check_student(row, cols, ctx).map_err(|_| AppError::Internal("row changed under the import".into()))?;
            let id = match ctx.persons.get(&l.code) {
                Some(p) => {
                    let mut p = p.clone();
                    if !ctx.elsewhere.contains(&p.id) {
                        p.given_name = l.given.clone();
                        p.family_name = l.family.clone();
                        p.birth_date = l.birth.or(p.birth_date);
                        p.gender = l.gender.map(str::to_string).or(p.gender);
                        people::set_identity(&mut **tx, &p).await?;
                    }
                    if l.address.is_some() && l.address != p.address_declared {
                        p.address_declared = l.address.clone();
                        people::set_details(&mut **tx, tenant, &p).await?;
                    }
                    p.id
                }
                None => {
                    let id = people::insert(
                        &mut **tx,
                        &people::NewPerson {
                            given_name: &l.given,
                            family_name: &l.family,
                            personal_code: Some(&l.code),
                            birth_date: l.birth,
                            gender: l.gender,
                            ..Default::default()
                        },
                        now,
                    )
                    .await?;
                    if let Some(a) = &l.address {
                        let mut p = people::get(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
                        p.address_declared = Some(a.clone());
                        people::set_details(&mut **tx, tenant, &p).await?;
                    }
                    id
                }
            };
            let current = ctx.enrolled.get(&id).copied();
            if current.map(|(_, c)| c) != Some(l.class) {
                let from = ctx.year.1;
                if let Some((enrolment, _)) = current {
                    let day_before = from.yesterday().unwrap_or(from);
                    school::end_enrolment(
                        &mut **tx,
                        tenant,
                        enrolment,
                        day_before,
                        (&l.order_number, l.order_date, "VIIS"),
                    )
                    .await?;
                } else {
                    accounts::add_membership(
                        &mut **tx,
                        tenant,
                        id,
                        Role::Student,
                        from,
                        &Basis::Order {
                            number: &l.order_number,
                            date: l.order_date,
                        },
                        now,
                    )
                    .await?;
                }
                school::enrol(
                    &mut **tx,
                    tenant,
                    &Enrolment {
                        class: l.class,
                        student: id,
                        valid_from: from,
                        order_number: &l.order_number,
                        order_date: l.order_date,
                        reason: "uzņemšana",
                    },
                    now,
                )
                .await?;
            }
            for parent in &l.parents {
                link_parent(tx, tenant, ctx, id, &l, parent, made, now).await?;
            }
        }
    }
    Ok(())
}

/// Links a student's legal representative (R6): the person already linked, the one the code
/// names, one made earlier in this import, or a new one; a guardianship, and a parent's membership
/// here on the student's order.
#[expect(
    clippy::too_many_arguments,
    reason = "the step works inside its caller's transaction on what the caller has checked"
)]
async fn link_parent(
    tx: &mut klade_store::Tx,
    tenant: klade_domain::Tenant,
    ctx: &Context,
    child: PersonId,
    l: &Student,
    p: &ParentIn,
    made: &mut HashMap<String, PersonId>,
    now: i64,
) -> Result<(), AppError> {
    let institution = tenant.id();
    if linked_parent(ctx, Some(child), p).is_some() {
        return Ok(());
    }
    let key = p.code.clone().unwrap_or_else(|| {
        format!(
            "{}|{}|{}",
            fold(&p.given),
            fold(&p.family),
            p.phone.clone().unwrap_or_default()
        )
    });
    let id = match (p.code.as_ref().and_then(|c| ctx.persons.get(c)), made.get(&key)) {
        (Some(person), _) => person.id,
        (None, Some(id)) => *id,
        (None, None) => {
            let id = people::insert(
                &mut **tx,
                &people::NewPerson {
                    given_name: &p.given,
                    family_name: &p.family,
                    personal_code: p.code.as_deref(),
                    phone: p.phone.as_deref(),
                    email: p.email.as_deref(),
                    ..Default::default()
                },
                now,
            )
            .await?;
            made.insert(key, id);
            id
        }
    };
    school::link_guardian(&mut **tx, id, child, p.relation.as_deref(), now).await?;
    let already_parent = ctx.roles_here.get(&id).is_some_and(|r| r.contains(&Role::Parent))
        || accounts::holds_role(&mut **tx, institution, id, Role::Parent).await?;
    if !already_parent {
        accounts::add_membership(
            &mut **tx,
            tenant,
            id,
            Role::Parent,
            ctx.year.1,
            &Basis::Order {
                number: &l.order_number,
                date: l.order_date,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_their_variants() {
        let headers: Vec<String> = ["Pers. kods", "VĀRDS", "Uzvards", "Klase", "Dzimšanas datums"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cols = map_columns(Kind::Students, &headers).expect("columns");
        assert_eq!(cols["personal_code"], 0);
        assert_eq!(cols["given_name"], 1);
        assert_eq!(cols["family_name"], 2);
        assert_eq!(cols["birth_date"], 4);
        let missing: Vec<String> = vec!["Vārds".into()];
        assert!(matches!(
            map_columns(Kind::Students, &missing),
            Err(AppError::Invalid {
                field: "personal_code",
                ..
            })
        ));
    }

    #[test]
    fn dates_and_genders_as_exports_write_them() {
        assert_eq!(
            crate::clock::parse_typed_date("15.03.2010."),
            Some(jiff::civil::date(2010, 3, 15))
        );
        assert_eq!(
            crate::clock::parse_typed_date("2010-03-15"),
            Some(jiff::civil::date(2010, 3, 15))
        );
        assert_eq!(crate::clock::parse_typed_date("31.02.2010"), None);
        assert_eq!(gender("Sieviete"), Ok(Some("f")));
        assert_eq!(gender("V"), Ok(Some("m")));
        assert!(gender("x").is_err());
        assert_eq!(subject_kind("Modulis"), Some(SubjectKind::Module));
        assert_eq!(subject_kind("citāds"), None);
    }
}
