//! Duffel flights (API version v2): offer requests (one-way, round trip, multi-city), single
//! offer refresh, instant orders paid from the Duffel balance, hold orders (for a booking
//! made without payment, where the offer allows it) paid later through `/air/payments`,
//! order retrieval and the two-step cancellation (quote, then confirm).
//!
//! Every request carries `Authorization: Bearer <token>`, `Duffel-Version: v2` and JSON in
//! the `{"data": ...}` envelope.

pub mod stays;
pub mod wire;

use super::http::SupplierHttp;
use super::{
    FlightOrders, FlightProvider, FlightRequest, OrderRequest, Secret, SupplierCancellation,
    SupplierOrder,
};
use crate::error::{Error, Result};
use crate::model::traveller::{Gender, PassengerInput};
use crate::model::{FlightOffer, Money, PassengerType};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;
use wire::Envelope;

pub const NAME: &str = "duffel";
pub const DEFAULT_BASE_URL: &str = "https://api.duffel.com";
/// The API version every request names.
pub const API_VERSION: &str = "v2";
pub const AUTH_HINT: &str = "Duffel rejected the token: set BOOKSYGO_DUFFEL_TOKEN or run `booksygo config set-secret duffel.token`";

/// The age sent for a child or an infant when only the passenger type is known (Duffel prices
/// children and infants by age).
const CHILD_AGE: u8 = 8;
const INFANT_AGE: u8 = 1;

#[derive(Clone, Debug)]
pub struct DuffelConfig {
    pub token: Secret,
    pub base_url: String,
    /// Search deadline (the aggregator's per-provider deadline for Duffel).
    pub deadline: Duration,
    /// How long an order or cancellation call may take before its outcome counts as unknown.
    pub order_timeout: Duration,
}

impl DuffelConfig {
    pub fn new(token: Secret) -> Self {
        DuffelConfig {
            token,
            base_url: DEFAULT_BASE_URL.into(),
            deadline: Duration::from_secs(12),
            order_timeout: Duration::from_secs(60),
        }
    }

    /// "test" for `duffel_test_` tokens, "live" otherwise.
    pub fn mode(&self) -> &'static str {
        if self.token.expose().starts_with("duffel_test_") {
            "test"
        } else {
            "live"
        }
    }
}

#[derive(Clone)]
pub struct Duffel {
    cfg: DuffelConfig,
    http: SupplierHttp,
}

impl Duffel {
    pub fn new(cfg: DuffelConfig) -> Result<Self> {
        let http = SupplierHttp::new("Duffel", AUTH_HINT, cfg.order_timeout.max(cfg.deadline))?;
        Ok(Duffel { cfg, http })
    }

