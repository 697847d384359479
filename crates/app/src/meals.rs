//! School meals: parents cancel a child's meal (or order it again) for today until the cut-off and
//! for the days ahead; a notice of absence written before a day's cut-off cancels that day's meal
//! too. At the cut-off each institution's order — per class or group, who eats — is fixed: the
//! staff who keep the meals read it (page, CSV, XLSX, PDF) and the caterer gets it by e-mail once.

use crate::auth::Session;
use crate::{App, AppError};
use jiff::civil::Date;
use klade_domain::meals::{self as rules, MealError};
use klade_domain::policy::{self, Action, Scope};
use klade_domain::{ClassId, InstitutionId, InstitutionKind, PersonId};
pub use klade_store::meals::{Off, Settings};
use klade_store::{jobs, meals as store};

/// How many days ahead a family sees and may cancel.
pub const DAYS_AHEAD: i64 = 14;

/// Is `day` one the institution serves meals: a school day, or a preschool's working day.
fn serves(cal: &klade_domain::calendar::Calendar, kind: InstitutionKind, day: Date) -> bool {
    if kind == InstitutionKind::Preschool {
        cal.is_working_day(day)
    } else {
        cal.is_school_day(day)
    }
}

/// An institution's settings, for those who keep its meals.
pub async fn settings(app: &App, session: &Session, institution: InstitutionId) -> Result<Settings, AppError> {
    policy::authorize(&session.actor, Action::ManageMeals, Scope::Institution(institution))?;
    Ok(store::settings(app.db.pool(), institution).await?)
}

/// Turns meals on or off, with the cut-off (`09:00`) and the caterer's e-mail address.
pub async fn save_settings(
    app: &App,
    session: &Session,
    institution: InstitutionId,
    enabled: bool,
    cutoff: &str,
    caterer_email: &str,
) -> Result<(), AppError> {
    let permit = policy::authorize(&session.actor, Action::ManageMeals, Scope::Institution(institution))?;
    let cutoff = rules::parse_cutoff(cutoff).ok_or(AppError::invalid("cutoff", "meals.bad_cutoff"))?;
    let email = caterer_email.trim();
    if !email.is_empty() && !crate::people::is_email(email) {
        return Err(AppError::invalid("caterer_email", "meals.bad_email"));
    }
    let s = Settings {
        enabled,
        cutoff,
        caterer_email: (!email.is_empty()).then(|| email.to_string()),
    };
    store::save_settings(app.db.pool(), permit.tenant(), &s, app.now()).await?;
    Ok(())
}

/// A day of a child's meals as the family sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MealDay {
    pub date: Date,
    /// Why the meal is off, if it is: a cancellation, or a notice of absence in time.
    pub off: Option<Off>,
    /// May the family still change it (before the cut-off, not taken off by a notice).
    pub changeable: bool,
}

/// A child's meals in the days ahead.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChildMeals {
    pub student_id: PersonId,
    pub student: String,
    pub institution: InstitutionId,
    pub cutoff: String,
    pub days: Vec<MealDay>,
}

/// The signed-in parent's children in institutions that serve meals, each with the days ahead.
pub async fn for_family(app: &App, session: &Session) -> Result<Vec<ChildMeals>, AppError> {
    let db = app.db.pool();
    let children: Vec<&klade_store::school::Placement> = session
        .students
        .iter()
        .filter(|p| session.actor.children.contains(&(p.institution_id, p.student_id)))
        .collect();
    let mut institutions: Vec<InstitutionId> = children.iter().map(|p| p.institution_id).collect();
    institutions.sort();
    institutions.dedup();
    let now = app.clock.now();
    let today = app.today();
    let last = today.checked_add(jiff::Span::new().days(DAYS_AHEAD)).unwrap_or(today);
    let mut out = Vec::new();
    for (institution, settings) in store::enabled_among(db, &institutions).await? {
        let kind = crate::home::institution(app, institution).await?.kind;
        let cal = crate::calendar::cached(app, institution, session.rights).await?;
        let mine: Vec<&&klade_store::school::Placement> =
            children.iter().filter(|p| p.institution_id == institution).collect();
        let ids: Vec<PersonId> = mine.iter().map(|p| p.student_id).collect();
        let offs = store::offs(db, institution, &ids, today, last).await?;
        for child in mine {
            let mut days = Vec::new();
            let mut day = today;
            while day <= last {
                if serves(&cal.0, kind, day) {
                    let off = day_off(&offs, child.student_id, day, settings.cutoff);
                    let by_notice = matches!(off, Some(Off::Absent { .. }));
                    days.push(MealDay {
                        date: day,
                        changeable: !by_notice && rules::may_change(day, settings.cutoff, now).is_ok(),
                        off,
                    });
                }
                day = day.tomorrow().unwrap_or(last.tomorrow().unwrap_or(last));
                if day == today {
                    break;
                }
            }
            out.push(ChildMeals {
                student_id: child.student_id,
                student: format!("{} {}", child.given_name, child.family_name),
                institution,
                cutoff: klade_domain::deadlines::format_time(settings.cutoff),
                days,
            });
        }
    }
    Ok(out)
}

