//! The arguments of each tool as typed structs: each is both what a call's JSON deserializes
//! into and, through its doc comments and `schemars` attributes, the schema a model sees.

use super::ToolError;
use crate::booking::{Gender, PassengerInput};
use crate::model::{Cabin, Currency, Money, PassengerType};
use jiff::civil::Date;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::borrow::Cow;

/// An amount typed as a string or a JSON number, kept as text (never a float).
#[derive(Debug, Clone)]
pub(super) struct Amount(String);

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

impl JsonSchema for Amount {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }

    // Each field that holds an amount describes it in its doc comment.
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": ["string", "number"]})
    }
}

impl Amount {
    pub(super) fn money(&self, currency: Option<Currency>) -> Result<Money, ToolError> {
        Ok(Money::from_decimal(
            &self.0,
            currency.unwrap_or(Currency::EUR),
        )?)
    }
}

pub(super) fn args<T: DeserializeOwned>(tool: &str, value: &Value) -> Result<T, ToolError> {
    let v = if value.is_null() {
        json!({})
    } else {
        value.clone()
    };
    serde_json::from_value(v).map_err(|e| ToolError::invalid(format!("{tool}: bad arguments: {e}")))
}

/// Refuses any argument to a tool that takes none (`{}` or nothing).
pub(super) fn no_args(tool: &str, value: &Value) -> Result<(), ToolError> {
    if value.as_object().is_some_and(|o| !o.is_empty()) {
        return Err(ToolError::invalid(format!("{tool} takes no arguments")));
    }
    let NoArgs {} = args(tool, value)?;
    Ok(())
}

pub(super) fn currency(c: &Option<String>) -> Result<Option<Currency>, ToolError> {
    Ok(c.as_deref().map(Currency::parse).transpose()?)
}

pub(super) fn cabin(c: &Option<String>) -> Result<Cabin, ToolError> {
    Ok(c.as_deref()
        .map(Cabin::parse)
        .transpose()?
        .unwrap_or(Cabin::Economy))
}

// Doc comments on these structs and their fields are what a model reads: each becomes the
// `description` of its schema, and a field without one has none. Notes for this code are
// plain comments.

// Arguments of `suggest_places`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SuggestArgs {
    pub(super) query: String,
    #[schemars(range(min = 1, max = 20))]
    pub(super) limit: Option<usize>,
}

// Arguments of `search_flights`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FlightArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    /// Departure date (YYYY-MM-DD)
    pub(super) departure_date: Date,
    /// Return date for a round trip (YYYY-MM-DD)
    pub(super) return_date: Option<Date>,
    #[schemars(range(min = 1, max = 9))]
    pub(super) adults: Option<u8>,
    #[schemars(range(min = 0, max = 8))]
    pub(super) children: Option<u8>,
    #[schemars(range(min = 0, max = 4))]
    pub(super) infants: Option<u8>,
    #[schemars(extend("enum" = ["economy", "premium_economy", "business", "first"]))]
    pub(super) cabin: Option<String>,
    #[schemars(range(min = 0, max = 2))]
    pub(super) max_stops: Option<u8>,
    /// Highest total price, a decimal amount such as "300" or "129.50"
    pub(super) max_price: Option<Amount>,
    /// ISO 4217 code such as EUR, USD, GBP
    pub(super) currency: Option<String>,
    #[schemars(extend("enum" = ["best", "price", "duration", "departure", "arrival"]))]
    pub(super) sort: Option<String>,
    #[schemars(range(min = 1, max = 20))]
    pub(super) limit: Option<usize>,
}

// Arguments of `flight_calendar`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CalendarArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    /// First day (YYYY-MM-DD)
    pub(super) from: Date,
    /// Last day (YYYY-MM-DD)
    pub(super) to: Date,
    #[schemars(range(min = 1, max = 9))]
    pub(super) adults: Option<u8>,
    #[schemars(extend("enum" = ["economy", "premium_economy", "business", "first"]))]
    pub(super) cabin: Option<String>,
    /// ISO 4217 code such as EUR, USD, GBP
    pub(super) currency: Option<String>,
}

