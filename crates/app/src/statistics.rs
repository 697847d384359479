//! Statistics (R22.2, R25.1) and the monthly absence summary (R25.2).
//!
//! Statistics: for a period (by default the current term), per class, per group (a course's
//! subgroup) and per education programme, the lessons missed (excused, unexcused, late) and the
//! averaged grades (average, distribution 1–10, insufficient), beside the same figures for the
//! previous period of equal length. The counting is the database's (`store::statistics`); this
//! module only adds a few rows per class together. Readers: `ViewStatistics`.
//!
//! The monthly summary: per class and student, the lessons missed in a month; the deputy for
//! upbringing (`PublishAbsenceSummary`) publishes it, by the 12th of the next month (June's by the
//! 30th); published, the administration reads it all and each tutor their class.

use crate::auth::Session;
use crate::{families, App, AppError};
use jiff::civil::Date;
use jiff::ToSpan;
use klade_domain::policy::{self, Action, Permit, Scope};
use klade_domain::{ClassId, CourseId, InstitutionId, Role};
use klade_store::statistics as store;
use std::collections::BTreeMap;

/// Absences and averaged grades of one class, group, programme or the whole institution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
    /// How many times each mark 1–10 was given (index 0 is mark 1).
    pub distribution: [i64; 10],
}

impl Figures {
    pub fn grades(&self) -> i64 {
        self.distribution.iter().sum()
    }

    /// The average of the averaged marks, if there are any.
    pub fn average(&self) -> Option<f64> {
        let n = self.grades();
        (n > 0).then(|| {
            let sum: i64 = self.distribution.iter().zip(1..).map(|(c, m)| c * m).sum();
            sum as f64 / n as f64
        })
    }

    /// Marks below 4 (R19.2: 4 is the lowest pass).
    pub fn insufficient(&self) -> i64 {
        self.distribution[..3].iter().sum()
    }

    pub fn absences(&self) -> i64 {
        self.excused + self.unexcused
    }

    fn add(&mut self, other: &Figures) {
        self.excused += other.excused;
        self.unexcused += other.unexcused;
        self.late += other.late;
        for (a, b) in self.distribution.iter_mut().zip(other.distribution) {
            *a += b;
        }
    }
}

/// One line of the statistics: this period's figures and the previous period's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Line {
    /// `class:<id>`, `group:<course id>`, `programme:<code>` or `total`.
    pub key: String,
    pub name: String,
    pub now: Figures,
    pub before: Figures,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Statistics {
    pub institution: InstitutionId,
    pub institution_name: String,
    pub from: Date,
    pub to: Date,
    /// The period compared with, if any (none for a first term kept here).
    #[serde(serialize_with = "day_or_empty")]
    pub previous_from: Option<Date>,
    #[serde(serialize_with = "day_or_empty")]
    pub previous_to: Option<Date>,
    pub classes: Vec<Line>,
    pub groups: Vec<Line>,
    pub programmes: Vec<Line>,
    pub total: Line,
}

/// The API writes a compared period that is not there as two empty texts, as it always has.
fn day_or_empty<S: serde::Serializer>(day: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match day {
        Some(d) => s.collect_str(d),
        None => s.serialize_str(""),
    }
}

/// The institution whose reports `action` opens for this person: the one asked for, or the first
/// they hold it in.
fn institution_for(session: &Session, asked: Option<InstitutionId>, action: Action) -> Result<Permit, AppError> {
    let actor = &session.actor;
    match asked {
        Some(i) => Ok(policy::authorize(actor, action, Scope::Institution(i))?),
        None => {
            let mut denied = None;
            for i in actor.institutions() {
                match policy::authorize(actor, action, Scope::Institution(i)) {
                    Ok(p) => return Ok(p),
                    Err(d) => denied = Some(d),
                }
            }
            Err(denied.map_or(AppError::NotFound, AppError::from))
        }
    }
}

/// A period from the reader's input: both dates, or the current term (else the current school
/// year, else the last 30 days). A period that ends before it starts is refused.
async fn period(
    app: &App,
    institution: InstitutionId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Date, Date), AppError> {
    let from = from.map(str::trim).filter(|s| !s.is_empty());
    let to = to.map(str::trim).filter(|s| !s.is_empty());
    let today = app.today();
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (families::date(f, "from")?, families::date(t, "to")?),
        (f, t) => {
            let (df, dt) = default_period(app, institution, today).await?;
            (
                f.map(|f| families::date(f, "from")).transpose()?.unwrap_or(df),
                t.map(|t| families::date(t, "to")).transpose()?.unwrap_or(dt),
            )
        }
    };
    if to < from {
        return Err(AppError::invalid("to", "statistics.period_reversed"));
    }
    Ok((from, to))
}

