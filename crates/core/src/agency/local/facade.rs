//! `Agency` for `LocalAgency`: every facade method as this machine's store and market answer it.

use super::*;

#[async_trait]
impl Agency for LocalAgency {
    async fn info(&self) -> Result<MarketInfo> {
        let m = self.market();
        let conn = self.store().conn()?;
        Ok(MarketInfo {
            mode: "local".into(),
            data_dir: self.shared.options.paths.data_dir.display().to_string(),
            database: self.store().path().display().to_string(),
            schema_version: store::schema_version(),
            fixture_version: fixtures::VERSION.into(),
            airports: m.net.places.airports.len(),
            airlines: m.net.places.airlines.len(),
            routes: m.net.route_count(),
            hotel_cities: store::count(&conn, "cities")?,
            hotels: store::count(&conn, "hotels")?,
            fx_as_of: self.fx().as_of,
            providers: m.aggregator.flight_provider_names(),
        })
    }

    async fn suggest_places(&self, query: &str, limit: usize) -> Result<Vec<PlaceSuggestion>> {
        Ok(self.market().net.places.suggest(query, limit))
    }

    async fn search_flights(&self, query: &FlightQuery) -> Result<FlightResults> {
        self.search_flights_streaming(query, &|_| {}).await
    }

    async fn search_flights_streaming(
        &self,
        query: &FlightQuery,
        progress: Progress<'_>,
    ) -> Result<FlightResults> {
        let m = self.market();
        let places = &m.net.places;
        let req = query.resolve(places, self.fx(), self.now())?;
        let key = serde_json::to_string(query)?;
        let ttl = crate::search::aggregate::FLIGHT_CACHE_TTL;
        let cached = m.answers.lock().ok().and_then(|a| {
            a.get(&key)
                .filter(|(at, _)| at.elapsed() < ttl)
                .map(|(_, r)| r.clone())
        });
        if let Some(hit) = cached {
            updates_by_provider(&hit, progress);
            return Ok(hit);
        }
        // Each provider's answer, shown like the final list.
        let observe = |provider: &str, answer: std::result::Result<&[FlightOffer], &str>| {
            let shown = answer
                .map_err(str::to_string)
                .and_then(|found| self.shown(query, found, places).map_err(|e| e.to_string()));
            progress(match shown {
                Ok(offers) => ProviderUpdate {
                    provider: provider.to_string(),
                    offers,
                    error: None,
                },
                Err(why) => ProviderUpdate {
                    provider: provider.to_string(),
                    offers: Vec::new(),
                    error: Some(why),
                },
            });
        };
        let gathered = m
            .aggregator
            .flights_observed(&req, self.fx(), &observe)
            .await?;
        let offers = self.shown(query, &gathered.offers, places)?;
        self.remember("flight", &offers, |o| {
            (o.id.clone(), o.provider.clone(), o.expires_at.as_second())
        })
        .await?;
        self.observe_fare(query, &gathered.offers).await?;
        let results = FlightResults {
            offers,
            warnings: gathered.warnings.clone(),
        };
        if let Ok(mut a) = m.answers.lock() {
            if a.len() > 1_000 {
                a.clear();
            }
            a.insert(key, (std::time::Instant::now(), results.clone()));
        }
        Ok(results)
    }

