//! Fuzzing the offline assistant's reading of free text (`scripts/fuzz.sh` runs the ignored
//! tests for a bounded time): whatever a person types, the reader answers with a plan, never
//! panics, and takes little time. Inputs mix arbitrary text with word salads of the words the
//! reader looks for (intents, dates, numbers, places, money), which reach its deeper paths.

use super::{dates, intent, understand, words::words_of};
use crate::ai::tools::Session;
use crate::fuzzing::Slowest;
use jiff::civil::Date;
use proptest::prelude::*;

/// Words the reader reacts to, and some that look like them.
const WORDS: &[&str] = &[
    "flight",
    "flights",
    "fly",
    "hotel",
    "hotels",
    "package",
    "packages",
    "holiday",
    "book",
    "cancel",
    "my",
    "bookings",
    "points",
    "cheapest",
    "from",
    "to",
    "in",
    "on",
    "for",
    "next",
    "this",
    "tomorrow",
    "today",
    "tonight",
    "weekend",
    "week",
    "weeks",
    "month",
    "day",
    "days",
    "night",
    "nights",
    "friday",
    "monday",
    "sunday",
    "march",
    "december",
    "feb",
    "14",
    "14th",
    "31",
    "0",
    "1",
    "2",
    "-1",
    "99999999999999999999",
    "2027-03-14",
    "2027-02-30",
    "14/03",
    "adults",
    "adult",
    "children",
    "kids",
    "infant",
    "business",
    "economy",
    "first",
    "non-stop",
    "direct",
    "stops",
    "under",
    "budget",
    "euros",
    "eur",
    "£",
    "$1500",
    "1500",
    "€",
    "usd",
    "london",
    "LHR",
    "JFK",
    "paris",
    "barcelona",
    "rome",
    "new",
    "york",
    "tokyo",
    "xyz",
    "bkg_",
    "bkg_00000000",
    "pkg_",
    "option",
    "2nd",
    "yes",
    "no",
    "beach",
    "city",
    "trek",
    "himalaya",
    "and",
    "or",
    "then",
    "back",
    "return",
    "one-way",
    "round",
    "trip",
    "option",
    "second",
    "day",
    "after",
    "before",
    "later",
    "cheaper",
    "sort",
    "by",
    "duration",
    "rating",
    "pay",
    "card",
    "4242",
    "12/30",
    "150/night",
    "plan",
    "predict",
    "will",
    "prices",
    "drop",
    "recommend",
    "asia",
    "south",
    "america",
    "stars",
    "max",
    "night",
    "a",
    "last",
    "born",
    "1990-04-02",
    "ana@example.com",
    "what",
    "about",
    "instead",
    ",",
    ".",
    "?",
    "!",
    "\"",
    "'",
    "(",
    ")",
    "🙂",
    "ß",
    "İ",
    "\u{0}",
    "\t",
    "\n",
];

fn salad(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..max_words).prop_map(|w| w.join(" "))
}

/// A message: arbitrary text, a salad of the reader's words, or a long salad (the assistant
/// takes up to 8,000 characters).
pub(crate) fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,300}",
        4 => salad(40),
        1 => salad(1200),
    ]
}

/// Any day from 1990 to 2100, as "today".
fn today() -> impl Strategy<Value = Date> {
    (1990i16..2100, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn agency() -> (tempfile::TempDir, crate::LocalAgency) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = crate::LocalOptions::new(crate::config::Paths::in_dir(dir.path()));
    options.clock = crate::config::Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
    (dir, crate::LocalAgency::open(options).unwrap())
}

/// Reads `cases` messages through the whole reader (places looked up in the sandbox market).
fn understand_messages(cases: Option<u32>) {
    let (_dir, agency) = agency();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let fresh = Session::default();
    // A conversation with a search behind it, so follow-ups are read too.
    let mut searched = Session::default();
    let found = rt
        .block_on(
            crate::ai::tools::Toolbox {
                agency: &agency,
                today: "2026-11-25".parse().unwrap(),
            }
            .call(
                &mut searched,
                "search_flights",
                &serde_json::json!({"origin": "LON", "destination": "PAR", "departure_date": "2026-12-12"}),
            ),
        )
        .unwrap();
    assert!(found["offers"].as_array().is_some_and(|o| !o.is_empty()));
    searched.last_booking = Some("bkg_0000000000000000".into());
    let today: Date = "2026-11-25".parse().unwrap();
    // The first call loads the places; that is not the reader's time.
    rt.block_on(understand(
        &agency,
        &fresh,
        "flights from London to Paris",
        today,
    ));
    let slowest = Slowest::new("assistant.understand");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    proptest!(config, |(text in message(), follow_up in any::<bool>())| {
        let session = if follow_up { &searched } else { &fresh };
        slowest.time(&text, || rt.block_on(understand(&agency, session, &text, today)));
    });
    slowest.report();
}

/// Reads `cases` messages for their intent and dates only (no agency), on any day.
fn intents_and_dates(cases: Option<u32>) {
    let slowest = Slowest::new("assistant.dates");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    proptest!(config, |(text in message(), today in today())| {
        slowest.time(&(&text, today), || {
            let (lower, original) = words_of(&text);
            let words: Vec<&str> = lower.iter().map(String::as_str).collect();
            let orig: Vec<&str> = original.iter().map(String::as_str).collect();
            let _ = intent::of(&words, &orig);
            let _ = dates::read(&words, today);
        });
    });
    slowest.report();
}

#[test]
fn the_reader_survives_a_few_odd_messages() {
    understand_messages(Some(24));
    intents_and_dates(Some(64));
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_assistant_understand() {
    understand_messages(None);
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_assistant_intents_and_dates() {
    intents_and_dates(None);
}
