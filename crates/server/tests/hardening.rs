//! What a hostile anonymous client can do to search: a query of thousands of words is
//! refused at once (it used to run for minutes and stall the server), health checks answer
//! while such queries arrive, and anonymous search is rate-limited per address.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use booksygo_server::{AppState, app};
use common::{sign_up, state};
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_package_queries_are_refused_while_health_checks_answer() {
    let (_d, s) = state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(booksygo_server::serve(listener, s, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    // The reproduction: `a ` a thousand times (2 KB), eight at once.
    let long = "a ".repeat(1000);
    let attacks: Vec<_> = (0..8)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/api/packages"));
            let text = long.clone();
            tokio::spawn(async move {
                client
                    .get(url)
                    .query(&[("text", text)])
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    for attack in attacks {
        let res = attack.await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("use at most 200"),
            "{body}"
        );
    }
    // Many distinct short words within the length limit: refused by the word limit.
    let words: String = (b'a'..=b'z')
        .map(|c| format!("{} ", c as char))
        .collect::<String>();
    let res = client
        .get(format!("{base}/api/packages"))
        .query(&[("text", words)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 8"),
        "{body}"
    );
    // An ordinary search still works, short words included.
    let res = client
        .get(format!("{base}/api/packages"))
        .query(&[("text", "trek in the himalaya")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The largest offset there is is refused with a clear message, not a database error.
    let res = client
        .get(format!("{base}/api/packages?offset=18446744073709551615"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("is too far"), "{body}");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

async fn search_from(s: &AppState, ip: [u8; 4], token: Option<&str>) -> axum::response::Response {
    let mut req = Request::builder().uri("/api/packages?text=trek");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    app(s.clone()).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn anonymous_search_is_rate_limited_per_address() {
    let (_d, mut s) = state();
    // Six a minute: bursts of two, then one every ten seconds.
    s.search_limit = std::sync::Arc::new(booksygo_server::auth::RateLimit::per_minute(6));
    let me = [127, 0, 0, 2];
    assert_eq!(search_from(&s, me, None).await.status(), StatusCode::OK);
    assert_eq!(search_from(&s, me, None).await.status(), StatusCode::OK);
    let limited = search_from(&s, me, None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "Retry-After {wait}");
    let body = axum::body::to_bytes(limited.into_body(), 1 << 20)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another address has its own budget.
    assert_eq!(
        search_from(&s, [127, 0, 0, 3], None).await.status(),
        StatusCode::OK
    );
    // A forged token counts as anonymous; a real one is not limited.
    assert_eq!(
        search_from(&s, me, Some("not.a.token")).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let tokens = sign_up(&s, "ada@example.com", "Ada", "L").await;
    let token = tokens["access_token"].as_str().unwrap();
    for _ in 0..5 {
        assert_eq!(
            search_from(&s, me, Some(token)).await.status(),
            StatusCode::OK
        );
    }
}
