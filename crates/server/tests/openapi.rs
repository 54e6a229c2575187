//! The OpenAPI document covers every route of the router, invents none, and every schema it
//! references is defined.

mod common;

use axum::http::StatusCode;
use booksygo_core::LocalAgency;
use booksygo_core::LocalOptions;
use booksygo_core::config::Paths;
use booksygo_server::AppState;
use serde_json::Value;

async fn send(state: &AppState, method: &str, uri: &str) -> (StatusCode, Value) {
    common::call(state, method, uri, Some("{}")).await
}

/// Every path literal the router is built from.
fn router_paths() -> Vec<String> {
    let source = [
        include_str!("../src/routes/mod.rs"),
        include_str!("../src/lib.rs"),
    ]
    .concat();
    let mut paths: Vec<String> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.contains(' '))
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let dir = tempfile::tempdir().unwrap();
    let state =
        AppState::new(LocalAgency::open(LocalOptions::new(Paths::in_dir(dir.path()))).unwrap());
    let (status, doc) = send(&state, "GET", "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = doc["paths"].as_object().unwrap();

    let in_router = router_paths();
    assert!(in_router.len() > 40, "{in_router:?}");
    for p in &in_router {
        assert!(
            documented.contains_key(p),
            "{p} is routed but not documented"
        );
    }

    for (path, item) in documented {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].is_object(),
                "{method} {path} has no responses"
            );
            let uri = path.replace("{id}", "x_1");
            let (status, body) = send(&state, &method.to_uppercase(), &uri).await;
            let no_route = status == StatusCode::METHOD_NOT_ALLOWED
                || (status == StatusCode::NOT_FOUND
                    && body["error"]["message"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("no route"));
            assert!(
                !no_route,
                "{method} {path} is documented but not routed ({status})"
            );
        }
    }

    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in text.split("#/components/schemas/").skip(1) {
        let name: String = name
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            schemas.contains_key(&name),
            "{name} is referenced but not defined"
        );
    }
    // Money is never a float on the wire.
    assert_eq!(schemas["Money"]["properties"]["amount"]["type"], "string");
}
