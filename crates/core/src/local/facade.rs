//! `Agency` for `LocalAgency`: every facade method as this machine's store and market answer it.

use super::{LOCAL_USER, LocalAgency};
use crate::agency::{
    Agency, CalendarDay, CalendarQuery, Destination, Encoding, ExploreQuery, FlightResults,
    HotelResults, MarketInfo, Progress, WireAnswer,
};
use crate::booking::desk::{Modification, Review};
use crate::booking::payment::Card;
use crate::booking::{Booking, BookingRequest, BookingStatus, RefundQuote};
use crate::error::{Error, Result};
use crate::fixtures;
use crate::model::fare::Prediction;
use crate::model::package::PackageSpec;
use crate::model::watch::{Alert, NewWatch, Watch};
use crate::model::{Cabin, PlaceSuggestion};
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::{FlightQuery, HotelQuery};
use crate::store;
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;

#[async_trait]
impl Agency for LocalAgency {
    async fn info(&self) -> Result<MarketInfo> {
        let net = self.network();
        let (hotel_cities, hotels) = self.store().read(|u| u.catalogue().hotel_counts())?;
        Ok(MarketInfo {
            mode: "local".into(),
            data_dir: self.shared.paths.data_dir.display().to_string(),
            database: self.store().describe(),
            schema_version: store::schema_version(),
            fixture_version: fixtures::VERSION.into(),
            airports: net.places.airports.len(),
            airlines: net.places.airlines.len(),
            routes: net.route_count(),
            hotel_cities,
            hotels,
            fx_as_of: self.fx().as_of,
            providers: self.search().flight_provider_names(),
        })
    }

    async fn suggest_places(&self, query: &str, limit: usize) -> Result<Vec<PlaceSuggestion>> {
        crate::search::check_limit(Some(limit))?;
        Ok(self.search().suggest_places(query, limit))
    }

    async fn search_flights(&self, query: &FlightQuery) -> Result<FlightResults> {
        self.search().flights(query, None).await
    }

    async fn search_flights_streaming(
        &self,
        query: &FlightQuery,
        progress: Progress<'_>,
    ) -> Result<FlightResults> {
        self.search().flights(query, Some(progress)).await
    }

    async fn search_flights_wire(
        &self,
        query: &FlightQuery,
        encoding: Encoding,
    ) -> Result<WireAnswer> {
        self.search().flights_wire(query, encoding).await
    }

    async fn flight_calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>> {
        self.search().calendar(query).await
    }

    async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>> {
        self.search().explore(query).await
    }

    async fn search_hotels(&self, query: &HotelQuery) -> Result<HotelResults> {
        self.search().hotels(query).await
    }

    async fn search_packages(&self, query: &PackageQuery) -> Result<PackageResults> {
        // Off the async executor, and within a time budget: a costly text query must neither
        // hold up other requests (health checks, shutdown) nor run on after its caller left.
        // The index answers from memory; when it cannot, it searches in SQL under the budget.
        let (agency, net, query) = (self.clone(), self.network(), query.clone());
        tokio::task::spawn_blocking(move || {
            let found = crate::search::packages::search_indexed(
                agency.package_search(),
                agency.store(),
                &net.places,
                &query,
            )?;
            // Found, filtered and sorted on the public price; members see theirs beside it.
            Ok(if agency.member_prices()? {
                found.with_member_prices()
            } else {
                found
            })
        })
        .await?
    }

    async fn get_package(&self, id: &str) -> Result<PackageDetail> {
        let net = self.network();
        let p = self
            .store()
            .read(|u| crate::search::packages::get(u, &net.places, id, self.today()))?;
        Ok(if self.member_prices()? {
            p.with_member_prices()
        } else {
            p
        })
    }

    async fn featured_packages(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        let list = self
            .store()
            .read(|u| crate::search::packages::featured(u, limit))?;
        Ok(if self.member_prices()? {
            list.into_iter()
                .map(PackageSummary::with_member_price)
                .collect()
        } else {
            list
        })
    }

    async fn package_deals(&self, limit: usize) -> Result<Vec<Deal>> {
        let net = self.network();
        let deals = self
            .store()
            .read(|u| crate::search::packages::deals(u, &net.places, self.today(), limit))?;
        Ok(if self.member_prices()? {
            deals.into_iter().map(Deal::with_member_prices).collect()
        } else {
            deals
        })
    }

    async fn partner_sales(
        &self,
        query: &crate::sales::SalesQuery,
    ) -> Result<crate::sales::SalesReport> {
        let (user, query) = (self.user.clone(), query.clone());
        self.store()
            .reading(move |u| {
                // Whoever holds the offline store owns what it sells, as they own its packages.
                if user == LOCAL_USER {
                    let partner = query.partner.clone().unwrap_or(user);
                    crate::sales::build(u, &partner, &query)
                } else {
                    crate::sales::report(u, &user, &query)
                }
            })
            .await
    }

