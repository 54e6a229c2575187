//! Follow-ups on the conversation's last search: "what about the day after?", "make it 2
//! adults", "sort by duration", "cheaper?", "direct only", "under 150 a night", and "show me
//! option 2". Each changes one thing in the last search's arguments and searches again; an
//! option is shown from what the search returned.

use super::dates::number;
use super::places::place_after;
use super::slots::{amenities, budget, cabin, max_stops, party, stars};
use super::words::{has, has_seq};
use super::{Outcome, Plan, Reading, put};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// "option 2", "the second one", "number 3", "#2".
pub(super) fn ordinal(words: &[&str]) -> Option<usize> {
    words.iter().enumerate().find_map(|(i, w)| match *w {
        "first" | "#1" => Some(1),
        "second" | "#2" => Some(2),
        "third" | "#3" => Some(3),
        "fourth" | "#4" => Some(4),
        "fifth" | "#5" => Some(5),
        "last"
            if words
                .get(i + 1)
                .is_some_and(|n| matches!(*n, "one" | "option")) =>
        {
            Some(usize::MAX)
        }
        "option" | "number" | "no" | "result" => words
            .get(i + 1)
            .and_then(|w| w.parse::<usize>().ok())
            .filter(|n| *n >= 1),
        _ => None,
    })
}

/// A follow-up on the last search, if the message is one.
pub(super) async fn read(r: &Reading<'_>) -> Option<Outcome> {
    let last = r.session.last_search.as_ref()?;
    let words = r.words;
    let tool = last.tool.as_str();
    if let Some(n) = ordinal(words)
        && has(
            words,
            &[
                "show", "see", "more", "details", "detail", "about", "open", "tell", "what",
                "describe", "option", "one",
            ],
        )
    {
        return Some(show(r, tool, &last.ids, n));
    }
    let mut args: Map<String, Value> = last.arguments.as_object().cloned().unwrap_or_default();
    let before = args.clone();
    let d = &r.dates;
    // Dates: a new day, or the same search a day (or a week) later or earlier.
    let shift = if has_seq(words, &["day", "after"]) && !words.contains(&"tomorrow")
        || has_seq(words, &["day", "later"])
        || has_seq(words, &["next", "day"])
        || has_seq(words, &["following", "day"])
    {
        Some(1)
    } else if has_seq(words, &["day", "before"])
        || has_seq(words, &["day", "earlier"])
        || has_seq(words, &["previous", "day"])
    {
        Some(-1)
    } else if has_seq(words, &["week", "later"]) {
        Some(7)
    } else if has_seq(words, &["week", "earlier"]) || has_seq(words, &["week", "before"]) {
        Some(-7)
    } else {
        None
    };
    let date_keys: &[&str] = match tool {
        "search_flights" => &["departure_date", "return_date"],
        "search_hotels" => &["check_in", "check_out"],
        "flight_calendar" => &["from", "to"],
        _ => &[],
    };
    if let Some(days) = shift {
        for k in date_keys {
            if let Some(day) = args
                .get(*k)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Date>().ok())
                && let Ok(moved) = day.checked_add(days.days())
            {
                put(&mut args, k, json!(moved));
            }
        }
    } else if let Some(first) = d.first {
        match tool {
            "search_flights" => {
                put(&mut args, "departure_date", json!(first));
                match d.second {
                    Some(s) => put(&mut args, "return_date", json!(s)),
                    None => {
                        args.remove("return_date");
                    }
                }
            }
            "search_hotels" => {
                let nights = match (
                    args.get("check_in")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<Date>().ok()),
                    args.get("check_out")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<Date>().ok()),
                ) {
                    (Some(a), Some(b)) => crate::model::season::days_between(a, b),
                    _ => 1,
                };
                let out = d
                    .second
                    .or_else(|| first.checked_add(d.nights.unwrap_or(nights).days()).ok());
                put(&mut args, "check_in", json!(first));
                if let Some(out) = out {
                    put(&mut args, "check_out", json!(out));
                }
            }
            _ => {}
        }
    } else if let (Some(n), "search_hotels") = (d.nights, tool)
        && let Some(ci) = args
            .get("check_in")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Date>().ok())
        && let Ok(out) = ci.checked_add(n.days())
    {
        put(&mut args, "check_out", json!(out));
    }
    // Travellers.
    let p = party(words);
    match tool {
        "search_flights" => {
            if let Some(a) = p.adults {
                put(&mut args, "adults", json!(a));
            }
            if let Some(c) = p.children {
                put(&mut args, "children", json!(c));
            }
            if let Some(i) = p.infants {
                put(&mut args, "infants", json!(i));
            }
        }
        "flight_calendar" => {
            if let Some(a) = p.adults {
                put(&mut args, "adults", json!(a));
            }
        }
        "search_hotels" => {
            if p.adults.is_some() || p.children.is_some() {
                put(
                    &mut args,
                    "guests",
                    json!(p.adults.unwrap_or(0) + p.children.unwrap_or(0)),
                );
            }
            for (i, w) in words.iter().enumerate() {
                if matches!(*w, "rooms" | "room")
                    && i >= 1
                    && let Some(n) = number(words[i - 1])
                {
                    put(&mut args, "rooms", json!(n));
                }
            }
            if let Some(s) = stars(words) {
                put(&mut args, "min_stars", json!(s));
            }
            let am = amenities(words);
            if !am.is_empty() {
                put(&mut args, "amenities", json!(am));
            }
        }
        _ => {}
    }
    // Order.
    if let Some(sort) = sort(words, tool) {
        put(&mut args, "sort", json!(sort));
    }
    // Limits.
    if tool == "search_flights" {
        if let Some(s) = max_stops(words) {
            put(&mut args, "max_stops", json!(s));
        }
        if let Some(c) = cabin(words) {
            put(&mut args, "cabin", json!(c));
        }
    }
    if let Some((amount, cur, per_night)) = budget(words) {
        match tool {
            "search_hotels" if per_night || has(words, &["night", "nightly"]) => {
                put(&mut args, "max_nightly", json!(amount));
            }
            "search_flights" | "search_packages" => put(&mut args, "max_price", json!(amount)),
            _ => {}
        }
        if let Some(c) = cur
            && tool != "search_packages"
        {
            put(&mut args, "currency", json!(c));
        }
    }
    // Another place: "what about Rome?", "from Paris instead", "and to Madrid?".
    if args == before {
        let (key_to, key_from) = match tool {
            "search_flights" | "flight_calendar" => ("destination", Some("origin")),
            "search_hotels" => ("location", None),
            "search_packages" => ("destination", None),
            _ => return None,
        };
        if let Some(k) = key_from
            && let Some(p) = place_after(r.agency, words, &["from"]).await
            && !p.country
        {
            put(&mut args, k, json!(p.code));
        }
        if let Some(p) = place_after(r.agency, words, &["about", "to", "in", "for"]).await {
            let v = if tool == "search_packages" {
                json!(p.city)
            } else if p.country {
                return None;
            } else {
                json!(p.code)
            };
            put(&mut args, key_to, v);
        }
    }
    if args == before {
        return None;
    }
    Some((
        Plan::Call {
            tool: tool.to_string(),
            arguments: Value::Object(args),
        },
        None,
        Vec::new(),
    ))
}

