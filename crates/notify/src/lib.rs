//! Outgoing messages and the worker that sends them.
//!
//! A use case never sends anything itself: it records the message and a job in the same
//! transaction as its own change (`klade-store::sms`, `klade-store::jobs`), and answers at once.
//! The worker here takes due jobs from the database and hands each message to the configured
//! gateway, retrying with backoff; what happened is kept on the message for people to see.
//!
//! This crate owns the HTTP client (the heavy dependency), so nothing else rebuilds with it.

pub mod push;

use klade_store::{jobs, sms, Db};
use std::time::Duration;

/// Where text messages go.
#[derive(Debug, Clone)]
pub enum SmsGateway {
    /// Keeps every message in the outbox for the operator to read (page and CLI); sends nothing.
    Outbox,
    /// Posts `{"to": phone, "text": body}` as JSON to `url`, with a bearer `token` when set. Any
    /// 2xx answer is a delivery.
    Http { url: String, token: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("gateway answered {0}")]
    Status(u16),
    #[error("gateway unreachable: {0}")]
    Transport(String),
}

/// How many times a message is tried before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// Seconds to wait before attempt `n + 1`: 30 s, 1 min, 2 min, 4 min.
pub fn backoff(attempts: i64) -> i64 {
    30 * (1_i64 << (attempts - 1).clamp(0, 10))
}

/// Where e-mail goes.
#[derive(Clone)]
pub enum EmailGateway {
    /// Keeps every e-mail in the outbox (page) and sends nothing.
    Outbox,
    /// Sends through an SMTP server, from `from`.
    Smtp {
        transport: Box<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>>,
        from: lettre::message::Mailbox,
    },
}

impl EmailGateway {
    /// From an SMTP URL (`smtp://host:25`, `smtps://user:password@host:465`,
    /// `smtp://host:587?tls=required`) and the sender's address.
    pub fn smtp(url: &str, from: &str) -> Result<Self, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP address: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e| format!("sender address: {e}"))?;
        Ok(Self::Smtp {
            transport: Box::new(transport),
            from,
        })
    }
}

pub struct Worker {
    db: Db,
    gateway: SmsGateway,
    email: EmailGateway,
    client: reqwest::Client,
    /// Who push services may contact about this install's messages (VAPID `sub`).
    push_contact: String,
}

impl Worker {
    pub fn new(db: Db, gateway: SmsGateway) -> Self {
        Self::with_email(db, gateway, EmailGateway::Outbox)
    }

