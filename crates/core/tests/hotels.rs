//! Sandbox hotels through the Agency: totals, filters, sorts, availability, bad input.

mod common;

use booksygo_core::model::{Currency, Money};
use booksygo_core::search::{HotelQuery, HotelSort};
use booksygo_core::{Agency, ErrorKind};
use common::{agency, date};

fn london() -> HotelQuery {
    HotelQuery::new("LON", date("2027-03-14"), date("2027-03-17"))
}

#[tokio::test]
async fn totals_cover_every_night_and_tax() {
    let (_d, a) = agency();
    let r = a.search_hotels(&london()).await.unwrap();
    assert!(r.offers.len() >= 8, "{} hotels", r.offers.len());
    for o in &r.offers {
        assert_eq!(o.nights, 3);
        assert_eq!(o.hotel.city_code, "LON");
        assert_eq!(o.total().currency, Currency::EUR);
        let before_tax = o.total().minor - o.price.tax.minor;
        assert!(o.price.tax.minor > 0);
        // nightly is the average nightly rate before tax (rounded down).
        assert!(
            (before_tax - o.price.nightly.minor * 3).abs() < 3,
            "{} vs {}",
            before_tax,
            o.price.nightly.minor
        );
        assert!(o.available_rooms >= 1);
    }
    // Sorted by price, one (cheapest) room per hotel.
    assert!(
        r.offers
            .windows(2)
            .all(|w| w[0].total().minor <= w[1].total().minor)
    );
    let mut ids: Vec<&str> = r.offers.iter().map(|o| o.hotel.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), r.offers.len());
}

#[tokio::test]
async fn rates_move_with_season_and_weekends() {
    let (_d, a) = agency();
    let one_night = |d: &str| {
        let mut q = HotelQuery::new("BCN", date(d), date(d).tomorrow().unwrap());
        q.all_rooms = true;
        q.limit = Some(500);
        q
    };
    let jan = a.search_hotels(&one_night("2027-01-20")).await.unwrap(); // a Wednesday in winter
    let aug = a.search_hotels(&one_night("2027-08-20")).await.unwrap(); // a Friday in August
    let sum = |r: &booksygo_core::agency::HotelResults| {
        r.offers.iter().map(|o| o.price.nightly.minor).sum::<i64>() / r.offers.len() as i64
    };
    assert!(
        sum(&aug) > sum(&jan) * 12 / 10,
        "august {} vs january {}",
        sum(&aug),
        sum(&jan)
    );
}

#[tokio::test]
async fn filters_and_sorts() {
    let (_d, a) = agency();
    let mut q = london();
    q.min_stars = Some(4);
    q.amenities = vec!["gym".into()];
    q.sort = HotelSort::Rating;
    let r = a.search_hotels(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    assert!(
        r.offers
            .iter()
            .all(|o| o.hotel.stars >= 4 && o.hotel.amenities.iter().any(|x| x == "gym"))
    );
    assert!(
        r.offers
            .windows(2)
            .all(|w| w[0].hotel.rating >= w[1].hotel.rating)
    );

    let mut q = london();
    q.max_nightly = Some(Money::eur(150_00));
    let r = a.search_hotels(&q).await.unwrap();
    assert!(!r.offers.is_empty());
    assert!(r.offers.iter().all(|o| o.price.nightly.minor <= 150_00));

    let mut q = london();
    q.sort = HotelSort::Distance;
    let r = a.search_hotels(&q).await.unwrap();
    assert!(
        r.offers
            .windows(2)
            .all(|w| w[0].hotel.distance_to_centre_km <= w[1].hotel.distance_to_centre_km)
    );

    let mut q = london();
    q.guests = 4;
    q.rooms = 1;
    let r = a.search_hotels(&q).await.unwrap();
    assert!(
        r.offers
            .iter()
            .all(|o| matches!(o.room_type.as_str(), "family_suite" | "villa" | "apartment")),
        "only rooms for 4"
    );

    let mut q = london();
    q.currency = Some(Currency::GBP);
    let r = a.search_hotels(&q).await.unwrap();
    assert!(r.offers.iter().all(|o| o.total().currency == Currency::GBP));
}

#[tokio::test]
async fn airport_codes_and_names_find_the_city() {
    let (_d, a) = agency();
    for place in ["LHR", "London", "lon"] {
        let mut q = london();
        q.location = place.into();
        let r = a.search_hotels(&q).await.unwrap();
        assert!(
            r.offers.iter().all(|o| o.hotel.city_code == "LON"),
            "{place}"
        );
        assert!(!r.offers.is_empty(), "{place}");
    }
}

#[tokio::test]
async fn bad_stays_are_rejected() {
    let (_d, a) = agency();
    let cases = [
        (
            HotelQuery::new("LON", date("2027-03-14"), date("2027-03-14")),
            "must be after check-in",
        ),
        (
            HotelQuery::new("LON", date("2027-03-14"), date("2027-03-10")),
            "must be after check-in",
        ),
        (
            HotelQuery::new("LON", date("2027-03-01"), date("2027-04-05")),
            "30-night",
        ),
        (
            HotelQuery::new("LON", date("2026-01-01"), date("2026-01-03")),
            "in the past",
        ),
        (
            HotelQuery::new("Atlantis", date("2027-03-14"), date("2027-03-16")),
            "unknown place",
        ),
        (
            HotelQuery {
                guests: 9,
                ..london()
            },
            "each room takes 1 to 4",
        ),
        (
            HotelQuery {
                guests: 5,
                ..london()
            },
            "5 guests for 1 room: each room takes 1 to 4 guests (ask for --rooms 2)",
        ),
        (
            HotelQuery {
                rooms: 0,
                ..london()
            },
            "rooms must be",
        ),
        (
            HotelQuery {
                amenities: vec!["jacuzzi".into()],
                ..london()
            },
            "unknown amenity",
        ),
    ];
    for (q, msg) in cases {
        let err = a.search_hotels(&q).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains(msg), "'{err}' lacks '{msg}'");
    }
}
