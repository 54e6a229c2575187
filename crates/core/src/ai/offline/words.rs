//! The words of a message: splitting and cleaning them, the vocabulary that ends or pads a
//! place phrase, and the `has`/`has_seq` checks over word lists.

use super::dates;

pub(super) const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "visit",
    "see",
    "go",
    "get",
    "fly",
    "travel",
    "trip",
    "city",
    "downtown",
    "central",
    "beautiful",
    "sunny",
    "lovely",
    "centre",
    "center",
    "heart",
    "middle",
    "old",
    "town",
];

/// Words that end a place phrase.
pub(super) fn stops_phrase(w: &str) -> bool {
    const STOP: &[&str] = &[
        "to",
        "from",
        "on",
        "in",
        "at",
        "for",
        "next",
        "this",
        "tomorrow",
        "today",
        "tonight",
        "with",
        "under",
        "below",
        "max",
        "maximum",
        "less",
        "up",
        "and",
        "or",
        "departing",
        "leaving",
        "returning",
        "return",
        "back",
        "around",
        "between",
        "by",
        "during",
        "economy",
        "business",
        "first",
        "premium",
        "direct",
        "nonstop",
        "non-stop",
        "cheapest",
        "cheap",
        "please",
        "flight",
        "flights",
        "hotel",
        "hotels",
        "only",
        "one-way",
        "oneway",
        "round",
        "via",
        "budget",
        "adults",
        "adult",
        "people",
        "me",
        "my",
        "we",
        "i",
        "us",
        "is",
        "are",
        "what",
        "whats",
        "how",
        "any",
        "some",
        "package",
        "packages",
        "tour",
        "tours",
        "holiday",
        "holidays",
        "vacation",
        "vacations",
        "stay",
        "nights",
        "night",
        "days",
        "week",
        "weekend",
        "room",
        "rooms",
        "class",
        "near",
        "than",
        "before",
        "after",
        "leave",
        "early",
        "late",
        "mid",
        "end",
        "beginning",
        "start",
        "fare",
        "fares",
        "ticket",
        "tickets",
        "deal",
        "deals",
        "trip",
        "trips",
        "under",
        "cost",
        "costs",
        "price",
        "prices",
        "that",
        "which",
        "there",
        "be",
        "do",
        "does",
        "can",
        "could",
        "would",
        "will",
        "if",
        "star",
        "stars",
        "guests",
        "guest",
        "kids",
        "children",
        "child",
        "infant",
        "baby",
        "nonstops",
        "wifi",
        "pool",
        "spa",
        "breakfast",
        "gym",
        "parking",
        "eur",
        "euros",
        "usd",
        "dollars",
        "gbp",
        "pounds",
        "but",
        "then",
        "also",
        "it",
        "sorted",
        "sort",
        "fastest",
        "quickest",
        "shortest",
        "best",
        "rated",
        "top",
        "highest",
        "lowest",
        "stops",
        "stop",
        "layovers",
        "no",
        "not",
        "without",
        "per",
        "each",
        "person",
        "pp",
        ",",
        "day",
        "seats",
        "seat",
        "included",
        "includes",
        "want",
        "need",
        "like",
    ];
    STOP.contains(&w)
        || dates::month_number(w).is_some()
        || dates::weekday(w).is_some()
        || w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || "$€£".contains(c))
}

/// Lower-cased words with punctuation split off; "LHR-JFK" and "->" become "to".
pub(super) fn words_of(text: &str) -> (Vec<String>, Vec<String>) {
    let mut cleaned = String::new();
    for c in text.chars() {
        match c {
            '!' | '?' | ';' | ':' | '(' | ')' | '"' | '\u{2019}' => cleaned.push(' '),
            ',' => cleaned.push_str(" , "),
            '→' => cleaned.push_str(" to "),
            _ => cleaned.push(c),
        }
    }
    let cleaned = cleaned.replace("->", " to ");
    let mut lower = Vec::new();
    let mut original = Vec::new();
    for raw in cleaned.split_whitespace() {
        let raw = raw.trim_end_matches('.');
        let raw = if raw.len() > 2 && raw.ends_with("'s") {
            &raw[..raw.len() - 2]
        } else {
            raw
        };
        if raw.is_empty() {
            continue;
        }
        // "Athens - Berlin".
        if raw == "-" || raw == "–" {
            lower.push("to".into());
            original.push("to".into());
            continue;
        }
        // Two codes joined by a dash: "LHR-JFK".
        if let Some((a, b)) = raw.split_once('-')
            && a.len() == 3
            && b.len() == 3
            && a.chars().all(|c| c.is_ascii_alphabetic())
            && b.chars().all(|c| c.is_ascii_alphabetic())
            && a.chars().all(|c| c.is_ascii_uppercase())
        {
            for w in [a, "to", b] {
                lower.push(w.to_lowercase());
                original.push(w.to_string());
            }
            continue;
        }
        lower.push(raw.to_lowercase());
        original.push(raw.to_string());
    }
    (lower, original)
}

pub(super) fn has(words: &[&str], any: &[&str]) -> bool {
    words.iter().any(|w| any.contains(w))
}

pub(super) fn has_seq(words: &[&str], seq: &[&str]) -> bool {
    words.windows(seq.len()).any(|w| w == seq)
}

pub(super) fn is_code(w: &str) -> bool {
    w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase())
}
