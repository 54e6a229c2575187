//! The sandbox flight market through the Agency facade: determinism, sane fares, connections,
//! local times and their offsets, filters, sorts and bad input.

mod common;

use booksygo_core::model::{Alliance, Cabin, Currency, Money, Passengers};
use booksygo_core::providers::sandbox::flights::{MAX_LAYOVER, MCT_DOMESTIC};
use booksygo_core::search::{FlightQuery, FlightSort, SliceQuery};
use booksygo_core::{Agency, ErrorKind};
use common::{agency, date};

fn lhr_jfk() -> FlightQuery {
    FlightQuery::one_way("LHR", "JFK", date("2027-03-14"))
}

#[tokio::test]
async fn same_query_same_answer_on_two_fresh_stores() {
    let (_d1, a) = agency();
    let (_d2, b) = agency();
    let x = a.search_flights(&lhr_jfk()).await.unwrap();
    let y = b.search_flights(&lhr_jfk()).await.unwrap();
    assert!(!x.offers.is_empty());
    assert_eq!(x.offers, y.offers);
}

#[tokio::test]
async fn lhr_jfk_has_direct_and_connecting_offers_from_several_airlines_at_sane_fares() {
    let (_d, a) = agency();
    let mut q = lhr_jfk();
    q.sort = FlightSort::Price;
    q.limit = Some(200);
    let r = a.search_flights(&q).await.unwrap();
    let direct = r.offers.iter().filter(|o| o.stops() == 0).count();
    let connecting = r.offers.iter().filter(|o| o.stops() > 0).count();
    assert!(direct >= 3, "direct offers: {direct}");
    assert!(connecting >= 1, "connecting offers: {connecting}");
    let mut airlines: Vec<&str> = r.offers.iter().map(|o| o.owner.as_str()).collect();
    airlines.sort();
    airlines.dedup();
    assert!(airlines.len() >= 4, "{airlines:?}");
    for o in &r.offers {
        let total = o.total();
        assert_eq!(total.currency, Currency::EUR);
        assert!(
            total.minor > 100_00 && total.minor < 3_000_00,
            "{} for {}",
            total,
            o.id
        );
        assert_eq!(total.minor, o.price.base.minor + o.price.tax.minor);
        assert!(o.id.starts_with("off_"));
        assert!(o.expires_at > common::now());
    }
    // Sorted by price.
    assert!(
        r.offers
            .windows(2)
            .all(|w| w[0].total().minor <= w[1].total().minor)
    );
}

#[tokio::test]
async fn premium_cabins_cost_more() {
    let (_d, a) = agency();
    let cheapest = |cabin: Cabin| {
        let mut q = lhr_jfk();
        q.cabin = cabin;
        q.max_stops = Some(0);
        q.sort = FlightSort::Price;
        q
    };
    let eco = a
        .search_flights(&cheapest(Cabin::Economy))
        .await
        .unwrap()
        .offers[0]
        .total()
        .minor;
    let bus = a
        .search_flights(&cheapest(Cabin::Business))
        .await
        .unwrap()
        .offers[0]
        .total()
        .minor;
    assert!(bus > eco * 2, "business {bus} vs economy {eco}");
}

#[tokio::test]
async fn connections_respect_minimum_and_maximum_layovers() {
    let (_d, a) = agency();
    // A thin pair with no non-stop: every answer connects.
    let mut q = FlightQuery::one_way("EDI", "SIN", date("2027-02-10"));
    q.limit = Some(100);
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    for o in &r.offers {
        for s in &o.slices {
            for w in s.segments.windows(2) {
                assert_eq!(w[0].destination, w[1].origin);
                let gap = (w[1].departing_at.timestamp().as_second()
                    - w[0].arriving_at.timestamp().as_second())
                    / 60;
                assert!(
                    (MCT_DOMESTIC..=MAX_LAYOVER).contains(&gap),
                    "layover {gap} min in {}",
                    o.id
                );
            }
            let first = &s.segments[0];
            let last = s.segments.last().unwrap();
            let span = (last.arriving_at.timestamp().as_second()
                - first.departing_at.timestamp().as_second())
                / 60;
            assert_eq!(
                span, s.duration_minutes,
                "slice duration is measured in UTC"
            );
        }
    }
}

