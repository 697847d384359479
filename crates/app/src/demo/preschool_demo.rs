//! The demo preschool's record: the past week of group "Mārītes" marked by 09:00, a few absences,
//! journal entries per learning area, and the first S/T/A/P assessments — with their history, so
//! `klade verify` finds everything explained.

use super::Maker;
use crate::AppError;
use jiff::civil::Date;
use klade_domain::calendar::Calendar;
use klade_domain::journal_item::Item;
use klade_domain::{ClassId, PersonId};
use klade_store::history::{self, Change};
use klade_store::preschool as store;

const ENTRIES: &[(&str, &str, &str)] = &[
    (
        "language",
        "Stāsts par ezīti: klausāmies un stāstām tālāk",
        "Lomu spēle ar pirkstiņlellēm",
    ),
    (
        "maths",
        "Skaitām čiekurus līdz desmit",
        "Čiekuru rindas un pāri uz galda",
    ),
    ("science", "Kā rudenī mainās koki", "Pastaiga parkā, lapu vākšana"),
    ("culture_art", "Rudens krāsas", "Zīmējam ar guaša krāsām"),
    ("health_physical", "Līdzsvars un kustības", "Šķēršļu josla sporta zālē"),
    ("cooperation", "Kopīgs darbs pāros", "Tornis no klucīšiem divatā"),
];

pub(super) async fn fill(
    m: &mut Maker<'_>,
    tenant: klade_domain::Tenant,
    group: ClassId,
    teacher: PersonId,
    children: &[PersonId],
    today: Date,
) -> Result<(), AppError> {
    // The demo institution follows the government's days and has none of its own yet.
    let mut cal = Calendar::latvia();
    for day in klade_store::calendar::days(&mut *m.tx, None, true).await? {
        cal = cal.with_day(day.kind, day.date);
    }
    let mut days = Vec::new();
    let mut d = today;
    while days.len() < 5 {
        d = d
            .checked_sub(jiff::Span::new().days(1))
            .map_err(|e| AppError::Internal(format!("demo date: {e}")))?;
        if cal.is_working_day(d) {
            days.push(d);
        }
    }
    days.reverse();
    let mut log = Vec::new();
    let day_secs = 24 * 3600;
    for (n, day) in days.iter().enumerate() {
        // 08:30 in Riga that day, in winter UTC+2.
        let at = m.now - (days.len() - n) as i64 * day_secs - 3 * 3600;
        store::mark_day(&mut m.tx, tenant, group, *day, false, teacher, at).await?;
        let away = children[(n * 3) % children.len()];
        let (code, reason) = if n % 2 == 0 {
            ("S", "Saaukstēšanās")
        } else {
            ("N", "")
        };
        store::set_absence(
            &mut m.tx,
            tenant,
            group,
            away,
            *day,
            Some((code, reason)),
            false,
            teacher,
            at,
        )
        .await?;
        log.push(Change {
            item: Item::PreschoolAttendance(away, *day).to_string(),
            old: None,
            new: Some(store::absence_value(code, reason)),
            reason: None,
            person: teacher,
            at,
        });
        for (area, tasks, activities) in [ENTRIES[n % ENTRIES.len()], ENTRIES[(n + 2) % ENTRIES.len()]] {
            let (id, _) = store::put_entry(
                &mut m.tx,
                tenant,
                group,
                *day,
                area,
                tasks,
                activities,
                false,
                teacher,
                at + 8 * 3600,
            )
            .await?;
            log.push(Change {
                item: Item::PreschoolEntry(id).to_string(),
                old: None,
                new: Some(store::entry_value(tasks, activities)),
                reason: None,
                person: teacher,
                at: at + 8 * 3600,
            });
        }
    }
    let start = days.first().copied().unwrap_or(today);
    for (i, child) in children.iter().enumerate() {
        for (k, area) in ["language", "maths", "social_civic"].iter().enumerate() {
            let mark = ["S", "T", "T", "A"][(i + k) % 4];
            let id = store::add_assessment(&mut m.tx, tenant, group, *child, area, mark, start, teacher, m.now).await?;
            log.push(Change {
                item: Item::PreschoolAssessment(id).to_string(),
                old: None,
                new: Some(mark.to_string()),
                reason: None,
                person: teacher,
                at: m.now - 5 * day_secs,
            });
        }
    }
    history::append(&mut m.tx, m.backend, tenant, &log).await?;
    Ok(())
}
