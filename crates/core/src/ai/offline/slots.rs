//! The small slots of a request read from its words: budget and currency, travellers, cabin,
//! stops, hotel amenities and stars, and the order flights are wanted in.

use super::dates;
use super::words::{has, has_seq};

pub(super) fn amount_currency(w: &str) -> Option<&'static str> {
    Some(match w {
        "eur" | "euro" | "euros" | "€" => "EUR",
        "usd" | "dollar" | "dollars" | "$" | "bucks" => "USD",
        "gbp" | "pound" | "pounds" | "quid" | "£" => "GBP",
        "chf" | "francs" => "CHF",
        "jpy" | "yen" => "JPY",
        _ => return None,
    })
}

/// "under 500 euros", "max $300", "€400", "300€", "budget 1000".
pub(super) fn budget(words: &[&str]) -> Option<(String, Option<&'static str>, bool)> {
    const KEYS: &[&str] = &[
        "under", "below", "max", "maximum", "budget", "within", "beneath", "upto",
    ];
    for (i, w) in words.iter().enumerate() {
        let (num, sym) = if let Some(rest) = w.strip_prefix(['$', '€', '£']) {
            (rest, amount_currency(&w[..w.len() - rest.len()]))
        } else if let Some(rest) = w.strip_suffix(['$', '€', '£']) {
            (rest, amount_currency(&w[rest.len()..]))
        } else {
            (*w, None)
        };
        // "150/night", "€150/nt".
        let (num, slash_night) = match num.split_once('/') {
            Some((n, "night" | "nt" | "nightly")) => (n, true),
            _ => (num, false),
        };
        let num = num.replace(',', "");
        if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        let prev = if i >= 1 { words[i - 1] } else { "" };
        let after = words.get(i + 1).copied().unwrap_or("");
        let cur = sym
            .or_else(|| amount_currency(after))
            .or_else(|| amount_currency(prev));
        let before = if i >= 2 { words[i - 2] } else { "" };
        let keyed = KEYS.contains(&prev)
            || (prev == "to" && before == "up")
            || (prev == "than" && matches!(before, "less" | "cheaper" | "more"))
            || (prev == "most" && before == "at")
            || (prev == "of" && before == "budget")
            || (KEYS.contains(&before) && amount_currency(prev).is_some())
            // "150 max", "150 a night max", "200 euros tops".
            || {
                let limit = |k: usize| {
                    words
                        .get(i + k)
                        .is_some_and(|w| matches!(*w, "max" | "maximum" | "tops"))
                };
                let per_night = |k: usize| {
                    words.get(i + k).is_some_and(|w| matches!(*w, "a" | "per" | "each"))
                        && words.get(i + k + 1) == Some(&"night")
                };
                limit(1)
                    || (per_night(1) && limit(3))
                    || (words.get(i + 1).is_some_and(|w| amount_currency(w).is_some())
                        && (limit(2) || (per_night(2) && limit(4))))
            };
        if !(keyed || cur.is_some()) {
            continue;
        }
        // "up to 2 stops", "under 10 hours": not money.
        if matches!(
            after,
            "stops"
                | "stop"
                | "hours"
                | "hour"
                | "days"
                | "nights"
                | "adults"
                | "people"
                | "stars"
                | "star"
                | "rooms"
                | "guests"
                | "children"
                | "kids"
        ) {
            continue;
        }
        let per_night = words[i + 1..]
            .iter()
            .take(4)
            .collect::<Vec<_>>()
            .windows(2)
            .any(|p| {
                matches!(
                    (*p[0], *p[1]),
                    ("a", "night") | ("per", "night") | ("each", "night")
                )
            })
            || words
                .get(i + 1..i + 3)
                .is_some_and(|s| s.contains(&"nightly"))
            || words.get(i + 1) == Some(&"/night")
            || slash_night;
        return Some((num, cur, per_night));
    }
    None
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Party {
    pub(super) adults: Option<i64>,
    pub(super) children: Option<i64>,
    pub(super) infants: Option<i64>,
}

pub(super) fn party(words: &[&str]) -> Party {
    let mut p = Party::default();
    for (i, w) in words.iter().enumerate() {
        let n = if i >= 1 {
            dates::number(words[i - 1])
        } else {
            None
        };
        match *w {
            "adult" | "adults" | "grownups" => p.adults = Some(n.unwrap_or(1)),
            "child" | "children" | "kid" | "kids" | "teen" | "teenager" | "teenagers" | "son"
            | "daughter" => {
                let k = n.unwrap_or(1);
                p.children = Some(p.children.unwrap_or(0).max(0) + k);
            }
            "infant" | "infants" | "baby" | "babies" | "toddler" => {
                p.infants = Some(n.unwrap_or(1))
            }
            "people" | "persons" | "passengers" | "travellers" | "travelers" | "guests" | "pax"
            | "tickets" | "seats" => {
                if let Some(n) = n {
                    p.adults = Some(n);
                }
            }
            "us" if i >= 2 && words[i - 1] == "of" => {
                if let Some(n) = dates::number(words[i - 2]) {
                    p.adults = Some(n);
                }
            }
            _ => {}
        }
    }
    if has_seq(words, &["my", "wife"])
        || has_seq(words, &["my", "husband"])
        || has_seq(words, &["my", "partner"])
        || has_seq(words, &["my", "girlfriend"])
        || has_seq(words, &["my", "boyfriend"])
        || has_seq(words, &["my", "friend"])
        || has(words, &["couple", "both", "honeymoon"])
        || has_seq(words, &["for", "two"])
    {
        p.adults = Some(p.adults.unwrap_or(0).max(2));
    }
    if (has_seq(words, &["for", "2"])
        || has_seq(words, &["for", "3"])
        || has_seq(words, &["for", "4"]))
        && p.adults.is_none()
    {
        for (i, w) in words.iter().enumerate() {
            if *w == "for"
                && let Some(n) = words.get(i + 1).and_then(|w| w.parse::<i64>().ok())
                && !words.get(i + 2).is_some_and(|u| {
                    matches!(*u, "nights" | "night" | "days" | "day" | "weeks" | "week")
                })
                && (2..=9).contains(&n)
            {
                p.adults = Some(n);
            }
        }
    }
    if (p.children.is_some() || p.infants.is_some()) && p.adults.is_none() {
        p.adults = Some(
            if has_seq(words, &["my", "wife"]) || has_seq(words, &["my", "husband"]) {
                2
            } else {
                1
            },
        );
    }
    p
}

pub(super) fn cabin(words: &[&str]) -> Option<&'static str> {
    if has_seq(words, &["premium", "economy"]) || has(words, &["premium"]) {
        Some("premium_economy")
    } else if has(words, &["business"]) {
        Some("business")
    } else if has_seq(words, &["first", "class"]) {
        Some("first")
    } else if has(words, &["economy", "coach"]) {
        Some("economy")
    } else {
        None
    }
}

