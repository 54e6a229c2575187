//! Compact JSON and text views of offers, for a model or a chat answer. Field names, times
//! and durations are those of the CLI's `--json` (`departing_at` is local time with its UTC
//! offset, `duration` ISO 8601); every amount is `{"amount": "250.00", "currency": "EUR"}`.

use crate::model::time::{format_local, iso_duration};
use crate::model::{FlightOffer, HotelOffer};
use crate::search::packages::PackageSummary;
use serde_json::{Value, json};

/// A rating as people write it (8.3), not as an f32 widens (8.300000190734863).
pub fn rating(r: f32) -> Value {
    let tenths = (f64::from(r) * 10.0).round();
    serde_json::Number::from_f64(tenths / 10.0)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A compact view of a flight offer for a model or a chat answer.
pub fn flight_summary(o: &FlightOffer) -> Value {
    let slices: Vec<Value> = o
        .slices
        .iter()
        .map(|s| {
            json!({
                "origin": s.origin,
                "destination": s.destination,
                "departing_at": format_local(&s.departing_at),
                "arriving_at": format_local(&s.arriving_at),
                "duration": iso_duration(s.duration_minutes),
                "stops": s.stops(),
                "flight_numbers": s.segments.iter().map(|g| g.flight_number.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": o.id,
        "total": o.total(),
        "owner": o.owner,
        "cabin_class": o.cabin_class,
        "stops": o.stops(),
        "refundable": o.conditions.refund_before_departure.allowed,
        "available_seats": o.available_seats,
        "expires_at": o.expires_at,
        "ticketing": o.ticketing,
        "warnings": o.warnings,
        "slices": slices,
    })
}

pub(super) fn flight_description(o: &FlightOffer) -> String {
    let legs: Vec<String> = o
        .slices
        .iter()
        .map(|s| {
            format!(
                "{}->{} {} {}",
                s.origin,
                s.destination,
                s.departing_at.strftime("%a %-d %b %H:%M"),
                s.segments
                    .iter()
                    .map(|g| g.flight_number.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            )
        })
        .collect();
    format!("flight {}", legs.join(", "))
}

pub fn hotel_summary(o: &HotelOffer) -> Value {
    json!({
        "id": o.id,
        "hotel": {
            "name": o.hotel.name,
            "stars": o.hotel.stars,
            "rating": rating(o.hotel.rating),
            "neighbourhood": o.hotel.neighbourhood,
            "amenities": o.hotel.amenities,
        },
        "room_name": o.room_name,
        "check_in_date": o.check_in_date,
        "check_out_date": o.check_out_date,
        "nights": o.nights,
        "guests": o.guests,
        "rooms": o.rooms,
        "total": o.total(),
        "nightly": o.price.nightly,
        "cancellation": o.cancellation,
        "expires_at": o.expires_at,
    })
}

pub(super) fn package_summary(p: &PackageSummary) -> Value {
    json!({
        "id": p.id,
        "title": p.title,
        "type": p.kind,
        "destination": p.destination,
        "destination_name": p.destination_name,
        "country": p.country,
        "continent": p.continent,
        "duration_days": p.duration_days,
        "base_price": p.base_price,
        "rating": rating(p.rating),
    })
}
