//! The offline backend: a deterministic reading of travel requests, no model needed. It finds
//! the intent, places (through `suggest_places`), dates, travellers, budget, cabin and stops,
//! asks one short question when something essential is missing, says what it did not
//! understand, and calls the same tools a model would.

pub mod dates;

use super::tools::Session;
use crate::agency::Agency;
use crate::model::PlaceKind;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What the offline reader decided to do with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Call this tool with these arguments.
    Call { tool: String, arguments: Value },
    /// Ask the person something first.
    Ask(String),
    /// Nothing to call: say this.
    Say(String),
}

/// The request being built across turns (kept in the session while a question is open).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub intent: String,
    pub args: Map<String, Value>,
    /// The slot the last question asked for.
    pub asking: Option<String>,
}

const FILLER: &[&str] = &[
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
fn stops_phrase(w: &str) -> bool {
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
fn words_of(text: &str) -> (Vec<String>, Vec<String>) {
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

fn has(words: &[&str], any: &[&str]) -> bool {
    words.iter().any(|w| any.contains(w))
}

fn has_seq(words: &[&str], seq: &[&str]) -> bool {
    words.windows(seq.len()).any(|w| w == seq)
}

/// A place phrase resolved through `suggest_places`.
#[derive(Debug, Clone)]
struct Place {
    code: String,
    city: String,
    /// The phrase was a country, not a city: `city` holds the typed name.
    country: bool,
    /// Close matches for a question when the phrase was a country or unclear.
    options: Vec<String>,
    words: usize,
}

async fn resolve(agency: &dyn Agency, phrase: &[&str]) -> Option<Place> {
    let full = phrase.len();
    let mut phrase = phrase;
    while let Some(first) = phrase.first() {
        if FILLER.contains(first) {
            phrase = &phrase[1..];
        } else {
            break;
        }
    }
    let end = phrase
        .iter()
        .position(|w| stops_phrase(w))
        .unwrap_or(phrase.len())
        .min(4);
    for n in (1..=end).rev() {
        let q = phrase[..n].join(" ");
        let found = agency.suggest_places(&q, 5).await.ok()?;
        let country_name = crate::places::countries::code(&q).is_some();
        let top_score = found.first().map_or(0, |t| t.score);
        let threshold = if n == 1 { 350 } else { 450 };
        // A country ("Kenya", "New Zealand") unless a city of that name matches exactly.
        let is_country = country_name && top_score < 800;
        let Some(top) = found.first().filter(|_| !is_country) else {
            if is_country {
                return Some(country_place(&q, &found, n + (full - phrase.len())));
            }
            continue;
        };
        if top.score >= threshold && !is_country {
            // "Paris CDG": an airport code right after its city names that airport.
            if let Some(next) = phrase.get(n)
                && next.len() == 3
                && let Ok(found) = agency.suggest_places(next, 1).await
                && let Some(a) = found.first()
                && a.score >= 1000
                && a.kind == PlaceKind::Airport
                && a.city == top.city
            {
                return Some(Place {
                    code: a.code.clone(),
                    city: a.city.clone(),
                    country: false,
                    options: Vec::new(),
                    words: n + 1 + (full - phrase.len()),
                });
            }
            // "paris airport" and friends: a city beats one of its airports at the same score.
            return Some(Place {
                code: top.code.clone(),
                city: top.city.clone(),
                country: false,
                options: Vec::new(),
                words: n + (full - phrase.len()),
            });
        }
        if n == 1 && top.score == 300 {
            return Some(country_place(&q, &found, 1 + (full - phrase.len())));
        }
    }
    None
}

/// A country named where a city was expected: the typed name, with its airports as options.
fn country_place(q: &str, found: &[crate::model::PlaceSuggestion], words: usize) -> Place {
    let mut options: Vec<String> = Vec::new();
    for s in found.iter().filter(|s| s.kind == PlaceKind::Airport) {
        let o = format!("{} ({})", s.city, s.code);
        if !options.contains(&o) {
            options.push(o);
        }
    }
    let name = q
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Place {
        code: String::new(),
        city: name,
        country: true,
        options,
        words,
    }
}

/// Finds the place after a marker word ("from", "to", "in"), if any.
async fn place_after(agency: &dyn Agency, words: &[&str], markers: &[&str]) -> Option<Place> {
    // The last "to" is the destination ("I want to fly from X to Y").
    let order: Vec<usize> = if markers.contains(&"to") {
        (0..words.len()).rev().collect()
    } else {
        (0..words.len()).collect()
    };
    for i in order {
        let w = &words[i];
        if markers.contains(w)
            && i + 1 < words.len()
            && let Some(p) = resolve(agency, &words[i + 1..]).await
        {
            return Some(p);
        }
    }
    None
}

/// "London to Barcelona": the words just before "to".
async fn place_before_to(agency: &dyn Agency, words: &[&str]) -> Option<Place> {
    for (i, w) in words.iter().enumerate() {
        if *w != "to" || i == 0 {
            continue;
        }
        for len in (1..=3.min(i)).rev() {
            let phrase = &words[i - len..i];
            if phrase.iter().any(|w| stops_phrase(w) || FILLER.contains(w)) {
                continue;
            }
            if let Some(p) = resolve(agency, phrase).await
                && p.words == len
            {
                return Some(p);
            }
        }
    }
    None
}

fn amount_currency(w: &str) -> Option<&'static str> {
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
fn budget(words: &[&str]) -> Option<(String, Option<&'static str>, bool)> {
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
            || (KEYS.contains(&before) && amount_currency(prev).is_some());
        if !(keyed || cur.is_some()) {
            continue;
        }
        // "up to 2 stops", "under 10 hours": not money.
        if matches!(
            after,
            "stops" | "stop" | "hours" | "hour" | "days" | "nights" | "adults" | "people"
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
            || words.get(i + 1) == Some(&"/night");
        return Some((num, cur, per_night));
    }
    None
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Party {
    adults: Option<i64>,
    children: Option<i64>,
    infants: Option<i64>,
}

fn party(words: &[&str]) -> Party {
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

fn cabin(words: &[&str]) -> Option<&'static str> {
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

fn max_stops(words: &[&str]) -> Option<i64> {
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

fn amenities(words: &[&str]) -> Vec<String> {
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

fn stars(words: &[&str]) -> Option<i64> {
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

fn flight_sort(words: &[&str]) -> Option<&'static str> {
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

/// What the message is about.
fn intent(words: &[&str], original: &[&str]) -> Option<&'static str> {
    let text = words.join(" ");
    if has(words, &["cancel"]) && !has(words, &["flight", "flights", "hotel", "hotels"])
        || (has(words, &["cancel"])
            && (text.contains("bkg_") || has_seq(words, &["my", "booking"])))
    {
        return Some("cancel_booking");
    }
    if text.contains("pkg_") {
        return Some("get_package");
    }
    let book_ref = has(
        words,
        &[
            "option", "number", "first", "second", "third", "that", "this", "it", "#1", "#2", "#3",
        ],
    ) || text.contains("off_")
        || has_seq(words, &["cheapest", "one"]);
    if words
        .first()
        .is_some_and(|w| *w == "book" || *w == "reserve")
        && book_ref
        && !has(words, &["from", "to"])
    {
        return Some("create_booking");
    }
    if has(words, &["points", "loyalty", "badges", "badge", "tier"])
        || has_seq(words, &["my", "level"])
        || has_seq(words, &["my", "miles"])
    {
        return Some("get_points");
    }
    if has_seq(words, &["my", "bookings"])
        || has_seq(words, &["my", "booking"])
        || has_seq(words, &["my", "reservations"])
        || has_seq(words, &["my", "trips"])
        || has_seq(words, &["my", "upcoming"])
        || has_seq(words, &["have", "i", "booked"])
        || has_seq(words, &["did", "i", "book"])
        || has_seq(words, &["list", "bookings"])
        || has_seq(words, &["show", "bookings"])
        || has(words, &["bookings", "reservations"])
    {
        return Some("list_bookings");
    }
    if has_seq(words, &["airport", "code"])
        || has_seq(words, &["airports", "in"])
        || has_seq(words, &["airports", "near"])
        || has_seq(words, &["which", "airport"])
        || has_seq(words, &["what", "airport"])
        || has_seq(words, &["code", "for"])
        || has_seq(words, &["code", "of"])
        || has_seq(words, &["where", "is"])
        || (has(words, &["airport", "airports"])
            && !has(
                words,
                &["flight", "flights", "fly", "from", "to", "hotel", "hotels"],
            ))
    {
        return Some("suggest_places");
    }
    if has(
        words,
        &[
            "package",
            "packages",
            "tour",
            "tours",
            "holiday",
            "holidays",
            "vacation",
            "vacations",
            "getaway",
            "getaways",
            "safari",
            "honeymoon",
            "all-inclusive",
            "itinerary",
            "excursion",
            "retreat",
            "adventure",
            "adventures",
        ],
    ) && !has(words, &["flight", "flights", "hotel", "hotels"])
    {
        return Some("search_packages");
    }
    if has(
        words,
        &[
            "hotel",
            "hotels",
            "room",
            "rooms",
            "accommodation",
            "accommodations",
            "hostel",
            "bnb",
            "resort",
            "lodging",
            "inn",
            "motel",
            "suite",
        ],
    ) || has_seq(words, &["place", "to", "stay"])
        || has_seq(words, &["somewhere", "to", "stay"])
        || words.first() == Some(&"stay")
        || (has(words, &["stay", "staying"]) && !has(words, &["flight", "flights", "fly"]))
    {
        return Some("search_hotels");
    }
    if has_seq(words, &["cheapest", "day"])
        || has_seq(words, &["cheapest", "date"])
        || has_seq(words, &["cheapest", "days"])
        || has_seq(words, &["which", "day"])
        || has_seq(words, &["best", "day"])
        || has(words, &["calendar", "flexible"])
        || has_seq(words, &["cheapest", "time"])
    {
        return Some("flight_calendar");
    }
    if has(
        words,
        &[
            "flight", "flights", "fly", "flying", "plane", "ticket", "tickets", "airfare", "fares",
            "fare", "airline", "return", "one-way",
        ],
    ) || has(words, &["from"]) && has(words, &["to"])
        || has(words, &["to"]) && original.iter().filter(|w| is_code(w)).count() >= 1
    {
        return Some("search_flights");
    }
    None
}

fn is_code(w: &str) -> bool {
    w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase())
}

/// Reads a message (with the draft of an open question, if any) into a plan.
pub async fn understand(
    agency: &dyn Agency,
    session: &Session,
    text: &str,
    today: Date,
) -> (Plan, Option<Draft>, Vec<String>) {
    let (lower, original) = words_of(text);
    let words: Vec<&str> = lower.iter().map(String::as_str).collect();
    let orig: Vec<&str> = original.iter().map(String::as_str).collect();
    let mut notes: Vec<String> = Vec::new();
    let draft: Option<Draft> = session
        .draft
        .as_ref()
        .and_then(|d| serde_json::from_value(d.clone()).ok());
    let mut intent_now = intent(&words, &orig).map(String::from);
    let mut args = Map::new();
    let mut asking = None;
    if let Some(d) = &draft
        && (intent_now.is_none() || intent_now.as_deref() == Some(d.intent.as_str()))
    {
        intent_now = Some(d.intent.clone());
        args = d.args.clone();
        asking = d.asking.clone();
    }
    if intent_now.is_none()
        && words.contains(&"to")
        && place_before_to(agency, &words).await.is_some()
        && place_after(agency, &words, &["to"]).await.is_some()
    {
        intent_now = Some("search_flights".into());
    }
    let Some(intent) = intent_now else {
        if words.len() <= 3
            && words.first().is_some_and(|w| {
                matches!(
                    *w,
                    "hi" | "hello" | "hey" | "hola" | "help" | "thanks" | "thank"
                )
            })
        {
            return (
                Plan::Say("Hello! I can search flights (\"cheapest flight from London to Barcelona next Friday, 2 adults\"), hotels (\"hotels in Rome for 3 nights from 14 March\") and packages (\"beach holidays under 1500 euros\"), book what you pick, and show your bookings and points.".into()),
                None,
                notes,
            );
        }
        if words.is_empty() {
            return (Plan::Ask("What can I do for you? I can search flights, hotels and packages, show your bookings or points.".into()), None, notes);
        }
        return (
            Plan::Say(format!(
                "I did not understand \"{}\". I work offline and understand requests such as \"cheapest flight from London to Barcelona next Friday, 2 adults\", \"hotels in Rome for 3 nights from 14 March\", \"beach packages under 1500 euros\", \"my bookings\", \"my points\" or \"cancel bkg_...\".",
                text.trim()
            )),
            None,
            notes,
        );
    };
    let d = dates::read(&words, today);
    let put = |args: &mut Map<String, Value>, k: &str, v: Value| {
        args.insert(k.to_string(), v);
    };
    match intent.as_str() {
        "search_flights" | "flight_calendar" => {
            let from = place_after(agency, &words, &["from", "leaving", "out"]).await;
            let mut to = place_after(agency, &words, &["to", "into"]).await;
            let mut from = match from {
                Some(p) => Some(p),
                None => place_before_to(agency, &words).await,
            };
            // Bare codes: "LHR JFK".
            let codes: Vec<&str> = orig.iter().copied().filter(|w| is_code(w)).collect();
            if from.is_none() && to.is_none() && codes.len() >= 2 {
                from = resolve(agency, &[&codes[0].to_lowercase()]).await;
                to = resolve(agency, &[&codes[1].to_lowercase()]).await;
            }
            // An answer to "where from?" / "where to?".
            if from.is_none()
                && to.is_none()
                && let Some(slot) = &asking
                && let Some(p) = resolve(agency, &words).await
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
            let p = party(&words);
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
                if let Some(s) = max_stops(&words) {
                    put(&mut args, "max_stops", json!(s));
                }
                if let Some(s) = flight_sort(&words) {
                    put(&mut args, "sort", json!(s));
                }
            }
            if let Some(c) = cabin(&words) {
                put(&mut args, "cabin", json!(c));
            }
            if let Some((amount, cur, _)) = budget(&words) {
                if intent == "search_flights" {
                    put(&mut args, "max_price", json!(amount));
                } else {
                    notes.push(format!("the calendar shows every day's cheapest fare, so I did not filter by {amount}"));
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
                                .max(today);
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
        "search_hotels" => {
            let mut at = place_after(agency, &words, &["in", "at", "near", "to", "of"]).await;
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
                && let Some(p) = resolve(agency, &words).await
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
            let p = party(&words);
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
            if let Some(s) = stars(&words) {
                put(&mut args, "min_stars", json!(s));
            }
            let am = amenities(&words);
            if !am.is_empty() {
                put(&mut args, "amenities", json!(am));
            }
            if let Some((amount, cur, per_night)) = budget(&words) {
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
            if has_seq(&words, &["best", "rated"])
                || has_seq(&words, &["top", "rated"])
                || has_seq(&words, &["highest", "rated"])
                || has_seq(&words, &["best", "reviews"])
            {
                put(&mut args, "sort", json!("rating"));
            } else if has_seq(&words, &["close", "to", "the", "centre"])
                || has_seq(&words, &["close", "to", "the", "center"])
                || has(&words, &["central", "centrally"])
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
            if missing.is_none()
                && d.month.is_some()
                && d.first.is_none()
                && !args.contains_key("check_in")
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
        "search_packages" => {
            if let Some(p) = place_after(
                agency,
                &words,
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
            if let Some((amount, _, _)) = budget(&words) {
                put(&mut args, "max_price", json!(amount));
            }
            for (i, w) in words.iter().enumerate() {
                let n = w.strip_suffix("-day").and_then(dates::number).or_else(|| {
                    (matches!(*w, "days" | "day") && i >= 1)
                        .then(|| dates::number(words[i - 1]))
                        .flatten()
                });
                if let Some(n) = n {
                    let under =
                        i >= 2 && matches!(words[i.saturating_sub(2)], "under" | "max" | "most");
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
            if has(&words, &["best", "top", "highest"])
                && has(&words, &["rated", "reviews", "rating"])
            {
                put(&mut args, "sort", json!("rating"));
            } else if has(&words, &["cheapest", "cheap", "lowest"]) {
                put(&mut args, "sort", json!("price"));
            }
            finish(intent, args, None, notes)
        }
        "get_package" => {
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
        "list_bookings" => {
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
        "get_points" => finish(intent, Map::new(), None, notes),
        "suggest_places" => {
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
        "cancel_booking" => {
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
        "create_booking" => book(session, &words, &orig, today, notes),
        _ => (Plan::Say("I did not understand that.".into()), None, notes),
    }
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn ask_country(
    slot: &str,
    p: &Place,
    intent: &str,
    args: Map<String, Value>,
) -> (Plan, Option<Draft>, Vec<String>) {
    let opts = if p.options.is_empty() {
        String::new()
    } else {
        format!(" For example {}.", p.options.join(", "))
    };
    (
        Plan::Ask(format!("{} is a country: which city?{opts}", p.city)),
        Some(Draft {
            intent: intent.to_string(),
            args,
            asking: Some(slot.to_string()),
        }),
        Vec::new(),
    )
}

fn finish(
    intent: String,
    args: Map<String, Value>,
    missing: Option<(&str, &str)>,
    notes: Vec<String>,
) -> (Plan, Option<Draft>, Vec<String>) {
    match missing {
        Some((slot, question)) => (
            Plan::Ask(question.to_string()),
            Some(Draft {
                intent,
                args,
                asking: Some(slot.to_string()),
            }),
            notes,
        ),
        None => (
            Plan::Call {
                tool: intent,
                arguments: Value::Object(args),
            },
            None,
            notes,
        ),
    }
}

/// "book option 2 for Ana Lopez born 1990-04-02, ana@example.com".
fn book(
    session: &Session,
    words: &[&str],
    orig: &[&str],
    today: Date,
    notes: Vec<String>,
) -> (Plan, Option<Draft>, Vec<String>) {
    let index = words.iter().enumerate().find_map(|(i, w)| match *w {
        "first" | "#1" | "cheapest" => Some(1),
        "second" | "#2" => Some(2),
        "third" | "#3" => Some(3),
        "fourth" | "#4" => Some(4),
        "fifth" | "#5" => Some(5),
        "option" | "number" | "no" => words.get(i + 1).and_then(|w| w.parse::<usize>().ok()),
        _ => None,
    });
    let offer = orig
        .iter()
        .find(|w| w.starts_with("off_"))
        .map(|w| w.to_string())
        .or_else(|| {
            let i = index.unwrap_or(1);
            session.last_results.get(i - 1).cloned()
        });
    let Some(offer) = offer else {
        return (
            Plan::Ask("Which offer? Search first (for example \"flights from London to Paris next Friday\"), then say \"book option 1 for Given Family born YYYY-MM-DD, you@example.com\".".into()),
            None,
            notes,
        );
    };
    let email = orig
        .iter()
        .find(|w| w.contains('@') && w.contains('.'))
        .map(|w| w.trim_end_matches('.').to_string());
    // Travellers: "<Given> <Family> born <date>", separated by "and".
    let mut passengers = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "born" && i >= 2 {
            let given = orig[i - 2];
            let family = orig[i - 1];
            let mut j = i + 1;
            if words.get(j) == Some(&"on") {
                j += 1;
            }
            let date = words
                .get(j)
                .and_then(|w| w.parse::<Date>().ok())
                .or_else(|| {
                    // "born 2 April 1990".
                    let d: i8 = words.get(j)?.parse().ok()?;
                    let m = dates::month_number(words.get(j + 1)?)?;
                    let y: i16 = words.get(j + 2)?.parse().ok()?;
                    Date::new(y, m, d).ok()
                });
            if let Some(born) = date {
                let kind = crate::model::PassengerType::on(born, today).as_str();
                passengers.push(json!({"given_name": given, "family_name": family, "born_on": born, "type": kind}));
            }
        }
        i += 1;
    }
    let Some(seen) = session.offers.get(&offer) else {
        return (
            Plan::Say(format!(
                "I have not seen offer {offer} in this conversation: search again and pick from the results."
            )),
            None,
            notes,
        );
    };
    if passengers.len() != seen.travellers as usize || email.is_none() {
        return (
            Plan::Ask(format!(
                "To book {} ({}), I need {} traveller{} as \"Given Family born YYYY-MM-DD\" and a contact email, for example: book option {} for Ana Lopez born 1990-04-02, ana@example.com",
                seen.description,
                seen.total,
                seen.travellers,
                if seen.travellers == 1 { "" } else { "s" },
                index.unwrap_or(1)
            )),
            None,
            notes,
        );
    }
    (
        Plan::Call {
            tool: "create_booking".into(),
            arguments: json!({"offer_ids": [offer], "passengers": passengers, "contact_email": email}),
        },
        None,
        notes,
    )
}
