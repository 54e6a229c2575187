//! `RemoteAgency`: the [`Agency`] facade over a team server's HTTP API.
//!
//! The CLI and the TUI hold an `Arc<dyn Agency>`; in remote mode it is this type, so every
//! command works the same against a server. Access tokens are refreshed transparently (the
//! server rotates refresh tokens, so each new one is saved at once through [`SessionStore`]);
//! an expired session is [`Error::AuthRequired`] with the command that fixes it. Every booking
//! the server returns is also written to the local store, so `bookings list --offline` works
//! without a network ([`offline_bookings`]).

use crate::agency::{
    Agency, CalendarDay, CalendarQuery, Destination, ExploreQuery, FlightResults, HotelResults,
    MarketInfo,
};
use crate::booking::payment::Card;
use crate::booking::service::{Modification, Review};
use crate::booking::{Booking, BookingRequest, BookingStatus, ItemRequest, RefundQuote};
use crate::error::{Error, Result};
use crate::model::PlaceSuggestion;
use crate::model::package::PackageSpec;
use crate::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry, LedgerEntry};
use crate::profile::{Profile, ProfileUpdate};
use crate::search::packages::{Deal, PackageDetail, PackageQuery, PackageResults, PackageSummary};
use crate::search::{FlightQuery, HotelQuery};
use crate::secrets::{Secret, SecretStore};
use crate::store::Store;
use crate::trips::{NewTrip, Trip};
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The secret under which `booksygo login` keeps the session.
pub const SESSION_SECRET: &str = "remote.session";

/// How long one call to the server may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A logged-in session on a server. Tokens are [`Secret`]s: never printed.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub url: String,
    pub email: String,
    access_token: String,
    refresh_token: String,
    /// Unix seconds when the access token stops working.
    access_expires_at: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("url", &self.url)
            .field("email", &self.email)
            .field("tokens", &"***")
            .finish()
    }
}

impl Session {
    /// A session from tokens the caller already holds (tests, other clients).
    pub fn new(
        url: &str,
        email: &str,
        access_token: &str,
        refresh_token: &str,
        access_expires_at: i64,
    ) -> Session {
        Session {
            url: url.trim_end_matches('/').to_string(),
            email: email.to_string(),
            access_token: access_token.to_string(),
            refresh_token: refresh_token.to_string(),
            access_expires_at,
        }
    }

    pub fn refresh_token(&self) -> &str {
        &self.refresh_token
    }

    /// The session saved by `booksygo login`, if any.
    pub fn load(secrets: &SecretStore) -> Result<Option<Session>> {
        match secrets.get(SESSION_SECRET)? {
            None => Ok(None),
            Some((text, _)) => serde_json::from_str(text.expose()).map(Some).map_err(|_| {
                Error::AuthRequired(
                    "the saved session is unreadable: run `booksygo login <URL>` again".into(),
                )
            }),
        }
    }

    pub fn save(&self, secrets: &SecretStore) -> Result<crate::secrets::Backend> {
        secrets.set(
            SESSION_SECRET,
            &Secret::new(serde_json::to_string(self).expect("a session serialises")),
        )
    }
}

/// Where a refreshed session is saved (the keyring or the 0600 file in the CLI).
pub type SessionStore = Option<SecretStore>;

/// Logs in with email and password; the session is not saved (see [`Session::save`]).
pub async fn login(url: &str, email: &str, password: &str) -> Result<Session> {
    let url = normalise_url(url)?;
    let http = client()?;
    let now = jiff::Timestamp::now().as_second();
    let resp = http
        .post(format!("{url}/api/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .map_err(|e| unreachable_server(&url, &e))?;
    if resp.status() == StatusCode::UNAUTHORIZED {
        return Err(Error::AuthRequired("wrong email or password".into()));
    }
    let tokens: Tokens = read_json(&url, resp).await?;
    Ok(Session {
        url,
        email: email.trim().to_string(),
        access_expires_at: now + tokens.expires_in,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    })
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
}

/// The team server behind the [`Agency`] facade.
#[derive(Clone)]
pub struct RemoteAgency {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    url: String,
    email: String,
    session: tokio::sync::Mutex<Session>,
    persist: SessionStore,
    cache: Option<OfflineCopy>,
}

/// This machine's copy of the bookings made on team servers, kept by every remote command so
/// that `booksygo --offline bookings list` works with the server out of reach.
#[derive(Clone)]
pub struct OfflineCopy {
    store: Store,
}

impl OfflineCopy {
    /// The copy in the database at `path` (this machine's, usually `Paths::database()`).
    pub fn open(path: &std::path::Path) -> Result<OfflineCopy> {
        Ok(OfflineCopy {
            store: Store::open(path)?,
        })
    }

    /// The bookings made on `server` as `account`, in the server's order (by start date,
    /// then as booked).
    pub fn bookings(&self, server: &str, account: &str) -> Result<Vec<Booking>> {
        let conn = self.store.conn()?;
        let mut stmt = conn.prepare(
            "SELECT body FROM remote_bookings WHERE server = ?1 AND account = ?2
             ORDER BY starts_on, created_at, rowid",
        )?;
        let rows = stmt.query_map(rusqlite::params![server, account], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body?)?);
        }
        Ok(out)
    }
}