    async fn flight_calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>> {
        if query.dates.is_empty() {
            return Err(Error::invalid("no dates to price"));
        }
        if query.dates.len() > 62 {
            return Err(Error::invalid("a calendar covers at most 62 days"));
        }
        let m = self.market();
        let now = self.now();
        let origin = m.net.places.resolve(&query.origin)?;
        let today = now
            .to_zoned(m.net.places.tz[origin.airports[0]].clone())
            .date();
        let mut days = Vec::with_capacity(query.dates.len());
        // Days already past in a month view are simply not for sale.
        for &date in query.dates.iter().filter(|d| **d >= today) {
            let mut q = FlightQuery::one_way(&query.origin, &query.destination, date);
            q.passengers = query.passengers;
            q.cabin = query.cabin;
            q.max_stops = Some(1);
            q.currency = query.currency;
            let req = q.resolve(&m.net.places, self.fx(), now)?;
            let gathered = m.aggregator.flights(&req, self.fx()).await?;
            let cheapest = gathered
                .offers
                .iter()
                .filter_map(|o| self.convert_flight(o.clone(), query.currency).ok())
                .min_by_key(|o| (o.total().minor, o.stops()));
            days.push(CalendarDay {
                date,
                stops: cheapest.as_ref().map(FlightOffer::stops),
                cheapest: cheapest.map(|o| o.total()),
            });
        }
        if days.is_empty() {
            return Err(Error::invalid("every date asked for is in the past"));
        }
        Ok(days)
    }

