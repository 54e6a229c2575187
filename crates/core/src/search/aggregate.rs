//! Fan-out over every enabled provider with a per-provider deadline, merge, dedupe (same
//! travel, keep the cheapest) and the providers' layer of the search cache (`search::cache`). A failing or slow provider gives a warning and
//! partial results; only when every provider fails is the search an error.

use super::cache::{FLIGHT_TTL, HOTEL_TTL, TtlCache};
use crate::error::{Error, Result};
use crate::model::{Currency, FlightOffer, FxTable, HotelOffer};
use crate::providers::{FlightProvider, FlightRequest, HotelProvider, HotelRequest};
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Offers merged from every provider, and what went wrong on the way.
#[derive(Debug, Clone, Default)]
pub struct Gathered<T> {
    pub offers: Vec<T>,
    pub warnings: Vec<String>,
}

/// What each provider task hands back: its name, its deadline and its answer or its timeout.
type Answer<T> = (
    String,
    Duration,
    std::result::Result<Result<Vec<T>>, tokio::time::error::Elapsed>,
);

/// Told each provider's answer as it arrives: its offers, or why it gave none.
pub type Observer<'a, T> = &'a (dyn Fn(&str, std::result::Result<&[T], &str>) + Send + Sync);

/// What the providers answered, by request.
type Cache<T> = TtlCache<String, Arc<Gathered<T>>>;

/// Requests whose answers are kept; past it the oldest half goes.
const CACHED_REQUESTS: usize = 256;

pub struct Aggregator {
    flight_providers: Vec<Arc<dyn FlightProvider>>,
    hotel_providers: Vec<Arc<dyn HotelProvider>>,
    deadline: Duration,
    flight_cache: Cache<FlightOffer>,
    hotel_cache: Cache<HotelOffer>,
}

impl Aggregator {
    pub fn new(
        flight_providers: Vec<Arc<dyn FlightProvider>>,
        hotel_providers: Vec<Arc<dyn HotelProvider>>,
        deadline: Duration,
    ) -> Self {
        Aggregator {
            flight_providers,
            hotel_providers,
            deadline,
            flight_cache: TtlCache::new(FLIGHT_TTL, CACHED_REQUESTS),
            hotel_cache: TtlCache::new(HOTEL_TTL, CACHED_REQUESTS),
        }
    }

    pub fn flight_provider_names(&self) -> Vec<String> {
        self.flight_providers
            .iter()
            .map(|p| p.name().to_string())
            .collect()
    }

    /// A hotel provider by name (to book with the supplier that sold an offer).
    pub fn hotel_provider(&self, name: &str) -> Option<Arc<dyn HotelProvider>> {
        self.hotel_providers
            .iter()
            .find(|p| p.name() == name)
            .cloned()
    }

    /// A flight provider by name (to book with the supplier that sold an offer).
    pub fn flight_provider(&self, name: &str) -> Option<Arc<dyn FlightProvider>> {
        self.flight_providers
            .iter()
            .find(|p| p.name() == name)
            .cloned()
    }

    pub async fn flights(
        &self,
        req: &FlightRequest,
        fx: &FxTable,
    ) -> Result<Arc<Gathered<FlightOffer>>> {
        self.flights_observed(req, fx, &|_, _| {}).await
    }

    /// [`Aggregator::flights`], telling `observe` each provider's answer (its offers, or what
    /// went wrong) as it arrives. A cached answer is replayed per provider.
    pub async fn flights_observed(
        &self,
        req: &FlightRequest,
        fx: &FxTable,
        observe: Observer<'_, FlightOffer>,
    ) -> Result<Arc<Gathered<FlightOffer>>> {
        let key = cache_key(req, |r| r.now = Timestamp::UNIX_EPOCH)?;
        if let Some(hit) = self.flight_cache.get(&key) {
            for name in self.flight_provider_names() {
                let mine: Vec<FlightOffer> = hit
                    .offers
                    .iter()
                    .filter(|o| o.provider == name)
                    .cloned()
                    .collect();
                observe(&name, Ok(&mine));
            }
            return Ok(hit);
        }
        let mut set = JoinSet::new();
        for p in &self.flight_providers {
            let (p, req) = (p.clone(), req.clone());
            let deadline = p.deadline().unwrap_or(self.deadline);
            set.spawn(async move {
                let name = p.name().to_string();
                (
                    name,
                    deadline,
                    tokio::time::timeout(deadline, p.search_flights(&req)).await,
                )
            });
        }
        let gathered = collect(
            set,
            fx,
            |o: &FlightOffer| o.itinerary_key(),
            |o| o.total(),
            observe,
        )
        .await?;
        let gathered = Arc::new(gathered);
        self.flight_cache.put(key, gathered.clone());
        Ok(gathered)
    }

