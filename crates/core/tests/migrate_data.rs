//! Moving a team from SQLite to PostgreSQL (`admin migrate-data`): a store with every kind of
//! row (accounts and sessions, bookings with their audit, payments, refunds, holds, points,
//! events, webhooks, conversations, packages and reviews, trips, watches, idempotency keys,
//! login limits, notices and their e-mails, client events, referrals) is copied whole into a
//! fresh PostgreSQL database, counted and summed on both sides; a second move into the same
//! database is refused and changes nothing.

mod common;

use booksygo_core::booking::{BookingRequest, BookingStatus, ItemRequest, PaymentInput};
use booksygo_core::notify::Notifier;
use booksygo_core::notify::mail::Mailer;
use booksygo_core::store::postgres::testing::TestDatabase;
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{ada, ada_request, agency_with, ba_offer, date};

const VISA: &str = "4242424242424242";

/// Writes one of everything a team's store holds, through the rules.
async fn fill(a: &LocalAgency, later: &LocalAgency) {
    let accounts = a.accounts();
    accounts
        .create_account(
            "root@team.test",
            "correct horse battery",
            "Root",
            "Admin",
            "admin",
        )
        .await
        .unwrap();
    let grace = accounts
        .register(
            "grace@team.test",
            "correct horse battery",
            "Grace",
            "Hopper",
        )
        .await
        .unwrap();
    // Grace brings a friend with her referral code.
    let code = a.as_user(&grace.id).referral().await.unwrap().code;
    accounts
        .register_referred(
            "alan@team.test",
            "correct horse battery",
            "Alan",
            "Turing",
            &code,
        )
        .await
        .unwrap();
    let session = accounts
        .login("grace@team.test", "correct horse battery", None)
        .await
        .unwrap();
    accounts.refresh(&session.refresh_token).await.unwrap();
    let wrong = accounts
        .login(
            "grace@team.test",
            "wrong",
            Some("192.0.2.7".parse().unwrap()),
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::AuthRequired);
    let root = accounts
        .login("root@team.test", "correct horse battery", None)
        .await
        .unwrap()
        .user;

    // Flights: one paid (with a hotel), one unpaid, one paid then cancelled.
    let offer = ba_offer(a).await;
    // Flight and hotel in one booking, under an idempotency key.
    let mut hq =
        booksygo_core::search::HotelQuery::new("NYC", date("2027-03-14"), date("2027-03-18"));
    hq.limit = Some(1);
    let hotel = a.search_hotels(&hq).await.unwrap().offers.remove(0);
    let mut keyed = ada_request(&offer.id, Some(VISA));
    keyed.items.push(ItemRequest::Offer { offer_id: hotel.id });
    keyed.idempotency_key = Some("move-1".into());
    let paid = a.create_booking(keyed).await.unwrap();
    assert_eq!(paid.status, BookingStatus::Confirmed);
    // Its flight moved a week later (a date change with its fee).
    a.modify_booking(
        &paid.id,
        booksygo_core::booking::desk::Modification::FlightDate {
            date: date("2027-03-21"),
            card: Some(booksygo_core::booking::payment::Card::new(VISA, "12/30")),
        },
    )
    .await
    .unwrap();
    a.create_booking(ada_request(&offer.id, None))
        .await
        .unwrap();
    let gone = a
        .create_booking(ada_request(&offer.id, Some(VISA)))
        .await
        .unwrap();
    a.cancel_booking(&gone.id, None).await.unwrap();

    // A package, travelled and reviewed a year later.
    let packages = a.featured_packages(1).await.unwrap();
    let package = a.get_package(&packages[0].id).await.unwrap();
    let dep = package
        .departures
        .iter()
        .find(|d| d.slots_left >= 1)
        .unwrap();
    let toured = a
        .create_booking(BookingRequest {
            items: vec![ItemRequest::Package {
                package_id: package.summary.id.clone(),
                date: dep.date,
            }],
            passengers: vec![ada()],
            contact_email: "ada@example.com".into(),
            contact_phone: None,
            payment: PaymentInput {
                card: Some(booksygo_core::booking::payment::Card::new(VISA, "12/30")),
                points: 0,
            },
            idempotency_key: None,
        })
        .await
        .unwrap();
    later.get_booking(&toured.id).await.unwrap();
    later.review(&toured.id, 4, "Long bus rides").await.unwrap();

    // A trip, a watch, a conversation, a webhook, a manual award, a sweep.
    let trip = a
        .create_trip(&booksygo_core::trips::NewTrip {
            name: "New York".into(),
            starts_on: Some(date("2027-03-14")),
            ends_on: None,
            budget: None,
        })
        .await
        .unwrap();
    a.add_to_trip(&trip.id, &paid.id).await.unwrap();
    booksygo_core::local::watch::add(
        a,
        &booksygo_core::local::watch::NewWatch {
            origin: "LHR".into(),
            destination: "JFK".into(),
            date: date("2027-03-14"),
            below: booksygo_core::model::Money::new(
                40_000,
                booksygo_core::model::Currency::parse("GBP").unwrap(),
            ),
            adults: 1,
            cabin: booksygo_core::model::Cabin::Economy,
        },
    )
    .unwrap();
    let mut chat = booksygo_core::ai::conversation::Conversation::new();
    chat.messages
        .push(booksygo_core::model::conversation::Message::user(
            "flights to Rome",
        ));
    a.store()
        .write(|u| booksygo_core::ai::conversation::save(u, &grace.id, &mut chat, 1))
        .unwrap();
    let team = a.team();
    team.create_webhook(&root, "https://93.184.216.34/hook", &[])
        .await
        .unwrap();
    team.award_points(&root, &grace.id, 50, "welcome")
        .await
        .unwrap();
    // The server's sweep of the watches (its lease).
    team.sweep_watches().await.unwrap().unwrap();
    // What a client reported, and where Grace wants her price alerts.
    let grace = a.as_user(&grace.id);
    let seen: booksygo_core::analytics::ClientEvents = serde_json::from_value(
        serde_json::json!({"events": [{"name": "search", "route": "LHR-JFK", "provider": "sandbox"}]}),
    )
    .unwrap();
    grace.track(&seen).await.unwrap();
    grace
        .set_notification_preference("price_alert", "email")
        .await
        .unwrap();
}

