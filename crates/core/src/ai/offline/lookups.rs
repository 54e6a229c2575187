//! Requests with at most one slot: a package by id, a place to look up, bookings by status,
//! and a booking to cancel.

use super::words::{FILLER, has};
use super::{Outcome, Plan, Reading, finish, json_map, put};
use crate::booking::BookingStatus;
use serde_json::{Map, Value, json};

/// Arguments for `get_package`: the pkg_ id in the message.
pub(super) fn get_package(r: &Reading<'_>, intent: String, notes: Vec<String>) -> Outcome {
    let words = r.words;
    let id = words
        .iter()
        .find(|w| w.starts_with("pkg_"))
        .map(|w| w.to_string());
    match id {
        Some(id) => finish(intent, json_map(json!({"id": id})), None, notes),
        None => (
            Plan::Ask("Which package? Give its id (pkg_...).".into()),
            None,
            notes,
        ),
    }
}

/// Arguments for `list_bookings`: a status if one is named.
pub(super) fn list_bookings(r: &Reading<'_>, intent: String, notes: Vec<String>) -> Outcome {
    let words = r.words;
    let mut a = Map::new();
    for (w, s) in [
        ("cancelled", "CANCELLED"),
        ("canceled", "CANCELLED"),
        ("confirmed", "CONFIRMED"),
        ("pending", "PENDING"),
        ("unpaid", "PENDING"),
        ("completed", "COMPLETED"),
        ("past", "COMPLETED"),
    ] {
        if words.contains(&w) {
            a.insert("status".into(), json!(s));
            break;
        }
    }
    finish(intent, a, None, notes)
}

/// Arguments for `suggest_places`: the words after "in", "for", "of", "near" or "is".
pub(super) fn suggest_places(r: &Reading<'_>, intent: String, notes: Vec<String>) -> Outcome {
    let words = r.words;
    let mut q: Vec<&str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, "in" | "for" | "of" | "near" | "is") && i + 1 < words.len() {
            q = words[i + 1..]
                .iter()
                .copied()
                .filter(|w| !FILLER.contains(w))
                .collect();
        }
    }
    if q.is_empty() {
        return (
            Plan::Ask("Which city or airport should I look up?".into()),
            None,
            notes,
        );
    }
    finish(intent, json_map(json!({"query": q.join(" ")})), None, notes)
}

/// The booking a message names: a bkg_ id or a confirmation code as typed, or "my last
/// booking" / "it" (the one made in this conversation, else the newest one that `usable`
/// accepts). `Err` carries what to say when there is none.
async fn booking_named(
    r: &Reading<'_>,
    usable: impl Fn(BookingStatus) -> bool,
) -> Result<Option<String>, String> {
    let id = r.orig.iter().find(|w| {
        w.starts_with("bkg_")
            || (w.len() == 6
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && w.chars()
                    .any(|c| c.is_ascii_digit() || !"CANCEL".contains(c)))
    });
    if let Some(id) = id {
        return Ok(Some(id.to_string()));
    }
    let words = r.words;
    let latest = has(
        words,
        &["last", "latest", "recent", "newest", "it", "that", "this"],
    );
    if !latest {
        return Ok(None);
    }
    if let Some(id) = &r.session.last_booking {
        return Ok(Some(id.clone()));
    }
    let list = r.agency.list_bookings(None).await.unwrap_or_default();
    if list.is_empty() {
        return Err("You have no bookings yet.".into());
    }
    match list.iter().find(|b| usable(b.status)) {
        Some(b) => Ok(Some(b.id.clone())),
        None => {
            Err("None of your bookings can take that any more: \"my bookings\" lists them.".into())
        }
    }
}

/// Arguments for `cancel_booking`: a bkg_ id, a confirmation code, or "my last booking".
pub(super) async fn cancel_booking(r: &Reading<'_>, intent: String, notes: Vec<String>) -> Outcome {
    let usable = |s: BookingStatus| {
        matches!(
            s,
            BookingStatus::Pending | BookingStatus::PaymentProcessing | BookingStatus::Confirmed
        )
    };
    match booking_named(r, usable).await {
        Ok(Some(id)) => finish(intent, json_map(json!({"booking_id": id})), None, notes),
        Ok(None) => (
            Plan::Ask("Which booking should I cancel? Give its id (bkg_...) or confirmation code, or say \"my last booking\"; \"my bookings\" lists them.".into()),
            None,
            notes,
        ),
        Err(say) => (Plan::Say(say.replace("yet.", "yet, so there are no bookings to cancel.")), None, notes),
    }
}

/// Arguments for `pay_booking`: which booking ("it", "my last booking", an id) and the card
/// ("4242 4242 4242 4242 expiring 12/30"), asked for when missing.
pub(super) async fn pay_booking(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    let words = r.words;
    match booking_named(r, |s| s == BookingStatus::Pending).await {
        Ok(Some(id)) => put(&mut args, "booking_id", json!(id)),
        Ok(None) => {
            if !args.contains_key("booking_id")
                && let Some(id) = &r.session.last_booking
            {
                put(&mut args, "booking_id", json!(id));
            }
        }
        Err(say) => return (Plan::Say(say), None, notes),
    }
    // The card: its digits, possibly in groups, and MM/YY.
    let mut digits = String::new();
    for w in words {
        if w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty() {
            digits.push_str(w);
        } else if (12..=19).contains(&digits.len()) {
            break;
        } else {
            digits.clear();
        }
    }
    if (12..=19).contains(&digits.len()) {
        put(&mut args, "card_number", json!(digits));
    }
    if let Some(exp) = words.iter().find(|w| {
        w.len() == 5
            && w.as_bytes()[2] == b'/'
            && w.chars().filter(char::is_ascii_digit).count() == 4
    }) {
        put(&mut args, "expiry", json!(exp));
    }
    let missing = if !args.contains_key("booking_id") {
        Some((
            "booking",
            "Which booking should I pay? Give its id (bkg_...); \"my bookings\" lists them.",
        ))
    } else if !args.contains_key("card_number") || !args.contains_key("expiry") {
        Some((
            "card",
            "Which card? Say for example \"pay with card 4242 4242 4242 4242 expiring 12/30\".",
        ))
    } else {
        None
    };
    finish(intent, args, missing, notes)
}
