//! [`Team`] on this machine: administration, webhooks, the dashboard, the event feed and
//! health over the local agency's store.

use super::LocalAgency;
use crate::Agency;
use crate::booking::{Booking, BookingStatus};
use crate::error::Result;
use crate::events::Event;
use crate::points::Balance;
use crate::profile::Profile;
use crate::team::Team;
use crate::webhooks::Webhook;
use async_trait::async_trait;
use std::sync::Arc;

/// [`Team`] over a local agency and its store.
#[derive(Clone)]
pub struct LocalTeam {
    agency: LocalAgency,
    /// Who holds the price-watch sweep's lease when this team sweeps.
    sweeper: String,
}

/// How long one sweep holds its lease without renewing it, when swept on demand.
const SWEEP_LEASE: std::time::Duration = std::time::Duration::from_secs(300);

impl LocalTeam {
    pub(crate) fn new(agency: LocalAgency) -> LocalTeam {
        LocalTeam {
            agency,
            sweeper: crate::ids::new("swp"),
        }
    }

    fn store(&self) -> &crate::store::Store {
        self.agency.store()
    }
}

/// Administration follows the wall clock (role changes, awards and webhooks are dated when
/// they happen), the dashboard the market's clock.
fn wall() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[async_trait]
impl Team for LocalTeam {
    fn agency_for(&self, user: &str) -> Arc<dyn Agency> {
        Arc::new(self.agency.as_user(user))
    }

    fn public(&self) -> Arc<dyn Agency> {
        Arc::new(self.agency.clone())
    }

    fn today(&self) -> jiff::civil::Date {
        self.agency.today()
    }

    async fn predict_price(
        &self,
        origin: &str,
        destination: &str,
        date: jiff::civil::Date,
        cabin: crate::model::Cabin,
    ) -> Result<crate::ai::predict::Prediction> {
        self.agency.predict(origin, destination, date, cabin).await
    }

    async fn payment_webhook(
        &self,
        raw_body: &[u8],
        signature: &str,
    ) -> Result<crate::booking::payment::webhook::WebhookOutcome> {
        self.agency
            .desk()
            .handle_payment_webhook(raw_body, signature)
            .await
    }

    async fn paypal_webhook(
        &self,
        raw_body: &[u8],
        headers: &crate::booking::payment::paypal::WebhookHeaders,
    ) -> Result<crate::booking::payment::webhook::WebhookOutcome> {
        self.agency
            .desk()
            .handle_paypal_webhook(raw_body, headers)
            .await
    }

    async fn users(&self, actor: &str) -> Result<Vec<Profile>> {
        let actor = actor.to_string();
        self.store()
            .reading(move |u| crate::admin::users(u, &actor))
            .await
    }

    async fn set_role(&self, actor: &str, user: &str, role: &str) -> Result<Profile> {
        let (actor, user, role) = (actor.to_string(), user.to_string(), role.to_string());
        self.store()
            .writing(move |u| crate::admin::set_role(u, &actor, &user, &role, wall()))
            .await
    }

    async fn all_bookings(
        &self,
        actor: &str,
        status: Option<BookingStatus>,
    ) -> Result<Vec<Booking>> {
        let actor = actor.to_string();
        self.store()
            .reading(move |u| crate::admin::bookings(u, &actor, status))
            .await
    }

    async fn award_points(
        &self,
        actor: &str,
        user: &str,
        points: i64,
        reason: &str,
    ) -> Result<Balance> {
        let (actor, user, reason) = (actor.to_string(), user.to_string(), reason.to_string());
        self.store()
            .writing(move |u| crate::admin::award_points(u, &actor, &user, points, &reason, wall()))
            .await
    }

    async fn create_webhook(&self, actor: &str, url: &str, events: &[String]) -> Result<Webhook> {
        let (actor, url, events) = (actor.to_string(), url.to_string(), events.to_vec());
        // Who asks first, then where to: the address check resolves the host.
        let who = actor.clone();
        self.store()
            .reading(move |u| crate::admin::require_admin(u, &who))
            .await?;
        crate::webhooks::check_target(&url, &self.agency.shared.webhook_allow).await?;
        self.store()
            .writing(move |u| crate::webhooks::create(u, &actor, &url, &events, wall()))
            .await
    }

