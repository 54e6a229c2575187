//! The team server's services beyond the travel agency itself: administration (accounts,
//! roles, every booking, points by hand, webhooks, the dashboard), the outbox as a feed, and
//! the server's own health. The server reaches them only through [`Team`]; every rule about
//! who may do what lives in the modules this calls (`admin`, `webhooks`, `analytics`).

use crate::Agency;
use crate::booking::{Booking, BookingStatus};
use crate::error::Result;
use crate::events::Event;
use crate::points::Balance;
use crate::profile::Profile;
use crate::webhooks::Webhook;
use async_trait::async_trait;
use std::sync::Arc;

/// What a team server does beside booking travel. `actor` is the signed-in user acting; the
/// admin-only methods check, from the database and not from a token, that they are an admin.
#[async_trait]
pub trait Team: Send + Sync {
    /// The travel agency acting for one signed-in traveller.
    fn agency_for(&self, user: &str) -> Arc<dyn Agency>;
    /// The travel agency for requests without a traveller (search, the catalogue).
    fn public(&self) -> Arc<dyn Agency>;
    /// Today on the server's market clock (what the assistant dates "tomorrow" from).
    fn today(&self) -> jiff::civil::Date;
    /// Book now or wait: the fare trend for a route and date, from the fares this server saw.
    async fn predict_price(
        &self,
        origin: &str,
        destination: &str,
        date: jiff::civil::Date,
        cabin: crate::model::Cabin,
    ) -> Result<crate::ai::predict::Prediction>;
    /// A payment provider's event (Stripe), checked against its signature over the raw body.
    async fn payment_webhook(
        &self,
        raw_body: &[u8],
        signature: &str,
    ) -> Result<crate::booking::payment::webhook::WebhookOutcome>;
    /// A PayPal webhook delivery, checked by PayPal's own verification call.
    async fn paypal_webhook(
        &self,
        raw_body: &[u8],
        headers: &crate::booking::payment::paypal::WebhookHeaders,
    ) -> Result<crate::booking::payment::webhook::WebhookOutcome>;
    /// Every account, oldest first (admins).
    async fn users(&self, actor: &str) -> Result<Vec<Profile>>;
    /// Changes a role; the last admin cannot step down (admins).
    async fn set_role(&self, actor: &str, user: &str, role: &str) -> Result<Profile>;
    /// Every traveller's bookings (admins).
    async fn all_bookings(
        &self,
        actor: &str,
        status: Option<BookingStatus>,
    ) -> Result<Vec<Booking>>;
    /// Points given or taken by hand, with a reason (admins).
    async fn award_points(
        &self,
        actor: &str,
        user: &str,
        points: i64,
        reason: &str,
    ) -> Result<Balance>;
    /// Subscribes a URL to events; the answer carries the secret, shown this once (admins).
    async fn create_webhook(&self, actor: &str, url: &str, events: &[String]) -> Result<Webhook>;
    async fn webhooks(&self, actor: &str) -> Result<Vec<Webhook>>;
    async fn delete_webhook(&self, actor: &str, id: &str) -> Result<()>;
    /// The last 30 days in numbers (admins).
    async fn dashboard(&self, actor: &str) -> Result<crate::analytics::Dashboard>;
    /// The newest event's sequence number: where a feed "from now on" starts.
    async fn last_event(&self) -> Result<i64>;
    /// One traveller's events after `after`, oldest first, at most `limit`.
    async fn events_for(&self, user: &str, after: i64, limit: usize) -> Result<Vec<Event>>;
    /// Bookings by status, for the server's metrics.
    async fn bookings_by_status(&self) -> Result<Vec<(BookingStatus, i64)>>;
    /// Ready to serve: the database answers.
    async fn ready(&self) -> Result<()>;
    /// Rings soon after any instance commits an event, on PostgreSQL; `None` where readers
    /// poll the outbox (SQLite).
    fn event_signal(&self) -> Option<tokio::sync::broadcast::Receiver<()>>;
    /// The database's connection pool, on PostgreSQL (for the server's metrics).
    fn database_pool(&self) -> Option<crate::store::PoolStats>;
    /// Delivers due webhooks every `every` until the task is dropped (one courier per
    /// process; leases keep several processes from delivering the same events).
    async fn run_webhooks(&self, every: std::time::Duration);
    /// The analytics report of `query` (admins).
    async fn analytics_report(
        &self,
        actor: &str,
        query: &crate::analytics::ReportQuery,
    ) -> Result<crate::analytics::Report>;
    /// Revenue per currency and client-reported searches per provider, for `/metrics`.
    async fn business_counters(&self) -> Result<crate::analytics::BusinessCounters>;
    /// E-mails given up on (admins), newest first.
    async fn failed_notifications(&self, actor: &str) -> Result<Vec<crate::notify::FailedMail>>;
    /// Puts a given-up e-mail back in line (admins).
    async fn retry_notification(&self, actor: &str, id: &str) -> Result<()>;
    /// Announces events and sends e-mail every `every`, until the task is dropped.
    async fn run_notifications(&self, every: std::time::Duration);
    /// One sweep of every account's price watches now (each searched as its owner; each
    /// fires once per drop, as a `price_alert.triggered` event): the alerts that fired, or
    /// `None` when another instance on the same database holds the sweep.
    async fn sweep_watches(&self) -> Result<Option<Vec<crate::model::watch::Alert>>>;
    /// Sweeps the price watches every `every` until the task is dropped (a lease keeps
    /// several instances from sweeping at once).
    async fn run_watch_sweep(&self, every: std::time::Duration);
}
