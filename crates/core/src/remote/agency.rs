//! The [`Agency`] facade over the server's routes: each call is one request, and every
//! booking the server answers with is kept in the offline copy.

use super::RemoteAgency;
use crate::agency::{
    Agency, CalendarDay, CalendarQuery, Destination, ExploreQuery, FlightResults, HotelResults,
    MarketInfo,
};
use crate::booking::desk::{Modification, Review};
use crate::booking::payment::Card;
use crate::booking::{Booking, BookingRequest, BookingStatus, ItemRequest, RefundQuote};
use crate::error::{Error, Result};
use crate::model::fare::Prediction;
use crate::model::package::PackageSpec;
use crate::model::watch::{Alert, NewWatch, Watch, WatchRequest};
use crate::model::{Cabin, PlaceSuggestion};
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::{FlightQuery, HotelQuery};
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::{Value, json};

/// An id as one URL path segment. Ids are ours (`bkg_...`), so anything else cannot exist.
fn seg(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(id)
    } else {
        Err(Error::NotFound(format!("no such id '{id}'")))
    }
}

fn card_json(card: &Card) -> Value {
    json!({ "number": card.number, "expiry": card.expiry })
}

#[async_trait]
impl Agency for RemoteAgency {
    async fn info(&self) -> Result<MarketInfo> {
        let mut info: MarketInfo = self.get("/api/info").await?;
        info.mode = format!("remote {} as {}", self.inner.url, self.inner.email);
        Ok(info)
    }

    async fn suggest_places(&self, query: &str, limit: usize) -> Result<Vec<PlaceSuggestion>> {
        let q = reqwest::Url::parse_with_params(
            "http://x/",
            &[("q", query), ("limit", &limit.to_string())],
        )
        .map_err(Error::internal)?;
        self.get(&format!(
            "/api/search/suggestions?{}",
            q.query().unwrap_or("")
        ))
        .await
    }

    async fn search_flights(&self, query: &FlightQuery) -> Result<FlightResults> {
        let p = query.passengers;
        let passengers: Vec<Value> = std::iter::repeat_n(json!({"type": "adult"}), p.adults.into())
            .chain(std::iter::repeat_n(
                json!({"type": "child"}),
                p.children.into(),
            ))
            .chain(std::iter::repeat_n(
                json!({"type": "infant_without_seat"}),
                p.infants.into(),
            ))
            .collect();
        let body = json!({
            "slices": query.slices,
            "passengers": passengers,
            "cabin_class": query.cabin,
            "max_connections": query.max_stops,
            "sort": query.sort,
            "limit": query.limit,
            "currency": query.currency,
            "filters": query.filters,
        });
        self.post("/api/search/flights", &body).await
    }

    async fn flight_calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>> {
        self.post(
            "/api/search/flights/calendar",
            &serde_json::to_value(query)?,
        )
        .await
    }

    async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>> {
        self.post("/api/search/flights/explore", &serde_json::to_value(query)?)
            .await
    }

    async fn search_hotels(&self, q: &HotelQuery) -> Result<HotelResults> {
        let body = json!({
            "location": q.location,
            "check_in_date": q.check_in,
            "check_out_date": q.check_out,
            "guests": q.guests,
            "rooms": q.rooms,
            "min_stars": q.min_stars,
            "min_rating": q.min_rating,
            "max_nightly": q.max_nightly.map(|m| m.decimal()),
            "amenities": q.amenities,
            "sort": q.sort,
            "all_rooms": q.all_rooms,
            "limit": q.limit,
            "currency": q.currency.or(q.max_nightly.map(|m| m.currency)),
        });
        self.post("/api/search/hotels", &body).await
    }

    async fn search_packages(&self, query: &PackageQuery) -> Result<PackageResults> {
        self.post("/api/search/packages", &serde_json::to_value(query)?)
            .await
    }

    async fn get_package(&self, id: &str) -> Result<PackageDetail> {
        self.get(&format!("/api/packages/{}", seg(id)?)).await
    }

    async fn featured_packages(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        let mut list: Vec<PackageSummary> = self.get("/api/packages/featured").await?;
        list.truncate(limit);
        Ok(list)
    }

    async fn package_deals(&self, limit: usize) -> Result<Vec<Deal>> {
        let mut list: Vec<Deal> = self.get("/api/packages/deals").await?;
        list.truncate(limit);
        Ok(list)
    }

    async fn partner_sales(
        &self,
        query: &crate::sales::SalesQuery,
    ) -> Result<crate::sales::SalesReport> {
        let mut path = format!("/api/partner/sales?from={}&to={}", query.from, query.to);
        if let Some(p) = &query.partner {
            path.push_str(&format!("&partner={}", seg(p)?));
        }
        self.get(&path).await
    }

