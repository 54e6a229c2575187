//! PayPal on its Orders v2 API: an order per charge (`intent: CAPTURE`), the payer approves
//! it on PayPal (the `approve` link), a capture takes the money, refunds give it back, and
//! webhooks are checked with PayPal's own verification call
//! (`/v1/notifications/verify-webhook-signature`). Every mutating call carries a
//! `PayPal-Request-Id`, so a call sent again after a timeout is answered with the first
//! outcome instead of acting twice; a capture whose answer was lost is reconciled by the next
//! capture of the same order (PayPal replays it, or says it is already captured, and the order
//! then tells which capture took the money).
//!
//! Credentials: an app's client id and secret (OAuth2 client credentials, the token kept
//! until shortly before it expires). The sandbox is the default base URL.

use super::{Card, ChargeOutcome, PaymentProvider};
use crate::error::{Error, Result};
use crate::model::Money;
use crate::providers::Secret;
use crate::providers::http::SupplierHttp;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, Instant};

pub const NAME: &str = "paypal";
pub const SANDBOX_BASE_URL: &str = "https://api-m.sandbox.paypal.com";
pub const LIVE_BASE_URL: &str = "https://api-m.paypal.com";
pub const AUTH_HINT: &str = "PayPal rejected the app's credentials: set paypal.client_id and BOOKSYGO_PAYPAL_SECRET (or `booksygo config set-secret paypal.secret`)";

#[derive(Clone, Debug)]
pub struct PayPalConfig {
    pub client_id: String,
    pub secret: Secret,
    pub base_url: String,
    /// The webhook's id in the PayPal app, which the verification call needs.
    pub webhook_id: Option<String>,
    pub timeout: Duration,
}

impl PayPalConfig {
    pub fn new(client_id: &str, secret: Secret) -> Self {
        PayPalConfig {
            client_id: client_id.to_string(),
            secret,
            base_url: SANDBOX_BASE_URL.into(),
            webhook_id: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// "test" against the sandbox, "live" otherwise.
    pub fn mode(&self) -> &'static str {
        if self.base_url.contains("sandbox") {
            "test"
        } else {
            "live"
        }
    }
}

/// An order waiting for the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    /// Where the payer approves it.
    pub approve_url: String,
}

/// The headers PayPal signs a webhook delivery with.
#[derive(Debug, Clone, Default)]
pub struct WebhookHeaders {
    pub auth_algo: String,
    pub cert_url: String,
    pub transmission_id: String,
    pub transmission_sig: String,
    pub transmission_time: String,
}

impl WebhookHeaders {
    /// From a delivery's headers (`PAYPAL-AUTH-ALGO`, ...); `None` when one is missing.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<WebhookHeaders> {
        Some(WebhookHeaders {
            auth_algo: get("paypal-auth-algo")?,
            cert_url: get("paypal-cert-url")?,
            transmission_id: get("paypal-transmission-id")?,
            transmission_sig: get("paypal-transmission-sig")?,
            transmission_time: get("paypal-transmission-time")?,
        })
    }
}

#[derive(Debug, Deserialize)]
struct Token {
    access_token: String,
    expires_in: u64,
}

#[derive(Debug, Deserialize)]
struct Link {
    href: String,
    rel: String,
}

#[derive(Debug, Deserialize)]
struct OrderBody {
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    purchase_units: Vec<PurchaseUnit>,
}

#[derive(Debug, Deserialize)]
struct PurchaseUnit {
    #[serde(default)]
    payments: Option<Payments>,
}

#[derive(Debug, Deserialize)]
struct Payments {
    #[serde(default)]
    captures: Vec<Capture>,
}

#[derive(Debug, Deserialize)]
struct Capture {
    id: String,
    status: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
    #[serde(default)]
    error_description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    issue: String,
    #[serde(default)]
    description: Option<String>,
}

/// A non-2xx answer: its status, PayPal's issue code (`INSTRUMENT_DECLINED`) and message.
struct Refusal {
    status: u16,
    issue: Option<String>,
    message: String,
}

