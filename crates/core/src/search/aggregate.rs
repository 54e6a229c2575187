//! Fan-out over every enabled provider with a per-provider deadline, merge, dedupe (same
//! travel, keep the cheapest) and a TTL cache. A failing or slow provider gives a warning and
//! partial results; only when every provider fails is the search an error.

use crate::error::{Error, Result};
use crate::model::{Currency, FlightOffer, FxTable, HotelOffer};
use crate::providers::{FlightProvider, FlightRequest, HotelProvider, HotelRequest};
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub const FLIGHT_CACHE_TTL: Duration = Duration::from_secs(600);
pub const HOTEL_CACHE_TTL: Duration = Duration::from_secs(900);

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

type Cache<T> = Mutex<HashMap<String, (Instant, Arc<Gathered<T>>)>>;

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
            flight_cache: Mutex::new(HashMap::new()),
            hotel_cache: Mutex::new(HashMap::new()),
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
        if let Some(hit) = lookup(&self.flight_cache, &key, FLIGHT_CACHE_TTL) {
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
        store(&self.flight_cache, key, gathered.clone());
        Ok(gathered)
    }

    pub async fn hotels(
        &self,
        req: &HotelRequest,
        fx: &FxTable,
    ) -> Result<Arc<Gathered<HotelOffer>>> {
        let key = cache_key(req, |r| r.now = Timestamp::UNIX_EPOCH)?;
        if let Some(hit) = lookup(&self.hotel_cache, &key, HOTEL_CACHE_TTL) {
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
        store(&self.hotel_cache, key, gathered.clone());
        Ok(gathered)
    }

    /// Forgets cached answers (after a booking changes inventory).
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.flight_cache.lock() {
            c.clear();
        }
        if let Ok(mut c) = self.hotel_cache.lock() {
            c.clear();
        }
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

fn lookup<T>(cache: &Cache<T>, key: &str, ttl: Duration) -> Option<Arc<Gathered<T>>> {
    let c = cache.lock().ok()?;
    c.get(key)
        .filter(|(at, _)| at.elapsed() < ttl)
        .map(|(_, g)| g.clone())
}

fn store<T>(cache: &Cache<T>, key: String, value: Arc<Gathered<T>>) {
    if let Ok(mut c) = cache.lock() {
        if c.len() > 256 {
            c.clear();
        }
        c.insert(key, (Instant::now(), value));
    }
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
