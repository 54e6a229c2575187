//! Duffel's JSON as it comes over the wire (API version v2), and its mapping onto BooksyGo's
//! offers. Amounts are decimal strings, turned into integer minor units by `Money`; times are
//! the airport's local time without an offset, placed in the airport's time zone.

use crate::error::{Error, Result};
use crate::model::offer::{Conditions, FarePrice, OfferPassenger, Penalty, Segment, Slice};
use crate::model::{Cabin, Currency, FlightOffer, Money, PassengerType};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::Deserialize;

/// `{"data": ...}`
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
    #[serde(default)]
    pub meta: Option<ErrorMeta>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorItem {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorMeta {
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct OfferRequest {
    pub id: String,
    #[serde(default)]
    pub offers: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Place {
    pub iata_code: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Carrier {
    pub iata_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Aircraft {
    #[serde(default)]
    pub iata_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Baggage {
    #[serde(rename = "type")]
    pub kind: String,
    pub quantity: u8,
}

#[derive(Debug, Deserialize)]
pub struct SegmentPassenger {
    #[serde(default)]
    pub cabin_class: Option<String>,
    #[serde(default)]
    pub baggages: Vec<Baggage>,
}

#[derive(Debug, Deserialize)]
pub struct WireSegment {
    pub origin: Place,
    pub destination: Place,
    pub departing_at: String,
    pub arriving_at: String,
    pub marketing_carrier: Carrier,
    pub marketing_carrier_flight_number: String,
    #[serde(default)]
    pub operating_carrier: Option<Carrier>,
    #[serde(default)]
    pub aircraft: Option<Aircraft>,
    #[serde(default)]
    pub distance: Option<String>,
    #[serde(default)]
    pub passengers: Vec<SegmentPassenger>,
}

#[derive(Debug, Deserialize)]
pub struct WireSlice {
    pub segments: Vec<WireSegment>,
}

#[derive(Debug, Deserialize)]
pub struct WirePenalty {
    pub allowed: bool,
    #[serde(default)]
    pub penalty_amount: Option<String>,
    #[serde(default)]
    pub penalty_currency: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct WireConditions {
    #[serde(default)]
    pub refund_before_departure: Option<WirePenalty>,
    #[serde(default)]
    pub change_before_departure: Option<WirePenalty>,
}

#[derive(Debug, Deserialize)]
pub struct WirePassenger {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub age: Option<u8>,
}

#[derive(Debug, Deserialize)]
pub struct WireOffer {
    pub id: String,
    pub total_amount: String,
    pub total_currency: String,
    #[serde(default)]
    pub tax_amount: Option<String>,
    pub expires_at: Timestamp,
    pub owner: Carrier,
    pub passengers: Vec<WirePassenger>,
    pub slices: Vec<WireSlice>,
    #[serde(default)]
    pub conditions: Option<WireConditions>,
    #[serde(default)]
    pub payment_requirements: Option<PaymentRequirements>,
}

/// Whether an offer must be paid when ordered, or may be held unpaid until a deadline.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct PaymentRequirements {
    pub requires_instant_payment: bool,
    #[serde(default)]
    pub payment_required_by: Option<Timestamp>,
    #[serde(default)]
    pub price_guarantee_expires_at: Option<Timestamp>,
}

impl PaymentRequirements {
    /// The requirements kept on an offer that may be held (`FlightOffer::supplier_offer`).
    pub fn of(offer: &FlightOffer) -> Option<PaymentRequirements> {
        let v = offer.supplier_offer.as_ref()?.get("payment_requirements")?;
        serde_json::from_value(v.clone()).ok()
    }
}

#[derive(Debug, Deserialize)]
pub struct PaymentStatus {
    #[serde(default)]
    pub awaiting_payment: bool,
    #[serde(default)]
    pub payment_required_by: Option<Timestamp>,
}

#[derive(Debug, Deserialize)]
pub struct WireOrder {
    pub id: String,
    #[serde(default)]
    pub booking_reference: Option<String>,
    pub total_amount: String,
    pub total_currency: String,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    #[serde(default)]
    pub payment_status: Option<PaymentStatus>,
}

#[derive(Debug, Deserialize)]
pub struct WireCancellation {
    pub id: String,
    pub order_id: String,
    #[serde(default)]
    pub refund_amount: Option<String>,
    #[serde(default)]
    pub refund_currency: Option<String>,
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    #[serde(default)]
    pub confirmed_at: Option<String>,
}

/// An amount in a currency, both as Duffel writes them.
pub fn money(amount: &str, currency: &str) -> Result<Money> {
    Money::from_decimal(amount, Currency::parse(currency)?)
}

/// A local time at an airport: the airport's zone from Duffel, or from our own places, or UTC.
fn local(
    text: &str,
    place: &Place,
    zones: &dyn Fn(&str) -> Option<TimeZone>,
) -> Result<jiff::Zoned> {
    let dt: DateTime = text
        .parse()
        .map_err(|e| Error::internal(format!("Duffel sent a bad time '{text}': {e}")))?;
    let tz = place
        .time_zone
        .as_deref()
        .and_then(|z| TimeZone::get(z).ok())
        .or_else(|| place.iata_code.as_deref().and_then(zones))
        .unwrap_or(TimeZone::UTC);
    dt.to_zoned(tz)
        .map_err(|e| Error::internal(format!("Duffel sent a time that does not exist: {e}")))
}

fn penalty(p: Option<&WirePenalty>) -> Penalty {
    match p {
        Some(p) if p.allowed => Penalty {
            allowed: true,
            penalty_amount: p.penalty_amount.clone(),
            penalty_currency: p
                .penalty_currency
                .as_deref()
                .and_then(|c| Currency::parse(c).ok()),
        },
        _ => Penalty::not_allowed(),
    }
}

fn code(place: &Place) -> Result<String> {
    place
        .iata_code
        .clone()
        .ok_or_else(|| Error::internal("Duffel sent a place without an IATA code"))
}

/// Maps one Duffel offer; `provider` is the name shown in offers.
pub fn offer(
    raw: WireOffer,
    provider: &str,
    fallback_cabin: Cabin,
    zones: &dyn Fn(&str) -> Option<TimeZone>,
) -> Result<FlightOffer> {
    let total = money(&raw.total_amount, &raw.total_currency)?;
    let tax = match raw.tax_amount.as_deref() {
        Some(t) => money(t, &raw.total_currency)?,
        None => Money::zero(total.currency),
    };
    let base = total.checked_sub(tax)?;
    let mut slices = Vec::with_capacity(raw.slices.len());
    let mut cabin = None;
    let mut bags = None;
    for s in &raw.slices {
        let mut segments = Vec::with_capacity(s.segments.len());
        for g in &s.segments {
            let departing_at = local(&g.departing_at, &g.origin, zones)?;
            let arriving_at = local(&g.arriving_at, &g.destination, zones)?;
            let carrier = g.marketing_carrier.iata_code.clone().unwrap_or_default();
            if let Some(p) = g.passengers.first() {
                if cabin.is_none() {
                    cabin = p.cabin_class.as_deref().and_then(|c| Cabin::parse(c).ok());
                }
                let checked: u8 = p
                    .baggages
                    .iter()
                    .filter(|b| b.kind == "checked")
                    // Saturating: two entries of 200 bags are not an overflow.
                    .fold(0u8, |n, b| n.saturating_add(b.quantity));
                bags = Some(bags.map_or(checked, |b: u8| b.min(checked)));
            }
            segments.push(Segment {
                origin: code(&g.origin)?,
                destination: code(&g.destination)?,
                duration_minutes: (arriving_at.timestamp() - departing_at.timestamp())
                    .get_seconds()
                    / 60,
                departing_at,
                arriving_at,
                flight_number: format!("{carrier}{}", g.marketing_carrier_flight_number),
                operating_carrier: g
                    .operating_carrier
                    .as_ref()
                    .and_then(|c| c.iata_code.clone())
                    .unwrap_or_else(|| carrier.clone()),
                marketing_carrier: carrier,
                aircraft: g
                    .aircraft
                    .as_ref()
                    .and_then(|a| a.iata_code.clone())
                    .unwrap_or_default(),
                distance_km: g
                    .distance
                    .as_deref()
                    .and_then(|d| d.parse::<f64>().ok())
                    .map(|d| d.round() as u32)
                    .unwrap_or(0),
            });
        }
        slices.push(
            Slice::from_segments(segments)
                .ok_or_else(|| Error::internal("Duffel sent a slice without segments"))?,
        );
    }
    if slices.is_empty() {
        return Err(Error::internal("Duffel sent an offer without slices"));
    }
    let passengers: Vec<OfferPassenger> = raw
        .passengers
        .iter()
        .map(|p| OfferPassenger {
            id: p.id.clone(),
            kind: match (p.kind.as_deref(), p.age) {
                (Some("adult"), _) => PassengerType::Adult,
                (Some("infant_without_seat"), _) => PassengerType::Infant,
                (_, Some(a)) => PassengerType::of_age(i64::from(a)),
                _ => PassengerType::Child,
            },
        })
        .collect();
    let conditions = raw.conditions.unwrap_or_default();
    // An offer that may be held keeps its payment requirements for ordering.
    let supplier_offer = raw
        .payment_requirements
        .filter(|p| !p.requires_instant_payment)
        .map(|p| serde_json::json!({ "payment_requirements": p }));
    let seats = passengers
        .iter()
        .filter(|p| p.kind != PassengerType::Infant)
        .count() as u32;
    Ok(FlightOffer {
        id: raw.id.clone(),
        provider: provider.to_string(),
        price: FarePrice { base, tax },
        expires_at: raw.expires_at,
        cabin_class: cabin.unwrap_or(fallback_cabin),
        passengers,
        slices,
        conditions: Conditions {
            refund_before_departure: penalty(conditions.refund_before_departure.as_ref()),
            change_before_departure: penalty(conditions.change_before_departure.as_ref()),
        },
        checked_bags: bags.unwrap_or(0),
        // Duffel does not say how many seats are left at this price: what was asked for is
        // what it sells.
        available_seats: seats,
        owner: raw.owner.iata_code.unwrap_or_default(),
        supplier_offer_id: Some(raw.id),
        supplier_offer,
        ticketing: Default::default(),
        tickets: Vec::new(),
        warnings: Vec::new(),
    })
}
