//! Requests with at most one slot: a package by id, a place to look up, bookings by status,
//! and a booking to cancel.

use super::words::FILLER;
use super::{Outcome, Plan, Reading, finish, json_map};
use serde_json::{Map, json};

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

/// Arguments for `cancel_booking`: a bkg_ id or a confirmation code, as typed.
pub(super) fn cancel_booking(r: &Reading<'_>, intent: String, notes: Vec<String>) -> Outcome {
    let orig = r.orig;
    let id = orig.iter().find(|w| {
        w.starts_with("bkg_")
            || (w.len() == 6
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && w.chars()
                    .any(|c| c.is_ascii_digit() || !"CANCEL".contains(c)))
    });
    match id {
        Some(id) => finish(intent, json_map(json!({"booking_id": id})), None, notes),
        None => (
            Plan::Ask("Which booking should I cancel? Give its id (bkg_...) or confirmation code; \"my bookings\" lists them.".into()),
            None,
            notes,
        ),
    }
}
