//! The searcher: the market (network, sandbox, configured suppliers) and the one search
//! pipeline over it: resolve, fan out, filter, convert, sort, truncate, remember what was shown.
//! Flights, hotels, the flexible-date calendar and explore all answer from here.

use super::aggregate::Aggregator;
use super::cache::{FLIGHT_TTL, TtlCache};
use super::results::{
    CalendarDay, CalendarQuery, Destination, ExploreQuery, FlightResults, HotelResults, Progress,
    ProviderUpdate, updates_by_provider,
};
use super::wire::{Encoding, KeptAnswer, WireAnswer};
use super::{FlightQuery, HotelQuery, flights, hotels};
use crate::config::Clock;
use crate::error::{Error, Result};
use crate::model::{Airline, Airport, Currency, FlightOffer, FxTable, HotelOffer, PlaceSuggestion};
use crate::places::Places;
use crate::places::routes::RouteTable;
use crate::providers::sandbox::{SandboxProvider, network::Network};
use crate::providers::{FlightProvider, HotelProvider, Selling};
use crate::store::Store;
use crate::store::port::Catalogue;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Finished answers kept; past it the oldest half goes.
const CACHED_ANSWERS: usize = 1_000;

/// Which suppliers the market asks, and how long each may take.
#[derive(Clone)]
pub struct Sources {
    /// Per-provider deadline.
    pub deadline: Duration,
    /// Providers beside the sandbox (real suppliers, test doubles).
    pub flight_providers: Vec<Arc<dyn FlightProvider>>,
    pub hotel_providers: Vec<Arc<dyn HotelProvider>>,
    /// Whether the sandbox market answers searches.
    pub sandbox: bool,
}

/// Searches the market. Cheap to clone: everything is shared.
#[derive(Clone)]
pub struct Searcher {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    clock: Clock,
    fx: Arc<FxTable>,
    sources: Sources,
    market: RwLock<Arc<Market>>,
    /// Offer ids already written with their expiry: a repeated search (a cache hit on a
    /// busy server) writes nothing.
    remembered: Mutex<HashMap<String, i64>>,
}

/// The network and the providers built over it; rebuilt after an import.
struct Market {
    net: Arc<Network>,
    sandbox: SandboxProvider,
    aggregator: Aggregator,
    /// Finished answers (filtered, sorted, converted) by query, for as long as the
    /// aggregator's own cache, with their wire forms (JSON, compressed): a busy server answers
    /// a repeated search from here without serialising it again.
    answers: TtlCache<FlightQuery, Arc<KeptAnswer>>,
}

impl Searcher {
    /// The market over `store`'s places and routes.
    pub fn open(store: Store, clock: Clock, fx: Arc<FxTable>, sources: Sources) -> Result<Self> {
        let market = build_market(&store, &sources)?;
        Ok(Searcher {
            shared: Arc::new(Shared {
                store,
                clock,
                fx,
                sources,
                market: RwLock::new(Arc::new(market)),
                remembered: Default::default(),
            }),
        })
    }

    /// Builds the market again over the store's places and routes (after an import).
    pub fn rebuild(&self) -> Result<()> {
        let market = build_market(&self.shared.store, &self.shared.sources)?;
        if let Ok(mut m) = self.shared.market.write() {
            *m = Arc::new(market);
        }
        Ok(())
    }

