//! The transactional core through the Agency: the state machine, inventory, payments with the
//! sandbox test cards, idempotency, cancellation and refunds, points, packages and reviews,
//! and 50 buyers racing for the last 10 seats. Every test runs on SQLite and on PostgreSQL
//! (`name::sqlite`, `name::postgres`) from one body.

mod common;

use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{BookingRequest, BookingStatus, ItemRequest, PaymentInput};
use booksygo_core::model::FlightOffer;
use booksygo_core::search::FlightQuery;
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{Kept, ada, ada_request as request, agency_on, ba_offer as offer, date, on_engines};

const VISA: &str = "4242424242424242";
const DECLINED: &str = "4000000000000002";
const NO_FUNDS: &str = "4000000000009995";
const THREE_DS: &str = "4000002760003184";

fn card(n: &str) -> Option<Card> {
    Some(Card::new(n, "12/30"))
}

/// Seats sold on the offer's first flight, all cabins.
fn sold(a: &LocalAgency, offer: &FlightOffer) -> i64 {
    let seg = &offer.slices[0].segments[0];
    common::number(
        a,
        "SELECT coalesce(sum(sold), 0) FROM flight_inventory WHERE flight_key = $1",
        &[&seg.flight_key()],
    )
}

fn count(a: &LocalAgency, sql: &str) -> i64 {
    common::number(a, sql, &[])
}

/// The same store seen at another moment.
fn at(kept: &Kept, now: &str) -> LocalAgency {
    common::agency_on_at(kept, now.parse().unwrap())
}

on_engines!(
    #[tokio::test]
    a_paid_flight_is_confirmed_with_inventory_events_audit_and_points
);
async fn a_paid_flight_is_confirmed_with_inventory_events_audit_and_points(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.total, o.total());
    assert_eq!(b.confirmation_code.len(), 6);
    assert!(
        b.items[0]
            .reference
            .as_ref()
            .is_some_and(|pnr| pnr.len() == 6)
    );
    assert_eq!(b.payments.len(), 1);
    assert_eq!(b.payments[0].card.as_deref(), Some("visa **** 4242"));
    assert_eq!(sold(&a, &o), 1);
    let trail: Vec<BookingStatus> = b.history.iter().map(|h| h.to).collect();
    assert_eq!(
        trail,
        [
            BookingStatus::Pending,
            BookingStatus::PaymentProcessing,
            BookingStatus::Confirmed
        ]
    );
    let events = common::texts(
        &a,
        "SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
        &[&b.id],
    );
    assert_eq!(
        events,
        [
            "booking.created",
            "booking.payment_started",
            "booking.payment_completed",
            "booking.confirmed"
        ]
    );
    let p = a.points().await.unwrap();
    assert_eq!((p.total, p.available), (500, 500));
    assert!(
        a.badges()
            .await
            .unwrap()
            .iter()
            .any(|x| x.id == "first_traveler" && x.earned_at.is_some())
    );
    // No card number anywhere in the database.
    let dump: i64 = count(
        &a,
        "SELECT count(*) FROM payments WHERE card_last4 != '4242'",
    );
    assert_eq!(dump, 0);
    let json = serde_json::to_string(&b).unwrap();
    assert!(!json.contains(VISA));
}

on_engines!(
    #[tokio::test]
    declined_cards_cancel_the_booking_and_release_the_seats
);
async fn declined_cards_cancel_the_booking_and_release_the_seats(engine: &str) {
    for number in [DECLINED, NO_FUNDS] {
        let (_kept, a) = agency_on(engine, |_| {});
        let o = offer(&a).await;
        let err = a
            .create_booking(request(&o.id, Some(number)))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.to_string().contains("declined"), "{err}");
        assert_eq!(sold(&a, &o), 0, "seats released");
        let list = a.list_bookings(None).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].status, BookingStatus::Cancelled);
        assert_eq!(list[0].payments[0].status, "failed");
        assert_eq!(a.points().await.unwrap().total, 0);
    }
}