#[tokio::test]
async fn local_times_carry_their_zone_offsets_across_dst() {
    let (_d, a) = agency();
    // 14 March 2027: the US is on daylight time from 02:00; London is still on GMT.
    let r = a.search_flights(&lhr_jfk()).await.unwrap();
    let direct = r.offers.iter().find(|o| o.stops() == 0).unwrap();
    let seg = &direct.slices[0].segments[0];
    assert_eq!(seg.departing_at.offset().seconds(), 0);
    assert_eq!(seg.arriving_at.offset().seconds(), -4 * 3600);
    // Europe moves to summer time on 28 March 2027: the next week London is +01:00.
    let r = a
        .search_flights(&FlightQuery::one_way("LHR", "JFK", date("2027-04-04")))
        .await
        .unwrap();
    let seg = &r.offers[0].slices[0].segments[0];
    assert_eq!(seg.departing_at.offset().seconds(), 3600);
    let json = serde_json::to_value(&r.offers[0]).unwrap();
    let dep = json["slices"][0]["segments"][0]["departing_at"]
        .as_str()
        .unwrap();
    assert!(
        dep.starts_with("2027-04-04T") && dep.ends_with("+01:00"),
        "{dep}"
    );
}

#[tokio::test]
async fn crossing_the_date_line_eastbound_lands_the_day_before_or_same_day() {
    let (_d, a) = agency();
    let mut q = FlightQuery::one_way("SYD", "LAX", date("2027-03-14"));
    q.max_stops = Some(0);
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    for o in &r.offers {
        let s = &o.slices[0];
        assert!(
            s.arriving_at.date() <= s.departing_at.date(),
            "{} -> {}",
            s.departing_at,
            s.arriving_at
        );
        assert!(
            s.duration_minutes > 11 * 60 && s.duration_minutes < 16 * 60,
            "{}",
            s.duration_minutes
        );
    }
}

#[tokio::test]
async fn city_codes_expand_to_every_airport() {
    let (_d, a) = agency();
    let mut q = FlightQuery::one_way("LON", "NYC", date("2027-03-14"));
    q.limit = Some(200);
    q.max_stops = Some(0);
    let r = a.search_flights(&q).await.unwrap();
    let mut origins: Vec<&str> = r
        .offers
        .iter()
        .map(|o| o.slices[0].origin.as_str())
        .collect();
    origins.sort();
    origins.dedup();
    let mut dests: Vec<&str> = r
        .offers
        .iter()
        .map(|o| o.slices[0].destination.as_str())
        .collect();
    dests.sort();
    dests.dedup();
    assert!(origins.len() >= 2, "{origins:?}");
    assert!(dests.len() >= 2, "{dests:?}");
}

#[tokio::test]
async fn filters_and_sorts() {
    let (_d, a) = agency();
    let mut q = lhr_jfk();
    q.limit = Some(500);
    q.filters.airlines = vec!["BA".into()];
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    assert!(
        r.offers
            .iter()
            .all(|o| o.segments().all(|s| s.marketing_carrier == "BA"))
    );

    let mut q = lhr_jfk();
    q.limit = Some(500);
    q.filters.exclude_airlines = vec!["BA".into(), "AA".into()];
    let r = a.search_flights(&q).await.unwrap();
    assert!(r.offers.iter().all(|o| {
        o.segments()
            .all(|s| s.marketing_carrier != "BA" && s.marketing_carrier != "AA")
    }));

    let mut q = lhr_jfk();
    q.max_stops = Some(0);
    q.filters.depart_after = Some("12:00".parse().unwrap());
    q.sort = FlightSort::Departure;
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    assert!(
        r.offers
            .iter()
            .all(|o| o.stops() == 0 && o.slices[0].departing_at.hour() >= 12)
    );
    assert!(r.offers.windows(2).all(
        |w| w[0].slices[0].departing_at.timestamp() <= w[1].slices[0].departing_at.timestamp()
    ));

    let mut q = lhr_jfk();
    q.filters.max_price = Some(Money::eur(300_00));
    let r = a.search_flights(&q).await.unwrap();
    assert!(r.offers.iter().all(|o| o.total().minor <= 300_00));

    let mut q = lhr_jfk();
    q.sort = FlightSort::Duration;
    let r = a.search_flights(&q).await.unwrap();
    assert!(
        r.offers
            .windows(2)
            .all(|w| w[0].duration_minutes() <= w[1].duration_minutes())
    );

    let mut q = lhr_jfk();
    q.filters.max_duration_hours = Some(8);
    let r = a.search_flights(&q).await.unwrap();
    assert!(
        r.offers
            .iter()
            .all(|o| o.slices[0].duration_minutes <= 8 * 60)
    );
}