    fn market(&self) -> Arc<Market> {
        self.shared
            .market
            .read()
            .map(|m| m.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    pub fn fx(&self) -> &FxTable {
        &self.shared.fx
    }

    fn now(&self) -> jiff::Timestamp {
        self.shared.clock.now()
    }

    /// The in-memory network (places, routes, timetable).
    pub fn network(&self) -> Arc<Network> {
        self.market().net.clone()
    }

    pub fn sandbox(&self) -> SandboxProvider {
        self.market().sandbox.clone()
    }

    /// A configured hotel provider by name.
    pub fn hotel_provider(&self, name: &str) -> Option<Arc<dyn HotelProvider>> {
        self.market().aggregator.hotel_provider(name)
    }

    /// A configured flight provider by name.
    pub fn flight_provider(&self, name: &str) -> Option<Arc<dyn FlightProvider>> {
        self.market().aggregator.flight_provider(name)
    }

    /// How the offers of the flight provider called `name` are sold now: an offer whose
    /// provider is not configured any more (its key was removed) can only be looked at. The
    /// sandbox's offers stay BooksyGo's own even when it does not answer searches.
    pub fn flight_selling(&self, name: &str) -> Selling {
        let m = self.market();
        if name == FlightProvider::name(&m.sandbox) {
            return FlightProvider::selling(&m.sandbox);
        }
        m.aggregator
            .flight_provider(name)
            .map_or(Selling::SearchOnly, |p| p.selling())
    }

    /// [`Searcher::flight_selling`] for hotel providers.
    pub fn hotel_selling(&self, name: &str) -> Selling {
        let m = self.market();
        if name == HotelProvider::name(&m.sandbox) {
            return HotelProvider::selling(&m.sandbox);
        }
        m.aggregator
            .hotel_provider(name)
            .map_or(Selling::SearchOnly, |p| p.selling())
    }

    pub fn flight_provider_names(&self) -> Vec<String> {
        self.market().aggregator.flight_provider_names()
    }

    /// Forgets cached answers (inventory changed).
    pub fn invalidate(&self) {
        let m = self.market();
        m.aggregator.invalidate();
        m.answers.clear();
    }

    pub fn suggest_places(&self, query: &str, limit: usize) -> Vec<PlaceSuggestion> {
        self.market().net.places.suggest(query, limit)
    }

    /// Flight offers for `query`, telling `progress` each provider's answer as it arrives
    /// (shown like the final list); the answer is the merged list.
    /// `None` when nobody listens: each provider's answer is then not ordered on its own.
    pub async fn flights(
        &self,
        query: &FlightQuery,
        progress: Option<Progress<'_>>,
    ) -> Result<FlightResults> {
        let (kept, _) = self.answer(query, progress).await?;
        Ok(kept.results.clone())
    }

    /// [`Searcher::flights`] as the team server sends it: the answer's JSON, in `encoding`
    /// when compressing it pays. Made once per cached answer, so a repeated search copies
    /// nothing.
    pub async fn flights_wire(
        &self,
        query: &FlightQuery,
        encoding: Encoding,
    ) -> Result<WireAnswer> {
        let (kept, cached) = self.answer(query, None).await?;
        let (body, encoding) = kept.encoded(encoding)?;
        Ok(WireAnswer {
            body,
            encoding,
            cached,
        })
    }

    /// The finished answer for `query`, and whether it came from the cache. The key is the
    /// whole query (trip, passengers, cabin, stops, every filter, sort, limit, currency), so
    /// two queries share an answer only when they ask the same.
    async fn answer(
        &self,
        query: &FlightQuery,
        progress: Option<Progress<'_>>,
    ) -> Result<(Arc<KeptAnswer>, bool)> {
        let m = self.market();
        let places = &m.net.places;
        let req = query.resolve(places, self.fx(), self.now())?;
        if let Some(hit) = m.answers.get(query) {
            if let Some(progress) = progress {
                updates_by_provider(&hit.results, progress);
            }
            return Ok((hit, true));
        }
        let observe = |provider: &str, answer: std::result::Result<&[FlightOffer], &str>| {
            let Some(progress) = progress else {
                return;
            };
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
        self.observe_fare(query, &gathered.offers, places).await?;
        let kept = Arc::new(KeptAnswer::new(FlightResults {
            offers,
            warnings: gathered.warnings.clone(),
        }));
        m.answers.put(query.clone(), kept.clone());
        Ok((kept, false))
    }

    /// The offers a query shows out of what the providers found: its filters, in its
    /// currency, in its order, up to its limit. The one search pipeline, for each provider's
    /// answer as it streams in and for the merged list.
    fn shown(
        &self,
        query: &FlightQuery,
        found: &[FlightOffer],
        places: &Places,
    ) -> Result<Vec<FlightOffer>> {
        let limit = query.limit.unwrap_or(super::DEFAULT_LIMIT);
        // Filter first (the filters convert prices themselves).
        let mut kept: Vec<&FlightOffer> = found
            .iter()
            .filter(|o| query.accepts(o, places, self.fx()))
            .collect();
        if query
            .currency
            .is_none_or(|to| kept.iter().all(|o| o.price.currency() == to))
        {
            // Nothing to convert: order the offers where they are and copy only the shown.
            flights::sort(&mut kept, query.sort, self.fx());
            return Ok(kept.into_iter().take(limit).cloned().collect());
        }
        // Converting changes the prices and ids the order reads: convert, then order.
        let mut offers = kept
            .into_iter()
            .map(|o| self.convert_flight(o.clone(), query.currency))
            .collect::<Result<Vec<_>>>()?;
        flights::sort(&mut offers, query.sort, self.fx());
        offers.truncate(limit);
        Ok(offers)
    }

    /// The cheapest fare per day of the query's dates still ahead.
    pub async fn calendar(&self, query: &CalendarQuery) -> Result<Vec<CalendarDay>> {
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
            .to_zoned(m.net.places.tz(origin.airports[0]).clone())
            .date();
        let horizon = super::sale_horizon(today);
        let mut days = Vec::with_capacity(query.dates.len());
        // Days already past, or not on sale yet, in a month view are simply not for sale.
        for &date in query
            .dates
            .iter()
            .filter(|d| (today..=horizon).contains(*d))
        {
            let mut q = FlightQuery::one_way(&query.origin, &query.destination, date);
            q.passengers = query.passengers;
            q.cabin = query.cabin;
            // As many stops as a search allows: a day shows a fare when `flights search` would.
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
            return Err(Error::invalid(if query.dates.iter().all(|d| *d < today) {
                "every date asked for is in the past".to_string()
            } else {
                format!("every date asked for is too far ahead: airlines sell up to {horizon}")
            }));
        }
        Ok(days)
    }

    /// The cheapest direct destinations from an origin in a month.
    pub async fn explore(&self, query: &ExploreQuery) -> Result<Vec<Destination>> {
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
        super::check_max_price(query.max_price)?;
        let now = self.now();
        let today = now.to_zoned(places.tz(origin.airports[0]).clone()).date();
        let first = query.month.first_of_month();
        let last = query.month.last_of_month();
        if last < today {
            return Err(Error::invalid(format!(
                "{} is in the past",
                first.strftime("%Y-%m")
            )));
        }
        // The days airlines sell: none past the horizon, as a search of one of them says.
        let horizon = super::sale_horizon(today);
        if first > horizon {
            return Err(Error::invalid(format!(
                "{} is too far ahead: airlines sell up to {horizon}",
                first.strftime("%Y-%m")
            )));
        }
        let dates: Vec<Date> = (0..31)
            .filter_map(|i| first.checked_add(i.days()).ok())
            .filter(|d| *d <= last.min(horizon) && *d >= today)
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
        out.truncate(query.limit.unwrap_or(super::DEFAULT_LIMIT));
        Ok(out)
    }

    /// Hotel offers for `query`: the cheapest fitting room per hotel unless all rooms are
    /// asked for.
    pub async fn hotels(&self, query: &HotelQuery) -> Result<HotelResults> {
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
        offers.truncate(query.limit.unwrap_or(super::DEFAULT_LIMIT));
        self.remember("hotel", &offers, |o| {
            (o.id.clone(), o.provider.clone(), o.expires_at.as_second())
        })
        .await?;
        let mut warnings = gathered.warnings.clone();
        if offers.is_empty() && m.net.places.city(&req.city_code).is_some() {
            let (store, city) = (self.shared.store.clone(), req.city_code.clone());
            let known = store.reading(move |u| u.catalogue().city(&city)).await?;
            if known.is_none() {
                warnings.push(format!(
                    "the sandbox market has no hotels in {}",
                    req.city_code
                ));
            }
        }
        Ok(HotelResults { offers, warnings })
    }

    /// Converts an offer's prices to the display currency, giving it a currency-specific id.
    pub fn convert_flight(&self, mut o: FlightOffer, to: Option<Currency>) -> Result<FlightOffer> {
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

    pub fn convert_hotel(&self, mut o: HotelOffer, to: Option<Currency>) -> Result<HotelOffer> {
        let Some(to) = to.filter(|c| *c != o.price.total.currency) else {
            return Ok(o);
        };
        o.price.total = self.fx().convert(o.price.total, to)?;
        o.price.tax = self.fx().convert(o.price.tax, to)?;
        o.price.nightly = self.fx().convert(o.price.nightly, to)?;
        o.id = priced_in(&o.id, to);
        Ok(o)
    }

    /// Writes one flight offer (re-priced at booking time) so it can be booked by id: always
    /// written, since its price may have changed under the same id.
    pub async fn remember_flight(&self, offer: &FlightOffer) -> Result<()> {
        let row = (
            offer.id.clone(),
            offer.provider.clone(),
            serde_json::to_string(offer)?,
            offer.expires_at.as_second(),
        );
        let now = self.now().as_second();
        self.shared
            .store
            .writing(move |u| u.catalogue().save_offers("flight", &[row], now))
            .await
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
        let now = self.now().as_second();
        let ids: Vec<(String, i64)> = rows.iter().map(|r| (r.0.clone(), r.3)).collect();
        self.shared
            .store
            .writing(move |u| u.catalogue().save_offers(kind, &rows, now))
            .await?;
        if let Ok(mut m) = self.shared.remembered.lock() {
            if m.len() > 100_000 {
                m.clear();
            }
            m.extend(ids);
        }
        Ok(())
    }

    /// Records the cheapest fare of a one-way search for price prediction.
    async fn observe_fare(
        &self,
        query: &FlightQuery,
        offers: &[FlightOffer],
        places: &Places,
    ) -> Result<()> {
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
        let (Ok(from), Ok(to)) = (
            places.resolve(&slice.origin),
            places.resolve(&slice.destination),
        ) else {
            return Ok(());
        };
        let (fx, now) = (self.shared.fx.clone(), self.now());
        let (date, cabin, seats) = (slice.departure_date, query.cabin, query.passengers.seats());
        self.shared
            .store
            // One statement: no transaction (and no turn on the writer lock) on the search path.
            .reading(move |u| {
                super::history::observe(
                    u, &from.code, &to.code, date, cabin, cheapest, seats, &fx, now,
                )
            })
            .await
    }
}

fn build_market(store: &Store, sources: &Sources) -> Result<Market> {
    let (airports, airlines, routes) = route_table(store)?;
    let places = Places::new(airports, airlines, &routes);
    let net = Arc::new(Network::new(places, &routes));
    let sandbox = SandboxProvider::new(net.clone(), store.clone());
    let mut fp: Vec<Arc<dyn FlightProvider>> = Vec::new();
    let mut hp: Vec<Arc<dyn HotelProvider>> = Vec::new();
    if sources.sandbox {
        fp.push(Arc::new(sandbox.clone()));
        hp.push(Arc::new(sandbox.clone()));
    }
    fp.extend(sources.flight_providers.iter().cloned());
    hp.extend(sources.hotel_providers.iter().cloned());
    let aggregator = Aggregator::new(fp, hp, sources.deadline);
    Ok(Market {
        net,
        sandbox,
        aggregator,
        answers: TtlCache::new(FLIGHT_TTL, CACHED_ANSWERS),
    })
}

/// The catalogue's airports, airlines and routes: the routes from the compact table the store
/// keeps when it was made from this very listing, else from the rows, in one write unit that
/// also keeps the table they make for the next open. A store that cannot be written (a
/// read-only file) still opens, from the rows.
fn route_table(store: &Store) -> Result<(Vec<Airport>, Vec<Airline>, RouteTable)> {
    let (airports, airlines, kept) = store.read(|u| {
        let c = u.catalogue();
        Ok((c.airports()?, c.airlines()?, c.route_table()?))
    })?;
    if let Some(table) = kept.and_then(|b| RouteTable::decode(b, &airports, &airlines)) {
        return Ok((airports, airlines, table));
    }
    let from_rows = |c: &dyn Catalogue| -> Result<_> {
        let (airports, airlines) = (c.airports()?, c.airlines()?);
        let table = RouteTable::from_codes(&airports, &airlines, &c.routes()?);
        Ok((airports, airlines, table))
    };
    store
        .write(|u| {
            let (airports, airlines, table) = from_rows(u.catalogue())?;
            u.catalogue()
                .save_route_table(&table.encode(&airports, &airlines))?;
            Ok((airports, airlines, table))
        })
        .or_else(|e| {
            tracing::debug!("route table not kept: {e}");
            store.read(|u| from_rows(u.catalogue()))
        })
}

/// The id of an offer re-priced in another currency: stable, and distinct from the original.
fn priced_in(id: &str, currency: Currency) -> String {
    format!(
        "off_{:016x}",
        crate::geo::hash(&[crate::geo::word(id), crate::geo::word(currency.as_str())])
    )
}
