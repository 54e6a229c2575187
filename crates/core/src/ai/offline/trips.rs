//! Requests about a trip rather than one search: a fare prediction ("will prices drop?"),
//! recommendations, and a plan within a budget ("plan 4 days in Rome under 1500 euros").

use super::dates;
use super::flights::route;
use super::intent::THEMES;
use super::places::place_after;
use super::slots::{budget, cabin, party};
use super::{Outcome, Reading, ask_country, finish, put};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// Arguments for `predict_price`: the route, day and cabin, from the words or the last flight
/// search; the route, then the day, asked for when missing.
pub(super) async fn predict(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    if let Err(asked) = fare_slots(r, &intent, &mut args).await {
        return asked;
    }
    let missing = if !args.contains_key("origin") || !args.contains_key("destination") {
        Some((
            "route",
            "Which route and day should I predict? For example \"will prices drop for London to New York on 14 March?\"",
        ))
    } else if !args.contains_key("date") {
        Some((
            "date",
            "Which day would you fly? (for example \"on 14 March\" or \"next Friday\")",
        ))
    } else {
        None
    };
    finish(intent, args, missing, notes)
}

/// Arguments for `watch_price`: the route, day and cabin as for a prediction, the amount that
/// alerts ("below 300 euros") and the travellers; each asked for in turn when missing.
pub(super) async fn watch(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    if let Err(asked) = fare_slots(r, &intent, &mut args).await {
        return asked;
    }
    if let Some((amount, cur, _)) = budget(r.words) {
        put(&mut args, "below", json!(amount));
        if let Some(c) = cur {
            put(&mut args, "currency", json!(c));
        }
    } else if r.asking.as_deref() == Some("below")
        && let Some(n) = r
            .words
            .iter()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
    {
        put(&mut args, "below", json!(n.replace(',', "")));
    }
    if let Some(a) = party(r.words).adults.filter(|a| *a > 1) {
        put(&mut args, "adults", json!(a));
    }
    let missing = if !args.contains_key("origin") || !args.contains_key("destination") {
        Some((
            "route",
            "Which route and day should I watch? For example \"tell me when London to New York on 14 March falls below 300 euros\"",
        ))
    } else if !args.contains_key("date") {
        Some((
            "date",
            "Which day would you fly? (for example \"on 14 March\" or \"next Friday\")",
        ))
    } else if !args.contains_key("below") {
        Some((
            "below",
            "Below what price should I tell you? (for example \"below 300 euros\")",
        ))
    } else {
        None
    };
    finish(intent, args, missing, notes)
}

/// The route, day and cabin of a fare question, from the words or, when the words name no
/// place, the last flight search. `Err` is the question to ask when a place is a country.
async fn fare_slots(
    r: &Reading<'_>,
    intent: &str,
    args: &mut Map<String, Value>,
) -> Result<(), Outcome> {
    let (from, to) = route(r).await;
    if let Some(last) = &r.session.last_search
        && matches!(last.tool.as_str(), "search_flights" | "flight_calendar")
        && from.is_none()
        && to.is_none()
        && !args.contains_key("origin")
    {
        for k in ["origin", "destination", "cabin"] {
            if let Some(v) = last.arguments.get(k) {
                put(args, k, v.clone());
            }
        }
        if let Some(v) = last
            .arguments
            .get("departure_date")
            .or(last.arguments.get("from"))
        {
            put(args, "date", v.clone());
        }
    }
    for (slot, p) in [("origin", &from), ("destination", &to)] {
        if let Some(p) = p {
            if p.country {
                return Err(ask_country(slot, p, intent, std::mem::take(args)));
            }
            put(args, slot, json!(p.code));
        }
    }
    if let Some(first) = r.dates.first {
        put(args, "date", json!(first));
    }
    if let Some(c) = cabin(r.words) {
        put(args, "cabin", json!(c));
    }
    Ok(())
}

/// Arguments for `plan_itinerary`: where, how many days, the budget and the first day (asked
/// for one at a time when missing), and where from, travellers and interests when said.
pub(super) async fn plan(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    let (agency, words, d) = (r.agency, r.words, &r.dates);
    let asking = r.asking.as_deref();
    if let Some(p) = place_after(agency, words, &["in", "to", "for", "around", "visit"]).await {
        if p.country {
            return ask_country("destination", &p, &intent, args);
        }
        put(&mut args, "destination", json!(p.code));
    } else if asking == Some("destination")
        && let Some(p) = super::places::resolve(agency, words).await
        && !p.country
    {
        put(&mut args, "destination", json!(p.code));
    }
    if let Some(p) = place_after(agency, words, &["from"]).await
        && !p.country
    {
        put(&mut args, "origin", json!(p.code));
    }
    if let Some(n) = days(words) {
        put(&mut args, "days", json!(n));
    } else if let (Some(a), Some(b)) = (d.first, d.second) {
        let n = dates_between(a, b) + 1;
        if (2..=21).contains(&n) {
            put(&mut args, "days", json!(n));
        }
    } else if asking == Some("days")
        && let Some(n) = words.iter().find_map(|w| dates::number(w))
    {
        put(&mut args, "days", json!(n));
    }
    if let Some(first) = d.first {
        put(&mut args, "start", json!(first));
    }
    if let Some((amount, cur, _)) = budget(words) {
        put(&mut args, "budget", json!(amount));
        if let Some(c) = cur {
            put(&mut args, "currency", json!(c));
        }
    } else if asking == Some("budget")
        && let Some(n) = words
            .iter()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
    {
        put(&mut args, "budget", json!(n.replace(',', "")));
    }
    let p = party(words);
    if let Some(a) = p.adults.filter(|a| *a > 1) {
        put(&mut args, "travellers", json!(a + p.children.unwrap_or(0)));
    }
    let interests: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| THEMES.contains(w) && !matches!(*w, "budget" | "luxury"))
        .collect();
    if !interests.is_empty() {
        put(&mut args, "interests", json!(interests));
    }
    let missing = if !args.contains_key("destination") {
        Some(("destination", "Where would you like to go?"))
    } else if !args.contains_key("days") {
        Some(("days", "For how many days?"))
    } else if !args.contains_key("budget") {
        Some((
            "budget",
            "What is the budget for everything (flights and hotel)? For example \"1500 euros\".",
        ))
    } else if !args.contains_key("start") {
        Some((
            "date",
            "Which day do you start? For example \"from 10 March\".",
        ))
    } else {
        None
    };
    finish(intent, args, missing, notes)
}

/// "4 days", "a 5 day trip", "5-day", "a week".
fn days(words: &[&str]) -> Option<i64> {
    for (i, w) in words.iter().enumerate() {
        if let Some(n) = w.strip_suffix("-day").and_then(dates::number) {
            return Some(n);
        }
        if matches!(*w, "days" | "day")
            && i >= 1
            && let Some(n) = dates::number(words[i - 1])
            && !(i >= 2 && words[i - 2] == "in")
            && n > 1
        {
            return Some(n);
        }
        if matches!(*w, "week" | "weeks")
            && i >= 1
            && let Some(n) = dates::number(words[i - 1])
            && !(i >= 2 && words[i - 2] == "in")
        {
            return Some(n * 7);
        }
    }
    None
}

fn dates_between(a: Date, b: Date) -> i64 {
    crate::model::season::days_between(a, b)
}
