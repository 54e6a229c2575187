//! Amadeus Self-Service, kept small and apart so it can be dropped (Amadeus announced the end
//! of the self-service portal): an OAuth2 client-credentials token cached until shortly before
//! it expires (and fetched again after a 401), flight offers search, pricing, and flight
//! orders create, retrieve and cancel.
//!
//! Amadeus offers carry no expiry and ids that only mean something within one answer, so
//! each offer gets a stable id from its content and keeps Amadeus's own offer
//! (`supplier_offer`) for pricing and ordering. Amadeus orders carry no reference of ours:
//! an order whose answer was lost cannot be looked up and is reported, never assumed.

use super::http::SupplierHttp;
use super::{
    FlightOrders, FlightProvider, FlightRequest, OrderRequest, Secret, SupplierCancellation,
    SupplierOrder,
};
use crate::booking::{Gender, PassengerInput};
use crate::error::{Error, Result};
use crate::model::offer::{Conditions, FarePrice, OfferPassenger, Penalty, Segment, Slice};
use crate::model::{Cabin, Currency, FlightOffer, Money, PassengerType};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const NAME: &str = "amadeus";
pub const TEST_BASE_URL: &str = "https://test.api.amadeus.com";
pub const LIVE_BASE_URL: &str = "https://api.amadeus.com";
pub const AUTH_HINT: &str = "Amadeus rejected the client credentials: set BOOKSYGO_AMADEUS_CLIENT_ID and BOOKSYGO_AMADEUS_CLIENT_SECRET (or `booksygo config set-secret amadeus.client_id` / `amadeus.client_secret`)";
/// Offers are priced again before booking; this is how long a search answer is offered.
pub const OFFER_TTL_SECONDS: i64 = 30 * 60;
/// A token is fetched again this long before Amadeus says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct AmadeusConfig {
    pub client_id: Secret,
    pub client_secret: Secret,
    /// The test host unless set: Self-Service keys are test keys until moved to production.
    pub base_url: String,
    pub deadline: Duration,
}

impl AmadeusConfig {
    pub fn new(client_id: Secret, client_secret: Secret) -> Self {
        AmadeusConfig {
            client_id,
            client_secret,
            base_url: TEST_BASE_URL.into(),
            deadline: Duration::from_secs(12),
        }
    }

    pub fn mode(&self) -> &'static str {
        if self.base_url.trim_end_matches('/') == LIVE_BASE_URL {
            "live"
        } else {
            "test"
        }
    }
}

#[derive(Clone)]
pub struct Amadeus {
    cfg: AmadeusConfig,
    http: SupplierHttp,
    token: Arc<Mutex<Option<(Secret, Instant)>>>,
    zones: Arc<HashMap<String, TimeZone>>,
}

impl Amadeus {
    /// `zones`: airport code to time zone (Amadeus gives local times without a zone).
    pub fn new(cfg: AmadeusConfig, zones: HashMap<String, TimeZone>) -> Result<Self> {
        let http = SupplierHttp::new(
            "Amadeus",
            AUTH_HINT,
            cfg.deadline.max(Duration::from_secs(30)),
        )?;
        Ok(Amadeus {
            cfg,
            http,
            token: Arc::new(Mutex::new(None)),
            zones: Arc::new(zones),
        })
    }

