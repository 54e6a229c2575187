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
//!
//! Webhooks go to public addresses only. A subscription whose host is, or resolves to, a
//! loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10, where cloud
//! metadata lives), shared (100.64/10), unspecified, multicast or reserved address is refused
//! when it is created, and again at each delivery: the courier resolves the host, checks every
//! address, and connects only to the addresses it checked (no proxy, no redirects), so a name
//! that later resolves inside is not followed there. An admin lets chosen hosts through with
//! `server.webhook_allow` (or `BOOKSYGO_WEBHOOK_ALLOW`): a comma-separated list of `host` or
//! `host:port` (`[v6]:port` for IPv6 with a port).

use crate::error::{Error, Result};
use crate::events::Event;
use crate::store::{Delivered, Unit};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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
    parse_url(url)?;
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

/// An http(s) URL with a host.
fn parse_url(url: &str) -> Result<reqwest::Url> {
    let url = url.trim();
    // The text given is not repeated: a URL may carry a password, and where it sits is known
    // only once the URL parses as http(s).
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::invalid(format!(
            "the webhook URL is not a URL ({e}): write https://HOST/PATH"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(format!(
            "a webhook URL must be http(s), not {}: write https://HOST/PATH",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!("'{url}' has no host")));
    }
    Ok(parsed)
}

/// The setting that lists the hosts webhooks may reach although they are internal.
pub const ALLOW_SETTING: &str = "server.webhook_allow";
/// The environment variable that does the same (beside `BOOKSYGO_SERVER_WEBHOOK_ALLOW`).
pub const ALLOW_ENV: &str = "BOOKSYGO_WEBHOOK_ALLOW";

/// Hosts an admin lets webhooks reach although they are internal: `host` (any port) or
/// `host:port`. Empty: public addresses only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allow {
    entries: Vec<(String, Option<u16>)>,
}

impl Allow {
    /// Public addresses only.
    pub fn none() -> Allow {
        Allow::default()
    }

    /// A comma-separated list of `host`, `host:port`, `[v6]` or `[v6]:port`.
    pub fn parse(list: &str) -> Result<Allow> {
        let mut entries = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let bad = || {
                Error::invalid(format!(
                    "{ALLOW_SETTING}: '{item}' is not a host or host:port"
                ))
            };
            let (host, port) = if let Some(rest) = item.strip_prefix('[') {
                let (host, after) = rest.split_once(']').ok_or_else(bad)?;
                let port = match after {
                    "" => None,
                    p => Some(p.strip_prefix(':').ok_or_else(bad)?),
                };
                (host, port)
            } else if item.parse::<IpAddr>().is_ok() {
                (item, None)
            } else {
                match item.rsplit_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (item, None),
                }
            };
            let port = port
                .map(|p| p.parse::<u16>().map_err(|_| bad()))
                .transpose()?;
            if host.is_empty() || host.contains(['/', ' ', '@']) {
                return Err(bad());
            }
            entries.push((normal_host(host), port));
        }
        Ok(Allow { entries })
    }

    /// `BOOKSYGO_WEBHOOK_ALLOW`, else `server.webhook_allow` (environment or config file).
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Allow> {
        match std::env::var(ALLOW_ENV) {
            Ok(v) if !v.trim().is_empty() => Allow::parse(&v),
            _ => Allow::parse(&settings.get(ALLOW_SETTING).unwrap_or_default()),
        }
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        let host = normal_host(host);
        self.entries
            .iter()
            .any(|(h, p)| *h == host && p.is_none_or(|p| p == port))
    }
}

/// A host as compared: lower case, without the brackets of an IPv6 literal, an IP address in
/// its canonical form.
fn normal_host(host: &str) -> String {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.trim_end_matches('.').to_ascii_lowercase(),
    }
}

/// Why `ip` is no place for a webhook, or `None` for a public address.
pub fn internal_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => "an unspecified address",
        (0, _, _) => "an unspecified address (0.0.0.0/8)",
        (127, _, _) => "a loopback address",
        (10, _, _) | (192, 168, _) => "a private address (RFC 1918)",
        (172, 16..=31, _) => "a private address (RFC 1918)",
        (169, 254, _) => "a link-local address (where cloud metadata lives)",
        (100, 64..=127, _) => "a shared address (100.64.0.0/10, cloud metadata on some hosts)",
        (192, 0, 0) => "a reserved address (192.0.0.0/24)",
        (198, 18..=19, _) => "a reserved address (198.18.0.0/15)",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) => "a reserved address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_kind(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return v4_kind(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    Some(match s[0] {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        0 if s[..6] == [0; 6] => "a reserved address (IPv4-compatible)",
        0xfc00..=0xfdff => "a private address (fc00::/7, cloud metadata on some hosts)",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local address",
        0xff00..=0xffff => "a multicast address",
        _ => return None,
    })
}

