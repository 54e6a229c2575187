//! Flight search over the imported OpenFlights network (read from ../shared/data; skipped
//! with a message when absent), and over the embedded sandbox network. Prints p50/p99 per
//! query from its own timed loop, then hands the same queries to criterion.
//!
//! Run: `cargo bench -p booksygo-core --bench search`

use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_core::search::FlightQuery;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

const NOW: &str = "2026-11-25T12:00:00Z";

fn open(dir: &std::path::Path) -> LocalAgency {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(NOW.parse().unwrap());
    LocalAgency::open(o).unwrap()
}

fn openflights() -> Option<PathBuf> {
    let dir = std::env::var_os("BOOKSYGO_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("openflights");
    dir.join("routes.dat").exists().then_some(dir)
}

/// (label, from, to): typical city pairs and hub-to-hub pairs.
const PAIRS: &[(&str, &str, &str)] = &[
    ("hub-hub LHR-JFK", "LHR", "JFK"),
    ("hub-hub FRA-SIN", "FRA", "SIN"),
    ("hub-hub DXB-SYD", "DXB", "SYD"),
    ("hub-hub ORD-LAX", "ORD", "LAX"),
    ("typical EDI-BCN", "EDI", "BCN"),
    ("typical BOS-LIS", "BOS", "LIS"),
    ("typical CPT-NBO", "CPT", "NBO"),
    ("typical GVA-ATH", "GVA", "ATH"),
    ("thin PUQ-CUZ", "PUQ", "CUZ"),
    ("thin KTM-DPS", "KTM", "DPS"),
];

fn percentiles(label: &str, agency: &LocalAgency, reps: usize) {
    let sandbox = agency.sandbox();
    let net = agency.network();
    let mut all = Vec::new();
    for (name, from, to) in PAIRS {
        let q = FlightQuery::one_way(from, to, "2027-03-15".parse().unwrap());
        let req = q.resolve(&net.places, agency.fx(), agency.now()).unwrap();
        let mut times = Vec::with_capacity(reps);
        let mut offers = 0;
        for _ in 0..reps {
            let t = Instant::now();
            offers = black_box(sandbox.flights_blocking(&req).unwrap()).len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{label:>11} {name:<18} offers {offers:>4}  p50 {:>7.3} ms  p99 {:>7.3} ms",
            times[reps / 2],
            times[reps * 99 / 100]
        );
        all.extend(times);
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{label:>11} ALL {} queries: p50 {:.3} ms  p99 {:.3} ms",
        all.len(),
        all[all.len() / 2],
        all[all.len() * 99 / 100]
    );
}

fn bench(c: &mut Criterion) {
    let fixtures_dir = tempfile::tempdir().unwrap();
    let sandbox = open(fixtures_dir.path());
    percentiles("fixtures", &sandbox, 200);

    let world_dir = tempfile::tempdir().unwrap();
    let world = match openflights() {
        Some(dir) => {
            let agency = open(world_dir.path());
            let t = Instant::now();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let report = rt.block_on(agency.import_openflights(dir)).unwrap();
            println!(
                "openflights import: {} airports, {} routes in {:.0} ms",
                report.airports_imported,
                report.routes_imported,
                t.elapsed().as_secs_f64() * 1e3
            );
            percentiles("openflights", &agency, 200);
            Some(agency)
        }
        None => {
            println!("skipped the OpenFlights network: ../shared/data/openflights is not present");
            None
        }
    };

    let mut group = c.benchmark_group("flight_search");
    for (label, agency) in [
        ("fixtures", Some(&sandbox)),
        ("openflights", world.as_ref()),
    ] {
        let Some(agency) = agency else { continue };
        let provider = agency.sandbox();
        let net = agency.network();
        for (name, from, to) in PAIRS.iter().take(5) {
            let q = FlightQuery::one_way(from, to, "2027-03-15".parse().unwrap());
            let req = q.resolve(&net.places, agency.fx(), agency.now()).unwrap();
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| black_box(provider.flights_blocking(&req).unwrap()))
            });
        }
    }
    group.finish();

    c.bench_function("first_run_fixture_load", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| black_box(open(dir.path())),
            criterion::BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
