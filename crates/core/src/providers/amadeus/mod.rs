//! Amadeus Self-Service, kept small and apart so it can be dropped (Amadeus announced the end
//! of the self-service portal): an OAuth2 client-credentials token cached until shortly before
//! it expires (and fetched again after a 401), flight offers search, pricing, and flight
//! orders create, retrieve and cancel.
//!
//! Amadeus offers carry no expiry and ids that only mean something within one answer, so
//! each offer gets a stable id from its content and keeps Amadeus's own offer
//! (`supplier_offer`) for pricing and ordering. Amadeus orders carry no reference of ours:
//! an order whose answer was lost cannot be looked up and is reported, never assumed.
//!
//! `auth` holds the token and the authenticated call, `flights` searches and prices offers,
//! `orders` books and cancels them, `hotels` compares hotel offers.

mod auth;
mod flights;
mod hotels;
mod orders;

use super::Secret;
use super::http::SupplierHttp;
use crate::error::Result;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const NAME: &str = "amadeus";
pub const TEST_BASE_URL: &str = "https://test.api.amadeus.com";
pub const LIVE_BASE_URL: &str = "https://api.amadeus.com";
pub const AUTH_HINT: &str = "Amadeus rejected the client credentials: set BOOKSYGO_AMADEUS_CLIENT_ID and BOOKSYGO_AMADEUS_CLIENT_SECRET (or `booksygo config set-secret amadeus.client_id` / `amadeus.client_secret`)";
/// Offers are priced again before booking; this is how long a search answer is offered.
pub const OFFER_TTL_SECONDS: i64 = 30 * 60;
/// How many of a city's hotels one search prices (Amadeus takes hotel ids in batches).
pub const HOTELS_PER_SEARCH: usize = 20;

#[derive(Clone, Debug)]
pub struct AmadeusConfig {
    pub client_id: Secret,
    pub client_secret: Secret,
    /// The test host unless set: Self-Service keys are test keys until moved to production.
    pub base_url: String,
    pub deadline: Duration,
}

impl AmadeusConfig {
    pub fn new(client_id: Secret, client_secret: Secret) -> Self {
        AmadeusConfig {
            client_id,
            client_secret,
            base_url: TEST_BASE_URL.into(),
            deadline: Duration::from_secs(12),
        }
    }

    pub fn mode(&self) -> &'static str {
        if self.base_url.trim_end_matches('/') == LIVE_BASE_URL {
            "live"
        } else {
            "test"
        }
    }
}

#[derive(Clone)]
pub struct Amadeus {
    cfg: AmadeusConfig,
    http: SupplierHttp,
    token: Arc<Mutex<Option<(Secret, Instant)>>>,
    zones: Arc<HashMap<String, TimeZone>>,
}

impl Amadeus {
    /// `zones`: airport code to time zone (Amadeus gives local times without a zone).
    pub fn new(cfg: AmadeusConfig, zones: HashMap<String, TimeZone>) -> Result<Self> {
        let http = SupplierHttp::new(
            "Amadeus",
            AUTH_HINT,
            cfg.deadline.max(Duration::from_secs(30)),
        )?;
        Ok(Amadeus {
            cfg,
            http,
            token: Arc::new(Mutex::new(None)),
            zones: Arc::new(zones),
        })
    }

    /// Airport time zones from the embedded fixtures.
    pub fn fixture_zones() -> HashMap<String, TimeZone> {
        crate::fixtures::airports()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| TimeZone::get(&a.tz).ok().map(|z| (a.iata, z)))
            .collect()
    }

    pub fn config(&self) -> &AmadeusConfig {
        &self.cfg
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base_url.trim_end_matches('/'))
    }
}
