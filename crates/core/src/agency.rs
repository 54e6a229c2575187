//! The facade every face talks to. `LocalAgency` runs on the local SQLite store and the
//! sandbox market (plus any configured suppliers); a `RemoteAgency` (HTTP) implements the same
//! trait against a team server.

use crate::booking::payment::sandbox::SandboxPayments;
use crate::booking::payment::{Card, PaymentProvider};
use crate::booking::service::{Modification, Review};
use crate::booking::{Booking, BookingRequest, BookingStatus, RefundQuote};
use crate::config::{Clock, Paths};
use crate::error::{Error, Result};
use crate::fixtures;
use crate::model::package::PackageSpec;
use crate::model::{
    Cabin, Currency, FlightOffer, FxTable, HotelOffer, Money, Passengers, PlaceSuggestion,
};
use crate::places::{Places, import::ImportReport};
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::providers::sandbox::{SandboxProvider, network::Network};
use crate::providers::{FlightProvider, HotelProvider};
use crate::search::aggregate::Aggregator;
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::{FlightQuery, HotelQuery, flights, hotels};
use crate::store::{self, Store};
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;
use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One provider's answer during a streaming flight search ([`Agency::search_flights_streaming`]).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProviderUpdate {
    pub provider: String,
    /// That provider's offers that pass the query's filters, converted and sorted. A preview:
    /// book from the final, merged results.
    pub offers: Vec<FlightOffer>,
    /// Why the provider gave nothing (it failed or was too slow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Receives provider updates as they arrive.
pub type Progress<'a> = &'a (dyn Fn(ProviderUpdate) + Send + Sync);

/// The final results split by provider (for faces that stream, when nothing finer is known).
fn updates_by_provider(results: &FlightResults, progress: Progress<'_>) {
    let mut names: Vec<&str> = results.offers.iter().map(|o| o.provider.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        progress(ProviderUpdate {
            provider: name.to_string(),
            offers: results
                .offers
                .iter()
                .filter(|o| o.provider == name)
                .cloned()
                .collect(),
            error: None,
        });
    }
}

/// Flight offers with what a face should tell the user about how they were found.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlightResults {
    pub offers: Vec<FlightOffer>,
    /// Partial-result notices (a provider failed or was slow).
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotelResults {
    pub offers: Vec<HotelOffer>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Cheapest fare per day: `flights calendar`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarQuery {
    pub origin: String,
    pub destination: String,
    pub dates: Vec<Date>,
    #[serde(default)]
    pub passengers: Passengers,
    #[serde(default = "economy")]
    pub cabin: Cabin,
    #[serde(default)]
    pub currency: Option<Currency>,
}

fn economy() -> Cabin {
    Cabin::Economy
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CalendarDay {
    pub date: Date,
    /// Cheapest total for all passengers; `None` when nothing flies or it is sold out.
    pub cheapest: Option<Money>,
    pub stops: Option<usize>,
}

/// Cheapest destinations from an origin in a month: `flights explore`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ExploreQuery {
    pub origin: String,
    pub month: Date,
    #[serde(default)]
    pub max_price: Option<Money>,
    /// ISO country code or name.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Destination {
    pub destination: String,
    pub city: String,
    pub country: String,
    pub date: Date,
    /// One adult, economy, direct, taxes included.
    pub price: Money,
    pub airlines: Vec<String>,
}

/// What the local market holds, for `booksygo info` and status bars.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MarketInfo {
    pub mode: String,
    pub data_dir: String,
    pub database: String,
    pub schema_version: usize,
    pub fixture_version: String,
    pub airports: usize,
    pub airlines: usize,
    pub routes: usize,
    pub hotel_cities: i64,
    pub hotels: i64,
    pub fx_as_of: Date,
    pub providers: Vec<String>,
}