    async fn save_package(&self, spec: &PackageSpec) -> Result<PackageDetail> {
        let net = self.network();
        spec.validate(|c| net.places.city(c).is_some())?;
        let now = self.now().as_second();
        self.store().write(|tx| {
            // `None` when there is no such package yet, `Some(None)` for the catalogue's own.
            let stored = tx.packages().owner(&spec.id)?;
            let owner = stored.clone().flatten();
            let role = tx
                .users()
                .role(&self.user)?
                .ok_or_else(|| Error::NotFound(format!("no account {}", self.user)))?;
            use crate::roles::{Permission, can};
            let is_admin = self.user == LOCAL_USER || can(&role, Permission::ManageAnyPackage);
            if !is_admin {
                if !can(&role, Permission::ManageOwnPackages) {
                    return Err(Error::Forbidden(
                        "only admins and partners manage packages".into(),
                    ));
                }
                // Packages without an owner (the catalogue) are the admins' to change.
                if stored.is_some() && owner.as_deref() != Some(self.user.as_str()) {
                    return Err(Error::NotFound(format!("no package {} of yours", spec.id)));
                }
            }
            let packages = tx.packages();
            let saved = packages.detail(&spec.id)?.map(|p| p.summary);
            let slug_owner = packages.detail(&spec.slug)?.map(|p| p.summary.id);
            let spec = crate::search::packages::authored(
                spec,
                saved.as_ref(),
                slug_owner.as_deref(),
                is_admin,
            )?;
            crate::search::packages::upsert(
                tx,
                &net.places,
                &spec,
                Some(owner.as_deref().unwrap_or(&self.user)),
                "user",
                now,
            )?;
            crate::events::emit(
                tx,
                "package.saved",
                &spec.id,
                Some(&self.user),
                &serde_json::json!({"package_id": spec.id}),
                now,
            )?;
            Ok(())
        })?;
        self.store()
            .read(|u| crate::search::packages::get(u, &net.places, &spec.id, self.today()))
    }

    async fn review(&self, booking_id: &str, rating: u8, text: &str) -> Result<Review> {
        self.desk().review_as(&self.user, booking_id, rating, text)
    }

    async fn create_booking(&self, req: BookingRequest) -> Result<Booking> {
        self.desk().create_booking_as(&self.user, req).await
    }

    async fn get_booking(&self, id: &str) -> Result<Booking> {
        self.desk().pay_out_refunds().await;
        self.desk().get_booking_as(&self.user, id)
    }

