//! The golden transcript: a scripted session of CLI commands with `--json` (search, calendar,
//! hotels, packages, book, pay, cancel, points, trips, chat and the error paths), each with
//! its exit code, stdout and stderr, compared with `tests/golden/transcript.txt`. It pins the
//! behaviour while the inside changes shape. Ids made at random (`bkg_`, `pay_`, ...) and
//! booking codes are replaced by stable placeholders in order of first appearance, so the
//! same booking must still appear wherever it did.
//!
//! After a change of behaviour that is meant, record it again and read the diff:
//! `BOOKSYGO_BLESS=1 cargo test --test golden_cli`.

mod common;

use common::Env;
use serde_json::Value;
use std::collections::HashMap;

/// Turns random ids and codes into placeholders that keep their identity.
#[derive(Default)]
struct Masker {
    seen: HashMap<String, String>,
    counts: HashMap<String, usize>,
}

impl Masker {
    fn name(&mut self, raw: &str, kind: &str) -> String {
        if let Some(p) = self.seen.get(raw) {
            return p.clone();
        }
        let n = self.counts.entry(kind.to_string()).or_default();
        *n += 1;
        let p = format!("<{kind}#{n}>");
        self.seen.insert(raw.to_string(), p.clone());
        p
    }

    /// Registers the codes of a JSON answer (confirmation codes, supplier references).
    fn learn(&mut self, v: &Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if let ("confirmation_code" | "reference", Value::String(code)) =
                        (k.as_str(), v)
                        && code.len() == 6
                    {
                        self.name(code, "code");
                    }
                    self.learn(v);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| self.learn(v)),
            _ => {}
        }
    }

    /// Masks ids made at random (prefix, underscore, 16 hex digits; offer ids are derived
    /// from the offer and kept) and every code learnt so far.
    fn mask(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            let id = bytes.get(i..i + 20).filter(|w| {
                w[..3].iter().all(u8::is_ascii_lowercase)
                    && w[3] == b'_'
                    && w[4..]
                        .iter()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
                    && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
                    && bytes.get(i + 20).is_none_or(|b| !b.is_ascii_alphanumeric())
            });
            match id {
                Some(w) if &w[..4] != b"off_" => {
                    let raw = std::str::from_utf8(w).unwrap().to_string();
                    out.push_str(&self.name(&raw, &raw[..3]));
                    i += 20;
                }
                _ => {
                    let c = text[i..].chars().next().unwrap();
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        let codes: Vec<(String, String)> = self
            .seen
            .iter()
            .filter(|(raw, _)| raw.len() == 6)
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect();
        for (raw, placeholder) in codes {
            out = out.replace(&raw, &placeholder);
        }
        out
    }
}

struct Session {
    env: Env,
    masker: Masker,
    transcript: String,
}

impl Session {
    /// Runs one command with `--json`, appends it to the transcript, returns its stdout.
    fn run(&mut self, args: &[&str]) -> Value {
        let out = self.env.cmd().args(args).arg("--json").output().unwrap();
        let stdout: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        self.masker.learn(&stdout);
        let shown: Vec<String> = args.iter().map(|a| self.masker.mask(a)).collect();
        let body = if stdout.is_null() {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            serde_json::to_string_pretty(&stdout).unwrap()
        };
        self.transcript.push_str(&format!(
            "$ booksygo {} --json\nexit: {}\n{}\n",
            shown.join(" "),
            out.status.code().map_or("signal".into(), |c| c.to_string()),
            self.masker.mask(&body)
        ));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !stderr.trim().is_empty() {
            self.transcript
                .push_str(&format!("stderr: {}\n", self.masker.mask(stderr.trim())));
        }
        self.transcript.push('\n');
        stdout
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_golden_transcript_holds() {
    let mut s = Session {
        env: Env::new(),
        masker: Masker::default(),
        transcript: String::new(),
    };
    // Search.
    s.run(&["places", "suggest", "lond"]);
    let flights = s.run(&[
        "flights",
        "search",
        "LHR",
        "JFK",
        "--date",
        "2027-03-14",
        "--max-stops",
        "0",
        "--limit",
        "3",
    ]);
    s.run(&[
        "flights",
        "search",
        "London",
        "New York",
        "--date",
        "2027-03-14",
        "--return",
        "2027-03-21",
        "--limit",
        "2",
    ]);
    s.run(&[
        "flights",
        "search",
        "LHR",
        "SIN",
        "--date",
        "2027-03-14",
        "--alliance",
        "oneworld",
        "--sort",
        "price",
        "--currency",
        "GBP",
        "--limit",
        "2",
    ]);
    s.run(&[
        "flights",
        "search",
        "LON",
        "TYO",
        "--date",
        "2027-04-02",
        "--adults",
        "2",
        "--children",
        "1",
        "--cabin",
        "business",
        "--limit",
        "2",
    ]);
    s.run(&[
        "flights",
        "calendar",
        "LHR",
        "JFK",
        "--date",
        "2027-03-14",
        "--flex",
        "2",
    ]);
    s.run(&[
        "flights",
        "explore",
        "LHR",
        "--month",
        "2027-03",
        "--max-price",
        "150",
        "--country",
        "Spain",
    ]);
    let hotels = s.run(&[
        "hotels",
        "search",
        "LON",
        "--checkin",
        "2027-03-14",
        "--checkout",
        "2027-03-17",
        "--limit",
        "3",
    ]);
    s.run(&[
        "packages",
        "list",
        "trek",
        "--type",
        "adventure",
        "--max-price",
        "2500",
        "--sort",
        "price",
    ]);
    s.run(&["packages", "show", "pkg_iceland_fire_and_ice_7d"]);
    s.run(&["packages", "calendar", "pkg_iceland_fire_and_ice_7d"]);
    s.run(&["packages", "featured"]);
    s.run(&["packages", "deals"]);
    // Book, replay, pay, cancel.
    let flight = id(&flights[0]);
    let hotel = id(&hotels[0]);
    let book = [
        "book",
        flight.as_str(),
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
        "--card",
        "4242424242424242",
        "--idempotency-key",
        "golden-1",
    ];
    let paid = s.run(&book);
    s.run(&book);
    let pending = s.run(&[
        "book",
        hotel.as_str(),
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ]);
    let (paid, pending) = (id(&paid), id(&pending));
    s.run(&["bookings", "pay", &pending, "--card", "4242424242424242"]);
    s.run(&[
        "book",
        "package",
        "pkg_iceland_fire_and_ice_7d",
        "--date",
        "2027-05-12",
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--passenger",
        "Charles,Babbage,1991-12-26",
        "--email",
        "ada@example.com",
        "--card",
        "4242424242424242",
    ]);
    s.run(&["bookings", "list"]);
    s.run(&["bookings", "show", &paid]);
    s.run(&["bookings", "cancel", &paid]);
    s.run(&["bookings", "cancel", &paid, "--yes"]);
    // Points, trips, profile.
    s.run(&["points"]);
    s.run(&["points", "history"]);
    s.run(&["points", "badges"]);
    s.run(&["points", "challenges"]);
    s.run(&["points", "leaderboard"]);
    let trip = s.run(&["trips", "create", "Japan, April", "--budget", "4000"]);
    s.run(&["trips", "add", &id(&trip), &pending]);
    s.run(&["trips", "show", &id(&trip)]);
    s.run(&[
        "profile",
        "set",
        "--first-name",
        "Ada",
        "--style",
        "comfort",
    ]);
    s.run(&["profile"]);
    // The assistant, offline.
    s.run(&["chat", "flights from London to Paris on 2027-03-14"]);
    // Errors: each with its exit code and message, nothing written.
    s.run(&["flights", "search", "XQX", "JFK", "--date", "2027-03-14"]);
    s.run(&["flights", "search", "LHR", "JFK", "--date", "2020-01-01"]);
    s.run(&[
        "hotels",
        "search",
        "LON",
        "--checkin",
        "2027-03-17",
        "--checkout",
        "2027-03-14",
    ]);
    s.run(&[
        "book",
        "off_0000000000000000",
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
    ]);
    s.run(&[
        "book",
        flight.as_str(),
        "--passenger",
        "Ada,Lovelace,1990-12-10",
        "--email",
        "ada@example.com",
        "--card",
        "4000000000000002",
    ]);
    s.run(&["bookings", "pay", &paid, "--card", "4242424242424242"]);
    s.run(&["bookings", "show", "bkg_ffffffffffffffff"]);
    s.run(&[
        "packages",
        "list",
        "one two three four five six seven eight nine",
    ]);
    s.run(&["bookings", "list"]);

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/transcript.txt");
    if std::env::var_os("BOOKSYGO_BLESS").is_some() {
        std::fs::write(&path, &s.transcript).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .expect("tests/golden/transcript.txt (record it with BOOKSYGO_BLESS=1)");
    if want != s.transcript {
        let got = path.with_extension("new.txt");
        std::fs::write(&got, &s.transcript).unwrap();
        let line = want
            .lines()
            .zip(s.transcript.lines())
            .position(|(a, b)| a != b)
            .map_or(
                want.lines().count().min(s.transcript.lines().count()),
                |i| i,
            );
        panic!(
            "the transcript changed from line {} on: compare {} with {}",
            line + 1,
            path.display(),
            got.display()
        );
    }
}