#[async_trait]
pub trait Agency: Send + Sync {
    async fn info(&self) -> Result<MarketInfo>;
    async fn suggest_places(&self, query: &str, limit: usize) -> Result<Vec<PlaceSuggestion>>;
    async fn search_flights(&self, query: &FlightQuery) -> Result<FlightResults>;
    /// [`Agency::search_flights`], telling `progress` each provider's offers as they arrive;
    /// the answer is the same merged result.
    async fn search_flights_streaming(
        &self,
        query: &FlightQuery,
        progress: Progress<'_>,
    ) -> Result<FlightResults> {
        let results = self.search_flights(query).await?;
        updates_by_provider(&results, progress);
        Ok(results)
    }
    async fn flight_calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>>;
    async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>>;
    async fn search_hotels(&self, query: &HotelQuery) -> Result<HotelResults>;

    // Packages
    async fn search_packages(&self, query: &PackageQuery) -> Result<PackageResults>;
    async fn get_package(&self, id: &str) -> Result<PackageDetail>;
    async fn featured_packages(&self, limit: usize) -> Result<Vec<PackageSummary>>;
    async fn package_deals(&self, limit: usize) -> Result<Vec<Deal>>;
    /// Adds or replaces a package (validated as a whole; nothing written on error).
    async fn save_package(&self, spec: &PackageSpec) -> Result<PackageDetail>;
    async fn review(&self, booking_id: &str, rating: u8, text: &str) -> Result<Review>;

    // Bookings
    async fn create_booking(&self, req: BookingRequest) -> Result<Booking>;
    async fn get_booking(&self, id: &str) -> Result<Booking>;
    /// One of your payment attempts, by its id (`pay_...`).
    async fn get_payment(&self, id: &str) -> Result<crate::booking::PaymentRecord>;
    async fn list_bookings(&self, status: Option<BookingStatus>) -> Result<Vec<Booking>>;
    async fn pay_booking(
        &self,
        id: &str,
        card: Card,
        idempotency_key: Option<String>,
    ) -> Result<Booking>;
    async fn confirm_payment(&self, id: &str) -> Result<Booking>;
    async fn quote_cancellation(&self, id: &str) -> Result<RefundQuote>;
    async fn cancel_booking(&self, id: &str, idempotency_key: Option<String>) -> Result<Booking>;
    /// Change a traveller's name or move the flight to another date (re-priced; the difference
    /// is charged or refunded).
    async fn modify_booking(&self, id: &str, change: Modification) -> Result<Booking>;
    /// An RFC 5545 calendar of one booking.
    async fn booking_calendar(&self, id: &str) -> Result<String>;
    async fn booking_receipt(&self, id: &str) -> Result<String>;

    // Points
    async fn points(&self) -> Result<Balance>;
    async fn points_history(&self) -> Result<Vec<LedgerEntry>>;
    async fn badges(&self) -> Result<Vec<BadgeStatus>>;
    async fn challenges(&self) -> Result<Vec<Challenge>>;
    async fn leaderboard(&self, limit: usize) -> Result<Vec<LeaderboardEntry>>;

    // Profile and trips
    async fn profile(&self) -> Result<Profile>;
    async fn update_profile(&self, update: &ProfileUpdate) -> Result<Profile>;
    async fn create_trip(&self, trip: &NewTrip) -> Result<Trip>;
    async fn list_trips(&self) -> Result<Vec<Trip>>;
    async fn get_trip(&self, id: &str) -> Result<Trip>;
    async fn add_to_trip(&self, trip: &str, booking: &str) -> Result<Trip>;
    async fn trip_calendar(&self, id: &str) -> Result<String>;
}

/// Options for opening a local agency.
#[derive(Clone)]
pub struct LocalOptions {
    pub paths: Paths,
    pub clock: Clock,
    /// Per-provider deadline.
    pub deadline: Duration,
    /// Extra providers beside the sandbox (real suppliers, test doubles).
    pub flight_providers: Vec<Arc<dyn FlightProvider>>,
    pub hotel_providers: Vec<Arc<dyn HotelProvider>>,
    /// Whether the sandbox market answers searches (on by default).
    pub sandbox: bool,
    /// Who takes the money: the sandbox test cards by default.
    pub payments: Arc<dyn PaymentProvider>,
    /// The secret that signs the payment provider's webhooks (Stripe's `whsec_...`).
    pub payment_webhook_secret: Option<crate::providers::Secret>,
}

