//! The notifier's round: announce the events after its cursor and the reminders that are due,
//! then send the e-mails that are due, each under its own lease.
//!
//! Once per event and channel: the notices of a batch of events are added in the unit of work
//! that moves the cursor, under the cursor's lease, and a notice is unique per (event, user,
//! kind). An e-mail leaves `pending` once, by the courier that leased it. A crash after the SMTP
//! server accepted a message and before it was marked sent would send it again at the next
//! lease (at least once on the wire); the message keeps its `Message-ID`, so a receiving
//! server or client can tell it is the same message.

use super::compose;
use super::mail::{Mailer, Outcome, Outgoing};
use crate::error::Result;
use crate::store::Store;
use crate::store::port::Sent;
use std::sync::Arc;
use std::time::Duration;

/// Events read per round.
const BATCH: usize = 200;
/// E-mails sent per round.
const MAIL_BATCH: usize = 50;
/// How long a courier holds an e-mail (longer than an SMTP exchange's timeouts).
const LEASE_SECONDS: i64 = 120;
/// Temporary refusals before an e-mail is given up (`dead`).
pub const MAX_TRIES: u32 = 6;
/// The wait after the n-th temporary refusal: 1 min, 5 min, 25 min, then 2 h, capped at 6 h.
pub fn backoff(tries: u32) -> i64 {
    let minutes = 5_i64.saturating_pow(tries.saturating_sub(1)).min(360);
    minutes * 60
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Notices kept (inbox, e-mail or both).
    pub noticed: usize,
    pub sent: usize,
    /// Temporary refusals, tried again later.
    pub deferred: usize,
    /// Given up (permanent refusal or out of tries).
    pub failed: usize,
}

/// Announces and sends; one per process, any number per database.
#[derive(Clone)]
pub struct Notifier {
    mailer: Option<Arc<Mailer>>,
    owner: String,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("mailer", &self.mailer)
            .finish()
    }
}

impl Notifier {
    /// A notifier that sends e-mail with `mailer` (inbox only without one).
    pub fn new(mailer: Option<Mailer>) -> Notifier {
        Notifier {
            mailer: mailer.map(Arc::new),
            owner: crate::ids::new("ntf"),
        }
    }

    /// The notifier the settings describe (see [`super::mail`]).
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Notifier> {
        Ok(Notifier::new(Mailer::from_settings(settings)?))
    }

    pub fn sends_email(&self) -> bool {
        self.mailer.is_some()
    }

    /// `scheme://host:port` of the SMTP server, when there is one.
    pub fn describe(&self) -> Option<&str> {
        self.mailer.as_deref().map(Mailer::describe)
    }

