//! Setting an institution up for a school year, from an empty install (R16): the year with its
//! terms and holidays from the template for the institution's kind, checked; the next year
//! prepared from the last one (classes move up, groups stay, leavers leave) in one reviewed step.
//! Who: the superuser (`Action::PrepareYear`).

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::school_year::{self as rules, Period, YearPlan};
use klade_domain::{policy, Action, InstitutionId, Permit, Scope};
use klade_store::{calendar, institutions, school};

/// A period as a form or the API sends it: text dates, checked here.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PeriodInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// A school year as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct YearInput {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub terms: Vec<PeriodInput>,
    pub holidays: Vec<PeriodInput>,
}

impl From<&YearPlan> for YearInput {
    fn from(p: &YearPlan) -> Self {
        let period = |x: &Period| PeriodInput {
            name: x.name.clone(),
            starts_on: x.starts_on.to_string(),
            ends_on: x.ends_on.to_string(),
        };
        Self {
            name: p.name.clone(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            terms: p.terms.iter().map(period).collect(),
            holidays: p.holidays.iter().map(period).collect(),
        }
    }
}

fn day(text: &str, field: String) -> Result<Date, AppError> {
    text.trim().parse::<Date>().map_err(|_| AppError::InvalidAt {
        field,
        code: "error.date",
    })
}

/// The plan an input describes, checked: every date a date, terms in order inside the year,
/// holidays inside it. Empty rows (a form's spare lines) are left out.
pub fn plan_of(input: &YearInput) -> Result<YearPlan, AppError> {
    let periods = |list: &[PeriodInput], what: &str| -> Result<Vec<Period>, AppError> {
        list.iter()
            .enumerate()
            .filter(|(_, p)| {
                !(p.name.trim().is_empty() && p.starts_on.trim().is_empty() && p.ends_on.trim().is_empty())
            })
            .map(|(i, p)| {
                Ok(Period {
                    name: p.name.trim().to_string(),
                    starts_on: day(&p.starts_on, format!("{what}.{i}.starts_on"))?,
                    ends_on: day(&p.ends_on, format!("{what}.{i}.ends_on"))?,
                })
            })
            .collect()
    };
    let plan = YearPlan {
        name: input.name.trim().to_string(),
        starts_on: day(&input.starts_on, "starts_on".into())?,
        ends_on: day(&input.ends_on, "ends_on".into())?,
        terms: periods(&input.terms, "terms")?,
        holidays: periods(&input.holidays, "holidays")?,
    };
    rules::check(&plan).map_err(|e| AppError::InvalidAt {
        field: e.field,
        code: e.code,
    })?;
    Ok(plan)
}

/// The institution's school years, newest first, each with its terms and holidays.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Years {
    pub institution: InstitutionId,
    pub years: Vec<YearInput>,
    /// What the form proposes for the next year: the template for the year after the newest one
    /// (or the one under way when there is none).
    pub proposal: YearInput,
}

pub async fn years(app: &App, session: &Session, institution: InstitutionId) -> Result<Years, AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let kind = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?.kind;
    let holidays = calendar::school_holidays(db, inst).await?;
    let mut years = Vec::new();
    for y in klade_store::year_lock::years(db, inst).await? {
        let terms = school::terms(db, inst, y.id).await?;
        years.push(YearInput {
            terms: terms
                .iter()
                .map(|t| PeriodInput {
                    name: t.name.clone(),
                    starts_on: t.starts_on.to_string(),
                    ends_on: t.ends_on.to_string(),
                })
                .collect(),
            holidays: holidays
                .iter()
                .filter(|h| h.starts_on >= y.starts_on && h.starts_on <= y.ends_on)
                .map(|h| PeriodInput {
                    name: h.name.clone(),
                    starts_on: h.starts_on.to_string(),
                    ends_on: h.ends_on.to_string(),
                })
                .collect(),
            name: y.name,
            starts_on: y.starts_on.to_string(),
            ends_on: y.ends_on.to_string(),
        });
    }
    let today = app.today();
    let under_way = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let next = years
        .iter()
        .filter_map(|y| rules::start_year(&y.name))
        .max()
        .map_or(under_way, |newest| newest + 1);
    Ok(Years {
        institution: inst,
        proposal: YearInput::from(&rules::template(kind, next)),
        years,
    })
}

