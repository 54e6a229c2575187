//! Amadeus Self-Service against an Amadeus on loopback (fixtures/suppliers/amadeus/): the
//! OAuth2 token cached until it is about to expire and fetched again after a 401, search,
//! pricing before ordering, the order, its cancellation, and rejected credentials.

mod common;
mod fake;

use booksygo_core::LocalOptions;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{
    BookingRequest, BookingStatus, Gender, ItemRequest, PassengerInput, PaymentInput,
};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::local::Suppliers;
use booksygo_core::model::PassengerType;
use booksygo_core::search::FlightQuery;
use booksygo_core::{Agency, LocalAgency};
use common::{date, now};
use fake::{Fake, Reply, fixture};

const ID: &str = "amadeus_client_id_value";
const SECRET: &str = "amadeus_client_s3cret";

async fn setup(token: &str, sandbox: bool) -> (tempfile::TempDir, Fake, LocalAgency) {
    let f = Fake::start().await;
    f.on(
        "POST",
        "/v1/security/oauth2/token",
        vec![Reply::ok(fixture(token))],
    );
    f.on(
        "POST",
        "/v2/shopping/flight-offers",
        vec![Reply::ok(fixture("amadeus/flight_offers.json"))],
    );
    f.on(
        "POST",
        "/v1/shopping/flight-offers/pricing",
        vec![Reply::ok(fixture("amadeus/pricing.json"))],
    );
    f.on(
        "POST",
        "/v1/booking/flight-orders",
        vec![Reply::status(201, fixture("amadeus/flight_order.json"))],
    );
    f.on(
        "DELETE",
        "/v1/booking/flight-orders/",
        vec![Reply::status(204, String::new())],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut o = LocalOptions::new(Paths::in_dir(dir.path()));
    o.clock = Clock::fixed(now());
    o.sandbox = sandbox;
    let kv = [
        ("amadeus.client_id", ID.to_string()),
        ("amadeus.client_secret", SECRET.to_string()),
        ("amadeus.base_url", f.base.clone()),
    ];
    let get = |k: &str| kv.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    Suppliers::from_lookup(&get).unwrap().apply(&mut o);
    (dir, f.clone(), LocalAgency::open(o).unwrap())
}

fn query(day: &str) -> FlightQuery {
    let mut q = FlightQuery::one_way("LHR", "JFK", date(day));
    q.max_stops = Some(0);
    q
}

#[tokio::test]
async fn the_token_is_cached_until_it_expires_and_renewed_after_a_401() {
    let (_d, f, a) = setup("amadeus/token.json", false).await;
    let found = a.search_flights(&query("2027-03-14")).await.unwrap();
    assert_eq!(found.offers.len(), 1);
    a.search_flights(&query("2027-03-15")).await.unwrap();
    let tokens = f.to("POST", "/v1/security/oauth2/token");
    assert_eq!(tokens.len(), 1, "a 30-minute token serves both searches");
    let form = tokens[0].form();
    assert!(form.contains(&("grant_type".into(), "client_credentials".into())));
    assert!(form.contains(&("client_id".into(), ID.into())));
    assert!(form.contains(&("client_secret".into(), SECRET.into())));
    for s in f.to("POST", "/v2/shopping/flight-offers") {
        assert_eq!(
            s.header("authorization").as_deref(),
            Some("Bearer CpjU0sEenniHCgPDrndzOSWFk5mN")
        );
    }

    // Amadeus says the token is no longer valid: a new one, and the call again.
    f.on(
        "POST",
        "/v2/shopping/flight-offers",
        vec![
            Reply::status(401, fixture("amadeus/error_401_token_expired.json")),
            Reply::ok(fixture("amadeus/flight_offers.json")),
        ],
    );
    let found = a.search_flights(&query("2027-03-16")).await.unwrap();
    assert_eq!(found.offers.len(), 1);
    assert_eq!(f.to("POST", "/v1/security/oauth2/token").len(), 2);

    // A token about to expire (10 s left, under the 30 s margin) is fetched again each time.
    let (_d, f, a) = setup("amadeus/token_short.json", false).await;
    a.search_flights(&query("2027-03-14")).await.unwrap();
    a.search_flights(&query("2027-03-15")).await.unwrap();
    assert_eq!(f.to("POST", "/v1/security/oauth2/token").len(), 2);
}

#[tokio::test]
async fn search_price_order_and_cancel() {
    let (_d, f, a) = setup("amadeus/token.json", false).await;
    let found = a.search_flights(&query("2027-03-14")).await.unwrap();
    let o = &found.offers[0];
    assert_eq!(o.provider, "amadeus");
    assert_eq!((o.total().minor, o.price.tax.minor), (43217, 8217));
    let json = serde_json::to_value(o).unwrap();
    assert_eq!(
        json["slices"][0]["arriving_at"],
        "2027-03-14T11:20:00-04:00"
    );
    let body = f.to("POST", "/v2/shopping/flight-offers")[0].json();
    assert_eq!(body["originDestinations"][0]["originLocationCode"], "LHR");
    assert_eq!(
        body["originDestinations"][0]["departureDateTimeRange"]["date"],
        "2027-03-14"
    );
    assert_eq!(
        body["travelers"],
        serde_json::json!([{"id": "1", "travelerType": "ADULT"}])
    );
    assert_eq!(
        body["searchCriteria"]["flightFilters"]["connectionRestriction"]["maxNumberOfConnections"],
        0
    );

    let b = a
        .create_booking(BookingRequest {
            items: vec![ItemRequest::Offer {
                offer_id: o.id.clone(),
            }],
            passengers: vec![PassengerInput {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                born_on: date("1990-12-10"),
                kind: Some(PassengerType::Adult),
                document: None,
                gender: Some(Gender::F),
            }],
            contact_email: "ada@example.com".into(),
            contact_phone: Some("+442080160508".into()),
            payment: PaymentInput {
                card: Some(Card::new("4242424242424242", "12/30")),
                points: 0,
            },
            idempotency_key: None,
        })
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.items[0].reference.as_deref(), Some("KDNUZ9"));
    let priced = f.to("POST", "/v1/shopping/flight-offers/pricing")[0].json();
    assert_eq!(priced["data"]["type"], "flight-offers-pricing");
    assert_eq!(
        priced["data"]["flightOffers"][0]["price"]["grandTotal"],
        "432.17"
    );
    let order = f.to("POST", "/v1/booking/flight-orders")[0].json();
    let t = &order["data"]["travelers"][0];
    assert_eq!(order["data"]["type"], "flight-order");
    assert_eq!(t["gender"], "FEMALE");
    assert_eq!(
        t["name"],
        serde_json::json!({"firstName": "ADA", "lastName": "LOVELACE"})
    );
    assert_eq!(t["contact"]["phones"][0]["countryCallingCode"], "44");
    assert_eq!(t["contact"]["phones"][0]["number"], "2080160508");

    let c = a.cancel_booking(&b.id, None).await.unwrap();
    // Fare rules unknown, so non-refundable: the taxes come back.
    assert_eq!(
        (c.status, c.refunded.minor),
        (BookingStatus::Refunded, 8217)
    );
    let deleted = f.to("DELETE", "/v1/booking/flight-orders/");
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0].path,
        "/v1/booking/flight-orders/eJzTd9f3NjIJdzUGAAp%2fAiY="
    );
}