on_engines!(
    #[tokio::test]
    three_d_secure_waits_in_payment_processing_until_confirmed
);
async fn three_d_secure_waits_in_payment_processing_until_confirmed(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a
        .create_booking(request(&o.id, Some(THREE_DS)))
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::PaymentProcessing);
    assert!(
        b.next_action
            .as_deref()
            .unwrap()
            .contains("confirm-payment")
    );
    let b = a.confirm_payment(&b.id).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    let err = a.confirm_payment(&b.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

on_engines!(
    #[tokio::test]
    bad_cards_write_nothing
);
async fn bad_cards_write_nothing(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    for (c, msg) in [
        (Card::new("4242424242424241", "12/30"), "checksum"),
        (Card::new(VISA, "01/26"), "expired"),
        (Card::new(VISA, "1/2"), ""),
    ] {
        let mut r = request(&o.id, None);
        r.payment.card = Some(c);
        let err = a.create_booking(r).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(msg), "{err}");
    }
    assert_eq!(count(&a, "SELECT count(*) FROM bookings"), 0);
    assert_eq!(sold(&a, &o), 0);
}

/// A change to a good request, and the words its error must contain.
type BadCase = (fn(&mut BookingRequest), &'static str);

on_engines!(
    #[tokio::test]
    bad_passengers_and_offers_are_refused
);
async fn bad_passengers_and_offers_are_refused(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let cases: Vec<BadCase> = vec![
        (|r| r.passengers.push(ada()), "is for 1 adult"),
        (|r| r.passengers[0].given_name = "Ad4".into(), "names"),
        (
            |r| r.passengers[0].born_on = date("2020-01-01"),
            "cannot travel as adult",
        ),
        (
            |r| r.passengers[0].born_on = date("2030-01-01"),
            "not in the past",
        ),
        (|r| r.contact_email = "not-an-email".into(), "email"),
    ];
    for (spoil, expected) in cases {
        let mut r = request(&o.id, Some(VISA));
        spoil(&mut r);
        let err = a.create_booking(r).await.unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "'{err}' should mention '{expected}'"
        );
    }
    let err = a
        .create_booking(request("off_doesnotexist", Some(VISA)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(count(&a, "SELECT count(*) FROM bookings"), 0);
}

on_engines!(
    #[tokio::test]
    an_expired_offer_is_refused_with_a_fresh_price
);
async fn an_expired_offer_is_refused_with_a_fresh_price(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    drop(a);
    let later = at(&kept, "2026-11-25T13:00:00Z");
    let err = later
        .create_booking(request(&o.id, Some(VISA)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let msg = err.to_string();
    assert!(
        msg.contains("expired") && msg.contains("book offer off_"),
        "{msg}"
    );
    let fresh = msg.rsplit("book offer ").next().unwrap().trim();
    let b = later
        .create_booking(request(fresh, Some(VISA)))
        .await
        .unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
}

on_engines!(
    #[tokio::test]
    idempotency_keys_replay_or_reject
);
async fn idempotency_keys_replay_or_reject(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let mut r = request(&o.id, Some(VISA));
    r.idempotency_key = Some("order-1".into());
    let first = a.create_booking(r.clone()).await.unwrap();
    let again = a.create_booking(r.clone()).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(count(&a, "SELECT count(*) FROM bookings"), 1);
    assert_eq!(sold(&a, &o), 1);
    r.contact_email = "other@example.com".into();
    let err = a.create_booking(r).await.unwrap_err();
    assert!(err.to_string().contains("different request"), "{err}");
    // Cancel with a key: the retry replays instead of failing on "already cancelled".
    let c1 = a
        .cancel_booking(&first.id, Some("cancel-1".into()))
        .await
        .unwrap();
    let c2 = a
        .cancel_booking(&first.id, Some("cancel-1".into()))
        .await
        .unwrap();
    assert_eq!(c1.status, c2.status);
    let err = a.cancel_booking(&first.id, None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("already"), "{err}");
}

on_engines!(
    #[tokio::test]
    cancelling_refunds_by_the_fare_rules_and_claws_back_points
);
async fn cancelling_refunds_by_the_fare_rules_and_claws_back_points(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    // A business fare is refundable without a fee.
    let mut q = FlightQuery::one_way("LHR", "JFK", date("2027-03-14"));
    q.cabin = booksygo_core::model::Cabin::Business;
    q.max_stops = Some(0);
    let o = a.search_flights(&q).await.unwrap().offers.remove(0);
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    let quote = a.quote_cancellation(&b.id).await.unwrap();
    assert_eq!(quote.refund, b.total);
    assert_eq!(quote.points_clawed_back, 500);
    let c = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(c.status, BookingStatus::Refunded);
    assert_eq!(c.refunded, b.total);
    assert_eq!(sold(&a, &o), 0);
    let p = a.points().await.unwrap();
    assert_eq!((p.total, p.available), (0, 0));
    let trail: Vec<BookingStatus> = c.history.iter().map(|h| h.to).collect();
    assert_eq!(
        &trail[3..],
        [BookingStatus::Cancelled, BookingStatus::Refunded]
    );

    // A short-haul economy fare is non-refundable: the taxes come back, nothing else.
    let mut q = FlightQuery::one_way("LHR", "CDG", date("2027-03-14"));
    q.max_stops = Some(0);
    q.filters.airlines = vec!["BA".into()];
    let o = a.search_flights(&q).await.unwrap().offers.remove(0);
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    let quote = a.quote_cancellation(&b.id).await.unwrap();
    assert_eq!(quote.refund, b.tax);
    // Unpaid, the same rules give nothing back, and the quote says why.
    let unpaid = a.create_booking(request(&o.id, None)).await.unwrap();
    assert_eq!(unpaid.status, BookingStatus::Pending);
    let quote = a.quote_cancellation(&unpaid.id).await.unwrap();
    assert_eq!(quote.refund.minor, 0);
    assert_eq!(
        quote.rules.last().map(String::as_str),
        Some("no payment was made: nothing to refund")
    );
}

on_engines!(
    #[tokio::test]
    points_pay_part_of_a_booking_and_come_back_on_cancel
);
async fn points_pay_part_of_a_booking_and_come_back_on_cancel(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    a.create_booking(request(&o.id, Some(VISA))).await.unwrap(); // earns 500
    let o2 = offer(&a).await;
    let mut r = request(&o2.id, None);
    r.payment.points = 600;
    assert!(
        a.create_booking(r.clone())
            .await
            .unwrap_err()
            .to_string()
            .contains("500 points available")
    );
    r.payment.points = 100;
    assert!(
        a.create_booking(r.clone())
            .await
            .unwrap_err()
            .to_string()
            .contains("at least 500")
    );
    r.payment.points = 500;
    r.payment.card = card(VISA);
    let b = a.create_booking(r).await.unwrap();
    assert_eq!(b.points_value.minor, 500);
    assert_eq!(b.amount_due.minor, b.total.minor - 500);
    assert_eq!(b.payments[0].amount, b.amount_due);
    assert_eq!(a.points().await.unwrap().available, 0);
    a.cancel_booking(&b.id, None).await.unwrap();
    let p = a.points().await.unwrap();
    assert_eq!(p.available, 500, "redeemed points return");
    assert!(p.available >= 0);
}

on_engines!(
    #[tokio::test]
    pending_bookings_can_be_paid_later_or_lapse
);
async fn pending_bookings_can_be_paid_later_or_lapse(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, None)).await.unwrap();
    assert_eq!(b.status, BookingStatus::Pending);
    assert_eq!(sold(&a, &o), 1, "a pending booking holds its seat");
    let paid = a
        .pay_booking(&b.id, Card::new(VISA, "12/30"), None)
        .await
        .unwrap();
    assert_eq!(paid.status, BookingStatus::Confirmed);
    let err = a
        .pay_booking(&b.id, Card::new(VISA, "12/30"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let o2 = offer(&a).await;
    let unpaid = a.create_booking(request(&o2.id, None)).await.unwrap();
    drop(a);
    let later = at(&kept, "2026-11-25T13:00:00Z");
    let lapsed = later.get_booking(&unpaid.id).await.unwrap();
    assert_eq!(lapsed.status, BookingStatus::Cancelled);
    assert!(lapsed.history.last().unwrap().reason.contains("not paid"));
}

on_engines!(
    #[tokio::test]
    fifty_buyers_for_the_last_ten_seats
);
async fn fifty_buyers_for_the_last_ten_seats(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let seg = &o.slices[0].segments[0];
    common::execute(
        &a,
        "INSERT INTO flight_inventory(flight_key, cabin, dep_date, capacity, sold) VALUES ($1, 'economy', $2, 10, 0)",
        &[&seg.flight_key(), &seg.departing_at.date().to_string()],
    );
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let a = a.as_user(&format!("usr_buyer{i}"));
        a.store()
            .read(|u| {
                u.users()
                    .ensure_user(a.user(), &format!("b{i}@example.com"), 0)
            })
            .unwrap();
        let id = o.id.clone();
        tasks.spawn(async move { a.create_booking(request(&id, Some(VISA))).await });
    }
    let mut ok = 0;
    let mut sold_out = 0;
    while let Some(r) = tasks.join_next().await {
        match r.unwrap() {
            Ok(b) => {
                assert_eq!(b.status, BookingStatus::Confirmed);
                ok += 1;
            }
            Err(e) => {
                assert!(e.to_string().contains("sold out"), "{e}");
                sold_out += 1;
            }
        }
    }
    assert_eq!((ok, sold_out), (10, 40));
    assert_eq!(sold(&a, &o), 10);
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'"
        ),
        10
    );
}

on_engines!(
    #[tokio::test]
    package_booking_completes_and_can_be_reviewed_once
);
async fn package_booking_completes_and_can_be_reviewed_once(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let pkgs = a.search_packages(&Default::default()).await.unwrap();
    let id = pkgs.packages[0].id.clone();
    let detail = a.get_package(&id).await.unwrap();
    let dep = detail
        .departures
        .iter()
        .find(|d| d.slots_left >= 2)
        .unwrap()
        .clone();
    let mut two = vec![ada(), ada()];
    two[1].given_name = "Charles".into();
    two[1].family_name = "Babbage".into();
    let req = BookingRequest {
        items: vec![ItemRequest::Package {
            package_id: id.clone(),
            date: dep.date,
        }],
        passengers: two,
        contact_email: "ada@example.com".into(),
        contact_phone: None,
        payment: PaymentInput {
            card: card(VISA),
            points: 0,
        },
        idempotency_key: None,
    };
    let b = a.create_booking(req).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(b.total.minor, dep.price.minor * 2);
    let after = a.get_package(&id).await.unwrap();
    let left = after
        .departures
        .iter()
        .find(|d| d.date == dep.date)
        .unwrap()
        .slots_left;
    assert_eq!(left, dep.slots_left - 2);
    let err = a.review(&b.id, 5, "Wonderful").await.unwrap_err();
    assert!(
        err.to_string().contains("once the trip is completed"),
        "{err}"
    );
    drop(a);
    // A year later the trip is over: the sweep completes it and awards points.
    let later = at(&kept, "2028-01-15T12:00:00Z");
    let done = later.get_booking(&b.id).await.unwrap();
    assert_eq!(done.status, BookingStatus::Completed);
    let before = later.get_package(&id).await.unwrap().summary.review_count;
    let r = later
        .review(&b.id, 4, "Great guides, long bus rides")
        .await
        .unwrap();
    assert_eq!(r.rating, 4);
    assert_eq!(
        later.get_package(&id).await.unwrap().summary.review_count,
        before + 1
    );
    assert!(
        later
            .review(&b.id, 5, "again")
            .await
            .unwrap_err()
            .to_string()
            .contains("already reviewed")
    );
    let p = later.points().await.unwrap();
    assert_eq!(p.total, 500 + 100 + 50);
    let err = later.cancel_booking(&b.id, None).await.unwrap_err();
    assert!(err.to_string().contains("COMPLETED"));
}

on_engines!(
    #[tokio::test]
    flight_and_hotel_in_one_booking_export_a_calendar_a_parser_accepts
);
async fn flight_and_hotel_in_one_booking_export_a_calendar_a_parser_accepts(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let mut hq =
        booksygo_core::search::HotelQuery::new("NYC", date("2027-03-14"), date("2027-03-18"));
    hq.limit = Some(1);
    let h = a.search_hotels(&hq).await.unwrap().offers.remove(0);
    let mut r = request(&o.id, Some(VISA));
    r.items.push(ItemRequest::Offer {
        offer_id: h.id.clone(),
    });
    let b = a.create_booking(r).await.unwrap();
    assert_eq!(b.items.len(), 2);
    assert_eq!(b.total.minor, o.total().minor + h.total().minor);
    assert_eq!(b.ends_on, date("2027-03-18"));
    let ics = a.booking_calendar(&b.id).await.unwrap();
    let parsed: icalendar::Calendar = ics.parse().expect("a valid RFC 5545 calendar");
    let events: Vec<_> = parsed
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 2, "one flight segment and one stay");
    assert!(ics.contains("DTSTART:20270314T"));
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20270314") && ics.contains("DTEND;VALUE=DATE:20270318")
    );
    assert!(ics.lines().all(|l| l.len() <= 75));
    // The hotel's deadline is its own local time, said with its offset.
    let quote = a.quote_cancellation(&b.id).await.unwrap();
    assert!(
        quote
            .rules
            .iter()
            .any(|r| r.ends_with("free cancellation until 13 Mar 14:00 (UTC-05:00)")),
        "{:?}",
        quote.rules
    );
    let receipt = a.booking_receipt(&b.id).await.unwrap();
    assert!(receipt.contains(&b.confirmation_code) && !receipt.contains("visa 4242"));
    assert!(receipt.contains("visa **** 4242"));
}