/// Creates a school year with its terms and holidays, all or nothing.
pub async fn create_year(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    input: &YearInput,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let plan = plan_of(input)?;
    let db = app.db.pool();
    let existing = klade_store::year_lock::years(db, inst).await?;
    if existing.iter().any(|y| y.name == plan.name) {
        return Err(AppError::Conflict("year.exists"));
    }
    let (from, to) = (plan.starts_on, plan.ends_on);
    if existing.iter().any(|y| y.starts_on <= to && y.ends_on >= from) {
        return Err(AppError::InvalidAt {
            field: "starts_on".into(),
            code: "year.overlaps_another",
        });
    }
    let mut tx = app.db.begin().await?;
    write_year(&mut tx, permit.tenant(), &plan, app.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a checked plan: the year, its terms, its holidays. The seed generator writes its
/// institutions' years through this too.
pub(crate) async fn write_year(
    tx: &mut klade_store::Tx,
    tenant: klade_domain::Tenant,
    plan: &YearPlan,
    now: i64,
) -> Result<klade_domain::SchoolYearId, AppError> {
    let year = school::insert_school_year(&mut **tx, tenant, &plan.name, plan.starts_on, plan.ends_on).await?;
    for (i, t) in plan.terms.iter().enumerate() {
        let ordinal = i64::try_from(i).unwrap_or(0) + 1;
        school::insert_term(&mut **tx, tenant, year, ordinal, &t.name, t.starts_on, t.ends_on).await?;
    }
    for h in &plan.holidays {
        calendar::add_school_holiday(&mut **tx, tenant, h.starts_on, h.ends_on, &h.name, now).await?;
    }
    Ok(year)
}

/// A member of staff as the form or the API enters them (R16.3, J8).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct StaffInput {
    pub personal_code: String,
    pub given_name: String,
    pub family_name: String,
    /// As VIIS writes it (`Direktora vietnieks mācību darbā`): it gives the role.
    pub position: String,
    pub workload: String,
    pub phone: String,
    pub email: String,
    pub employed_from: String,
    pub order_number: String,
    pub order_date: String,
}

/// Enters a member of staff: the person (a known personal code links them, overwriting nothing;
/// with another name it is refused), and their employment with its order (R5), position and
/// workload. Their account is made under "Konti" (R8).
pub async fn add_staff(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    input: &StaffInput,
) -> Result<klade_domain::PersonId, AppError> {
    let permit = policy::authorize(&session.actor, Action::EnterStaff, Scope::Institution(institution))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let kind = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?.kind;
    let code = klade_domain::PersonalCode::parse(&input.personal_code)
        .map_err(|e| AppError::invalid("personal_code", e.code()))?
        .to_string();
    let (given, family) = (input.given_name.trim(), input.family_name.trim());
    if given.is_empty() {
        return Err(AppError::invalid("given_name", "error.required"));
    }
    if family.is_empty() {
        return Err(AppError::invalid("family_name", "error.required"));
    }
    let role = klade_domain::role::role_for_position(&input.position, kind)
        .ok_or(AppError::invalid("position", "import.position_unknown"))?;
    let phone = match input.phone.trim() {
        "" => None,
        p => Some(crate::sms::normalize_phone(p)?),
    };
    let email = Some(input.email.trim()).filter(|e| !e.is_empty());
    if email.is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
        return Err(AppError::invalid("email", "person.email"));
    }
    let from = match input.employed_from.trim() {
        "" => app.today(),
        d => day(d, "employed_from".into())?,
    };
    let order = match input.order_number.trim() {
        "" => None,
        n => Some((n.to_string(), day(&input.order_date, "order_date".into())?)),
    };
    let known = klade_store::people::find_by_personal_code(db, &code).await?;
    if let Some(p) = &known {
        if !klade_store::people::same_name(p, given, family) {
            return Err(AppError::invalid("personal_code", "person.code_name_conflict"));
        }
        let here = klade_store::accounts::roles_here(db, inst, app.today()).await?;
        if here.get(&p.id).is_some_and(|r| r.contains(&role)) {
            return Err(AppError::Conflict("setup.staff_exists"));
        }
    }
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let id = match known {
        Some(p) => p.id,
        None => {
            klade_store::people::insert(
                &mut *tx,
                &klade_store::people::NewPerson {
                    given_name: given,
                    family_name: family,
                    personal_code: Some(&code),
                    phone: phone.as_deref(),
                    email,
                    ..Default::default()
                },
                now,
            )
            .await?
        }
    };
    klade_store::accounts::add_employment(
        &mut *tx,
        permit.tenant(),
        id,
        role,
        from,
        order.as_ref().map(|(n, d)| (n.as_str(), *d)),
        Some(input.position.trim()),
        Some(input.workload.trim()).filter(|w| !w.is_empty()),
        now,
    )
    .await?;
    klade_store::access_log::record(&mut *tx, Some(inst), session.person, id, "change", "employment", now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A teacher as a list offers them: a class's tutor, one to choose for a class or a course. The
/// API writes one as `[id, name]`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(into = "(klade_domain::PersonId, String)")]
pub struct Teacher {
    pub id: klade_domain::PersonId,
    pub name: String,
}

impl From<(klade_domain::PersonId, String)> for Teacher {
    fn from((id, name): (klade_domain::PersonId, String)) -> Self {
        Self { id, name }
    }
}

impl From<Teacher> for (klade_domain::PersonId, String) {
    fn from(t: Teacher) -> Self {
        (t.id, t.name)
    }
}

/// A subject of the institution. The API writes one as `[id, name, kind]`.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(into = "(klade_domain::SubjectId, String, klade_domain::SubjectKind)")]
pub struct Subject {
    pub id: klade_domain::SubjectId,
    pub name: String,
    pub kind: klade_domain::SubjectKind,
}

impl From<(klade_domain::SubjectId, String, klade_domain::SubjectKind)> for Subject {
    fn from((id, name, kind): (klade_domain::SubjectId, String, klade_domain::SubjectKind)) -> Self {
        Self { id, name, kind }
    }
}

impl From<Subject> for (klade_domain::SubjectId, String, klade_domain::SubjectKind) {
    fn from(s: Subject) -> Self {
        (s.id, s.name, s.kind)
    }
}

/// A class or group of the year under way, with its tutors (or group teachers) and students.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassLine {
    pub id: klade_domain::ClassId,
    pub name: String,
    pub kind: klade_domain::ClassKind,
    pub students: i64,
    pub tutors: Vec<Teacher>,
}

/// The classes and subjects of the year under way, and the staff who may tutor a class.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Structure {
    pub institution: InstitutionId,
    pub group_kind: bool,
    pub classes: Vec<ClassLine>,
    pub subjects: Vec<Subject>,
    pub teachers: Vec<Teacher>,
    /// The year under way exists: classes can be added.
    pub has_year: bool,
    /// Adds classes and subjects (the superuser).
    pub may_prepare: bool,
    /// Names tutors and enters staff.
    pub may_staff: bool,
}

