//! Analytics on both engines: client events kept all or none within their limits, and the
//! report's funnel, money and groups computed from them and from real bookings.

mod common;

use booksygo_core::analytics::{ClientEvent, ClientEvents, GroupBy, ReportQuery};
use booksygo_core::{Agency, ErrorKind, LocalAgency};
use common::{agency_on, on_engines};

fn event(name: &str, route: Option<&str>, provider: Option<&str>) -> ClientEvent {
    ClientEvent {
        name: name.into(),
        route: route.map(str::to_string),
        provider: provider.map(str::to_string),
        package: None,
        at: None,
    }
}

fn batch(events: Vec<ClientEvent>) -> ClientEvents {
    ClientEvents { events }
}

fn account(a: &LocalAgency, email: &str, role: &str) -> LocalAgency {
    let email = email.to_string();
    let role = role.to_string();
    let id = a
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                &email,
                "correct horse battery",
                "A",
                "B",
                &role,
                0,
            )
        })
        .unwrap()
        .id;
    a.as_user(&id)
}

fn day(s: &str) -> jiff::civil::Date {
    s.parse().unwrap()
}

on_engines!(
    #[tokio::test]
    the_report_counts_the_funnel_money_and_groups
);
async fn the_report_counts_the_funnel_money_and_groups(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let ada = account(&a, "ada@example.com", "user");
    let admin = account(&a, "root@team.test", "admin");

    // Four searches (three on LHR-JFK), two offers viewed, one click, one booking started.
    let accepted = ada
        .track(&batch(vec![
            event("search", Some("LHR-JFK"), Some("sandbox")),
            event("search", Some("LHR-JFK"), Some("sandbox")),
            event("search", Some("LHR-JFK"), Some("duffel")),
            event("search", Some("CDG-FCO"), Some("sandbox")),
            event("offer_viewed", Some("LHR-JFK"), Some("sandbox")),
            event("offer_viewed", Some("LHR-JFK"), Some("sandbox")),
            event("offer_clicked", Some("LHR-JFK"), Some("sandbox")),
            event("booking_started", Some("LHR-JFK"), Some("sandbox")),
        ]))
        .await
        .unwrap();
    assert_eq!(accepted.accepted, 8);

    // Two bookings paid (one then cancelled with a refund), one left unpaid.
    let offer = common::ba_offer(&ada).await;
    let paid = ada
        .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
        .await
        .unwrap();
    let second = ada
        .create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
        .await
        .unwrap();
    ada.create_booking(common::ada_request(&offer.id, None))
        .await
        .unwrap();
    let cancelled = ada.cancel_booking(&second.id, None).await.unwrap();
    assert!(cancelled.refunded.minor > 0);

    let today = day("2026-11-25");
    let q = ReportQuery::new(today, today, GroupBy::Route).unwrap();
    let report = a
        .store()
        .read(|u| booksygo_core::analytics::report(u, admin.user(), &q))
        .unwrap();
    let t = &report.totals;
    assert_eq!(
        (
            t.searches,
            t.offer_views,
            t.offer_clicks,
            t.bookings_started
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(
        (t.bookings_created, t.bookings_paid, t.cancellations),
        (3, 2, 1)
    );
    assert!((t.conversion - 0.5).abs() < 1e-9);
    let total = paid.total.minor + second.total.minor;
    let decimal = |m: i64| booksygo_core::model::Money::new(m, paid.total.currency).decimal();
    assert_eq!(t.revenue["EUR"], decimal(total));
    assert_eq!(t.average_booking_value["EUR"], decimal(total / 2));
    assert_eq!(t.refunds["EUR"], decimal(cancelled.refunded.minor));
    let steps: Vec<(&str, i64)> = report
        .funnel
        .iter()
        .map(|s| (s.step.as_str(), s.count))
        .collect();
    assert_eq!(
        steps,
        [
            ("search", 4),
            ("offer_viewed", 2),
            ("booking_created", 3),
            ("paid", 2)
        ]
    );
    assert_eq!(report.funnel[3].rate, Some(2.0 / 3.0));
    let keys: Vec<&str> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["CDG-FCO", "LHR-JFK"]);
    assert_eq!(report.groups[1].figures.searches, 3);
    assert_eq!(report.groups[1].figures.bookings_paid, 2);
    assert_eq!(report.top_routes[0].name, "LHR-JFK");
    assert_eq!(report.top_routes[0].bookings, 2);

    let by_provider = a
        .store()
        .read(|u| {
            booksygo_core::analytics::report(
                u,
                admin.user(),
                &ReportQuery::new(today, today, GroupBy::Provider).unwrap(),
            )
        })
        .unwrap();
    let duffel = by_provider
        .groups
        .iter()
        .find(|g| g.key == "duffel")
        .unwrap();
    assert_eq!(duffel.figures.searches, 1);

    // A week of days shows every day, empty ones too; weeks are ISO weeks.
    let week = ReportQuery::new(day("2026-11-19"), today, GroupBy::Day).unwrap();
    let by_day = a.analytics_report(&week).await.unwrap();
    assert_eq!(by_day.groups.len(), 7);
    assert_eq!(by_day.groups[6].key, "2026-11-25");
    assert_eq!(by_day.groups[0].figures.searches, 0);
    let by_week = a
        .analytics_report(&ReportQuery::new(day("2026-11-19"), today, GroupBy::Week).unwrap())
        .await
        .unwrap();
    let weeks: Vec<&str> = by_week.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(weeks, ["2026-W47", "2026-W48"]);

    // CSV: a header, one row per group and currency, then TOTAL.
    let csv = booksygo_core::analytics::to_csv(&report);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("group,searches,"));
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[2].starts_with("LHR-JFK,3,2,1,1,3,2,"), "{csv}");
    assert!(lines[3].starts_with("TOTAL,4,"), "{csv}");

    // Only admins read reports.
    let refused = a
        .store()
        .read(|u| booksygo_core::analytics::report(u, ada.user(), &q))
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden);
}