    async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>> {
        let m = self.market();
        let places = &m.net.places;
        let origin = places.resolve(&query.origin)?;
        let country = match &query.country {
            Some(c) => Some(crate::places::countries::code(c).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown country '{c}': use an ISO code such as ES or a name such as Spain"
                ))
            })?),
            None => None,
        };
        if let Some(c) = query.currency {
            self.fx().supports(c)?;
        }
        let now = self.now();
        let today = now.to_zoned(places.tz[origin.airports[0]].clone()).date();
        let first = query.month.first_of_month();
        let last = query.month.last_of_month();
        if last < today {
            return Err(Error::invalid(format!(
                "{} is in the past",
                first.strftime("%Y-%m")
            )));
        }
        let dates: Vec<Date> = (0..31)
            .filter_map(|i| first.checked_add(i.days()).ok())
            .filter(|d| *d <= last && *d >= today)
            .collect();
        let sandbox = m.sandbox.clone();
        let airports = origin.airports.clone();
        let found =
            tokio::task::spawn_blocking(move || sandbox.cheapest_direct(&airports, &dates, now))
                .await??;
        let mut out = Vec::new();
        for (dest, date, price, airlines) in found {
            let a = &places.airports[dest];
            if country.is_some_and(|c| c != a.country) {
                continue;
            }
            let price = match query.currency {
                Some(c) => self.fx().convert(price, c)?,
                None => price,
            };
            if let Some(max) = query.max_price
                && self.fx().convert(price, max.currency)?.minor > max.minor
            {
                continue;
            }
            out.push(Destination {
                destination: a.iata.clone(),
                city: a.city.clone(),
                country: a.country.clone(),
                date,
                price,
                airlines,
            });
        }
        out.sort_by_key(|d| {
            (
                self.fx()
                    .convert(d.price, Currency::EUR)
                    .map(|m| m.minor)
                    .unwrap_or(i64::MAX),
                d.destination.clone(),
            )
        });
        out.truncate(query.limit.unwrap_or(crate::search::DEFAULT_LIMIT));
        Ok(out)
    }

    async fn search_hotels(&self, query: &HotelQuery) -> Result<HotelResults> {
        let m = self.market();
        let req = query.resolve(&m.net.places, self.fx(), self.now())?;
        let gathered = m.aggregator.hotels(&req, self.fx()).await?;
        let mut offers = Vec::new();
        for o in gathered
            .offers
            .iter()
            .filter(|o| query.accepts(o, self.fx()))
        {
            offers.push(self.convert_hotel(o.clone(), query.currency)?);
        }
        if !query.all_rooms {
            // Cheapest fitting room per hotel.
            offers.sort_by_key(|o| (o.hotel.id.clone(), o.total().minor));
            offers.dedup_by(|a, b| a.hotel.id == b.hotel.id);
        }
        hotels::sort(&mut offers, query.sort, self.fx());
        offers.truncate(query.limit.unwrap_or(crate::search::DEFAULT_LIMIT));
        self.remember("hotel", &offers, |o| {
            (o.id.clone(), o.provider.clone(), o.expires_at.as_second())
        })
        .await?;
        let mut warnings = gathered.warnings.clone();
        if offers.is_empty() && m.net.places.city(&req.city_code).is_some() {
            let conn = self.store().conn()?;
            if store::load_city(&conn, &req.city_code)?.is_none() {
                warnings.push(format!(
                    "the sandbox market has no hotels in {}",
                    req.city_code
                ));
            }
        }
        Ok(HotelResults { offers, warnings })
    }

    async fn search_packages(&self, query: &PackageQuery) -> Result<PackageResults> {
        // Off the async executor, and within a time budget: a costly text query must neither
        // hold up other requests (health checks, shutdown) nor run on after its caller left.
        let (store, net, query) = (self.store().clone(), self.network(), query.clone());
        tokio::task::spawn_blocking(move || {
            use crate::search::packages::{SEARCH_BUDGET, search};
            let conn = store.conn()?;
            crate::store::with_budget(&conn, SEARCH_BUDGET, "the package search", |c| {
                search(c, &net.places, &query)
            })
        })
        .await?
    }

    async fn get_package(&self, id: &str) -> Result<PackageDetail> {
        let conn = self.store().conn()?;
        crate::search::packages::get(&conn, &self.network().places, id, self.today())
    }

    async fn featured_packages(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        crate::search::packages::featured(&*self.store().conn()?, limit)
    }

    async fn package_deals(&self, limit: usize) -> Result<Vec<Deal>> {
        crate::search::packages::deals(
            &*self.store().conn()?,
            &self.network().places,
            self.today(),
            limit,
        )
    }

    async fn save_package(&self, spec: &PackageSpec) -> Result<PackageDetail> {
        let net = self.network();
        spec.validate(|c| net.places.city(c).is_some())?;
        let mut conn = self.store().conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let owner: Option<String> = tx
            .query_row(
                "SELECT owner_id FROM packages WHERE id = ?1",
                [&spec.id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let role: String =
            tx.query_row("SELECT role FROM users WHERE id = ?1", [&self.user], |r| {
                r.get(0)
            })?;
        if self.user != LOCAL_USER && role != "admin" {
            if role != "partner" {
                return Err(Error::Forbidden(
                    "only admins and partners manage packages".into(),
                ));
            }
            // Packages without an owner (the catalogue) are the admins' to change.
            if owner.as_deref() != Some(self.user.as_str())
                && (owner.is_some()
                    || tx
                        .query_row("SELECT 1 FROM packages WHERE id = ?1", [&spec.id], |_| {
                            Ok(())
                        })
                        .optional()?
                        .is_some())
            {
                return Err(Error::NotFound(format!("no package {} of yours", spec.id)));
            }
        }
        let now = self.now().as_second();
        crate::search::packages::upsert(
            &tx,
            &net.places,
            spec,
            Some(owner.as_deref().unwrap_or(&self.user)),
            "user",
            now,
        )?;
        crate::events::emit(
            &tx,
            "package.saved",
            &spec.id,
            Some(&self.user),
            &serde_json::json!({"package_id": spec.id}),
            now,
        )?;
        tx.commit()?;
        crate::search::packages::get(&conn, &net.places, &spec.id, self.today())
    }

    async fn review(&self, booking_id: &str, rating: u8, text: &str) -> Result<Review> {
        self.review_as(&self.user, booking_id, rating, text)
    }

    async fn create_booking(&self, req: BookingRequest) -> Result<Booking> {
        self.create_booking_as(&self.user, req).await
    }

    async fn get_booking(&self, id: &str) -> Result<Booking> {
        self.pay_out_refunds().await;
        self.get_booking_as(&self.user, id)
    }

    async fn get_payment(&self, id: &str) -> Result<crate::booking::PaymentRecord> {
        let (user, pid) = (self.user.clone(), id.to_string());
        let booking = self
            .store()
            .call(move |c| crate::booking::service::booking_of_payment(c, &user, &pid))
            .await?;
        booking
            .payment(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no payment {id}")))
    }

    async fn list_bookings(&self, status: Option<BookingStatus>) -> Result<Vec<Booking>> {
        self.pay_out_refunds().await;
        self.list_bookings_as(&self.user, status)
    }

    async fn pay_booking(
        &self,
        id: &str,
        card: Card,
        idempotency_key: Option<String>,
    ) -> Result<Booking> {
        self.pay_booking_as(&self.user, id, card, idempotency_key)
            .await
    }

    async fn confirm_payment(&self, id: &str) -> Result<Booking> {
        self.confirm_payment_as(&self.user, id).await
    }

    async fn quote_cancellation(&self, id: &str) -> Result<RefundQuote> {
        self.sweep()?;
        self.quote_cancel_as(&self.user, id)
    }

    async fn cancel_booking(&self, id: &str, idempotency_key: Option<String>) -> Result<Booking> {
        self.sweep()?;
        self.cancel_booking_as(&self.user, id, idempotency_key)
            .await
    }

    async fn modify_booking(&self, id: &str, change: Modification) -> Result<Booking> {
        self.modify_booking_as(&self.user, id, change).await
    }

    async fn booking_calendar(&self, id: &str) -> Result<String> {
        let b = self.get_booking_as(&self.user, id)?;
        Ok(crate::booking::ics::calendar(
            &format!("BooksyGo {}", b.confirmation_code),
            &[b],
            self.now(),
        ))
    }

    async fn booking_receipt(&self, id: &str) -> Result<String> {
        Ok(crate::booking::ics::receipt(
            &self.get_booking_as(&self.user, id)?,
        ))
    }

    async fn points(&self) -> Result<Balance> {
        self.sweep()?;
        crate::points::balance(&*self.store().conn()?, &self.user)
    }

    async fn points_history(&self) -> Result<Vec<LedgerEntry>> {
        self.sweep()?;
        crate::points::history(&*self.store().conn()?, &self.user)
    }

    async fn badges(&self) -> Result<Vec<BadgeStatus>> {
        self.sweep()?;
        crate::points::badges(&*self.store().conn()?, &self.user)
    }

    async fn challenges(&self) -> Result<Vec<Challenge>> {
        self.sweep()?;
        crate::points::challenges(&*self.store().conn()?, &self.user, self.today())
    }

    async fn leaderboard(&self, limit: usize) -> Result<Vec<LeaderboardEntry>> {
        self.sweep()?;
        crate::points::leaderboard(&*self.store().conn()?, &self.user, limit)
    }

    async fn profile(&self) -> Result<Profile> {
        crate::profile::get(&*self.store().conn()?, &self.user)
    }

    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile> {
        crate::profile::update(&*self.store().conn()?, &self.user, update)
    }

    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip> {
        let conn = self.store().conn()?;
        let id = crate::trips::create(&conn, &self.user, trip, self.now().as_second())?;
        Ok(crate::trips::get(&conn, &self.user, &id)?.0)
    }

    async fn list_trips(&self) -> Result<Vec<Trip>> {
        self.sweep()?;
        crate::trips::list(&*self.store().conn()?, &self.user)
    }

    async fn get_trip(&self, id: &str) -> Result<Trip> {
        self.sweep()?;
        Ok(crate::trips::get(&*self.store().conn()?, &self.user, id)?.0)
    }

    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip> {
        let conn = self.store().conn()?;
        crate::trips::add(&conn, &self.user, trip, booking)?;
        Ok(crate::trips::get(&conn, &self.user, trip)?.0)
    }

    async fn trip_calendar(&self, id: &str) -> Result<String> {
        let (trip, bookings) = crate::trips::get(&*self.store().conn()?, &self.user, id)?;
        Ok(crate::booking::ics::calendar(
            &trip.name,
            &bookings,
            self.now(),
        ))
    }
}
