//! Search: flights (Duffel's offer-request shape), hotels, place suggestions.

use super::{ApiJson, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::response::sse::{Event, Sse};
use booksygo_core::agency::{
    CalendarDay, CalendarQuery, Destination, Encoding, ExploreQuery, ProviderUpdate,
};
use booksygo_core::model::{
    Cabin, Currency, HotelOffer, Money, PassengerType, Passengers, PlaceSuggestion,
};
use booksygo_core::search::{
    FlightFilters, FlightQuery, FlightSort, HotelQuery, HotelSort, SliceQuery,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suggest {
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn suggestions(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<Suggest>,
) -> Result<Json<Vec<PlaceSuggestion>>, ApiError> {
    Ok(Json(
        s.agency
            .suggest_places(&q.q, q.limit.unwrap_or(10).min(50))
            .await?,
    ))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SliceBody {
    origin: String,
    destination: String,
    departure_date: Date,
}

/// A passenger of an offer request: `{"type": "adult"}` or `{"age": 7}`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassengerBody {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    age: Option<u8>,
}

/// Duffel's offer request, plus our sort, limit and currency.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlightSearch {
    slices: Vec<SliceBody>,
    passengers: Vec<PassengerBody>,
    #[serde(default)]
    cabin_class: Option<Cabin>,
    #[serde(default)]
    max_connections: Option<u8>,
    #[serde(default)]
    sort: Option<FlightSort>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    currency: Option<Currency>,
    #[serde(default)]
    max_price: Option<String>,
    /// Our extension: every filter of `flights search` (airlines, alliance, times, ...).
    #[serde(default)]
    filters: Option<FlightFilters>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct Offers<T> {
    offers: Vec<T>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

fn passengers(list: &[PassengerBody]) -> Result<Passengers, ApiError> {
    let mut p = Passengers {
        adults: 0,
        children: 0,
        infants: 0,
    };
    for (i, x) in list.iter().enumerate() {
        let kind = match (x.kind.as_deref(), x.age) {
            (Some("adult"), None) => "adult",
            (Some("child"), None) => "child",
            (Some("infant_without_seat"), None) | (Some("infant"), None) => "infant",
            (None, Some(a)) => PassengerType::of_age(i64::from(a)).as_str(),
            _ => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    format!(
                        "passengers[{i}]: give either a type (adult, child, infant_without_seat) or an age"
                    ),
                ));
            }
        };
        let slot = match kind {
            "adult" => &mut p.adults,
            "child" => &mut p.children,
            _ => &mut p.infants,
        };
        *slot = slot.saturating_add(1);
    }
    Ok(p)
}

/// The core query for an offer request (our defaults: 50 offers, at most 200).
fn flight_query(body: FlightSearch) -> Result<FlightQuery, ApiError> {
    let currency = body.currency;
    let max_price = match body.max_price.as_deref() {
        Some(p) => Some(Money::from_decimal(p, currency.unwrap_or(Currency::EUR))?),
        None => None,
    };
    let mut q = FlightQuery {
        slices: body
            .slices
            .into_iter()
            .map(|s| SliceQuery {
                origin: s.origin,
                destination: s.destination,
                departure_date: s.departure_date,
            })
            .collect(),
        passengers: passengers(&body.passengers)?,
        cabin: body.cabin_class.unwrap_or(Cabin::Economy),
        max_stops: body.max_connections,
        filters: body.filters.unwrap_or_default(),
        sort: body.sort.unwrap_or_default(),
        limit: Some(body.limit.unwrap_or(50).min(200)),
        currency,
    };
    if max_price.is_some() {
        q.filters.max_price = max_price;
    }
    Ok(q)
}

/// `POST /api/search/flights`: the answer's JSON as core keeps it with its cached answer
/// (compressed once per answer when the client takes zstd or gzip), so a repeated search is a
/// lookup and a write. `X-Cache` says whether it was a hit; `Vary: Accept-Encoding` always.
pub async fn flights(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<FlightSearch>,
) -> Result<Response, ApiError> {
    let wanted = accepted_encoding(&headers);
    let answer = s
        .agency
        .search_flights_wire(&flight_query(body)?, wanted)
        .await?;
    let mut response = Response::new(Body::from(answer.body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if answer.encoding != Encoding::Identity {
        h.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(answer.encoding.as_str()),
        );
    }
    h.insert(
        HeaderName::from_static("x-cache"),
        HeaderValue::from_static(if answer.cached { "hit" } else { "miss" }),
    );
    Ok(response)
}

/// The encoding to answer in, from `Accept-Encoding`: the one the client weighs highest of
/// zstd and gzip (`x-gzip` is gzip, `*` is either), zstd on a tie; identity when it names
/// neither or refuses both (`;q=0`).
pub fn accepted_encoding(headers: &HeaderMap) -> Encoding {
    let mut best = (0.0_f32, Encoding::Identity);
    let mut named = (false, false);
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| v.trim().parse::<f32>().ok())?
                })
                .next()
                .unwrap_or(1.0);
            let encoding = if coding.eq_ignore_ascii_case("zstd") {
                named.0 = true;
                Encoding::Zstd
            } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                named.1 = true;
                Encoding::Gzip
            } else {
                if coding == "*" {
                    any = Some(q);
                }
                continue;
            };
            best = better(best, (q, encoding));
        }
    }
    // `*` stands for the codings not named.
    if let Some(q) = any {
        for (was_named, encoding) in [(named.0, Encoding::Zstd), (named.1, Encoding::Gzip)] {
            if !was_named {
                best = better(best, (q, encoding));
            }
        }
    }
    best.1
}