    /// Rounds every `every` until the task is dropped (the server's background task).
    pub async fn run(self, store: Store, clock: crate::config::Clock, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (me, store) = (self.clone(), store.clone());
            let now = clock.now().as_second();
            match tokio::task::spawn_blocking(move || me.round(&store, now)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "notification round failed"),
                Err(e) => tracing::error!(error = %e, "notification round stopped"),
            }
        }
    }

    /// Whether a round at `now` has anything to do (cheap: three reads: new events, e-mail due,
    /// a trip within a day not yet reminded of), so that a command-line run pays for a write
    /// only when there is news.
    pub fn has_work(&self, store: &Store, now: i64) -> Result<bool> {
        store.read(|u| {
            let behind = u.outbox().last_seq()? > u.notices().cursor()?;
            let mail = self.mailer.is_some() && !u.notices().due_mail(now, 1)?.is_empty();
            let at = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            Ok(behind || mail || !super::compose::reminders(u, at)?.is_empty())
        })
    }

    /// Announces what is new before an inbox is read, so that a traveller sees the notice of
    /// what they just did (no e-mail is sent here; the rounds send it). Two reads when there
    /// is nothing new.
    pub fn catch_up(&self, store: &Store, now: i64) -> Result<usize> {
        let behind = store.read(|u| Ok(u.outbox().last_seq()? > u.notices().cursor()?))?;
        if behind {
            self.announce(store, now)
        } else {
            Ok(0)
        }
    }

    /// One round at `now` (unix seconds). Blocking: SMTP and the database.
    pub fn round(&self, store: &Store, now: i64) -> Result<Round> {
        let mut round = Round::default();
        round.noticed += self.announce(store, now)?;
        if let Some(mailer) = &self.mailer {
            self.send_due(store, mailer, now, &mut round)?;
        }
        Ok(round)
    }

    /// Adds the notices for the events after the cursor and the reminders due at `now`.
    fn announce(&self, store: &Store, now: i64) -> Result<usize> {
        let mail = self.mailer.is_some();
        let at = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        store.write(|u| {
            let Some(cursor) = u
                .notices()
                .lease_cursor(&self.owner, now, now + LEASE_SECONDS)?
            else {
                return Ok(0);
            };
            let mut kept = 0;
            let mut last = cursor;
            for event in u.outbox().since(cursor, None, BATCH)? {
                last = event.seq;
                for draft in compose::drafts(u, &event)? {
                    kept += usize::from(compose::keep(u, &draft, mail, now)?);
                }
            }
            for draft in compose::reminders(u, at)? {
                kept += usize::from(compose::keep(u, &draft, mail, now)?);
            }
            u.notices().settle_cursor(&self.owner, last)?;
            Ok(kept)
        })
    }

    fn send_due(&self, store: &Store, mailer: &Mailer, now: i64, round: &mut Round) -> Result<()> {
        let started = std::time::Instant::now();
        let clock = || now + started.elapsed().as_secs() as i64;
        for id in store.read(|u| u.notices().due_mail(now, MAIL_BATCH))? {
            let at = clock();
            let leased = store.write(|u| {
                u.notices()
                    .lease_mail(&id, &self.owner, at, at + LEASE_SECONDS)
            })?;
            let Some(mail) = leased else { continue };
            let calendar = match &mail.booking {
                Some(booking) => store
                    .read(|u| crate::booking::desk::load(u, &mail.user, booking))
                    .ok()
                    .map(|b| {
                        let name = format!("booksygo-{}.ics", b.confirmation_code);
                        let ics = crate::booking::ics::calendar(
                            &format!("BooksyGo {}", b.confirmation_code),
                            std::slice::from_ref(&b),
                            jiff::Timestamp::from_second(mail.created_at)
                                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                        );
                        (name, ics)
                    }),
                None => None,
            };
            let outcome = mailer.send(&Outgoing {
                id: &mail.id,
                to: &mail.to,
                locale: &mail.locale,
                subject: &mail.subject,
                text: &mail.text,
                html: &mail.html,
                created_at: mail.created_at,
                calendar,
            });
            let at = clock();
            let settled = match outcome {
                Outcome::Accepted => {
                    round.sent += 1;
                    Sent::Delivered { at }
                }
                Outcome::Temporary(why) if mail.attempts + 1 < MAX_TRIES => {
                    round.deferred += 1;
                    tracing::warn!(notice = %mail.id, error = %why, "e-mail deferred");
                    Sent::Retry {
                        retry_at: at + backoff(mail.attempts + 1),
                        why,
                    }
                }
                Outcome::Temporary(why) => {
                    round.failed += 1;
                    tracing::error!(notice = %mail.id, error = %why, "e-mail given up after the last try");
                    Sent::GaveUp {
                        status: "dead",
                        why,
                    }
                }
                Outcome::Permanent(why) => {
                    round.failed += 1;
                    tracing::error!(notice = %mail.id, error = %why, "e-mail refused for good");
                    Sent::GaveUp {
                        status: "failed",
                        why,
                    }
                }
            };
            store.write(|u| u.notices().settle_mail(&id, &self.owner, &settled, at))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(2), 300);
        assert_eq!(backoff(3), 1500);
        assert_eq!(backoff(5), 360 * 60);
        assert_eq!(backoff(40), 360 * 60);
    }
}