#[tokio::test]
async fn alliance_filter_keeps_only_members() {
    let (_d, a) = agency();
    let mut q = lhr_jfk();
    q.limit = Some(500);
    q.filters.alliance = Some(Alliance::Oneworld);
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    let net = a.network();
    for o in &r.offers {
        for s in o.segments() {
            assert_eq!(
                net.places.airline(&s.marketing_carrier).unwrap().alliance,
                Some(Alliance::Oneworld)
            );
        }
    }
}

#[tokio::test]
async fn round_trip_and_multi_city() {
    let (_d, a) = agency();
    let mut q = lhr_jfk();
    q.slices.push(SliceQuery {
        origin: "JFK".into(),
        destination: "LHR".into(),
        departure_date: date("2027-03-21"),
    });
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    for o in &r.offers {
        assert_eq!(o.slices.len(), 2);
        assert_eq!(o.slices[1].origin, "JFK");
        assert!(o.slices[1].departing_at.timestamp() > o.slices[0].arriving_at.timestamp());
    }
    let q = FlightQuery {
        slices: vec![
            SliceQuery {
                origin: "LHR".into(),
                destination: "CDG".into(),
                departure_date: date("2027-05-03"),
            },
            SliceQuery {
                origin: "CDG".into(),
                destination: "FCO".into(),
                departure_date: date("2027-05-06"),
            },
            SliceQuery {
                origin: "FCO".into(),
                destination: "LHR".into(),
                departure_date: date("2027-05-09"),
            },
        ],
        ..lhr_jfk()
    };
    let r = a.search_flights(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    assert!(r.offers.iter().all(|o| o.slices.len() == 3));
}

#[tokio::test]
async fn passenger_mix_prices_every_traveller() {
    let (_d, a) = agency();
    let mut one = lhr_jfk();
    one.max_stops = Some(0);
    one.sort = FlightSort::Price;
    let mut family = one.clone();
    family.passengers = Passengers {
        adults: 2,
        children: 1,
        infants: 1,
    };
    let solo = a.search_flights(&one).await.unwrap().offers[0].clone();
    let fam = a.search_flights(&family).await.unwrap().offers[0].clone();
    assert_eq!(fam.passengers.len(), 4);
    assert!(fam.total().minor > solo.total().minor * 2);
    assert!(fam.total().minor < solo.total().minor * 4);
}

#[tokio::test]
async fn currency_conversion_uses_the_fx_fixtures() {
    let (_d, a) = agency();
    let mut q = lhr_jfk();
    q.sort = FlightSort::Price;
    let eur = a.search_flights(&q).await.unwrap().offers[0].clone();
    q.currency = Some(Currency::USD);
    let usd = a.search_flights(&q).await.unwrap().offers[0].clone();
    assert_eq!(usd.total().currency, Currency::USD);
    let expected = a.fx().convert(eur.price.base, Currency::USD).unwrap().minor
        + a.fx().convert(eur.price.tax, Currency::USD).unwrap().minor;
    assert_eq!(usd.total().minor, expected);
    assert_ne!(usd.id, eur.id);
}

#[tokio::test]
async fn bad_input_is_rejected_with_a_clear_message() {
    let (_d, a) = agency();
    let cases: Vec<(FlightQuery, &str)> = vec![
        (
            FlightQuery::one_way("XQZ", "JFK", date("2027-03-14")),
            "unknown place",
        ),
        (
            FlightQuery::one_way("Lodnon", "JFK", date("2027-03-14")),
            "unknown place",
        ),
        (
            FlightQuery::one_way("LHR", "LHR", date("2027-03-14")),
            "same place",
        ),
        (
            FlightQuery::one_way("LON", "LHR", date("2027-03-14")),
            "same place",
        ),
        (
            FlightQuery::one_way("LHR", "JFK", date("2026-11-01")),
            "in the past",
        ),
        (
            FlightQuery::one_way("LHR", "JFK", date("2028-06-01")),
            "too far ahead",
        ),
        (
            FlightQuery {
                passengers: Passengers {
                    adults: 0,
                    children: 0,
                    infants: 0,
                },
                ..lhr_jfk()
            },
            "at least one passenger",
        ),
        (
            FlightQuery {
                passengers: Passengers {
                    adults: 8,
                    children: 2,
                    infants: 0,
                },
                ..lhr_jfk()
            },
            "more than the 9",
        ),
        (
            FlightQuery {
                passengers: Passengers {
                    adults: 1,
                    children: 0,
                    infants: 2,
                },
                ..lhr_jfk()
            },
            "infants",
        ),
        (
            FlightQuery {
                currency: Some(Currency::parse("XYZ").unwrap()),
                ..lhr_jfk()
            },
            "unknown currency",
        ),
        (
            FlightQuery {
                max_stops: Some(3),
                ..lhr_jfk()
            },
            "at most 2 stops",
        ),
    ];
    for (q, expected) in cases {
        let err = a.search_flights(&q).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(
            err.to_string().contains(expected),
            "'{err}' should mention '{expected}'"
        );
    }
    let mut rt = lhr_jfk();
    rt.slices.push(SliceQuery {
        origin: "JFK".into(),
        destination: "LHR".into(),
        departure_date: date("2027-03-10"),
    });
    let err = a.search_flights(&rt).await.unwrap_err();
    assert!(
        err.to_string().contains("return date 2027-03-10 is before"),
        "{err}"
    );
    let mut q = lhr_jfk();
    q.filters.airlines = vec!["ZZ".into()];
    let err = a.search_flights(&q).await.unwrap_err();
    assert!(err.to_string().contains("unknown airline"), "{err}");
    let err = a
        .search_flights(&FlightQuery::one_way("Lodnon", "JFK", date("2027-03-14")))
        .await
        .unwrap_err();
    assert!(
        err.suggestions().iter().any(|s| s.contains("London")),
        "{:?}",
        err.suggestions()
    );
}

#[tokio::test]
async fn sold_seats_are_inventory() {
    let (dir, a) = agency();
    let mut q = lhr_jfk();
    q.max_stops = Some(0);
    q.filters.airlines = vec!["BA".into()];
    let before = a.search_flights(&q).await.unwrap().offers[0].clone();
    let seg = &before.slices[0].segments[0];
    // Sell every seat that was left on that flight.
    a.store()
        .conn()
        .unwrap()
        .execute(
            "INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold) VALUES (?1, 'economy', ?2, ?3, ?3)",
            rusqlite::params![seg.flight_key(), seg.departing_at.date().to_string(), before.available_seats],
        )
        .unwrap();
    // A new agency over the same file (no cache) no longer offers that flight.
    let mut options =
        booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(dir.path()));
    options.clock = booksygo_core::config::Clock::fixed(common::now());
    let again = booksygo_core::LocalAgency::open(options).unwrap();
    let after = again.search_flights(&q).await.unwrap();
    assert!(!after.offers.is_empty());
    assert!(
        after
            .offers
            .iter()
            .all(|o| o.slices[0].segments[0].flight_key() != seg.flight_key())
    );
}