pub async fn structure(app: &App, session: &Session, institution: InstitutionId) -> Result<Structure, AppError> {
    let scope = Scope::Institution(institution);
    let permit = policy::authorize(&session.actor, Action::PrepareYear, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::EnterStaff, scope))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let today = app.today();
    let kind = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?.kind;
    let mut classes = Vec::new();
    for c in school::classes_of(db, inst, today).await? {
        classes.push(ClassLine {
            tutors: school::tutors_of(db, inst, c.id)
                .await?
                .into_iter()
                .map(Teacher::from)
                .collect(),
            id: c.id,
            name: c.name,
            kind: c.kind,
            students: c.students,
        });
    }
    let teacher_roles: &[klade_domain::Role] = if kind == klade_domain::InstitutionKind::Preschool {
        &[klade_domain::Role::PreschoolTeacher]
    } else {
        &[klade_domain::Role::Teacher]
    };
    let mut teachers = Vec::new();
    for role in teacher_roles {
        teachers.extend(
            klade_store::accounts::people_with_role(db, inst, *role, today)
                .await?
                .into_iter()
                .map(Teacher::from),
        );
    }
    Ok(Structure {
        may_prepare: session.actor.may(Action::PrepareYear, scope),
        may_staff: session.actor.may(Action::EnterStaff, scope),
        institution: inst,
        group_kind: kind == klade_domain::InstitutionKind::Preschool,
        has_year: school::current_year(db, inst, today).await?.is_some(),
        classes,
        subjects: school::subjects(db, inst)
            .await?
            .into_iter()
            .map(Subject::from)
            .collect(),
        teachers,
    })
}

/// A class (school) or group (preschool) of the year under way, named as in VIIS.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ClassInput {
    pub name: String,
    pub grade: String,
    pub programme_code: String,
    pub programme_name: String,
}

pub async fn add_class(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    input: &ClassInput,
) -> Result<klade_domain::ClassId, AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let db = app.db.pool();
    let kind = institutions::get(db, inst).await?.ok_or(AppError::NotFound)?.kind;
    let year = school::current_year(db, inst, app.today())
        .await?
        .ok_or(AppError::invalid("year", "import.no_school_year"))?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "error.required"));
    }
    let grade = match input.grade.trim() {
        "" => None,
        g => Some(
            g.parse::<i64>()
                .map_err(|_| AppError::invalid("grade", "import.grade"))?,
        ),
    };
    let programme_code = Some(input.programme_code.trim()).filter(|c| !c.is_empty());
    if programme_code.is_some_and(|c| c.len() != 8 || !c.bytes().all(|b| b.is_ascii_digit())) {
        return Err(AppError::invalid("programme_code", "setup.programme_code"));
    }
    let group = kind == klade_domain::InstitutionKind::Preschool;
    school::insert_class(
        db,
        permit.tenant(),
        year.0,
        &school::NewClass {
            name,
            kind: if group {
                klade_domain::ClassKind::Group
            } else {
                klade_domain::ClassKind::Class
            },
            grade,
            programme_code,
            programme_name: Some(input.programme_name.trim()).filter(|n| !n.is_empty()),
        },
    )
    .await
    .map_err(|e| match e {
        klade_store::StoreError::Conflict(_) => AppError::Conflict("setup.class_exists"),
        e => e.into(),
    })
}

/// A subject or a professional module (R16).
pub async fn add_subject(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    name: &str,
    module: bool,
    code: &str,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "error.required"));
    }
    school::insert_subject(
        app.db.pool(),
        permit.tenant(),
        if module {
            klade_domain::SubjectKind::Module
        } else {
            klade_domain::SubjectKind::Subject
        },
        Some(code.trim()).filter(|c| !c.is_empty()),
        name,
    )
    .await
    .map_err(|e| match e {
        klade_store::StoreError::Conflict(_) => AppError::Conflict("setup.subject_exists"),
        e => e.into(),
    })?;
    Ok(())
}