    pub async fn hotels(
        &self,
        req: &HotelRequest,
        fx: &FxTable,
    ) -> Result<Arc<Gathered<HotelOffer>>> {
        let key = cache_key(req, |r| r.now = Timestamp::UNIX_EPOCH)?;
        if let Some(hit) = self.hotel_cache.get(&key) {
            return Ok(hit);
        }
        let mut set = JoinSet::new();
        for p in &self.hotel_providers {
            let (p, req) = (p.clone(), req.clone());
            let deadline = p.deadline().unwrap_or(self.deadline);
            set.spawn(async move {
                let name = p.name().to_string();
                (
                    name,
                    deadline,
                    tokio::time::timeout(deadline, p.search_hotels(&req)).await,
                )
            });
        }
        let gathered = collect(
            set,
            fx,
            |o: &HotelOffer| format!("{}|{}", o.hotel.name.to_lowercase(), o.room_type),
            |o| o.total(),
            &|_, _| {},
        )
        .await?;
        let gathered = Arc::new(gathered);
        self.hotel_cache.put(key, gathered.clone());
        Ok(gathered)
    }

    /// Forgets cached answers (after a booking changes inventory).
    pub fn invalidate(&self) {
        self.flight_cache.clear();
        self.hotel_cache.clear();
    }
}

fn cache_key<T: serde::Serialize + Clone>(
    req: &T,
    normalize: impl FnOnce(&mut T),
) -> Result<String> {
    let mut r = req.clone();
    normalize(&mut r);
    Ok(serde_json::to_string(&r)?)
}

async fn collect<T: Send + 'static>(
    mut set: JoinSet<Answer<T>>,
    fx: &FxTable,
    identity: impl Fn(&T) -> String,
    price: impl Fn(&T) -> crate::model::Money,
    observe: Observer<'_, T>,
) -> Result<Gathered<T>> {
    let mut best: HashMap<String, T> = HashMap::new();
    let mut warnings = Vec::new();
    let mut failures = Vec::new();
    let mut answered = 0;
    while let Some(joined) = set.join_next().await {
        let (name, deadline, outcome) = match joined {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("a provider crashed: {e}"));
                continue;
            }
        };
        match outcome {
            Ok(Ok(offers)) => {
                answered += 1;
                observe(&name, Ok(&offers));
                for o in offers {
                    let k = identity(&o);
                    let eur = |x: &T| {
                        fx.convert(price(x), Currency::EUR)
                            .map(|m| m.minor)
                            .unwrap_or(i64::MAX)
                    };
                    match best.get(&k) {
                        Some(existing) if eur(existing) <= eur(&o) => {}
                        _ => {
                            best.insert(k, o);
                        }
                    }
                }
            }
            Ok(Err(e)) => {
                let why = match e {
                    Error::SuppliersFailed(why) => format!("{name}: {}", why.join("; ")),
                    e => format!("{name}: {e}"),
                };
                observe(&name, Err(&why));
                failures.push(why);
            }
            Err(_) => {
                let why = format!("{name} did not answer within {} s", deadline.as_secs_f32());
                observe(&name, Err(&why));
                failures.push(why);
            }
        }
    }
    if answered == 0 && !failures.is_empty() {
        return Err(Error::SuppliersFailed(failures));
    }
    warnings.extend(
        failures
            .into_iter()
            .map(|f| format!("partial results: {f}")),
    );
    Ok(Gathered {
        offers: best.into_values().collect(),
        warnings,
    })
}
