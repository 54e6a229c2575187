//! Booking throughput and package search at scale. A plain timed harness (no criterion):
//! it prints throughput and p50/p99 figures for BENCHMARKS.md.
//!
//! Run: `cargo bench -p booksygo-core --bench booking`

use booksygo_core::LocalOptions;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::model::{Money, PassengerType};
use booksygo_core::search::packages::{self, PackageQuery, PackageSort};
use booksygo_core::{Agency, LocalAgency};
use std::time::Instant;

fn open(dir: &std::path::Path) -> LocalAgency {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed("2026-11-25T12:00:00Z".parse().unwrap());
    LocalAgency::open(o).unwrap()
}

fn pax() -> Vec<PassengerInput> {
    vec![PassengerInput {
        given_name: "Bench".into(),
        family_name: "Mark".into(),
        born_on: "1985-05-05".parse().unwrap(),
        kind: Some(PassengerType::Adult),
        document: None,
        gender: None,
    }]
}

fn pct(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[v.len() * 99 / 100])
}

async fn bookings(a: &LocalAgency) {
    // Package departures: no supplier round trip, so this measures the transactional core.
    let list = a
        .search_packages(&PackageQuery {
            limit: Some(200),
            ..Default::default()
        })
        .await
        .unwrap()
        .packages;
    let mut targets = Vec::new();
    for p in &list {
        for d in a.get_package(&p.id).await.unwrap().departures {
            for _ in 0..d.slots_left {
                targets.push((p.id.clone(), d.date));
            }
        }
    }
    let n = targets.len().min(
        std::env::var("BENCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000),
    );
    let start = Instant::now();
    let mut ok = 0;
    for (id, date) in targets.iter().take(n) {
        let req = BookingRequest {
            items: vec![ItemRequest::Package {
                package_id: id.clone(),
                date: *date,
            }],
            passengers: pax(),
            contact_email: "bench@example.com".into(),
            contact_phone: None,
            payment: PaymentInput {
                card: Some(Card::new("4242424242424242", "12/30")),
                points: 0,
            },
            idempotency_key: None,
        };
        if a.create_booking(req).await.is_ok() {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let oversold: i64 = a
        .store()
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM package_departures WHERE sold > slots",
            [],
            |r| r.get(0),
        )
        .unwrap();
    println!(
        "package bookings (create + pay + confirm + points): {ok}/{n} in {secs:.2} s = {:.0} bookings/s, oversold departures: {oversold}",
        ok as f64 / secs
    );

    // Flight bookings re-price against the market first.
    let mut q =
        booksygo_core::search::FlightQuery::one_way("LHR", "JFK", "2027-03-14".parse().unwrap());
    q.limit = Some(200);
    let offers = a.search_flights(&q).await.unwrap().offers;
    let start = Instant::now();
    let mut ok = 0;
    let rounds = 300;
    for i in 0..rounds {
        let o = &offers[i % offers.len()];
        let req = BookingRequest {
            items: vec![ItemRequest::Offer {
                offer_id: o.id.clone(),
            }],
            passengers: pax(),
            contact_email: "bench@example.com".into(),
            contact_phone: None,
            payment: PaymentInput {
                card: Some(Card::new("4242424242424242", "12/30")),
                points: 0,
            },
            idempotency_key: None,
        };
        if a.create_booking(req).await.is_ok() {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "flight bookings (re-price + create + pay + confirm): {ok}/{rounds} in {secs:.2} s = {:.0} bookings/s",
        ok as f64 / secs
    );
}

async fn package_search(dir: &std::path::Path, a: &LocalAgency) {
    // 100,000 packages: the fixture catalogue cloned with new ids, titles and prices.
    let specs = booksygo_core::fixtures::packages().unwrap();
    let net = a.network();
    let start = Instant::now();
    {
        let mut conn = a.store().conn().unwrap();
        let tx = conn.transaction().unwrap();
        for i in 0..100_000usize {
            let mut s = specs[i % specs.len()].clone();
            s.id = format!("{}_{i}", s.id);
            s.slug = format!("{}-{i}", s.slug);
            s.title = format!("{} #{i}", s.title);
            s.base_price += (i as i64 % 97) * 1000;
            packages::upsert(&tx, &net.places, &s, None, "bench", 0).unwrap();
        }
        tx.commit().unwrap();
    }
    println!(
        "generated 100,000 packages in {:.1} s ({})",
        start.elapsed().as_secs_f64(),
        dir.display()
    );
    let queries: Vec<(&str, PackageQuery)> = vec![
        ("empty query (featured, rating)", PackageQuery::default()),
        (
            "rare word 'silfra'",
            PackageQuery {
                text: Some("silfra".into()),
                ..Default::default()
            },
        ),
        (
            "word 'glacier' + type",
            PackageQuery {
                text: Some("glacier".into()),
                kind: Some("adventure".into()),
                ..Default::default()
            },
        ),
        (
            "common word 'tour' (bm25)",
            PackageQuery {
                text: Some("tour".into()),
                ..Default::default()
            },
        ),
        (
            "common word 'tour' by price",
            PackageQuery {
                text: Some("tour".into()),
                sort: PackageSort::Price,
                ..Default::default()
            },
        ),
        (
            "filters only: budget <= 800",
            PackageQuery {
                kind: Some("budget".into()),
                max_price: Some(Money::eur(800_00)),
                ..Default::default()
            },
        ),
        (
            "destination Japan",
            PackageQuery {
                destination: Some("JP".into()),
                ..Default::default()
            },
        ),
        (
            "'tour' + month + max 3000",
            PackageQuery {
                text: Some("tour".into()),
                month: Some("2027-03-01".parse().unwrap()),
                max_price: Some(Money::eur(3000_00)),
                ..Default::default()
            },
        ),
        (
            "'tour' page 50 (offset 980)",
            PackageQuery {
                text: Some("tour".into()),
                offset: Some(980),
                ..Default::default()
            },
        ),
        (
            "everything, by rating",
            PackageQuery {
                sort: PackageSort::Rating,
                ..Default::default()
            },
        ),
    ];
    // The first search builds the index in memory (later ones only read its tokens).
    let t = Instant::now();
    a.search_packages(&PackageQuery::default()).await.unwrap();
    println!(
        "index built by the first search in {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let sql_runs: usize = std::env::var("BENCH_SQL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    println!(
        "{:<34} {:>7} | {:>9} {:>9} {:>9} | {:>9} {:>9} | {:>6}",
        "package search (facets included)",
        "matches",
        "p50",
        "p99",
        "first",
        "SQL p50",
        "SQL p99",
        "ratio"
    );
    for (name, q) in &queries {
        // The face's path: the facade, off the executor, the index answering.
        let mut times = Vec::new();
        let mut found = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = a.search_packages(q).await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1e3);
            found = Some(r);
        }
        // The straightforward path, in SQL, in the same run; and the answers must agree.
        let mut sql_times = Vec::new();
        for _ in 0..sql_runs {
            let t = Instant::now();
            let r = a
                .store()
                .read(|u| packages::search(u, &net.places, q))
                .unwrap();
            sql_times.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(
                Some(&r),
                found.as_ref(),
                "{name}: the index and SQL disagree"
            );
        }
        let total = found.map_or(0, |r| r.total);
        // The first run of a common word by relevance also keeps its order for the rest.
        let first = times[0];
        let (p50, p99) = pct(times);
        let (s50, s99) = pct(sql_times);
        println!(
            "{name:<34} {total:>7} | {p50:>6.3} ms {p99:>6.3} ms {first:>6.3} ms | {s50:>6.2} ms {s99:>6.2} ms | {:>5.0}x",
            s50 / p50
        );
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let d1 = tempfile::tempdir().unwrap();
        if std::env::var_os("BENCH_ONLY_PACKAGES").is_none() {
            bookings(&open(d1.path())).await;
        }
        if std::env::var_os("BENCH_ONLY_BOOKINGS").is_none() {
            let d2 = tempfile::tempdir().unwrap();
            package_search(d2.path(), &open(d2.path())).await;
        }
    });
}