/// The institution's staff today, with their roles and accounts.
/// The institution's staff today, with the institution's kind (for the roles' names).
pub async fn staff(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<(klade_domain::InstitutionKind, Vec<klade_store::accounts::Employee>), AppError> {
    let permit = policy::authorize(&session.actor, Action::EnterStaff, Scope::Institution(institution))?;
    let inst = permit.institution();
    let kind = klade_store::institutions::get(app.db.pool(), inst)
        .await?
        .ok_or(AppError::NotFound)?
        .kind;
    Ok((
        kind,
        klade_store::accounts::employees(app.db.pool(), inst, app.today()).await?,
    ))
}

/// Makes a member of staff a class's tutor (or a group's teacher), or — `remove` — ends it;
/// answers the class's institution.
pub async fn set_tutor(
    app: &App,
    session: &Session,
    class: klade_domain::ClassId,
    person: klade_domain::PersonId,
    remove: bool,
) -> Result<InstitutionId, AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = policy::authorize(&session.actor, Action::EnterStaff, Scope::Institution(inst))?;
    let inst = permit.institution();
    if remove {
        school::remove_tutor(db, permit.tenant(), class, person).await?;
        return Ok(inst);
    }
    let staff = klade_store::accounts::roles_here(db, inst, app.today()).await?;
    if !staff.get(&person).is_some_and(|r| r.iter().any(|r| r.is_staff())) {
        return Err(AppError::invalid("person", "setup.not_staff"));
    }
    school::add_tutor(db, permit.tenant(), class, person)
        .await
        .map_err(|e| match e {
            klade_store::StoreError::Conflict(_) => AppError::Conflict("setup.tutor_exists"),
            e => e.into(),
        })?;
    Ok(inst)
}

/// Who plans a year's courses: the superuser at year start (R16) or the deputy for academic work,
/// who then makes the timetable of them (R22.1).
fn may_plan(session: &Session, institution: InstitutionId) -> Result<policy::Permit, AppError> {
    let scope = Scope::Institution(institution);
    Ok(policy::authorize(&session.actor, Action::PrepareYear, scope)
        .or_else(|_| policy::authorize(&session.actor, Action::EnterTimetable, scope))?)
}

/// One subject's line in a class's study plan: the whole class's course of it, if there is one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanLine {
    pub subject: klade_domain::SubjectId,
    pub name: String,
    pub kind: klade_domain::SubjectKind,
    pub course: Option<klade_domain::CourseId>,
    pub teachers: Vec<i64>,
    pub hours: Option<i64>,
    /// Something was kept for the course (its week, lessons, grades): it cannot be dropped.
    pub in_use: bool,
}

/// A class's study plan: subject × teachers × lessons a week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StudyPlan {
    pub institution: InstitutionId,
    pub class: klade_domain::ClassId,
    pub class_name: String,
    pub lines: Vec<PlanLine>,
    pub teachers: Vec<Teacher>,
    /// Last year's class of the same name, and its year, when there is one to copy from.
    pub copy_from: Option<(klade_domain::ClassId, String)>,
    /// The reader opens the classes' set-up page.
    pub classes_link: bool,
}

async fn class_for_plan(
    app: &App,
    session: &Session,
    class: klade_domain::ClassId,
) -> Result<(Permit, String, klade_domain::SchoolYearId), AppError> {
    let db = app.db.pool();
    let inst = school::class_institution(db, class).await?.ok_or(AppError::NotFound)?;
    let permit = may_plan(session, inst)?;
    let (name, year) = school::class(db, permit.institution(), class)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((permit, name, year))
}

pub async fn study_plan(app: &App, session: &Session, class: klade_domain::ClassId) -> Result<StudyPlan, AppError> {
    let (permit, class_name, _) = class_for_plan(app, session, class).await?;
    let inst = permit.institution();
    let db = app.db.pool();
    let courses = klade_store::journal::courses_of_class(db, inst, class).await?;
    let mut lines = Vec::new();
    for (subject, name, kind) in school::subjects(db, inst).await? {
        let course = courses.iter().find(|c| c.subject_id == subject && c.subgroup.is_none());
        let (teachers, in_use) = match course {
            Some(c) => (
                klade_store::journal::course_teacher_ids(db, inst, c.id).await?,
                klade_store::journal::course_in_use(db, inst, c.id).await?,
            ),
            None => (Vec::new(), false),
        };
        lines.push(PlanLine {
            subject,
            name,
            kind,
            course: course.map(|c| c.id),
            teachers,
            hours: course.and_then(|c| c.hours_per_week),
            in_use,
        });
    }
    Ok(StudyPlan {
        institution: inst,
        class,
        class_name,
        lines,
        teachers: klade_store::accounts::people_with_role(db, inst, klade_domain::Role::Teacher, app.today())
            .await?
            .into_iter()
            .map(Teacher::from)
            .collect(),
        copy_from: school::previous_class(db, inst, class).await?,
        classes_link: [Action::PrepareYear, Action::EnterStaff]
            .into_iter()
            .any(|a| session.actor.may(a, Scope::Institution(inst))),
    })
}

/// A line of the study plan as a form or the API sends it; a subject left out of the plan has no
/// teachers and no hours.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PlanLineInput {
    pub subject: i64,
    pub teachers: Vec<i64>,
    pub hours: String,
}

