//! The arguments of each tool as typed structs (what a call's JSON deserializes into), and
//! the small readers that turn loose argument text into domain values.

use super::ToolError;
use crate::booking::PassengerInput;
use crate::model::{Cabin, Currency, Money};
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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

pub(super) fn currency(c: &Option<String>) -> Result<Option<Currency>, ToolError> {
    Ok(c.as_deref().map(Currency::parse).transpose()?)
}

pub(super) fn cabin(c: &Option<String>) -> Result<Cabin, ToolError> {
    Ok(c.as_deref()
        .map(Cabin::parse)
        .transpose()?
        .unwrap_or(Cabin::Economy))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SuggestArgs {
    pub(super) query: String,
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FlightArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    pub(super) departure_date: Date,
    pub(super) return_date: Option<Date>,
    pub(super) adults: Option<u8>,
    pub(super) children: Option<u8>,
    pub(super) infants: Option<u8>,
    pub(super) cabin: Option<String>,
    pub(super) max_stops: Option<u8>,
    pub(super) max_price: Option<Amount>,
    pub(super) currency: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CalendarArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    pub(super) from: Date,
    pub(super) to: Date,
    pub(super) adults: Option<u8>,
    pub(super) cabin: Option<String>,
    pub(super) currency: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HotelArgs {
    pub(super) location: String,
    pub(super) check_in: Date,
    pub(super) check_out: Date,
    pub(super) guests: Option<u32>,
    pub(super) rooms: Option<u32>,
    pub(super) min_stars: Option<u8>,
    pub(super) max_nightly: Option<Amount>,
    #[serde(default)]
    pub(super) amenities: Vec<String>,
    pub(super) currency: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PackageArgs {
    pub(super) text: Option<String>,
    #[serde(rename = "type")]
    pub(super) kind: Option<String>,
    pub(super) destination: Option<String>,
    pub(super) max_price: Option<Amount>,
    pub(super) min_days: Option<u32>,
    pub(super) max_days: Option<u32>,
    pub(super) month: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IdArgs {
    pub(super) id: String,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct QuoteArgs {
    #[serde(default)]
    pub(super) offer_ids: Vec<String>,
    pub(super) package_id: Option<String>,
    pub(super) date: Option<Date>,
    pub(super) travellers: Option<u32>,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BookArgs {
    #[serde(default)]
    pub(super) offer_ids: Vec<String>,
    #[serde(default)]
    pub(super) package_id: Option<String>,
    #[serde(default)]
    pub(super) date: Option<Date>,
    pub(super) passengers: Vec<PassengerInput>,
    pub(super) contact_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) contact_phone: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) confirmation_token: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) user_reply: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PredictArgs {
    pub(super) origin: String,
    pub(super) destination: String,
    pub(super) date: Date,
    pub(super) cabin: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListLimit {
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlanArgs {
    pub(super) origin: Option<String>,
    pub(super) destination: String,
    pub(super) start: Date,
    pub(super) days: u32,
    pub(super) budget: Amount,
    pub(super) currency: Option<String>,
    pub(super) travellers: Option<u8>,
    #[serde(default)]
    pub(super) interests: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListArgs {
    pub(super) status: Option<String>,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CancelArgs {
    pub(super) booking_id: String,
    #[serde(default, skip_serializing)]
    pub(super) confirmation_token: Option<String>,
    #[serde(default, skip_serializing)]
    pub(super) user_reply: Option<String>,
}