// Arguments of `search_hotels`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct HotelArgs {
    pub(super) location: String,
    /// Check-in (YYYY-MM-DD)
    pub(super) check_in: Date,
    /// Check-out (YYYY-MM-DD)
    pub(super) check_out: Date,
    #[schemars(range(min = 1, max = 9))]
    pub(super) guests: Option<u32>,
    #[schemars(range(min = 1, max = 9))]
    pub(super) rooms: Option<u32>,
    #[schemars(range(min = 1, max = 5))]
    pub(super) min_stars: Option<u8>,
    /// Highest average nightly price, a decimal amount such as "300" or "129.50"
    pub(super) max_nightly: Option<Amount>,
    #[serde(default)]
    pub(super) amenities: Vec<String>,
    /// ISO 4217 code such as EUR, USD, GBP
    pub(super) currency: Option<String>,
    #[schemars(extend("enum" = ["price", "rating", "stars", "distance"]))]
    pub(super) sort: Option<String>,
    #[schemars(range(min = 1, max = 20))]
    pub(super) limit: Option<usize>,
}

// Arguments of `search_packages`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PackageArgs {
    pub(super) text: Option<String>,
    /// beach, city, adventure, cultural, ...
    #[serde(rename = "type")]
    pub(super) kind: Option<String>,
    /// City or country, name or code
    pub(super) destination: Option<String>,
    /// Highest price per person in EUR, a decimal amount such as "300" or "129.50"
    pub(super) max_price: Option<Amount>,
    #[schemars(range(min = 1))]
    pub(super) min_days: Option<u32>,
    #[schemars(range(min = 1))]
    pub(super) max_days: Option<u32>,
    /// YYYY-MM: a departure in this month
    pub(super) month: Option<String>,
    #[schemars(extend("enum" = ["relevance", "price", "rating", "duration"]))]
    pub(super) sort: Option<String>,
    #[schemars(range(min = 1, max = 20))]
    pub(super) limit: Option<usize>,
}

// Arguments of `get_package`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct IdArgs {
    pub(super) id: String,
}

// Arguments of `quote_booking`.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct QuoteArgs {
    #[serde(default)]
    pub(super) offer_ids: Vec<String>,
    pub(super) package_id: Option<String>,
    /// Package departure (YYYY-MM-DD)
    pub(super) date: Option<Date>,
    #[schemars(range(min = 1, max = 9))]
    pub(super) travellers: Option<u32>,
}

// Arguments of `create_booking`. Serialized (without the token and the reply) it is the
// fingerprint a confirmation is bound to.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BookArgs {
    #[serde(default)]
    pub(super) offer_ids: Vec<String>,
    #[serde(default)]
    pub(super) package_id: Option<String>,
    /// Package departure (YYYY-MM-DD)
    #[serde(default)]
    pub(super) date: Option<Date>,
    pub(super) passengers: Vec<PassengerArgs>,
    pub(super) contact_email: String,
    /// International form (+44...); some airlines need it
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) contact_phone: Option<String>,
    /// The token from the quote, only after the person said yes
    #[serde(default, skip_serializing)]
    pub(super) confirmation_token: Option<String>,
    /// MCP only: the person's own reply to the quote, verbatim
    #[serde(default, skip_serializing)]
    pub(super) user_reply: Option<String>,
}

// A traveller in `create_booking`: a `PassengerInput` with the same JSON both ways (so
// the fingerprint is unchanged). `document` and `gender` are accepted but not offered in
// the schema, as before.
#[derive(Deserialize, Serialize, JsonSchema)]
pub(super) struct PassengerArgs {
    given_name: String,
    family_name: String,
    /// Date of birth (YYYY-MM-DD)
    born_on: Date,
    // Left out, the type follows from the birth date (the desk fills it in). The schema models
    // see is unchanged: an optional enum.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PassengerType")]
    kind: Option<PassengerType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    document: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    gender: Option<Gender>,
}

