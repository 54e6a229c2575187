//! Stripe PaymentIntents: create and confirm in one call, retrieve, confirm after 3-D Secure,
//! cancel, and refunds. Bodies are form-encoded; every mutating call carries an
//! `Idempotency-Key` so a retried call never charges twice.
//!
//! Cards: in test mode (`sk_test_` keys) Stripe's test card numbers are sent as its test
//! PaymentMethods (`pm_card_visa`, ...), which is what Stripe accepts from a server. In live
//! mode the card is sent as `payment_method_data`, which Stripe only accepts from accounts
//! with raw card data access; others collect cards with Stripe.js and use the webhook.

use super::{Card, ChargeOutcome, PaymentProvider};
use crate::error::{Error, Result};
use crate::model::Money;
use crate::providers::Secret;
use crate::providers::http::SupplierHttp;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const NAME: &str = "stripe";
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
pub const AUTH_HINT: &str = "Stripe rejected the secret key: set BOOKSYGO_STRIPE_SECRET_KEY or run `booksygo config set-secret stripe.secret_key`";

#[derive(Clone, Debug)]
pub struct StripeConfig {
    pub secret_key: Secret,
    pub base_url: String,
    pub timeout: Duration,
}

impl StripeConfig {
    pub fn new(secret_key: Secret) -> Self {
        StripeConfig {
            secret_key,
            base_url: DEFAULT_BASE_URL.into(),
            timeout: Duration::from_secs(30),
        }
    }

    /// "test" for `sk_test_`/`rk_test_` keys, "live" otherwise.
    pub fn mode(&self) -> &'static str {
        let k = self.secret_key.expose();
        if k.starts_with("sk_test_") || k.starts_with("rk_test_") {
            "test"
        } else {
            "live"
        }
    }
}

/// The parts of a PaymentIntent BooksyGo reads.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub last_payment_error: Option<StripeError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub status: Option<String>,
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StripeError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<PaymentIntentRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntentRef {
    pub id: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: StripeError,
}

/// What a call came to: an object, or a card decline (HTTP 402) with Stripe's reason.
enum Reply<T> {
    Ok(T),
    Declined(String),
}

#[derive(Clone)]
pub struct StripePayments {
    cfg: StripeConfig,
    http: SupplierHttp,
}

impl StripePayments {
    pub fn new(cfg: StripeConfig) -> Result<Self> {
        let http = SupplierHttp::new("Stripe", AUTH_HINT, cfg.timeout)?;
        Ok(StripePayments { cfg, http })
    }

