//! Outgoing webhooks: admins subscribe URLs to outbox events; each event is POSTed to every
//! matching subscription, signed, in order, and retried with backoff until it is accepted.
//!
//! Delivery is at least once: a subscription's cursor (the last event sequence number
//! accepted) moves only after the receiver answered 2xx, so a crash or a failed POST means the
//! event is sent again. Receivers deduplicate by the `BooksyGo-Event-Id` header.
//!
//! The signature header is `BooksyGo-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
//! HMAC-SHA256, keyed with the subscription's secret, over `"{t}.{raw body}"`. Receivers check
//! it with [`verify_signature`] (or the same four lines in any language) and refuse
//! timestamps older than five minutes.

use crate::error::{Error, Result};
use crate::events::Event;
use crate::store::{Delivered, Unit};
use std::time::Duration;

pub use crate::store::Webhook;

pub const SIGNATURE_HEADER: &str = "BooksyGo-Signature";
pub const EVENT_ID_HEADER: &str = "BooksyGo-Event-Id";
/// Signatures further from now than this are refused by [`verify_signature`].
pub use crate::signature::TOLERANCE_SECONDS;
/// Events sent per subscription per round.
const BATCH: usize = 100;
/// Longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// Subscribes `url` to `events` (admins only).
pub fn create(
    unit: &dyn Unit,
    actor: &str,
    url: &str,
    events: &[String],
    now: i64,
) -> Result<Webhook> {
    crate::admin::require_admin(unit, actor)?;
    let url = url.trim();
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::invalid(format!("'{url}' is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(format!("'{url}' must be an http(s) URL")));
    }
    let events: Vec<String> = if events.is_empty() {
        vec!["*".to_string()]
    } else {
        events.iter().map(|e| e.trim().to_string()).collect()
    };
    if let Some(bad) = events.iter().find(|e| {
        e.is_empty()
            || !e
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_' || c == '*')
    }) {
        return Err(Error::invalid(format!(
            "'{bad}' is not an event pattern: use a type like booking.confirmed, a prefix like booking.*, or *"
        )));
    }
    let id = crate::ids::new("whk");
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    let secret = format!(
        "whsec_{}",
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    // New subscriptions start at the present: they get events from now on, not the history.
    let start = crate::events::last_seq(unit)?;
    unit.subscriptions()
        .insert(&id, url, &events, &secret, start, actor, now)?;
    let mut w = get(unit, &id)?;
    w.secret = Some(secret);
    Ok(w)
}

pub fn list(unit: &dyn Unit, actor: &str) -> Result<Vec<Webhook>> {
    crate::admin::require_admin(unit, actor)?;
    unit.subscriptions().list()
}

pub fn delete(unit: &dyn Unit, actor: &str, id: &str) -> Result<()> {
    crate::admin::require_admin(unit, actor)?;
    if !unit.subscriptions().delete(id)? {
        return Err(Error::NotFound(format!("no webhook {id}")));
    }
    Ok(())
}

fn get(unit: &dyn Unit, id: &str) -> Result<Webhook> {
    unit.subscriptions()
        .get(id)?
        .ok_or_else(|| Error::NotFound(format!("no webhook {id}")))
}

fn matches(patterns: &[String], kind: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == kind
            || p.strip_suffix('*')
                .is_some_and(|prefix| kind.starts_with(prefix))
    })
}

/// The body POSTed for an event.
pub fn body(event: &Event) -> String {
    serde_json::json!({
        "id": event.id,
        "type": event.kind,
        "created_at": event.created_at,
        "subject_id": event.subject_id,
        "user_id": event.user_id,
        "data": event.payload,
    })
    .to_string()
}

/// The `BooksyGo-Signature` header for a body sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    crate::signature::header(secret, timestamp, body.as_bytes())
}

/// Checks a `BooksyGo-Signature` header (see [`crate::signature`]): a fresh timestamp and a
/// matching `v1`; several `v1` entries may be present while a secret is rotated.
pub fn verify_signature(secret: &str, header: &str, body: &str, now: i64) -> Result<()> {
    crate::signature::verify(secret, header, body.as_bytes(), now)
        .map_err(|why| Error::AuthRequired(why.to_string()))
}

/// Wait before attempt `failures + 1`: 5 s, 10 s, 20 s, ... up to an hour.
pub fn backoff_seconds(failures: u32) -> i64 {
    (5_i64 << failures.min(20).saturating_sub(1)).min(MAX_BACKOFF_SECONDS)
}

/// What one delivery round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// Delivers webhooks: one HTTP client, reused across rounds. Every server process runs one;
/// a subscription is delivered only by the courier that holds its lease, so each event
/// reaches each subscription once and in order, whichever process delivers it.
#[derive(Clone)]
pub struct Courier {
    http: reqwest::Client,
    /// Who holds a lease: this courier, in this process.
    owner: String,
}

/// How long a courier holds a subscription without renewing it; it renews before each POST
/// (which times out after 10 s). A courier that died holding a lease is replaced after it.
pub const LEASE_SECONDS: i64 = 120;

