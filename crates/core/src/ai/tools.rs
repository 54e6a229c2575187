//! The assistant's tools: one typed registry over [`Agency`], shared by the offline backend,
//! the OpenAI-compatible backend and the MCP server. Each tool has a name, a description and a
//! JSON schema for its arguments; [`Toolbox::call`] takes arguments as JSON and answers JSON.
//! Bad arguments come back as a [`ToolError`] (the model can fix them), never a panic.

use super::confirm::Confirmations;
use crate::agency::{Agency, CalendarQuery};
use crate::booking::{BookingRequest, BookingStatus, ItemRequest, PassengerInput, PaymentInput};
use crate::error::Error;
use crate::model::{Cabin, Currency, FlightOffer, HotelOffer, Money, Passengers};
use crate::search::packages::{PackageQuery, PackageSort};
use crate::search::{FlightQuery, FlightSort, HotelQuery, HotelSort, SliceQuery};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A tool as a model or an MCP client sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
}

/// Why a tool call failed, in terms the caller (a model) can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolError {
    /// invalid_arguments, unknown_tool, confirmation_required, not_found, conflict, ...
    pub kind: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl ToolError {
    fn new(kind: &str, message: impl Into<String>) -> ToolError {
        ToolError {
            kind: kind.into(),
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    fn invalid(message: impl Into<String>) -> ToolError {
        ToolError::new("invalid_arguments", message)
    }

    /// The JSON a model receives for a failed call.
    pub fn to_json(&self) -> Value {
        json!({ "error": self })
    }
}

impl From<serde_json::Error> for ToolError {
    fn from(e: serde_json::Error) -> Self {
        ToolError::new("internal", format!("json error: {e}"))
    }
}

impl From<Error> for ToolError {
    fn from(e: Error) -> Self {
        let kind = serde_json::to_value(e.kind())
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| "internal".into());
        ToolError {
            kind,
            message: e.to_string(),
            suggestions: e.suggestions().to_vec(),
        }
    }
}

/// One tool call as made, for `--json` output and the conversation log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolCallRecord {
    pub name: String,
    pub arguments: Value,
    pub ok: bool,
    pub result: Value,
}

/// An offer the conversation has seen in a search: what `quote_booking` prices from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SeenOffer {
    /// flight or hotel.
    pub kind: String,
    pub description: String,
    pub total: Money,
    /// Travellers the offer is priced for.
    pub travellers: u32,
}

/// What a conversation remembers between turns: pending confirmations, offers seen, and
/// who may approve (the person in a chat, or the MCP client relaying the person's reply).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub confirmations: Confirmations,
    /// Offers from this conversation's searches, by id.
    pub offers: BTreeMap<String, SeenOffer>,
    /// Offer ids of the last search, in the order shown ("book option 2").
    #[serde(default)]
    pub last_results: Vec<String>,
    /// Over MCP there is no chat: the client passes the person's reply as `user_reply`.
    #[serde(default)]
    pub reply_via_argument: bool,
    /// The offline backend's half-built request while it waits for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Value>,
}

impl Session {
    /// A session for MCP clients: the person's reply comes as the `user_reply` argument.
    pub fn for_mcp() -> Session {
        Session {
            reply_via_argument: true,
            ..Session::default()
        }
    }

    fn see(&mut self, id: &str, offer: SeenOffer) {
        if self.offers.len() >= 500
            && let Some(first) = self.offers.keys().next().cloned()
        {
            self.offers.remove(&first);
        }
        self.offers.insert(id.to_string(), offer);
    }
}

/// The tools over one agency, with today's date (relative dates are the caller's business).
pub struct Toolbox<'a> {
    pub agency: &'a dyn Agency,
    pub today: Date,
}

