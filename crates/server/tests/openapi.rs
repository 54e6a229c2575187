//! The served OpenAPI document against the router that serves it, on a loopback port: every
//! documented operation is routed, a documented path serves no method the document leaves out,
//! every path in the server's source is documented, the documented security matches what the
//! handlers ask for, and every schema the document references is defined.

mod common;

use common::Remote;
use serde_json::Value;

/// Methods probed on every documented path (HEAD and OPTIONS follow GET and CORS).
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// The router has no such route (as opposed to a handler that refused the request).
fn unrouted(status: u16, body: &Value) -> bool {
    status == 405
        || (status == 404
            && body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("no route"))
}

/// Every path literal in the server's source (`/...` without spaces), but the document's own
/// `/components/...` pointers.
fn source_paths() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(
                    text.split('"')
                        .skip(1)
                        .step_by(2)
                        .filter(|s| {
                            s.starts_with('/')
                                && !s.starts_with("/components")
                                && !s.contains(char::is_whitespace)
                        })
                        .map(str::to_string),
                );
            }
        }
    }
    let mut paths = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut paths,
    );
    paths.sort();
    paths.dedup();
    paths
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_and_the_router_agree() {
    let (_d, state) = common::state();
    let api = Remote::serve(state).await;
    let (status, doc) = api.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = doc["paths"].as_object().unwrap();
    assert!(documented.len() > 40, "{:?}", documented.keys());

    for p in source_paths() {
        assert!(
            documented.contains_key(&p),
            "{p} is in the server's source but not documented"
        );
    }

    let mut operations = 0;
    for (path, item) in documented {
        let item = item.as_object().unwrap();
        let uri = path.replace("{id}", "x_1");
        for method in METHODS {
            let (status, body) = api
                .call(
                    &method.to_uppercase(),
                    &uri,
                    None,
                    Some(serde_json::json!({})),
                )
                .await;
            let Some(op) = item.get(method) else {
                assert_eq!(
                    status, 405,
                    "{method} {path} is routed but not documented ({status} {body})"
                );
                continue;
            };
            operations += 1;
            assert!(
                op["responses"].is_object(),
                "{method} {path} has no responses"
            );
            assert!(
                !unrouted(status, &body),
                "{method} {path} is documented but not routed ({status} {body})"
            );
            // The document's security is what the handler asks for.
            let asks_to_log_in = status == 401 && body["error"]["code"] == "auth_required";
            assert_eq!(
                op.get("security").is_some(),
                asks_to_log_in,
                "{method} {path}: documented security {:?}, anonymous answer {status} {body}",
                op.get("security")
            );
        }
        assert!(
            item.keys().all(|m| METHODS.contains(&m.as_str())),
            "{path} documents a method that is not probed: {:?}",
            item.keys()
        );
    }
    assert!(operations > 60, "{operations} operations");

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
