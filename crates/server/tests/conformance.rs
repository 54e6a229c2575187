//! One set of scenarios, run against `LocalAgency` (this machine) and `RemoteAgency` (the
//! same market behind a real server on a loopback port). Both transcripts must be equal, so
//! the CLI and TUI can never behave differently in the two modes. Each test runs from one
//! body with the agency and the server on SQLite and on PostgreSQL (`name::sqlite`,
//! `name::postgres`).

mod common;

use booksygo_core::agency::CalendarQuery;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{
    BookingRequest, BookingStatus, ItemRequest, PassengerInput, PaymentInput,
};
use booksygo_core::model::PassengerType;
use booksygo_core::remote::{self, RemoteAgency};
use booksygo_core::search::packages::PackageQuery;
use booksygo_core::search::{FlightQuery, FlightSort, HotelQuery};
use booksygo_core::trips::NewTrip;
use booksygo_core::{Agency, ErrorKind};
use booksygo_server::AppState;
use common::{Kept, PASSWORD, local_on, on_engines, serve};
use jiff::civil::Date;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A server on port 0 over its own store on `engine`, an account on it, and a client logged
/// in (its offline copy is SQLite, as every client's).
async fn remote_agency(
    engine: &str,
    dir: &std::path::Path,
) -> (Kept, RemoteAgency, tokio::task::JoinHandle<()>) {
    let (kept, server) = local_on(engine, &dir.join("server"));
    server
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                "ada@team.test",
                PASSWORD,
                "Ada",
                "Lovelace",
                "user",
                jiff::Timestamp::now().as_second(),
            )
        })
        .unwrap();
    let (url, task) = serve(AppState::new(server)).await;
    let session = remote::login(&url, "ada@team.test", PASSWORD)
        .await
        .unwrap();
    let cache = remote::OfflineCopy::open(&dir.join("client.db")).unwrap();
    (
        kept,
        RemoteAgency::new(session, None, Some(cache)).unwrap(),
        task,
    )
}

fn ada() -> PassengerInput {
    PassengerInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        born_on: date("1990-12-10"),
        kind: Some(PassengerType::Adult),
        document: None,
        gender: None,
    }
}

fn offer_request(offer_id: &str, card: Option<&str>, key: &str) -> BookingRequest {
    BookingRequest {
        items: vec![ItemRequest::Offer {
            offer_id: offer_id.into(),
        }],
        passengers: vec![ada()],
        contact_email: "ada@team.test".into(),
        contact_phone: None,
        payment: PaymentInput {
            card: card.map(|n| Card::new(n, "12/30")),
            points: 0,
        },
        idempotency_key: Some(key.into()),
    }
}

fn kind<T: std::fmt::Debug>(r: booksygo_core::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}").chars().take(40).collect(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

