//! Fuzzing what people type on the command line (`scripts/fuzz.sh` runs the ignored test for
//! a bounded time): travellers ("Given,Family,YYYY-MM-DD[,type][,m|f][,DOCUMENT]"), dates and
//! months. Any text is a traveller or a clear message, never a panic.

use super::parse_passenger;
use crate::cli::{parse_date, parse_month};
use booksygo_core::fuzzing::Slowest;
use proptest::prelude::*;

const PARTS: &[&str] = &[
    "Ada",
    "Lovelace",
    "",
    " ",
    "2027-03-14",
    "1990-12-10",
    "1990-02-30",
    "9999-12-31",
    "-0001-01-01",
    "2027-3-4",
    "adult",
    "child",
    "infant",
    "ADULT",
    "m",
    "f",
    "x",
    "P1234567",
    ",",
    ",,",
    "\"",
    "🙂",
    "ß",
    "\u{0}",
    "1",
    "0",
    "-1",
    "99999999999999999999",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,120}",
        prop::collection::vec(prop::sample::select(PARTS), 0..9).prop_map(|p| p.join(",")),
        "[0-9-]{0,14}",
    ]
}

fn run(cases: Option<u32>) {
    let slowest = Slowest::new("cli.passenger_and_dates");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    proptest!(config, |(text in text())| {
        let (passenger, date, month) = slowest.time(&text, || {
            (parse_passenger(&text), parse_date(&text), parse_month(&text))
        });
        // A refusal names the input, so the person sees what was wrong.
        for e in [passenger.err(), date.err(), month.err()].into_iter().flatten() {
            prop_assert!(!e.is_empty());
        }
    });
    slowest.report();
}

#[test]
fn odd_travellers_and_dates_get_messages() {
    run(Some(128));
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_cli_passenger_and_dates() {
    run(None);
}
