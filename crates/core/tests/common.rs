//! Shared helpers for the core's integration tests.
#![allow(dead_code)]

use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use jiff::Timestamp;

/// The instant every test prices against: fares depend on how far ahead one books.
pub fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// A local agency on a fresh SQLite file in a temp dir, with the clock pinned.
pub fn agency() -> (tempfile::TempDir, LocalAgency) {
    agency_with(|_| {})
}

pub fn agency_with(tweak: impl FnOnce(&mut LocalOptions)) -> (tempfile::TempDir, LocalAgency) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = LocalOptions::new(Paths::in_dir(dir.path()));
    options.clock = Clock::fixed(now());
    tweak(&mut options);
    let agency = LocalAgency::open(options).unwrap();
    (dir, agency)
}

pub fn date(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

/// Ada Lovelace, an adult traveller.
pub fn ada() -> booksygo_core::booking::PassengerInput {
    booksygo_core::booking::PassengerInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        born_on: date("1990-12-10"),
        kind: booksygo_core::model::PassengerType::Adult,
        document: None,
        gender: None,
    }
}

/// The cheapest non-stop BA flight LHR-JFK on 2027-03-14.
pub async fn ba_offer(a: &LocalAgency) -> booksygo_core::model::FlightOffer {
    use booksygo_core::Agency;
    use booksygo_core::search::{FlightQuery, FlightSort};
    let mut q = FlightQuery::one_way("LHR", "JFK", date("2027-03-14"));
    q.max_stops = Some(0);
    q.sort = FlightSort::Price;
    q.filters.airlines = vec!["BA".into()];
    a.search_flights(&q).await.unwrap().offers.remove(0)
}

/// Ada books `offer_id`, paying with `card` (expiring 12/30) when given.
pub fn ada_request(offer_id: &str, card: Option<&str>) -> booksygo_core::booking::BookingRequest {
    use booksygo_core::booking::{BookingRequest, ItemRequest, PaymentInput};
    BookingRequest {
        items: vec![ItemRequest::Offer {
            offer_id: offer_id.into(),
        }],
        passengers: vec![ada()],
        contact_email: "ada@example.com".into(),
        contact_phone: None,
        payment: PaymentInput {
            card: card.map(|n| booksygo_core::booking::payment::Card::new(n, "12/30")),
            points: 0,
        },
        idempotency_key: None,
    }
}

/// The engines a generic test body runs on, each on a fresh database: `sqlite` (a file in a
/// temporary directory) and `postgres` (a database of its own on `BOOKSYGO_TEST_PG_URL`,
/// dropped afterwards). Without a reachable PostgreSQL the run fails, saying so.
pub fn each_engine(body: impl Fn(&str, &booksygo_core::store::Store)) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = booksygo_core::store::Store::open(&dir.path().join("t.db")).unwrap();
    body("sqlite", &sqlite);
    let db = booksygo_core::store::postgres::testing::TestDatabase::create();
    body("postgres", &db.port());
}

/// The engines a generic test body runs on, by name.
pub const ENGINES: [&str; 2] = ["sqlite", "postgres"];

/// What keeps an engine's database alive while a test uses it.
pub enum Kept {
    Dir(tempfile::TempDir),
    Database(
        booksygo_core::store::postgres::testing::TestDatabase,
        tempfile::TempDir,
    ),
}

/// [`agency_with`] on `engine` ("sqlite" or "postgres", see [`ENGINES`]): a generic test body
/// loops over the engines and opens its agency with this.
pub fn agency_on(engine: &str, tweak: impl FnOnce(&mut LocalOptions)) -> (Kept, LocalAgency) {
    match engine {
        "sqlite" => {
            let (dir, agency) = agency_with(tweak);
            (Kept::Dir(dir), agency)
        }
        "postgres" => {
            let db = booksygo_core::store::postgres::testing::TestDatabase::create();
            let url = db.url().to_string();
            let (dir, agency) = agency_with(|o| {
                o.database_url = Some(url);
                tweak(o);
            });
            (Kept::Database(db, dir), agency)
        }
        other => panic!("no engine {other}"),
    }
}