    async fn get_payment(&self, id: &str) -> Result<crate::booking::PaymentRecord> {
        let (user, pid) = (self.user.clone(), id.to_string());
        let booking = self
            .store()
            .reading(move |u| crate::booking::desk::booking_of_payment(u, &user, &pid))
            .await?;
        booking
            .payment(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no payment {id}")))
    }

    async fn list_bookings(&self, status: Option<BookingStatus>) -> Result<Vec<Booking>> {
        self.desk().pay_out_refunds().await;
        self.desk().list_bookings_as(&self.user, status)
    }

    async fn pay_booking(
        &self,
        id: &str,
        card: Card,
        idempotency_key: Option<String>,
    ) -> Result<Booking> {
        self.desk()
            .pay_booking_as(&self.user, id, card, idempotency_key)
            .await
    }

    async fn confirm_payment(&self, id: &str) -> Result<Booking> {
        self.desk().confirm_payment_as(&self.user, id).await
    }

    async fn pay_with_paypal(&self, id: &str) -> Result<crate::booking::PayPalCheckout> {
        self.desk().pay_with_paypal_as(&self.user, id).await
    }

    async fn quote_cancellation(&self, id: &str) -> Result<RefundQuote> {
        self.desk().sweep()?;
        self.desk().quote_cancel_as(&self.user, id)
    }

    async fn cancel_booking(&self, id: &str, idempotency_key: Option<String>) -> Result<Booking> {
        self.desk().sweep()?;
        self.desk()
            .cancel_booking_as(&self.user, id, idempotency_key)
            .await
    }

    async fn modify_booking(&self, id: &str, change: Modification) -> Result<Booking> {
        self.desk().modify_booking_as(&self.user, id, change).await
    }

    async fn booking_calendar(&self, id: &str) -> Result<String> {
        let b = self.desk().get_booking_as(&self.user, id)?;
        Ok(crate::booking::ics::calendar(
            &format!("BooksyGo {}", b.confirmation_code),
            &[b],
            self.now(),
        ))
    }

    async fn booking_receipt(&self, id: &str) -> Result<String> {
        Ok(crate::booking::ics::receipt(
            &self.desk().get_booking_as(&self.user, id)?,
        ))
    }

    async fn points(&self) -> Result<Balance> {
        self.desk().sweep()?;
        self.store().read(|u| crate::points::balance(u, &self.user))
    }

    async fn points_history(&self) -> Result<Vec<LedgerEntry>> {
        self.desk().sweep()?;
        self.store().read(|u| crate::points::history(u, &self.user))
    }

    async fn badges(&self) -> Result<Vec<BadgeStatus>> {
        self.desk().sweep()?;
        self.store().read(|u| crate::points::badges(u, &self.user))
    }

    async fn challenges(&self) -> Result<Vec<Challenge>> {
        self.desk().sweep()?;
        self.store()
            .read(|u| crate::points::challenges(u, &self.user, self.today()))
    }

    async fn leaderboard(&self, limit: usize) -> Result<Vec<LeaderboardEntry>> {
        self.desk().sweep()?;
        self.store()
            .read(|u| crate::points::leaderboard(u, &self.user, limit))
    }

    async fn referral(&self) -> Result<crate::points::Referral> {
        self.desk().sweep()?;
        let now = self.now().as_second();
        self.store()
            .write(|u| crate::points::referrals::referral(u, &self.user, now))
    }

    async fn profile(&self) -> Result<Profile> {
        self.store().read(|u| crate::profile::get(u, &self.user))
    }

    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile> {
        self.store()
            .write(|u| crate::profile::update(u, &self.user, update))
    }

    async fn inbox(&self, unread_only: bool, limit: usize) -> Result<crate::notify::Inbox> {
        // What the traveller just did is in the inbox when they look.
        self.shared
            .notifier
            .catch_up(self.store(), self.now().as_second())?;
        self.store()
            .read(|u| crate::notify::inbox(u, &self.user, unread_only, limit))
    }

    async fn mark_read(&self, id: Option<&str>) -> Result<usize> {
        let now = self.now().as_second();
        self.store()
            .write(|u| crate::notify::mark_read(u, &self.user, id, now))
    }

    async fn track(
        &self,
        events: &crate::analytics::ClientEvents,
    ) -> Result<crate::analytics::Accepted> {
        let now = self.now().as_second();
        self.store()
            .write(|u| crate::analytics::record(u, &self.user, events, now))
    }

    async fn notification_preferences(&self) -> Result<Vec<crate::notify::Preference>> {
        self.store()
            .read(|u| crate::notify::preferences(u, &self.user))
    }

    async fn set_notification_preference(
        &self,
        kind: &str,
        channel: &str,
    ) -> Result<Vec<crate::notify::Preference>> {
        self.store()
            .write(|u| crate::notify::set_preference(u, &self.user, kind, channel))
    }

    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip> {
        let now = self.now().as_second();
        self.store().write(|u| {
            let id = crate::trips::create(u, &self.user, trip, self.fx(), now)?;
            Ok(crate::trips::get(u, &self.user, &id, self.fx())?.0)
        })
    }

    async fn list_trips(&self) -> Result<Vec<Trip>> {
        self.desk().sweep()?;
        self.store()
            .read(|u| crate::trips::list(u, &self.user, self.fx()))
    }

    async fn get_trip(&self, id: &str) -> Result<Trip> {
        self.desk().sweep()?;
        Ok(self
            .store()
            .read(|u| crate::trips::get(u, &self.user, id, self.fx()))?
            .0)
    }

    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip> {
        self.store().write(|u| {
            crate::trips::add(u, &self.user, trip, booking)?;
            Ok(crate::trips::get(u, &self.user, trip, self.fx())?.0)
        })
    }

    async fn trip_calendar(&self, id: &str) -> Result<String> {
        let (trip, bookings) = self
            .store()
            .read(|u| crate::trips::get(u, &self.user, id, self.fx()))?;
        Ok(crate::booking::ics::calendar(
            &trip.name,
            &bookings,
            self.now(),
        ))
    }

    async fn predict_price(
        &self,
        origin: &str,
        destination: &str,
        date: jiff::civil::Date,
        cabin: Cabin,
    ) -> Result<Prediction> {
        self.predict(origin, destination, date, cabin).await
    }

    async fn add_watch(&self, watch: &NewWatch) -> Result<Watch> {
        super::watch::add(self, watch)
    }

    async fn watches(&self) -> Result<Vec<Watch>> {
        super::watch::list(self)
    }

    async fn remove_watch(&self, id: &str) -> Result<()> {
        super::watch::remove(self, id)
    }

    async fn check_watches(&self) -> Result<Vec<Alert>> {
        super::watch::check(self).await
    }
}
