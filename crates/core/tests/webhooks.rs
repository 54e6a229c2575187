//! Outgoing webhooks go to public addresses only: internal ones are refused when a
//! subscription is created and again at delivery, unless an admin allows the host.

mod common;

use booksygo_core::ErrorKind;
use booksygo_core::LocalAgency;
use booksygo_core::webhooks::{self, Allow, Courier};
use common::{agency, agency_with};
use tokio::sync::mpsc;

fn admin(a: &LocalAgency) -> String {
    booksygo_core::accounts::register(
        &a.store().conn().unwrap(),
        "root@team.test",
        "correct horse battery",
        "Root",
        "Admin",
        "admin",
        0,
    )
    .unwrap()
    .id
}

/// A receiver on 127.0.0.1: its port, and every body it was sent.
async fn receiver() -> (u16, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                tx.send(body).unwrap();
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, rx)
}

#[tokio::test]
async fn internal_addresses_are_refused_when_a_webhook_is_created() {
    let (_d, a) = agency();
    let root = admin(&a);
    let team = a.team();
    for (url, kind) in [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:22/", "loopback"),
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://2130706433/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://172.16.0.9/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("http://[fd00:ec2::254]/latest", "private"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://100.100.100.200/latest", "shared"),
        ("http://0.0.0.0:8080/hook", "unspecified"),
        ("http://[::]/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://[ff02::1]/hook", "multicast"),
        // A name that resolves inside is refused like the address.
        ("http://localhost:9/hook", "loopback"),
    ] {
        let e = team.create_webhook(&root, url, &[]).await.expect_err(url);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{url}: {e}");
        let text = e.to_string();
        assert!(
            text.contains("public addresses") && text.contains(kind),
            "{url}: {text}"
        );
        assert!(
            text.contains("server.webhook_allow"),
            "the fix is named: {text}"
        );
    }
    assert!(team.webhooks(&root).await.unwrap().is_empty());

    // A public address is accepted (no connection is made at creation).
    let w = team
        .create_webhook(&root, "https://93.184.216.34/hook", &[])
        .await
        .unwrap();
    assert!(w.secret.is_some());

    // Who asks comes first: a traveller is forbidden, whatever the address.
    let ada = booksygo_core::accounts::register(
        &a.store().conn().unwrap(),
        "ada@team.test",
        "correct horse battery",
        "Ada",
        "L",
        "user",
        0,
    )
    .unwrap()
    .id;
    let e = team
        .create_webhook(&ada, "http://169.254.169.254/", &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
}

#[tokio::test]
async fn the_allow_list_lets_the_named_host_and_port_through() {
    let (_d, a) = agency_with(|o| {
        o.webhook_allow = Allow::parse("127.0.0.1:8080, localhost, [::1]:9000").unwrap();
    });
    let root = admin(&a);
    let team = a.team();
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost:1234/hook",
        "http://[::1]:9000/hook",
    ] {
        team.create_webhook(&root, url, &[]).await.expect(url);
    }
    for url in [
        "http://127.0.0.1:8081/hook",
        "http://[::1]:9001/hook",
        "http://169.254.169.254/",
    ] {
        let e = team.create_webhook(&root, url, &[]).await.expect_err(url);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{url}: {e}");
    }
}

#[test]
fn the_allow_list_is_read_from_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[server]\nwebhook_allow = \"hooks.internal:8443, 10.0.0.7\"\n",
    )
    .unwrap();
    let s =
        booksygo_core::config::Settings::load(&booksygo_core::config::Paths::in_dir(dir.path()))
            .unwrap();
    assert_eq!(
        Allow::from_settings(&s).unwrap(),
        Allow::parse("hooks.internal:8443,10.0.0.7").unwrap()
    );
    let e = Allow::parse("hooks.internal:http").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_refuses_a_host_that_now_resolves_inside() {
    let (_d, a) = agency();
    let root = admin(&a);
    let (port, mut got) = receiver().await;
    let store = a.store().clone();
    // Stored as it was accepted earlier: a name that now resolves to loopback.
    let url = format!("http://localhost:{port}/hook");
    webhooks::create(&store.conn().unwrap(), &root, &url, &["*".into()], 0).unwrap();
    booksygo_core::events::emit(
        &store.conn().unwrap(),
        "test.ping",
        "s1",
        None,
        &serde_json::json!({"n": 1}),
        0,
    )
    .unwrap();
    let t0 = 1_900_000_000;

    let r = Courier::new().deliver_due(&store, t0).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    assert!(got.try_recv().is_err(), "nothing reached the receiver");
    let w = &webhooks::list(&store.conn().unwrap(), &root).unwrap()[0];
    let why = w.last_error.as_deref().unwrap();
    assert!(why.contains("loopback"), "{why}");
    assert_eq!(w.failures, 1);

    // The same receiver, allowed by name: the event arrives (the refusal was the rule).
    let r = Courier::with_allow(Allow::parse("localhost").unwrap())
        .deliver_due(&store, t0 + 10)
        .await
        .unwrap();
    assert_eq!((r.delivered, r.failed), (1, 0));
    assert!(got.recv().await.unwrap().contains("test.ping"));
}
