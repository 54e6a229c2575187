//! `GET /api/openapi.json`: an OpenAPI 3.1 document of every route, with the request and
//! response schemas generated from the Rust types the handlers use (schemars), so the document
//! follows the code. A test checks that every route of the router is in it.

use super::{accounts, admin, ai, bookings, events, packages, payments, search};
use axum::Json;
use booksygo_core::agency::{CalendarDay, CalendarQuery, Destination, ExploreQuery, MarketInfo};
use booksygo_core::booking::service::{Modification, Review};
use booksygo_core::booking::{Booking, RefundQuote};
use booksygo_core::model::package::PackageSpec;
use booksygo_core::model::{FlightOffer, HotelOffer, PlaceSuggestion};
use booksygo_core::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use booksygo_core::profile::{Preferences, Profile, ProfileUpdate};
use booksygo_core::search::packages::{
    Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary,
};
use booksygo_core::trips::{NewTrip, Trip};
use booksygo_core::webhooks::Webhook;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

pub async fn document() -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(build).clone())
}

/// What an operation answers with.
enum Answer {
    Json(u16, Schema),
    Text(&'static str),
    Stream,
    Empty(u16),
}

struct Op {
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    auth: bool,
    query: Option<Schema>,
    body: Option<Schema>,
    answer: Answer,
}

struct Doc {
    generator: SchemaGenerator,
    ops: Vec<Op>,
}

impl Doc {
    fn schema<T: JsonSchema>(&mut self) -> Schema {
        self.generator.subschema_for::<T>()
    }

    /// The object schema of a query-parameter struct, inlined (its properties become
    /// parameters).
    fn inline<T: JsonSchema>(&mut self) -> Schema {
        self.generator.root_schema_for::<T>()
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        method: &'static str,
        path: &'static str,
        tag: &'static str,
        summary: &'static str,
        auth: bool,
        query: Option<Schema>,
        body: Option<Schema>,
        answer: Answer,
    ) {
        self.ops.push(Op {
            method,
            path,
            tag,
            summary,
            auth,
            query,
            body,
            answer,
        });
    }
}

fn build() -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut d = Doc {
        generator: settings.into_generator(),
        ops: Vec::new(),
    };
    use Answer::*;

    // Operations.
    d.add(
        "get",
        "/healthz",
        "operations",
        "Liveness",
        false,
        None,
        None,
        Json(200, json_object()),
    );
    d.add(
        "get",
        "/readyz",
        "operations",
        "Readiness: the database answers",
        false,
        None,
        None,
        Json(200, json_object()),
    );
    d.add(
        "get",
        "/metrics",
        "operations",
        "Prometheus metrics (text)",
        false,
        None,
        None,
        Text("text/plain"),
    );
    d.add(
        "get",
        "/api/openapi.json",
        "operations",
        "This document",
        false,
        None,
        None,
        Json(200, json_object()),
    );
    let info = d.schema::<MarketInfo>();
    d.add(
        "get",
        "/api/info",
        "operations",
        "What the server's market holds",
        false,
        None,
        None,
        Json(200, info),
    );

    // Search.
    let (q, r) = (
        d.inline::<search::Suggest>(),
        d.schema::<Vec<PlaceSuggestion>>(),
    );
    d.add(
        "get",
        "/api/search/suggestions",
        "search",
        "Airports and cities matching what was typed",
        false,
        Some(q),
        None,
        Json(200, r),
    );
    let (b, r) = (
        d.schema::<search::FlightSearch>(),
        d.schema::<search::Offers<FlightOffer>>(),
    );
    d.add(
        "post",
        "/api/search/flights",
        "search",
        "Flight offers (Duffel's offer-request shape)",
        false,
        None,
        Some(b.clone()),
        Json(200, r),
    );
    d.add(
        "post",
        "/api/search/flights/stream",
        "search",
        "The same search as Server-Sent Events: `provider` per supplier, then `done` (or `error`)",
        false,
        None,
        Some(b),
        Stream,
    );
    let (b, r) = (d.schema::<CalendarQuery>(), d.schema::<Vec<CalendarDay>>());
    d.add(
        "post",
        "/api/search/flights/calendar",
        "search",
        "Cheapest fare per day",
        false,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, r) = (d.schema::<ExploreQuery>(), d.schema::<Vec<Destination>>());
    d.add(
        "post",
        "/api/search/flights/explore",
        "search",
        "Cheapest destinations from an origin in a month",
        false,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, r) = (
        d.schema::<search::HotelSearch>(),
        d.schema::<search::Offers<HotelOffer>>(),
    );
    d.add(
        "post",
        "/api/search/hotels",
        "search",
        "Hotel offers",
        false,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, r) = (d.schema::<PackageQuery>(), d.schema::<PackageResults>());
    d.add(
        "post",
        "/api/search/packages",
        "packages",
        "Package search with facets",
        false,
        None,
        Some(b),
        Json(200, r.clone()),
    );

