//! Duffel Stays: search around a city's coordinates, every rate of a result, a quote for the
//! best rate, the booking, and its cancellation. One offer per search result: the cheapest
//! rate, priced again and quoted when booked.

use super::{Duffel, NAME, wire};
use crate::error::{Error, Result};
use crate::model::traveller::PassengerInput;
use crate::model::{Cancellation, HotelOffer, HotelSummary, Money, StayPrice};
use crate::providers::{
    HotelOrders, HotelProvider, HotelRequest, StayRequest, SupplierCancellation, SupplierOrder,
};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

/// How far from the centre to look, in km.
pub const SEARCH_RADIUS_KM: u32 = 20;

#[derive(Debug, Deserialize)]
struct SearchAnswer {
    results: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Result_ {
    id: String,
    check_in_date: Date,
    check_out_date: Date,
    #[serde(default)]
    rooms: Option<u32>,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    cheapest_rate_total_amount: Option<String>,
    #[serde(default)]
    cheapest_rate_currency: Option<String>,
    accommodation: Accommodation,
}

#[derive(Debug, Deserialize)]
struct Accommodation {
    id: String,
    name: String,
    #[serde(default)]
    rating: Option<u8>,
    #[serde(default)]
    review_score: Option<f32>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(default)]
    amenities: Vec<Amenity>,
    #[serde(default)]
    check_in_information: Option<CheckIn>,
    #[serde(default)]
    rooms: Vec<Room>,
}

#[derive(Debug, Deserialize)]
struct Location {
    #[serde(default)]
    address: Option<Address>,
    #[serde(default)]
    geographic_coordinates: Option<Coordinates>,
}

