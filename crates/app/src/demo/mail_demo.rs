//! The demo's mail and news: a tutor's message to the 2.B parents that some have read, a parent's
//! question to the subject teacher, and current news from the deputy for upbringing.

use super::Maker;
use crate::messages::audience_text;
use crate::AppError;
use jiff::civil::Date;
use klade_domain::{ClassId, InstitutionId, PersonId};
use klade_store::messages::{self, NewMessage, NewNews};

#[expect(clippy::too_many_arguments, reason = "the demo passes what it invented so far")]
pub(super) async fn fill(
    m: &mut Maker<'_>,
    school: InstitutionId,
    class: ClassId,
    tutor: PersonId,
    teacher: PersonId,
    parent: PersonId,
    deputy: PersonId,
    today: Date,
) -> Result<(), AppError> {
    let day = 24 * 3600;
    let parents = messages::class_parents(&mut *m.tx, school, class, today).await?;
    let subject = "Vecāku sapulce 3. decembrī";
    let body = "Labdien, cienījamie vecāki!\n\nAicinu uz klases vecāku sapulci ceturtdien, 3. decembrī, plkst. 18:00, \
                 23. kabinetā. Runāsim par pirmā semestra noslēgumu un Ziemassvētku pasākumu.\n\nAr cieņu,\nLīga Zariņa";
    let sent = m.now - 2 * day;
    let thread = messages::insert(
        &mut m.tx,
        &NewMessage {
            institution: school,
            thread: None,
            reply_to: None,
            sender: tutor,
            subject,
            body,
            audience: &audience_text(&[("class_parents", "2.B".to_string())]),
            search_text: &format!("{subject}\n{body}\nlīga zariņa").to_lowercase(),
            now: sent,
        },
        &parents,
    )
    .await?;
    // About half of the parents have read it; the demo parent has not yet.
    for (i, p) in parents.iter().enumerate() {
        if i % 2 == 0 && *p != parent {
            messages::mark_read(&mut *m.tx, thread, *p, sent + 3600 + i as i64 * 600).await?;
        }
    }

    let subject = "Par matemātikas mājasdarbu";
    let body =
        "Labdien! Anna bija slima un nesaprot, kurš uzdevums jāpilda līdz piektdienai. Vai varat, lūdzu, precizēt?";
    messages::insert(
        &mut m.tx,
        &NewMessage {
            institution: school,
            thread: None,
            reply_to: None,
            sender: parent,
            subject,
            body,
            audience: &audience_text(&[("person", "Mārtiņš Kalniņš".to_string())]),
            search_text: &format!("{subject}\n{body}\nilze krūmiņa").to_lowercase(),
            now: m.now - day,
        },
        &[teacher],
    )
    .await?;

    let until = today
        .last_of_month()
        .checked_add(jiff::Span::new().days(25))
        .map_err(|e| AppError::Internal(format!("demo date: {e}")))?;
    messages::insert_news(
        &mut *m.tx,
        &NewNews {
            institution: school,
            category: "extracurricular",
            audience: "everyone",
            class: None,
            title: "Ziemassvētku koncerts",
            body: "Skolas Ziemassvētku koncerts notiks 18. decembrī plkst. 17:00 aktu zālē. Laipni aicināti skolēni, \
                   vecāki un vecvecāki!",
            visible_from: today,
            visible_to: until,
            author: deputy,
            now: m.now - day,
        },
    )
    .await?;
    Ok(())
}
