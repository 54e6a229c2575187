//! Compact JSON and text views of offers, for a model or a chat answer.

use crate::model::{FlightOffer, HotelOffer};
use serde_json::{Value, json};

/// A compact view of a flight offer for a model or a chat answer.
pub fn flight_summary(o: &FlightOffer) -> Value {
    let slices: Vec<Value> = o
        .slices
        .iter()
        .map(|s| {
            json!({
                "from": s.origin,
                "to": s.destination,
                "depart": s.departing_at.strftime("%Y-%m-%d %H:%M").to_string(),
                "arrive": s.arriving_at.strftime("%Y-%m-%d %H:%M").to_string(),
                "stops": s.stops(),
                "duration_minutes": s.duration_minutes,
                "flights": s.segments.iter().map(|g| g.flight_number.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": o.id,
        "total": o.total().decimal(),
        "currency": o.total().currency,
        "airline": o.owner,
        "cabin": o.cabin_class,
        "stops": o.stops(),
        "refundable": o.conditions.refund_before_departure.allowed,
        "seats_left": o.available_seats,
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
        "hotel": o.hotel.name,
        "stars": o.hotel.stars,
        "rating": o.hotel.rating,
        "neighbourhood": o.hotel.neighbourhood,
        "room": o.room_name,
        "nights": o.nights,
        "total": o.total().decimal(),
        "nightly": o.price.nightly.decimal(),
        "currency": o.total().currency,
        "free_cancellation": o.cancellation.free_until.is_some(),
    })
}