#[tokio::test]
async fn rejected_credentials_name_amadeus_and_the_fix() {
    let (_d, f, a) = setup("amadeus/token.json", true).await;
    f.on(
        "POST",
        "/v1/security/oauth2/token",
        vec![Reply::status(401, fixture("amadeus/error_401.json"))],
    );
    let found = a.search_flights(&query("2027-03-14")).await.unwrap();
    assert!(!found.offers.is_empty(), "the sandbox still answers");
    let w = found.warnings.join("\n");
    assert!(
        w.contains("partial results: amadeus: Amadeus rejected"),
        "{w}"
    );
    assert!(w.contains("BOOKSYGO_AMADEUS_CLIENT_SECRET"), "{w}");
    assert!(!w.contains(SECRET) && !w.contains(ID));
}

#[tokio::test]
async fn hotel_offers_are_searched_by_city_and_never_booked_locally() {
    let (_d, f, a) = setup("amadeus/token.json", false).await;
    f.on(
        "GET",
        "/v1/reference-data/locations/hotels/by-city",
        vec![Reply::ok(fixture("amadeus/hotels_by_city.json"))],
    );
    f.on(
        "GET",
        "/v3/shopping/hotel-offers",
        vec![Reply::ok(fixture("amadeus/hotel_offers.json"))],
    );
    let found = a
        .search_hotels(&booksygo_core::search::HotelQuery::new(
            "London",
            date("2027-03-14"),
            date("2027-03-17"),
        ))
        .await
        .unwrap();
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.offers.len(), 1, "the unavailable hotel gives nothing");
    let o = &found.offers[0];
    assert_eq!(o.provider, "amadeus");
    assert_eq!(o.hotel.name, "NOVOTEL LONDON TOWER BRIDGE");
    assert_eq!(
        (o.total().minor, o.price.tax.minor, o.price.nightly.minor),
        (55200, 7200, 16000)
    );
    assert_eq!(o.total().currency.as_str(), "GBP");
    assert!(o.cancellation.refundable);
    assert_eq!(
        f.to("GET", "/v1/reference-data/locations/hotels/by-city")[0].path,
        "/v1/reference-data/locations/hotels/by-city?cityCode=LON"
    );
    assert_eq!(
        f.to("GET", "/v3/shopping/hotel-offers")[0].path,
        "/v3/shopping/hotel-offers?hotelIds=RTLONTWB,HILON123&adults=1&checkInDate=2027-03-14&checkOutDate=2027-03-17&roomQuantity=1"
    );

    let e = a
        .create_booking(BookingRequest {
            items: vec![ItemRequest::Offer {
                offer_id: o.id.clone(),
            }],
            passengers: vec![PassengerInput {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                born_on: date("1990-12-10"),
                kind: Some(PassengerType::Adult),
                document: None,
                gender: Some(Gender::F),
            }],
            contact_email: "ada@example.com".into(),
            contact_phone: Some("+442080160508".into()),
            payment: PaymentInput::default(),
            idempotency_key: None,
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("comparison only"), "{e}");
    assert!(a.list_bookings(None).await.unwrap().is_empty());
}
