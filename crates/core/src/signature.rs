//! Timestamped HMAC-SHA256 signatures, the scheme Stripe uses and our outgoing webhooks use
//! too: the header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]` and each `v1` is HMAC-SHA256,
//! keyed with the shared secret, over `"{t}.{raw body}"`. A signature is good when any `v1`
//! entry matches (every entry is compared, each in constant time) and `t` is within
//! [`TOLERANCE_SECONDS`] of now. The raw bytes are signed, never re-serialised JSON.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NoTimestamp,
    NoSignature,
    Mismatch,
    /// Signed this many seconds away from now.
    Stale(i64),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoTimestamp => write!(f, "the signature has no timestamp (t=)"),
            Refused::NoSignature => write!(f, "the signature has no v1 entry"),
            Refused::Mismatch => write!(f, "the signature does not match this body and secret"),
            Refused::Stale(s) => write!(
                f,
                "the signature was made {s} s from now, more than the {TOLERANCE_SECONDS} s allowed"
            ),
        }
    }
}

fn mac(secret: &str, t: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    m.update(format!("{t}.").as_bytes());
    m
}

/// Hex HMAC-SHA256 of `"{t}.{body}"`: one `v1` entry.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut m = mac(secret, t);
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A whole header: `t=<t>,v1=<hex>`.
pub fn header(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", sign(secret, t, body))
}

/// Checks `header` against the raw `body` at `now` (unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), Refused> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) if t.is_none() => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v),
            _ => {}
        }
    }
    let t = t.ok_or(Refused::NoTimestamp)?;
    if candidates.is_empty() {
        return Err(Refused::NoSignature);
    }
    let mut m = mac(secret, t);
    m.update(body);
    let mut ok = false;
    for c in candidates {
        if let Some(bytes) = unhex(c) {
            ok |= m.clone().verify_slice(&bytes).is_ok();
        }
    }
    if !ok {
        return Err(Refused::Mismatch);
    }
    // Any timestamp may be signed: its distance from now is taken without overflow.
    let age = i64::try_from(now.abs_diff(t)).unwrap_or(i64::MAX);
    if age > TOLERANCE_SECONDS {
        return Err(Refused::Stale(age));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_tampered_wrong_secret_stale_and_rotated() {
        let body = br#"{"id":"evt_1","type":"booking.confirmed"}"#;
        let h = header("whsec_abc", 1_000, body);
        assert_eq!(verify("whsec_abc", &h, body, 1_010), Ok(()));
        assert_eq!(
            verify("whsec_abc", &h, b"{}", 1_010),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", &h, body, 1_010),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify("whsec_abc", &h, body, 1_000 + TOLERANCE_SECONDS + 1),
            Err(Refused::Stale(TOLERANCE_SECONDS + 1))
        );
        assert_eq!(
            verify("whsec_abc", "v1=00", body, 1_000),
            Err(Refused::NoTimestamp)
        );
        assert_eq!(
            verify("whsec_abc", "t=1000,v0=ab", body, 1_000),
            Err(Refused::NoSignature)
        );
        // While a secret rotates, several v1 entries: one match is enough.
        let both = format!("t=1000,v1=deadbeef,v1={}", sign("whsec_abc", 1_000, body));
        assert_eq!(verify("whsec_abc", &both, body, 1_000), Ok(()));
    }
}