impl LocalOptions {
    pub fn new(paths: Paths) -> Self {
        LocalOptions {
            paths,
            clock: Clock::system(),
            deadline: Duration::from_secs(12),
            flight_providers: Vec::new(),
            hotel_providers: Vec::new(),
            sandbox: true,
            payments: Arc::new(SandboxPayments),
            payment_webhook_secret: None,
        }
    }
}

/// The traveller a local agency acts for when no account system is in front of it.
pub const LOCAL_USER: &str = "usr_local";

/// The agency over the local store. Cheap to clone; `as_user` gives a view acting for another
/// traveller (the server uses one per request).
#[derive(Clone)]
pub struct LocalAgency {
    shared: Arc<Shared>,
    user: String,
}

struct Shared {
    store: Store,
    options: LocalOptions,
    fx: Arc<FxTable>,
    market: RwLock<Arc<Market>>,
    /// Offer ids already written with their expiry: a repeated search (a cache hit on a
    /// busy server) writes nothing.
    remembered: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

/// The network and the providers built over it; rebuilt after an import.
struct Market {
    net: Arc<Network>,
    sandbox: SandboxProvider,
    aggregator: Aggregator,
    /// Finished answers (filtered, sorted, converted) by query, for as long as the
    /// aggregator's own cache: a busy server answers a repeated search from here.
    answers:
        std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, FlightResults)>>,
}

impl LocalAgency {
    /// The one way a face makes its agency: the store under `paths`, the clock from the
    /// environment (`BOOKSYGO_NOW` pins it), and the real suppliers whose credentials the
    /// settings (config file, environment, secret store) hold; the sandbox alone without any.
    pub fn from_config(paths: Paths, settings: &crate::config::Settings) -> Result<LocalAgency> {
        let mut options = LocalOptions::new(paths);
        options.clock = Clock::from_env()?;
        crate::providers::setup::Suppliers::from_settings(settings)?.apply(&mut options);
        LocalAgency::open(options)
    }

    /// Opens the local store (creating and loading it on first run) and builds the market.
    pub fn open(options: LocalOptions) -> Result<LocalAgency> {
        let store = Store::open(&options.paths.database())?;
        store::ensure_fixtures(&mut *store.conn()?)?;
        let fx = Arc::new(FxTable::from_json(fixtures::FX)?);
        let market = Self::build_market(&store, &options)?;
        let now = options.clock.now().as_second();
        store::ensure_packages(&mut *store.conn()?, &market.net.places, now)?;
        store::ensure_user(&*store.conn()?, LOCAL_USER, "you@localhost", now)?;
        let shared = Shared {
            store,
            options,
            fx,
            market: RwLock::new(Arc::new(market)),
            remembered: Default::default(),
        };
        Ok(LocalAgency {
            shared: Arc::new(shared),
            user: LOCAL_USER.to_string(),
        })
    }

    fn build_market(store: &Store, options: &LocalOptions) -> Result<Market> {
        let conn = store.conn()?;
        let routes = store::load_routes(&conn)?;
        let places = Places::new(
            store::load_airports(&conn)?,
            store::load_airlines(&conn)?,
            &routes,
        );
        drop(conn);
        let net = Arc::new(Network::new(places, &routes));
        let sandbox = SandboxProvider::new(net.clone(), store.clone());
        let mut fp: Vec<Arc<dyn FlightProvider>> = Vec::new();
        let mut hp: Vec<Arc<dyn HotelProvider>> = Vec::new();
        if options.sandbox {
            fp.push(Arc::new(sandbox.clone()));
            hp.push(Arc::new(sandbox.clone()));
        }
        fp.extend(options.flight_providers.iter().cloned());
        hp.extend(options.hotel_providers.iter().cloned());
        let aggregator = Aggregator::new(fp, hp, options.deadline);
        Ok(Market {
            net,
            sandbox,
            aggregator,
            answers: Default::default(),
        })
    }