    pub fn with_email(db: Db, gateway: SmsGateway, email: EmailGateway) -> Self {
        // A gateway answers; it does not send the message (and its token) elsewhere.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            db,
            gateway,
            email,
            client,
            push_contact: "mailto:klade@localhost".to_string(),
        }
    }

    /// The address push services may write to about this install (`mailto:` or `https:`).
    pub fn with_push_contact(mut self, contact: String) -> Self {
        self.push_contact = contact;
        self
    }

    async fn send_email(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        use lettre::AsyncTransport;
        match &self.email {
            EmailGateway::Outbox => Ok(()),
            EmailGateway::Smtp { transport, from } => {
                let message = lettre::Message::builder()
                    .from(from.clone())
                    .to(to.parse().map_err(|e| format!("address: {e}"))?)
                    .subject(subject)
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(body.to_string())
                    .map_err(|e| e.to_string())?;
                transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    async fn email_job(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        use klade_store::notifications;
        let Some(id) = job.payload.parse::<i64>().ok() else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let Some(mail) = notifications::email(self.db.pool(), id).await? else {
            return jobs::done(self.db.pool(), job.id, now).await;
        };
        match self.send_email(&mail.to_addr, &mail.subject, &mail.body).await {
            Ok(()) => {
                notifications::set_email_status(self.db.pool(), id, "sent", None, now).await?;
                jobs::done(self.db.pool(), job.id, now).await
            }
            Err(error) => {
                tracing::warn!(email = id, attempt = job.attempts, "e-mail not delivered: {error}");
                let retry = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
                let status = if retry.is_some() { "queued" } else { "failed" };
                notifications::set_email_status(self.db.pool(), id, status, Some(&error), now).await?;
                jobs::failed(self.db.pool(), job.id, &error, retry).await
            }
        }
    }

    async fn send(&self, phone: &str, body: &str) -> Result<(), SendError> {
        match &self.gateway {
            SmsGateway::Outbox => Ok(()),
            SmsGateway::Http { url, token } => {
                let mut request = self
                    .client
                    .post(url)
                    .json(&serde_json::json!({ "to": phone, "text": body }));
                if let Some(t) = token {
                    request = request.bearer_auth(t);
                }
                let response = request.send().await.map_err(|e| SendError::Transport(e.to_string()))?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(SendError::Status(response.status().as_u16()))
                }
            }
        }
    }

    /// Runs every job that is due at `now`; returns how many it ran.
    pub async fn run_due(&self, now: i64) -> Result<usize, klade_store::StoreError> {
        let mut ran = 0;
        while let Some(job) = jobs::claim(&self.db, now, 120).await? {
            ran += 1;
            match job.kind.as_str() {
                "sms" => self.sms(&job, now).await?,
                "notify" => self.notify(&job, now).await?,
                "email" => self.email_job(&job, now).await?,
                "message" => self.message(&job, now).await?,
                "reminder" => self.reminder(&job, now).await?,
                "meeting_reminder" => self.meeting_reminder(&job, now).await?,
                "push" => self.push(&job, now).await?,
                "email_to" => self.email_to(&job, now).await?,
                other => {
                    tracing::warn!(kind = other, "unknown job kind");
                    jobs::failed(self.db.pool(), job.id, "unknown job kind", None).await?;
                }
            }
        }
        Ok(ran)
    }

    async fn sms(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        let Some(id) = job.payload.parse::<i64>().ok() else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let Some(message) = sms::get(self.db.pool(), id).await? else {
            return jobs::done(self.db.pool(), job.id, now).await;
        };
        match self.send(&message.phone, &message.body).await {
            Ok(()) => {
                let (status, body) = match self.gateway {
                    SmsGateway::Outbox => ("kept", None),
                    // Delivered: the text (with its password) is not kept beyond the phone.
                    SmsGateway::Http { .. } => ("sent", Some(redact(&message.body))),
                };
                sms::set_status(self.db.pool(), id, status, None, body.as_deref(), now).await?;
                jobs::done(self.db.pool(), job.id, now).await
            }
            Err(e) => {
                let error = e.to_string();
                tracing::warn!(message = id, attempt = job.attempts, "SMS not delivered: {error}");
                let retry = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
                let status = if retry.is_some() { "queued" } else { "failed" };
                sms::set_status(self.db.pool(), id, status, Some(&error), None, now).await?;
                jobs::failed(self.db.pool(), job.id, &error, retry).await
            }
        }
    }

    /// Fans an event out to the parents who asked to be told of it: an SMS (where the institution
    /// allows it) or an e-mail per parent and channel — not in the quiet hours (held until the
    /// morning), and not of a journal value changed since. The payload is
    /// `{"institution": id, "events": [{"student": id, "event": "grade", "text": "…", "item":
    /// "g:1:2", "value": "9"}]}`.
    async fn notify(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        use klade_domain::{InstitutionId, PersonId};
        use klade_store::notifications;
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        if let Some(until) = klade_domain::notification_policy::held_until_second(now) {
            return jobs::postpone(self.db.pool(), job.id, until).await;
        }
        let institution = InstitutionId(payload["institution"].as_i64().unwrap_or(0));
        let sms_allowed = notifications::sms_allowed(self.db.pool(), institution).await?;
        let events = payload["events"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let items: Vec<String> = events
            .iter()
            .filter_map(|e| e["item"].as_str().map(str::to_string))
            .collect();
        let mut tx = self.db.begin().await?;
        // What was corrected since (or taken back) is not told: the correction has its own event.
        let standing = klade_store::history::last_values(&mut *tx, institution, &items).await?;
        for event in events {
            if let Some(item) = event["item"].as_str() {
                let now_value = standing.get(item).and_then(|(v, _)| v.as_deref());
                if now_value != event["value"].as_str() {
                    continue;
                }
            }
            let student = PersonId(event["student"].as_i64().unwrap_or(0));
            let kind = event["event"].as_str().unwrap_or("");
            let text = event["text"].as_str().unwrap_or("");
            for r in notifications::recipients(&mut *tx, student, kind).await? {
                self.deliver(&mut tx, institution, sms_allowed, &r, "Klade", text, now)
                    .await?;
            }
        }
        jobs::done(&mut *tx, job.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tells the recipients of a new message who asked to be told (J30), held in the quiet hours
    /// like the journal's events: the payload is
    /// `{"institution": id, "message": id}`.
    async fn message(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        use klade_domain::InstitutionId;
        use klade_store::notifications;
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        if let Some(until) = klade_domain::notification_policy::held_until_second(now) {
            return jobs::postpone(self.db.pool(), job.id, until).await;
        }
        let institution = InstitutionId(payload["institution"].as_i64().unwrap_or(0));
        let message = payload["message"].as_i64().unwrap_or(0);
        let sms_allowed = notifications::sms_allowed(self.db.pool(), institution).await?;
        let mut tx = self.db.begin().await?;
        if let Some((sender, subject)) = notifications::message_summary(&mut *tx, message).await? {
            let text = format!("Klade: jauna vēstule no {sender}: {subject}");
            for r in notifications::message_recipients(&mut *tx, message).await? {
                self.deliver(&mut tx, institution, sms_allowed, &r, &subject, &text, now)
                    .await?;
            }
        }
        jobs::done(&mut *tx, job.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tells a person of a deadline coming today (their lessons, a preschool group's attendance or
    /// journal) by e-mail, when they have an address. The payload is
    /// `{"institution": id, "person": id, "kind": "lesson", "count": n, "due": "23.11.2026. 18:00"}`;
    /// the reminder was recorded once when it was queued, so it is sent once.
    /// One e-mail a use case asked for (an invitation, say): kept in the outbox, or queued for
    /// SMTP when there is a server.
    async fn email_to(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        use klade_domain::{InstitutionId, PersonId};
        let Ok(p) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let (Some(to), Some(subject), Some(text)) = (p["to"].as_str(), p["subject"].as_str(), p["text"].as_str())
        else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let institution = InstitutionId(p["institution"].as_i64().unwrap_or(0));
        // An order to a caterer is to no person of the register.
        let person = p["person"].as_i64().map(PersonId);
        let mut tx = self.db.begin().await?;
        self.record_email(&mut tx, institution, person, to, subject, text, now)
            .await?;
        jobs::done(&mut *tx, job.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reminder(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        use klade_domain::{InstitutionId, PersonId};
        let Ok(payload) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let institution = InstitutionId(payload["institution"].as_i64().unwrap_or(0));
        let person = PersonId(payload["person"].as_i64().unwrap_or(0));
        let count = payload["count"].as_i64().unwrap_or(0);
        let due = payload["due"].as_str().unwrap_or("");
        let what = match payload["kind"].as_str().unwrap_or("") {
            "lesson" => "stundu tēmas un apmeklējums",
            "preschool_attendance" => "grupas apmeklējums",
            "preschool_journal" => "grupas dienas žurnāls",
            _ => "ieraksti žurnālā",
        };
        let subject = "Klade: atgādinājums par termiņu";
        let text = format!("Klade: šodien līdz {due} jāieraksta {what} ({count}). Skatiet sadaļu “Termiņi”.");
        let mut tx = self.db.begin().await?;
        self.email_person(&mut tx, institution, person, subject, &text, now)
            .await?;
        jobs::done(&mut *tx, job.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends one push message to one subscribed browser. The payload is `{"subscription": id,
    /// "title": "…", "body": "…", "url": "/"}`; a browser that unsubscribed is forgotten, a service
    /// that fails is tried again with backoff.
    async fn push(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        let Ok(p) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        let Some(sub) = klade_store::push::get(self.db.pool(), p["subscription"].as_i64().unwrap_or(0)).await? else {
            return jobs::done(self.db.pool(), job.id, now).await;
        };
        let message = serde_json::json!({ "title": p["title"], "body": p["body"], "url": p["url"] }).to_string();
        match push::send(
            &self.client,
            &self.db,
            &sub,
            message.as_bytes(),
            &self.push_contact,
            now,
        )
        .await?
        {
            push::Outcome::Delivered => {
                klade_store::push::sent(self.db.pool(), sub.id, now).await?;
                jobs::done(self.db.pool(), job.id, now).await
            }
            push::Outcome::Gone => {
                klade_store::push::forget(self.db.pool(), sub.id).await?;
                jobs::done(self.db.pool(), job.id, now).await
            }
            push::Outcome::Failed(error) => {
                tracing::warn!(
                    subscription = sub.id,
                    attempt = job.attempts,
                    "push not delivered: {error}"
                );
                let retry = (job.attempts < MAX_ATTEMPTS).then(|| now + backoff(job.attempts));
                jobs::failed(self.db.pool(), job.id, &error, retry).await
            }
        }
    }

    /// Reminds the parent who booked a meeting's slot and the meeting's host, the day before; a
    /// slot freed, moved or cancelled since is not told. The payload is `{"slot": id, "student":
    /// id, "starts_at": seconds}`.
    async fn meeting_reminder(&self, job: &jobs::Job, now: i64) -> Result<(), klade_store::StoreError> {
        let Ok(p) = serde_json::from_str::<serde_json::Value>(&job.payload) else {
            return jobs::failed(self.db.pool(), job.id, "bad payload", None).await;
        };
        if let Some(until) = klade_domain::notification_policy::held_until_second(now) {
            return jobs::postpone(self.db.pool(), job.id, until).await;
        }
        let slot = p["slot"].as_i64().unwrap_or(0);
        let mut tx = self.db.begin().await?;
        let booking = klade_store::meetings::booking_of_slot(&mut *tx, slot).await?;
        if let Some(b) = booking
            .filter(|b| Some(b.student_id.0) == p["student"].as_i64() && Some(b.starts_at) == p["starts_at"].as_i64())
        {
            let when = klade_domain::calendar::format_instant(b.starts_at);
            let place = [Some(b.place.as_str()), b.link.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let subject = "Klade: atgādinājums par sapulci";
            if let Some(parent) = b.booked_by {
                let text = format!(
                    "Klade: {when} sapulce “{}” ar {} par {} ({place}).",
                    b.title, b.host, b.student
                );
                self.email_person(&mut tx, b.institution_id, parent, subject, &text, now)
                    .await?;
            }
            let text = format!(
                "Klade: {when} sapulce “{}” ar {} vecākiem ({place}).",
                b.title, b.student
            );
            self.email_person(&mut tx, b.institution_id, b.host_id, subject, &text, now)
                .await?;
        }
        jobs::done(&mut *tx, job.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an e-mail to `person` when they have an address (kept in the outbox, or queued for
    /// SMTP when there is a server); nothing when they have none.
    async fn email_person(
        &self,
        tx: &mut klade_store::Tx,
        institution: klade_domain::InstitutionId,
        person: klade_domain::PersonId,
        subject: &str,
        text: &str,
        now: i64,
    ) -> Result<(), klade_store::StoreError> {
        use klade_store::people;
        match people::get(&mut **tx, person).await?.and_then(|p| p.email) {
            Some(to) => {
                self.record_email(tx, institution, Some(person), &to, subject, text, now)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Records an e-mail: kept in the outbox, or queued for SMTP when there is a server.
    #[expect(
        clippy::too_many_arguments,
        reason = "an e-mail carries its institution, person, address, subject and text"
    )]
    async fn record_email(
        &self,
        tx: &mut klade_store::Tx,
        institution: klade_domain::InstitutionId,
        person: Option<klade_domain::PersonId>,
        to: &str,
        subject: &str,
        text: &str,
        now: i64,
    ) -> Result<(), klade_store::StoreError> {
        let status = match self.email {
            EmailGateway::Outbox => "kept",
            EmailGateway::Smtp { .. } => "queued",
        };
        let id = klade_store::notifications::insert_email(
            &mut **tx,
            klade_domain::Tenant::without_permit(institution),
            person,
            to,
            subject,
            text,
            status,
            now,
        )
        .await?;
        if status == "queued" {
            jobs::enqueue(&mut **tx, "email", &id.to_string(), now).await?;
        }
        Ok(())
    }

    /// Records one SMS (where the institution allows it) or e-mail for a recipient, with its job.
    #[expect(
        clippy::too_many_arguments,
        reason = "a delivery carries its channel, address, message and the record to mark"
    )]
    async fn deliver(
        &self,
        tx: &mut klade_store::Tx,
        institution: klade_domain::InstitutionId,
        sms_allowed: bool,
        r: &klade_store::notifications::Recipient,
        subject: &str,
        text: &str,
        now: i64,
    ) -> Result<(), klade_store::StoreError> {
        match (r.channel.as_str(), &r.phone, &r.email) {
            ("sms", Some(phone), _) if sms_allowed => {
                let id = sms::insert(&mut **tx, Some(institution), Some(r.person), phone, text, now).await?;
                jobs::enqueue(&mut **tx, "sms", &id.to_string(), now).await?;
            }
            ("email", _, Some(to)) => {
                self.record_email(tx, institution, Some(r.person), to, subject, text, now)
                    .await?;
            }
            ("push", _, _) => {
                for s in klade_store::push::of_person(&mut **tx, r.person).await? {
                    let payload =
                        serde_json::json!({ "subscription": s.id, "title": subject, "body": text, "url": "/" });
                    jobs::enqueue(&mut **tx, "push", &payload.to_string(), now).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Runs forever, looking for due jobs every `every`, with the clock `now`.
    pub async fn run(self, every: Duration, now: impl Fn() -> i64) {
        loop {
            if let Err(e) = self.run_due(now()).await {
                tracing::error!("job queue: {e}");
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// The words after "parole:" / "password:" are replaced, so a delivered password is not stored.
pub fn redact(body: &str) -> String {
    let mut out = Vec::new();
    let mut hide = false;
    for word in body.split(' ') {
        if hide && !word.is_empty() {
            out.push("••••••".to_string());
            hide = false;
            continue;
        }
        let lower = word.to_lowercase();
        hide = lower.ends_with("parole:") || lower.ends_with("password:");
        out.push(word.to_string());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(4), 240);
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("Klade: lietotājvārds: anna, parole: Xy7kPq2mNb4z. Nomainiet to."),
            "Klade: lietotājvārds: anna, parole: •••••• Nomainiet to."
        );
        assert_eq!(redact("bez paroles"), "bez paroles");
    }
}