pub(super) fn max_stops(words: &[&str]) -> Option<i64> {
    if has(words, &["direct", "nonstop", "non-stop", "nonstops"])
        || has_seq(words, &["non", "stop"])
        || has_seq(words, &["no", "stops"])
        || has_seq(words, &["no", "layovers"])
        || has_seq(words, &["no", "connections"])
        || has_seq(words, &["without", "stops"])
    {
        return Some(0);
    }
    if has_seq(words, &["one", "stop"])
        || has_seq(words, &["1", "stop"])
        || has_seq(words, &["max", "1", "stop"])
    {
        return Some(1);
    }
    None
}

pub(super) fn amenities(words: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, &str)> = Vec::new();
    for (word, amenity) in [
        ("pool", "pool"),
        ("spa", "spa"),
        ("gym", "gym"),
        ("breakfast", "breakfast"),
        ("wifi", "wifi"),
        ("parking", "parking"),
        ("beach", "beach"),
        ("pets", "pets_allowed"),
        ("pet", "pets_allowed"),
        ("dog", "pets_allowed"),
        ("kitchen", "kitchen"),
        ("shuttle", "airport_shuttle"),
    ] {
        if let Some(at) = words.iter().position(|w| *w == word)
            && !found.iter().any(|(_, a)| *a == amenity)
        {
            found.push((at, amenity));
        }
    }
    // In the order they were asked for.
    found.sort();
    found.into_iter().map(|(_, a)| a.to_string()).collect()
}

pub(super) fn stars(words: &[&str]) -> Option<i64> {
    for (i, w) in words.iter().enumerate() {
        if let Some(n) = w
            .strip_suffix("-star")
            .or_else(|| w.strip_suffix("star"))
            .and_then(dates::number)
        {
            return Some(n);
        }
        if matches!(*w, "star" | "stars" | "*")
            && i >= 1
            && let Some(n) = dates::number(words[i - 1])
        {
            return Some(n);
        }
    }
    if has(words, &["luxury", "luxurious", "5*"]) {
        return Some(5);
    }
    None
}

pub(super) fn flight_sort(words: &[&str]) -> Option<&'static str> {
    if has(
        words,
        &["cheapest", "cheap", "cheaper", "lowest", "affordable"],
    ) {
        Some("price")
    } else if has(words, &["fastest", "quickest", "shortest"]) {
        Some("duration")
    } else if has(words, &["earliest"]) {
        Some("departure")
    } else {
        None
    }
}
