//! Notifications over HTTP: the inbox, marking read, preferences, the account's language, the
//! admins' list of e-mails given up on and their retry, with e-mail going to a real SMTP server
//! on loopback (aiosmtpd); and a served server that welcomes a new account by e-mail on its own.

mod common;

#[path = "../../../tests/smtp/sink.rs"]
mod sink;

use axum::http::StatusCode;
use booksygo_core::LocalAgency;
use booksygo_core::notify::Notifier;
use booksygo_core::notify::mail::Mailer;
use booksygo_server::AppState;
use common::{call, call_auth, sign_up};
use serde_json::json;
use sink::Sink;

fn agency(dir: &std::path::Path, sink: &Sink) -> LocalAgency {
    let mut o = common::options(dir);
    o.notifier = Notifier::new(Some(
        Mailer::new(&sink.url(), "BooksyGo <trips@team.test>", None).unwrap(),
    ));
    LocalAgency::open(o).unwrap()
}

fn token(login: &serde_json::Value) -> String {
    login["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_inbox_preferences_and_language_over_http() {
    let sink = Sink::start();
    let dir = tempfile::tempdir().unwrap();
    let local = agency(dir.path(), &sink);
    let state = AppState::new(local.clone());
    let ada = token(&sign_up(&state, "ada@example.com", "Ada", "Lovelace").await);

    // The language and zone are the account's; a wrong one is refused, saying what works.
    let (st, p) = call_auth(
        &state,
        "PUT",
        "/api/users/profile",
        &ada,
        Some(r#"{"locale":"es","time_zone":"Europe/Madrid"}"#),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        (p["locale"].as_str(), p["time_zone"].as_str()),
        (Some("es"), Some("Europe/Madrid"))
    );
    for (body, says) in [
        (r#"{"locale":"xx"}"#, "en, es, fr, de"),
        (r#"{"time_zone":"Mars/Olympus"}"#, "IANA"),
    ] {
        let (st, e) = call_auth(&state, "PUT", "/api/users/profile", &ada, Some(body), None).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains(says), "{e}");
    }

    // The welcome, in Spanish, by e-mail and in the inbox.
    let round = local.deliver_notifications().unwrap();
    assert_eq!((round.noticed, round.sent), (1, 1), "{round:?}");
    let mail = &sink.messages()[0];
    assert_eq!(mail["headers"]["Subject"], "Bienvenido a BooksyGo");
    assert_eq!(mail["rcpt_tos"][0], "ada@example.com");

    let (st, inbox) = call_auth(&state, "GET", "/api/notifications", &ada, None, None).await;
    assert_eq!(st, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["unread"], 1);
    assert_eq!(inbox["notices"][0]["kind"], "welcome");
    assert_eq!(inbox["notices"][0]["subject"], "Bienvenido a BooksyGo");
    let id = inbox["notices"][0]["id"].as_str().unwrap().to_string();

    // New notices also come on the traveller's event stream.
    let stream = {
        use futures_util::StreamExt;
        use tower::ServiceExt;
        let req = axum::http::Request::builder()
            .uri("/api/events/stream?after=0")
            .header("authorization", format!("Bearer {ada}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let res = booksygo_server::app(state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let mut body = res.into_body().into_data_stream();
        let mut text = String::new();
        // Everything already in the outbox comes at once; the timeout only guards a hang.
        while !text.contains("event: notification.created") {
            match tokio::time::timeout(std::time::Duration::from_secs(10), body.next()).await {
                Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => break,
            }
        }
        text
    };
    assert!(stream.contains("event: notification.created"), "{stream}");
    assert!(stream.contains(&id), "{stream}");

    let read = format!("/api/notifications/{id}/read");
    let (st, m) = call_auth(&state, "POST", &read, &ada, None, None).await;
    assert_eq!((st, m), (StatusCode::OK, json!({"marked": 1})));
    let (_, m) = call_auth(&state, "POST", &read, &ada, None, None).await;
    assert_eq!(m, json!({"marked": 0}));
    let (_, m) = call_auth(
        &state,
        "POST",
        "/api/notifications/read-all",
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(m, json!({"marked": 0}));
    let (st, e) = call_auth(
        &state,
        "POST",
        "/api/notifications/ntc_nope/read",
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    let (st, inbox) = call_auth(
        &state,
        "GET",
        "/api/notifications?unread=true",
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(
        (st, inbox["notices"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let (st, _) = call_auth(
        &state,
        "GET",
        "/api/notifications?limit=lots",
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // Another account sees none of it.
    let grace = token(&sign_up(&state, "grace@example.com", "Grace", "Hopper").await);
    let (st, _) = call_auth(&state, "POST", &read, &grace, None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = call(&state, "GET", "/api/notifications", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // Preferences: every kind, one changed; a wrong kind or channel is a 400 naming the choices.
    let (st, prefs) = call_auth(
        &state,
        "GET",
        "/api/notifications/preferences",
        &ada,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(prefs.as_array().unwrap().len(), 7);
    let (st, prefs) = call_auth(
        &state,
        "PUT",
        "/api/notifications/preferences",
        &ada,
        Some(r#"{"kind":"refund","channel":"none"}"#),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{prefs}");
    assert!(
        prefs
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "refund", "channel": "none"}))
    );
    for body in [
        r#"{"kind":"gossip","channel":"none"}"#,
        r#"{"kind":"refund","channel":"pigeon"}"#,
        r#"{"kind":"refund"}"#,
        r#"{"kind":"refund","channel":"none","extra":1}"#,
    ] {
        let (st, e) = call_auth(
            &state,
            "PUT",
            "/api/notifications/preferences",
            &ada,
            Some(body),
            None,
        )
        .await;
        assert!(st.is_client_error(), "{body}: {st} {e}");
        assert!(e["error"].is_object() || e["error"].is_string(), "{e}");
    }
}

#[tokio::test]
async fn admins_see_and_retry_the_emails_given_up_on() {
    let sink = Sink::start();
    let dir = tempfile::tempdir().unwrap();
    let local = agency(dir.path(), &sink);
    let state = AppState::new(local.clone());
    let bounced = token(&sign_up(&state, "bounce@example.com", "B", "Ounce").await);
    let r = local.deliver_notifications().unwrap();
    assert_eq!(r.failed, 1, "{r:?}");

    let (st, _) = call_auth(
        &state,
        "GET",
        "/api/admin/notifications/failed",
        &bounced,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    local
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                "root@team.test",
                common::PASSWORD,
                "R",
                "T",
                "admin",
                0,
            )
        })
        .unwrap();
    let admin = {
        let login = json!({"email": "root@team.test", "password": common::PASSWORD});
        let (_, t) = call(&state, "POST", "/api/auth/login", Some(&login.to_string())).await;
        token(&t)
    };
    let (st, failed) = call_auth(
        &state,
        "GET",
        "/api/admin/notifications/failed",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{failed}");
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
    assert_eq!(failed[0]["status"], "failed");
    assert_eq!(failed[0]["to"], "bounce@example.com");
    assert!(failed[0]["last_error"].as_str().unwrap().contains("550"));

    let id = failed[0]["id"].as_str().unwrap();
    let (st, _) = call_auth(
        &state,
        "POST",
        &format!("/api/admin/notifications/{id}/retry"),
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, e) = call_auth(
        &state,
        "POST",
        "/api/admin/notifications/ntc_nope/retry",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    // Tried again (with the admin's own welcome), refused again, listed again.
    let r = local.deliver_notifications().unwrap();
    assert_eq!((r.sent, r.failed), (1, 1), "{r:?}");
}

#[tokio::test]
async fn a_served_server_welcomes_a_new_account_by_email_on_its_own() {
    let sink = Sink::start();
    let dir = tempfile::tempdir().unwrap();
    let remote = common::Remote::serve(AppState::new(agency(dir.path(), &sink))).await;
    let (st, body) = remote
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(json!({"email": "new@example.com", "password": common::PASSWORD, "first_name": "N", "last_name": "U"})),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    // The server's notifier runs every second: wait for its e-mail (no timing is asserted).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sink.messages().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no welcome e-mail within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["headers"]["Subject"], "Welcome to BooksyGo");
    assert_eq!(mails[0]["headers"]["Content-Language"], "en");
}