/// Why `student`'s meal is off on `day`, if it is: a cancellation first, else a notice of
/// absence written before the day's cut-off.
fn day_off(offs: &[(PersonId, Date, Off)], student: PersonId, day: Date, cutoff: jiff::civil::Time) -> Option<Off> {
    let of_day = || offs.iter().filter(|(s, d, _)| *s == student && *d == day);
    of_day()
        .find(|(_, _, o)| matches!(o, Off::Cancelled { .. }))
        .or_else(|| {
            of_day().find(|(_, _, o)| match o {
                Off::Absent { written } => {
                    jiff::Timestamp::from_second(*written).is_ok_and(|w| rules::notice_cancels(w, day, cutoff))
                }
                Off::Cancelled { .. } => false,
            })
        })
        .map(|(_, _, o)| o.clone())
}

/// A parent cancels their child's meal on `day` (`eat` false) or orders it again (`eat` true),
/// before that day's cut-off.
pub async fn set(app: &App, session: &Session, student: PersonId, day: &str, eat: bool) -> Result<(), AppError> {
    let day = crate::calendar::parse_date(day, "date")?;
    let placement = session
        .students
        .iter()
        .find(|p| p.student_id == student && session.actor.children.contains(&(p.institution_id, student)))
        .ok_or(AppError::NotFound)?;
    let institution = placement.institution_id;
    let permit = policy::authorize(
        &session.actor,
        Action::CancelMeals,
        Scope::Student {
            institution,
            student,
            class: Some(placement.class_id),
        },
    )?;
    let settings = store::settings(app.db.pool(), institution).await?;
    if !settings.enabled {
        return Err(AppError::invalid("date", "meals.not_served"));
    }
    let kind = crate::home::institution(app, institution).await?.kind;
    let cal = crate::calendar::cached(app, institution, session.rights).await?;
    if !serves(&cal.0, kind, day) {
        return Err(AppError::invalid("date", "meals.no_meal_that_day"));
    }
    match rules::may_change(day, settings.cutoff, app.clock.now()) {
        Ok(()) => {}
        Err(MealError::Past) => return Err(AppError::invalid("date", "meals.past")),
        Err(MealError::AfterCutoff) => return Err(AppError::invalid("date", "meals.after_cutoff")),
    }
    if eat {
        store::restore(app.db.pool(), permit.tenant(), student, day).await?;
    } else {
        store::cancel(app.db.pool(), permit.tenant(), student, day, session.person, app.now()).await?;
    }
    Ok(())
}

/// One class's or group's line of a day's order.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrderLine {
    pub class_id: ClassId,
    pub class_name: String,
    pub enrolled: usize,
    pub meals: usize,
    /// Who does not eat, and why.
    pub off: Vec<(String, Off)>,
}

/// A day's order of one institution.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Order {
    pub institution: InstitutionId,
    pub date: Date,
    pub served: bool,
    pub cutoff: String,
    /// The cut-off has passed: the order is final.
    pub closed: bool,
    /// When it was e-mailed to the caterer, if it was.
    pub sent_at: Option<i64>,
    pub lines: Vec<OrderLine>,
    pub total: usize,
}