pub struct PayPalPayments {
    cfg: PayPalConfig,
    http: SupplierHttp,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl PayPalPayments {
    pub fn new(cfg: PayPalConfig) -> Result<Self> {
        let http = SupplierHttp::new("PayPal", AUTH_HINT, cfg.timeout)?;
        Ok(PayPalPayments {
            cfg,
            http,
            token: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &PayPalConfig {
        &self.cfg
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url.trim_end_matches('/'))
    }

    /// An access token, fetched again a minute before the last one expires.
    async fn token(&self) -> Result<String> {
        let mut held = self.token.lock().await;
        if let Some((token, until)) = held.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let url = self.url("/v1/oauth2/token");
        let answer = self
            .http
            .send(self.cfg.timeout, || {
                self.http
                    .client
                    .post(&url)
                    .basic_auth(&self.cfg.client_id, Some(self.cfg.secret.expose()))
                    .form(&[("grant_type", "client_credentials")])
            })
            .await?;
        if !(200..300).contains(&answer.status) {
            let refusal = refusal(answer.status, &answer.body);
            return Err(self
                .http
                .status_error(refusal.status, &refusal.message, false));
        }
        let t: Token = read(&answer.body)?;
        let until = Instant::now() + Duration::from_secs(t.expires_in.saturating_sub(60));
        *held = Some((t.access_token.clone(), until));
        Ok(t.access_token)
    }

    /// One JSON call with the bearer token and, when given, a `PayPal-Request-Id`.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        request_id: Option<&str>,
    ) -> Result<std::result::Result<serde_json::Value, Refusal>> {
        let token = self.token().await?;
        let url = self.url(path);
        let answer = self
            .http
            .send(self.cfg.timeout, || {
                let mut r = self
                    .http
                    .client
                    .request(method.clone(), &url)
                    .bearer_auth(&token)
                    .header("Prefer", "return=representation");
                if let Some(id) = request_id {
                    r = r.header("PayPal-Request-Id", id);
                }
                match body {
                    Some(b) => r.json(b),
                    None if method == reqwest::Method::POST => {
                        r.header("Content-Type", "application/json")
                    }
                    None => r,
                }
            })
            .await?;
        if (200..300).contains(&answer.status) {
            return Ok(Ok(read(&answer.body)?));
        }
        if answer.status == 401 {
            // The token may have been revoked early: forget it for the next call.
            *self.token.lock().await = None;
        }
        Ok(Err(refusal(answer.status, &answer.body)))
    }

    /// Creates an order for `amount`, tagged with `reference` (the booking).
    pub async fn create_order(
        &self,
        amount: Money,
        reference: &str,
        request_id: &str,
    ) -> Result<Order> {
        let body = json!({
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": reference,
                "custom_id": request_id,
                "amount": {
                    "currency_code": amount.currency.as_str(),
                    "value": amount.decimal(),
                },
            }],
        });
        match self
            .call(
                reqwest::Method::POST,
                "/v2/checkout/orders",
                Some(&body),
                Some(request_id),
            )
            .await?
        {
            Ok(v) => {
                let order: OrderBody = serde_json::from_value(v).map_err(unreadable)?;
                let approve_url = order
                    .links
                    .iter()
                    .find(|l| l.rel == "approve" || l.rel == "payer-action")
                    .map(|l| l.href.clone())
                    .ok_or_else(|| {
                        Error::SuppliersFailed(vec![format!(
                            "PayPal created order {} without an approval link",
                            order.id
                        )])
                    })?;
                Ok(Order {
                    id: order.id,
                    approve_url,
                })
            }
            Err(r) => Err(self.http.status_error(r.status, &r.message, false)),
        }
    }

    /// Captures an approved order. Declines come back as `Declined`; an order the payer has
    /// not approved yet is a conflict that says so (the payment keeps waiting); an order
    /// captured already (an answer lost earlier) is read back for its capture.
    pub async fn capture(&self, order_id: &str) -> Result<ChargeOutcome> {
        let path = format!("/v2/checkout/orders/{}/capture", segment(order_id)?);
        let request_id = format!("capture-{order_id}");
        match self
            .call(reqwest::Method::POST, &path, None, Some(&request_id))
            .await?
        {
            Ok(v) => outcome(serde_json::from_value(v).map_err(unreadable)?),
            Err(r) => match r.issue.as_deref() {
                Some("INSTRUMENT_DECLINED")
                | Some("PAYER_CANNOT_PAY")
                | Some("PAYEE_BLOCKED_TRANSACTION") => {
                    Ok(ChargeOutcome::Declined { reason: r.message })
                }
                Some("ORDER_NOT_APPROVED") | Some("PAYER_ACTION_REQUIRED") => {
                    Err(Error::Conflict(format!(
                        "the payer has not approved PayPal order {order_id} yet: open its approval link, then confirm the payment again"
                    )))
                }
                Some("ORDER_ALREADY_CAPTURED") => {
                    let order = self.order(order_id).await?;
                    outcome(order)
                }
                _ => Err(self.http.status_error(r.status, &r.message, false)),
            },
        }
    }

    /// One authenticated call (a token): whether PayPal accepts the app's credentials.
    pub async fn check(&self) -> Result<()> {
        self.token().await.map(|_| ())
    }

    /// What became of an order, read without acting on it: its capture's outcome, or `None`
    /// when nothing was captured (the payer never approved, or nobody captured it).
    pub async fn captured(&self, order_id: &str) -> Result<Option<ChargeOutcome>> {
        let order = self.order(order_id).await?;
        let has_capture = order
            .purchase_units
            .iter()
            .filter_map(|u| u.payments.as_ref())
            .any(|p| !p.captures.is_empty());
        if has_capture {
            outcome(order).map(Some)
        } else {
            Ok(None)
        }
    }

