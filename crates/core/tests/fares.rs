//! Observed fares, "book now or wait", and price watches over a real SQLite file.

mod common;

use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_core::local::watch;
use booksygo_core::model::{Cabin, Currency, Money};
use booksygo_core::search::history;
use booksygo_core::search::{FlightQuery, FlightSort};
use booksygo_core::{Agency, ErrorKind, LocalAgency};

async fn cheapest(a: &LocalAgency, o: &str, d: &str, date: &str, adults: u8) -> Money {
    let mut q = FlightQuery::one_way(o, d, common::date(date));
    q.passengers.adults = adults;
    q.sort = FlightSort::Price;
    q.currency = Some(Currency::EUR);
    a.search_flights(&q).await.unwrap().offers[0].total()
}

fn at(dir: &std::path::Path, now: &str) -> LocalAgency {
    let mut o = LocalOptions::new(Paths::in_dir(dir));
    o.clock = Clock::fixed(now.parse().unwrap());
    LocalAgency::open(o).unwrap()
}

#[tokio::test]
async fn every_one_way_search_records_its_cheapest_fare_per_traveller() {
    let dir = tempfile::tempdir().unwrap();
    let early = at(dir.path(), "2026-11-25T12:00:00Z");
    let total = cheapest(&early, "LHR", "JFK", "2026-12-20", 2).await;
    let later = at(dir.path(), "2026-12-05T12:00:00Z");
    let total_later = cheapest(&later, "LHR", "JFK", "2026-12-20", 1).await;
    let h = history::history(
        &later.store().conn().unwrap(),
        "LHR",
        "JFK",
        common::date("2026-12-20"),
        Cabin::Economy,
    )
    .unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].days_ahead, 25);
    assert_eq!(h[0].cheapest, Money::eur(total.minor / 2), "per traveller");
    assert_eq!(h[1].days_ahead, 15);
    assert_eq!(h[1].cheapest, total_later);
}

