//! Sandbox hotel rates and availability: nightly rates move with season, weekends and how
//! full the hotel is; rooms are inventory (the market's own occupancy plus what BooksyGo sold).

use super::fares;
use super::network::day_number;
use crate::geo::{self, distance_km};
use crate::model::{Cancellation, HotelOffer, HotelSummary, Money, StayPrice};
use crate::providers::HotelRequest;
use crate::store::port::{CityRow, HotelRow, RoomRow};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use std::collections::HashMap;

/// Rooms BooksyGo sold per (hotel id, room type, night).
pub type SoldRooms = HashMap<(String, String, Date), u32>;

pub const OFFER_TTL_SECONDS: i64 = 30 * 60;

fn night_seed(hotel: &str, room: &str, night: Date) -> u64 {
    geo::hash(&[geo::word(hotel), geo::word(room), day_number(night) as u64])
}

/// Share of rooms of a type the rest of the market has taken that night (per mille).
pub fn market_occupancy(hotel: &str, room: &str, night: Date, south: bool) -> i64 {
    let season = fares::season(night, south);
    (400 + geo::pick(night_seed(hotel, room, night), 450) as i64 + (season - 1000) / 2)
        .clamp(100, 950)
}

/// Nightly rate of one room in EUR cents.
pub fn nightly_rate(hotel: &str, room: &RoomRow, night: Date, south: bool) -> i64 {
    let season = 1000 + (fares::season(night, south) - 1000) * 6 / 10;
    let weekend = if matches!(
        night.weekday(),
        jiff::civil::Weekday::Friday | jiff::civil::Weekday::Saturday
    ) {
        1150
    } else {
        1000
    };
    let occ = market_occupancy(hotel, &room.kind, night, south);
    let demand = 900 + 400 * occ * occ / 1_000_000;
    let noise = 970 + geo::pick(night_seed(hotel, &room.kind, night) >> 11, 61) as i64;
    let mut rate = room.base_rate;
    for f in [season, weekend, demand, noise] {
        rate = rate * f / 1000;
    }
    // Hotels quote whole euros.
    ((rate + 50) / 100).max(1) * 100
}

/// Rooms of this type free on a night.
pub fn rooms_left(hotel: &str, room: &RoomRow, night: Date, south: bool, sold: &SoldRooms) -> u32 {
    let market = i64::from(room.count) * market_occupancy(hotel, &room.kind, night, south) / 1000;
    let ours = i64::from(
        sold.get(&(hotel.to_string(), room.kind.clone(), night))
            .copied()
            .unwrap_or(0),
    );
    (i64::from(room.count) - market - ours).max(0) as u32
}

pub fn nights(check_in: Date, check_out: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = check_in;
    while d < check_out {
        out.push(d);
        d = match d.checked_add(1.day()) {
            Ok(n) => n,
            Err(_) => break,
        };
    }
    out
}

pub fn offers(
    city: &CityRow,
    tz: &TimeZone,
    hotels: &[HotelRow],
    req: &HotelRequest,
    sold: &SoldRooms,
) -> Vec<HotelOffer> {
    let stay = nights(req.check_in, req.check_out);
    let south = city.lat < 0.0;
    let mut out = Vec::new();
    for h in hotels {
        let summary = summary(city, h);
        for room in &h.rooms {
            if room.capacity * req.rooms < req.guests {
                continue;
            }
            let available = stay
                .iter()
                .map(|&n| rooms_left(&h.id, room, n, south, sold))
                .min()
                .unwrap_or(0);
            if available < req.rooms {
                continue;
            }
            let before_tax: i64 = stay
                .iter()
                .map(|&n| nightly_rate(&h.id, room, n, south))
                .sum::<i64>()
                * i64::from(req.rooms);
            let tax = before_tax * i64::from(city.tax_percent) / 100;
            let free_until = h.free_cancellation_hours.and_then(|hours| {
                let (hh, mm) = h.check_in.split_once(':')?;
                let at = req.check_in.at(hh.parse().ok()?, mm.parse().ok()?, 0, 0);
                let z = tz.to_ambiguous_zoned(at).compatible().ok()?;
                z.checked_sub(i64::from(hours).hours()).ok()
            });
            let nights = stay.len() as u32;
            let price = StayPrice {
                total: Money::eur(before_tax + tax),
                tax: Money::eur(tax),
                nightly: Money::eur(before_tax / i64::from(nights.max(1))),
            };
            let mut offer = HotelOffer {
                id: String::new(),
                provider: super::NAME.to_string(),
                hotel: summary.clone(),
                room_type: room.kind.clone(),
                room_name: room.name.clone(),
                check_in_date: req.check_in,
                check_out_date: req.check_out,
                nights,
                guests: req.guests,
                rooms: req.rooms,
                price,
                cancellation: Cancellation {
                    refundable: free_until.is_some(),
                    free_until,
                },
                expires_at: Timestamp::from_second(req.now.as_second() + OFFER_TTL_SECONDS)
                    .unwrap_or(req.now),
                available_rooms: available,
                supplier_offer_id: None,
            };
            offer.id = offer_id(&offer);
            out.push(offer);
        }
    }
    out
}

pub fn offer_id(o: &HotelOffer) -> String {
    let h = geo::hash(&[
        geo::word(&o.hotel.id),
        geo::word(&o.room_type),
        day_number(o.check_in_date) as u64,
        day_number(o.check_out_date) as u64,
        u64::from(o.guests) << 8 | u64::from(o.rooms),
        o.total().minor as u64,
        geo::word(&o.provider),
    ]);
    format!("off_{h:016x}")
}

fn summary(city: &CityRow, h: &HotelRow) -> HotelSummary {
    let d = distance_km(city.lat, city.lon, h.lat, h.lon);
    HotelSummary {
        id: h.id.clone(),
        name: h.name.clone(),
        stars: h.stars,
        rating: h.rating,
        city: city.name.clone(),
        city_code: city.code.clone(),
        neighbourhood: h.neighbourhood.clone(),
        address: h.address.clone(),
        latitude: h.lat,
        longitude: h.lon,
        amenities: h.amenities.clone(),
        distance_to_centre_km: (d * 10.0).round() / 10.0,
        check_in_time: h.check_in.clone(),
        check_out_time: h.check_out.clone(),
    }
}