/// A booking re-prices one remembered offer without searching its route again: the answer
/// must be exactly what a search would give now (same flights, price, seats and id).
#[test]
fn repricing_one_offer_matches_the_search_that_made_it() {
    use booksygo_core::providers::{FlightRequest, SliceRequest};
    let (_d, a) = agency();
    let slice = |o: &str, d: &str, day: &str| SliceRequest {
        origin: vec![o.into()],
        destination: vec![d.into()],
        date: date(day),
    };
    let requests = [
        FlightRequest {
            slices: vec![slice("LHR", "JFK", "2027-03-14")],
            passengers: Passengers {
                adults: 2,
                children: 1,
                infants: 0,
            },
            cabin: Cabin::Economy,
            max_stops: 1,
            now: a.now(),
        },
        FlightRequest {
            slices: vec![
                slice("EDI", "BCN", "2027-05-02"),
                slice("BCN", "EDI", "2027-05-09"),
            ],
            passengers: Passengers {
                adults: 1,
                children: 0,
                infants: 0,
            },
            cabin: Cabin::Business,
            max_stops: 1,
            now: a.now(),
        },
    ];
    let sandbox = a.sandbox();
    for req in &requests {
        let offers = sandbox.flights_blocking(req).unwrap();
        assert!(offers.len() >= 3, "{} offers", offers.len());
        assert!(offers.iter().any(|o| o.stops() > 0) || req.slices.len() > 1);
        for offer in &offers {
            let mut one = req.clone();
            one.max_stops = offer.stops() as u8;
            let again = sandbox.reprice_blocking(&one, offer).unwrap();
            assert_eq!(again.as_ref(), Some(offer), "{}", offer.itinerary_key());
        }
    }
}

