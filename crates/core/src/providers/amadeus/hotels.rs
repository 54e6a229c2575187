//! Hotel offers by city, for comparison only: booking them is not part of this adapter.

use super::{Amadeus, HOTELS_PER_SEARCH, NAME, OFFER_TTL_SECONDS};
use crate::error::Result;
use crate::model::{Currency, Money};
use crate::providers::{HotelProvider, HotelRequest};
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::Value;
use std::time::Duration;

impl Amadeus {
    fn map_hotel_offer(
        &self,
        hotel: &Value,
        o: &Value,
        req: &HotelRequest,
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
impl HotelProvider for Amadeus {
    fn name(&self) -> &str {
        NAME
    }

    fn deadline(&self) -> Option<Duration> {
        Some(self.cfg.deadline)
    }

    async fn search_hotels(&self, req: &HotelRequest) -> Result<Vec<crate::model::HotelOffer>> {
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