    pub fn config(&self) -> &DuffelConfig {
        &self.cfg
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url.trim_end_matches('/'))
    }

    /// One call: the envelope in and out, errors mapped.
    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<T> {
        let url = self.url(path);
        let answer = self
            .http
            .send(timeout, || {
                let mut r = self
                    .http
                    .client
                    .request(method.clone(), &url)
                    .timeout(timeout)
                    .bearer_auth(self.cfg.token.expose())
                    .header("Duffel-Version", API_VERSION)
                    .header("Accept", "application/json");
                if let Some(b) = body {
                    r = r.json(&json!({ "data": b }));
                }
                r
            })
            .await?;
        if (200..300).contains(&answer.status) {
            let env: Envelope<T> = serde_json::from_slice(&answer.body).map_err(|e| {
                Error::SuppliersFailed(vec![format!("Duffel sent an answer we cannot read: {e}")])
            })?;
            return Ok(env.data);
        }
        Err(self.error(answer.status, &answer.body))
    }

    pub(crate) fn error(&self, status: u16, body: &[u8]) -> Error {
        let parsed: Option<wire::ErrorBody> = serde_json::from_slice(body).ok();
        let first = parsed.as_ref().and_then(|b| b.errors.first());
        let code = first.and_then(|e| e.code.clone()).unwrap_or_default();
        let mut message = first
            .and_then(|e| e.message.clone().or_else(|| e.title.clone()))
            .unwrap_or_else(|| format!("HTTP {status}"));
        if let Some(id) = parsed
            .as_ref()
            .and_then(|b| b.meta.as_ref())
            .and_then(|m| m.request_id.as_deref())
        {
            message.push_str(&format!(" (request {id})"));
        }
        let lower = message.to_lowercase();
        let unavailable = matches!(
            code.as_str(),
            "offer_no_longer_available" | "offer_expired" | "price_changed" | "sold_out"
        ) || lower.contains("no longer available")
            || lower.contains("expired")
            || lower.contains("sold out");
        self.http.status_error(status, &message, unavailable)
    }

    /// The offer request body for a search.
    pub fn offer_request_body(req: &FlightRequest) -> Value {
        let slices: Vec<Value> = req
            .slices
            .iter()
            .map(|s| {
                json!({
                    "origin": s.origin.first().cloned().unwrap_or_default(),
                    "destination": s.destination.first().cloned().unwrap_or_default(),
                    "departure_date": s.date.to_string(),
                })
            })
            .collect();
        let mut passengers = Vec::new();
        for p in req.passengers.list() {
            passengers.push(match p.kind {
                PassengerType::Adult => json!({"type": "adult"}),
                PassengerType::Child => json!({"age": CHILD_AGE}),
                PassengerType::Infant => json!({"age": INFANT_AGE}),
            });
        }
        json!({
            "slices": slices,
            "passengers": passengers,
            "cabin_class": req.cabin.as_str(),
            "max_connections": req.max_stops.min(2),
        })
    }

    fn map_offer(&self, raw: Value, req_cabin: crate::model::Cabin) -> Result<FlightOffer> {
        let raw: wire::WireOffer = serde_json::from_value(raw)?;
        wire::offer(raw, NAME, req_cabin, &|_| None)
    }

    pub(crate) fn map_order(raw: wire::WireOrder) -> Result<SupplierOrder> {
        Ok(SupplierOrder {
            total: wire::money(&raw.total_amount, &raw.total_currency)?,
            booking_reference: raw.booking_reference.unwrap_or_default(),
            cancelled: raw.cancelled_at.is_some(),
            intent: raw
                .metadata
                .as_ref()
                .and_then(|m| m.get("booksygo_intent"))
                .and_then(Value::as_str)
                .map(str::to_string),
            awaiting_payment: raw
                .payment_status
                .as_ref()
                .is_some_and(|p| p.awaiting_payment),
            payment_required_by: raw.payment_status.and_then(|p| p.payment_required_by),
            order_id: raw.id,
        })
    }

    pub(crate) fn map_cancellation(raw: wire::WireCancellation) -> Result<SupplierCancellation> {
        let refund = match (&raw.refund_amount, &raw.refund_currency) {
            (Some(a), Some(c)) => Some(wire::money(a, c)?),
            _ => None,
        };
        Ok(SupplierCancellation {
            id: raw.id,
            order_id: raw.order_id,
            refund,
            expires_at: raw.expires_at,
            confirmed: raw.confirmed_at.is_some(),
        })
    }

    /// One cheap authenticated call (the first airline), for `providers check`.
    pub async fn check(&self) -> Result<()> {
        let _: Value = self
            .call(
                reqwest::Method::GET,
                "/air/airlines?limit=1",
                None,
                self.cfg.deadline,
            )
            .await?;
        Ok(())
    }

    /// The order request body: Duffel's passenger ids matched to our travellers by type, in
    /// order; infants ride with the adults in order.
    pub fn order_body(req: &OrderRequest<'_>) -> Result<Value> {
        let offer = req.offer;
        let supplier_id = offer.supplier_offer_id.as_deref().unwrap_or(&offer.id);
        let mut ids: std::collections::HashMap<PassengerType, Vec<&str>> = Default::default();
        for p in &offer.passengers {
            ids.entry(p.kind).or_default().push(&p.id);
        }
        let mut used: std::collections::HashMap<PassengerType, usize> = Default::default();
        let mut rows: Vec<(PassengerType, Value)> = Vec::new();
        for p in req.passengers {
            let n = used.entry(p.kind()).or_default();
            let id = ids.get(&p.kind()).and_then(|v| v.get(*n)).ok_or_else(|| {
                Error::invalid(format!(
                    "the Duffel offer has no place for another {} traveller",
                    p.kind().as_str()
                ))
            })?;
            *n += 1;
            let gender = p.gender.ok_or_else(missing_gender)?;
            let title = match (gender, p.kind()) {
                (Gender::M, PassengerType::Adult) => "mr",
                (Gender::F, PassengerType::Adult) => "ms",
                (Gender::M, _) => "mr",
                (Gender::F, _) => "miss",
            };
            let mut v = json!({
                "id": id,
                "given_name": p.given_name.trim(),
                "family_name": p.family_name.trim(),
                "born_on": p.born_on.to_string(),
                "gender": gender.as_str(),
                "title": title,
                "email": req.email,
                "phone_number": req.phone.unwrap_or_default(),
            });
            if let Some(doc) = &p.document {
                v["identity_documents"] = json!([{ "type": "passport", "unique_identifier": doc }]);
            }
            rows.push((p.kind(), v));
        }
        // Each infant travels on the lap of an adult, in order.
        let infants: Vec<String> = rows
            .iter()
            .filter(|(k, _)| *k == PassengerType::Infant)
            .filter_map(|(_, v)| v["id"].as_str().map(str::to_string))
            .collect();
        let mut infants = infants.into_iter();
        for (k, v) in rows.iter_mut() {
            if *k == PassengerType::Adult
                && let Some(i) = infants.next()
            {
                v["infant_passenger_id"] = json!(i);
            }
        }
        let mut body = json!({
            "type": "instant",
            "selected_offers": [supplier_id],
            "passengers": rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            "metadata": {
                "booksygo_intent": req.intent,
                "booksygo_booking": req.booking_id,
            },
        });
        if req.hold && Self::can_hold(offer) {
            // Held unpaid; paid through `/air/payments` once the traveller pays.
            body["type"] = json!("hold");
        } else {
            let total = offer.total();
            body["payments"] = json!([{
                "type": "balance",
                "amount": total.decimal(),
                "currency": total.currency.as_str(),
            }]);
        }
        Ok(body)
    }

    /// Whether Duffel lets this offer be ordered now and paid later.
    pub fn can_hold(offer: &FlightOffer) -> bool {
        wire::PaymentRequirements::of(offer).is_some_and(|p| !p.requires_instant_payment)
    }
}