/// Search, book, pay, cancel, points, trips and the error paths, written down as plain facts
/// (ids differ between the two stores; everything else must not).
async fn scenario(a: &dyn Agency) -> Vec<String> {
    let mut t = Vec::new();

    let places = a.suggest_places("lond", 3).await.unwrap();
    t.push(format!(
        "suggest {:?}",
        places.iter().map(|p| &p.code).collect::<Vec<_>>()
    ));

    let mut q = FlightQuery::one_way("LHR", "JFK", date("2027-03-14"));
    q.max_stops = Some(0);
    q.sort = FlightSort::Price;
    q.filters.airlines = vec!["BA".into()];
    let flights = a.search_flights(&q).await.unwrap();
    for o in &flights.offers {
        t.push(format!(
            "offer {} {} {}",
            o.id,
            o.total(),
            o.slices[0].segments[0].flight_number
        ));
    }

    let cal = a
        .flight_calendar(&CalendarQuery {
            origin: "LHR".into(),
            destination: "JFK".into(),
            dates: vec![date("2027-03-13"), date("2027-03-14")],
            passengers: Default::default(),
            cabin: booksygo_core::model::Cabin::Economy,
            currency: None,
        })
        .await
        .unwrap();
    t.push(format!("calendar {cal:?}"));

    let hotels = a
        .search_hotels(&HotelQuery::new(
            "PAR",
            date("2027-04-01"),
            date("2027-04-04"),
        ))
        .await
        .unwrap();
    t.push(format!(
        "hotels {} first {} {}",
        hotels.offers.len(),
        hotels.offers[0].hotel.name,
        hotels.offers[0].price.total
    ));

    let packages = a
        .search_packages(&PackageQuery {
            text: Some("beach".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    t.push(format!(
        "packages {} {:?}",
        packages.total,
        packages
            .packages
            .iter()
            .map(|p| &p.id)
            .take(3)
            .collect::<Vec<_>>()
    ));

    // Book and pay at once.
    let paid = a
        .create_booking(offer_request(
            &flights.offers[0].id,
            Some("4242424242424242"),
            "k1",
        ))
        .await
        .unwrap();
    t.push(format!(
        "paid {:?} {} due {}",
        paid.status, paid.total, paid.amount_due
    ));
    let again = a
        .create_booking(offer_request(
            &flights.offers[0].id,
            Some("4242424242424242"),
            "k1",
        ))
        .await
        .unwrap();
    t.push(format!(
        "double submit same booking: {}",
        again.id == paid.id
    ));

    // Book now, pay later: a declined card, then a good one.
    let pending = a
        .create_booking(offer_request(&flights.offers[1].id, None, "k2"))
        .await
        .unwrap();
    t.push(format!("pending {:?}", pending.status));
    t.push(format!(
        "declined {}",
        kind(
            a.pay_booking(&pending.id, Card::new("4000000000000002", "12/30"), None)
                .await
        )
    ));
    let after = a.get_booking(&pending.id).await.unwrap();
    t.push(format!("after decline {:?}", after.status));
    let pending = a
        .create_booking(offer_request(&flights.offers[1].id, None, "k3"))
        .await
        .unwrap();
    let settled = a
        .pay_booking(
            &pending.id,
            Card::new("4242424242424242", "12/30"),
            Some("p1".into()),
        )
        .await
        .unwrap();
    t.push(format!("settled {:?}", settled.status));

    // Cancel with a quote first; a second cancel is a conflict.
    let quote = a.quote_cancellation(&paid.id).await.unwrap();
    t.push(format!(
        "quote refund {} kept {} rules {:?}",
        quote.refund, quote.kept, quote.rules
    ));
    let cancelled = a.cancel_booking(&paid.id, Some("c1".into())).await.unwrap();
    t.push(format!(
        "cancelled {:?} refunded {}",
        cancelled.status, cancelled.refunded
    ));
    t.push(format!(
        "cancel again {}",
        kind(a.cancel_booking(&paid.id, None).await)
    ));

    let list = a.list_bookings(None).await.unwrap();
    t.push(format!(
        "bookings {:?}",
        list.iter().map(|b| b.status).collect::<Vec<_>>()
    ));
    let confirmed = a
        .list_bookings(Some(BookingStatus::Confirmed))
        .await
        .unwrap();
    t.push(format!("confirmed {}", confirmed.len()));
    let ics = a.booking_calendar(&settled.id).await.unwrap();
    t.push(format!(
        "ics {} {}",
        ics.starts_with("BEGIN:VCALENDAR"),
        ics.contains("JFK")
    ));

    let balance = a.points().await.unwrap();
    t.push(format!(
        "points {} {} {}",
        balance.total, balance.available, balance.level
    ));
    let badges = a.badges().await.unwrap();
    t.push(format!(
        "badges {:?}",
        badges
            .iter()
            .filter(|b| b.earned_at.is_some())
            .map(|b| &b.name)
            .collect::<Vec<_>>()
    ));
    let history = a.points_history().await.unwrap();
    t.push(format!(
        "ledger {:?}",
        history
            .iter()
            .map(|e| (&e.kind, e.total_delta))
            .collect::<Vec<_>>()
    ));

    let trip = a
        .create_trip(&NewTrip {
            name: "New York".into(),
            starts_on: Some(date("2027-03-14")),
            ends_on: Some(date("2027-03-20")),
            budget: None,
        })
        .await
        .unwrap();
    let trip = a.add_to_trip(&trip.id, &settled.id).await.unwrap();
    t.push(format!(
        "trip {} bookings {}",
        trip.name,
        trip.bookings.len()
    ));

    // Bad input: the same kind of error in both modes.
    let mut bad = FlightQuery::one_way("LHR", "XXX", date("2027-03-14"));
    bad.max_stops = Some(0);
    t.push(format!(
        "unknown airport {}",
        kind(a.search_flights(&bad).await)
    ));
    let past = FlightQuery::one_way("LHR", "JFK", date("2020-01-01"));
    t.push(format!("past date {}", kind(a.search_flights(&past).await)));
    t.push(format!(
        "unknown booking {}",
        kind(a.get_booking("bkg_0000000000000000").await)
    ));
    t.push(format!(
        "unknown package {}",
        kind(a.get_package("pkg_nope").await)
    ));
    t.push(format!(
        "expired offer id {}",
        kind(
            a.create_booking(offer_request("off_00000000deadbeef", None, "k9"))
                .await
        )
    ));
    t
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    local_and_remote_agree
);
async fn local_and_remote_agree(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_kept_local, local) = local_on(engine, &dir.path().join("local"));
    let (_kept_server, remote, server) = remote_agency(engine, dir.path()).await;

    let here = scenario(&local).await;
    let there = scenario(&remote).await;
    for (i, (l, r)) in here.iter().zip(&there).enumerate() {
        assert_eq!(l, r, "step {i} differs between local and remote");
    }
    assert_eq!(here.len(), there.len());

    // The remote bookings were kept for offline use, in the server's order.
    let cache = remote::OfflineCopy::open(&dir.path().join("client.db")).unwrap();
    let offline = cache.bookings(remote.url(), "ada@team.test").unwrap();
    let online = remote.list_bookings(None).await.unwrap();
    assert_eq!(
        offline
            .iter()
            .map(|b| (&b.id, b.status))
            .collect::<Vec<_>>(),
        online.iter().map(|b| (&b.id, b.status)).collect::<Vec<_>>()
    );
    server.abort();
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_revoked_session_asks_to_log_in_again
);
async fn a_revoked_session_asks_to_log_in_again(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_kept, remote, server) = remote_agency(engine, dir.path()).await;
    let url = remote.url().to_string();
    let session = remote::login(&url, "ada@team.test", PASSWORD)
        .await
        .unwrap();
    let refresh = session.refresh_token().to_string();
    RemoteAgency::new(session, None, None)
        .unwrap()
        .logout()
        .await
        .unwrap();
    // An access token the server rejects, and a refresh token it has revoked.
    let stale = remote::Session::new(&url, "ada@team.test", "not.a.jwt", &refresh, 0);
    let e = RemoteAgency::new(stale, None, None)
        .unwrap()
        .points()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthRequired, "{e}");
    assert!(
        e.to_string().contains(&format!("booksygo login {url}")),
        "{e}"
    );
    server.abort();
}

on_engines!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    a_dead_server_is_unavailable_with_a_way_out
);
async fn a_dead_server_is_unavailable_with_a_way_out(engine: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_kept, remote, server) = remote_agency(engine, dir.path()).await;
    server.abort();
    let _ = server.await;
    let e = remote.points().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
    assert!(e.to_string().contains("--offline"), "{e}");
}