async fn default_period(app: &App, institution: InstitutionId, today: Date) -> Result<(Date, Date), AppError> {
    let db = app.db.pool();
    if let Some((year, starts, ends)) = klade_store::school::current_year(db, institution, today).await? {
        let terms = klade_store::school::terms(db, institution, year).await?;
        return Ok(terms
            .iter()
            .find(|t| t.starts_on <= today && today <= t.ends_on)
            .map_or((starts, ends), |t| (t.starts_on, t.ends_on)));
    }
    let start = today
        .checked_sub(29.days())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((start, today))
}

/// The period to compare with: a term is compared with the term before it (the first term with
/// the last one of the year before, not with the summer's holidays), and with nothing when no
/// term was kept before it; any other period with the period of equal length just before it.
async fn comparison(app: &App, inst: InstitutionId, from: Date, to: Date) -> Result<Option<(Date, Date)>, AppError> {
    match klade_store::school::term_before(app.db.pool(), inst, from, to).await? {
        Some(Some(term)) => Ok(Some(term)),
        Some(None) => Ok(None),
        None => previous(from, to).map(Some),
    }
}

/// The period of equal length that ends the day before `from`.
fn previous(from: Date, to: Date) -> Result<(Date, Date), AppError> {
    let err = |e: jiff::Error| AppError::Internal(e.to_string());
    let days = from.until(to).map_err(err)?.get_days();
    let prev_to = from.yesterday().map_err(err)?;
    let prev_from = prev_to.checked_sub(i64::from(days).days()).map_err(err)?;
    Ok((prev_from, prev_to))
}

/// (class, subgroup course) → (the course's name, figures).
type Counted = BTreeMap<(ClassId, Option<CourseId>), (Option<String>, Figures)>;

/// Per class and group: (class, group) → figures, counted by the database.
async fn figures(app: &App, inst: InstitutionId, from: Date, to: Date) -> Result<Counted, AppError> {
    let db = app.db.pool();
    let mut out: Counted = BTreeMap::new();
    for a in store::absences(db, inst, from, to).await? {
        let e = out.entry((a.class_id, a.group)).or_default();
        e.0 = a.group_name;
        e.1.excused += a.excused;
        e.1.unexcused += a.unexcused;
        e.1.late += a.late;
    }
    for m in store::marks(db, inst, from, to).await? {
        let e = out.entry((m.class_id, m.group)).or_default();
        e.0 = m.group_name;
        if (1..=10).contains(&m.mark) {
            e.1.distribution[usize::from(m.mark - 1)] += m.count;
        }
    }
    Ok(out)
}

/// Each class's figures: its whole-class lessons and its groups' together.
fn per_class(rows: &Counted) -> BTreeMap<ClassId, Figures> {
    let mut out: BTreeMap<ClassId, Figures> = BTreeMap::new();
    for ((class, _), (_, f)) in rows {
        out.entry(*class).or_default().add(f);
    }
    out
}

