//! E-mail: reminders of check-ins coming due, and every in-app notification
//! sent on by SMTP once the administrator has set a relay. Notifications
//! are the outbox: each is written with the change that caused it, then
//! mailed once here (a failed send is tried again on the next round).

use crate::now_ms;
use anyhow::Context;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use waypoint_store::{MailSettings, Store};

/// How far ahead a check-in is reminded.
pub const REMIND_DAYS_AHEAD: i64 = 2;
/// How often the mailer looks for work.
const ROUND: Duration = Duration::from_secs(30);
/// How many messages one round sends at most.
const BATCH: i64 = 200;

/// Sends one plain-text message through the relay.
pub async fn send(
    settings: &MailSettings,
    to_name: &str,
    to_email: &str,
    subject: &str,
    text: String,
) -> anyhow::Result<()> {
    let from: Mailbox = settings
        .from
        .parse()
        .with_context(|| format!("the sender address {:?} is not valid", settings.from))?;
    let to = Mailbox::new(
        Some(to_name.to_owned()),
        to_email
            .parse()
            .with_context(|| format!("the address {to_email:?} is not valid"))?,
    );
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(text)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .timeout(Some(Duration::from_secs(15)))
        .build();
    transport.send(message).await.with_context(|| {
        format!(
            "the relay {}:{} refused the message",
            settings.host, settings.port
        )
    })?;
    Ok(())
}

/// The subject of a notification's message: its first words.
fn subject(body: &str) -> String {
    let short: String = body.chars().take(70).collect();
    if body.chars().count() > 70 {
        format!("Waypoint: {}…", short.trim_end())
    } else {
        format!("Waypoint: {}", short.trim_end_matches('.'))
    }
}

/// Reminds check-ins coming due, then mails what is waiting; how many
/// messages went.
pub async fn round(store: &dyn Store, public_url: &str) -> anyhow::Result<usize> {
    let now = now_ms();
    let today = crate::pages::growth::today();
    let due_by = today
        .checked_add(jiff::Span::new().days(REMIND_DAYS_AHEAD))
        .unwrap_or(today)
        .to_string();
    store.remind_check_ins(&due_by, now).await?;
    let Some(settings) = store.mail_settings().await?.filter(|s| s.enabled) else {
        return Ok(0);
    };
    let mut sent = 0;
    for m in store.outgoing_mail(BATCH).await? {
        let text = format!(
            "{}\n\nOpen it in Waypoint: {}{}\n\nYou receive this because you use Waypoint at your school or district.\n",
            m.body,
            public_url.trim_end_matches('/'),
            m.link
        );
        send(&settings, &m.to_name, &m.to_email, &subject(&m.body), text).await?;
        store.mark_emailed(m.notification, now_ms()).await?;
        sent += 1;
    }
    Ok(sent)
}

/// Runs [`round`] every half minute until `shutdown` resolves.
pub async fn run_mailer(
    store: Arc<dyn Store>,
    public_url: String,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match round(&*store, &public_url).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sent = n, "notifications e-mailed"),
            Err(e) => tracing::warn!(
                error = format!("{e:#}"),
                "e-mail round failed; trying again shortly"
            ),
        }
        tokio::select! {
            () = tokio::time::sleep(ROUND) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::subject;

    #[test]
    fn subjects_are_short() {
        assert_eq!(
            subject("Ana agreed your goal."),
            "Waypoint: Ana agreed your goal"
        );
        let long = "x".repeat(100);
        assert_eq!(subject(&long).chars().count(), "Waypoint: ".len() + 71);
    }
}
