//! The permission table (core's `roles`) as a matrix over every signed-in route of the OpenAPI
//! document and every role: a route that needs a permission answers 403 to the roles without
//! it and something else to the roles with it; every other route refuses no role. Then what
//! the roles change, over HTTP: a premium member's free date change, member prices on
//! packages, and partners' sales reports.

mod common;

use axum::http::StatusCode;
use booksygo_core::roles::{Permission, can};
use common::{PASSWORD, call, send, state};
use serde_json::{Value, json};

/// The permission a route needs, as the README's table says.
fn needs(method: &str, path: &str) -> Option<Permission> {
    if path.starts_with("/api/admin/")
        || path == "/api/analytics/dashboard"
        || path == "/api/analytics/reports"
    {
        Some(Permission::Administer)
    } else if path == "/api/packages" && matches!(method, "POST" | "PUT") {
        Some(Permission::ManageOwnPackages)
    } else if path == "/api/partner/sales" {
        Some(Permission::SalesReport)
    } else {
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signed_in_route_refuses_exactly_the_roles_the_table_says() {
    let (dir, s) = state();
    let local = common::local(dir.path());
    let accounts = local.accounts();
    let mut tokens = Vec::new();
    for role in booksygo_core::accounts::ROLES {
        let email = format!("{role}@example.com");
        accounts
            .create_account(&email, PASSWORD, "A", "B", role)
            .await
            .unwrap();
        let login = json!({"email": email, "password": PASSWORD}).to_string();
        let (st, t) = call(&s, "POST", "/api/auth/login", Some(&login)).await;
        assert_eq!(st, StatusCode::OK, "{t}");
        tokens.push((*role, t["access_token"].as_str().unwrap().to_string()));
    }
    let (_, doc) = call(&s, "GET", "/api/openapi.json", None).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            // Streams never end: their access is the same extractor as any signed-in route.
            if op["responses"]["200"]["content"]
                .get("text/event-stream")
                .is_some()
            {
                continue;
            }
            let method = method.to_ascii_uppercase();
            let uri = path.replace("{id}", "nothing_here");
            let body = op.get("requestBody").map(|_| "{}");
            for (role, token) in &tokens {
                // The role is checked before the body is read: `{}` is enough to tell.
                let (st, bytes) = send(&s, &method, &uri, Some(token), body, None).await;
                let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let refused = st == StatusCode::FORBIDDEN;
                let allowed = needs(&method, path).is_none_or(|p| can(role, p));
                assert_eq!(
                    refused, !allowed,
                    "{method} {path} as {role}: {st} {answer}"
                );
                if refused {
                    assert_eq!(answer["error"]["code"], "forbidden", "{answer}");
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked > 40 * 4,
        "{checked} checks: the matrix covers every route"
    );
}

/// An account of `role` on the server's database, signed in: its id and access token.
async fn signed_in(
    s: &booksygo_server::AppState,
    local: &booksygo_core::LocalAgency,
    email: &str,
    role: &str,
) -> (String, String) {
    let p = local
        .accounts()
        .create_account(email, PASSWORD, "A", "B", role)
        .await
        .unwrap();
    let login = json!({"email": email, "password": PASSWORD}).to_string();
    let (st, t) = call(s, "POST", "/api/auth/login", Some(&login)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    (p.id, t["access_token"].as_str().unwrap().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_to_a_date_change_says_whether_the_fee_was_waived() {
    use booksygo_core::Agency;
    let (dir, s) = state();
    let local = common::local(dir.path());
    for role in ["user", "premium"] {
        let (id, token) = signed_in(&s, &local, &format!("{role}@example.com"), role).await;
        let me = local.as_user(&id);
        let mut q = booksygo_core::search::FlightQuery::one_way(
            "LHR",
            "JFK",
            "2027-03-14".parse().unwrap(),
        );
        q.max_stops = Some(0);
        q.sort = booksygo_core::search::FlightSort::Price;
        q.filters.airlines = vec!["BA".into()];
        let offer = me.search_flights(&q).await.unwrap().offers.remove(0);
        let fee = offer.conditions.change_before_departure.fee().unwrap();
        let body = json!({
            "selected_offers": [offer.id],
            "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
            "contact_email": "ada@example.com",
            "payment": {"method": "card", "card_number": "4242424242424242", "expiry": "12/30"}
        });
        let (st, b) = common::call_auth(
            &s,
            "POST",
            "/api/bookings",
            &token,
            Some(&body.to_string()),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let change = json!({"change": "flight_date", "date": "2027-03-21",
            "card": {"number": "4242424242424242", "expiry": "12/30"}});
        let (st, moved) = common::call_auth(
            &s,
            "POST",
            &format!("/api/bookings/{}/modify", b["id"].as_str().unwrap()),
            &token,
            Some(&change.to_string()),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{moved}");
        let first = &moved["date_changes"][0];
        assert_eq!(first["number"], 1, "{moved}");
        assert_eq!(first["to"], "2027-03-21");
        if role == "premium" {
            assert_eq!(first["change_fee"]["amount"], "0.00", "{first}");
            assert_eq!(first["fee_waived"]["amount"], fee.decimal(), "{first}");
            assert_eq!(first["waived_for"], "premium");
        } else {
            assert_eq!(first["change_fee"]["amount"], fee.decimal(), "{first}");
            assert!(first.get("fee_waived").is_none(), "{first}");
            assert!(first.get("waived_for").is_none(), "{first}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_see_member_prices_over_http_and_others_the_public_ones() {
    let (dir, s) = state();
    let local = common::local(dir.path());
    let (_, premium) = signed_in(&s, &local, "premium@example.com", "premium").await;
    let (_, user) = signed_in(&s, &local, "user@example.com", "user").await;
    let (st, list) = call(&s, "GET", "/api/packages?limit=5", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let id = list["packages"][0]["id"].as_str().unwrap().to_string();
    for (who, token, member) in [
        ("anonymous", None, false),
        ("a bad token", Some("not.a.token"), false),
        ("user", Some(user.as_str()), false),
        ("premium", Some(premium.as_str()), true),
    ] {
        for uri in [
            "/api/packages?limit=5".to_string(),
            format!("/api/packages/{id}"),
            "/api/packages/featured".to_string(),
        ] {
            let (st, bytes) = send(&s, "GET", &uri, token, None, None).await;
            assert_eq!(st, StatusCode::OK, "{who} {uri}");
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            let first = if uri.contains('?') {
                &v["packages"][0]
            } else if uri.ends_with("featured") {
                &v[0]
            } else {
                &v
            };
            assert_eq!(
                first["member_price"].is_object(),
                member,
                "{who} {uri}: {first}"
            );
            if uri.ends_with(&id) {
                assert_eq!(
                    v["departures"][0]["member_price"].is_object(),
                    member,
                    "{who}: {v}"
                );
            }
        }
        let (st, bytes) = send(
            &s,
            "POST",
            "/api/search/packages",
            token,
            Some(r#"{"limit": 3}"#),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{who}");
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            v["packages"][0]["member_price"].is_object(),
            member,
            "{who}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_read_their_own_sales_over_http() {
    use booksygo_core::Agency;
    let (dir, s) = state();
    let local = common::local(dir.path());
    let (pat_id, pat) = signed_in(&s, &local, "pat@example.com", "partner").await;
    let (other_id, other) = signed_in(&s, &local, "other@example.com", "partner").await;
    let (_, admin) = signed_in(&s, &local, "admin@example.com", "admin").await;
    let (user_id, user) = signed_in(&s, &local, "user@example.com", "user").await;
    let (_, premium) = signed_in(&s, &local, "premium@example.com", "premium").await;
    // Each partner adds a package (their own copy of a catalogue one); a traveller books both.
    let fixture = booksygo_core::fixtures::packages().unwrap().remove(0);
    let date = fixture.departures[0].date;
    for (owner, token, id) in [
        (&pat_id, &pat, "pkg_pat_own"),
        (&other_id, &other, "pkg_other_own"),
    ] {
        let mut spec = fixture.clone();
        spec.id = id.into();
        spec.slug = id.replace('_', "-");
        spec.featured = false;
        spec.rating = 0.0;
        spec.review_count = 0;
        let (st, v) = common::call_auth(
            &s,
            "POST",
            "/api/packages",
            token,
            Some(&serde_json::to_string(&spec).unwrap()),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{owner}: {v}");
        let mut r = booksygo_core::booking::BookingRequest {
            items: vec![booksygo_core::booking::ItemRequest::Package {
                package_id: id.into(),
                date,
            }],
            passengers: vec![],
            contact_email: "ada@example.com".into(),
            contact_phone: None,
            payment: booksygo_core::booking::PaymentInput {
                card: Some(booksygo_core::booking::payment::Card::new(
                    "4242424242424242",
                    "12/30",
                )),
                points: 0,
            },
            idempotency_key: None,
        };
        r.passengers = vec![
            serde_json::from_value(json!({
                "given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10"
            }))
            .unwrap(),
        ];
        local.as_user(&user_id).create_booking(r).await.unwrap();
    }
    let day = "2026-11-25";
    let uri = format!("/api/partner/sales?from={day}&to={day}");
    let (st, mine) = common::call_auth(&s, "GET", &uri, &pat, None, None).await;
    assert_eq!(st, StatusCode::OK, "{mine}");
    assert_eq!(mine["partner"], pat_id.as_str());
    let ids: Vec<&str> = mine["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["pkg_pat_own"], "only their own: {mine}");
    assert_eq!(mine["totals"]["bookings"], 1);
    assert_eq!(mine["totals"]["travellers"], 1);
    assert!(mine["totals"]["revenue"]["EUR"].is_string(), "{mine}");
    // Without dates: the last 30 days, today included.
    let (st, recent) = common::call_auth(&s, "GET", "/api/partner/sales", &pat, None, None).await;
    assert_eq!(st, StatusCode::OK, "{recent}");
    assert_eq!(recent["totals"], mine["totals"]);
    // Another partner's: 403 for a partner, allowed to an admin.
    let theirs = format!("{uri}&partner={other_id}");
    let (st, e) = common::call_auth(&s, "GET", &theirs, &pat, None, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    let (st, seen) = common::call_auth(&s, "GET", &theirs, &admin, None, None).await;
    assert_eq!(st, StatusCode::OK, "{seen}");
    assert_eq!(seen["packages"][0]["package_id"], "pkg_other_own");
    // Travellers, premium or not: 403; nobody signed in: 401.
    for token in [&user, &premium] {
        let (st, e) = common::call_auth(&s, "GET", &uri, token, None, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        assert_eq!(e["error"]["code"], "forbidden");
    }
    let (st, _) = call(&s, "GET", &uri, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // Bad dates and unknown fields: 4xx, with the reason.
    for bad in [
        "/api/partner/sales?from=2026-13-01&to=2026-11-25",
        "/api/partner/sales?from=2026-11-26&to=2026-11-25",
        "/api/partner/sales?from=2024-01-01&to=2026-11-25",
        "/api/partner/sales?since=2026-11-01",
    ] {
        let (st, e) = common::call_auth(&s, "GET", bad, &pat, None, None).await;
        assert!(
            st.is_client_error() && st != StatusCode::FORBIDDEN,
            "{bad}: {st} {e}"
        );
        assert!(e["error"]["message"].is_string(), "{bad}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_client_gets_what_its_role_gives() {
    use booksygo_core::remote::{self, RemoteAgency};
    use booksygo_core::{Agency, ErrorKind};
    let (dir, s) = state();
    let local = common::local(dir.path());
    for (email, role) in [
        ("premium@example.com", "premium"),
        ("pat@example.com", "partner"),
        ("user@example.com", "user"),
    ] {
        local
            .accounts()
            .create_account(email, PASSWORD, "A", "B", role)
            .await
            .unwrap();
    }
    let (url, server) = common::serve(s).await;
    let client = |email: &'static str| {
        let url = url.clone();
        async move {
            let session = remote::login(&url, email, PASSWORD).await.unwrap();
            RemoteAgency::new(session, None, None).unwrap()
        }
    };
    let (premium, pat, user) = (
        client("premium@example.com").await,
        client("pat@example.com").await,
        client("user@example.com").await,
    );
    let id = local.featured_packages(1).await.unwrap()[0].id.clone();
    let seen = premium.get_package(&id).await.unwrap();
    assert!(seen.summary.member_price.is_some());
    assert!(seen.departures.iter().all(|d| d.member_price.is_some()));
    let plain = user.get_package(&id).await.unwrap();
    assert!(plain.summary.member_price.is_none());

    let day: jiff::civil::Date = "2026-11-25".parse().unwrap();
    let q = booksygo_core::sales::SalesQuery::new(day, day, None).unwrap();
    let mine = pat.partner_sales(&q).await.unwrap();
    assert_eq!(mine.totals.bookings, 0);
    assert!(mine.packages.is_empty());
    assert_eq!(
        user.partner_sales(&q).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    let other = booksygo_core::sales::SalesQuery::new(day, day, Some("usr_else".into())).unwrap();
    assert_eq!(
        pat.partner_sales(&other).await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    server.abort();
}