    pub fn config(&self) -> &StripeConfig {
        &self.cfg
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Reply<T>> {
        let url = format!("{}{path}", self.cfg.base_url.trim_end_matches('/'));
        let answer = self
            .http
            .send(self.cfg.timeout, || {
                let mut r = self
                    .http
                    .client
                    .request(method.clone(), &url)
                    .bearer_auth(self.cfg.secret_key.expose());
                if let Some(k) = idempotency_key {
                    r = r.header("Idempotency-Key", k);
                }
                if method != reqwest::Method::GET {
                    r = r.form(form);
                }
                r
            })
            .await?;
        if (200..300).contains(&answer.status) {
            return Ok(Reply::Ok(serde_json::from_slice(&answer.body).map_err(
                |e| {
                    Error::SuppliersFailed(vec![format!(
                        "Stripe sent an answer we cannot read: {e}"
                    )])
                },
            )?));
        }
        let err = serde_json::from_slice::<ErrorBody>(&answer.body)
            .map(|b| b.error)
            .ok();
        let message = err
            .as_ref()
            .and_then(|e| e.message.clone())
            .unwrap_or_else(|| format!("HTTP {}", answer.status));
        if answer.status == 402
            || err.as_ref().and_then(|e| e.kind.as_deref()) == Some("card_error")
        {
            return Ok(Reply::Declined(message));
        }
        if answer.status == 409 {
            // An idempotency key reused with other parameters.
            return Err(Error::Conflict(format!("Stripe: {message}")));
        }
        Err(self.http.status_error(answer.status, &message, false))
    }

    /// The card as Stripe should see it (see the module notes).
    fn card_fields(&self, card: &Card) -> Result<Vec<(String, String)>> {
        if self.cfg.mode() == "test" {
            let pm = match card.number.as_str() {
                "4242424242424242" => "pm_card_visa",
                "5555555555554444" => "pm_card_mastercard",
                "4000000000000002" => "pm_card_chargeDeclined",
                "4000000000009995" => "pm_card_chargeDeclinedInsufficientFunds",
                "4000002760003184" => "pm_card_authenticationRequired",
                _ => {
                    return Err(Error::invalid(
                        "Stripe test mode takes Stripe's test cards: 4242 4242 4242 4242, 4000 0000 0000 0002, 4000 0000 0000 9995, 4000 0027 6000 3184",
                    ));
                }
            };
            return Ok(vec![("payment_method".into(), pm.into())]);
        }
        let (m, y) = card
            .expiry
            .split_once('/')
            .ok_or_else(|| Error::invalid("card expiry is MM/YY"))?;
        let year = y
            .trim()
            .parse::<i32>()
            .map_err(|_| Error::invalid("card expiry is MM/YY"))?;
        let year = if year < 100 { 2000 + year } else { year };
        Ok(vec![
            ("payment_method_data[type]".into(), "card".into()),
            (
                "payment_method_data[card][number]".into(),
                card.number.clone(),
            ),
            (
                "payment_method_data[card][exp_month]".into(),
                m.trim().into(),
            ),
            (
                "payment_method_data[card][exp_year]".into(),
                year.to_string(),
            ),
        ])
    }

    pub(crate) fn outcome(pi: &PaymentIntent) -> ChargeOutcome {
        match pi.status.as_str() {
            "succeeded" | "processing" | "requires_capture" => ChargeOutcome::Succeeded {
                reference: pi.id.clone(),
            },
            "requires_action" | "requires_confirmation" => ChargeOutcome::RequiresAction {
                reference: pi.id.clone(),
            },
            _ => ChargeOutcome::Declined {
                reason: pi
                    .last_payment_error
                    .as_ref()
                    .and_then(|e| e.message.clone())
                    .unwrap_or_else(|| format!("the payment is {}", pi.status)),
            },
        }
    }

    /// `POST /v1/payment_intents` with `confirm=true`.
    pub async fn create_intent(
        &self,
        amount: Money,
        card: &Card,
        idempotency_key: &str,
    ) -> Result<ChargeOutcome> {
        let mut form = vec![
            ("amount".to_string(), amount.minor.to_string()),
            (
                "currency".to_string(),
                amount.currency.as_str().to_ascii_lowercase(),
            ),
            ("confirm".to_string(), "true".to_string()),
            ("payment_method_types[]".to_string(), "card".to_string()),
            (
                "metadata[booksygo_key]".to_string(),
                idempotency_key.to_string(),
            ),
        ];
        form.extend(self.card_fields(card)?);
        match self
            .call::<PaymentIntent>(
                reqwest::Method::POST,
                "/v1/payment_intents",
                &form,
                Some(idempotency_key),
            )
            .await?
        {
            Reply::Ok(pi) => Ok(Self::outcome(&pi)),
            Reply::Declined(reason) => Ok(ChargeOutcome::Declined { reason }),
        }
    }

    /// One cheap authenticated call (the balance), for `providers check`.
    pub async fn check(&self) -> Result<()> {
        match self
            .call::<serde_json::Value>(reqwest::Method::GET, "/v1/balance", &[], None)
            .await?
        {
            Reply::Ok(_) => Ok(()),
            Reply::Declined(m) => Err(Error::Conflict(m)),
        }
    }

    /// `GET /v1/payment_intents/{id}`.
    pub async fn retrieve(&self, id: &str) -> Result<PaymentIntent> {
        match self
            .call(
                reqwest::Method::GET,
                &format!("/v1/payment_intents/{id}"),
                &[],
                None,
            )
            .await?
        {
            Reply::Ok(pi) => Ok(pi),
            Reply::Declined(m) => Err(Error::Conflict(m)),
        }
    }

    /// `POST /v1/payment_intents/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> Result<PaymentIntent> {
        match self
            .call(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/cancel"),
                &[],
                Some(&format!("{id}-cancel")),
            )
            .await?
        {
            Reply::Ok(pi) => Ok(pi),
            Reply::Declined(m) => Err(Error::Conflict(m)),
        }
    }
}

#[async_trait]
impl PaymentProvider for StripePayments {
    fn name(&self) -> &str {
        NAME
    }

    async fn charge(
        &self,
        amount: Money,
        card: &Card,
        idempotency_key: &str,
    ) -> Result<ChargeOutcome> {
        if amount.minor <= 0 {
            return Err(Error::internal("charge of a non-positive amount"));
        }
        self.create_intent(amount, card, idempotency_key).await
    }

    async fn cancel(&self, reference: &str) -> Result<()> {
        StripePayments::cancel(self, reference).await.map(|_| ())
    }

    /// After the cardholder's 3-D Secure step: where the intent stands, confirming it when
    /// Stripe waits for that.
    async fn confirm(&self, reference: &str) -> Result<ChargeOutcome> {
        let pi = self.retrieve(reference).await?;
        if pi.status != "requires_confirmation" {
            return Ok(Self::outcome(&pi));
        }
        match self
            .call::<PaymentIntent>(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{reference}/confirm"),
                &[],
                Some(&format!("{reference}-confirm")),
            )
            .await?
        {
            Reply::Ok(pi) => Ok(Self::outcome(&pi)),
            Reply::Declined(reason) => Ok(ChargeOutcome::Declined { reason }),
        }
    }

    async fn refund(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String> {
        let form = vec![
            ("payment_intent".to_string(), reference.to_string()),
            ("amount".to_string(), amount.minor.to_string()),
            ("reason".to_string(), "requested_by_customer".to_string()),
        ];
        match self
            .call::<Refund>(
                reqwest::Method::POST,
                "/v1/refunds",
                &form,
                Some(idempotency_key),
            )
            .await?
        {
            Reply::Ok(r) if r.status.as_deref() == Some("failed") => Err(Error::Conflict(format!(
                "Stripe could not refund {amount} ({})",
                r.id
            ))),
            Reply::Ok(r) => {
                let _ = r.amount;
                Ok(r.id)
            }
            Reply::Declined(m) => Err(Error::Conflict(format!("Stripe refused the refund: {m}"))),
        }
    }
}