/// Saves a class's study plan in one step: each planned subject gets the whole class's course
/// with its teachers and lessons a week; a subject taken out loses its course, unless something
/// was kept for it. Every line is checked before anything is written; a refusal names the line.
pub async fn set_study_plan(
    app: &App,
    session: &Session,
    class: klade_domain::ClassId,
    lines: &[PlanLineInput],
) -> Result<(), AppError> {
    let plan = study_plan(app, session, class).await?;
    let (permit, _, year) = class_for_plan(app, session, class).await?;
    let tenant = permit.tenant();
    let inst = tenant.id();
    let at = |what: &str, subject: i64, code: &'static str| AppError::InvalidAt {
        field: format!("{what}-{subject}"),
        code,
    };
    let mut checked = Vec::new();
    for input in lines {
        let line = plan
            .lines
            .iter()
            .find(|l| l.subject.0 == input.subject)
            .ok_or(AppError::invalid("subject", "course.subject"))?;
        let hours = match input.hours.trim() {
            "" => None,
            h => Some(
                h.parse::<i64>()
                    .ok()
                    .filter(|h| (1..=40).contains(h))
                    .ok_or_else(|| at("hours", input.subject, "study_plan.hours_invalid"))?,
            ),
        };
        let mut teachers = input.teachers.clone();
        teachers.sort_unstable();
        teachers.dedup();
        if teachers.iter().any(|t| !plan.teachers.iter().any(|p| p.id.0 == *t)) {
            return Err(at("teachers", input.subject, "timetable.not_a_teacher"));
        }
        let planned = hours.is_some() || !teachers.is_empty();
        if planned && teachers.is_empty() {
            return Err(at("teachers", input.subject, "course.no_teachers"));
        }
        if planned && hours.is_none() {
            return Err(at("hours", input.subject, "study_plan.hours_invalid"));
        }
        if !planned && line.in_use {
            return Err(at("hours", input.subject, "study_plan.in_use"));
        }
        checked.push((line, teachers, hours));
    }
    let mut tx = app.db.begin().await?;
    for (line, teachers, hours) in checked {
        match (line.course, hours) {
            (Some(course), Some(_)) => {
                klade_store::journal::set_course_hours(&mut *tx, permit.tenant(), course, hours).await?;
                let mut before = line.teachers.clone();
                before.sort_unstable();
                if before != teachers {
                    klade_store::journal::set_course_teachers(&mut tx, permit.tenant(), course, &teachers).await?;
                }
            }
            (Some(course), None) => klade_store::journal::delete_course(&mut tx, permit.tenant(), course).await?,
            (None, Some(_)) => {
                let course = klade_store::journal::insert_course(
                    &mut *tx,
                    permit.tenant(),
                    &klade_store::journal::NewCourse {
                        year,
                        subject: line.subject,
                        class: Some(class),
                        name: &line.name,
                        subgroup: None,
                    },
                )
                .await?;
                klade_store::journal::set_course_hours(&mut *tx, permit.tenant(), course, hours).await?;
                klade_store::journal::set_course_teachers(&mut tx, permit.tenant(), course, &teachers).await?;
            }
            (None, None) => {}
        }
    }
    klade_store::access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        session.person,
        "change",
        "study plan",
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Fills the subjects a class has no course of yet from last year's class of the same name: its
/// lessons a week and those of its teachers who still teach here (a line none of whose teachers
/// is left, or without lessons, stays empty for the planner). Answers how many lines were copied.
pub async fn copy_study_plan(app: &App, session: &Session, class: klade_domain::ClassId) -> Result<usize, AppError> {
    let plan = study_plan(app, session, class).await?;
    let (from, _) = plan
        .copy_from
        .clone()
        .ok_or(AppError::invalid("class", "study_plan.nothing_to_copy"))?;
    let db = app.db.pool();
    let old = klade_store::journal::courses_of_class(db, plan.institution, from).await?;
    let mut lines = Vec::new();
    for line in plan.lines.iter().filter(|l| l.course.is_none()) {
        let Some(c) = old
            .iter()
            .find(|c| c.subject_id == line.subject && c.subgroup.is_none())
        else {
            continue;
        };
        let teachers: Vec<i64> = klade_store::journal::course_teacher_ids(db, plan.institution, c.id)
            .await?
            .into_iter()
            .filter(|t| plan.teachers.iter().any(|p| p.id.0 == *t))
            .collect();
        // Last year's lessons a week: as planned, or else as its last week had them.
        let hours = match c.hours_per_week {
            Some(h) => h,
            None => klade_store::journal::weekly_slots(db, plan.institution, c.id).await?,
        };
        if teachers.is_empty() || hours == 0 {
            continue;
        }
        lines.push(PlanLineInput {
            subject: line.subject.0,
            teachers,
            hours: hours.to_string(),
        });
    }
    set_study_plan(app, session, class, &lines).await?;
    Ok(lines.len())
}

/// Where a class goes in the next year: up a grade (`2.B` → `3.B`), the same name (a preschool's
/// group, a class named without a grade), or nowhere — its students finish here.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MoveLine {
    pub class: klade_domain::ClassId,
    pub name: String,
    pub to: Option<String>,
    pub students: Vec<klade_domain::PersonId>,
    pub tutors: Vec<String>,
}

/// The next year prepared from the one under way, for review before it is done.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NextYear {
    pub institution: InstitutionId,
    pub from_year: String,
    pub to_year: String,
    pub to_starts_on: Date,
    /// The last grade: its students finish.
    pub top: i64,
    pub lines: Vec<MoveLine>,
    /// Students already in a class of the next year: a second run leaves them.
    pub moved: usize,
}

