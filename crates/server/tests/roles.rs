//! The permission table (core's `roles`) as a matrix over every signed-in route of the OpenAPI
//! document and every role: a route that needs a permission answers 403 to the roles without
//! it and something else to the roles with it; every other route refuses no role.

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
