//! Fan-out over several providers: merge, dedupe (keep the cheapest), partial results on a
//! failing or slow provider, and an error only when every provider fails.

mod common;

use async_trait::async_trait;
use booksygo_core::model::{FlightOffer, Money};
use booksygo_core::providers::{FlightProvider, FlightRequest};
use booksygo_core::search::{FlightQuery, FlightSort};
use booksygo_core::{Agency, Error, ErrorKind, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A second supplier that resells the sandbox's itineraries at a price shift, or misbehaves.
struct Reseller {
    name: &'static str,
    inner: booksygo_core::providers::sandbox::SandboxProvider,
    shift: i64,
    behaviour: Behaviour,
    calls: AtomicUsize,
}

#[derive(Clone, Copy)]
enum Behaviour {
    Answer,
    Fail,
    Hang,
}

#[async_trait]
impl FlightProvider for Reseller {
    fn name(&self) -> &str {
        self.name
    }

    async fn search_flights(&self, req: &FlightRequest) -> Result<Vec<FlightOffer>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match self.behaviour {
            Behaviour::Fail => Err(Error::internal("HTTP 503 from upstream")),
            Behaviour::Hang => {
                std::future::pending::<()>().await;
                unreachable!()
            }
            Behaviour::Answer => {
                let mut offers = self.inner.flights_blocking(req)?;
                for o in &mut offers {
                    o.provider = self.name.to_string();
                    o.id = format!("off_{}_{}", self.name, &o.id[4..]);
                    o.price.base =
                        Money::new(o.price.base.minor + self.shift, o.price.base.currency);
                }
                Ok(offers)
            }
        }
    }
}

fn with_reseller(
    shift: i64,
    behaviour: Behaviour,
    sandbox: bool,
) -> (tempfile::TempDir, booksygo_core::LocalAgency, Arc<Reseller>) {
    // The reseller needs a sandbox over the same store: open once to build it, then reopen.
    let (dir, plain) = common::agency();
    let reseller = Arc::new(Reseller {
        name: "reseller",
        inner: plain.sandbox(),
        shift,
        behaviour,
        calls: AtomicUsize::new(0),
    });
    drop(plain);
    let r = reseller.clone();
    let mut options =
        booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(dir.path()));
    options.clock = booksygo_core::config::Clock::fixed(common::now());
    options.flight_providers.push(r);
    options.deadline = Duration::from_millis(500);
    options.sandbox = sandbox;
    let agency = booksygo_core::LocalAgency::open(options).unwrap();
    (dir, agency, reseller)
}

fn query() -> FlightQuery {
    let mut q = FlightQuery::one_way("LHR", "JFK", common::date("2027-03-14"));
    q.sort = FlightSort::Price;
    q.limit = Some(500);
    q
}

#[tokio::test]
async fn cheaper_reseller_wins_each_duplicate_itinerary() {
    let (_d, a, r) = with_reseller(-1_00, Behaviour::Answer, true);
    let res = a.search_flights(&query()).await.unwrap();
    assert!(!res.offers.is_empty());
    assert!(
        res.offers.iter().all(|o| o.provider == "reseller"),
        "the cheaper copy of each itinerary wins"
    );
    let mut keys: Vec<String> = res.offers.iter().map(|o| o.itinerary_key()).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "no itinerary twice");
    assert_eq!(r.calls.load(Ordering::SeqCst), 1);
    // The second identical search is served from the cache.
    a.search_flights(&query()).await.unwrap();
    assert_eq!(r.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn dearer_reseller_loses_every_duplicate() {
    let (_d, a, _r) = with_reseller(5_00, Behaviour::Answer, true);
    let res = a.search_flights(&query()).await.unwrap();
    assert!(res.offers.iter().all(|o| o.provider == "sandbox"));
}

#[tokio::test]
async fn a_failing_provider_gives_partial_results_and_a_warning() {
    let (_d, a, _r) = with_reseller(0, Behaviour::Fail, true);
    let res = a.search_flights(&query()).await.unwrap();
    assert!(!res.offers.is_empty());
    assert!(
        res.warnings
            .iter()
            .any(|w| w.contains("reseller") && w.contains("503")),
        "{:?}",
        res.warnings
    );
}

#[tokio::test]
async fn a_hanging_provider_is_cut_off_at_the_deadline() {
    let (_d, a, _r) = with_reseller(0, Behaviour::Hang, true);
    let res = a.search_flights(&query()).await.unwrap();
    assert!(!res.offers.is_empty());
    assert!(
        res.warnings.iter().any(|w| w.contains("did not answer")),
        "{:?}",
        res.warnings
    );
}

#[tokio::test]
async fn when_every_provider_fails_the_search_fails() {
    let (_d, a, _r) = with_reseller(0, Behaviour::Fail, false);
    let err = a.search_flights(&query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SuppliersFailed);
    assert!(err.to_string().contains("reseller"));
}

#[tokio::test]
async fn an_offer_from_a_provider_that_only_searches_is_refused_and_nothing_is_booked() {
    let (_d, a, _r) = with_reseller(-1_00, Behaviour::Answer, true);
    let res = a.search_flights(&query()).await.unwrap();
    let offer = res.offers.first().expect("offers");
    assert_eq!(offer.provider, "reseller");
    let err = a
        .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("cannot book it here"), "{err}");
    assert!(a.list_bookings(None).await.unwrap().is_empty());
}