impl RemoteAgency {
    /// An agency on `session`'s server. `persist` saves rotated tokens; `cache` keeps the
    /// offline copy of bookings.
    pub fn new(
        session: Session,
        persist: SessionStore,
        cache: Option<OfflineCopy>,
    ) -> Result<Self> {
        Ok(RemoteAgency {
            inner: Arc::new(Inner {
                http: client()?,
                url: session.url.clone(),
                email: session.email.clone(),
                session: tokio::sync::Mutex::new(session),
                persist,
                cache,
            }),
        })
    }

    pub fn url(&self) -> &str {
        &self.inner.url
    }

    pub fn email(&self) -> &str {
        &self.inner.email
    }

    /// Ends the session on the server (its refresh token family is revoked).
    pub async fn logout(&self) -> Result<()> {
        let refresh = self.inner.session.lock().await.refresh_token.clone();
        let resp = self
            .inner
            .http
            .post(format!("{}/api/auth/logout", self.inner.url))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(error_from(&self.inner.url, resp).await)
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let resp = self.send(Method::GET, path, None, None).await?;
        read_json(&self.inner.url, resp).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T> {
        self.call(Method::POST, path, body, None).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<T> {
        let resp = self.send(method, path, Some(body), idempotency_key).await?;
        read_json(&self.inner.url, resp).await
    }

    async fn text(&self, path: &str) -> Result<String> {
        let resp = self.send(Method::GET, path, None, None).await?;
        if !resp.status().is_success() {
            return Err(error_from(&self.inner.url, resp).await);
        }
        resp.text()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))
    }

    /// Sends with a valid access token: refreshed first when it is about to expire, and once
    /// more if the server still says 401.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<reqwest::Response> {
        let mut token = self.access_token(false).await?;
        for attempt in 0..2 {
            let mut req = self
                .inner
                .http
                .request(method.clone(), format!("{}{path}", self.inner.url))
                .bearer_auth(&token);
            if let Some(b) = body {
                req = req.json(b);
            }
            if let Some(k) = idempotency_key {
                req = req.header("Idempotency-Key", k);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| unreachable_server(&self.inner.url, &e))?;
            if resp.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                token = self.access_token(true).await?;
                continue;
            }
            return Ok(resp);
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// The current access token, refreshed when `force`d or within 30 s of expiry. The lock
    /// makes concurrent callers share one refresh: a refresh token works only once.
    async fn access_token(&self, force: bool) -> Result<String> {
        let mut session = self.inner.session.lock().await;
        let now = jiff::Timestamp::now().as_second();
        if !force && session.access_expires_at > now + 30 {
            return Ok(session.access_token.clone());
        }
        let resp = self
            .inner
            .http
            .post(format!("{}/api/auth/refresh", self.inner.url))
            .json(&json!({ "refresh_token": session.refresh_token }))
            .send()
            .await
            .map_err(|e| unreachable_server(&self.inner.url, &e))?;
        if matches!(
            resp.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ) {
            return Err(Error::AuthRequired(format!(
                "your session on {} has expired: run `booksygo login {}`",
                self.inner.url, self.inner.url
            )));
        }
        let tokens: Tokens = read_json(&self.inner.url, resp).await?;
        session.access_token = tokens.access_token;
        session.refresh_token = tokens.refresh_token;
        session.access_expires_at = now + tokens.expires_in;
        if let Some(store) = &self.inner.persist {
            session.save(store)?;
        }
        Ok(session.access_token.clone())
    }