impl PassengerArgs {
    pub(super) fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

impl From<PassengerArgs> for PassengerInput {
    fn from(p: PassengerArgs) -> PassengerInput {
        PassengerInput {
            given_name: p.given_name,
            family_name: p.family_name,
            born_on: p.born_on,
            kind: p.kind,
            document: p.document,
            gender: p.gender,
        }
    }
}

// Arguments of `predict_price`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PredictArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    /// Departure date (YYYY-MM-DD)
    pub(super) date: Date,
    #[schemars(extend("enum" = ["economy", "premium_economy", "business", "first"]))]
    pub(super) cabin: Option<String>,
}

// Arguments of `watch_price`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WatchArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    /// Departure date (YYYY-MM-DD), today or later
    pub(super) date: Date,
    /// Alert when the cheapest total for all travellers falls below this, a decimal amount such as "400" or "399.50"
    pub(super) below: Amount,
    /// ISO 4217 code of `below`; EUR when absent
    pub(super) currency: Option<String>,
    /// Adults travelling; 1 when absent
    #[schemars(range(min = 1, max = 9))]
    pub(super) adults: Option<u8>,
    #[schemars(extend("enum" = ["economy", "premium_economy", "business", "first"]))]
    pub(super) cabin: Option<String>,
}

// Arguments of `recommend`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ListLimit {
    #[schemars(range(min = 1, max = 20))]
    pub(super) limit: Option<usize>,
}

// Arguments of `plan_itinerary`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PlanArgs {
    /// Where from; omit to plan the stay only
    pub(super) origin: Option<String>,
    pub(super) destination: String,
    /// First day (YYYY-MM-DD)
    pub(super) start: Date,
    #[schemars(range(min = 2, max = 21))]
    pub(super) days: u32,
    /// Total budget for everything planned, a decimal amount such as "300" or "129.50"
    pub(super) budget: Amount,
    /// ISO 4217 code such as EUR, USD, GBP
    pub(super) currency: Option<String>,
    #[schemars(range(min = 1, max = 9))]
    pub(super) travellers: Option<u8>,
    #[serde(default)]
    pub(super) interests: Vec<String>,
}

// Arguments of `list_bookings`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ListArgs {
    #[schemars(extend("enum" = [
        "PENDING", "PAYMENT_PROCESSING", "CONFIRMED", "COMPLETED", "CANCELLED", "REFUNDED"
    ]))]
    pub(super) status: Option<String>,
}

// Arguments of `cancel_booking`. Serialized (without the token and the reply) it is the
// fingerprint a confirmation is bound to.
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CancelArgs {
    /// Booking id (bkg_...) or confirmation code
    pub(super) booking_id: String,
    /// The token from the quote, only after the person said yes
    #[serde(default, skip_serializing)]
    pub(super) confirmation_token: Option<String>,
    /// MCP only: the person's own reply to the quote, verbatim
    #[serde(default, skip_serializing)]
    pub(super) user_reply: Option<String>,
}

// Arguments of `pay_booking`. The card is checked on every call; the confirmation is bound
// to the booking, the card's last four digits and its expiry.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PayArgs {
    /// Booking id (bkg_...) of a PENDING booking
    pub(super) booking_id: String,
    /// Card number, digits (spaces allowed)
    pub(super) card_number: String,
    /// Card expiry, MM/YY
    pub(super) expiry: String,
    /// The token from the quote, only after the person said yes
    #[serde(default)]
    pub(super) confirmation_token: Option<String>,
    /// MCP only: the person's own reply to the quote, verbatim
    #[serde(default)]
    pub(super) user_reply: Option<String>,
}

// Arguments of `get_points`: none.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NoArgs {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passenger_serializes_as_the_booking_input_it_becomes() {
        // The confirmation fingerprint is the serialized arguments: it must not change.
        for p in [
            json!({"given_name": "Ana", "family_name": "Lopez", "born_on": "1990-04-02"}),
            json!({"given_name": "Ana", "family_name": "Lopez", "born_on": "2020-04-02",
                   "type": "child", "document": "X123", "gender": "f"}),
        ] {
            let arg: PassengerArgs = serde_json::from_value(p.clone()).unwrap();
            let input: PassengerInput = serde_json::from_value(p).unwrap();
            let as_arg = serde_json::to_value(&arg).unwrap();
            assert_eq!(PassengerInput::from(arg), input);
            assert_eq!(as_arg, serde_json::to_value(&input).unwrap());
        }
    }
}