#[derive(Debug, Deserialize)]
struct Address {
    #[serde(default)]
    line_one: Option<String>,
    #[serde(default)]
    city_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Coordinates {
    latitude: f64,
    longitude: f64,
}

#[derive(Debug, Deserialize)]
struct Amenity {
    /// "wifi", "gym", "pool", ...: the words BooksyGo's amenity filter uses.
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CheckIn {
    #[serde(default)]
    check_in_after_time: Option<String>,
    #[serde(default)]
    check_out_before_time: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Room {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    rates: Vec<Rate>,
}

#[derive(Debug, Deserialize)]
struct Rate {
    id: String,
    total_amount: String,
    total_currency: String,
    #[serde(default)]
    tax_amount: Option<String>,
    #[serde(default)]
    cancellation_timeline: Vec<Refund>,
}

#[derive(Debug, Deserialize)]
struct Refund {
    refund_amount: String,
    #[serde(default)]
    before: Option<Timestamp>,
}

#[derive(Debug, Deserialize)]
struct Quote {
    id: String,
    total_amount: String,
    total_currency: String,
    #[serde(default)]
    tax_amount: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StayBooking {
    id: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    cancelled_at: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

/// Duffel Stays as a hotel provider (same token, same client as flights).
#[derive(Clone)]
pub struct DuffelStays {
    duffel: Duffel,
}

impl DuffelStays {
    pub fn new(duffel: Duffel) -> Self {
        DuffelStays { duffel }
    }

    fn nights(a: Date, b: Date) -> u32 {
        crate::model::season::days_between(a, b).max(1) as u32
    }

    fn map_result(&self, raw: Value, req: &HotelRequest) -> Result<HotelOffer> {
        let r: Result_ = serde_json::from_value(raw)?;
        let (amount, currency) = r
            .cheapest_rate_total_amount
            .as_deref()
            .zip(r.cheapest_rate_currency.as_deref())
            .ok_or_else(|| Error::internal("Duffel sent a stay without a price"))?;
        let total = wire::money(amount, currency)?;
        let nights = Self::nights(r.check_in_date, r.check_out_date);
        let a = &r.accommodation;
        let coords = a
            .location
            .as_ref()
            .and_then(|l| l.geographic_coordinates.as_ref());
        let (lat, lon) = coords
            .map(|c| (c.latitude, c.longitude))
            .unwrap_or((0.0, 0.0));
        let address = a.location.as_ref().and_then(|l| l.address.as_ref());
        let check_in = a.check_in_information.as_ref();
        Ok(HotelOffer {
            id: r.id.clone(),
            provider: NAME.into(),
            hotel: HotelSummary {
                id: a.id.clone(),
                name: a.name.clone(),
                stars: a.rating.unwrap_or(0),
                rating: a.review_score.unwrap_or(0.0),
                city: address
                    .and_then(|ad| ad.city_name.clone())
                    .unwrap_or_default(),
                city_code: req.city_code.clone(),
                neighbourhood: String::new(),
                address: address
                    .and_then(|ad| ad.line_one.clone())
                    .unwrap_or_default(),
                latitude: lat,
                longitude: lon,
                amenities: a.amenities.iter().filter_map(|m| m.kind.clone()).collect(),
                distance_to_centre_km: match (coords, req.centre) {
                    (Some(c), Some((clat, clon))) => {
                        (crate::geo::distance_km(c.latitude, c.longitude, clat, clon) * 10.0)
                            .round()
                            / 10.0
                    }
                    _ => 0.0,
                },
                check_in_time: check_in
                    .and_then(|c| c.check_in_after_time.clone())
                    .unwrap_or_else(|| "15:00".into()),
                check_out_time: check_in
                    .and_then(|c| c.check_out_before_time.clone())
                    .unwrap_or_else(|| "11:00".into()),
            },
            room_type: "best_rate".into(),
            room_name: "Cheapest available room".into(),
            check_in_date: r.check_in_date,
            check_out_date: r.check_out_date,
            nights,
            guests: req.guests,
            rooms: r.rooms.unwrap_or(req.rooms),
            price: StayPrice {
                total,
                // Duffel gives taxes per rate, not per search result.
                tax: Money::zero(total.currency),
                nightly: Money::new(total.minor / i64::from(nights), total.currency),
            },
            // What the cheapest rate allows is known once its rates are fetched: until then,
            // promise nothing.
            cancellation: Cancellation {
                refundable: false,
                free_until: None,
            },
            expires_at: r.expires_at.unwrap_or_else(|| {
                Timestamp::from_second(req.now.as_second() + 20 * 60).unwrap_or(req.now)
            }),
            available_rooms: r.rooms.unwrap_or(req.rooms),
            supplier_offer_id: Some(r.id),
        })
    }

    fn map_booking(raw: StayBooking) -> SupplierOrder {
        SupplierOrder {
            awaiting_payment: false,
            payment_required_by: None,
            order_id: raw.id,
            booking_reference: raw.reference.unwrap_or_default(),
            // Duffel charges the stay to the balance at booking; the total is on the quote.
            total: Money::zero(crate::model::Currency::EUR),
            cancelled: raw.cancelled_at.is_some() || raw.status.as_deref() == Some("cancelled"),
            intent: raw
                .metadata
                .as_ref()
                .and_then(|m| m.get("booksygo_intent"))
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn timeout(&self) -> Duration {
        self.duffel.cfg.order_timeout
    }
}

#[async_trait]
impl HotelProvider for DuffelStays {
    fn name(&self) -> &str {
        NAME
    }

    fn deadline(&self) -> Option<Duration> {
        Some(self.duffel.cfg.deadline)
    }

    fn orders(&self) -> Option<&dyn HotelOrders> {
        Some(self)
    }

    async fn search_hotels(&self, req: &HotelRequest) -> Result<Vec<HotelOffer>> {
        let Some((lat, lon)) = req.centre else {
            return Ok(Vec::new());
        };
        let body = json!({
            "rooms": req.rooms,
            "guests": (0..req.guests).map(|_| json!({"type": "adult"})).collect::<Vec<_>>(),
            "check_in_date": req.check_in.to_string(),
            "check_out_date": req.check_out.to_string(),
            "location": {
                "radius": SEARCH_RADIUS_KM,
                "geographic_coordinates": {"latitude": lat, "longitude": lon},
            },
        });
        let answer: SearchAnswer = self
            .duffel
            .call(
                reqwest::Method::POST,
                "/stays/search",
                Some(&body),
                self.duffel.cfg.deadline,
            )
            .await?;
        Ok(answer
            .results
            .into_iter()
            .filter_map(|r| self.map_result(r, req).ok())
            .collect())
    }
}

#[async_trait]
impl HotelOrders for DuffelStays {
    fn check_guests(&self, guests: &[PassengerInput], phone: Option<&str>) -> Result<()> {
        if guests.is_empty() {
            return Err(Error::invalid("a stay needs at least one guest"));
        }
        crate::providers::FlightOrders::check_travellers(&self.duffel, &[], phone)
    }

    async fn quote(&self, offer: &HotelOffer) -> Result<(HotelOffer, String)> {
        let rates: Result_ = {
            let raw: Value = self
                .duffel
                .call(
                    reqwest::Method::POST,
                    &format!(
                        "/stays/search_results/{}/actions/fetch_all_rates",
                        offer.supplier_offer_id.as_deref().unwrap_or(&offer.id)
                    ),
                    None,
                    self.timeout(),
                )
                .await?;
            serde_json::from_value(raw)?
        };
        let mut best: Option<(&Room, &Rate, Money)> = None;
        for room in &rates.accommodation.rooms {
            for rate in &room.rates {
                let Ok(total) = wire::money(&rate.total_amount, &rate.total_currency) else {
                    continue;
                };
                if best
                    .as_ref()
                    .is_none_or(|(_, _, b)| b.currency == total.currency && total.minor < b.minor)
                {
                    best = Some((room, rate, total));
                }
            }
        }
        let (room, rate, _) = best.ok_or_else(|| {
            Error::Conflict(format!(
                "Duffel: {} has no rooms left for those nights; search again",
                offer.hotel.name
            ))
        })?;
        let quote: Quote = self
            .duffel
            .call(
                reqwest::Method::POST,
                "/stays/quotes",
                Some(&json!({ "rate_id": rate.id })),
                self.timeout(),
            )
            .await?;
        let total = wire::money(&quote.total_amount, &quote.total_currency)?;
        let tax = match quote.tax_amount.as_deref().or(rate.tax_amount.as_deref()) {
            Some(t) => wire::money(t, &quote.total_currency)?,
            None => Money::zero(total.currency),
        };
        // Free cancellation until the last moment a full refund is given.
        let free_until = rate
            .cancellation_timeline
            .iter()
            .filter(|c| wire::money(&c.refund_amount, &quote.total_currency).ok() == Some(total))
            .filter_map(|c| c.before)
            .max();
        let mut fresh = offer.clone();
        fresh.room_name = room.name.clone().unwrap_or_else(|| offer.room_name.clone());
        fresh.price = StayPrice {
            total,
            tax,
            nightly: Money::new(
                (total.minor - tax.minor) / i64::from(fresh.nights.max(1)),
                total.currency,
            ),
        };
        fresh.cancellation = Cancellation {
            refundable: free_until.is_some(),
            free_until: free_until.map(|t| t.to_zoned(jiff::tz::TimeZone::UTC)),
        };
        Ok((fresh, quote.id))
    }

    async fn book(&self, req: &StayRequest<'_>) -> Result<SupplierOrder> {
        let body = json!({
            "quote_id": req.quote_id,
            "guests": req.guests.iter().map(|g| json!({
                "given_name": g.given_name.trim(),
                "family_name": g.family_name.trim(),
            })).collect::<Vec<_>>(),
            "email": req.email,
            "phone_number": req.phone.unwrap_or_default(),
            "metadata": {"booksygo_intent": req.intent, "booksygo_booking": req.booking_id},
        });
        let raw: StayBooking = self
            .duffel
            .call(
                reqwest::Method::POST,
                "/stays/bookings",
                Some(&body),
                self.timeout(),
            )
            .await?;
        Ok(Self::map_booking(raw))
    }

    async fn find_booking(&self, intent: &str) -> Result<Option<SupplierOrder>> {
        let list: Vec<StayBooking> = self
            .duffel
            .call(
                reqwest::Method::GET,
                "/stays/bookings?limit=200",
                None,
                self.timeout(),
            )
            .await?;
        Ok(list
            .into_iter()
            .map(Self::map_booking)
            .find(|b| b.intent.as_deref() == Some(intent)))
    }

    async fn get_booking(&self, booking_id: &str) -> Result<SupplierOrder> {
        let raw: StayBooking = self
            .duffel
            .call(
                reqwest::Method::GET,
                &format!("/stays/bookings/{booking_id}"),
                None,
                self.timeout(),
            )
            .await?;
        Ok(Self::map_booking(raw))
    }

    async fn cancel_booking(&self, booking_id: &str) -> Result<SupplierCancellation> {
        let raw: StayBooking = self
            .duffel
            .call(
                reqwest::Method::POST,
                &format!("/stays/bookings/{booking_id}/actions/cancel"),
                None,
                self.timeout(),
            )
            .await?;
        let cancelled = raw.cancelled_at.is_some() || raw.status.as_deref() == Some("cancelled");
        Ok(SupplierCancellation {
            id: raw.id.clone(),
            order_id: raw.id,
            refund: None,
            expires_at: None,
            confirmed: cancelled,
        })
    }
}
