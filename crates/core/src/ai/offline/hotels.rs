//! Hotel requests: where, check-in and check-out (or nights), guests, rooms, stars,
//! amenities, nightly budget and order, and the question to ask when one is missing.

use super::dates;
use super::places::{place_after, resolve};
use super::slots::{amenities, budget, party, stars};
use super::words::{has, has_seq};
use super::{Outcome, Reading, ask_country, finish, put};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// Arguments for `search_hotels`.
pub(super) async fn read(
    r: &Reading<'_>,
    intent: String,
    mut args: Map<String, Value>,
    mut notes: Vec<String>,
) -> Outcome {
    let (agency, words, asking, d) = (r.agency, r.words, &r.asking, &r.dates);
    let mut at = place_after(agency, words, &["in", "at", "near", "to", "of"]).await;
    if at.is_none() {
        // "Paris hotels", "a Rome hotel".
        for (i, w) in words.iter().enumerate() {
            if matches!(*w, "hotel" | "hotels") && i > 0 {
                let start = i.saturating_sub(2);
                for s in start..i {
                    if let Some(p) = resolve(agency, &words[s..i]).await
                        && p.words == i - s
                    {
                        at = Some(p);
                        break;
                    }
                }
            }
        }
    }
    if at.is_none()
        && asking.as_deref() == Some("location")
        && let Some(p) = resolve(agency, words).await
    {
        at = Some(p);
    }
    if let Some(p) = at {
        if p.country {
            return ask_country("location", &p, &intent, args);
        }
        put(&mut args, "location", json!(p.code));
    }
    if let Some(first) = d.first {
        put(&mut args, "check_in", json!(first));
        args.remove("check_out");
    }
    let nights = d.nights.or(words.contains(&"tonight").then_some(1));
    if let Some(second) = d.second {
        put(&mut args, "check_out", json!(second));
    } else if let (Some(n), Some(ci)) = (
        nights,
        args.get("check_in")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Date>().ok()),
    ) && let Ok(co) = ci.checked_add(jiff::Span::new().days(n))
    {
        put(&mut args, "check_out", json!(co));
    }
    let p = party(words);
    let guests = p.adults.unwrap_or(0) + p.children.unwrap_or(0);
    if guests > 0 {
        put(&mut args, "guests", json!(guests));
    }
    for (i, w) in words.iter().enumerate() {
        if matches!(*w, "rooms" | "room")
            && i >= 1
            && let Some(n) = dates::number(words[i - 1])
            && n > 1
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
    if let Some((amount, cur, per_night)) = budget(words) {
        if per_night {
            put(&mut args, "max_nightly", json!(amount));
        } else {
            notes.push(format!(
                "I read {amount} as the budget for the whole stay and show the cheapest hotels; say \"under {amount} a night\" to filter by nightly price"
            ));
            put(&mut args, "sort", json!("price"));
        }
        if let Some(c) = cur {
            put(&mut args, "currency", json!(c));
        }
    }
    if has_seq(words, &["best", "rated"])
        || has_seq(words, &["top", "rated"])
        || has_seq(words, &["highest", "rated"])
        || has_seq(words, &["best", "reviews"])
    {
        put(&mut args, "sort", json!("rating"));
    } else if has_seq(words, &["close", "to", "the", "centre"])
        || has_seq(words, &["close", "to", "the", "center"])
        || has(words, &["central", "centrally"])
    {
        put(&mut args, "sort", json!("distance"));
    }
    let missing = if !args.contains_key("location") {
        Some(("location", "In which city would you like to stay?"))
    } else if !args.contains_key("check_in") {
        Some(("date", "When do you check in, and for how many nights?"))
    } else if !args.contains_key("check_out") {
        Some(("nights", "How many nights will you stay?"))
    } else {
        None
    };
    if missing.is_none() && d.month.is_some() && d.first.is_none() && !args.contains_key("check_in")
    {
        return finish(
            intent,
            args,
            Some(("date", "Which day in that month do you check in?")),
            notes,
        );
    }
    // An answer to "how many nights?" on its own.
    finish(intent, args, missing, notes)
}
