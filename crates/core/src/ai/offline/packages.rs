//! Package requests: destination, kind of trip, theme, price per person, length and month,
//! and the order they are wanted in.

use super::dates;
use super::places::place_after;
use super::slots::budget;
use super::words::has;
use super::{Outcome, Reading, finish, put};
use serde_json::{Map, Value, json};

/// Arguments for `search_packages`.
pub(super) async fn read(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    let (agency, all_words, d) = (r.agency, r.words, &r.dates);
    // A region ("in Asia", "South America") is searched as text: packages know their
    // continent, the place finder does not.
    let (region, rest) = region(all_words);
    let words: &[&str] = &rest;
    if let Some(p) = place_after(
        agency,
        words,
        &["in", "to", "for", "around", "across", "of"],
    )
    .await
    {
        put(&mut args, "destination", json!(p.city));
    }
    for (word, kind) in [
        ("adventure", "adventure"),
        ("adventures", "adventure"),
        ("hiking", "adventure"),
        ("trekking", "adventure"),
        ("safari", "adventure"),
        ("luxury", "luxury"),
        ("luxurious", "luxury"),
        ("honeymoon", "luxury"),
        ("budget", "budget"),
        ("cheap", "budget"),
        ("backpacking", "budget"),
        ("cultural", "cultural"),
        ("culture", "cultural"),
        ("history", "cultural"),
        ("museums", "cultural"),
    ] {
        if words.contains(&word) {
            put(&mut args, "type", json!(kind));
            break;
        }
    }
    for theme in [
        "beach",
        "food",
        "wine",
        "diving",
        "snorkelling",
        "ski",
        "skiing",
        "temples",
        "wildlife",
        "cruise",
    ] {
        if words.contains(&theme) {
            put(&mut args, "text", json!(theme));
            break;
        }
    }
    if let Some(region) = region {
        let text = match args.get("text").and_then(Value::as_str) {
            Some(t) if !t.split(' ').any(|w| w == region) => format!("{t} {region}"),
            Some(t) => t.to_string(),
            None => region.to_string(),
        };
        put(&mut args, "text", json!(text));
    }
    if let Some((amount, _, _)) = budget(words) {
        put(&mut args, "max_price", json!(amount));
    }
    for (i, w) in words.iter().enumerate() {
        let n = w.strip_suffix("-day").and_then(dates::number).or_else(|| {
            (matches!(*w, "days" | "day") && i >= 1)
                .then(|| dates::number(words[i - 1]))
                .flatten()
        });
        if let Some(n) = n {
            let under = i >= 2 && matches!(words[i.saturating_sub(2)], "under" | "max" | "most");
            if !under {
                put(&mut args, "min_days", json!(n));
            }
            put(&mut args, "max_days", json!(n));
        } else if matches!(*w, "week" | "weeks")
            && i >= 1
            && let Some(n) = dates::number(words[i - 1])
        {
            put(&mut args, "min_days", json!(n * 7));
            put(&mut args, "max_days", json!(n * 7 + 1));
        }
    }
    if let Some(m) = d.month.or(d.first.map(|f| f.first_of_month())) {
        put(&mut args, "month", json!(m.strftime("%Y-%m").to_string()));
    }
    if has(words, &["best", "top", "highest"]) && has(words, &["rated", "reviews", "rating"]) {
        put(&mut args, "sort", json!("rating"));
    } else if has(words, &["cheapest", "cheap", "lowest"]) {
        put(&mut args, "sort", json!("price"));
    }
    finish(intent, args, None, notes)
}

/// The continent named in a request, and the words without it.
fn region<'a>(words: &[&'a str]) -> (Option<&'static str>, Vec<&'a str>) {
    const REGIONS: &[(&[&str], &str)] = &[
        (&["south", "america"], "south america"),
        (&["latin", "america"], "south america"),
        (&["north", "america"], "north america"),
        (&["southeast", "asia"], "asia"),
        (&["asia"], "asia"),
        (&["europe"], "europe"),
        (&["africa"], "africa"),
        (&["oceania"], "oceania"),
        (&["australasia"], "oceania"),
    ];
    for (phrase, name) in REGIONS {
        if let Some(at) = words.windows(phrase.len()).position(|w| w == *phrase) {
            let mut rest = words.to_vec();
            rest.drain(at..at + phrase.len());
            // "in Asia": the "in" goes too, so no place is looked for after it.
            if at >= 1 && matches!(rest[at - 1], "in" | "to" | "across" | "around" | "of") {
                rest.remove(at - 1);
            }
            return (Some(name), rest);
        }
    }
    (None, words.to_vec())
}
