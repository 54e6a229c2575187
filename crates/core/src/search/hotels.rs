//! Hotel queries: validation, filters and sorts.

use crate::error::{Error, Result};
use crate::model::{Currency, FxTable, HotelOffer, Money};
use crate::places::Places;
use crate::providers::HotelRequest;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub const MAX_NIGHTS: i64 = 30;
/// Most guests one room takes.
pub const GUESTS_PER_ROOM: u32 = 4;
/// Most rooms one search (one booking) takes.
pub const MAX_ROOMS: u32 = 9;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HotelSort {
    #[default]
    Price,
    Rating,
    Stars,
    Distance,
}

impl HotelSort {
    pub fn parse(text: &str) -> Result<HotelSort> {
        match text {
            "price" => Ok(HotelSort::Price),
            "rating" => Ok(HotelSort::Rating),
            "stars" => Ok(HotelSort::Stars),
            "distance" => Ok(HotelSort::Distance),
            _ => Err(Error::invalid(format!(
                "unknown sort '{text}': use price, rating, stars or distance"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotelQuery {
    /// City code, airport code or city name.
    pub location: String,
    pub check_in: Date,
    pub check_out: Date,
    #[serde(default = "one")]
    pub guests: u32,
    #[serde(default = "one")]
    pub rooms: u32,
    #[serde(default)]
    pub min_stars: Option<u8>,
    #[serde(default)]
    pub min_rating: Option<f32>,
    /// Average nightly price before tax, in the display currency.
    #[serde(default)]
    pub max_nightly: Option<Money>,
    #[serde(default)]
    pub amenities: Vec<String>,
    #[serde(default)]
    pub sort: HotelSort,
    /// Every room type rather than the cheapest that fits per hotel.
    #[serde(default)]
    pub all_rooms: bool,
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub currency: Option<Currency>,
}

fn one() -> u32 {
    1
}

pub const AMENITIES: &[&str] = &[
    "wifi",
    "breakfast",
    "parking",
    "pool",
    "spa",
    "gym",
    "bar",
    "restaurant",
    "air_conditioning",
    "pets_allowed",
    "airport_shuttle",
    "beach",
    "kitchen",
    "family_rooms",
    "accessible",
    "room_service",
    "laundry",
];

impl HotelQuery {
    pub fn new(location: &str, check_in: Date, check_out: Date) -> HotelQuery {
        HotelQuery {
            location: location.into(),
            check_in,
            check_out,
            guests: 1,
            rooms: 1,
            min_stars: None,
            min_rating: None,
            max_nightly: None,
            amenities: Vec::new(),
            sort: HotelSort::Price,
            all_rooms: false,
            limit: None,
            currency: None,
        }
    }

    pub fn resolve(&self, places: &Places, fx: &FxTable, now: Timestamp) -> Result<HotelRequest> {
        let place = places.resolve(&self.location)?;
        let first = place.airports[0];
        let city_code = places.city_of(first).code.clone();
        let today = now.to_zoned(places.tz(first).clone()).date();
        if self.check_in < today {
            return Err(Error::invalid(format!(
                "check-in {} is in the past (today is {today} in {})",
                self.check_in, place.name
            )));
        }
        if self.check_out <= self.check_in {
            return Err(Error::invalid(format!(
                "check-out {} must be after check-in {}",
                self.check_out, self.check_in
            )));
        }
        let nights = crate::model::season::days_between(self.check_in, self.check_out);
        if nights > MAX_NIGHTS {
            return Err(Error::invalid(format!(
                "{nights} nights is longer than the {MAX_NIGHTS}-night maximum stay"
            )));
        }
        let horizon = super::sale_horizon(today);
        if self.check_in > horizon {
            return Err(Error::invalid(format!(
                "{} is too far ahead: hotels sell up to {horizon}",
                self.check_in
            )));
        }
        if self.rooms == 0 || self.rooms > MAX_ROOMS {
            return Err(Error::invalid(format!(
                "rooms must be between 1 and {MAX_ROOMS}"
            )));
        }
        if self.guests == 0 || self.guests > GUESTS_PER_ROOM * self.rooms {
            // Too many guests: the rooms that would take them, when that is allowed.
            let enough = self.guests.div_ceil(GUESTS_PER_ROOM);
            let fix = if self.guests > 0 && enough <= MAX_ROOMS {
                format!(" (ask for --rooms {enough})")
            } else {
                String::new()
            };
            return Err(Error::invalid(format!(
                "{} for {}: each room takes 1 to {GUESTS_PER_ROOM} guests{fix}",
                crate::model::counted(self.guests, "guest", "guests"),
                crate::model::counted(self.rooms, "room", "rooms")
            )));
        }
        if self.guests < self.rooms {
            return Err(Error::invalid("more rooms than guests"));
        }
        super::check_limit(self.limit)?;
        if let Some(s) = self.min_stars
            && !(1..=5).contains(&s)
        {
            return Err(Error::invalid("--stars must be between 1 and 5"));
        }
        if let Some(r) = self.min_rating
            && !(0.0..=10.0).contains(&r)
        {
            return Err(Error::invalid("--min-rating is out of 10"));
        }
        for a in &self.amenities {
            if !AMENITIES.contains(&a.as_str()) {
                return Err(Error::invalid(format!(
                    "unknown amenity '{a}': use {}",
                    AMENITIES.join(", ")
                )));
            }
        }
        if let Some(c) = self.currency {
            fx.supports(c)?;
        }
        if let Some(m) = self.max_nightly {
            fx.supports(m.currency)?;
        }
        let airports = &places.city_of(first).airports;
        let n = airports.len().max(1) as f64;
        let centre = (
            airports
                .iter()
                .map(|&i| places.airports[i].lat)
                .sum::<f64>()
                / n,
            airports
                .iter()
                .map(|&i| places.airports[i].lon)
                .sum::<f64>()
                / n,
        );
        Ok(HotelRequest {
            city_code,
            check_in: self.check_in,
            check_out: self.check_out,
            guests: self.guests,
            rooms: self.rooms,
            now,
            centre: Some(centre),
        })
    }

    pub fn accepts(&self, o: &HotelOffer, fx: &FxTable) -> bool {
        if self.min_stars.is_some_and(|s| o.hotel.stars < s) {
            return false;
        }
        if self.min_rating.is_some_and(|r| o.hotel.rating < r) {
            return false;
        }
        if let Some(max) = self.max_nightly {
            match fx.convert(o.price.nightly, max.currency) {
                // `nightly` covers every room booked; the limit is per room.
                Ok(n) if n.minor <= max.minor * i64::from(self.rooms.max(1)) => {}
                _ => return false,
            }
        }
        self.amenities.iter().all(|a| o.hotel.amenities.contains(a))
    }
}

pub fn sort(offers: &mut [HotelOffer], how: HotelSort, fx: &FxTable) {
    // Ties keep a stable, id order: merged provider answers arrive in any order.
    offers.sort_by(|a, b| a.id.cmp(&b.id));
    let eur = |o: &HotelOffer| {
        fx.convert(o.total(), Currency::EUR)
            .map(|m| m.minor)
            .unwrap_or(i64::MAX)
    };
    let rating = |o: &HotelOffer| (o.hotel.rating * 10.0).round() as i64;
    match how {
        HotelSort::Price => offers.sort_by_cached_key(|o| (eur(o), -rating(o))),
        HotelSort::Rating => offers.sort_by_cached_key(|o| (-rating(o), eur(o))),
        HotelSort::Stars => {
            offers.sort_by_cached_key(|o| (std::cmp::Reverse(o.hotel.stars), -rating(o), eur(o)))
        }
        HotelSort::Distance => offers.sort_by_cached_key(|o| {
            (
                (o.hotel.distance_to_centre_km * 10.0).round() as i64,
                eur(o),
            )
        }),
    }
}
