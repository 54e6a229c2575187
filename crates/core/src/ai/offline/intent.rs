//! What a message is about: which tool (search flights, hotels or packages, book, pay,
//! cancel, predict or watch a fare, recommend, plan, list bookings, points, look up a place) its words
//! point to.

use super::words::{has, has_seq, is_code};

/// What the message is about.
pub(super) fn of(words: &[&str], original: &[&str]) -> Option<&'static str> {
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
    if words.first() == Some(&"pay")
        || (has(words, &["pay", "paying"])
            && (text.contains("bkg_") || has(words, &["it", "booking", "card"])))
    {
        return Some("pay_booking");
    }
    if is_watch_list(words) {
        return Some("list_watches");
    }
    if is_watch(words) {
        return Some("watch_price");
    }
    if is_prediction(words) {
        return Some("predict_price");
    }
    if has(words, &["plan", "planning"])
        && !has(
            words,
            &[
                "flight", "flights", "hotel", "hotels", "package", "packages",
            ],
        )
    {
        return Some("plan_itinerary");
    }
    if is_recommendation(words) {
        return Some("recommend");
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
    // "beach trips in Thailand", "food trips in Japan": a trip with a theme is a package;
    // "round trip London to Rome" is not.
    if has(words, &["trip", "trips", "tour", "tours"])
        && has(words, THEMES)
        && !has(
            words,
            &[
                "round", "return", "one-way", "flight", "flights", "hotel", "hotels",
            ],
        )
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

/// Themes and kinds of trip the packages are described by.
pub(super) const THEMES: &[&str] = &[
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
    "hiking",
    "trekking",
    "safari",
    "adventure",
    "luxury",
    "budget",
    "cultural",
    "culture",
    "history",
    "art",
    "nightlife",
    "music",
];

/// "will prices drop?", "predict the price for LHR-JFK", "book now or wait?".
fn is_prediction(words: &[&str]) -> bool {
    has(words, &["predict", "prediction", "forecast"])
        || (has(words, &["price", "prices", "fare", "fares"])
            && has(
                words,
                &[
                    "drop", "fall", "rise", "increase", "decrease", "down", "up", "change",
                ],
            )
            && has(words, &["will", "going", "likely", "expect", "should"]))
        || (has_seq(words, &["book", "now"]) && has(words, &["wait", "later"]))
        || has_seq(words, &["wait", "or", "book"])
}

/// "tell me when London to New York falls below 300 euros", "watch the fare", "alert me if it
/// drops under 250".
fn is_watch(words: &[&str]) -> bool {
    let drop = has(
        words,
        &[
            "below", "under", "drops", "drop", "falls", "fall", "cheaper", "beneath",
        ],
    ) || has_seq(words, &["less", "than"]);
    let watch = has(words, &["watch", "alert", "notify"])
        && (drop || has(words, &["fare", "fares", "price", "prices"]));
    let when = has_seq(words, &["tell", "me", "when"])
        || has_seq(words, &["tell", "me", "if"])
        || has_seq(words, &["let", "me", "know", "when"])
        || has_seq(words, &["let", "me", "know", "if"]);
    watch || (when && drop)
}

/// "my price watches", "show my alerts", "what am I watching?".
fn is_watch_list(words: &[&str]) -> bool {
    has_seq(words, &["my", "watches"])
        || has_seq(words, &["my", "alerts"])
        || has_seq(words, &["price", "watches"]) && !has(words, &["below", "under"])
        || has_seq(words, &["am", "i", "watching"])
}

/// "recommend a destination", "suggest somewhere to go", "where should I go?".
fn is_recommendation(words: &[&str]) -> bool {
    let about_stays = has(
        words,
        &[
            "flight", "flights", "hotel", "hotels", "airport", "airports",
        ],
    );
    !about_stays
        && (has(
            words,
            &[
                "recommend",
                "recommendation",
                "recommendations",
                "suggestion",
                "suggestions",
                "inspire",
                "inspiration",
            ],
        ) || (has(words, &["suggest"])
            && has(
                words,
                &["somewhere", "destination", "trip", "place", "where"],
            ))
            || has_seq(words, &["where", "should", "i", "go"])
            || has_seq(words, &["where", "should", "we", "go"])
            || has_seq(words, &["where", "to", "go"]))
}
