//! `LocalAgency`: the agency on this machine's store and market. What it holds (store, FX,
//! market, options), how it opens, and the helpers its facade methods share; the facade
//! methods themselves are in `facade.rs`.

use super::*;

mod facade;

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