async fn build_order(
    app: &App,
    institution: InstitutionId,
    day: Date,
    settings: &Settings,
    cal: &klade_domain::calendar::Calendar,
) -> Result<Order, AppError> {
    let db = app.db.pool();
    let kind = crate::home::institution(app, institution).await?.kind;
    let served = serves(cal, kind, day);
    let enrolled = if served {
        store::enrolled(db, institution, day).await?
    } else {
        Vec::new()
    };
    let ids: Vec<PersonId> = enrolled.iter().map(|e| e.student_id).collect();
    let offs = store::offs(db, institution, &ids, day, day).await?;
    let mut lines: Vec<OrderLine> = Vec::new();
    for e in &enrolled {
        if lines.last().is_none_or(|l| l.class_id != e.class_id) {
            lines.push(OrderLine {
                class_id: e.class_id,
                class_name: e.class_name.clone(),
                enrolled: 0,
                meals: 0,
                off: Vec::new(),
            });
        }
        let Some(line) = lines.last_mut() else { continue };
        line.enrolled += 1;
        match day_off(&offs, e.student_id, day, settings.cutoff) {
            Some(off) => line.off.push((e.name.clone(), off)),
            None => line.meals += 1,
        }
    }
    let total = lines.iter().map(|l| l.meals).sum();
    Ok(Order {
        institution,
        date: day,
        served,
        cutoff: klade_domain::deadlines::format_time(settings.cutoff),
        closed: app.clock.now() >= rules::cutoff_instant(day, settings.cutoff),
        sent_at: store::order_sent(db, institution, day).await?,
        lines,
        total,
    })
}

/// A day's order, for those who keep the institution's meals.
pub async fn order(app: &App, session: &Session, institution: InstitutionId, day: Date) -> Result<Order, AppError> {
    policy::authorize(&session.actor, Action::ManageMeals, Scope::Institution(institution))?;
    let settings = store::settings(app.db.pool(), institution).await?;
    let cal = crate::calendar::cached(app, institution, session.rights).await?;
    build_order(app, institution, day, &settings, &cal.0).await
}

/// At each institution's cut-off, e-mails today's order to its caterer — once, whichever server
/// sweeps first (`meal_orders`). Returns how many orders were sent.
pub async fn send_orders(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let today = app.today();
    let mut sent = 0;
    for (institution, settings) in store::enabled_institutions(app.db.pool()).await? {
        let Some(to) = settings.caterer_email.clone() else {
            continue;
        };
        if now < rules::cutoff_instant(today, settings.cutoff) {
            continue;
        }
        let (cal, _) = crate::calendar::of(app, institution).await?;
        let order = build_order(app, institution, today, &settings, &cal).await?;
        if !order.served || order.sent_at.is_some() {
            continue;
        }
        let name = crate::home::institution(app, institution).await?.name.clone();
        let mut text = format!(
            "{name}: ēdienreižu pasūtījums {} (līdz {})\n\n",
            crate::clock::format_date(today),
            order.cutoff
        );
        for l in &order.lines {
            text.push_str(&format!("{}: {}\n", l.class_name, l.meals));
        }
        text.push_str(&format!("\nKopā: {}\n", order.total));
        let mut tx = app.db.begin().await?;
        let tenant = klade_domain::Tenant::without_permit(institution);
        if store::record_order(
            &mut *tx,
            tenant,
            today,
            i64::try_from(order.total).unwrap_or(0),
            app.now(),
        )
        .await?
        {
            let payload = serde_json::json!({
                "institution": institution.0, "person": null, "to": to,
                "subject": format!("Ēdināšanas pasūtījums {}", crate::clock::format_date(today)),
                "text": text,
            });
            jobs::enqueue(&mut *tx, "email_to", &payload.to_string(), app.now()).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Does any of the signed-in parent's children attend an institution that serves meals through
/// Klade (the home page's link)?
pub async fn served_to_family(app: &App, session: &Session) -> Result<bool, AppError> {
    if session.actor.children.is_empty() {
        return Ok(false);
    }
    let mut institutions: Vec<InstitutionId> = session.actor.children.iter().map(|(i, _)| *i).collect();
    institutions.sort();
    institutions.dedup();
    Ok(!store::enabled_among(app.db.pool(), &institutions).await?.is_empty())
}
