//! Duffel Stays against a Duffel on loopback (fixtures/suppliers/duffel/stays_*.json): search
//! around the city's coordinates, the best rate quoted at booking, the booking recorded with
//! Duffel's reference, and its cancellation.

mod common;
mod fake;

use booksygo_core::LocalOptions;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{
    BookingRequest, BookingStatus, ItemRequest, PassengerInput, PaymentInput,
};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::local::Suppliers;
use booksygo_core::model::PassengerType;
use booksygo_core::search::HotelQuery;
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{date, now};
use fake::{Fake, Reply, fixture};

const SAVOY: &str = "srr_0000AWr2VsUNIF1Vl91xg0";

async fn setup() -> (tempfile::TempDir, Fake, LocalAgency) {
    let f = Fake::start().await;
    f.on(
        "POST",
        "/stays/search",
        vec![Reply::ok(fixture("duffel/stays_search.json"))],
    );
    f.on(
        "POST",
        &format!("/stays/search_results/{SAVOY}/actions/fetch_all_rates"),
        vec![Reply::ok(fixture("duffel/stays_rates.json"))],
    );
    f.on(
        "POST",
        "/stays/quotes",
        vec![Reply::ok(fixture("duffel/stays_quote.json"))],
    );
    f.on(
        "POST",
        "/stays/bookings",
        vec![Reply::DuffelOrder(fixture("duffel/stays_booking.json"))],
    );
    f.on(
        "POST",
        "/stays/bookings/bok_0000AWr2VsUNIF1Vl91xg7/actions/cancel",
        vec![Reply::ok(fixture("duffel/stays_booking_cancelled.json"))],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut o = LocalOptions::new(Paths::in_dir(dir.path()));
    o.clock = Clock::fixed(now());
    o.sandbox = false;
    let kv = [
        ("duffel.token", "duffel_test_stays".to_string()),
        ("duffel.base_url", f.base.clone()),
        ("duffel.stays", "true".to_string()),
    ];
    let get = |k: &str| kv.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    Suppliers::from_lookup(&get).unwrap().apply(&mut o);
    let a = LocalAgency::open(o).unwrap();
    (dir, f, a)
}

fn request(offer: &str, phone: Option<&str>) -> BookingRequest {
    BookingRequest {
        items: vec![ItemRequest::Offer {
            offer_id: offer.into(),
        }],
        passengers: vec![PassengerInput {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            born_on: date("1990-12-10"),
            kind: Some(PassengerType::Adult),
            document: None,
            gender: None,
        }],
        contact_email: "ada@example.com".into(),
        contact_phone: phone.map(str::to_string),
        payment: PaymentInput {
            card: Some(Card::new("4242424242424242", "12/30")),
            points: 0,
        },
        idempotency_key: None,
    }
}

#[tokio::test]
async fn search_quote_book_and_cancel_a_stay() {
    let (_d, f, a) = setup().await;
    let found = a
        .search_hotels(&HotelQuery::new(
            "London",
            date("2027-03-14"),
            date("2027-03-17"),
        ))
        .await
        .unwrap();
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.offers.len(), 2);
    let savoy = found.offers.iter().find(|o| o.id == SAVOY).unwrap();
    assert_eq!(savoy.provider, "duffel");
    assert_eq!(savoy.total().minor, 68940);
    assert_eq!(savoy.nights, 3);
    assert_eq!(savoy.price.nightly.minor, 22980);
    assert_eq!(
        (savoy.hotel.stars, savoy.hotel.name.as_str()),
        (5, "The Savoy")
    );
    assert!(savoy.hotel.amenities.contains(&"wifi".to_string()));

    let body = f.to("POST", "/stays/search")[0].json();
    let d = &body["data"];
    assert_eq!(d["check_in_date"], "2027-03-14");
    assert_eq!(d["check_out_date"], "2027-03-17");
    assert_eq!(d["rooms"], 1);
    assert_eq!(d["guests"], serde_json::json!([{"type": "adult"}]));
    assert_eq!(d["location"]["radius"], 20);
    let lat = d["location"]["geographic_coordinates"]["latitude"]
        .as_f64()
        .unwrap();
    let lon = d["location"]["geographic_coordinates"]["longitude"]
        .as_f64()
        .unwrap();
    assert!(
        (lat - 51.5).abs() < 0.5 && (lon + 0.1).abs() < 0.6,
        "{lat},{lon}"
    );

    // A phone number is needed before anything is asked of Duffel.
    let e = a.create_booking(request(SAVOY, None)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(f.to("POST", "/stays/bookings").is_empty());
    assert!(a.list_bookings(None).await.unwrap().is_empty());

    let b = a
        .create_booking(request(SAVOY, Some("+442080160508")))
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.items[0].reference.as_deref(), Some("XJ4Y9T"));
    assert!(b.items[0].description.contains("Superior King Room"));
    assert_eq!(b.tax.minor, 11490);
    let quote = f.to("POST", "/stays/quotes").pop().unwrap().json();
    assert_eq!(
        quote,
        serde_json::json!({"data": {"rate_id": "rat_0000AWr2VsUNIF1Vl91xg4"}})
    );
    let booking = f.to("POST", "/stays/bookings").pop().unwrap().json();
    assert_eq!(booking["data"]["quote_id"], "quo_0000AWr2VsUNIF1Vl91xg6");
    assert_eq!(
        booking["data"]["guests"],
        serde_json::json!([{"given_name": "Ada", "family_name": "Lovelace"}])
    );
    assert_eq!(booking["data"]["phone_number"], "+442080160508");
    assert_eq!(
        booking["data"]["metadata"]["booksygo_booking"],
        b.id.as_str()
    );

    // The rate is free to cancel until 12 March: everything comes back.
    let c = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(c.status, BookingStatus::Refunded);
    assert_eq!(c.refunded.minor, 68940);
    assert_eq!(
        f.to(
            "POST",
            "/stays/bookings/bok_0000AWr2VsUNIF1Vl91xg7/actions/cancel"
        )
        .len(),
        1
    );
}

#[tokio::test]
async fn a_stay_sold_out_at_quote_time_books_nothing() {
    let (_d, f, a) = setup().await;
    a.search_hotels(&HotelQuery::new(
        "LON",
        date("2027-03-14"),
        date("2027-03-17"),
    ))
    .await
    .unwrap();
    f.on(
        "POST",
        "/stays/quotes",
        vec![Reply::status(422, fixture("duffel/error_422_offer.json"))],
    );
    let e = a
        .create_booking(request(SAVOY, Some("+442080160508")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("search again"), "{e}");
    assert!(f.to("POST", "/stays/bookings").is_empty());
    assert!(a.list_bookings(None).await.unwrap().is_empty());
}