/// Announces everything above (the inbox) with e-mail set up but its server down, so the
/// e-mails wait in their table.
fn notify(dir: &std::path::Path) {
    let mut o = booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(dir));
    o.notifier = Notifier::new(Some(
        Mailer::new("smtp://127.0.0.1:9", "BooksyGo <trips@team.test>", None).unwrap(),
    ));
    let round = LocalAgency::open(o)
        .unwrap()
        .deliver_notifications()
        .unwrap();
    assert!(round.noticed > 0 && round.deferred > 0, "{round:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_with_every_kind_of_row_moves_whole_and_checked() {
    let (dir, a) = agency_with(|_| {});
    let later = {
        let mut o =
            booksygo_core::LocalOptions::new(booksygo_core::config::Paths::in_dir(dir.path()));
        o.clock = booksygo_core::config::Clock::fixed("2028-01-15T12:00:00Z".parse().unwrap());
        LocalAgency::open(o).unwrap()
    };
    fill(&a, &later).await;
    notify(dir.path());
    let path = a.store().path().unwrap().to_path_buf();
    let db = TestDatabase::create();
    let moved = booksygo_core::postgres::migrate_data(
        path.display().to_string(),
        db.url().to_string(),
        None,
    )
    .await
    .unwrap();

    // Every table came over with as many rows as SQLite has; only these may be empty here:
    // what real suppliers (Duffel's orders, Stripe's webhook events), remote mode, fare
    // history and challenges write, each copied by the same code as the rest.
    let may_be_empty = [
        "payment_events",
        "supplier_orders",
        "remote_bookings",
        "fare_observations",
        "challenge_completions",
    ];
    let empty: Vec<&String> = moved
        .tables
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(t, _)| t)
        .collect();
    let unexpected: Vec<&&String> = empty
        .iter()
        .filter(|t| !may_be_empty.contains(&t.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{unexpected:?} are empty: fill them in this test, or say why they may be"
    );
    let conn = a.store().conn().unwrap();
    for (table, n) in &moved.tables {
        let here: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(*n, here, "{table}");
    }
    let paid: i64 = conn
        .query_row(
            "SELECT sum(amount) FROM payments WHERE status = 'succeeded'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(paid > 0);
    assert!(moved.sums["refunds.amount"] > 0, "{:?}", moved.sums);
    assert!(moved.sums["points_ledger.available_delta"] > 0);
    assert_eq!(moved.rows, moved.tables.values().sum::<i64>());

    // The copy reads like the original, through the same port.
    let there = db.port();
    let problems = there.read(|u| u.checks().problems()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");

    // A second move into the now-filled database is refused and writes nothing.
    let again = booksygo_core::postgres::migrate_data(
        path.display().to_string(),
        db.url().to_string(),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    assert!(again.to_string().contains("already holds data"), "{again}");
    let pg = there.postgres().unwrap().conn().unwrap();
    for (table, n) in &moved.tables {
        let row = pg
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), *n, "{table} after the refused move");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_source_or_a_bad_target_is_a_clear_error() {
    let e = booksygo_core::postgres::migrate_data(
        "sqlite:/nonexistent/booksygo.db".into(),
        "postgres://postgres@127.0.0.1:5432/test".into(),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let (_dir, a) = agency_with(|_| {});
    let path = a.store().path().unwrap().to_path_buf();
    let e = booksygo_core::postgres::migrate_data(
        path.display().to_string(),
        "mysql://u:pw@h/d".into(),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(!e.to_string().contains("pw@"), "{e}");
}
