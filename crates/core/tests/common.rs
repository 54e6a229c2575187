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
        kind: Some(booksygo_core::model::PassengerType::Adult),
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

impl Kept {
    /// The data directory the agency was opened on (its SQLite file lives there).
    pub fn dir(&self) -> &std::path::Path {
        match self {
            Kept::Dir(dir) | Kept::Database(_, dir) => dir.path(),
        }
    }

    /// The PostgreSQL database's URL, or `None` on SQLite.
    pub fn database_url(&self) -> Option<&str> {
        match self {
            Kept::Dir(_) => None,
            Kept::Database(db, _) => Some(db.url()),
        }
    }
}

/// Another agency on the same data as `kept` (the same SQLite file, or the same PostgreSQL
/// database) with its own store and pool, its clock pinned at `now`: the same data seen at
/// a later moment, or a second writer on it.
pub fn agency_on_at(kept: &Kept, now: Timestamp) -> LocalAgency {
    let mut options = LocalOptions::new(Paths::in_dir(kept.dir()));
    options.clock = Clock::fixed(now);
    options.database_url = kept.database_url().map(str::to_string);
    LocalAgency::open(options).unwrap()
}

/// Makes the test bodies `$name(engine: &str)` tests on each engine: `$name::sqlite` and
/// `$name::postgres`, each under the test attribute given (so `cargo test postgres` runs
/// every PostgreSQL variant, and a failure names its engine).
///
/// ```ignore
/// common::on_engines!(#[tokio::test] a_test);
/// async fn a_test(engine: &str) {
///     let (_kept, a) = common::agency_on(engine, |_| {});
/// }
/// ```
// Not every test file that shares these helpers runs on both engines.
#[allow(unused_macros)]
macro_rules! on_engines {
    (#[$test:meta] $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[$test]
            async fn sqlite() {
                super::$name("sqlite").await
            }

            #[$test]
            async fn postgres() {
                super::$name("postgres").await
            }
        }
    )+};
}
#[allow(unused_imports)]
pub(crate) use on_engines;

/// Raw SQL on either engine, for what a test checks or sets up below the port. `sql` is
/// written so both engines read it the same way: parameters are text, numbered `$1`, `$2`,
/// `$3` (SQLite reads `$N` as a parameter too).
fn on_engine<T>(
    a: &LocalAgency,
    sql: &str,
    params: &[&str],
    sqlite: impl FnOnce(&rusqlite::Connection, &str, &[&str]) -> rusqlite::Result<T>,
    postgres: impl FnOnce(&booksygo_core::store::postgres::PgConn<'_>, &str, &[&str]) -> T,
) -> T {
    match a.store().postgres() {
        None => {
            sqlite(&a.store().conn().unwrap(), sql, params).unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
        Some(pg) => postgres(&pg.conn().unwrap(), sql, params),
    }
}

/// Rows of a statement run on PostgreSQL with text `params`.
fn pg_rows(
    c: &booksygo_core::store::postgres::PgConn<'_>,
    sql: &str,
    p: &[&str],
) -> Vec<booksygo_core::store::postgres::Row> {
    match p {
        [] => c.query(sql, &[]),
        [a] => c.query(sql, &[a]),
        [a, b] => c.query(sql, &[a, b]),
        [a, b, d] => c.query(sql, &[a, b, d]),
        _ => panic!("at most three parameters"),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// One number: `sql` is a query giving one row of one number (read as a BIGINT on both
/// engines: PostgreSQL's `sum` of BIGINTs is NUMERIC).
pub fn number(a: &LocalAgency, sql: &str, params: &[&str]) -> i64 {
    let sql = format!("SELECT CAST(({sql}) AS BIGINT)");
    on_engine(
        a,
        &sql,
        params,
        |c, sql, p| c.query_row(sql, rusqlite::params_from_iter(p), |r| r.get(0)),
        |c, sql, p| pg_rows(c, sql, p)[0].get::<_, i64>(0),
    )
}

/// The first column of every row of `sql`, as text.
pub fn texts(a: &LocalAgency, sql: &str, params: &[&str]) -> Vec<String> {
    on_engine(
        a,
        sql,
        params,
        |c, sql, p| {
            c.prepare(sql)?
                .query_map(rusqlite::params_from_iter(p), |r| r.get(0))?
                .collect()
        },
        |c, sql, p| pg_rows(c, sql, p).iter().map(|r| r.get(0)).collect(),
    )
}

/// Runs one statement; the rows it touched.
pub fn execute(a: &LocalAgency, sql: &str, params: &[&str]) -> u64 {
    on_engine(
        a,
        sql,
        params,
        |c, sql, p| {
            c.execute(sql, rusqlite::params_from_iter(p))
                .map(|n| n as u64)
        },
        |c, sql, p| {
            match p {
                [] => c.execute(sql, &[]),
                [a] => c.execute(sql, &[a]),
                [a, b] => c.execute(sql, &[a, b]),
                [a, b, d] => c.execute(sql, &[a, b, d]),
                _ => panic!("at most three parameters"),
            }
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        },
    )
}