fn missing_gender() -> Error {
    Error::invalid(
        "Duffel needs each traveller's gender (m or f): add it to --passenger, e.g. \"Ada,Lovelace,1990-12-10,adult,f\"",
    )
}

#[async_trait]
impl FlightProvider for Duffel {
    fn name(&self) -> &str {
        NAME
    }

    fn deadline(&self) -> Option<Duration> {
        Some(self.cfg.deadline)
    }

    fn orders(&self) -> Option<&dyn FlightOrders> {
        Some(self)
    }

    async fn search_flights(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>> {
        // Duffel stops waiting for slow airlines a little before our own deadline.
        let supplier_ms = self
            .cfg
            .deadline
            .saturating_sub(Duration::from_secs(2))
            .as_millis()
            .clamp(1_000, 60_000);
        let path = format!("/air/offer_requests?return_offers=true&supplier_timeout={supplier_ms}");
        let body = Self::offer_request_body(req);
        let answer: wire::OfferRequest = self
            .call(reqwest::Method::POST, &path, Some(&body), self.cfg.deadline)
            .await?;
        let _ = answer.id;
        let mut offers = Vec::with_capacity(answer.offers.len());
        for raw in answer.offers {
            // An offer we cannot read (an unknown currency, a malformed time) is left out;
            // the rest still count.
            if let Ok(o) = self.map_offer(raw, req.cabin) {
                offers.push(o);
            }
        }
        Ok(offers)
    }
}

#[async_trait]
impl FlightOrders for Duffel {
    async fn pay_order(&self, order_id: &str, amount: Money) -> Result<()> {
        let body = json!({
            "order_id": order_id,
            "payment": {
                "type": "balance",
                "amount": amount.decimal(),
                "currency": amount.currency.as_str(),
            },
        });
        let _: Value = self
            .call(
                reqwest::Method::POST,
                "/air/payments",
                Some(&body),
                self.cfg.order_timeout,
            )
            .await?;
        Ok(())
    }