fn schema(props: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn date_prop(what: &str) -> Value {
    json!({"type": "string", "format": "date", "description": format!("{what} (YYYY-MM-DD)")})
}

fn money_prop(what: &str) -> Value {
    json!({"type": ["string", "number"], "description": format!("{what}, a decimal amount such as \"300\" or \"129.50\"")})
}

/// Every tool, in a stable order.
pub fn specs() -> Vec<ToolSpec> {
    let currency = json!({"type": "string", "description": "ISO 4217 code such as EUR, USD, GBP"});
    let confirm_props = |extra: Value| {
        let mut p = extra;
        p["confirmation_token"] = json!({"type": "string", "description": "The token from the quote, only after the person said yes"});
        p["user_reply"] = json!({"type": "string", "description": "MCP only: the person's own reply to the quote, verbatim"});
        p
    };
    vec![
        ToolSpec {
            name: "suggest_places",
            description: "Find airports and cities matching a name or code.",
            parameters: schema(
                json!({"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 20}}),
                &["query"],
            ),
        },
        ToolSpec {
            name: "search_flights",
            description: "Search flight offers (one way, or round trip with return_date). Places are airport codes, city codes or names.",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "departure_date": date_prop("Departure date"),
                    "return_date": date_prop("Return date for a round trip"),
                    "adults": {"type": "integer", "minimum": 1, "maximum": 9},
                    "children": {"type": "integer", "minimum": 0, "maximum": 8},
                    "infants": {"type": "integer", "minimum": 0, "maximum": 4},
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]},
                    "max_stops": {"type": "integer", "minimum": 0, "maximum": 2},
                    "max_price": money_prop("Highest total price"),
                    "currency": currency,
                    "sort": {"type": "string", "enum": ["best", "price", "duration", "departure", "arrival"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &["origin", "destination", "departure_date"],
            ),
        },
        ToolSpec {
            name: "flight_calendar",
            description: "Cheapest fare per day between two places over a date range (at most 62 days).",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "from": date_prop("First day"),
                    "to": date_prop("Last day"),
                    "adults": {"type": "integer", "minimum": 1, "maximum": 9},
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]},
                    "currency": currency
                }),
                &["origin", "destination", "from", "to"],
            ),
        },
        ToolSpec {
            name: "search_hotels",
            description: "Search hotel offers in a city (cheapest fitting room per hotel).",
            parameters: schema(
                json!({
                    "location": {"type": "string"},
                    "check_in": date_prop("Check-in"),
                    "check_out": date_prop("Check-out"),
                    "guests": {"type": "integer", "minimum": 1, "maximum": 9},
                    "rooms": {"type": "integer", "minimum": 1, "maximum": 9},
                    "min_stars": {"type": "integer", "minimum": 1, "maximum": 5},
                    "max_nightly": money_prop("Highest average nightly price"),
                    "amenities": {"type": "array", "items": {"type": "string"}},
                    "currency": currency,
                    "sort": {"type": "string", "enum": ["price", "rating", "stars", "distance"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &["location", "check_in", "check_out"],
            ),
        },
        ToolSpec {
            name: "search_packages",
            description: "Search curated vacation packages by text, type, destination, price per person (EUR), length and month.",
            parameters: schema(
                json!({
                    "text": {"type": "string"},
                    "type": {"type": "string", "description": "beach, city, adventure, cultural, ..."},
                    "destination": {"type": "string", "description": "City or country, name or code"},
                    "max_price": money_prop("Highest price per person in EUR"),
                    "min_days": {"type": "integer", "minimum": 1},
                    "max_days": {"type": "integer", "minimum": 1},
                    "month": {"type": "string", "description": "YYYY-MM: a departure in this month"},
                    "sort": {"type": "string", "enum": ["relevance", "price", "rating", "duration"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &[],
            ),
        },
        ToolSpec {
            name: "get_package",
            description: "A package's details: itinerary, inclusions and departures with prices.",
            parameters: schema(json!({"id": {"type": "string"}}), &["id"]),
        },
        ToolSpec {
            name: "recommend",
            description: "Packages ranked for this traveller from their preferences and booking history, each with a one-line reason.",
            parameters: schema(
                json!({"limit": {"type": "integer", "minimum": 1, "maximum": 20}}),
                &[],
            ),
        },
        ToolSpec {
            name: "plan_itinerary",
            description: "A day-by-day plan (return flight, hotel, activities) that never exceeds the budget; says what was traded off.",
            parameters: schema(
                json!({
                    "origin": {"type": "string", "description": "Where from; omit to plan the stay only"},
                    "destination": {"type": "string"},
                    "start": date_prop("First day"),
                    "days": {"type": "integer", "minimum": 2, "maximum": 21},
                    "budget": money_prop("Total budget for everything planned"),
                    "currency": currency.clone(),
                    "travellers": {"type": "integer", "minimum": 1, "maximum": 9},
                    "interests": {"type": "array", "items": {"type": "string"}}
                }),
                &["destination", "start", "days", "budget"],
            ),
        },
        ToolSpec {
            name: "predict_price",
            description: "Book now or wait: today's cheapest one-way fare for a route and date, the expected change if you wait a week, the trend, a confidence and its basis.",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "date": date_prop("Departure date"),
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]}
                }),
                &["origin", "destination", "date"],
            ),
        },
        ToolSpec {
            name: "quote_booking",
            description: "Price what would be booked: offer ids from this conversation's searches, or a package departure, for a number of travellers.",
            parameters: schema(
                json!({
                    "offer_ids": {"type": "array", "items": {"type": "string"}},
                    "package_id": {"type": "string"},
                    "date": date_prop("Package departure"),
                    "travellers": {"type": "integer", "minimum": 1, "maximum": 9}
                }),
                &[],
            ),
        },
        ToolSpec {
            name: "create_booking",
            description: "Book offers or a package departure. The first call returns a quote and a confirmation_token and books nothing; show the quote, ask the person, and only after their explicit yes call again with the same arguments plus the token.",
            parameters: schema(
                confirm_props(json!({
                    "offer_ids": {"type": "array", "items": {"type": "string"}},
                    "package_id": {"type": "string"},
                    "date": date_prop("Package departure"),
                    "passengers": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "given_name": {"type": "string"},
                            "family_name": {"type": "string"},
                            "born_on": date_prop("Date of birth"),
                            "type": {"type": "string", "enum": ["adult", "child", "infant"]}
                        },
                        "required": ["given_name", "family_name", "born_on"]
                    }},
                    "contact_email": {"type": "string"},
                    "contact_phone": {"type": "string", "description": "International form (+44...); some airlines need it"}
                })),
                &["passengers", "contact_email"],
            ),
        },
        ToolSpec {
            name: "list_bookings",
            description: "The person's bookings, newest first, optionally by status.",
            parameters: schema(
                json!({"status": {"type": "string", "enum": ["PENDING", "PAYMENT_PROCESSING", "CONFIRMED", "COMPLETED", "CANCELLED", "REFUNDED"]}}),
                &[],
            ),
        },
        ToolSpec {
            name: "cancel_booking",
            description: "Cancel a booking. The first call returns the refund quote and a confirmation_token and cancels nothing; only after the person's explicit yes call again with the token.",
            parameters: schema(
                confirm_props(
                    json!({"booking_id": {"type": "string", "description": "Booking id (bkg_...) or confirmation code"}}),
                ),
                &["booking_id"],
            ),
        },
        ToolSpec {
            name: "get_points",
            description: "The person's loyalty points: total, available, level.",
            parameters: schema(json!({}), &[]),
        },
    ]
}