    fn market(&self) -> Arc<Market> {
        self.shared
            .market
            .read()
            .map(|m| m.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The same agency acting for another traveller.
    pub fn as_user(&self, user: &str) -> LocalAgency {
        LocalAgency {
            shared: self.shared.clone(),
            user: user.to_string(),
        }
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// The storage port, for core and the workspace's tests (`test-support`).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    #[cfg(not(feature = "test-support"))]
    pub(crate) fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn fx(&self) -> &FxTable {
        &self.shared.fx
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.shared.options.clock.now()
    }

    /// Accounts and sessions over this agency's store, for the team server.
    pub fn accounts(&self) -> Arc<dyn crate::accounts::Accounts> {
        Arc::new(crate::accounts::LocalAccounts::new(
            self.store().clone(),
            self.shared.options.clock,
        ))
    }

    /// Administration, the event feed and health, for the team server.
    pub fn team(&self) -> Arc<dyn crate::team::Team> {
        Arc::new(crate::team::LocalTeam::new(self.clone()))
    }

    /// Conversations with the assistant, kept in this agency's store.
    pub fn chats(&self) -> crate::ai::conversation::Chats {
        crate::ai::conversation::Chats::new(self.store().clone(), self.shared.options.clock)
    }

    pub fn payments(&self) -> Arc<dyn PaymentProvider> {
        self.shared.options.payments.clone()
    }

    pub fn payment_webhook_secret(&self) -> Option<&crate::providers::Secret> {
        self.shared.options.payment_webhook_secret.as_ref()
    }

    /// Today in UTC (package departures and challenges are dated in UTC).
    pub fn today(&self) -> Date {
        self.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    /// Forgets cached search answers (inventory changed).
    pub fn invalidate_caches(&self) {
        let m = self.market();
        m.aggregator.invalidate();
        if let Ok(mut a) = m.answers.lock() {
            a.clear();
        }
    }

    /// The in-memory network (places, routes, timetable), for benchmarks and tools.
    pub fn network(&self) -> Arc<Network> {
        self.market().net.clone()
    }

    /// A configured hotel provider by name.
    pub fn hotel_provider(&self, name: &str) -> Option<Arc<dyn HotelProvider>> {
        self.market().aggregator.hotel_provider(name)
    }

    /// A configured flight provider by name.
    pub fn flight_provider(&self, name: &str) -> Option<Arc<dyn FlightProvider>> {
        self.market().aggregator.flight_provider(name)
    }

    pub fn sandbox(&self) -> SandboxProvider {
        self.market().sandbox.clone()
    }

    /// Imports OpenFlights files and rebuilds the market over the larger network.
    pub async fn import_openflights(&self, dir: std::path::PathBuf) -> Result<ImportReport> {
        let store = self.store().clone();
        let report = tokio::task::spawn_blocking(move || {
            crate::places::import::import_openflights(&store, &dir)
        })
        .await??;
        let market = Self::build_market(self.store(), &self.shared.options)?;
        if let Ok(mut m) = self.shared.market.write() {
            *m = Arc::new(market);
        }
        Ok(report)
    }

    /// Converts an offer's prices to the display currency, giving it a currency-specific id.
    pub(crate) fn convert_flight(
        &self,
        mut o: FlightOffer,
        to: Option<Currency>,
    ) -> Result<FlightOffer> {
        let Some(to) = to.filter(|c| *c != o.price.currency()) else {
            return Ok(o);
        };
        o.price.base = self.fx().convert(o.price.base, to)?;
        o.price.tax = self.fx().convert(o.price.tax, to)?;
        for p in [
            &mut o.conditions.refund_before_departure,
            &mut o.conditions.change_before_departure,
        ] {
            if let Some(fee) = p.fee().filter(|_| p.penalty_amount.is_some()) {
                *p = crate::model::Penalty::with_fee(self.fx().convert(fee, to)?);
            }
        }
        o.id = priced_in(&o.id, to);
        Ok(o)
    }

    pub(crate) fn convert_hotel(
        &self,
        mut o: HotelOffer,
        to: Option<Currency>,
    ) -> Result<HotelOffer> {
        let Some(to) = to.filter(|c| *c != o.price.total.currency) else {
            return Ok(o);
        };
        o.price.total = self.fx().convert(o.price.total, to)?;
        o.price.tax = self.fx().convert(o.price.tax, to)?;
        o.price.nightly = self.fx().convert(o.price.nightly, to)?;
        o.id = priced_in(&o.id, to);
        Ok(o)
    }

    /// Remembers offers so `book <OFFER_ID>` can find them.
    async fn remember<T: Serialize>(
        &self,
        kind: &'static str,
        offers: &[T],
        meta: impl Fn(&T) -> (String, String, i64),
    ) -> Result<()> {
        let known = |id: &str, exp: i64| {
            self.shared
                .remembered
                .lock()
                .map(|m| m.get(id).is_some_and(|e| *e >= exp))
                .unwrap_or(false)
        };
        let rows: Vec<(String, String, String, i64)> = offers
            .iter()
            .filter_map(|o| {
                let (id, provider, exp) = meta(o);
                if known(&id, exp) {
                    return None;
                }
                Some(
                    serde_json::to_string(o)
                        .map(|json| (id, provider, json, exp))
                        .map_err(Error::from),
                )
            })
            .collect::<Result<_>>()?;
        if rows.is_empty() {
            return Ok(());
        }
        let store = self.store().clone();
        let now = self.now().as_second();
        let ids: Vec<(String, i64)> = rows.iter().map(|r| (r.0.clone(), r.3)).collect();
        tokio::task::spawn_blocking(move || {
            store::save_offers(&mut *store.conn()?, kind, &rows, now)
        })
        .await??;
        if let Ok(mut m) = self.shared.remembered.lock() {
            if m.len() > 100_000 {
                m.clear();
            }
            m.extend(ids);
        }
        Ok(())
    }
}

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

impl LocalAgency {
    /// The offers a query shows out of what the providers found: its filters, in its
    /// currency, in its order, up to its limit. The one search pipeline, for each provider's
    /// answer as it streams in and for the merged list.
    fn shown(
        &self,
        query: &FlightQuery,
        found: &[FlightOffer],
        places: &Places,
    ) -> Result<Vec<FlightOffer>> {
        let mut offers = Vec::new();
        // Filter first (the filters convert prices themselves), then copy and convert only
        // what is kept.
        for o in found.iter().filter(|o| query.accepts(o, places, self.fx())) {
            offers.push(self.convert_flight(o.clone(), query.currency)?);
        }
        flights::sort(&mut offers, query.sort, self.fx());
        offers.truncate(query.limit.unwrap_or(crate::search::DEFAULT_LIMIT));
        Ok(offers)
    }

    /// Records the cheapest fare of a one-way search for price prediction (ai::predict).
    async fn observe_fare(&self, query: &FlightQuery, offers: &[FlightOffer]) -> Result<()> {
        let [slice] = query.slices.as_slice() else {
            return Ok(());
        };
        let Some(cheapest) = offers
            .iter()
            .filter_map(|o| self.fx().convert(o.total(), Currency::EUR).ok())
            .min_by_key(|m| m.minor)
        else {
            return Ok(());
        };
        let places = &self.market().net.places;
        let (Ok(from), Ok(to)) = (
            places.resolve(&slice.origin),
            places.resolve(&slice.destination),
        ) else {
            return Ok(());
        };
        let (store, fx, now) = (self.store().clone(), self.shared.fx.clone(), self.now());
        let (date, cabin, seats) = (slice.departure_date, query.cabin, query.passengers.seats());
        tokio::task::spawn_blocking(move || {
            crate::ai::predict::observe(
                &*store.conn()?,
                &from.code,
                &to.code,
                date,
                cabin,
                cheapest,
                seats,
                &fx,
                now,
            )
        })
        .await?
    }
}

/// The id of an offer re-priced in another currency: stable, and distinct from the original.
fn priced_in(id: &str, currency: Currency) -> String {
    format!(
        "off_{:016x}",
        crate::geo::hash(&[crate::geo::word(id), crate::geo::word(currency.as_str())])
    )
}