    /// Airport time zones from the embedded fixtures.
    pub fn fixture_zones() -> HashMap<String, TimeZone> {
        crate::fixtures::airports()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| TimeZone::get(&a.tz).ok().map(|z| (a.iata, z)))
            .collect()
    }

    pub fn config(&self) -> &AmadeusConfig {
        &self.cfg
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url.trim_end_matches('/'))
    }

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

    fn error(&self, status: u16, body: &[u8]) -> Error {
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
    async fn call(
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
        })
    }

    fn map_order(raw: &Value) -> Result<SupplierOrder> {
        let d = &raw["data"];
        let offer = &d["flightOffers"][0]["price"];
        let total = match (
            offer["grandTotal"].as_str().or(offer["total"].as_str()),
            offer["currency"].as_str(),
        ) {
            (Some(a), Some(c)) => Money::from_decimal(a, Currency::parse(c)?)?,
            _ => Money::zero(Currency::EUR),
        };
        Ok(SupplierOrder {
            order_id: d["id"].as_str().unwrap_or_default().to_string(),
            booking_reference: d["associatedRecords"][0]["reference"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            total,
            cancelled: false,
            intent: None,
            awaiting_payment: false,
            payment_required_by: None,
        })
    }

    /// One cheap authenticated call (a token), for `providers check`.
    pub async fn check(&self) -> Result<()> {
        self.forget_token();
        self.token().await.map(|_| ())
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

#[async_trait]
impl FlightOrders for Amadeus {
    fn check_travellers(&self, passengers: &[PassengerInput], phone: Option<&str>) -> Result<()> {
        if passengers.iter().any(|p| p.gender.is_none()) {
            return Err(Error::invalid(
                "Amadeus needs each traveller's gender (m or f): add it to --passenger, e.g. \"Ada,Lovelace,1990-12-10,adult,f\"",
            ));
        }
        if !phone.is_some_and(|p| p.starts_with('+') && p.len() > 8) {
            return Err(Error::invalid(
                "Amadeus needs a contact phone number in international form: --phone +442080160508",
            ));
        }
        Ok(())
    }

    /// Flight Offers Price: the offer confirmed at today's price (offered as long as the
    /// search's offer was).
    async fn refresh(&self, offer: &FlightOffer) -> Result<FlightOffer> {
        let searched_at = Timestamp::from_second(offer.expires_at.as_second() - OFFER_TTL_SECONDS)
            .unwrap_or(offer.expires_at);
        self.price(offer, searched_at).await
    }

    async fn create_order(&self, req: &OrderRequest<'_>) -> Result<SupplierOrder> {
        let raw = req
            .offer
            .supplier_offer
            .clone()
            .ok_or_else(|| Error::internal("an Amadeus offer without Amadeus's own offer"))?;
        let mut ids: HashMap<PassengerType, Vec<&str>> = HashMap::new();
        for p in &req.offer.passengers {
            ids.entry(p.kind).or_default().push(&p.id);
        }
        let mut used: HashMap<PassengerType, usize> = HashMap::new();
        let (code, number) = split_phone(req.phone.unwrap_or_default());
        let mut travelers = Vec::new();
        for p in req.passengers {
            let n = used.entry(p.kind).or_default();
            let id = ids.get(&p.kind).and_then(|v| v.get(*n)).ok_or_else(|| {
                Error::invalid(format!(
                    "the Amadeus offer has no place for another {}",
                    p.kind.as_str()
                ))
            })?;
            *n += 1;
            travelers.push(json!({
                "id": id,
                "dateOfBirth": p.born_on.to_string(),
                "gender": match p.gender { Some(Gender::F) => "FEMALE", _ => "MALE" },
                "name": {"firstName": p.given_name.trim().to_uppercase(), "lastName": p.family_name.trim().to_uppercase()},
                "contact": {"emailAddress": req.email, "phones": [{"deviceType": "MOBILE", "countryCallingCode": code, "number": number}]},
            }));
        }
        let body = json!({"data": {"type": "flight-order", "flightOffers": [raw], "travelers": travelers}});
        let v = self
            .call(
                reqwest::Method::POST,
                "/v1/booking/flight-orders",
                Some(&body),
            )
            .await?;
        Self::map_order(&v)
    }

    async fn find_order(&self, _intent: &str) -> Result<Option<SupplierOrder>> {
        Err(Error::Conflict(
            "Amadeus orders cannot be looked up by BooksyGo's reference: check the Amadeus console for this booking".into(),
        ))
    }

    async fn get_order(&self, order_id: &str) -> Result<SupplierOrder> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/v1/booking/flight-orders/{order_id}"),
                None,
            )
            .await?;
        Self::map_order(&v)
    }

    /// Amadeus cancels in one call: the quote is the order itself, nothing refunded by it.
    async fn quote_cancellation(&self, order_id: &str) -> Result<SupplierCancellation> {
        Ok(SupplierCancellation {
            id: order_id.to_string(),
            order_id: order_id.to_string(),
            refund: None,
            expires_at: None,
            confirmed: false,
        })
    }

    async fn confirm_cancellation(&self, order_id: &str) -> Result<SupplierCancellation> {
        self.call(
            reqwest::Method::DELETE,
            &format!("/v1/booking/flight-orders/{order_id}"),
            None,
        )
        .await?;
        Ok(SupplierCancellation {
            id: order_id.to_string(),
            order_id: order_id.to_string(),
            refund: None,
            expires_at: None,
            confirmed: true,
        })
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

/// "+442080160508" -> ("44", "2080160508"), for the country codes of one to three digits
/// that Amadeus wants apart (a best effort: common codes first).
fn split_phone(p: &str) -> (String, String) {
    let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
    let cc_len = if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]
    .iter()
    .any(|c| digits.starts_with(c))
    {
        2
    } else {
        3
    };
    let cc_len = cc_len.min(digits.len());
    (digits[..cc_len].to_string(), digits[cc_len..].to_string())
}

/// How many of a city's hotels one search prices (Amadeus takes hotel ids in batches).
pub const HOTELS_PER_SEARCH: usize = 20;

impl Amadeus {
    fn map_hotel_offer(
        &self,
        hotel: &Value,
        o: &Value,
        req: &super::HotelRequest,
    ) -> Result<crate::model::HotelOffer> {
        use crate::model::{Cancellation, HotelOffer, HotelSummary, StayPrice};
        let price = &o["price"];
        let currency = Currency::parse(price["currency"].as_str().unwrap_or_default())?;
        let total = Money::from_decimal(price["total"].as_str().unwrap_or_default(), currency)?;
        let base = match price["base"].as_str() {
            Some(b) => Money::from_decimal(b, currency)?,
            None => total,
        };
        let check_in: jiff::civil::Date = o["checkInDate"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .unwrap_or(req.check_in);
        let check_out: jiff::civil::Date = o["checkOutDate"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .unwrap_or(req.check_out);
        let nights =
            crate::providers::sandbox::fares::days_between(check_in, check_out).max(1) as u32;
        let (lat, lon) = (
            hotel["latitude"].as_f64().unwrap_or(0.0),
            hotel["longitude"].as_f64().unwrap_or(0.0),
        );
        // Free until the first cancellation deadline, when Amadeus states one.
        let free_until = o["policies"]["cancellations"][0]["deadline"]
            .as_str()
            .and_then(|d| crate::model::time::parse_local(d).ok());
        let hotel_id = hotel["hotelId"].as_str().unwrap_or_default();
        let offer_id = o["id"].as_str().unwrap_or_default();
        Ok(HotelOffer {
            id: format!(
                "off_amh_{:016x}",
                crate::geo::word(&format!("{hotel_id}|{offer_id}"))
            ),
            provider: NAME.into(),
            hotel: HotelSummary {
                id: hotel_id.to_string(),
                name: hotel["name"].as_str().unwrap_or_default().to_string(),
                stars: 0,
                rating: 0.0,
                city: hotel["cityCode"].as_str().unwrap_or_default().to_string(),
                city_code: req.city_code.clone(),
                neighbourhood: String::new(),
                address: String::new(),
                latitude: lat,
                longitude: lon,
                amenities: Vec::new(),
                distance_to_centre_km: req
                    .centre
                    .map(|(clat, clon)| {
                        (crate::geo::distance_km(lat, lon, clat, clon) * 10.0).round() / 10.0
                    })
                    .unwrap_or(0.0),
                check_in_time: "15:00".into(),
                check_out_time: "11:00".into(),
            },
            room_type: o["room"]["type"].as_str().unwrap_or("room").to_string(),
            room_name: o["room"]["description"]["text"]
                .as_str()
                .unwrap_or("Room")
                .to_string(),
            check_in_date: check_in,
            check_out_date: check_out,
            nights,
            guests: req.guests,
            rooms: req.rooms,
            price: StayPrice {
                total,
                tax: total.checked_sub(base)?,
                nightly: Money::new(base.minor / i64::from(nights), currency),
            },
            cancellation: Cancellation {
                refundable: free_until.is_some(),
                free_until,
            },
            expires_at: Timestamp::from_second(req.now.as_second() + OFFER_TTL_SECONDS)
                .unwrap_or(req.now),
            available_rooms: req.rooms,
            supplier_offer_id: Some(offer_id.to_string()),
        })
    }
}

/// Amadeus hotel offers: for comparison only. Booking them is not part of this adapter, and
/// the booking desk refuses them rather than book locally.
#[async_trait]
impl super::HotelProvider for Amadeus {
    fn name(&self) -> &str {
        NAME
    }

    fn deadline(&self) -> Option<Duration> {
        Some(self.cfg.deadline)
    }

    async fn search_hotels(
        &self,
        req: &super::HotelRequest,
    ) -> Result<Vec<crate::model::HotelOffer>> {
        let list = self
            .call(
                reqwest::Method::GET,
                &format!(
                    "/v1/reference-data/locations/hotels/by-city?cityCode={}",
                    req.city_code
                ),
                None,
            )
            .await?;
        let ids: Vec<&str> = list["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["hotelId"].as_str())
            .take(HOTELS_PER_SEARCH)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let adults = req.guests.div_ceil(req.rooms.max(1));
        let v = self
            .call(
                reqwest::Method::GET,
                &format!(
                    "/v3/shopping/hotel-offers?hotelIds={}&adults={adults}&checkInDate={}&checkOutDate={}&roomQuantity={}",
                    ids.join(","),
                    req.check_in,
                    req.check_out,
                    req.rooms
                ),
                None,
            )
            .await?;
        let mut out = Vec::new();
        for h in v["data"].as_array().into_iter().flatten() {
            if h["available"].as_bool() == Some(false) {
                continue;
            }
            for o in h["offers"].as_array().into_iter().flatten() {
                if let Ok(offer) = self.map_hotel_offer(&h["hotel"], o, req) {
                    out.push(offer);
                }
            }
        }
        Ok(out)
    }
}