    async fn save_package(&self, spec: &PackageSpec) -> Result<PackageDetail> {
        self.post("/api/packages", &serde_json::to_value(spec)?)
            .await
    }

    async fn review(&self, booking_id: &str, rating: u8, text: &str) -> Result<Review> {
        self.post(
            "/api/reviews",
            &json!({ "booking_id": booking_id, "rating": rating, "text": text }),
        )
        .await
    }

    async fn create_booking(&self, req: BookingRequest) -> Result<Booking> {
        let mut offers = Vec::new();
        let mut packages = Vec::new();
        for item in &req.items {
            match item {
                ItemRequest::Offer { offer_id } => offers.push(json!(offer_id)),
                ItemRequest::Package { package_id, date } => {
                    packages.push(json!({ "package_id": package_id, "date": date }))
                }
            }
        }
        let mut body = json!({
            "selected_offers": offers,
            "packages": packages,
            "passengers": req.passengers,
            "contact_email": req.contact_email,
            "contact_phone": req.contact_phone,
        });
        match (&req.payment.card, req.payment.points) {
            (Some(card), points) => {
                body["payment"] = json!({
                    "method": "card",
                    "card_number": card.number,
                    "expiry": card.expiry,
                    "points": points,
                })
            }
            (None, points) if points > 0 => {
                body["payment"] = json!({ "method": "points", "points": points })
            }
            (None, _) => {}
        }
        let b: Booking = self
            .call(
                Method::POST,
                "/api/bookings",
                &body,
                req.idempotency_key.as_deref(),
            )
            .await?;
        Ok(self.remembered(b))
    }

    async fn get_booking(&self, id: &str) -> Result<Booking> {
        let b = self.get(&format!("/api/bookings/{}", seg(id)?)).await?;
        Ok(self.remembered(b))
    }

    async fn get_payment(&self, id: &str) -> Result<crate::booking::PaymentRecord> {
        self.get(&format!("/api/payments/{}", seg(id)?)).await
    }

    async fn list_bookings(&self, status: Option<BookingStatus>) -> Result<Vec<Booking>> {
        let list: Vec<Booking> = match status {
            None => self.get("/api/bookings").await?,
            Some(s) => {
                self.get(&format!("/api/bookings?status={}", s.as_str()))
                    .await?
            }
        };
        self.remember(&list);
        Ok(list)
    }

    async fn pay_booking(
        &self,
        id: &str,
        card: Card,
        idempotency_key: Option<String>,
    ) -> Result<Booking> {
        let b = self
            .call(
                Method::POST,
                &format!("/api/bookings/{}/pay", seg(id)?),
                &json!({ "card_number": card.number, "expiry": card.expiry }),
                idempotency_key.as_deref(),
            )
            .await?;
        Ok(self.remembered(b))
    }

    async fn confirm_payment(&self, id: &str) -> Result<Booking> {
        let b = self
            .post(
                &format!("/api/bookings/{}/confirm-payment", seg(id)?),
                &json!({}),
            )
            .await?;
        Ok(self.remembered(b))
    }

    async fn pay_with_paypal(&self, id: &str) -> Result<crate::booking::PayPalCheckout> {
        self.post("/api/payments/paypal/order", &json!({ "booking_id": id }))
            .await
    }

    async fn quote_cancellation(&self, id: &str) -> Result<RefundQuote> {
        self.get(&format!("/api/bookings/{}/refund-quote", seg(id)?))
            .await
    }

    async fn cancel_booking(&self, id: &str, idempotency_key: Option<String>) -> Result<Booking> {
        let b = self
            .call(
                Method::PUT,
                &format!("/api/bookings/{}/cancel", seg(id)?),
                &json!({}),
                idempotency_key.as_deref(),
            )
            .await?;
        Ok(self.remembered(b))
    }

    async fn modify_booking(&self, id: &str, change: Modification) -> Result<Booking> {
        // `Card` serialises masked (it is shown in bookings), so the wire form is built here.
        let body = match &change {
            Modification::FlightDate { date, card } => json!({
                "change": "flight_date",
                "date": date,
                "card": card.as_ref().map(card_json),
            }),
            other => serde_json::to_value(other)?,
        };
        let b = self
            .post(&format!("/api/bookings/{}/modify", seg(id)?), &body)
            .await?;
        Ok(self.remembered(b))
    }

    async fn booking_calendar(&self, id: &str) -> Result<String> {
        self.text(&format!("/api/bookings/{}/ics", seg(id)?)).await
    }