impl Default for Courier {
    fn default() -> Self {
        Courier::new()
    }
}

impl Courier {
    pub fn new() -> Courier {
        Courier {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .user_agent(concat!("booksygo-webhooks/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("a default HTTP client builds"),
            owner: crate::ids::new("crr"),
        }
    }

    /// Delivery rounds every `every` until the task is dropped or aborted.
    pub async fn run(self, store: crate::store::Store, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self
                .deliver_due(&store, jiff::Timestamp::now().as_second())
                .await
            {
                tracing::error!(error = %e, "webhook delivery round failed");
            }
        }
    }

    /// One delivery round at `now` (unix seconds): for every subscription that is due, POST its
    /// pending events in order, stopping at the first failure (retried after a backoff).
    /// Blocking database calls run on the blocking pool.
    pub async fn deliver_due(&self, store: &crate::store::Store, now: i64) -> Result<Round> {
        let started = std::time::Instant::now();
        // The round's clock: `now`, moved on by the time the round has taken.
        let clock = move || now + started.elapsed().as_secs() as i64;
        let due = store.reading(move |u| u.subscriptions().due(now)).await?;
        let mut round = Round::default();
        for (id, secret) in due {
            // Take the lease just before delivering, or leave the subscription to the courier
            // that has it; read the hook after leasing: the cursor another courier left is
            // the one to follow.
            let (owner, at, hook_id) = (self.owner.clone(), clock(), id.clone());
            let leased = store
                .reading(move |u| {
                    let hooks = u.subscriptions();
                    if hooks.lease(&hook_id, &owner, at, at + LEASE_SECONDS)? {
                        hooks.get(&hook_id)
                    } else {
                        Ok(None)
                    }
                })
                .await?;
            let Some(hook) = leased else { continue };
            let after = hook.delivered_seq;
            let events = store
                .reading(move |u| crate::events::since(u, after, BATCH))
                .await?;
            let mut cursor = after;
            let mut failure = None;
            let mut lost = false;
            for event in events {
                if !matches(&hook.events, &event.kind) {
                    cursor = event.seq;
                    continue;
                }
                // Renew the lease before each delivery; a courier that lost it (it was too
                // slow and another took over) stops here and leaves the rest to the other.
                let (owner, at, hook_id) = (self.owner.clone(), clock(), hook.id.clone());
                let renewed = store
                    .reading(move |u| {
                        u.subscriptions()
                            .renew(&hook_id, &owner, at, at + LEASE_SECONDS)
                    })
                    .await?;
                if !renewed {
                    lost = true;
                    break;
                }
                match post(&self.http, &hook.url, &secret, &event, now).await {
                    Ok(()) => {
                        cursor = event.seq;
                        round.delivered += 1;
                    }
                    Err(why) => {
                        tracing::warn!(
                            webhook = %hook.id,
                            event = %event.id,
                            error = %why,
                            "webhook delivery failed; it will be retried"
                        );
                        failure = Some(why);
                        round.failed += 1;
                        break;
                    }
                }
            }
            if lost {
                continue;
            }
            let owner = self.owner.clone();
            let id = hook.id.clone();
            let failures = hook.failures;
            // The cursor moves and the lease is given back in one statement, and only while
            // the lease is still ours.
            let outcome = match failure {
                None => Delivered::All,
                Some(why) => Delivered::Failed {
                    why,
                    failures: failures + 1,
                    retry_at: now + backoff_seconds(failures + 1),
                },
            };
            store
                .reading(move |u| u.subscriptions().settle(&id, &owner, cursor, &outcome))
                .await?;
        }
        Ok(round)
    }
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    event: &Event,
    now: i64,
) -> std::result::Result<(), String> {
    let body = body(event);
    let resp = http
        .post(url)
        .header("Content-Type", "application/json")
        .header(SIGNATURE_HEADER, sign(secret, now, &body))
        .header(EVENT_ID_HEADER, &event.id)
        .body(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {}", resp.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_timestamp_and_v1_and_verifies() {
        let body = r#"{"id":"evt_1","type":"booking.confirmed"}"#;
        let header = sign("whsec_abc", 1_000, body);
        assert!(header.starts_with("t=1000,v1="), "{header}");
        assert!(verify_signature("whsec_abc", &header, body, 1_010).is_ok());
        let e = verify_signature("whsec_other", &header, body, 1_010).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::AuthRequired);
    }

    #[test]
    fn patterns_match_types_and_prefixes() {
        let p = vec!["booking.*".to_string(), "points.earned".to_string()];
        assert!(matches(&p, "booking.confirmed"));
        assert!(matches(&p, "points.earned"));
        assert!(!matches(&p, "points.redeemed"));
        assert!(matches(&["*".to_string()], "anything.at_all"));
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(
            (1..=5).map(backoff_seconds).collect::<Vec<_>>(),
            vec![5, 10, 20, 40, 80]
        );
        assert_eq!(backoff_seconds(30), MAX_BACKOFF_SECONDS);
    }
}