/// The order a follow-up asks for, among those the tool knows.
fn sort(words: &[&str], tool: &str) -> Option<&'static str> {
    let by = |names: &[&str]| has(words, names);
    let wanted = if by(&[
        "cheaper", "cheapest", "cheap", "lowest", "price", "prices", "less",
    ]) && !has_seq(words, &["highest", "price"])
    {
        "price"
    } else if by(&[
        "fastest", "quickest", "shortest", "duration", "length", "shorter", "faster",
    ]) {
        "duration"
    } else if by(&["rated", "rating", "ratings", "reviews", "best"]) {
        "rating"
    } else if by(&["earliest", "earlier"]) {
        "departure"
    } else if by(&["stars"]) {
        "stars"
    } else if by(&["closest", "central", "centre", "center", "distance"]) {
        "distance"
    } else {
        return None;
    };
    let known: &[&str] = match tool {
        "search_flights" => &["price", "duration", "departure"],
        "search_hotels" => &["price", "rating", "stars", "distance"],
        "search_packages" => &["price", "rating", "duration"],
        _ => &[],
    };
    known.contains(&wanted).then_some(wanted)
}

/// "show me option 2": a package's details, or what the offer was.
fn show(r: &Reading<'_>, tool: &str, ids: &[String], n: usize) -> Outcome {
    let n = if n == usize::MAX { ids.len().max(1) } else { n };
    let Some(id) = ids.get(n - 1) else {
        return (
            Plan::Say(format!(
                "The last search showed {} option{}: pick one of those, or search again.",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            )),
            None,
            Vec::new(),
        );
    };
    if tool == "search_packages" {
        return (
            Plan::Call {
                tool: "get_package".into(),
                arguments: json!({ "id": id }),
            },
            None,
            Vec::new(),
        );
    }
    let text = match r.session.offers.get(id) {
        Some(o) => format!(
            "Option {n}: {}, {} in all for {} traveller{} [{id}]. Say \"book option {n} for Given Family born YYYY-MM-DD, you@example.com\" to book it.",
            o.description,
            o.total,
            o.travellers,
            if o.travellers == 1 { "" } else { "s" }
        ),
        None => format!("Option {n} is {id}."),
    };
    (Plan::Say(text), None, Vec::new())
}