on_engines!(
    #[tokio::test]
    client_events_are_kept_all_or_none_within_their_limits
);
async fn client_events_are_kept_all_or_none_within_their_limits(engine: &str) {
    let (_kept, a) = agency_on(engine, |_| {});
    let ada = account(&a, "ada@example.com", "user");
    let kept = |a: &LocalAgency| common::texts(a, "SELECT COUNT(*) || '' FROM tracked_events", &[]);

    let mut late = event("search", None, None);
    late.at = Some("2026-11-20T12:00:00Z".into());
    let mut ahead = event("search", None, None);
    ahead.at = Some("2026-11-25T13:00:00Z".into());
    let mut garbled = event("search", None, None);
    garbled.at = Some("yesterday".into());
    for (bad, says) in [
        (batch(vec![]), "1 to 100"),
        (
            batch((0..101).map(|_| event("search", None, None)).collect()),
            "1 to 100",
        ),
        (
            batch(vec![
                event("search", None, None),
                event("purchase", None, None),
            ]),
            "search, offer_viewed",
        ),
        (batch(vec![event("search", Some("LHR JFK"), None)]), "route"),
        (
            batch(vec![event("search", None, Some(&"x".repeat(33)))]),
            "provider",
        ),
        (batch(vec![late]), "a day old"),
        (batch(vec![ahead]), "a day old"),
        (batch(vec![garbled]), "RFC 3339"),
    ] {
        let e = ada.track(&bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(says), "{e} (wanted {says})");
    }
    assert_eq!(kept(&a), ["0"]);

    let mut recent = event("offer_viewed", Some("LHR-JFK"), None);
    recent.at = Some("2026-11-25T11:00:00Z".into());
    ada.track(&batch(vec![recent])).await.unwrap();
    for _ in 1..booksygo_core::analytics::BATCHES_PER_HOUR {
        ada.track(&batch(vec![event("search", None, None)]))
            .await
            .unwrap();
    }
    let e = ada
        .track(&batch(vec![event("search", None, None)]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited, "{e}");
    assert_eq!(
        kept(&a),
        [booksygo_core::analytics::BATCHES_PER_HOUR.to_string()]
    );
    // Another account has its own budget.
    let grace = account(&a, "grace@example.com", "user");
    grace
        .track(&batch(vec![event("search", None, None)]))
        .await
        .unwrap();
}