/// The heavier of two weighted codings (above 0), zstd before gzip at the same weight.
fn better(a: (f32, Encoding), b: (f32, Encoding)) -> (f32, Encoding) {
    if b.0 <= 0.0 {
        return a;
    }
    if b.0 > a.0 || (b.0 == a.0 && b.1 == Encoding::Zstd) {
        b
    } else {
        a
    }
}

/// `POST /api/search/flights/stream`: the same search as Server-Sent Events: one `provider`
/// event per supplier as it answers (`{"provider","offers","error"?}`), then `done` with the
/// merged `{"offers","warnings"}` (book from these), or `error` with the usual error body.
pub async fn flights_stream(
    State(s): State<AppState>,
    ApiJson(body): ApiJson<FlightSearch>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let query = flight_query(body)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<Event, ApiError>>();
    tokio::spawn(async move {
        let progress_tx = tx.clone();
        let progress = move |u: ProviderUpdate| {
            let _ = progress_tx.send(Ok(json_event("provider", &u)));
        };
        let last = match s.agency.search_flights_streaming(&query, &progress).await {
            Ok(r) => Ok(json_event(
                "done",
                &Offers {
                    offers: r.offers,
                    warnings: r.warnings,
                },
            )),
            Err(e) => Err(ApiError::from(e)),
        };
        let _ = tx.send(last);
    });
    // A search refused before any provider answered (an unknown airport, a past date) is a
    // plain 4xx, not a stream.
    let first = match rx.recv().await {
        Some(Err(e)) => return Err(e),
        Some(Ok(event)) => event,
        None => {
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the search stopped without an answer",
            ));
        }
    };
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        let event = match rx.recv().await? {
            Ok(event) => event,
            Err(e) => json_event(
                "error",
                &serde_json::json!({"error": {"code": e.code, "message": e.message}}),
            ),
        };
        Some((Ok(event), rx))
    });
    Ok(Sse::new(futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(first) }),
        rest,
    )))
}