/// The year under way and the next one made after it, if any.
async fn this_and_next(
    app: &App,
    institution: InstitutionId,
) -> Result<Option<(klade_store::year_lock::Year, klade_store::year_lock::Year)>, AppError> {
    let today = app.today();
    let years = klade_store::year_lock::years(app.db.pool(), institution).await?;
    let Some(now) = years.iter().find(|y| y.starts_on <= today && y.ends_on >= today) else {
        return Ok(None);
    };
    let next = years
        .iter()
        .filter(|y| y.starts_on > now.ends_on)
        .min_by(|a, b| a.starts_on.cmp(&b.starts_on));
    Ok(next.map(|n| (now.clone(), n.clone())))
}

/// The students enrolled in a class of `year` on its first day.
async fn in_year(
    app: &App,
    institution: InstitutionId,
    year: klade_domain::SchoolYearId,
    first_day: Date,
) -> Result<std::collections::HashSet<klade_domain::PersonId>, AppError> {
    let db = app.db.pool();
    let classes: std::collections::HashSet<_> = school::classes_of_year(db, institution, year)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(school::current_enrolments(db, institution, first_day)
        .await?
        .into_iter()
        .filter(|(_, (_, class))| classes.contains(class))
        .map(|(p, _)| p)
        .collect())
}

/// The plan for moving the year under way into the next one: `top` is the last grade (by default
/// the highest the classes have). `None` while the next year is not made.
pub async fn next_year(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    top: Option<i64>,
) -> Result<Option<NextYear>, AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let inst = permit.institution();
    let Some((now, next)) = this_and_next(app, inst).await? else {
        return Ok(None);
    };
    let db = app.db.pool();
    let classes = school::classes_of_year(db, inst, now.id).await?;
    let grade = |c: &school::ClassRow| {
        c.grade.or_else(|| {
            let digits: String = c.name.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
    };
    let top = top.unwrap_or_else(|| classes.iter().filter_map(grade).max().unwrap_or(0));
    let enrolled = school::current_enrolments(db, inst, now.ends_on).await?;
    let already = in_year(app, inst, next.id, next.starts_on).await?;
    let mut lines = Vec::new();
    for c in &classes {
        let students: Vec<klade_domain::PersonId> = enrolled
            .iter()
            .filter(|(_, (_, class))| *class == c.id)
            .map(|(p, _)| *p)
            .collect();
        let to = if c.kind == klade_domain::ClassKind::Group || grade(c).is_none() {
            Some(c.name.clone())
        } else {
            rules::moved_up(&c.name, top)
        };
        lines.push(MoveLine {
            class: c.id,
            name: c.name.clone(),
            to,
            students,
            tutors: school::tutors_of(db, inst, c.id)
                .await?
                .into_iter()
                .map(|(_, n)| n)
                .collect(),
        });
    }
    let moved = enrolled.keys().filter(|p| already.contains(p)).count();
    Ok(Some(NextYear {
        institution: inst,
        from_year: now.name,
        to_year: next.name,
        to_starts_on: next.starts_on,
        top,
        lines,
        moved,
    }))
}

/// Does the reviewed plan in one transaction, on the director's order: each class's class of the
/// next year (made unless it is there, with the same programme and tutors), its students enrolled
/// there from the next year's first day; the last grade's students finish on the year's last day,
/// their rights ending, and their parents' unless another child stays. A student already in a
/// class of the next year is left as they are, so a second run changes nothing. Answers how many
/// students moved and how many finished.
pub async fn prepare_next_year(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    top: Option<i64>,
    order_number: &str,
    order_date: &str,
) -> Result<(usize, usize), AppError> {
    let plan = next_year(app, session, institution, top)
        .await?
        .ok_or(AppError::invalid("year", "next_year.none"))?;
    let tenant = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?.tenant();
    let inst = plan.institution;
    let number = order_number.trim();
    if number.is_empty() {
        return Err(AppError::invalid("order_number", "error.required"));
    }
    let date: Date = order_date
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("order_date", "error.date"))?;
    let db = app.db.pool();
    let (now, next) = this_and_next(app, inst)
        .await?
        .ok_or(AppError::invalid("year", "next_year.none"))?;
    let mut existing: std::collections::HashMap<String, klade_domain::ClassId> =
        school::classes_of_year(db, inst, next.id)
            .await?
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect();
    let old = school::classes_of_year(db, inst, now.id).await?;
    let enrolled = school::current_enrolments(db, inst, now.ends_on).await?;
    let already = in_year(app, inst, next.id, next.starts_on).await?;
    let mut finishing = Vec::new();
    for line in plan.lines.iter().filter(|l| l.to.is_none()) {
        for p in &line.students {
            let mut parents = Vec::new();
            for parent in klade_store::people::parents(db, inst, *p).await? {
                let siblings_stay = school::children_of(db, parent.id).await?.iter().any(|c| {
                    *c != *p
                        && enrolled.contains_key(c)
                        && !plan.lines.iter().any(|l| l.to.is_none() && l.students.contains(c))
                });
                if !siblings_stay {
                    parents.push(parent.id);
                }
            }
            finishing.push((*p, parents));
        }
    }
    let stamp = app.now();
    let (mut moved, mut finished) = (0, 0);
    let mut tx = app.db.begin().await?;
    for line in &plan.lines {
        let Some(to) = &line.to else { continue };
        let class = match existing.get(to) {
            Some(c) => *c,
            None => {
                let from = old.iter().find(|c| c.id == line.class).ok_or(AppError::NotFound)?;
                let c = school::insert_class(
                    &mut *tx,
                    tenant,
                    next.id,
                    &school::NewClass {
                        name: to,
                        kind: from.kind,
                        grade: from.grade.map(|g| {
                            if from.kind == klade_domain::ClassKind::Group {
                                g
                            } else {
                                g + 1
                            }
                        }),
                        programme_code: from.programme_code.as_deref(),
                        programme_name: from.programme_name.as_deref(),
                    },
                )
                .await?;
                for (tutor, _) in school::tutors_of(db, inst, line.class).await? {
                    school::add_tutor(&mut *tx, tenant, c, tutor).await?;
                }
                existing.insert(to.clone(), c);
                c
            }
        };
        for p in line.students.iter().filter(|p| !already.contains(p)) {
            if let Some((enrolment, _)) = enrolled.get(p) {
                school::end_enrolment(
                    &mut *tx,
                    tenant,
                    *enrolment,
                    now.ends_on,
                    (number, date, "pārcelšana nākamajā klasē"),
                )
                .await?;
            }
            school::enrol(
                &mut *tx,
                tenant,
                &school::Enrolment {
                    class,
                    student: *p,
                    valid_from: next.starts_on,
                    order_number: number,
                    order_date: date,
                    reason: "pārcelšana nākamajā klasē",
                },
                stamp,
            )
            .await?;
            moved += 1;
        }
    }
    for (p, parents) in &finishing {
        let Some((enrolment, _)) = enrolled.get(p) else {
            continue;
        };
        school::end_enrolment(
            &mut *tx,
            tenant,
            *enrolment,
            now.ends_on,
            (number, date, "izglītības programmas apguve"),
        )
        .await?;
        klade_store::accounts::end_memberships(&mut *tx, tenant, *p, klade_domain::Role::Student, now.ends_on).await?;
        for parent in parents {
            klade_store::accounts::end_memberships(&mut *tx, tenant, *parent, klade_domain::Role::Parent, now.ends_on)
                .await?;
        }
        finished += 1;
    }
    let detail = format!("next year prepared: {moved} moved, {finished} finished ({number} {date})");
    klade_store::access_log::record(
        &mut *tx,
        Some(inst),
        session.person,
        session.person,
        "change",
        &detail,
        stamp,
    )
    .await?;
    tx.commit().await?;
    Ok((moved, finished))
}

