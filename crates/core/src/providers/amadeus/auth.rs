//! The OAuth2 client-credentials token (cached until shortly before it expires) and the
//! authenticated call, with Amadeus's errors turned into ours.

use super::Amadeus;
use crate::error::{Error, Result};
use crate::providers::Secret;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A token is fetched again this long before Amadeus says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);

impl Amadeus {
    /// The cached token, or a new one.
    async fn token(&self) -> Result<Secret> {
        if let Ok(t) = self.token.lock()
            && let Some((token, until)) = t.as_ref()
            && Instant::now() + TOKEN_MARGIN < *until
        {
            return Ok(token.clone());
        }
        let url = self.url("/v1/security/oauth2/token");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.cfg.client_id.expose()),
            ("client_secret", self.cfg.client_secret.expose()),
        ];
        let answer = self
            .http
            .send(self.cfg.deadline, || {
                self.http.client.post(&url).form(&form)
            })
            .await?;
        if !(200..300).contains(&answer.status) {
            return Err(self.error(answer.status, &answer.body));
        }
        let v: Value = serde_json::from_slice(&answer.body)?;
        let token = v["access_token"]
            .as_str()
            .ok_or_else(|| Error::SuppliersFailed(vec!["Amadeus sent no access token".into()]))?;
        let ttl = Duration::from_secs(v["expires_in"].as_u64().unwrap_or(0));
        let token = Secret::new(token);
        if let Ok(mut t) = self.token.lock() {
            *t = Some((token.clone(), Instant::now() + ttl));
        }
        Ok(token)
    }

    fn forget_token(&self) {
        if let Ok(mut t) = self.token.lock() {
            *t = None;
        }
    }

    pub(crate) fn error(&self, status: u16, body: &[u8]) -> Error {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let e = &v["errors"][0];
        let message = match (e["title"].as_str(), e["detail"].as_str()) {
            (Some(t), Some(d)) => format!("{t}: {d}"),
            (Some(t), None) => t.to_string(),
            (None, Some(d)) => d.to_string(),
            _ => v["error_description"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP {status}")),
        };
        let lower = message.to_lowercase();
        let unavailable = lower.contains("no longer available")
            || lower.contains("sold out")
            || lower.contains("segment sell failure")
            || lower.contains("price discrepancy");
        self.http.status_error(status, &message, unavailable)
    }

    /// One authenticated call; a 401 fetches a new token and tries once more.
    pub(super) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let url = self.url(path);
        for attempt in 0..2 {
            let token = self.token().await?;
            let answer = self
                .http
                .send(self.cfg.deadline, || {
                    let mut r = self
                        .http
                        .client
                        .request(method.clone(), &url)
                        .bearer_auth(token.expose());
                    if let Some(b) = body {
                        r = r.json(b);
                    }
                    r
                })
                .await?;
            if answer.status == 401 && attempt == 0 {
                self.forget_token();
                continue;
            }
            if !(200..300).contains(&answer.status) {
                return Err(self.error(answer.status, &answer.body));
            }
            if answer.body.is_empty() {
                return Ok(Value::Null);
            }
            return Ok(serde_json::from_slice(&answer.body)?);
        }
        unreachable!("the loop returns on its second pass")
    }

    /// One cheap authenticated call (a token), for `providers check`.
    pub async fn check(&self) -> Result<()> {
        self.forget_token();
        self.token().await.map(|_| ())
    }
}