pub async fn statistics(
    app: &App,
    session: &Session,
    institution: Option<InstitutionId>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Statistics, AppError> {
    let permit = institution_for(session, institution, Action::ViewStatistics)?;
    let inst = permit.institution();
    let (from, to) = period(app, inst, from, to).await?;
    let before_period = comparison(app, inst, from, to).await?;
    let db = app.db.pool();
    let classes = store::classes(db, inst, from, to).await?;
    // Two periods, each on its own connection: a year's figures are a few hundred milliseconds of
    // database work, and the two run side by side.
    let earlier = async {
        match before_period {
            Some((f, t)) => figures(app, inst, f, t).await,
            None => Ok(Counted::new()),
        }
    };
    let (now, before) = tokio::try_join!(figures(app, inst, from, to), earlier)?;
    let (now_class, before_class) = (per_class(&now), per_class(&before));

    let mut lines = Vec::new();
    let mut programmes: BTreeMap<String, Line> = BTreeMap::new();
    let mut total = Line {
        key: "total".into(),
        name: String::new(),
        now: Figures::default(),
        before: Figures::default(),
    };
    for c in &classes {
        let line = Line {
            key: format!("class:{}", c.id.0),
            name: c.name.clone(),
            now: now_class.get(&c.id).copied().unwrap_or_default(),
            before: before_class.get(&c.id).copied().unwrap_or_default(),
        };
        let code = c.programme_code.clone().unwrap_or_default();
        let p = programmes.entry(code.clone()).or_insert_with(|| Line {
            key: format!("programme:{code}"),
            name: match (&c.programme_code, &c.programme_name) {
                (Some(code), Some(name)) => format!("{code} {name}"),
                (Some(code), None) => code.clone(),
                (None, Some(name)) => name.clone(),
                (None, None) => "—".into(),
            },
            now: Figures::default(),
            before: Figures::default(),
        });
        p.now.add(&line.now);
        p.before.add(&line.before);
        total.now.add(&line.now);
        total.before.add(&line.before);
        lines.push(line);
    }
    let class_name = |id: ClassId| classes.iter().find(|c| c.id == id).map(|c| c.name.clone());
    let mut groups: Vec<Line> = now
        .iter()
        .filter_map(|((class, group), (name, f))| {
            let group = (*group)?;
            Some(Line {
                key: format!("group:{}", group.0),
                name: format!(
                    "{} — {}",
                    class_name(*class).unwrap_or_default(),
                    name.clone().unwrap_or_default()
                ),
                now: *f,
                before: before.get(&(*class, Some(group))).map(|(_, f)| *f).unwrap_or_default(),
            })
        })
        .collect();
    groups.sort_by(|a, b| klade_domain::collate::cmp(&a.name, &b.name));
    let institution_name = klade_store::institutions::get(db, inst)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    total.name = institution_name.clone();
    Ok(Statistics {
        institution: inst,
        institution_name,
        from,
        to,
        previous_from: before_period.map(|p| p.0),
        previous_to: before_period.map(|p| p.1),
        classes: lines,
        groups,
        programmes: programmes.into_values().collect(),
        total,
    })
}

// ---- the monthly absence summary ----

/// One class's part of the monthly summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClassAbsences {
    pub class_id: ClassId,
    pub class_name: String,
    pub students: Vec<store::StudentAbsences>,
    pub excused: i64,
    pub unexcused: i64,
    pub late: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MonthlySummary {
    pub institution: InstitutionId,
    pub institution_name: String,
    /// `YYYY-MM`
    pub month: String,
    pub from: Date,
    pub to: Date,
    /// The last day to publish it.
    pub deadline: Date,
    pub published: Option<store::Published>,
    /// The reader may publish it (and it is not published yet).
    pub may_publish: bool,
    /// A tutor's view before the deputy publishes the month: no figures yet.
    pub waiting: bool,
    pub classes: Vec<ClassAbsences>,
}

/// The first and last day of `month` (`YYYY-MM`); the previous month when none is given.
fn month_days(app: &App, month: Option<&str>) -> Result<(String, Date, Date), AppError> {
    let err = |_| AppError::invalid("month", "summary_month.bad_month");
    let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => format!("{m}-01").parse::<Date>().map_err(err)?,
        None => {
            let today = app.today();
            today
                .first_of_month()
                .checked_sub(1.month())
                .map_err(|e| AppError::Internal(e.to_string()))?
        }
    };
    let last = first.last_of_month();
    Ok((format!("{:04}-{:02}", first.year(), first.month()), first, last))
}

/// The day by which a month's summary is due (R25.2): by the institution's day of the next month
/// (the 12th; in June, the 30th — so May's summary is due on 30 June).
async fn deadline(app: &App, institution: InstitutionId, first_of_month: Date) -> Result<Date, AppError> {
    let settings = klade_store::calendar::settings(app.db.pool(), institution).await?;
    klade_domain::deadlines::summary_due(&settings, first_of_month.year(), first_of_month.month())
        .ok_or_else(|| AppError::Internal("summary deadline".into()))
}

/// The classes a reader of the summary sees: all of them (`ViewStatistics`), or, once published,
/// the classes they tutor.
enum Reach {
    All,
    Tutor(Vec<ClassId>),
}