    // Packages.
    let q = d.inline::<packages::ListParams>();
    d.add(
        "get",
        "/api/packages",
        "packages",
        "Packages: filters, facets, sort, pagination",
        false,
        Some(q),
        None,
        Json(200, r),
    );
    let (b, r) = (d.schema::<PackageSpec>(), d.schema::<PackageDetail>());
    d.add(
        "post",
        "/api/packages",
        "packages",
        "Add a package (admin, or a partner for their own)",
        true,
        None,
        Some(b.clone()),
        Json(200, r.clone()),
    );
    d.add(
        "put",
        "/api/packages",
        "packages",
        "Replace a package (admin, or its owning partner)",
        true,
        None,
        Some(b),
        Json(200, r.clone()),
    );
    d.add(
        "get",
        "/api/packages/{id}",
        "packages",
        "One package with departures and itinerary",
        false,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<Vec<PackageSummary>>();
    d.add(
        "get",
        "/api/packages/featured",
        "packages",
        "Featured packages",
        false,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<Vec<Deal>>();
    d.add(
        "get",
        "/api/packages/deals",
        "packages",
        "Departures on sale",
        false,
        None,
        None,
        Json(200, r),
    );

    // Accounts.
    let (b, r) = (d.schema::<accounts::Register>(), d.schema::<Profile>());
    d.add(
        "post",
        "/api/auth/register",
        "accounts",
        "Create an account",
        false,
        None,
        Some(b),
        Json(201, r),
    );
    let (b, r) = (
        d.schema::<accounts::Login>(),
        d.schema::<accounts::Tokens>(),
    );
    d.add(
        "post",
        "/api/auth/login",
        "accounts",
        "Log in: a 15-minute access token and a 7-day refresh token",
        false,
        None,
        Some(b),
        Json(200, r.clone()),
    );
    let b = d.schema::<accounts::Refresh>();
    d.add(
        "post",
        "/api/auth/refresh",
        "accounts",
        "Rotate the refresh token (reuse revokes the family)",
        false,
        None,
        Some(b.clone()),
        Json(200, r),
    );
    d.add(
        "post",
        "/api/auth/logout",
        "accounts",
        "End the session (revokes the refresh token family)",
        false,
        None,
        Some(b),
        Empty(204),
    );
    let (b, r) = (d.schema::<ProfileUpdate>(), d.schema::<Profile>());
    d.add(
        "get",
        "/api/users/profile",
        "accounts",
        "Your profile",
        true,
        None,
        None,
        Json(200, r.clone()),
    );
    d.add(
        "put",
        "/api/users/profile",
        "accounts",
        "Change your name, email or preferences",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let p = d.schema::<Preferences>();
    d.add(
        "get",
        "/api/users/preferences",
        "accounts",
        "Your travel preferences",
        true,
        None,
        None,
        Json(200, p.clone()),
    );
    d.add(
        "put",
        "/api/users/preferences",
        "accounts",
        "Replace your travel preferences",
        true,
        None,
        Some(p.clone()),
        Json(200, p),
    );

    // Bookings.
    let (b, r) = (d.schema::<bookings::CreateBooking>(), d.schema::<Booking>());
    d.add("post", "/api/bookings", "bookings", "Book offers or a package departure (Idempotency-Key header); without payment it stays PENDING", true, None, Some(b), Json(201, r.clone()));
    let (q, list) = (
        d.inline::<bookings::ListParams>(),
        d.schema::<Vec<Booking>>(),
    );
    d.add(
        "get",
        "/api/bookings",
        "bookings",
        "Your bookings",
        true,
        Some(q),
        None,
        Json(200, list.clone()),
    );
    d.add(
        "get",
        "/api/bookings/{id}",
        "bookings",
        "One of your bookings (another user's is 404)",
        true,
        None,
        None,
        Json(200, r.clone()),
    );
    d.add(
        "put",
        "/api/bookings/{id}/cancel",
        "bookings",
        "Cancel (refund per the fare rules; Idempotency-Key header)",
        true,
        None,
        None,
        Json(200, r.clone()),
    );
    let m = d.schema::<Modification>();
    d.add(
        "post",
        "/api/bookings/{id}/modify",
        "bookings",
        "Correct a name or move the flight date",
        true,
        None,
        Some(m),
        Json(200, r.clone()),
    );
    let pay = d.schema::<bookings::Pay>();
    d.add(
        "post",
        "/api/bookings/{id}/pay",
        "bookings",
        "Pay a PENDING booking by card (Idempotency-Key header)",
        true,
        None,
        Some(pay),
        Json(200, r.clone()),
    );
    d.add(
        "post",
        "/api/bookings/{id}/confirm-payment",
        "bookings",
        "Finish a payment the bank asked to confirm (3-D Secure)",
        true,
        None,
        None,
        Json(200, r),
    );
    let q = d.schema::<RefundQuote>();
    d.add(
        "get",
        "/api/bookings/{id}/refund-quote",
        "bookings",
        "What a cancellation would refund",
        true,
        None,
        None,
        Json(200, q),
    );
    d.add(
        "get",
        "/api/bookings/{id}/ics",
        "bookings",
        "The booking as an iCalendar file",
        true,
        None,
        None,
        Text("text/calendar"),
    );
    d.add(
        "get",
        "/api/bookings/{id}/receipt",
        "bookings",
        "A plain-text receipt",
        true,
        None,
        None,
        Text("text/plain"),
    );
    // The assistant.
    let b = d.schema::<ai::ChatBody>();
    d.add(
        "post",
        "/api/ai/chat",
        "assistant",
        "One chat turn as Server-Sent Events: `text` pieces, then `reply` (or `error`)",
        true,
        None,
        Some(b),
        Stream,
    );
    let (b, r) = (
        d.schema::<ai::RecommendBody>(),
        d.schema::<Vec<booksygo_core::ai::recommend::Recommendation>>(),
    );
    d.add(
        "post",
        "/api/ai/recommend",
        "assistant",
        "Packages ranked for you, each with a one-line reason",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, r) = (
        d.schema::<booksygo_core::ai::plan::PlanRequest>(),
        d.schema::<booksygo_core::ai::plan::Itinerary>(),
    );
    d.add(
        "post",
        "/api/ai/itinerary",
        "assistant",
        "A day-by-day plan within the budget and dates",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, r) = (
        d.schema::<ai::PredictBody>(),
        d.schema::<booksygo_core::ai::predict::Prediction>(),
    );
    d.add(
        "post",
        "/api/ai/predict-price",
        "assistant",
        "Book now or wait: trend, expected change, confidence",
        true,
        None,
        Some(b),
        Json(200, r),
    );

    // Payments.
    let (b, i) = (
        d.schema::<payments::IntentBody>(),
        d.schema::<booksygo_core::booking::PaymentIntent>(),
    );
    d.add(
        "post",
        "/api/payments/intent",
        "payments",
        "What a booking still needs paid, and how",
        true,
        None,
        Some(b),
        Json(200, i.clone()),
    );
    let b = d.schema::<payments::ConfirmBody>();
    d.add(
        "post",
        "/api/payments/confirm",
        "payments",
        "Pay the intent by card, or finish 3-D Secure (Idempotency-Key header)",
        true,
        None,
        Some(b),
        Json(200, i),
    );
    let (b, r) = (d.schema::<payments::RefundBody>(), d.schema::<Booking>());
    d.add(
        "post",
        "/api/payments/refund",
        "payments",
        "Cancel and refund per the fare rules (Idempotency-Key header)",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let r = d.schema::<booksygo_core::booking::PaymentRecord>();
    d.add(
        "get",
        "/api/payments/{id}",
        "payments",
        "One of your payment attempts",
        true,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<booksygo_core::booking::payment::webhook::WebhookOutcome>();
    d.add(
        "post",
        "/api/payments/webhook",
        "payments",
        "The payment provider's events, signed with Stripe-Signature (no session)",
        false,
        None,
        Some(json_object()),
        Json(200, r),
    );

    let (b, r) = (d.schema::<bookings::ReviewBody>(), d.schema::<Review>());
    d.add(
        "post",
        "/api/reviews",
        "bookings",
        "Review a completed booking",
        true,
        None,
        Some(b),
        Json(201, r),
    );

    // Trips.
    let (b, t, ts) = (
        d.schema::<NewTrip>(),
        d.schema::<Trip>(),
        d.schema::<Vec<Trip>>(),
    );
    d.add(
        "get",
        "/api/trips",
        "trips",
        "Your trips",
        true,
        None,
        None,
        Json(200, ts),
    );
    d.add(
        "post",
        "/api/trips",
        "trips",
        "Create a trip",
        true,
        None,
        Some(b),
        Json(201, t.clone()),
    );
    d.add(
        "get",
        "/api/trips/{id}",
        "trips",
        "One trip with its bookings",
        true,
        None,
        None,
        Json(200, t.clone()),
    );
    let b = d.schema::<bookings::AddBooking>();
    d.add(
        "post",
        "/api/trips/{id}/bookings",
        "trips",
        "Add a booking to a trip",
        true,
        None,
        Some(b),
        Json(200, t),
    );
    d.add(
        "get",
        "/api/trips/{id}/ics",
        "trips",
        "The trip as an iCalendar file",
        true,
        None,
        None,
        Text("text/calendar"),
    );

    // Gamification.
    let r = d.schema::<Balance>();
    d.add(
        "get",
        "/api/gamification/points",
        "gamification",
        "Your points and level",
        true,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<Vec<LedgerEntry>>();
    d.add(
        "get",
        "/api/gamification/history",
        "gamification",
        "Your points ledger",
        true,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<Vec<BadgeStatus>>();
    d.add(
        "get",
        "/api/gamification/badges",
        "gamification",
        "Badges earned and locked",
        true,
        None,
        None,
        Json(200, r),
    );
    let r = d.schema::<Vec<Challenge>>();
    d.add(
        "get",
        "/api/gamification/challenges",
        "gamification",
        "Challenges and progress",
        true,
        None,
        None,
        Json(200, r),
    );
    let (q, r) = (
        d.inline::<bookings::Limit>(),
        d.schema::<Vec<LeaderboardEntry>>(),
    );
    d.add(
        "get",
        "/api/gamification/leaderboard",
        "gamification",
        "The team's leaderboard",
        true,
        Some(q),
        None,
        Json(200, r),
    );

    // Events and analytics.
    let q = d.inline::<events::StreamParams>();
    d.add(
        "get",
        "/api/events/stream",
        "events",
        "Your events as Server-Sent Events (Last-Event-ID resumes)",
        true,
        Some(q),
        None,
        Stream,
    );
    let r = d.schema::<booksygo_core::analytics::Dashboard>();
    d.add(
        "get",
        "/api/analytics/dashboard",
        "admin",
        "Searches, bookings, revenue, conversion, top routes (admin)",
        true,
        None,
        None,
        Json(200, r),
    );

    // Administration.
    let r = d.schema::<Vec<Profile>>();
    d.add(
        "get",
        "/api/admin/users",
        "admin",
        "Every account (admin)",
        true,
        None,
        None,
        Json(200, r),
    );
    let (b, r) = (d.schema::<admin::RoleBody>(), d.schema::<Profile>());
    d.add(
        "put",
        "/api/admin/users/{id}/role",
        "admin",
        "Change an account's role (admin; never the last admin)",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let q = d.inline::<admin::BookingsParams>();
    d.add(
        "get",
        "/api/admin/bookings",
        "admin",
        "Every booking on the server (admin)",
        true,
        Some(q),
        None,
        Json(200, list),
    );
    let (b, r) = (d.schema::<admin::AwardBody>(), d.schema::<Balance>());
    d.add(
        "post",
        "/api/admin/points",
        "admin",
        "Award or withdraw points with a reason (admin)",
        true,
        None,
        Some(b),
        Json(200, r),
    );
    let (b, w, ws) = (
        d.schema::<admin::WebhookBody>(),
        d.schema::<Webhook>(),
        d.schema::<Vec<Webhook>>(),
    );
    d.add(
        "post",
        "/api/admin/webhooks",
        "admin",
        "Subscribe a URL to events; the signing secret is in this answer only",
        true,
        None,
        Some(b),
        Json(201, w),
    );
    d.add(
        "get",
        "/api/admin/webhooks",
        "admin",
        "Webhook subscriptions and their delivery state",
        true,
        None,
        None,
        Json(200, ws),
    );
    d.add(
        "delete",
        "/api/admin/webhooks/{id}",
        "admin",
        "Remove a subscription",
        true,
        None,
        None,
        Empty(204),
    );

    render(d)
}

fn json_object() -> Schema {
    schemars::json_schema!({"type": "object"})
}

fn render(mut d: Doc) -> Value {
    let error = json!({
        "description": "An error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    });
    let mut paths = Map::new();
    for op in d.ops {
        let mut o = Map::new();
        o.insert("tags".into(), json!([op.tag]));
        o.insert("summary".into(), json!(op.summary));
        o.insert(
            "operationId".into(),
            json!(format!(
                "{}_{}",
                op.method,
                op.path
                    .trim_start_matches('/')
                    .replace(['/', '{', '}', '-', '.'], "_")
            )),
        );
        let mut params: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if let Some(q) = &op.query {
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
        if let Some(b) = op.body {
            o.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": b}}}),
            );
        }
        if op.auth {
            o.insert("security".into(), json!([{"bearer": []}]));
        }
        let mut responses = Map::new();
        match op.answer {
            Answer::Json(status, schema) => {
                responses.insert(status.to_string(), json!({"description": "OK", "content": {"application/json": {"schema": schema}}}));
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
        }
        responses.insert("default".into(), error.clone());
        o.insert("responses".into(), Value::Object(responses));
        paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("a path item is an object")
            .insert(op.method.to_string(), Value::Object(o));
    }
    let mut schemas: Map<String, Value> = d.generator.take_definitions(true).into_iter().collect();
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
