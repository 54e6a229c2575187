//! Flight requests: origin, destination, dates (a month becomes a fare calendar), travellers,
//! cabin, stops, order and budget, and the question to ask when one of them is missing.

use super::places::{Place, place_after, place_before_to, resolve};
use super::slots::{budget, cabin, flight_sort, max_stops, party};
use super::words::is_code;
use super::{Outcome, Reading, ask_country, finish, put};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// Where from and where to: "from X to Y", "X to Y", "LHR-JFK", bare codes "LHR JFK".
pub(super) async fn route(r: &Reading<'_>) -> (Option<Place>, Option<Place>) {
    let (agency, words, orig) = (r.agency, r.words, r.orig);
    let from = place_after(agency, words, &["from", "leaving", "out"]).await;
    let mut to = place_after(agency, words, &["to", "into"]).await;
    let mut from = match from {
        Some(p) => Some(p),
        None => place_before_to(agency, words).await,
    };
    // Bare codes: "LHR JFK".
    let codes: Vec<&str> = orig.iter().copied().filter(|w| is_code(w)).collect();
    if from.is_none() && to.is_none() && codes.len() >= 2 {
        from = resolve(agency, &[&codes[0].to_lowercase()]).await;
        to = resolve(agency, &[&codes[1].to_lowercase()]).await;
    }
    (from, to)
}

/// Arguments for `search_flights` or `flight_calendar`.
pub(super) async fn read(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    mut notes: Vec<String>,
) -> Outcome {
    let (agency, words, asking, d) = (r.agency, r.words, &r.asking, &r.dates);
    let (mut from, mut to) = route(r).await;
    // An answer to "where from?" / "where to?".
    if from.is_none()
        && to.is_none()
        && let Some(slot) = &asking
        && let Some(p) = resolve(agency, words).await
    {
        if slot == "origin" {
            from = Some(p);
        } else if slot == "destination" {
            to = Some(p);
        }
    }
    let mut country_question = None;
    for (slot, p) in [("origin", &from), ("destination", &to)] {
        if let Some(p) = p {
            if p.country {
                country_question = Some((slot, p.clone()));
                args.remove(slot);
            } else {
                put(&mut args, slot, json!(p.code));
            }
        }
    }
    let month = d.month;
    if let Some(first) = d.first {
        put(&mut args, "departure_date", json!(first));
        args.remove("from");
        if let Some(second) = d.second {
            put(&mut args, "return_date", json!(second));
        }
    }
    let mut intent = intent;
    if d.first.is_none()
        && let Some(m) = month
    {
        intent = "flight_calendar".into();
        let last = m.last_of_month();
        put(&mut args, "from", json!(m));
        put(&mut args, "to", json!(last));
    }
    let p = party(words);
    if let Some(a) = p.adults {
        put(&mut args, "adults", json!(a));
    }
    if intent == "search_flights" {
        if let Some(c) = p.children {
            put(&mut args, "children", json!(c));
        }
        if let Some(i) = p.infants {
            put(&mut args, "infants", json!(i));
        }
        if let Some(s) = max_stops(words) {
            put(&mut args, "max_stops", json!(s));
        }
        if let Some(s) = flight_sort(words) {
            put(&mut args, "sort", json!(s));
        }
    }
    if let Some(c) = cabin(words) {
        put(&mut args, "cabin", json!(c));
    }
    if let Some((amount, cur, _)) = budget(words) {
        if intent == "search_flights" {
            put(&mut args, "max_price", json!(amount));
        } else {
            notes.push(format!(
                "the calendar shows every day's cheapest fare, so I did not filter by {amount}"
            ));
        }
        if let Some(c) = cur {
            put(&mut args, "currency", json!(c));
        }
    }
    if intent == "flight_calendar" {
        for k in ["departure_date", "return_date"] {
            if let Some(v) = args.remove(k)
                && !args.contains_key("from")
                && k == "departure_date"
            {
                // "cheapest day around 14 March": the days around it.
                if let Some(d) = v.as_str().and_then(|s| s.parse::<Date>().ok()) {
                    let from = d
                        .checked_sub(jiff::Span::new().days(3))
                        .unwrap_or(d)
                        .max(r.today);
                    let to = d.checked_add(jiff::Span::new().days(3)).unwrap_or(d);
                    put(&mut args, "from", json!(from));
                    put(&mut args, "to", json!(to));
                }
            }
        }
    }
    if let Some((slot, p)) = country_question {
        return ask_country(slot, &p, &intent, args);
    }
    let date_key = if intent == "flight_calendar" {
        "from"
    } else {
        "departure_date"
    };
    let missing = if !args.contains_key("destination") {
        Some(("destination", "Where would you like to fly to?"))
    } else if !args.contains_key("origin") {
        Some(("origin", "Where are you flying from?"))
    } else if !args.contains_key(date_key) {
        Some((
            "date",
            "Which day would you like to fly? (for example \"next Friday\" or \"14 March\"; a month such as \"in April\" shows the cheapest days)",
        ))
    } else {
        None
    };
    finish(intent, args, missing, notes)
}
