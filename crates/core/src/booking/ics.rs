//! RFC 5545 calendars for bookings and trips: one event per flight segment (in UTC, so every
//! client places it right), one all-day event per hotel stay, one per package day.

use super::Booking;
use crate::model::package::ItineraryDay;
use crate::model::{FlightOffer, HotelOffer};
use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn day(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

struct Event {
    uid: String,
    start: String,
    end: String,
    summary: String,
    location: String,
    description: String,
}

fn events(b: &Booking) -> Vec<Event> {
    let mut out = Vec::new();
    for item in &b.items {
        let base = format!(
            "Confirmation {}{}",
            b.confirmation_code,
            item.reference
                .as_ref()
                .map(|r| format!(", PNR {r}"))
                .unwrap_or_default()
        );
        match item.kind.as_str() {
            "flight" => {
                if let Ok(offer) = serde_json::from_value::<FlightOffer>(item.details.clone()) {
                    for (i, s) in offer.segments().enumerate() {
                        out.push(Event {
                            uid: format!("{}-{}-{}@booksygo", b.id, item.seq, i + 1),
                            start: format!("DTSTART:{}", utc(s.departing_at.timestamp())),
                            end: format!("DTEND:{}", utc(s.arriving_at.timestamp())),
                            summary: format!(
                                "Flight {} {} to {}",
                                s.flight_number, s.origin, s.destination
                            ),
                            location: s.origin.clone(),
                            description: format!(
                                "{base}. Departs {} local time, arrives {} local time.",
                                s.departing_at.strftime("%H:%M (UTC%:z)"),
                                s.arriving_at.strftime("%H:%M (UTC%:z)")
                            ),
                        });
                    }
                }
            }
            "hotel" => {
                if let Ok(offer) = serde_json::from_value::<HotelOffer>(item.details.clone()) {
                    out.push(Event {
                        uid: format!("{}-{}@booksygo", b.id, item.seq),
                        start: format!("DTSTART;VALUE=DATE:{}", day(offer.check_in_date)),
                        end: format!("DTEND;VALUE=DATE:{}", day(offer.check_out_date)),
                        summary: format!("Stay at {}", offer.hotel.name),
                        location: format!("{}, {}", offer.hotel.address, offer.hotel.city),
                        description: format!(
                            "{base}. {}; check-in from {}, check-out by {}.",
                            offer.room_name, offer.hotel.check_in_time, offer.hotel.check_out_time
                        ),
                    });
                }
            }
            _ => {
                let date: Option<Date> = item
                    .details
                    .get("date")
                    .and_then(|d| serde_json::from_value(d.clone()).ok());
                let days: Vec<ItineraryDay> = item
                    .details
                    .get("itinerary")
                    .and_then(|d| serde_json::from_value(d.clone()).ok())
                    .unwrap_or_default();
                let place = item.details["package"]["destination_name"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                if let Some(start) = date {
                    for d in &days {
                        let Ok(on) = start.checked_add(i64::from(d.day.saturating_sub(1)).days())
                        else {
                            continue;
                        };
                        let next = on.tomorrow().unwrap_or(on);
                        out.push(Event {
                            uid: format!("{}-{}-day{}@booksygo", b.id, item.seq, d.day),
                            start: format!("DTSTART;VALUE=DATE:{}", day(on)),
                            end: format!("DTEND;VALUE=DATE:{}", day(next)),
                            summary: format!("Day {}: {}", d.day, d.title),
                            location: place.clone(),
                            description: format!(
                                "{base}. {} Activities: {}.",
                                d.description,
                                d.activities.join("; ")
                            ),
                        });
                    }
                }
            }
        }
    }
    out
}

/// A VCALENDAR with every event of the given bookings.
pub fn calendar(name: &str, bookings: &[Booking], now: Timestamp) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//BooksyGo//BooksyGo 0.1//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(name)), &mut out);
    for b in bookings {
        for e in events(b) {
            fold("BEGIN:VEVENT", &mut out);
            fold(&format!("UID:{}", e.uid), &mut out);
            fold(&format!("DTSTAMP:{}", utc(now)), &mut out);
            fold(&e.start, &mut out);
            fold(&e.end, &mut out);
            fold(&format!("SUMMARY:{}", text(&e.summary)), &mut out);
            fold(&format!("LOCATION:{}", text(&e.location)), &mut out);
            fold(&format!("DESCRIPTION:{}", text(&e.description)), &mut out);
            fold(
                &format!(
                    "STATUS:{}",
                    if matches!(
                        b.status,
                        super::BookingStatus::Cancelled | super::BookingStatus::Refunded
                    ) {
                        "CANCELLED"
                    } else {
                        "CONFIRMED"
                    }
                ),
                &mut out,
            );
            fold("END:VEVENT", &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// A plain-text receipt.
pub fn receipt(b: &Booking) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "BooksyGo receipt\nBooking {}  confirmation {}\nStatus {}\n\n",
        b.id, b.confirmation_code, b.status
    ));
    for item in &b.items {
        s.push_str(&format!(
            "  {:<60} {:>14}\n",
            item.description,
            format!("{} {}", item.price.currency, item.price.decimal())
        ));
        if item.tax.minor > 0 {
            s.push_str(&format!("      of which taxes {}\n", item.tax.decimal()));
        }
        if let Some(r) = &item.reference {
            s.push_str(&format!("      PNR {r}\n"));
        }
    }
    s.push_str(&format!(
        "\n  {:<60} {:>14}\n",
        "Total",
        format!("{} {}", b.total.currency, b.total.decimal())
    ));
    if b.points_redeemed > 0 {
        s.push_str(&format!(
            "  {:<60} {:>14}\n",
            format!("Paid with {} points", b.points_redeemed),
            format!("-{}", b.points_value.decimal())
        ));
    }
    for p in &b.payments {
        s.push_str(&format!(
            "  {:<60} {:>14}\n",
            format!(
                "{} {} {}",
                p.method,
                p.card.as_deref().unwrap_or(""),
                p.status
            ),
            p.amount.decimal()
        ));
    }
    if b.refunded.minor > 0 {
        s.push_str(&format!(
            "  {:<60} {:>14}\n",
            "Refunded",
            b.refunded.decimal()
        ));
    }
    s.push_str("\nTravellers:\n");
    for p in &b.passengers {
        s.push_str(&format!(
            "  {} {} ({}, born {})\n",
            p.given_name,
            p.family_name,
            p.kind().as_str(),
            p.born_on
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_and_escapes() {
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{}", line.len());
        }
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
