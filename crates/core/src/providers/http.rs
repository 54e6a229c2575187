//! What every supplier client shares: one reqwest client, retries on 429 that honour
//! `Retry-After` within the caller's deadline, and errors that name the supplier and say how
//! to fix what can be fixed. Secrets never reach an error message: they travel in headers
//! only, and reqwest's errors show the URL, never the headers.

use crate::error::{Error, Result};
use std::time::{Duration, Instant};

/// How many times a rate-limited call is tried in all.
pub const MAX_ATTEMPTS: u32 = 3;

/// One supplier's HTTP client and how to talk about it in errors.
#[derive(Clone)]
pub struct SupplierHttp {
    pub client: reqwest::Client,
    /// "Duffel", "Stripe", "Amadeus".
    pub supplier: &'static str,
    /// What to do when the supplier rejects our credentials.
    pub auth_hint: &'static str,
}

/// A supplier's answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl SupplierHttp {
    pub fn new(supplier: &'static str, auth_hint: &'static str, timeout: Duration) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("booksygo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(SupplierHttp {
            client,
            supplier,
            auth_hint,
        })
    }

    /// Sends the request `build` makes, again after a 429 when `Retry-After` (or a short
    /// backoff) fits in `budget`; gives up with a partial-result error otherwise. Network
    /// failures and timeouts come back as `SuppliersFailed` naming the supplier.
    pub async fn send(
        &self,
        budget: Duration,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let resp = build().send().await.map_err(|e| self.network(e))?;
            let status = resp.status().as_u16();
            if status == 429 {
                let wait = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or_else(|| Duration::from_millis(250 << attempt));
                if attempt >= MAX_ATTEMPTS || started.elapsed() + wait >= budget {
                    return Err(Error::SuppliersFailed(vec![format!(
                        "{} is rate limiting us (429 after {attempt} attempt{}); it asks to wait {} s",
                        self.supplier,
                        if attempt == 1 { "" } else { "s" },
                        wait.as_secs()
                    )]));
                }
                tokio::time::sleep(wait).await;
                continue;
            }
            let body = resp.bytes().await.map_err(|e| self.network(e))?.to_vec();
            return Ok(Answer { status, body });
        }
    }

    fn network(&self, e: reqwest::Error) -> Error {
        let what = if e.is_timeout() {
            "did not answer in time".to_string()
        } else if e.is_connect() {
            "cannot be reached".to_string()
        } else {
            format!("failed: {}", e.without_url())
        };
        Error::SuppliersFailed(vec![format!("{} {what}", self.supplier)])
    }

    /// The error for a non-2xx answer. `message` is the supplier's own explanation;
    /// `unavailable` says whether it means an offer expired or sold out (a 422 at Duffel).
    pub fn status_error(&self, status: u16, message: &str, unavailable: bool) -> Error {
        let s = self.supplier;
        match status {
            401 | 403 => Error::AuthRequired(format!(
                "{s} rejected the credentials ({status}): {}",
                self.auth_hint
            )),
            404 => Error::NotFound(format!("{s}: {message}")),
            409 | 422 if unavailable => Error::Conflict(format!(
                "{s}: the offer is no longer available ({message}); search again for a fresh offer"
            )),
            400..=499 => Error::invalid(format!("{s} refused the request ({status}): {message}")),
            _ => Error::SuppliersFailed(vec![format!("{s} failed ({status}): {message}")]),
        }
    }
}

/// Whether an error leaves us not knowing if the supplier acted (timeouts, 5xx): then the
/// outcome must be looked up, never assumed.
pub fn is_ambiguous(e: &Error) -> bool {
    matches!(e, Error::SuppliersFailed(_))
}