    async fn webhooks(&self, actor: &str) -> Result<Vec<Webhook>> {
        let actor = actor.to_string();
        self.store()
            .reading(move |u| crate::webhooks::list(u, &actor))
            .await
    }

    async fn delete_webhook(&self, actor: &str, id: &str) -> Result<()> {
        let (actor, id) = (actor.to_string(), id.to_string());
        self.store()
            .writing(move |u| crate::webhooks::delete(u, &actor, &id))
            .await
    }

    async fn dashboard(&self, actor: &str) -> Result<crate::analytics::Dashboard> {
        let actor = actor.to_string();
        let since = self.agency.now().as_second() - 30 * 86_400;
        self.store()
            .reading(move |u| {
                crate::admin::require_admin(u, &actor)?;
                crate::analytics::dashboard(u, since)
            })
            .await
    }

    async fn last_event(&self) -> Result<i64> {
        self.store().reading(|u| crate::events::last_seq(u)).await
    }

    async fn events_for(&self, user: &str, after: i64, limit: usize) -> Result<Vec<Event>> {
        let user = user.to_string();
        self.store()
            .reading(move |u| crate::events::since_for_user(u, &user, after, limit))
            .await
    }

    async fn bookings_by_status(&self) -> Result<Vec<(BookingStatus, i64)>> {
        self.store()
            .reading(|u| {
                let rows = u.reports().bookings_by_status()?;
                rows.into_iter()
                    .map(|(s, n)| Ok((BookingStatus::parse(&s)?, n)))
                    .collect()
            })
            .await
    }

    async fn ready(&self) -> Result<()> {
        self.store().reading(|u| u.reports().answers()).await
    }

    fn event_signal(&self) -> Option<tokio::sync::broadcast::Receiver<()>> {
        self.store().event_signal()
    }

    fn database_pool(&self) -> Option<crate::store::PoolStats> {
        self.store().pool_stats()
    }

    async fn run_webhooks(&self, every: std::time::Duration) {
        crate::webhooks::Courier::with_allow(self.agency.shared.webhook_allow.clone())
            .run(self.store().clone(), every)
            .await
    }

    async fn analytics_report(
        &self,
        actor: &str,
        query: &crate::analytics::ReportQuery,
    ) -> Result<crate::analytics::Report> {
        let (actor, query) = (actor.to_string(), query.clone());
        self.store()
            .reading(move |u| crate::analytics::report(u, &actor, &query))
            .await
    }

    async fn business_counters(&self) -> Result<crate::analytics::BusinessCounters> {
        self.store()
            .reading(|u| crate::analytics::business_counters(u))
            .await
    }

    async fn failed_notifications(&self, actor: &str) -> Result<Vec<crate::notify::FailedMail>> {
        let actor = actor.to_string();
        self.store()
            .reading(move |u| crate::notify::failed(u, &actor, 100))
            .await
    }

    async fn retry_notification(&self, actor: &str, id: &str) -> Result<()> {
        let (actor, id) = (actor.to_string(), id.to_string());
        let now = self.agency.now().as_second();
        self.store()
            .writing(move |u| crate::notify::retry(u, &actor, &id, now))
            .await
    }

    async fn run_notifications(&self, every: std::time::Duration) {
        self.agency
            .shared
            .notifier
            .clone()
            .run(self.store().clone(), self.agency.shared.clock, every)
            .await
    }

    async fn sweep_watches(&self) -> Result<Option<Vec<crate::model::watch::Alert>>> {
        super::watch::sweep(&self.agency, &self.sweeper, SWEEP_LEASE).await
    }

    async fn run_watch_sweep(&self, every: std::time::Duration) {
        // The first round one period after start: a restart does not search every watch again.
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // The lease lasts a period (five minutes at least) from its last renewal: the other
            // instances leave the sweep to this one while it runs, and take over when it stops.
            match super::watch::sweep(&self.agency, &self.sweeper, every.max(SWEEP_LEASE)).await {
                Ok(Some(alerts)) if !alerts.is_empty() => {
                    tracing::info!(alerts = alerts.len(), "price watches swept")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the price-watch sweep failed"),
            }
        }
    }
}