/// Where a webhook may be delivered: its URL, and the addresses its host resolved to, each
/// checked. Connect to these addresses only.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: reqwest::Url,
    /// The host's name when it is not an IP address (the addresses stand in for its DNS).
    pub name: Option<String>,
    pub addrs: Vec<SocketAddr>,
}

/// How long resolving a webhook's host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Checks that `url` may receive webhooks: an http(s) URL whose host is, or resolves only
/// to, public addresses, unless `allow` names the host (and port). A refusal is
/// [`Error::Invalid`] naming the address and what it is.
pub async fn check_target(url: &str, allow: &Allow) -> Result<Target> {
    let parsed = parse_url(url)?;
    let host = parsed.host_str().unwrap_or_default();
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let allowed = allow.allows(&bare, port);
    let (name, addrs) = match bare.parse::<IpAddr>() {
        Ok(ip) => (None, vec![SocketAddr::new(ip, port)]),
        Err(_) => {
            let found = tokio::time::timeout(
                RESOLVE_TIMEOUT,
                tokio::net::lookup_host((bare.as_str(), port)),
            )
            .await
            .map_err(|_| {
                Error::invalid(format!(
                    "cannot resolve the webhook host '{bare}': no answer within {}s",
                    RESOLVE_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| {
                Error::invalid(format!("cannot resolve the webhook host '{bare}': {e}"))
            })?;
            let mut addrs: Vec<SocketAddr> = Vec::new();
            for a in found {
                if !addrs.contains(&a) {
                    addrs.push(a);
                }
            }
            if addrs.is_empty() {
                return Err(Error::invalid(format!(
                    "the webhook host '{bare}' has no address"
                )));
            }
            (Some(bare.clone()), addrs)
        }
    };
    if !allowed
        && let Some((addr, kind)) = addrs
            .iter()
            .find_map(|a| internal_kind(a.ip()).map(|k| (a.ip(), k)))
    {
        let via = match &name {
            Some(n) => format!("'{n}' resolves to {addr},"),
            None => format!("{addr} is"),
        };
        return Err(Error::invalid(format!(
            "webhooks only go to public addresses: {via} {kind}. An admin can allow the \
             host with {ALLOW_SETTING} (or {ALLOW_ENV}), e.g. {ALLOW_ENV}={}:{port}",
            match addr {
                IpAddr::V6(_) if name.is_none() => format!("[{bare}]"),
                _ => name.clone().unwrap_or_else(|| bare.clone()),
            }
        )));
    }
    Ok(Target {
        url: parsed,
        name,
        addrs,
    })
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
    /// Hosts that may be reached although they are internal.
    allow: Allow,
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
    /// A courier that delivers to public addresses only.
    pub fn new() -> Courier {
        Courier::with_allow(Allow::none())
    }

    /// A courier that also reaches the internal hosts `allow` names.
    pub fn with_allow(allow: Allow) -> Courier {
        Courier {
            allow,
            owner: crate::ids::new("crr"),
        }
    }

    /// A client for one subscription's deliveries: it connects only to the addresses the
    /// target was checked at (its own DNS is not asked), through no proxy, and follows no
    /// redirect (a 3xx is a failed delivery).
    fn client_for(target: &Target) -> std::result::Result<reqwest::Client, String> {
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("booksygo-webhooks/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if let Some(name) = &target.name {
            b = b.resolve_to_addrs(name, &target.addrs);
        }
        b.build().map_err(|e| format!("no HTTP client: {e}"))
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
            // Resolved and checked once per round, at the first event to send.
            let mut client: Option<reqwest::Client> = None;
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
                let http = match &client {
                    Some(c) => c.clone(),
                    None => match check_target(&hook.url, &self.allow)
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|t| Courier::client_for(&t))
                    {
                        Ok(c) => {
                            client = Some(c.clone());
                            c
                        }
                        Err(why) => {
                            tracing::warn!(
                                webhook = %hook.id,
                                error = %why,
                                "webhook not delivered: its address is refused; it will be retried"
                            );
                            failure = Some(why);
                            round.failed += 1;
                            break;
                        }
                    },
                };
                match post(&http, &hook.url, &secret, &event, now).await {
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
    fn a_refused_webhook_url_never_shows_its_password() {
        for url in ["ftp://u:hunter2@hooks.example.com/x", "u:hunter2 not a url"] {
            let e = parse_url(url).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }

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