/// An amount typed as a string or a JSON number, kept as text (never a float).
#[derive(Debug, Clone)]
struct Amount(String);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Amount(s)),
            Value::Number(n) => Ok(Amount(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "expected an amount, got {other}"
            ))),
        }
    }
}

impl Amount {
    fn money(&self, currency: Option<Currency>) -> Result<Money, ToolError> {
        Ok(Money::from_decimal(
            &self.0,
            currency.unwrap_or(Currency::EUR),
        )?)
    }
}

fn args<T: DeserializeOwned>(tool: &str, value: &Value) -> Result<T, ToolError> {
    let v = if value.is_null() {
        json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(v).map_err(|e| ToolError::invalid(format!("{tool}: bad arguments: {e}")))
}

fn currency(c: &Option<String>) -> Result<Option<Currency>, ToolError> {
    Ok(c.as_deref().map(Currency::parse).transpose()?)
}

fn cabin(c: &Option<String>) -> Result<Cabin, ToolError> {
    Ok(c.as_deref()
        .map(Cabin::parse)
        .transpose()?
        .unwrap_or(Cabin::Economy))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestArgs {
    query: String,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlightArgs {
    origin: String,
    destination: String,
    departure_date: Date,
    return_date: Option<Date>,
    adults: Option<u8>,
    children: Option<u8>,
    infants: Option<u8>,
    cabin: Option<String>,
    max_stops: Option<u8>,
    max_price: Option<Amount>,
    currency: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarArgs {
    origin: String,
    destination: String,
    from: Date,
    to: Date,
    adults: Option<u8>,
    cabin: Option<String>,
    currency: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HotelArgs {
    location: String,
    check_in: Date,
    check_out: Date,
    guests: Option<u32>,
    rooms: Option<u32>,
    min_stars: Option<u8>,
    max_nightly: Option<Amount>,
    #[serde(default)]
    amenities: Vec<String>,
    currency: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageArgs {
    text: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    destination: Option<String>,
    max_price: Option<Amount>,
    min_days: Option<u32>,
    max_days: Option<u32>,
    month: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdArgs {
    id: String,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct QuoteArgs {
    #[serde(default)]
    offer_ids: Vec<String>,
    package_id: Option<String>,
    date: Option<Date>,
    travellers: Option<u32>,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct BookArgs {
    #[serde(default)]
    offer_ids: Vec<String>,
    #[serde(default)]
    package_id: Option<String>,
    #[serde(default)]
    date: Option<Date>,
    passengers: Vec<PassengerInput>,
    contact_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact_phone: Option<String>,
    #[serde(default, skip_serializing)]
    confirmation_token: Option<String>,
    #[serde(default, skip_serializing)]
    user_reply: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictArgs {
    origin: String,
    destination: String,
    date: Date,
    cabin: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListLimit {
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanArgs {
    origin: Option<String>,
    destination: String,
    start: Date,
    days: u32,
    budget: Amount,
    currency: Option<String>,
    travellers: Option<u8>,
    #[serde(default)]
    interests: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    status: Option<String>,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct CancelArgs {
    booking_id: String,
    #[serde(default, skip_serializing)]
    confirmation_token: Option<String>,
    #[serde(default, skip_serializing)]
    user_reply: Option<String>,
}

/// A compact view of a flight offer for a model or a chat answer.
pub fn flight_summary(o: &FlightOffer) -> Value {
    let slices: Vec<Value> = o
        .slices
        .iter()
        .map(|s| {
            json!({
                "from": s.origin,
                "to": s.destination,
                "depart": s.departing_at.strftime("%Y-%m-%d %H:%M").to_string(),
                "arrive": s.arriving_at.strftime("%Y-%m-%d %H:%M").to_string(),
                "stops": s.stops(),
                "duration_minutes": s.duration_minutes,
                "flights": s.segments.iter().map(|g| g.flight_number.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": o.id,
        "total": o.total().decimal(),
        "currency": o.total().currency,
        "airline": o.owner,
        "cabin": o.cabin_class,
        "stops": o.stops(),
        "refundable": o.conditions.refund_before_departure.allowed,
        "seats_left": o.available_seats,
        "slices": slices,
    })
}

fn flight_description(o: &FlightOffer) -> String {
    let legs: Vec<String> = o
        .slices
        .iter()
        .map(|s| {
            format!(
                "{}->{} {} {}",
                s.origin,
                s.destination,
                s.departing_at.strftime("%a %-d %b %H:%M"),
                s.segments
                    .iter()
                    .map(|g| g.flight_number.as_str())
                    .collect::<Vec<_>>()
                    .join("+")
            )
        })
        .collect();
    format!("flight {}", legs.join(", "))
}

pub fn hotel_summary(o: &HotelOffer) -> Value {
    json!({
        "id": o.id,
        "hotel": o.hotel.name,
        "stars": o.hotel.stars,
        "rating": o.hotel.rating,
        "neighbourhood": o.hotel.neighbourhood,
        "room": o.room_name,
        "nights": o.nights,
        "total": o.total().decimal(),
        "nightly": o.price.nightly.decimal(),
        "currency": o.total().currency,
        "free_cancellation": o.cancellation.free_until.is_some(),
    })
}

/// Canonical JSON of a value (object keys sorted), for comparing calls.
fn canonical(v: &impl Serialize) -> String {
    // serde_json's Map is ordered by key (BTreeMap) without the preserve_order feature.
    serde_json::to_value(v)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

impl Toolbox<'_> {
    /// Runs a tool. Errors are values for the caller (a model) to read.
    pub async fn call(
        &self,
        session: &mut Session,
        name: &str,
        arguments: &Value,
    ) -> Result<Value, ToolError> {
        if !arguments.is_object() && !arguments.is_null() {
            return Err(ToolError::invalid(format!(
                "{name}: arguments must be a JSON object"
            )));
        }
        match name {
            "suggest_places" => {
                let a: SuggestArgs = args(name, arguments)?;
                let found = self
                    .agency
                    .suggest_places(&a.query, a.limit.unwrap_or(5).clamp(1, 20))
                    .await?;
                Ok(json!({ "places": found }))
            }
            "search_flights" => self.search_flights(session, args(name, arguments)?).await,
            "flight_calendar" => self.calendar(args(name, arguments)?).await,
            "search_hotels" => self.search_hotels(session, args(name, arguments)?).await,
            "search_packages" => self.search_packages(args(name, arguments)?).await,
            "get_package" => {
                let a: IdArgs = args(name, arguments)?;
                let p = self.agency.get_package(&a.id).await?;
                let departures: Vec<Value> = p
                    .departures
                    .iter()
                    .filter(|d| d.slots_left > 0)
                    .take(12)
                    .map(|d| json!({"date": d.date, "price_per_person": d.price.decimal(), "currency": d.price.currency, "slots_left": d.slots_left}))
                    .collect();
                Ok(json!({
                    "id": p.summary.id,
                    "title": p.summary.title,
                    "destination": p.summary.destination_name,
                    "days": p.summary.duration_days,
                    "rating": p.summary.rating,
                    "description": p.description,
                    "includes": p.includes,
                    "itinerary": p.itinerary.iter().map(|d| json!({"day": d.day, "title": d.title, "activities": d.activities})).collect::<Vec<_>>(),
                    "departures": departures,
                }))
            }
            "quote_booking" => {
                let a: QuoteArgs = args(name, arguments)?;
                let q = self
                    .quote(
                        session,
                        &a.offer_ids,
                        a.package_id.as_deref(),
                        a.date,
                        a.travellers,
                    )
                    .await?;
                Ok(serde_json::to_value(q)?)
            }
            "create_booking" => self.create_booking(session, args(name, arguments)?).await,
            "predict_price" => {
                let a: PredictArgs = args(name, arguments)?;
                let p = super::predict::forecast(
                    self.agency,
                    &a.origin,
                    &a.destination,
                    a.date,
                    cabin(&a.cabin)?,
                    self.today,
                    |_, _| Ok(Vec::new()),
                )
                .await?;
                Ok(serde_json::to_value(p)?)
            }
            "recommend" => {
                let a: ListLimit = args(name, arguments)?;
                let list = super::recommend::recommend(self.agency, a.limit.unwrap_or(5)).await?;
                Ok(json!({ "recommendations": list }))
            }
            "plan_itinerary" => {
                let a: PlanArgs = args(name, arguments)?;
                let cur = currency(&a.currency)?;
                let req = super::plan::PlanRequest {
                    origin: a.origin,
                    destination: a.destination,
                    start: a.start,
                    days: a.days,
                    budget: a.budget.money(cur)?,
                    travellers: a.travellers.unwrap_or(1),
                    interests: a.interests,
                };
                Ok(serde_json::to_value(
                    super::plan::plan(self.agency, &req).await?,
                )?)
            }
            "list_bookings" => {
                let a: ListArgs = args(name, arguments)?;
                let status = a.status.as_deref().map(BookingStatus::parse).transpose()?;
                let list = self.agency.list_bookings(status).await?;
                let rows: Vec<Value> = list
                    .iter()
                    .map(|b| {
                        json!({
                            "id": b.id,
                            "confirmation_code": b.confirmation_code,
                            "status": b.status,
                            "total": b.total.decimal(),
                            "currency": b.total.currency,
                            "starts_on": b.starts_on,
                            "items": b.items.iter().map(|i| i.description.clone()).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                Ok(json!({ "bookings": rows }))
            }
            "cancel_booking" => self.cancel_booking(session, args(name, arguments)?).await,
            "get_points" => {
                let _: BTreeMap<String, Value> = args(name, arguments)?;
                if arguments.as_object().is_some_and(|o| !o.is_empty()) {
                    return Err(ToolError::invalid("get_points takes no arguments"));
                }
                Ok(serde_json::to_value(self.agency.points().await?)?)
            }
            other => Err(ToolError {
                kind: "unknown_tool".into(),
                message: format!("no tool named '{other}'"),
                suggestions: specs().iter().map(|s| s.name.to_string()).collect(),
            }),
        }
    }

    async fn search_flights(
        &self,
        session: &mut Session,
        a: FlightArgs,
    ) -> Result<Value, ToolError> {
        let cur = currency(&a.currency)?;
        let mut q = FlightQuery::one_way(&a.origin, &a.destination, a.departure_date);
        if let Some(back) = a.return_date {
            if back < a.departure_date {
                return Err(ToolError::invalid(format!(
                    "return_date {back} is before departure_date {}",
                    a.departure_date
                )));
            }
            q.slices.push(SliceQuery {
                origin: a.destination.clone(),
                destination: a.origin.clone(),
                departure_date: back,
            });
        }
        q.passengers = Passengers {
            adults: a.adults.unwrap_or(1),
            children: a.children.unwrap_or(0),
            infants: a.infants.unwrap_or(0),
        };
        q.cabin = cabin(&a.cabin)?;
        q.max_stops = a.max_stops;
        q.currency = cur;
        if let Some(p) = &a.max_price {
            q.filters.max_price = Some(p.money(cur)?);
        }
        q.sort = a
            .sort
            .as_deref()
            .map(FlightSort::parse)
            .transpose()?
            .unwrap_or_default();
        q.limit = Some(a.limit.unwrap_or(5).clamp(1, 20));
        let found = self.agency.search_flights(&q).await?;
        session.last_results.clear();
        for o in &found.offers {
            session.see(
                &o.id,
                SeenOffer {
                    kind: "flight".into(),
                    description: flight_description(o),
                    total: o.total(),
                    travellers: o.passengers.len() as u32,
                },
            );
            session.last_results.push(o.id.clone());
        }
        Ok(json!({
            "offers": found.offers.iter().map(flight_summary).collect::<Vec<_>>(),
            "warnings": found.warnings,
        }))
    }

    async fn calendar(&self, a: CalendarArgs) -> Result<Value, ToolError> {
        if a.to < a.from {
            return Err(ToolError::invalid(format!(
                "'to' {} is before 'from' {}",
                a.to, a.from
            )));
        }
        let mut dates = Vec::new();
        let mut d = a.from;
        while d <= a.to && dates.len() <= 62 {
            dates.push(d);
            d = d
                .checked_add(1.day())
                .map_err(|e| ToolError::invalid(e.to_string()))?;
        }
        let q = CalendarQuery {
            origin: a.origin,
            destination: a.destination,
            dates,
            passengers: Passengers {
                adults: a.adults.unwrap_or(1),
                ..Passengers::default()
            },
            cabin: cabin(&a.cabin)?,
            currency: currency(&a.currency)?,
        };
        let days = self.agency.flight_calendar(&q).await?;
        let cheapest = days
            .iter()
            .filter_map(|d| d.cheapest.map(|m| (d.date, m)))
            .min_by_key(|(_, m)| m.minor);
        Ok(json!({
            "days": days.iter().map(|d| json!({"date": d.date, "cheapest": d.cheapest.map(|m| m.decimal()), "currency": d.cheapest.map(|m| m.currency), "stops": d.stops})).collect::<Vec<_>>(),
            "cheapest_day": cheapest.map(|(d, m)| json!({"date": d, "total": m.decimal(), "currency": m.currency})),
        }))
    }

    async fn search_hotels(&self, session: &mut Session, a: HotelArgs) -> Result<Value, ToolError> {
        let cur = currency(&a.currency)?;
        let mut q = HotelQuery::new(&a.location, a.check_in, a.check_out);
        q.guests = a.guests.unwrap_or(1);
        q.rooms = a.rooms.unwrap_or(1);
        q.min_stars = a.min_stars;
        q.amenities = a.amenities;
        q.currency = cur;
        if let Some(p) = &a.max_nightly {
            q.max_nightly = Some(p.money(cur)?);
        }
        q.sort = a
            .sort
            .as_deref()
            .map(HotelSort::parse)
            .transpose()?
            .unwrap_or_default();
        q.limit = Some(a.limit.unwrap_or(5).clamp(1, 20));
        let found = self.agency.search_hotels(&q).await?;
        session.last_results.clear();
        for o in &found.offers {
            session.see(
                &o.id,
                SeenOffer {
                    kind: "hotel".into(),
                    description: format!(
                        "hotel {} {}, {} to {}",
                        o.hotel.name, o.room_name, o.check_in_date, o.check_out_date
                    ),
                    total: o.total(),
                    travellers: o.guests,
                },
            );
            session.last_results.push(o.id.clone());
        }
        Ok(json!({
            "offers": found.offers.iter().map(hotel_summary).collect::<Vec<_>>(),
            "warnings": found.warnings,
        }))
    }

    async fn search_packages(&self, a: PackageArgs) -> Result<Value, ToolError> {
        let month = match &a.month {
            Some(m) => {
                let bad = || ToolError::invalid(format!("month '{m}': use YYYY-MM"));
                let (y, mo) = m.split_once('-').ok_or_else(bad)?;
                Some(
                    Date::new(
                        y.parse().map_err(|_| bad())?,
                        mo.parse().map_err(|_| bad())?,
                        1,
                    )
                    .map_err(|_| bad())?,
                )
            }
            None => None,
        };
        let q = PackageQuery {
            text: a.text,
            kind: a.kind,
            destination: a.destination,
            max_price: a.max_price.as_ref().map(|p| p.money(None)).transpose()?,
            min_days: a.min_days,
            max_days: a.max_days,
            month,
            sort: a
                .sort
                .as_deref()
                .map(PackageSort::parse)
                .transpose()?
                .unwrap_or_default(),
            limit: Some(a.limit.unwrap_or(5).clamp(1, 20)),
            ..PackageQuery::default()
        };
        let found = self.agency.search_packages(&q).await?;
        Ok(json!({
            "total": found.total,
            "packages": found.packages.iter().map(|p| json!({
                "id": p.id,
                "title": p.title,
                "type": p.kind,
                "destination": p.destination_name,
                "days": p.duration_days,
                "price_per_person": p.base_price.decimal(),
                "currency": p.base_price.currency,
                "rating": p.rating,
            })).collect::<Vec<_>>(),
        }))
    }

    /// Prices what would be booked, from offers this conversation has seen or a package.
    async fn quote(
        &self,
        session: &Session,
        offer_ids: &[String],
        package_id: Option<&str>,
        date: Option<Date>,
        travellers: Option<u32>,
    ) -> Result<Quote, ToolError> {
        if offer_ids.is_empty() && package_id.is_none() {
            return Err(ToolError::invalid(
                "nothing to quote: give offer_ids from a search or a package_id with a date",
            ));
        }
        let mut items = Vec::new();
        let mut travellers_needed = travellers;
        for id in offer_ids {
            let seen = session.offers.get(id).ok_or_else(|| {
                ToolError::new(
                    "not_found",
                    format!("offer {id} was not found in this conversation's searches: search first, then quote its id"),
                )
            })?;
            if seen.kind == "flight" {
                travellers_needed = Some(seen.travellers);
            }
            items.push(QuoteItem {
                kind: seen.kind.clone(),
                id: id.clone(),
                description: seen.description.clone(),
                price: seen.total,
            });
        }
        if let Some(pid) = package_id {
            let date = date.ok_or_else(|| {
                ToolError::invalid("a package booking needs the departure 'date'")
            })?;
            let p = self.agency.get_package(pid).await?;
            let dep = p
                .departures
                .iter()
                .find(|d| d.date == date)
                .ok_or_else(|| ToolError {
                    kind: "not_found".into(),
                    message: format!("{pid} has no departure on {date}"),
                    suggestions: p
                        .departures
                        .iter()
                        .filter(|d| d.slots_left > 0)
                        .take(5)
                        .map(|d| d.date.to_string())
                        .collect(),
                })?;
            let n = travellers_needed.unwrap_or(1).max(1);
            if dep.slots_left < n {
                return Err(ToolError::new(
                    "conflict",
                    format!("only {} places left on {date}", dep.slots_left),
                ));
            }
            items.push(QuoteItem {
                kind: "package".into(),
                id: pid.to_string(),
                description: format!("package {} departing {date}", p.summary.title),
                price: Money::new(dep.price.minor * i64::from(n), dep.price.currency),
            });
            travellers_needed = Some(n);
        }
        let currency = items[0].price.currency;
        if items.iter().any(|i| i.price.currency != currency) {
            return Err(ToolError::invalid(
                "these offers are priced in different currencies: search them in one currency",
            ));
        }
        let total = Money::new(items.iter().map(|i| i.price.minor).sum(), currency);
        Ok(Quote {
            items,
            total,
            travellers: travellers_needed.unwrap_or(1),
            note: "Prices are re-checked when booking; payment is taken separately (bookings pay)."
                .into(),
        })
    }

    async fn create_booking(&self, session: &mut Session, a: BookArgs) -> Result<Value, ToolError> {
        if a.passengers.is_empty() {
            return Err(ToolError::invalid(
                "passengers: at least one traveller (given_name, family_name, born_on)",
            ));
        }
        let quote = self
            .quote(
                session,
                &a.offer_ids,
                a.package_id.as_deref(),
                a.date,
                Some(a.passengers.len() as u32),
            )
            .await?;
        if quote.travellers as usize != a.passengers.len() {
            return Err(ToolError::invalid(format!(
                "the offer is priced for {} travellers but {} passengers were given",
                quote.travellers,
                a.passengers.len()
            )));
        }
        let fingerprint = canonical(&a);
        let Some(token) = a.confirmation_token.as_deref() else {
            let summary = format!(
                "{} for {} ({}), total {}",
                quote
                    .items
                    .iter()
                    .map(|i| i.description.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                a.passengers
                    .iter()
                    .map(|p| format!("{} {}", p.given_name, p.family_name))
                    .collect::<Vec<_>>()
                    .join(", "),
                a.contact_email,
                quote.total
            );
            let token = session
                .confirmations
                .issue("create_booking", fingerprint, summary.clone());
            return Ok(json!({
                "status": "confirmation_required",
                "confirmation_token": token,
                "quote": quote,
                "summary": summary,
                "instructions": "Nothing is booked yet. Show this quote to the person and ask them to confirm; after their explicit yes, call create_booking again with the same arguments and this confirmation_token.",
            }));
        };
        if session.reply_via_argument
            && let Some(reply) = &a.user_reply
        {
            session.confirmations.user_said(reply);
        }
        session
            .confirmations
            .redeem("create_booking", &fingerprint, token)
            .map_err(|m| ToolError::new("confirmation_required", m))?;
        let mut items: Vec<ItemRequest> = a
            .offer_ids
            .iter()
            .map(|id| ItemRequest::Offer {
                offer_id: id.clone(),
            })
            .collect();
        if let (Some(pid), Some(date)) = (&a.package_id, a.date) {
            items.push(ItemRequest::Package {
                package_id: pid.clone(),
                date,
            });
        }
        let booking = self
            .agency
            .create_booking(BookingRequest {
                items,
                passengers: a.passengers,
                contact_email: a.contact_email,
                contact_phone: a.contact_phone,
                payment: PaymentInput::default(),
                // The token makes a repeated confirmed call replay, not book twice.
                idempotency_key: Some(token.to_string()),
            })
            .await?;
        Ok(json!({
            "status": "booked",
            "booking_id": booking.id,
            "confirmation_code": booking.confirmation_code,
            "booking_status": booking.status,
            "total": booking.total.decimal(),
            "currency": booking.total.currency,
            "next_action": booking.next_action,
        }))
    }

    async fn cancel_booking(
        &self,
        session: &mut Session,
        a: CancelArgs,
    ) -> Result<Value, ToolError> {
        let quote = self.agency.quote_cancellation(&a.booking_id).await?;
        let fingerprint = canonical(&a);
        let Some(token) = a.confirmation_token.as_deref() else {
            let summary = format!(
                "cancel {}: refund {}, kept {}",
                quote.booking_id, quote.refund, quote.kept
            );
            let token = session
                .confirmations
                .issue("cancel_booking", fingerprint, summary.clone());
            return Ok(json!({
                "status": "confirmation_required",
                "confirmation_token": token,
                "refund_quote": quote,
                "summary": summary,
                "instructions": "Nothing is cancelled yet. Show the refund quote and ask the person to confirm; after their explicit yes, call cancel_booking again with this confirmation_token.",
            }));
        };
        if session.reply_via_argument
            && let Some(reply) = &a.user_reply
        {
            session.confirmations.user_said(reply);
        }
        session
            .confirmations
            .redeem("cancel_booking", &fingerprint, token)
            .map_err(|m| ToolError::new("confirmation_required", m))?;
        let b = self
            .agency
            .cancel_booking(&a.booking_id, Some(token.to_string()))
            .await?;
        Ok(json!({
            "status": "cancelled",
            "booking_id": b.id,
            "booking_status": b.status,
            "refund": quote.refund.decimal(),
            "currency": quote.refund.currency,
        }))
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct QuoteItem {
    pub kind: String,
    pub id: String,
    pub description: String,
    pub price: Money,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Quote {
    pub items: Vec<QuoteItem>,
    pub total: Money,
    pub travellers: u32,
    pub note: String,
}