fn json_event<T: Serialize>(name: &str, value: &T) -> Event {
    Event::default()
        .event(name)
        .json_data(value)
        .unwrap_or_else(|_| Event::default().event("error").data("{}"))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HotelSearch {
    location: String,
    check_in_date: Date,
    check_out_date: Date,
    #[serde(default)]
    guests: Option<u32>,
    #[serde(default)]
    rooms: Option<u32>,
    #[serde(default)]
    min_stars: Option<u8>,
    #[serde(default)]
    min_rating: Option<f32>,
    /// Average nightly price before tax, a decimal string in `currency` (EUR by default).
    #[serde(default)]
    max_nightly: Option<String>,
    #[serde(default)]
    amenities: Vec<String>,
    #[serde(default)]
    sort: Option<HotelSort>,
    #[serde(default)]
    all_rooms: bool,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    currency: Option<Currency>,
}

pub async fn hotels(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<HotelSearch>,
) -> Result<Json<Offers<HotelOffer>>, ApiError> {
    let mut q = HotelQuery::new(&b.location, b.check_in_date, b.check_out_date);
    q.guests = b.guests.unwrap_or(1);
    q.rooms = b.rooms.unwrap_or(1);
    q.min_stars = b.min_stars;
    q.min_rating = b.min_rating;
    q.max_nightly = match b.max_nightly.as_deref() {
        Some(p) => Some(Money::from_decimal(p, b.currency.unwrap_or(Currency::EUR))?),
        None => None,
    };
    q.amenities = b.amenities;
    q.sort = b.sort.unwrap_or_default();
    q.all_rooms = b.all_rooms;
    q.limit = Some(b.limit.unwrap_or(50).min(200));
    q.currency = b.currency;
    let r = s.agency.search_hotels(&q).await?;
    Ok(Json(Offers {
        offers: r.offers,
        warnings: r.warnings,
    }))
}

/// `POST /api/search/flights/calendar`: the cheapest fare per day.
pub async fn calendar(
    State(s): State<AppState>,
    ApiJson(q): ApiJson<CalendarQuery>,
) -> Result<Json<Vec<CalendarDay>>, ApiError> {
    Ok(Json(s.agency.flight_calendar(&q).await?))
}

/// `POST /api/search/flights/explore`: the cheapest destinations from an origin in a month.
pub async fn explore(
    State(s): State<AppState>,
    ApiJson(q): ApiJson<ExploreQuery>,
) -> Result<Json<Vec<Destination>>, ApiError> {
    Ok(Json(s.agency.explore(&q).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(values: &[&str]) -> Encoding {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        accepted_encoding(&headers)
    }

    #[test]
    fn the_encoding_is_the_clients_heaviest_of_zstd_and_gzip() {
        assert_eq!(pick(&[]), Encoding::Identity);
        assert_eq!(pick(&["identity"]), Encoding::Identity);
        assert_eq!(pick(&["br"]), Encoding::Identity);
        assert_eq!(pick(&["gzip"]), Encoding::Gzip);
        assert_eq!(pick(&["x-gzip"]), Encoding::Gzip);
        assert_eq!(pick(&["GZIP, deflate, br"]), Encoding::Gzip);
        assert_eq!(pick(&["gzip, deflate, br, zstd"]), Encoding::Zstd);
        assert_eq!(pick(&["zstd;q=0.5, gzip;q=0.8"]), Encoding::Gzip);
        assert_eq!(pick(&["gzip;q=0, zstd;q=0"]), Encoding::Identity);
        assert_eq!(pick(&["gzip ; q=0.1"]), Encoding::Gzip);
        assert_eq!(pick(&["*"]), Encoding::Zstd);
        assert_eq!(pick(&["zstd;q=0, *"]), Encoding::Gzip);
        assert_eq!(pick(&["*;q=0"]), Encoding::Identity);
        assert_eq!(pick(&["gzip;q=nonsense"]), Encoding::Gzip);
        // Several headers are one list.
        assert_eq!(pick(&["gzip;q=0.5", "zstd;q=0.9"]), Encoding::Zstd);
    }
}