#[tokio::test]
async fn predicts_from_fares_closer_to_departure_and_says_why() {
    let (_dir, a) = common::agency();
    let p = a
        .predict("London", "NYC", common::date("2027-01-20"), Cabin::Economy)
        .await
        .unwrap();
    assert_eq!((p.origin.as_str(), p.destination.as_str()), ("LON", "NYC"));
    assert_eq!(p.days_ahead, 56);
    // The figures are the market's: the same searches give them.
    let now = cheapest(&a, "LON", "NYC", "2027-01-20", 1).await;
    let week = cheapest(&a, "LON", "NYC", "2027-01-13", 1).await;
    assert_eq!(p.current, now);
    assert_eq!(p.in_a_week, Some(week));
    assert_eq!(p.expected_change, Some(Money::eur(week.minor - now.minor)));
    let expected_trend = if week.minor > now.minor + now.minor / 50 {
        "rising"
    } else if week.minor < now.minor - now.minor / 50 {
        "falling"
    } else {
        "flat"
    };
    assert_eq!(p.trend, expected_trend);
    assert_eq!(
        p.advice,
        if p.trend == "falling" {
            "wait"
        } else {
            "book_now"
        }
    );
    assert!(["low", "medium", "high"].contains(&p.confidence.as_str()));
    assert!(p.basis.contains("a week closer"), "{}", p.basis);
    // The search predict made was recorded, and is the history so far.
    assert_eq!(p.history.len(), 1);
    assert_eq!(p.history[0].cheapest, now);

    // Within a week of departure there is nothing later to compare: book now, low confidence.
    let soon = a
        .predict("LHR", "JFK", common::date("2026-11-28"), Cabin::Economy)
        .await
        .unwrap();
    assert_eq!(soon.in_a_week, None);
    assert_eq!(
        (soon.advice.as_str(), soon.confidence.as_str()),
        ("book_now", "low")
    );

    let e = a
        .predict(
            "Atlantis",
            "JFK",
            common::date("2026-12-20"),
            Cabin::Economy,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_watch_fires_once_below_its_price_and_writes_the_event() {
    let (_dir, a) = common::agency();
    let price = cheapest(&a, "LHR", "JFK", "2026-12-14", 1).await;
    let wanted = |o: &str, d: &str, date: &str, below: i64| watch::NewWatch {
        origin: o.into(),
        destination: d.into(),
        date: common::date(date),
        below: Money::eur(below),
        adults: 1,
        cabin: Cabin::Economy,
    };
    let hit = watch::add(&a, &wanted("LHR", "JFK", "2026-12-14", price.minor + 1)).unwrap();
    // Exactly at the price is not below it.
    let miss = watch::add(&a, &wanted("LHR", "JFK", "2026-12-14", price.minor)).unwrap();
    // The same watch again is the one already there (a double submit alerts once).
    let again = watch::add(&a, &wanted("lhr", "JFK", "2026-12-14", price.minor)).unwrap();
    assert_eq!(again.id, miss.id);
    let fired = watch::check(&a).await.unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].watch_id, hit.id);
    assert_eq!(fired[0].price, price);
    let events = booksygo_core::events::since(&a.store().conn().unwrap(), 0, 10_000).unwrap();
    let alerts: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "price_alert.triggered")
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].subject_id, hit.id);
    assert_eq!(alerts[0].payload["offer_id"], fired[0].offer_id);
    // The same price again does not alert twice.
    assert!(watch::check(&a).await.unwrap().is_empty());
    let listed = watch::list(&a).unwrap();
    assert_eq!(listed.len(), 2);
    let w = listed.iter().find(|w| w.id == miss.id).unwrap();
    assert_eq!(w.last_price, Some(price));
    assert_eq!(w.fired_price, None);

    // Bad input is refused before anything is stored.
    for (w, kind) in [
        (
            wanted("LHR", "JFK", "2026-11-01", 40000),
            ErrorKind::InvalidInput,
        ),
        (
            wanted("Atlantis", "JFK", "2026-12-14", 40000),
            ErrorKind::InvalidInput,
        ),
        (
            wanted("LHR", "LHR", "2026-12-14", 40000),
            ErrorKind::InvalidInput,
        ),
        (
            wanted("LHR", "JFK", "2026-12-14", 0),
            ErrorKind::InvalidInput,
        ),
        // Past what airlines sell yet: every check would fail on it.
        (
            wanted("LHR", "JFK", "2030-01-01", 40000),
            ErrorKind::InvalidInput,
        ),
    ] {
        assert_eq!(watch::add(&a, &w).unwrap_err().kind(), kind);
    }
    assert_eq!(watch::list(&a).unwrap().len(), 2);
    watch::remove(&a, &miss.id).unwrap();
    assert_eq!(
        watch::remove(&a, &miss.id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn a_watch_that_cannot_be_searched_neither_hides_an_alert_nor_goes_untold() {
    let (_dir, a) = common::agency();
    let price = cheapest(&a, "LHR", "JFK", "2026-12-14", 1).await;
    let watch = |date: &str, below: i64| watch::NewWatch {
        origin: "LHR".into(),
        destination: "JFK".into(),
        date: common::date(date),
        below: Money::eur(below),
        adults: 1,
        cabin: Cabin::Economy,
    };
    // A watch an older booksygo let through, past what airlines sell: straight into the store.
    let far = watch("2030-01-01", 40000);
    let now = a.now().as_second();
    a.store()
        .read(|u| u.watches().add("wch_far", a.user(), &far, now))
        .unwrap();
    let hit = watch::add(&a, &watch("2026-12-14", price.minor + 1)).unwrap();

    // The alert that fired is the answer; the broken watch did not stop it.
    let fired = watch::check(&a).await.unwrap();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].watch_id, hit.id);
    // Nothing new fires: the broken watch is told, with the way out.
    let e = watch::check(&a).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let told = e.to_string();
    assert!(
        told.starts_with("price watch wch_far (LHR-JFK on 2030-01-01) cannot be checked: "),
        "{told}"
    );
    assert!(told.contains("too far ahead"), "{told}");
    assert!(
        told.ends_with("remove it with `booksygo watch remove wch_far`"),
        "{told}"
    );
    watch::remove(&a, "wch_far").unwrap();
    assert!(watch::check(&a).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_checkers_at_once_fire_one_alert_per_drop() {
    let dir = tempfile::tempdir().unwrap();
    let a = at(dir.path(), "2026-11-25T12:00:00Z");
    let b = at(dir.path(), "2026-11-25T12:00:00Z");
    let price = cheapest(&a, "LHR", "JFK", "2026-12-14", 1).await;
    let mut watches = Vec::new();
    // Six watches of the trip, each with its own limit (the same one twice is one watch).
    for i in 0..6 {
        let w = watch::add(
            &a,
            &watch::NewWatch {
                origin: "LHR".into(),
                destination: "JFK".into(),
                date: common::date("2026-12-14"),
                below: Money::new(price.minor + 1 + i, Currency::EUR),
                adults: 1,
                cabin: Cabin::Economy,
            },
        )
        .unwrap();
        watches.push(w.id);
    }
    // The same user's watches, checked by two processes at the same moment.
    let (fa, fb) = tokio::join!(watch::check(&a), watch::check(&b));
    let (fa, fb) = (fa.unwrap(), fb.unwrap());
    assert_eq!(fa.len() + fb.len(), watches.len(), "{fa:?} {fb:?}");
    let events = booksygo_core::events::since(&a.store().conn().unwrap(), 0, 10_000).unwrap();
    let mut alerted: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "price_alert.triggered")
        .map(|e| e.subject_id.as_str())
        .collect();
    alerted.sort_unstable();
    let mut expected: Vec<&str> = watches.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(alerted, expected, "one alert per watch");
}
