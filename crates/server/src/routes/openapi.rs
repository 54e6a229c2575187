//! `GET /api/openapi.json`: an OpenAPI 3.1 document of every route in [`super::table`], with
//! the request and response schemas generated from the Rust types the handlers use
//! (schemars), so the document follows the code. A test checks it against the served router.

use super::route::{Access, Answer, Route};
use axum::{Extension, Json};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Serves the document the router built from its table ([`super::router`] hands it over as an
/// extension: the table names this handler, so the handler does not name the table).
pub async fn document(Extension(doc): Extension<Arc<Value>>) -> Json<Value> {
    Json(Value::clone(&doc))
}

/// The OpenAPI document of `routes`.
pub(super) fn build(routes: &[Route]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    let mut paths = Map::new();
    for route in routes {
        paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("a path item is an object")
            .insert(
                route.verb.as_str().to_string(),
                operation(route, &mut generator),
            );
    }
    let mut schemas: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    schemas.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "invalid_input, not_found, auth_required, forbidden, conflict, suppliers_failed, unavailable, malformed_json, body_too_large, ..."},
                    "message": {"type": "string"},
                    "suggestions": {"type": "array", "items": {"type": "string"}}
                }
            }}
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "BooksyGo team server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Search, book and pay for travel as a team. Errors are {\"error\":{\"code\",\"message\"}} with the matching status."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
        }
    })
}

/// One route as an OpenAPI operation; its schemas are written into `generator`.
fn operation(route: &Route, generator: &mut SchemaGenerator) -> Value {
    let mut o = Map::new();
    o.insert("tags".into(), json!([route.tag]));
    o.insert("summary".into(), json!(route.summary));
    o.insert(
        "operationId".into(),
        json!(format!(
            "{}_{}",
            route.verb.as_str(),
            route
                .path
                .trim_start_matches('/')
                .replace(['/', '{', '}', '-', '.'], "_")
        )),
    );
    let mut params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    if let Some(q) = route.query.map(|q| q(generator)) {
        let required: Vec<&str> = q
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, schema) in q
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            params.push(json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": schema}));
        }
    }
    if !params.is_empty() {
        o.insert("parameters".into(), Value::Array(params));
    }
    if let Some(b) = route.body.map(|b| b(generator)) {
        o.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": b}}}),
        );
    }
    if route.access == Access::SignedIn {
        o.insert("security".into(), json!([{"bearer": []}]));
    }
    let mut responses = Map::new();
    match route.answer {
        Answer::Json(status, schema) => {
            responses.insert(status.to_string(), json!({"description": "OK", "content": {"application/json": {"schema": schema(generator)}}}));
        }
        Answer::Text(mime) => {
            responses.insert(
                "200".into(),
                json!({"description": "OK", "content": {mime: {"schema": {"type": "string"}}}}),
            );
        }
        Answer::Stream => {
            responses.insert("200".into(), json!({"description": "Server-Sent Events", "content": {"text/event-stream": {"schema": {"type": "string"}}}}));
        }
        Answer::Empty(status) => {
            responses.insert(status.to_string(), json!({"description": "Done"}));
        }
        Answer::Unstated => unreachable!("the table does not compile with an unstated answer"),
    }
    responses.insert(
        "default".into(),
        json!({
            "description": "An error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }),
    );
    o.insert("responses".into(), Value::Object(responses));
    Value::Object(o)
}
