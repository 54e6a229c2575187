//! Flight offers: the search body, Amadeus's offers mapped to ours (local times placed in
//! their airport's zone, a stable id from the content), search and pricing.

use super::{Amadeus, NAME, OFFER_TTL_SECONDS};
use crate::error::{Error, Result};
use crate::model::offer::{Conditions, FarePrice, OfferPassenger, Penalty, Segment, Slice};
use crate::model::{Cabin, Currency, FlightOffer, Money, PassengerType};
use crate::providers::{FlightOrders, FlightProvider, FlightRequest};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use std::time::Duration;

impl Amadeus {
    /// The search body: one origin-destination per slice, travellers by type.
    pub fn search_body(req: &FlightRequest) -> Value {
        let ods: Vec<Value> = req
            .slices
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": (i + 1).to_string(),
                    "originLocationCode": s.origin.first().cloned().unwrap_or_default(),
                    "destinationLocationCode": s.destination.first().cloned().unwrap_or_default(),
                    "departureDateTimeRange": {"date": s.date.to_string()},
                })
            })
            .collect();
        let mut adults = Vec::new();
        let travelers: Vec<Value> = req
            .passengers
            .list()
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let id = (i + 1).to_string();
                let mut t = json!({"id": id, "travelerType": match p.kind {
                    PassengerType::Adult => "ADULT",
                    PassengerType::Child => "CHILD",
                    PassengerType::Infant => "HELD_INFANT",
                }});
                match p.kind {
                    PassengerType::Adult => adults.push(id),
                    // Each infant sits on an adult's lap, in order.
                    PassengerType::Infant => {
                        t["associatedAdultId"] = json!(adults.get(i % adults.len().max(1)))
                    }
                    PassengerType::Child => {}
                }
                t
            })
            .collect();
        let cabin = match req.cabin {
            Cabin::Economy => "ECONOMY",
            Cabin::PremiumEconomy => "PREMIUM_ECONOMY",
            Cabin::Business => "BUSINESS",
            Cabin::First => "FIRST",
        };
        let ids: Vec<String> = (1..=req.slices.len()).map(|i| i.to_string()).collect();
        json!({
            "originDestinations": ods,
            "travelers": travelers,
            "sources": ["GDS"],
            "searchCriteria": {
                "maxFlightOffers": 50,
                "flightFilters": {
                    "cabinRestrictions": [{"cabin": cabin, "coverage": "MOST_SEGMENTS", "originDestinationIds": ids}],
                    "connectionRestriction": {"maxNumberOfConnections": req.max_stops.min(2)},
                },
            },
        })
    }

    fn local(&self, place: &Value) -> Result<(String, jiff::Zoned)> {
        let code = place["iataCode"].as_str().unwrap_or_default().to_string();
        let at = place["at"].as_str().unwrap_or_default();
        let dt: DateTime = at
            .parse()
            .map_err(|e| Error::internal(format!("Amadeus sent a bad time '{at}': {e}")))?;
        let tz = self.zones.get(&code).cloned().unwrap_or(TimeZone::UTC);
        let z = dt.to_zoned(tz).map_err(|e| {
            Error::internal(format!("Amadeus sent a time that does not exist: {e}"))
        })?;
        Ok((code, z))
    }

    /// Maps one Amadeus flight offer.
    pub fn map_offer(&self, raw: &Value, now: Timestamp) -> Result<FlightOffer> {
        let price = &raw["price"];
        let currency = Currency::parse(price["currency"].as_str().unwrap_or_default())?;
        let total = Money::from_decimal(
            price["grandTotal"]
                .as_str()
                .or(price["total"].as_str())
                .unwrap_or_default(),
            currency,
        )?;
        let base = Money::from_decimal(price["base"].as_str().unwrap_or("0"), currency)?;
        let tax = total.checked_sub(base)?;
        let pricings = raw["travelerPricings"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let first_fares = pricings
            .first()
            .map(|p| {
                p["fareDetailsBySegment"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let mut slices = Vec::new();
        for it in raw["itineraries"].as_array().into_iter().flatten() {
            let mut segments = Vec::new();
            for s in it["segments"].as_array().into_iter().flatten() {
                let (origin, departing_at) = self.local(&s["departure"])?;
                let (destination, arriving_at) = self.local(&s["arrival"])?;
                let carrier = s["carrierCode"].as_str().unwrap_or_default().to_string();
                segments.push(Segment {
                    origin,
                    destination,
                    duration_minutes: (arriving_at.timestamp() - departing_at.timestamp())
                        .get_seconds()
                        / 60,
                    departing_at,
                    arriving_at,
                    flight_number: format!("{carrier}{}", s["number"].as_str().unwrap_or_default()),
                    operating_carrier: s["operating"]["carrierCode"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| carrier.clone()),
                    marketing_carrier: carrier,
                    aircraft: s["aircraft"]["code"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    distance_km: 0,
                });
            }
            slices
                .push(Slice::from_segments(segments).ok_or_else(|| {
                    Error::internal("Amadeus sent an itinerary without segments")
                })?);
        }
        if slices.is_empty() {
            return Err(Error::internal("Amadeus sent an offer without itineraries"));
        }
        let cabin = first_fares
            .first()
            .and_then(|f| f["cabin"].as_str())
            .and_then(|c| Cabin::parse(c).ok())
            .unwrap_or(Cabin::Economy);
        let bags = first_fares
            .iter()
            .filter_map(|f| f["includedCheckedBags"]["quantity"].as_u64())
            .min()
            .unwrap_or(0) as u8;
        let passengers: Vec<OfferPassenger> = pricings
            .iter()
            .map(|p| OfferPassenger {
                id: p["travelerId"].as_str().unwrap_or_default().to_string(),
                kind: match p["travelerType"].as_str() {
                    Some("CHILD") => PassengerType::Child,
                    Some("HELD_INFANT") | Some("SEATED_INFANT") => PassengerType::Infant,
                    _ => PassengerType::Adult,
                },
            })
            .collect();
        let id = format!(
            "off_amd_{:016x}",
            crate::geo::word(&format!(
                "{}{}",
                serde_json::to_string(&raw["itineraries"])?,
                total.decimal()
            ))
        );
        Ok(FlightOffer {
            id,
            provider: NAME.into(),
            price: FarePrice { base, tax },
            expires_at: Timestamp::from_second(now.as_second() + OFFER_TTL_SECONDS).unwrap_or(now),
            cabin_class: cabin,
            passengers,
            slices,
            // Self-Service search answers do not state fare rules: promise nothing.
            conditions: Conditions {
                refund_before_departure: Penalty::not_allowed(),
                change_before_departure: Penalty::not_allowed(),
            },
            checked_bags: bags,
            available_seats: raw["numberOfBookableSeats"].as_u64().unwrap_or(0) as u32,
            owner: raw["validatingAirlineCodes"][0]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            supplier_offer_id: None,
            supplier_offer: Some(raw.clone()),
            ticketing: Default::default(),
            tickets: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

#[async_trait]
impl FlightProvider for Amadeus {
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
        let v = self
            .call(
                reqwest::Method::POST,
                "/v2/shopping/flight-offers",
                Some(&Self::search_body(req)),
            )
            .await?;
        Ok(v["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| self.map_offer(o, req.now).ok())
            .collect())
    }
}

impl Amadeus {
    /// Flight Offers Price for an offer as searched: Amadeus's answer, mapped.
    pub async fn price(&self, offer: &FlightOffer, now: Timestamp) -> Result<FlightOffer> {
        let raw = offer
            .supplier_offer
            .clone()
            .ok_or_else(|| Error::internal("an Amadeus offer without Amadeus's own offer"))?;
        let body = json!({"data": {"type": "flight-offers-pricing", "flightOffers": [raw]}});
        let v = self
            .call(
                reqwest::Method::POST,
                "/v1/shopping/flight-offers/pricing",
                Some(&body),
            )
            .await?;
        let priced = &v["data"]["flightOffers"][0];
        if priced.is_null() {
            return Err(Error::Conflict(
                "Amadeus: the offer is no longer available; search again for a fresh offer".into(),
            ));
        }
        self.map_offer(priced, now)
    }
}