    async fn booking_receipt(&self, id: &str) -> Result<String> {
        self.text(&format!("/api/bookings/{}/receipt", seg(id)?))
            .await
    }

    async fn points(&self) -> Result<Balance> {
        self.get("/api/gamification/points").await
    }

    async fn points_history(&self) -> Result<Vec<LedgerEntry>> {
        self.get("/api/gamification/history").await
    }

    async fn badges(&self) -> Result<Vec<BadgeStatus>> {
        self.get("/api/gamification/badges").await
    }

    async fn challenges(&self) -> Result<Vec<Challenge>> {
        self.get("/api/gamification/challenges").await
    }

    async fn leaderboard(&self, limit: usize) -> Result<Vec<LeaderboardEntry>> {
        self.get(&format!("/api/gamification/leaderboard?limit={limit}"))
            .await
    }

    async fn referral(&self) -> Result<crate::points::Referral> {
        self.get("/api/gamification/referral").await
    }

    async fn profile(&self) -> Result<Profile> {
        self.get("/api/users/profile").await
    }

    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile> {
        self.call(
            Method::PUT,
            "/api/users/profile",
            &serde_json::to_value(update)?,
            None,
        )
        .await
    }

    async fn inbox(&self, unread_only: bool, limit: usize) -> Result<crate::notify::Inbox> {
        self.get(&format!(
            "/api/notifications?unread={unread_only}&limit={limit}"
        ))
        .await
    }

    async fn mark_read(&self, id: Option<&str>) -> Result<usize> {
        let path = match id {
            Some(id) => format!("/api/notifications/{}/read", seg(id)?),
            None => "/api/notifications/read-all".to_string(),
        };
        let answer: crate::notify::Marked = self.post(&path, &serde_json::json!({})).await?;
        Ok(answer.marked)
    }

    async fn track(
        &self,
        events: &crate::analytics::ClientEvents,
    ) -> Result<crate::analytics::Accepted> {
        self.post("/api/analytics/events", &serde_json::to_value(events)?)
            .await
    }

    async fn notification_preferences(&self) -> Result<Vec<crate::notify::Preference>> {
        self.get("/api/notifications/preferences").await
    }

    async fn set_notification_preference(
        &self,
        kind: &str,
        channel: &str,
    ) -> Result<Vec<crate::notify::Preference>> {
        self.call(
            Method::PUT,
            "/api/notifications/preferences",
            &serde_json::json!({"kind": kind, "channel": channel}),
            None,
        )
        .await
    }

    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip> {
        self.post("/api/trips", &serde_json::to_value(trip)?).await
    }

    async fn list_trips(&self) -> Result<Vec<Trip>> {
        self.get("/api/trips").await
    }

    async fn get_trip(&self, id: &str) -> Result<Trip> {
        self.get(&format!("/api/trips/{}", seg(id)?)).await
    }

    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip> {
        self.post(
            &format!("/api/trips/{}/bookings", seg(trip)?),
            &json!({ "booking_id": booking }),
        )
        .await
    }

    async fn trip_calendar(&self, id: &str) -> Result<String> {
        self.text(&format!("/api/trips/{}/ics", seg(id)?)).await
    }

    async fn predict_price(
        &self,
        origin: &str,
        destination: &str,
        date: jiff::civil::Date,
        cabin: Cabin,
    ) -> Result<Prediction> {
        self.post(
            "/api/ai/predict-price",
            &json!({ "origin": origin, "destination": destination, "date": date, "cabin": cabin }),
        )
        .await
    }

    async fn add_watch(&self, watch: &NewWatch) -> Result<Watch> {
        self.post(
            "/api/watches",
            &serde_json::to_value(WatchRequest::from_new(watch))?,
        )
        .await
    }

    async fn watches(&self) -> Result<Vec<Watch>> {
        self.get("/api/watches").await
    }

    async fn remove_watch(&self, id: &str) -> Result<()> {
        let resp = self
            .send(
                Method::DELETE,
                &format!("/api/watches/{}", seg(id)?),
                None,
                None,
            )
            .await?;
        if !resp.status().is_success() {
            return Err(super::http::error_from(self.url(), resp).await);
        }
        Ok(())
    }

    async fn check_watches(&self) -> Result<Vec<Alert>> {
        self.post("/api/watches/check", &json!({})).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_cannot_be_ours_are_not_found() {
        assert!(seg("bkg_01ABC").is_ok());
        assert!(seg("../admin").is_err());
        assert!(seg("").is_err());
    }
}
