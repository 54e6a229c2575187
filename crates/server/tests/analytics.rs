//! Analytics over HTTP: a client reports events (202, or a 4xx JSON error naming what is
//! wrong), an admin reads the report in JSON and CSV, a traveller may not, and `/metrics`
//! carries the business counters.

mod common;

use axum::http::StatusCode;
use common::{call, call_auth, call_text, local, sign_up, state};
use serde_json::json;

#[tokio::test]
async fn events_in_reports_out() {
    let (dir, s) = state();
    let ada = sign_up(&s, "ada@example.com", "Ada", "Lovelace").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let events = json!({"events": [
        {"name": "search", "route": "LHR-JFK", "provider": "sandbox"},
        {"name": "search", "route": "LHR-JFK", "provider": "sandbox"},
        {"name": "offer_viewed", "route": "LHR-JFK", "provider": "sandbox"}
    ]});
    let (st, body) = call_auth(
        &s,
        "POST",
        "/api/analytics/events",
        &ada,
        Some(&events.to_string()),
        None,
    )
    .await;
    assert_eq!((st, body), (StatusCode::ACCEPTED, json!({"accepted": 3})));
    for (bad, status) in [
        (
            json!({"events": [{"name": "purchase"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"events": [{"name": "search", "secret": 1}]}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"events": []}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"nope": []}), StatusCode::BAD_REQUEST),
    ] {
        let (st, e) = call_auth(
            &s,
            "POST",
            "/api/analytics/events",
            &ada,
            Some(&bad.to_string()),
            None,
        )
        .await;
        assert_eq!(st, status, "{bad}: {e}");
        assert!(e["error"]["message"].is_string(), "{e}");
    }
    let (st, _) = call(
        &s,
        "POST",
        "/api/analytics/events",
        Some(&events.to_string()),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // A traveller may not read reports; an admin may, in JSON or CSV.
    let (st, _) = call_auth(&s, "GET", "/api/analytics/reports", &ada, None, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    booksygo_core::accounts::register(
        &local(dir.path()).store().conn().unwrap(),
        "root@team.test",
        common::PASSWORD,
        "R",
        "T",
        "admin",
        0,
    )
    .unwrap();
    let login = json!({"email": "root@team.test", "password": common::PASSWORD});
    let (_, t) = call(&s, "POST", "/api/auth/login", Some(&login.to_string())).await;
    let admin = t["access_token"].as_str().unwrap().to_string();
    let (st, report) = call_auth(
        &s,
        "GET",
        "/api/analytics/reports?from=2026-11-01&to=2026-11-25&group_by=route",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{report}");
    assert_eq!(report["totals"]["searches"], 2);
    assert_eq!(report["totals"]["offer_views"], 1);
    assert_eq!(report["groups"][0]["key"], "LHR-JFK");
    assert_eq!(report["funnel"][1]["rate"], 0.5);
    // Without dates: the last 30 days, by day.
    let (_, last30) = call_auth(&s, "GET", "/api/analytics/reports", &admin, None, None).await;
    assert_eq!(last30["groups"].as_array().unwrap().len(), 30);
    assert_eq!(last30["to"], "2026-11-25");

    let (st, csv) = call_text(
        &s,
        "GET",
        "/api/analytics/reports?from=2026-11-25&to=2026-11-25&group_by=provider&format=csv",
        &admin,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(csv.starts_with("group,searches,"), "{csv}");
    assert!(csv.contains("\nsandbox,2,1,"), "{csv}");
    for (query, says) in [
        ("group_by=month", "day, week, route or provider"),
        ("from=2026-12-01&to=2026-11-01", "after"),
        ("from=yesterday", "YYYY-MM-DD"),
        ("format=xml", "json or csv"),
        ("from=2020-01-01&to=2026-11-25", "at most 366 days"),
    ] {
        let (st, e) = call_auth(
            &s,
            "GET",
            &format!("/api/analytics/reports?{query}"),
            &admin,
            None,
            None,
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert!(e.to_string().contains(says), "{query}: {e}");
    }

    // The business counters.
    let (_, metrics) = call_text(&s, "GET", "/metrics", &admin, None).await;
    assert!(
        metrics.contains("booksygo_searches{provider=\"sandbox\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("# TYPE booksygo_revenue gauge"),
        "{metrics}"
    );
}
