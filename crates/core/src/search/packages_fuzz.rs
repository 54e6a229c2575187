//! Fuzzing the package query builder (`scripts/fuzz.sh` runs the ignored test for a bounded
//! time): any search text is either refused as invalid input (too long, too many words) or
//! becomes a full-text query SQLite accepts, runs on the sandbox catalogue, and answers fast.
//! Never a panic, never a storage error (an FTS5 syntax error would be one).

use super::{PackageQuery, search_words};
use crate::fuzzing::Slowest;
use crate::{Agency, ErrorKind};
use proptest::prelude::*;

/// FTS5 operators and quoting, words of the catalogue, and look-alikes.
const WORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(",
    "near/2",
    "\"",
    "\"\"",
    "*",
    "^",
    "(",
    ")",
    ":",
    "-",
    "+",
    "title:",
    "description:",
    "{title}",
    "}",
    "{",
    "a",
    "an",
    "in",
    "of",
    "trek",
    "tre*",
    "himalaya",
    "beach",
    "lisbon",
    "safari",
    "ski",
    "city",
    "x",
    "ß",
    "İ",
    "🙂",
    "日本",
    "\u{0}",
    "\\",
    "'",
    "%",
    "_",
    ";",
    "--",
    "/*",
    "0",
    "1e308",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,250}",
        prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" ")),
        prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.concat()),
    ]
}

fn run(cases: Option<u32>) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = crate::LocalOptions::new(crate::config::Paths::in_dir(dir.path()));
    options.clock = crate::config::Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
    let agency = crate::LocalAgency::open(options).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let search = |text: &str| {
        let q = PackageQuery {
            text: Some(text.to_string()),
            ..Default::default()
        };
        rt.block_on(agency.search_packages(&q))
    };
    // The first search loads the catalogue; that is not the query builder's time.
    search("trek").unwrap();
    let slowest = Slowest::new("packages.search_text");
    let config = cases.map_or_else(ProptestConfig::default, ProptestConfig::with_cases);
    proptest!(config, |(text in text())| {
        let words = search_words(&text);
        let answer = slowest.time(&text, || search(&text));
        match (&words, &answer) {
            (Ok(_), Ok(_)) => {}
            (Err(_), Err(e)) => prop_assert_eq!(e.kind(), ErrorKind::InvalidInput, "{}", e),
            _ => prop_assert!(false, "words {:?} but search {:?}", words.is_ok(), answer.as_ref().err()),
        }
    });
    slowest.report();
}

#[test]
fn odd_search_texts_are_refused_or_searched() {
    run(Some(48));
}

#[test]
#[ignore = "fuzzing: scripts/fuzz.sh runs it with PROPTEST_CASES"]
fn fuzz_package_search_text() {
    run(None);
}
