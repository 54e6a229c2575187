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
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;

pub const SIGNATURE_HEADER: &str = "BooksyGo-Signature";
pub const EVENT_ID_HEADER: &str = "BooksyGo-Event-Id";
/// Signatures older than this are refused by [`verify_signature`].
pub const TOLERANCE_SECONDS: i64 = 300;
/// Events sent per subscription per round.
const BATCH: usize = 100;
/// Longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// A subscription. The secret is shown once, when it is created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// Event types (`booking.confirmed`), prefixes (`booking.*`) or `*`.
    pub events: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Sequence number of the last event delivered.
    pub delivered_seq: i64,
    pub failures: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
}

/// Subscribes `url` to `events` (admins only).
pub fn create(
    conn: &Connection,
    actor: &str,
    url: &str,
    events: &[String],
    now: i64,
) -> Result<Webhook> {
    crate::admin::require_admin(conn, actor)?;
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
    let secret = format!("whsec_{}", hex(&raw));
    // New subscriptions start at the present: they get events from now on, not the history.
    let start = crate::events::last_seq(conn)?;
    conn.execute(
        "INSERT INTO webhooks (id, url, events, secret, delivered_seq, failures, next_attempt_at, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7)",
        params![id, url, events.join(","), secret, start, actor, now],
    )?;
    let mut w = get(conn, &id)?;
    w.secret = Some(secret);
    Ok(w)
}

pub fn list(conn: &Connection, actor: &str) -> Result<Vec<Webhook>> {
    crate::admin::require_admin(conn, actor)?;
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM webhooks ORDER BY created_at, id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.iter().map(|id| get(conn, id)).collect()
}

pub fn delete(conn: &Connection, actor: &str, id: &str) -> Result<()> {
    crate::admin::require_admin(conn, actor)?;
    if conn.execute("DELETE FROM webhooks WHERE id = ?1", [id])? == 0 {
        return Err(Error::NotFound(format!("no webhook {id}")));
    }
    Ok(())
}

fn get(conn: &Connection, id: &str) -> Result<Webhook> {
    conn.query_row(
        "SELECT id, url, events, delivered_seq, failures, last_error, next_attempt_at, created_at
         FROM webhooks WHERE id = ?1",
        [id],
        |r| {
            Ok(Webhook {
                id: r.get(0)?,
                url: r.get(1)?,
                events: r
                    .get::<_, String>(2)?
                    .split(',')
                    .map(str::to_string)
                    .collect(),
                secret: None,
                delivered_seq: r.get(3)?,
                failures: r.get(4)?,
                last_error: r.get(5)?,
                next_attempt_at: r.get(6)?,
                created_at: r.get(7)?,
            })
        },
    )
    .optional()?
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

/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "{t}.{body}">`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},v1={}", hex(&mac(secret, timestamp, body)))
}

fn mac(secret: &str, timestamp: i64, body: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    m.update(format!("{timestamp}.{body}").as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a `BooksyGo-Signature` header: a fresh timestamp (within [`TOLERANCE_SECONDS`]) and
/// a `v1` that matches, compared in constant time. Several `v1` entries may be present (while
/// a secret is being rotated); one match is enough.
pub fn verify_signature(secret: &str, header: &str, body: &str, now: i64) -> Result<()> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v.to_string()),
            _ => {}
        }
    }
    let t =
        timestamp.ok_or_else(|| Error::AuthRequired("the signature has no timestamp".into()))?;
    if (now - t).abs() > TOLERANCE_SECONDS {
        return Err(Error::AuthRequired(format!(
            "the signature's timestamp is {}s away from now (more than {TOLERANCE_SECONDS}s)",
            (now - t).abs()
        )));
    }
    let ok = candidates.iter().any(|c| {
        let Some(given) = unhex(c) else { return false };
        let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        m.update(format!("{t}.{body}").as_bytes());
        // verify_slice compares in constant time (and refuses a wrong length).
        m.verify_slice(&given).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::AuthRequired("the signature does not match".into()))
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
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

/// Delivers webhooks: one HTTP client, reused across rounds.
#[derive(Clone)]
pub struct Courier {
    http: reqwest::Client,
}

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
        let s = store.clone();
        let due: Vec<(Webhook, String)> = tokio::task::spawn_blocking(move || -> Result<_> {
            let conn = s.conn()?;
            let ids: Vec<(String, String)> = conn
                .prepare("SELECT id, secret FROM webhooks WHERE next_attempt_at <= ?1 ORDER BY id")?
                .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            ids.into_iter()
                .map(|(id, secret)| Ok((get(&conn, &id)?, secret)))
                .collect()
        })
        .await??;
        let mut round = Round::default();
        for (hook, secret) in due {
            let s = store.clone();
            let after = hook.delivered_seq;
            let events = tokio::task::spawn_blocking(move || {
                crate::events::since(&*s.conn()?, after, BATCH)
            })
            .await??;
            let mut cursor = after;
            let mut failure = None;
            for event in events {
                if !matches(&hook.events, &event.kind) {
                    cursor = event.seq;
                    continue;
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
            let s = store.clone();
            let id = hook.id.clone();
            let failures = hook.failures;
            tokio::task::spawn_blocking(move || -> Result<()> {
                let conn = s.conn()?;
                match failure {
                    None => conn.execute(
                        "UPDATE webhooks SET delivered_seq = ?2, failures = 0, last_error = NULL, next_attempt_at = 0 WHERE id = ?1",
                        params![id, cursor],
                    )?,
                    Some(why) => conn.execute(
                        "UPDATE webhooks SET delivered_seq = ?2, failures = ?3, last_error = ?4, next_attempt_at = ?5 WHERE id = ?1",
                        params![id, cursor, failures + 1, why, now + backoff_seconds(failures + 1)],
                    )?,
                };
                Ok(())
            })
            .await??;
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
    fn signatures_verify_and_tampering_is_caught() {
        let body = r#"{"id":"evt_1","type":"booking.confirmed"}"#;
        let header = sign("whsec_abc", 1_000, body);
        assert!(verify_signature("whsec_abc", &header, body, 1_010).is_ok());
        assert!(verify_signature("whsec_abc", &header, &body.replace('1', "2"), 1_010).is_err());
        assert!(verify_signature("whsec_other", &header, body, 1_010).is_err());
        assert!(
            verify_signature("whsec_abc", &header, body, 1_000 + TOLERANCE_SECONDS + 1).is_err()
        );
        assert!(verify_signature("whsec_abc", "v1=00", body, 1_000).is_err());
        // Rotation: an old and a new signature side by side; one match is enough.
        let both = format!("{},v1=deadbeef", header);
        assert!(verify_signature("whsec_abc", &both, body, 1_000).is_ok());
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