common::on_engines!(
    #[tokio::test]
    a_market_opens_from_the_kept_route_table_as_from_the_rows
);

/// The first open makes the compact route table from the rows and keeps it; the next opens
/// from it, with the same network and answers; a route added by hand drops it, and the next
/// open flies that route.
async fn a_market_opens_from_the_kept_route_table_as_from_the_rows(engine: &str) {
    let (kept, first) = common::agency_on(engine, |_| {});
    let table = "SELECT count(*) FROM route_table";
    assert_eq!(common::number(&first, table, &[]), 1, "{engine}: kept");
    let second = common::agency_on_at(&kept, common::now());
    assert_eq!(
        first.network().route_count(),
        second.network().route_count()
    );
    assert!(second.network().route_count() > 20_000);
    let answer = |a: &booksygo_core::LocalAgency| {
        let a = a.clone();
        async move { a.search_flights(&lhr_jfk()).await.unwrap().offers }
    };
    let (x, y) = (answer(&first).await, answer(&second).await);
    assert!(!x.is_empty());
    assert_eq!(x, y, "{engine}");

    // Bristol has no non-stop to Sydney until one is added by hand.
    let mut nonstop = FlightQuery::one_way("BRS", "SYD", date("2027-03-17"));
    nonstop.max_stops = Some(0);
    assert!(
        second
            .search_flights(&nonstop)
            .await
            .unwrap()
            .offers
            .is_empty()
    );
    common::execute(
        &second,
        "INSERT INTO routes(airline, origin, destination, source) VALUES ('BA', 'BRS', 'SYD', 'test')",
        &[],
    );
    assert_eq!(common::number(&second, table, &[]), 0, "{engine}: dropped");
    let third = common::agency_on_at(&kept, common::now());
    assert_eq!(
        third.network().route_count(),
        second.network().route_count() + 1
    );
    let found = third.search_flights(&nonstop).await.unwrap().offers;
    assert!(
        found
            .iter()
            .any(|o| o.slices[0].segments.len() == 1 && o.owner == "BA"),
        "{engine}: {found:?}"
    );
    assert_eq!(
        common::number(&third, table, &[]),
        1,
        "{engine}: kept again"
    );
}