    /// Keeps the offline copy of bookings up to date, in the order given (best effort: a full disk must not fail
    /// the booking the server already made).
    fn remember(&self, bookings: &[Booking]) {
        let Some(OfflineCopy { store }) = &self.inner.cache else {
            return;
        };
        let write = || -> Result<()> {
            let mut conn = store.conn()?;
            let tx = conn.transaction()?;
            let now = jiff::Timestamp::now().as_second();
            for b in bookings {
                tx.execute(
                    "INSERT INTO remote_bookings
                       (server, account, id, body, starts_on, created_at, synced_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (server, account, id)
                     DO UPDATE SET body = excluded.body, synced_at = excluded.synced_at",
                    rusqlite::params![
                        self.inner.url,
                        self.inner.email,
                        b.id,
                        serde_json::to_string(b)?,
                        b.starts_on.to_string(),
                        b.created_at.to_string(),
                        now
                    ],
                )?;
            }
            tx.commit()?;
            Ok(())
        };
        if let Err(e) = write() {
            eprintln!("warning: could not keep an offline copy of your bookings: {e}");
        }
    }

    fn remembered(&self, b: Booking) -> Booking {
        self.remember(std::slice::from_ref(&b));
        b
    }
}

fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("booksygo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))
}

/// `https://host:port` without a trailing slash; refuses anything that is not http(s).
pub fn normalise_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::invalid(format!(
            "'{url}' is not a server URL ({e}): use for example https://booksygo.example.com"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid(format!(
            "'{url}' is not an http(s) server URL"
        )));
    }
    Ok(url.to_string())
}

fn unreachable_server(url: &str, e: &reqwest::Error) -> Error {
    let why = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "refused the connection or is down".to_string()
    } else {
        e.to_string()
    };
    Error::Unavailable(format!(
        "the BooksyGo server at {url} {why}; try again, or add --offline to work locally"
    ))
}

async fn read_json<T: DeserializeOwned>(url: &str, resp: reqwest::Response) -> Result<T> {
    if !resp.status().is_success() {
        return Err(error_from(url, resp).await);
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| unreachable_server(url, &e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::internal(format!(
            "the server at {url} answered with JSON this version does not understand ({e}); \
             are the client and server the same version?"
        ))
    })
}

/// The server's `{"error":{"code","message"}}` as the core error of the same kind, so the
/// CLI's exit codes are the same in both modes.
async fn error_from(url: &str, resp: reqwest::Response) -> Error {
    #[derive(Deserialize)]
    struct Body {
        error: ErrorBody,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        code: String,
        message: String,
        #[serde(default)]
        suggestions: Vec<String>,
    }
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let body: Option<Body> = resp.json().await.ok();
    let Some(Body { error }) = body else {
        return Error::Unavailable(format!(
            "the server at {url} answered {status} without an error body"
        ));
    };
    let msg = error.message;
    match (status, error.code.as_str()) {
        (StatusCode::NOT_FOUND, _) => Error::NotFound(msg),
        (StatusCode::UNAUTHORIZED, _) => {
            Error::AuthRequired(format!("{msg}: run `booksygo login {url}`"))
        }
        (StatusCode::FORBIDDEN, _) => Error::Forbidden(msg),
        (StatusCode::CONFLICT, _) => Error::Conflict(msg),
        (StatusCode::BAD_GATEWAY, _) | (_, "suppliers_failed") => Error::SuppliersFailed(vec![
            msg.trim_start_matches("every supplier failed: ")
                .to_string(),
        ]),
        (StatusCode::TOO_MANY_REQUESTS, _) => Error::RateLimited {
            message: msg,
            retry_after,
        },
        (s, _) if s.is_client_error() => Error::Invalid {
            message: msg,
            suggestions: error.suggestions,
        },
        (StatusCode::SERVICE_UNAVAILABLE, _) => Error::Unavailable(msg),
        _ => Error::internal(format!("the server at {url} failed: {msg}")),
    }
}

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_checked() {
        assert_eq!(
            normalise_url(" https://team.example.com/ ").unwrap(),
            "https://team.example.com"
        );
        assert!(normalise_url("team.example.com").is_err());
        assert!(normalise_url("ftp://team.example.com").is_err());
    }

    #[test]
    fn a_session_never_prints_its_tokens() {
        let s = Session {
            url: "http://127.0.0.1:1".into(),
            email: "ada@example.com".into(),
            access_token: "eyJ.secret.access".into(),
            refresh_token: "rt_secret".into(),
            access_expires_at: 0,
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn ids_that_cannot_be_ours_are_not_found() {
        assert!(seg("bkg_01ABC").is_ok());
        assert!(seg("../admin").is_err());
        assert!(seg("").is_err());
    }
}