fn reach(session: &Session, institution: Option<InstitutionId>) -> Result<(InstitutionId, Reach), AppError> {
    match institution_for(session, institution, Action::ViewStatistics) {
        Ok(p) => Ok((p.institution(), Reach::All)),
        Err(refused) => {
            let actor = &session.actor;
            let mut tutored: BTreeMap<InstitutionId, Vec<ClassId>> = BTreeMap::new();
            for g in actor.grants.iter().filter(|g| g.role == Role::Tutor) {
                let Some(class) = g.class else { continue };
                if institution.is_some_and(|i| i != g.institution) {
                    continue;
                }
                let scope = Scope::Class {
                    institution: g.institution,
                    class,
                };
                if policy::authorize(actor, Action::ViewJournal, scope).is_ok() {
                    tutored.entry(g.institution).or_default().push(class);
                }
            }
            match tutored.into_iter().next() {
                Some((inst, classes)) => Ok((inst, Reach::Tutor(classes))),
                None => Err(refused),
            }
        }
    }
}

pub async fn monthly_summary(
    app: &App,
    session: &Session,
    institution: Option<InstitutionId>,
    month: Option<&str>,
) -> Result<MonthlySummary, AppError> {
    let (inst, reach) = reach(session, institution)?;
    let (month, first, last) = month_days(app, month)?;
    let db = app.db.pool();
    let published = store::published(db, inst, &month).await?;
    // A tutor reads their class's part only once the deputy has published it; before that the
    // page says so, with no figures.
    let waiting = matches!(reach, Reach::Tutor(_)) && published.is_none();
    let only = match &reach {
        Reach::All => None,
        Reach::Tutor(classes) => Some(classes.as_slice()),
    };
    let rows = if waiting {
        Vec::new()
    } else {
        store::absences_by_student(db, inst, first, last, only).await?
    };
    let mut classes: Vec<ClassAbsences> = Vec::new();
    for r in rows {
        let at = match classes.iter().position(|c| c.class_id == r.class_id) {
            Some(i) => i,
            None => {
                classes.push(ClassAbsences {
                    class_id: r.class_id,
                    class_name: r.class_name.clone(),
                    students: Vec::new(),
                    excused: 0,
                    unexcused: 0,
                    late: 0,
                });
                classes.len() - 1
            }
        };
        let c = &mut classes[at];
        c.excused += r.excused;
        c.unexcused += r.unexcused;
        c.late += r.late;
        c.students.push(r);
    }
    classes.sort_by_cached_key(|c| klade_domain::collate::person_key(&c.class_name, ""));
    for c in &mut classes {
        c.students
            .sort_by_cached_key(|s| klade_domain::collate::person_key(&s.family_name, &s.given_name));
    }
    let may_publish = published.is_none()
        && policy::authorize(&session.actor, Action::PublishAbsenceSummary, Scope::Institution(inst)).is_ok();
    let institution_name = klade_store::institutions::get(db, inst)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    Ok(MonthlySummary {
        institution: inst,
        institution_name,
        month,
        from: first,
        to: last,
        deadline: deadline(app, inst, first).await?,
        published,
        may_publish,
        waiting,
        classes,
    })
}

/// Publishes a month's summary (`PublishAbsenceSummary`), noting whether it came after the
/// deadline. A month not yet over cannot be published; publishing twice changes nothing.
pub async fn publish_summary(
    app: &App,
    session: &Session,
    institution: Option<InstitutionId>,
    month: &str,
) -> Result<store::Published, AppError> {
    let permit = institution_for(session, institution, Action::PublishAbsenceSummary)?;
    let inst = permit.institution();
    let (month, first, last) = month_days(app, Some(month))?;
    let today = app.today();
    if today <= last {
        return Err(AppError::invalid("month", "summary_month.not_over"));
    }
    let late = today > deadline(app, inst, first).await?;
    let db = app.db.pool();
    store::publish(db, permit.tenant(), &month, session.actor.person, app.now(), late).await?;
    store::published(db, inst, &month)
        .await?
        .ok_or_else(|| AppError::Internal("published summary".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_period_has_the_same_length() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(
            previous(d("2027-03-01"), d("2027-03-31")).expect("p"),
            (d("2027-01-29"), d("2027-02-28"))
        );
        assert_eq!(
            previous(d("2027-03-01"), d("2027-03-01")).expect("p"),
            (d("2027-02-28"), d("2027-02-28"))
        );
    }

    #[test]
    fn figures_average_and_count_insufficient() {
        let f = Figures {
            distribution: [0, 1, 1, 0, 0, 0, 1, 0, 0, 1],
            ..Figures::default()
        };
        assert_eq!(f.grades(), 4);
        assert_eq!(f.insufficient(), 2);
        assert_eq!(f.average(), Some(5.5));
        assert_eq!(Figures::default().average(), None);
    }
}
