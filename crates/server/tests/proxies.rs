//! Limits by client address on a real loopback server, with and without a trusted reverse
//! proxy in front: a client cannot forge its address with `X-Forwarded-For`, clients behind
//! a trusted proxy are limited apart, and one account's failed logins do not lock the other
//! accounts of the same address.

mod common;

use booksygo_core::accounts::{LOGIN_WINDOW_SECONDS, MAX_LOGIN_ATTEMPTS};
use booksygo_core::proxies::TrustedProxies;
use booksygo_server::AppState;
use common::{PASSWORD, sign_up, state};
use serde_json::json;

/// A server on loopback (peer 127.0.0.1 for every request of the test) with `trusted`
/// proxies and `accounts` registered; its base URL.
async fn server(
    trusted: &[&str],
    accounts: &[&str],
    searches_per_minute: u32,
) -> (String, tempfile::TempDir) {
    let (dir, mut s): (_, AppState) = state();
    for email in accounts {
        sign_up(&s, email, "A", "B").await;
    }
    s.trusted_proxies = std::sync::Arc::new(TrustedProxies::parse(trusted).unwrap());
    s.search_limit = std::sync::Arc::new(booksygo_server::auth::RateLimit::per_minute(
        searches_per_minute,
    ));
    let (base, _) = common::serve(s).await;
    (base, dir)
}

/// A login as `email` with `password`, the request carrying `headers`.
async fn login(
    base: &str,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": email, "password": password}));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

/// An anonymous package search carrying `headers`; its status.
async fn search(base: &str, headers: &[(&str, &str)]) -> u16 {
    let mut req = reqwest::Client::new().get(format!("{base}/api/packages?text=trek"));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap().status().as_u16()
}

/// A 429 with a `Retry-After` within the login window, and the JSON error.
async fn assert_limited(res: reqwest::Response) {
    assert_eq!(res.status().as_u16(), 429);
    let wait: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=LOGIN_WINDOW_SECONDS).contains(&wait),
        "Retry-After {wait}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
}

#[tokio::test]
async fn forged_forwarding_headers_from_an_untrusted_peer_are_ignored() {
    // No trusted proxy: 127.0.0.1 is the client, whatever its headers say.
    let (base, _d) = server(&[], &["ada@example.com"], 6).await;
    for i in 0..MAX_LOGIN_ATTEMPTS {
        let forged = format!("203.0.113.{i}");
        let res = login(
            &base,
            "ada@example.com",
            "wrong password!",
            &[
                ("x-forwarded-for", &forged),
                ("forwarded", &format!("for={forged}")),
            ],
        )
        .await;
        assert_eq!(res.status().as_u16(), 401);
    }
    // Had the forged addresses counted, this would be a sixth address's first attempt.
    let res = login(
        &base,
        "ada@example.com",
        PASSWORD,
        &[("x-forwarded-for", "198.51.100.77")],
    )
    .await;
    assert_limited(res).await;
    // Anonymous search (two at once, then one every ten seconds): one budget for all the
    // forged addresses.
    assert_eq!(
        search(&base, &[("x-forwarded-for", "192.0.2.1")]).await,
        200
    );
    assert_eq!(
        search(&base, &[("x-forwarded-for", "192.0.2.2")]).await,
        200
    );
    assert_eq!(
        search(&base, &[("x-forwarded-for", "192.0.2.3")]).await,
        429
    );
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_limited_apart() {
    let (base, _d) = server(&["127.0.0.1"], &["ada@example.com"], 6).await;
    // The proxy appended the real client on the right; the client's own entry is ignored.
    let first = [("x-forwarded-for", "10.9.9.9, 203.0.113.1")];
    for _ in 0..MAX_LOGIN_ATTEMPTS {
        let res = login(&base, "ada@example.com", "wrong password!", &first).await;
        assert_eq!(res.status().as_u16(), 401);
    }
    assert_limited(login(&base, "ada@example.com", PASSWORD, &first).await).await;
    // Another client of the same proxy (here named by RFC 7239's header) still gets in.
    let second = [("forwarded", r#"for="[2001:db8::2]:4711";proto=https"#)];
    let res = login(&base, "ada@example.com", PASSWORD, &second).await;
    assert_eq!(res.status().as_u16(), 200);
    // Anonymous search budgets are per client too.
    let third = [("x-forwarded-for", "203.0.113.3")];
    assert_eq!(search(&base, &third).await, 200);
    assert_eq!(search(&base, &third).await, 200);
    assert_eq!(search(&base, &third).await, 429);
    let fourth = [("x-forwarded-for", "203.0.113.4")];
    assert_eq!(search(&base, &fourth).await, 200);
}

#[tokio::test]
async fn one_accounts_failures_do_not_lock_the_other_accounts_of_an_address() {
    let (base, _d) = server(&[], &["ada@example.com", "bob@example.com"], 300).await;
    for _ in 0..MAX_LOGIN_ATTEMPTS {
        let res = login(&base, "ada@example.com", "wrong password!", &[]).await;
        assert_eq!(res.status().as_u16(), 401);
    }
    let locked = login(&base, "ada@example.com", PASSWORD, &[]).await;
    assert_limited(locked).await;
    // Bob shares the address (a household, an office): his login goes through.
    let res = login(&base, "bob@example.com", PASSWORD, &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["access_token"].is_string(), "{body}");
}