    fn check_travellers(&self, passengers: &[PassengerInput], phone: Option<&str>) -> Result<()> {
        if passengers.iter().any(|p| p.gender.is_none()) {
            return Err(missing_gender());
        }
        let ok = phone.is_some_and(|p| {
            let digits = p.trim_start_matches('+');
            p.starts_with('+')
                && (7..=15).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
        });
        if !ok {
            return Err(Error::invalid(
                "Duffel needs a contact phone number in international form: --phone +442080160508",
            ));
        }
        Ok(())
    }

    async fn refresh(&self, offer: &FlightOffer) -> Result<FlightOffer> {
        let offer_id = offer.supplier_offer_id.as_deref().unwrap_or(&offer.id);
        let raw: Value = self
            .call(
                reqwest::Method::GET,
                &format!("/air/offers/{offer_id}?return_available_services=false"),
                None,
                self.cfg.deadline,
            )
            .await?;
        self.map_offer(raw, crate::model::Cabin::Economy)
    }

    async fn create_order(&self, req: &OrderRequest<'_>) -> Result<SupplierOrder> {
        let body = Self::order_body(req)?;
        let raw: wire::WireOrder = self
            .call(
                reqwest::Method::POST,
                "/air/orders",
                Some(&body),
                self.cfg.order_timeout,
            )
            .await?;
        Self::map_order(raw)
    }

    async fn find_order(&self, intent: &str) -> Result<Option<SupplierOrder>> {
        let list: Vec<wire::WireOrder> = self
            .call(
                reqwest::Method::GET,
                "/air/orders?limit=200",
                None,
                self.cfg.order_timeout,
            )
            .await?;
        for raw in list {
            let o = Self::map_order(raw)?;
            if o.intent.as_deref() == Some(intent) {
                return Ok(Some(o));
            }
        }
        Ok(None)
    }

    async fn get_order(&self, order_id: &str) -> Result<SupplierOrder> {
        let raw: wire::WireOrder = self
            .call(
                reqwest::Method::GET,
                &format!("/air/orders/{order_id}"),
                None,
                self.cfg.order_timeout,
            )
            .await?;
        Self::map_order(raw)
    }

    async fn quote_cancellation(&self, order_id: &str) -> Result<SupplierCancellation> {
        let raw: wire::WireCancellation = self
            .call(
                reqwest::Method::POST,
                "/air/order_cancellations",
                Some(&json!({ "order_id": order_id })),
                self.cfg.order_timeout,
            )
            .await?;
        Self::map_cancellation(raw)
    }

    async fn confirm_cancellation(&self, cancellation_id: &str) -> Result<SupplierCancellation> {
        let raw: wire::WireCancellation = self
            .call(
                reqwest::Method::POST,
                &format!("/air/order_cancellations/{cancellation_id}/actions/confirm"),
                None,
                self.cfg.order_timeout,
            )
            .await?;
        Self::map_cancellation(raw)
    }
}
