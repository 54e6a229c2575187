//! Every route, once: [`super::router`] serves this table and [`super::openapi`] documents it,
//! so the router and the OpenAPI document cannot drift apart.

use super::route::{Route, delete, get, object, params, post, put, schema};
use super::{
    accounts, admin, ai, analytics, bookings, events, health, notifications, openapi, packages,
    partner, payments, search, watches,
};
use axum::routing::on;
use booksygo_core::agency::{CalendarDay, CalendarQuery, Destination, ExploreQuery, MarketInfo};
use booksygo_core::booking::desk::{Modification, Review};
use booksygo_core::booking::{Booking, PaymentIntent, PaymentRecord, RefundQuote};
use booksygo_core::model::package::PackageSpec;
use booksygo_core::model::{FlightOffer, HotelOffer, PlaceSuggestion};
use booksygo_core::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use booksygo_core::profile::{Preferences, Profile, ProfileUpdate};
use booksygo_core::search::packages::{
    Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary,
};
use booksygo_core::trips::{NewTrip, Trip};
use booksygo_core::webhooks::Webhook;

/// The routes in the order the document is built (the order schemas are first met in).
pub const ROUTES: &[Route] = &[
    // Operations.
    get("/healthz", |m| on(m, health::healthz))
        .doc("operations", "Liveness")
        .json(200, object),
    get("/readyz", |m| on(m, health::readyz))
        .doc("operations", "Readiness: the database answers")
        .json(200, object),
    get("/metrics", |m| on(m, crate::metrics::render))
        .doc("operations", "Prometheus metrics (text)")
        .text("text/plain"),
    get("/api/openapi.json", |m| on(m, openapi::document))
        .doc("operations", "This document")
        .json(200, object),
    get("/api/info", |m| on(m, health::info))
        .doc("operations", "What the server's market holds")
        .json(200, schema::<MarketInfo>),
    // Search: open to anonymous callers within a rate limit.
    get("/api/search/suggestions", |m| on(m, search::suggestions))
        .doc("search", "Airports and cities matching what was typed")
        .rate_limited()
        .query(params::<search::Suggest>)
        .json(200, schema::<Vec<PlaceSuggestion>>),
    post("/api/search/flights", |m| on(m, search::flights))
        .doc("search", "Flight offers (Duffel's offer-request shape)")
        .rate_limited()
        .body(schema::<search::FlightSearch>)
        .json(200, schema::<search::Offers<FlightOffer>>),
    post("/api/search/flights/stream", |m| on(m, search::flights_stream))
        .doc(
            "search",
            "The same search as Server-Sent Events: `provider` per supplier, then `done` (or `error`)",
        )
        .rate_limited()
        .body(schema::<search::FlightSearch>)
        .stream(),
    post("/api/search/flights/calendar", |m| on(m, search::calendar))
        .doc("search", "Cheapest fare per day")
        .rate_limited()
        .body(schema::<CalendarQuery>)
        .json(200, schema::<Vec<CalendarDay>>),
    post("/api/search/flights/explore", |m| on(m, search::explore))
        .doc("search", "Cheapest destinations from an origin in a month")
        .rate_limited()
        .body(schema::<ExploreQuery>)
        .json(200, schema::<Vec<Destination>>),
    post("/api/search/hotels", |m| on(m, search::hotels))
        .doc("search", "Hotel offers")
        .rate_limited()
        .body(schema::<search::HotelSearch>)
        .json(200, schema::<search::Offers<HotelOffer>>),
    post("/api/search/packages", |m| on(m, packages::search))
        .doc("packages", "Package search with facets")
        .rate_limited()
        .body(schema::<PackageQuery>)
        .json(200, schema::<PackageResults>),
    // Packages.
    get("/api/packages", |m| on(m, packages::list))
        .doc("packages", "Packages: filters, facets, sort, pagination")
        .rate_limited()
        .query(params::<packages::ListParams>)
        .json(200, schema::<PackageResults>),
    post("/api/packages", |m| on(m, packages::save))
        .doc("packages", "Add a package (admin, or a partner for their own)")
        .signed_in()
        .body(schema::<PackageSpec>)
        .json(200, schema::<PackageDetail>),
    put("/api/packages", |m| on(m, packages::save))
        .doc("packages", "Replace a package (admin, or its owning partner)")
        .signed_in()
        .body(schema::<PackageSpec>)
        .json(200, schema::<PackageDetail>),
    get("/api/packages/{id}", |m| on(m, packages::get))
        .doc("packages", "One package with departures and itinerary")
        .json(200, schema::<PackageDetail>),
    get("/api/packages/featured", |m| on(m, packages::featured))
        .doc("packages", "Featured packages")
        .json(200, schema::<Vec<PackageSummary>>),
    get("/api/packages/deals", |m| on(m, packages::deals))
        .doc("packages", "Departures on sale")
        .json(200, schema::<Vec<Deal>>),
    // Accounts.
    post("/api/auth/register", |m| on(m, accounts::register))
        .doc("accounts", "Create an account")
        .body(schema::<accounts::Register>)
        .json(201, schema::<Profile>),
    post("/api/auth/login", |m| on(m, accounts::login))
        .doc(
            "accounts",
            "Log in: a 15-minute access token and a 7-day refresh token",
        )
        .body(schema::<accounts::Login>)
        .json(200, schema::<accounts::Tokens>),
    post("/api/auth/refresh", |m| on(m, accounts::refresh))
        .doc(
            "accounts",
            "Rotate the refresh token (reuse revokes the family)",
        )
        .body(schema::<accounts::Refresh>)
        .json(200, schema::<accounts::Tokens>),
    post("/api/auth/logout", |m| on(m, accounts::logout))
        .doc(
            "accounts",
            "End the session (revokes the refresh token family)",
        )
        .body(schema::<accounts::Refresh>)
        .empty(204),
    get("/api/users/profile", |m| on(m, accounts::profile))
        .doc("accounts", "Your profile")
        .signed_in()
        .json(200, schema::<Profile>),
    put("/api/users/profile", |m| on(m, accounts::update_profile))
        .doc("accounts", "Change your name, email or preferences")
        .signed_in()
        .body(schema::<ProfileUpdate>)
        .json(200, schema::<Profile>),
    // Notifications: the inbox and where each kind goes.
    get("/api/notifications", |m| on(m, notifications::inbox))
        .doc(
            "notifications",
            "Your notifications, newest first, with the unread count",
        )
        .signed_in()
        .query(params::<notifications::InboxParams>)
        .json(200, schema::<booksygo_core::notify::Inbox>),
    post("/api/notifications/read-all", |m| {
        on(m, notifications::mark_all_read)
    })
    .doc("notifications", "Mark every notification read")
    .signed_in()
    .json(200, schema::<booksygo_core::notify::Marked>),
    post("/api/notifications/{id}/read", |m| {
        on(m, notifications::mark_read)
    })
    .doc("notifications", "Mark one notification read")
    .signed_in()
    .json(200, schema::<booksygo_core::notify::Marked>),
    get("/api/notifications/preferences", |m| {
        on(m, notifications::preferences)
    })
    .doc(
        "notifications",
        "Where each kind of notification goes: email, in_app, both or none",
    )
    .signed_in()
    .json(200, schema::<Vec<booksygo_core::notify::Preference>>),
    put("/api/notifications/preferences", |m| {
        on(m, notifications::set_preference)
    })
    .doc("notifications", "Send one kind of notification somewhere else")
    .signed_in()
    .body(schema::<booksygo_core::notify::PreferenceChange>)
    .json(200, schema::<Vec<booksygo_core::notify::Preference>>),
    get("/api/users/preferences", |m| on(m, accounts::preferences))
        .doc("accounts", "Your travel preferences")
        .signed_in()
        .json(200, schema::<Preferences>),
    put("/api/users/preferences", |m| {
        on(m, accounts::update_preferences)
    })
    .doc("accounts", "Replace your travel preferences")
    .signed_in()
    .body(schema::<Preferences>)
    .json(200, schema::<Preferences>),
    // Bookings.
    post("/api/bookings", |m| on(m, bookings::create))
        .doc(
            "bookings",
            "Book offers or a package departure (Idempotency-Key header); without payment it stays PENDING",
        )
        .signed_in()
        .body(schema::<bookings::CreateBooking>)
        .json(201, schema::<Booking>),
    get("/api/bookings", |m| on(m, bookings::list))
        .doc("bookings", "Your bookings")
        .signed_in()
        .query(params::<bookings::ListParams>)
        .json(200, schema::<Vec<Booking>>),
    get("/api/bookings/{id}", |m| on(m, bookings::get))
        .doc("bookings", "One of your bookings (another user's is 404)")
        .signed_in()
        .json(200, schema::<Booking>),
    put("/api/bookings/{id}/cancel", |m| on(m, bookings::cancel))
        .doc(
            "bookings",
            "Cancel (refund per the fare rules; Idempotency-Key header)",
        )
        .signed_in()
        .json(200, schema::<Booking>),
    post("/api/bookings/{id}/modify", |m| on(m, bookings::modify))
        .doc("bookings", "Correct a name or move the flight date")
        .signed_in()
        .body(schema::<Modification>)
        .json(200, schema::<Booking>),
    post("/api/bookings/{id}/pay", |m| on(m, bookings::pay))
        .doc(
            "bookings",
            "Pay a PENDING booking by card (Idempotency-Key header)",
        )
        .signed_in()
        .body(schema::<bookings::Pay>)
        .json(200, schema::<Booking>),
    post("/api/bookings/{id}/confirm-payment", |m| {
        on(m, bookings::confirm_payment)
    })
    .doc(
        "bookings",
        "Finish a payment the bank asked to confirm (3-D Secure)",
    )
    .signed_in()
    .json(200, schema::<Booking>),
    get("/api/bookings/{id}/refund-quote", |m| {
        on(m, bookings::quote_cancel)
    })
    .doc("bookings", "What a cancellation would refund")
    .signed_in()
    .json(200, schema::<RefundQuote>),
    get("/api/bookings/{id}/ics", |m| on(m, bookings::ics))
        .doc("bookings", "The booking as an iCalendar file")
        .signed_in()
        .text("text/calendar"),
    get("/api/bookings/{id}/receipt", |m| on(m, bookings::receipt))
        .doc("bookings", "A plain-text receipt")
        .signed_in()
        .text("text/plain"),
    // The assistant.
    post("/api/ai/chat", |m| on(m, ai::chat))
        .doc(
            "assistant",
            "One chat turn as Server-Sent Events: `text` pieces, then `reply` (or `error`)",
        )
        .signed_in()
        .body(schema::<ai::ChatBody>)
        .stream(),
    post("/api/ai/recommend", |m| on(m, ai::recommend))
        .doc(
            "assistant",
            "Packages ranked for you, each with a one-line reason",
        )
        .signed_in()
        .body(schema::<ai::RecommendBody>)
        .json(
            200,
            schema::<Vec<booksygo_core::ai::recommend::Recommendation>>,
        ),
    post("/api/ai/itinerary", |m| on(m, ai::itinerary))
        .doc("assistant", "A day-by-day plan within the budget and dates")
        .signed_in()
        .body(schema::<booksygo_core::ai::plan::PlanRequest>)
        .json(200, schema::<booksygo_core::ai::plan::Itinerary>),
    post("/api/ai/predict-price", |m| on(m, ai::predict_price))
        .doc(
            "assistant",
            "Book now or wait: trend, expected change, confidence",
        )
        .signed_in()
        .body(schema::<ai::PredictBody>)
        .json(200, schema::<booksygo_core::ai::predict::Prediction>),
    // Payments.
    post("/api/payments/intent", |m| on(m, payments::intent))
        .doc("payments", "What a booking still needs paid, and how")
        .signed_in()
        .body(schema::<payments::IntentBody>)
        .json(200, schema::<PaymentIntent>),
    post("/api/payments/confirm", |m| on(m, payments::confirm))
        .doc(
            "payments",
            "Pay the intent by card, or finish 3-D Secure (Idempotency-Key header)",
        )
        .signed_in()
        .body(schema::<payments::ConfirmBody>)
        .json(200, schema::<PaymentIntent>),
    post("/api/payments/refund", |m| on(m, payments::refund))
        .doc(
            "payments",
            "Cancel and refund per the fare rules (Idempotency-Key header)",
        )
        .signed_in()
        .body(schema::<payments::RefundBody>)
        .json(200, schema::<Booking>),
    get("/api/payments/{id}", |m| on(m, payments::get))
        .doc("payments", "One of your payment attempts")
        .signed_in()
        .json(200, schema::<PaymentRecord>),
    post("/api/payments/webhook", |m| on(m, payments::webhook))
        .doc(
            "payments",
            "The payment provider's events, signed with Stripe-Signature (no session)",
        )
        .body(object)
        .json(
            200,
            schema::<booksygo_core::booking::payment::webhook::WebhookOutcome>,
        ),
    post("/api/payments/paypal/order", |m| on(m, payments::paypal_order))
        .doc(
            "payments",
            "Pay a PENDING booking with PayPal: the order and the payer's approval link (confirm-payment captures it)",
        )
        .signed_in()
        .body(schema::<payments::PayPalOrderBody>)
        .json(200, schema::<booksygo_core::booking::PayPalCheckout>),
    post("/api/payments/paypal/webhook", |m| on(m, payments::paypal_webhook))
        .doc(
            "payments",
            "PayPal's events, verified by PayPal's verification call (no session)",
        )
        .body(object)
        .json(
            200,
            schema::<booksygo_core::booking::payment::webhook::WebhookOutcome>,
        ),
    post("/api/reviews", |m| on(m, bookings::review))
        .doc("bookings", "Review a completed booking")
        .signed_in()
        .body(schema::<bookings::ReviewBody>)
        .json(201, schema::<Review>),
    // Trips.
    get("/api/trips", |m| on(m, bookings::trips))
        .doc("trips", "Your trips")
        .signed_in()
        .json(200, schema::<Vec<Trip>>),
    post("/api/trips", |m| on(m, bookings::create_trip))
        .doc("trips", "Create a trip")
        .signed_in()
        .body(schema::<NewTrip>)
        .json(201, schema::<Trip>),
    get("/api/trips/{id}", |m| on(m, bookings::trip))
        .doc("trips", "One trip with its bookings")
        .signed_in()
        .json(200, schema::<Trip>),
    post("/api/trips/{id}/bookings", |m| on(m, bookings::add_to_trip))
        .doc("trips", "Add a booking to a trip")
        .signed_in()
        .body(schema::<bookings::AddBooking>)
        .json(200, schema::<Trip>),
    get("/api/trips/{id}/ics", |m| on(m, bookings::trip_ics))
        .doc("trips", "The trip as an iCalendar file")
        .signed_in()
        .text("text/calendar"),
    // Gamification.
    get("/api/gamification/points", |m| on(m, bookings::points))
        .doc("gamification", "Your points and level")
        .signed_in()
        .json(200, schema::<Balance>),
    get("/api/gamification/history", |m| {
        on(m, bookings::points_history)
    })
    .doc("gamification", "Your points ledger")
    .signed_in()
    .json(200, schema::<Vec<LedgerEntry>>),
    get("/api/gamification/badges", |m| on(m, bookings::badges))
        .doc("gamification", "Badges earned and locked")
        .signed_in()
        .json(200, schema::<Vec<BadgeStatus>>),
    get("/api/gamification/challenges", |m| {
        on(m, bookings::challenges)
    })
    .doc("gamification", "Challenges and progress")
    .signed_in()
    .json(200, schema::<Vec<Challenge>>),
    get("/api/gamification/leaderboard", |m| {
        on(m, bookings::leaderboard)
    })
    .doc("gamification", "The team's leaderboard")
    .signed_in()
    .query(params::<bookings::Limit>)
    .json(200, schema::<Vec<LeaderboardEntry>>),
    // Referrals, then price watches (the server also sweeps them; an alert is
    // `price_alert.triggered`).
    get("/api/gamification/referral", |m| on(m, accounts::referral))
        .doc(
            "gamification",
            "Your referral code and the travellers it brought (200 points each, on their first completed booking)",
        )
        .signed_in()
        .json(200, schema::<booksygo_core::points::Referral>),
    post("/api/watches", |m| on(m, watches::create))
        .doc(
            "watches",
            "Watch a route and date: alert when the cheapest total is below a price",
        )
        .signed_in()
        .body(schema::<booksygo_core::model::watch::WatchRequest>)
        .json(201, schema::<booksygo_core::model::watch::Watch>),
    get("/api/watches", |m| on(m, watches::list))
        .doc("watches", "Your price watches with their last price")
        .signed_in()
        .json(200, schema::<Vec<booksygo_core::model::watch::Watch>>),
    delete("/api/watches/{id}", |m| on(m, watches::remove))
        .doc("watches", "Stop a watch (another user's is 404)")
        .signed_in()
        .empty(204),
    post("/api/watches/check", |m| on(m, watches::check))
        .doc(
            "watches",
            "Search your watches now: the alerts that fired (once per drop)",
        )
        .signed_in()
        .json(200, schema::<Vec<booksygo_core::model::watch::Alert>>),
    // Events and analytics.
    get("/api/events/stream", |m| on(m, events::stream))
        .doc(
            "events",
            "Your events as Server-Sent Events (Last-Event-ID resumes)",
        )
        .signed_in()
        .query(params::<events::StreamParams>)
        .stream(),
    get("/api/analytics/dashboard", |m| on(m, accounts::dashboard))
        .doc(
            "admin",
            "Searches, bookings, revenue, conversion, top routes (admin)",
        )
        .signed_in()
        .json(200, schema::<booksygo_core::analytics::Dashboard>),
    post("/api/analytics/events", |m| on(m, analytics::record))
        .doc(
            "analytics",
            "Report what a traveller did in a client: search, offer_viewed, offer_clicked, booking_started (1-100 a time, 120 reports an hour)",
        )
        .signed_in()
        .body(schema::<booksygo_core::analytics::ClientEvents>)
        .json(202, schema::<booksygo_core::analytics::Accepted>),
    get("/api/analytics/reports", |m| on(m, analytics::report))
        .doc(
            "analytics",
            "The funnel, revenue, average booking value, cancellations, refunds, top routes and packages by day, week, route or provider (admin; CSV with format=csv or Accept: text/csv)",
        )
        .signed_in()
        .query(params::<analytics::ReportParams>)
        .json(200, schema::<booksygo_core::analytics::Report>),
    get("/api/partner/sales", |m| on(m, partner::sales))
        .doc(
            "packages",
            "Sales of your own packages: bookings, travellers, revenue per currency, cancellations per package (partners and admins; admins may name a partner)",
        )
        .signed_in()
        .query(params::<partner::SalesParams>)
        .json(200, schema::<booksygo_core::sales::SalesReport>),
    // Administration.
    get("/api/admin/users", |m| on(m, admin::users))
        .doc("admin", "Every account (admin)")
        .signed_in()
        .json(200, schema::<Vec<Profile>>),
    put("/api/admin/users/{id}/role", |m| on(m, admin::set_role))
        .doc(
            "admin",
            "Change an account's role (admin; never the last admin)",
        )
        .signed_in()
        .body(schema::<admin::RoleBody>)
        .json(200, schema::<Profile>),
    get("/api/admin/bookings", |m| on(m, admin::bookings))
        .doc("admin", "Every booking on the server (admin)")
        .signed_in()
        .query(params::<admin::BookingsParams>)
        .json(200, schema::<Vec<Booking>>),
    post("/api/admin/points", |m| on(m, admin::award_points))
        .doc("admin", "Award or withdraw points with a reason (admin)")
        .signed_in()
        .body(schema::<admin::AwardBody>)
        .json(200, schema::<Balance>),
    get("/api/admin/webhooks", |m| on(m, admin::webhooks))
        .doc("admin", "Webhook subscriptions and their delivery state")
        .signed_in()
        .json(200, schema::<Vec<Webhook>>),
    post("/api/admin/webhooks", |m| on(m, admin::create_webhook))
        .doc(
            "admin",
            "Subscribe a URL to events; the signing secret is in this answer only",
        )
        .signed_in()
        .body(schema::<admin::WebhookBody>)
        .json(201, schema::<Webhook>),
    delete("/api/admin/webhooks/{id}", |m| on(m, admin::delete_webhook))
        .doc("admin", "Remove a subscription")
        .signed_in()
        .empty(204),
    get("/api/admin/notifications/failed", |m| {
        on(m, notifications::failed)
    })
    .doc(
        "admin",
        "E-mails given up on: refused for good (failed) or after the last try (dead)",
    )
    .signed_in()
    .json(200, schema::<Vec<booksygo_core::notify::FailedMail>>),
    post("/api/admin/notifications/{id}/retry", |m| {
        on(m, notifications::retry)
    })
    .doc("admin", "Send a given-up e-mail again (its tries start over)")
    .signed_in()
    .empty(202),
];

// A route without a tag, a summary or an answer is a build error, not a gap in the document.
const _: () = {
    let mut i = 0;
    while i < ROUTES.len() {
        assert!(
            ROUTES[i].is_described(),
            "a route in the table has no tag, summary or answer"
        );
        i += 1;
    }
};
