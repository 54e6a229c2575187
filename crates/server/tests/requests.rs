//! What a hostile client can do with one request: forge log lines through `x-request-id`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use booksygo_server::{AppState, app};
use common::state;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Everything the server logs while the test runs (the subscriber is this thread's).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// `/healthz` with `x-request-id: id`; the id the answer carries.
async fn with_request_id(s: &AppState, id: &str) -> String {
    let res = app(s.clone())
        .oneshot(
            Request::builder()
                .uri("/healthz")
                .header("x-request-id", id)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()["x-request-id"].to_str().unwrap().to_string()
}

fn is_safe_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[tokio::test]
async fn request_ids_are_short_and_safe_and_logged_quoted() {
    let (_d, s) = state();
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // A short safe id is kept, and logged quoted.
    let max = "A".repeat(60) + "._-9";
    for id in ["trace-42", "abc.DEF_1-2", max.as_str()] {
        assert_eq!(with_request_id(&s, id).await, id);
        assert!(
            logs.text().contains(&format!("request_id=\"{id}\"")),
            "{}",
            logs.text()
        );
    }
    // The reproduction: an id that forges the rest of a log line is replaced.
    let forged = "abc method=DELETE route=/api/admin/users status=200";
    let given = with_request_id(&s, forged).await;
    assert_ne!(given, forged);
    assert!(is_safe_id(&given), "{given}");
    assert!(
        !logs.text().contains("route=/api/admin/users"),
        "{}",
        logs.text()
    );
    // Too long, or with characters outside [A-Za-z0-9._-]: a fresh id.
    let long = "a".repeat(65);
    let huge = "a".repeat(8000);
    for id in [
        long.as_str(),
        huge.as_str(),
        "a\"b",
        "a/b",
        "id with spaces",
        "é",
    ] {
        let given = with_request_id(&s, id).await;
        assert_ne!(given, id);
        assert!(is_safe_id(&given), "{given}");
        assert!(logs.text().contains(&format!("request_id=\"{given}\"")));
    }
    assert!(!logs.text().contains(&long));
}