on_engines!(
    #[tokio::test]
    a_late_evening_departure_starts_on_its_own_day
);
async fn a_late_evening_departure_starts_on_its_own_day(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    // Los Angeles is UTC-7 in March: an evening departure is the next day in UTC.
    let q = FlightQuery::one_way("LAX", "SYD", date("2027-03-14"));
    let offers = a.search_flights(&q).await.unwrap().offers;
    let late = offers
        .iter()
        .find(|o| {
            let leaves = &o.slices[0].segments[0].departing_at;
            leaves.date() != leaves.timestamp().to_zoned(jiff::tz::TimeZone::UTC).date()
        })
        .expect("an evening departure from LAX");
    let b = a
        .create_booking(request(&late.id, Some(VISA)))
        .await
        .unwrap();
    assert_eq!(b.starts_on, date("2027-03-14"));
    let t = a
        .create_trip(&booksygo_core::trips::NewTrip {
            name: "Sydney".into(),
            starts_on: None,
            ends_on: None,
            budget: None,
        })
        .await
        .unwrap();
    let t = a.add_to_trip(&t.id, &b.id).await.unwrap();
    assert_eq!(t.starts_on, Some(date("2027-03-14")));
    assert_eq!(t.timeline[0].date, date("2027-03-14"));
}

on_engines!(
    #[tokio::test]
    trips_group_bookings_against_a_budget
);
async fn trips_group_bookings_against_a_budget(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    let t = a
        .create_trip(&booksygo_core::trips::NewTrip {
            name: "New York, March".into(),
            starts_on: None,
            ends_on: None,
            budget: Some(booksygo_core::model::Money::eur(1000_00)),
        })
        .await
        .unwrap();
    let t = a.add_to_trip(&t.id, &b.id).await.unwrap();
    assert_eq!(t.spent, b.total);
    assert_eq!(t.remaining.unwrap().minor, 1000_00 - b.total.minor);
    assert_eq!(t.timeline.len(), 1);
    assert_eq!(t.starts_on, Some(date("2027-03-14")));
    let cal = a.trip_calendar(&t.id).await.unwrap();
    assert!(cal.contains("BEGIN:VEVENT"));
    assert_eq!(
        a.get_trip("trp_nope").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // A budget in yen counts a booking in euros at the FX table's rate, and a cancelled
    // non-refundable fare at what was kept of it (the taxes came back, the fare did not).
    let mut q = FlightQuery::one_way("LHR", "CDG", date("2027-03-14"));
    q.max_stops = Some(0);
    q.filters.airlines = vec!["BA".into()];
    let short = a.search_flights(&q).await.unwrap().offers.remove(0);
    let kept = a
        .create_booking(request(&short.id, Some(VISA)))
        .await
        .unwrap();
    let yen = booksygo_core::model::Currency::parse("JPY").unwrap();
    let t = a
        .create_trip(&booksygo_core::trips::NewTrip {
            name: "Paris, in yen".into(),
            starts_on: None,
            ends_on: None,
            budget: Some(booksygo_core::model::Money::new(300_000, yen)),
        })
        .await
        .unwrap();
    a.add_to_trip(&t.id, &b.id).await.unwrap();
    let t = a.add_to_trip(&t.id, &kept.id).await.unwrap();
    let in_yen = |m| a.fx().convert(m, yen).unwrap().minor;
    assert_eq!(t.spent.minor, in_yen(b.total) + in_yen(kept.total));
    let cancelled = a.cancel_booking(&kept.id, None).await.unwrap();
    assert_eq!(cancelled.refunded, kept.tax);
    let t = a.get_trip(&t.id).await.unwrap();
    let fare =
        booksygo_core::model::Money::new(kept.total.minor - kept.tax.minor, kept.total.currency);
    assert_eq!(t.spent.minor, in_yen(b.total) + in_yen(fare));
    // A currency without a rate is refused: nothing could be counted against it.
    let e = a
        .create_trip(&booksygo_core::trips::NewTrip {
            name: "Nowhere".into(),
            starts_on: None,
            ends_on: None,
            budget: Some(booksygo_core::model::Money::new(
                100,
                booksygo_core::model::Currency::parse("XAF").unwrap(),
            )),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

on_engines!(
    #[tokio::test]
    another_travellers_booking_is_not_found
);
async fn another_travellers_booking_is_not_found(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    let eve = a.as_user("usr_eve");
    eve.store()
        .read(|u| u.users().ensure_user("usr_eve", "eve@example.com", 0))
        .unwrap();
    assert_eq!(
        eve.get_booking(&b.id).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        eve.cancel_booking(&b.id, None).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(eve.list_bookings(None).await.unwrap().is_empty());
}

on_engines!(
    #[tokio::test]
    modify_a_name_or_move_the_flight
);
async fn modify_a_name_or_move_the_flight(engine: &str) {
    use booksygo_core::booking::desk::Modification;
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    let renamed = a
        .modify_booking(
            &b.id,
            Modification::PassengerName {
                passenger: 1,
                given_name: "Augusta Ada".into(),
                family_name: "King".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.passengers[0].family_name, "King");
    let err = a
        .modify_booking(
            &b.id,
            Modification::PassengerName {
                passenger: 2,
                given_name: "X".into(),
                family_name: "Y".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    // Move a week later: the old seat comes back, the new one is taken, the difference settles.
    let moved = a
        .modify_booking(
            &b.id,
            Modification::FlightDate {
                date: date("2027-03-21"),
                card: card(VISA),
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.status, BookingStatus::Confirmed);
    assert_eq!(moved.starts_on, date("2027-03-21"));
    assert_eq!(sold(&a, &o), 0, "old seat released");
    let new_offer: FlightOffer = serde_json::from_value(moved.items[0].details.clone()).unwrap();
    assert_eq!(new_offer.slices[0].departing_at.date(), date("2027-03-21"));
    assert_eq!(sold(&a, &new_offer), 1);
    let paid: i64 = moved
        .payments
        .iter()
        .filter(|p| p.status == "succeeded")
        .map(|p| p.amount.minor)
        .sum();
    assert_eq!(
        paid - moved.refunded.minor,
        moved.total.minor,
        "money in equals the new total"
    );
    let err = a
        .modify_booking(
            &b.id,
            Modification::FlightDate {
                date: date("2027-03-21"),
                card: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already leaves"));
}

/// A card network that answers only when the test says so.
struct SlowCards {
    go: tokio::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
    started: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl booksygo_core::booking::payment::PaymentProvider for SlowCards {
    fn name(&self) -> &str {
        "slow"
    }
    async fn charge(
        &self,
        _: booksygo_core::model::Money,
        _: &Card,
        key: &str,
    ) -> booksygo_core::Result<booksygo_core::booking::payment::ChargeOutcome> {
        self.started.notify_one();
        if let Some(rx) = self.go.lock().await.take() {
            let _ = rx.await;
        }
        Ok(booksygo_core::booking::payment::ChargeOutcome::Succeeded {
            reference: format!("ch_slow_{key}"),
        })
    }
    async fn confirm(
        &self,
        r: &str,
    ) -> booksygo_core::Result<booksygo_core::booking::payment::ChargeOutcome> {
        Ok(booksygo_core::booking::payment::ChargeOutcome::Succeeded {
            reference: r.into(),
        })
    }
    async fn refund(
        &self,
        r: &str,
        _: booksygo_core::model::Money,
        _: &str,
    ) -> booksygo_core::Result<String> {
        Ok(format!("re_{r}"))
    }
}

on_engines!(
    #[tokio::test]
    a_charge_that_lands_after_a_cancel_is_refunded
);
async fn a_charge_that_lands_after_a_cancel_is_refunded(engine: &str) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let cards = std::sync::Arc::new(SlowCards {
        go: tokio::sync::Mutex::new(Some(rx)),
        started: tokio::sync::Notify::new(),
    });
    let c2 = cards.clone();
    let (_d, a) = agency_on(engine, move |o| o.payments = c2);
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, None)).await.unwrap();
    let payer = a.clone();
    let id = b.id.clone();
    let paying =
        tokio::spawn(async move { payer.pay_booking(&id, Card::new(VISA, "12/30"), None).await });
    cards.started.notified().await;
    // While the card network thinks, the traveller cancels (by confirmation code).
    let cancelled = a.cancel_booking(&b.confirmation_code, None).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    tx.send(()).unwrap();
    let err = paying.await.unwrap().unwrap_err();
    assert!(err.to_string().contains("refunded"), "{err}");
    // The charge that landed is given back through the refunds owed, like any refund: once
    // paid out, the cancelled booking is REFUNDED by that amount.
    let after = a.get_booking(&b.id).await.unwrap();
    assert_eq!(after.status, BookingStatus::Refunded);
    assert_eq!(after.payments.last().unwrap().status, "refunded");
    assert_eq!(after.refunded, after.amount_due);
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM refunds WHERE status = 'succeeded' AND payment_id IS NOT NULL"
        ),
        1
    );
    assert_eq!(sold(&a, &o), 0);
}

on_engines!(
    #[tokio::test]
    an_abandoned_idempotency_key_frees_itself
);
async fn an_abandoned_idempotency_key_frees_itself(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let mut r = request(&o.id, Some(VISA));
    r.idempotency_key = Some("crashed".into());
    // A request that died half-way an hour ago left its key behind.
    common::execute(
        &a,
        &format!(
            "INSERT INTO idempotency(scope, key, user_id, request_hash, response, created_at) VALUES ('create', 'crashed', 'usr_local', 'x', 'in_progress', {})",
            common::now().as_second() - 3600
        ),
        &[],
    );
    let b = a.create_booking(r).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
}

on_engines!(
    #[tokio::test]
    a_pending_booking_cannot_move_dates
);
async fn a_pending_booking_cannot_move_dates(engine: &str) {
    use booksygo_core::booking::desk::Modification;
    let (_kept, a) = agency_on(engine, |_| {});
    let o = offer(&a).await;
    let b = a.create_booking(request(&o.id, None)).await.unwrap();
    let err = a
        .modify_booking(
            &b.id,
            Modification::FlightDate {
                date: date("2027-03-21"),
                card: card(VISA),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(sold(&a, &o), 1, "nothing changed");
}

/// Cards whose refunds fail while `down` is set.
struct FlakyRefunds {
    down: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl booksygo_core::booking::payment::PaymentProvider for FlakyRefunds {
    fn name(&self) -> &str {
        "flaky"
    }
    async fn charge(
        &self,
        _: booksygo_core::model::Money,
        _: &Card,
        key: &str,
    ) -> booksygo_core::Result<booksygo_core::booking::payment::ChargeOutcome> {
        Ok(booksygo_core::booking::payment::ChargeOutcome::Succeeded {
            reference: format!("ch_{key}"),
        })
    }
    async fn confirm(
        &self,
        r: &str,
    ) -> booksygo_core::Result<booksygo_core::booking::payment::ChargeOutcome> {
        Ok(booksygo_core::booking::payment::ChargeOutcome::Succeeded {
            reference: r.into(),
        })
    }
    async fn refund(
        &self,
        r: &str,
        _: booksygo_core::model::Money,
        _: &str,
    ) -> booksygo_core::Result<String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(booksygo_core::Error::internal("card network unreachable"));
        }
        Ok(format!("re_{r}"))
    }
}

on_engines!(
    #[tokio::test]
    a_refund_that_fails_is_owed_and_paid_later
);
async fn a_refund_that_fails_is_owed_and_paid_later(engine: &str) {
    let cards = std::sync::Arc::new(FlakyRefunds {
        down: std::sync::atomic::AtomicBool::new(true),
    });
    let c2 = cards.clone();
    let (_d, a) = agency_on(engine, move |o| o.payments = c2);
    let mut q = FlightQuery::one_way("LHR", "JFK", date("2027-03-14"));
    q.cabin = booksygo_core::model::Cabin::Business;
    q.max_stops = Some(0);
    let o = a.search_flights(&q).await.unwrap().offers.remove(0);
    let b = a.create_booking(request(&o.id, Some(VISA))).await.unwrap();
    assert_eq!(b.status, BookingStatus::Confirmed);
    let c = a.cancel_booking(&b.id, None).await.unwrap();
    assert_eq!(c.status, BookingStatus::Cancelled, "cancelled, refund owed");
    assert!(c.next_action.as_deref().unwrap().contains("refund is owed"));
    assert_eq!(
        count(&a, "SELECT count(*) FROM refunds WHERE status = 'pending'"),
        1
    );
    cards.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let later = a.get_booking(&b.id).await.unwrap();
    assert_eq!(later.status, BookingStatus::Refunded);
    assert_eq!(later.refunded, b.total);
    assert_eq!(
        count(&a, "SELECT count(*) FROM refunds WHERE status = 'pending'"),
        0
    );
}

on_engines!(
    #[tokio::test]
    a_challenge_rests_on_its_count_and_goes_with_a_cancelled_booking
);
async fn a_challenge_rests_on_its_count_and_goes_with_a_cancelled_booking(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let frequent = |list: Vec<booksygo_core::points::Challenge>| {
        list.into_iter()
            .find(|c| c.id.starts_with("frequent_booker:"))
            .unwrap()
    };
    let mut booked = Vec::new();
    for _ in 0..3 {
        let o = offer(&a).await;
        booked.push(a.create_booking(request(&o.id, Some(VISA))).await.unwrap());
    }
    let c = frequent(a.challenges().await.unwrap());
    assert_eq!((c.progress, c.goal, c.completed), (3, 3, true));
    assert_eq!(a.points().await.unwrap().total, 500 + 300);

    // The second booking earned nothing itself, but without it the challenge falls short.
    let quote = a.quote_cancellation(&booked[1].id).await.unwrap();
    assert_eq!(quote.points_clawed_back, 300);
    a.cancel_booking(&booked[1].id, None).await.unwrap();
    let c = frequent(a.challenges().await.unwrap());
    assert_eq!((c.progress, c.completed), (2, false));
    let p = a.points().await.unwrap();
    assert_eq!((p.total, p.available), (500, 500));

    // Booking again completes it again, and pays again.
    let o = offer(&a).await;
    booked.push(a.create_booking(request(&o.id, Some(VISA))).await.unwrap());
    let c = frequent(a.challenges().await.unwrap());
    assert_eq!((c.progress, c.completed), (3, true));
    assert_eq!(a.points().await.unwrap().total, 800);

    // With four live, cancelling one keeps it: the count still meets the goal.
    let o = offer(&a).await;
    booked.push(a.create_booking(request(&o.id, Some(VISA))).await.unwrap());
    let quote = a.quote_cancellation(&booked[2].id).await.unwrap();
    assert_eq!(quote.points_clawed_back, 0);
    a.cancel_booking(&booked[2].id, None).await.unwrap();
    assert!(frequent(a.challenges().await.unwrap()).completed);
    assert_eq!(a.points().await.unwrap().total, 800);
}