/// One thing left before the year can start, with where it is done when the reader may do it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Todo {
    /// The catalogue key of what is missing.
    pub what: &'static str,
    /// A count or a class's name, as the message needs.
    pub detail: String,
    /// Where it is done, when the reader may do it there (the director reads what the superuser
    /// and the deputies do).
    pub link: Option<String>,
}

/// The set-up checklist on the superuser's and director's home: the year, classes, tutors, staff
/// accounts, each class's students, study plan and week, families not yet joined. Empty when
/// nothing is left. A school's classes need a plan and a week; a preschool's groups do not.
pub async fn checklist(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    kind: klade_domain::InstitutionKind,
) -> Result<Vec<Todo>, AppError> {
    let db = app.db.pool();
    let today = app.today();
    let i = institution.0;
    let may = |action: Action, scope: Scope| policy::authorize(&session.actor, action, scope).is_ok();
    let whole = Scope::Institution(institution);
    let todo = |what, detail: String, link: String, allowed: bool| Todo {
        what,
        detail,
        link: allowed.then_some(link),
    };
    let prepares = may(Action::PrepareYear, whole);
    if school::current_year(db, institution, today).await?.is_none() {
        return Ok(vec![todo(
            "checklist.no_year",
            String::new(),
            format!("/setup/years?i={i}"),
            prepares,
        )]);
    }
    let classes = school::class_states(db, institution, today).await?;
    let mut out = Vec::new();
    if classes.is_empty() {
        out.push(todo(
            "checklist.no_classes",
            String::new(),
            format!("/setup/classes?i={i}"),
            prepares,
        ));
    }
    let counts = institutions::counts(db, institution, today).await?;
    if counts.accounts_missing > 0 {
        let link = format!("/admin/accounts?i={i}");
        out.push(todo(
            "checklist.staff_accounts",
            counts.accounts_missing.to_string(),
            link,
            may(Action::ManageAccounts, whole),
        ));
    }
    let untutored = classes.iter().filter(|c| c.tutors == 0).count();
    if untutored > 0 {
        let link = format!("/setup/classes?i={i}");
        out.push(todo(
            "checklist.no_tutor",
            untutored.to_string(),
            link,
            may(Action::EnterStaff, whole),
        ));
    }
    let school = kind != klade_domain::InstitutionKind::Preschool;
    let plans = prepares || may(Action::EnterTimetable, whole);
    for c in &classes {
        if c.students == 0 {
            let link = format!("/admin/import?i={i}");
            out.push(todo(
                "checklist.no_students",
                c.name.clone(),
                link,
                may(Action::ImportFromViis, whole),
            ));
        } else if school && c.courses == 0 {
            out.push(todo(
                "checklist.no_plan",
                c.name.clone(),
                format!("/setup/classes/{}/plan", c.id.0),
                plans,
            ));
        } else if school && c.slots == 0 {
            let link = format!("/classes/{}/timetable", c.id.0);
            out.push(todo(
                "checklist.no_timetable",
                c.name.clone(),
                link,
                may(Action::EnterTimetable, whole),
            ));
        }
    }
    let waiting: i64 = classes.iter().map(|c| c.families_waiting).sum();
    if let Some(first) = classes.iter().find(|c| c.families_waiting > 0) {
        let scope = Scope::Class {
            institution,
            class: first.id,
        };
        let link = format!("/classes/{}/families", first.id.0);
        out.push(todo(
            "checklist.families",
            waiting.to_string(),
            link,
            may(Action::EditContacts, scope),
        ));
    }
    Ok(out)
}