    async fn order(&self, order_id: &str) -> Result<OrderBody> {
        let path = format!("/v2/checkout/orders/{}", segment(order_id)?);
        match self.call(reqwest::Method::GET, &path, None, None).await? {
            Ok(v) => serde_json::from_value(v).map_err(unreadable),
            Err(r) => Err(self.http.status_error(r.status, &r.message, false)),
        }
    }

    /// Refunds `amount` of a capture; the refund's id.
    pub async fn refund_capture(
        &self,
        capture_id: &str,
        amount: Money,
        request_id: &str,
    ) -> Result<String> {
        let path = format!("/v2/payments/captures/{}/refund", segment(capture_id)?);
        let body = json!({"amount": {"currency_code": amount.currency.as_str(), "value": amount.decimal()}});
        match self
            .call(reqwest::Method::POST, &path, Some(&body), Some(request_id))
            .await?
        {
            Ok(v) => v["id"].as_str().map(str::to_string).ok_or_else(|| {
                Error::SuppliersFailed(vec!["PayPal answered a refund without its id".into()])
            }),
            Err(r) => Err(self.http.status_error(r.status, &r.message, false)),
        }
    }

    /// Asks PayPal whether a webhook delivery is genuine. `false` when PayPal says it is not;
    /// an error when no webhook id is configured or PayPal cannot be asked.
    pub async fn verify_webhook(
        &self,
        headers: &WebhookHeaders,
        event: &serde_json::Value,
    ) -> Result<bool> {
        let webhook_id = self.cfg.webhook_id.as_deref().ok_or_else(|| {
            Error::invalid("PayPal webhooks need the webhook's id: set paypal.webhook_id")
        })?;
        let body = json!({
            "auth_algo": headers.auth_algo,
            "cert_url": headers.cert_url,
            "transmission_id": headers.transmission_id,
            "transmission_sig": headers.transmission_sig,
            "transmission_time": headers.transmission_time,
            "webhook_id": webhook_id,
            "webhook_event": event,
        });
        match self
            .call(
                reqwest::Method::POST,
                "/v1/notifications/verify-webhook-signature",
                Some(&body),
                None,
            )
            .await?
        {
            Ok(v) => Ok(v["verification_status"] == "SUCCESS"),
            Err(r) => Err(self.http.status_error(r.status, &r.message, false)),
        }
    }
}

/// What an order says about its capture.
fn outcome(order: OrderBody) -> Result<ChargeOutcome> {
    let capture = order
        .purchase_units
        .iter()
        .filter_map(|u| u.payments.as_ref())
        .flat_map(|p| p.captures.iter())
        .next();
    match capture {
        Some(c) if matches!(c.status.as_str(), "COMPLETED" | "PENDING") => {
            Ok(ChargeOutcome::Succeeded {
                reference: c.id.clone(),
            })
        }
        Some(c) => Ok(ChargeOutcome::Declined {
            reason: format!("PayPal's capture {} is {}", c.id, c.status),
        }),
        None => Err(Error::SuppliersFailed(vec![format!(
            "PayPal order {} is {} without a capture",
            order.id, order.status
        )])),
    }
}

fn refusal(status: u16, body: &[u8]) -> Refusal {
    let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
    let issue = parsed
        .as_ref()
        .and_then(|b| b.details.first())
        .map(|d| d.issue.clone());
    let message = parsed
        .as_ref()
        .and_then(|b| {
            b.details
                .first()
                .and_then(|d| d.description.clone())
                .or_else(|| b.message.clone())
                .or_else(|| b.error_description.clone())
        })
        .unwrap_or_else(|| format!("HTTP {status}"));
    Refusal {
        status,
        issue,
        message,
    }
}

fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(unreadable)
}

fn unreadable(e: serde_json::Error) -> Error {
    Error::SuppliersFailed(vec![format!("PayPal sent an answer we cannot read: {e}")])
}

/// An id safe to put in a path (PayPal's are upper-case letters and digits).
fn segment(id: &str) -> Result<&str> {
    if !id.is_empty() && id.len() <= 36 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Error::invalid(format!("'{id}' is not a PayPal id")))
    }
}

#[async_trait]
impl PaymentProvider for PayPalPayments {
    fn name(&self) -> &str {
        NAME
    }

    /// PayPal takes no card: the order waits for the payer's approval (`RequiresAction`, the
    /// order's id as the reference); `confirm` captures it.
    async fn charge(
        &self,
        amount: Money,
        _card: &Card,
        idempotency_key: &str,
    ) -> Result<ChargeOutcome> {
        let order = self
            .create_order(amount, idempotency_key, idempotency_key)
            .await?;
        Ok(ChargeOutcome::RequiresAction {
            reference: order.id,
        })
    }

    async fn confirm(&self, reference: &str) -> Result<ChargeOutcome> {
        self.capture(reference).await
    }

    async fn refund(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String> {
        self.refund_capture(reference, amount, idempotency_key)
            .await
    }
}
