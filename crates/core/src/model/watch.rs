//! Price watches: "tell me when LHR-JFK on 14 December is below 400".

use super::{Cabin, Currency, Money};
use crate::error::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Watch {
    pub id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub cabin: Cabin,
    pub adults: u8,
    /// Alert when the cheapest total for the travellers is below this.
    pub below: Money,
    pub last_price: Option<Money>,
    pub last_checked_at: Option<Timestamp>,
    /// The price of the last alert.
    pub fired_price: Option<Money>,
    pub created_at: Timestamp,
}

impl Watch {
    /// Whether this watch is what `new` asks for: the same trip, travellers, cabin and limit
    /// (places as codes).
    pub fn is(&self, new: &NewWatch) -> bool {
        self.origin == new.origin
            && self.destination == new.destination
            && self.date == new.date
            && self.cabin == new.cabin
            && self.adults == new.adults
            && self.below == new.below
    }

    /// What this watch asks for: the trip, travellers, cabin and limit.
    pub fn asked(&self) -> NewWatch {
        NewWatch {
            origin: self.origin.clone(),
            destination: self.destination.clone(),
            date: self.date,
            below: self.below,
            adults: self.adults,
            cabin: self.cabin,
        }
    }
}

/// What `watch add` asks for.
#[derive(Debug, Clone)]
pub struct NewWatch {
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub below: Money,
    pub adults: u8,
    pub cabin: Cabin,
}

fn one() -> u8 {
    1
}

/// A new watch as it travels over HTTP (`POST /api/watches`): the amount as a decimal string
/// in its currency, so that money never passes through a float.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    /// Origin: airport (LHR), city code (LON) or name (London).
    pub origin: String,
    pub destination: String,
    /// Departure date (YYYY-MM-DD), today or later.
    pub date: Date,
    /// Alert when the cheapest total for all travellers is below this: a positive decimal
    /// string such as "400" or "399.50", in `currency`.
    pub below: String,
    /// ISO 4217 code of `below`; EUR when absent.
    #[serde(default)]
    pub currency: Option<String>,
    /// Adults travelling (1 to 9); 1 when absent.
    #[serde(default = "one")]
    pub adults: u8,
    /// economy when absent.
    #[serde(default)]
    pub cabin: Option<Cabin>,
}

impl WatchRequest {
    /// The wire form of `new` (what [`WatchRequest::parse`] reads back).
    pub fn from_new(new: &NewWatch) -> WatchRequest {
        WatchRequest {
            origin: new.origin.clone(),
            destination: new.destination.clone(),
            date: new.date,
            below: new.below.decimal(),
            currency: Some(new.below.currency.as_str().to_string()),
            adults: new.adults,
            cabin: Some(new.cabin),
        }
    }

    /// The amount and currency read; the places, date and limit are checked by the rule that
    /// adds the watch (`Agency::add_watch`).
    pub fn parse(&self) -> Result<NewWatch> {
        let currency = match &self.currency {
            Some(c) => Currency::parse(c)?,
            None => Currency::EUR,
        };
        Ok(NewWatch {
            origin: self.origin.clone(),
            destination: self.destination.clone(),
            date: self.date,
            below: Money::from_decimal(&self.below, currency)?,
            adults: self.adults,
            cabin: self.cabin.unwrap_or(Cabin::Economy),
        })
    }
}

/// A watch that fired: the payload of the `price_alert.triggered` event (webhooks, the event
/// stream, notifications) and a line of `watch check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Alert {
    pub watch_id: String,
    /// The account that owns the watch.
    pub user_id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub cabin: Cabin,
    pub adults: u8,
    /// The cheapest total found for all travellers, in the watch's currency.
    pub price: Money,
    /// The watch's threshold.
    pub below: Money,
    /// The offer at that price (`booksygo book` re-prices it if it has expired).
    pub offer_id: String,
    /// The command that books it from the terminal (fill in the contact and travellers).
    pub book_command: String,
}

impl Alert {
    /// The command that books `offer_id` (with `--remote` when the watch lives on a server,
    /// which the terminal's configuration decides).
    pub fn book_command(offer_id: &str, adults: u8) -> String {
        let passengers = (1..=adults.max(1))
            .map(|i| format!(" --passenger 'GIVEN{i},FAMILY,YYYY-MM-DD'"))
            .collect::<String>();
        format!("booksygo book {offer_id} --email EMAIL{passengers}")
    }
}