/// What the superuser keeps of the institution itself: its name and registration number as in
/// the register of educational institutions, its address. Its kind is set when it is registered.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct InstitutionInput {
    pub name: String,
    pub reg_no: String,
    pub address: String,
}

/// The institution's settings, for the superuser.
pub async fn institution(
    app: &App,
    session: &Session,
    institution: InstitutionId,
) -> Result<institutions::Institution, AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    institutions::get(app.db.pool(), permit.institution())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn set_institution(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    input: &InstitutionInput,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "error.required"));
    }
    let reg_no = input.reg_no.trim();
    if !(10..=11).contains(&reg_no.len()) || !reg_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid("reg_no", "institution.reg_no"));
    }
    let mut tx = app.db.begin().await?;
    institutions::set_details(&mut *tx, permit.tenant(), name, reg_no, input.address.trim())
        .await
        .map_err(|e| match e {
            klade_store::StoreError::Conflict(_) => AppError::Conflict("institution.exists"),
            e => e.into(),
        })?;
    klade_store::access_log::record(
        &mut *tx,
        Some(permit.institution()),
        session.person,
        session.person,
        "change",
        "institution settings",
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the logo its documents carry: any JPEG, PNG or WebP image, re-encoded (so nothing but
/// its pixels is kept) at most 1600 pixels a side. `None` removes it.
pub async fn set_logo(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    upload: Option<Vec<u8>>,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::PrepareYear, Scope::Institution(institution))?;
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let file = match upload {
        None => None,
        Some(bytes) => {
            let photo = tokio::task::spawn_blocking(move || klade_media::reencode(&bytes))
                .await
                .map_err(|e| AppError::Internal(format!("logo: {e}")))?
                .map_err(|e| match e {
                    klade_media::PhotoError::TooLarge => AppError::invalid("logo", "preschool.photo_too_large"),
                    _ => AppError::invalid("logo", "preschool.not_an_image"),
                })?;
            let sha = crate::auth::sha256_hex(&photo.bytes);
            Some(klade_store::files::put(&mut tx, permit.tenant(), &sha, photo.content_type, &photo.bytes, now).await?)
        }
    };
    institutions::set_logo(&mut *tx, permit.tenant(), file).await?;
    tx.commit().await?;
    Ok(())
}

/// The logo as a document's first block, when the institution has one. For whoever is making
/// a document of the institution: the caller has been let in already.
/// The set-up pages beyond the superuser's own that the reader opens for `institution`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Reach {
    pub staff: bool,
    pub accounts: bool,
    pub words: bool,
}

pub fn reach(session: &Session, institution: InstitutionId) -> Reach {
    let may = |a| session.actor.may(a, Scope::Institution(institution));
    Reach {
        staff: may(Action::EnterStaff),
        accounts: may(Action::ManageAccounts),
        words: may(Action::ManageWordList),
    }
}

/// The logo as stored, for the settings page: (content type, bytes).
pub async fn logo(app: &App, session: &Session, institution: InstitutionId) -> Result<(String, Vec<u8>), AppError> {
    let i = self::institution(app, session, institution).await?;
    let id = i.logo_file.ok_or(AppError::NotFound)?;
    let file = klade_store::files::get(app.db.pool(), institution, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((file.content_type, file.data))
}

pub async fn logo_block(app: &App, institution: InstitutionId) -> Result<Option<klade_docs::pdf::Block>, AppError> {
    let db = app.db.pool();
    let Some(file) = institutions::get(db, institution).await?.and_then(|i| i.logo_file) else {
        return Ok(None);
    };
    Ok(klade_store::files::get(db, institution, file)
        .await?
        .and_then(|f| klade_docs::pdf::Block::logo(f.data)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use klade_domain::{PersonId, SubjectId, SubjectKind};

    /// The API's clients read teachers and subjects as arrays.
    #[test]
    fn teachers_and_subjects_are_written_as_arrays() {
        let teacher = Teacher {
            id: PersonId(7),
            name: "Anna Ozola".into(),
        };
        assert_eq!(
            serde_json::to_value(&teacher).ok(),
            serde_json::to_value((PersonId(7), "Anna Ozola")).ok()
        );
        let subject = Subject {
            id: SubjectId(3),
            name: "Matemātika".into(),
            kind: SubjectKind::Module,
        };
        assert_eq!(
            serde_json::to_value(&subject).ok(),
            serde_json::to_value((SubjectId(3), "Matemātika", SubjectKind::Module)).ok()
        );
    }
}
