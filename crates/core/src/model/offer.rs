//! Offers: what a search returns and a booking buys. The JSON shapes are a stable contract
//! (README, "JSON shapes"); they follow Duffel's so users of real APIs feel at home.

use super::money::{Currency, Money};
use super::time;
use crate::error::{Error, Result};
use jiff::{Timestamp, Zoned, civil::Date};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Cabin {
    Economy,
    PremiumEconomy,
    Business,
    First,
}

impl Cabin {
    pub const ALL: [Cabin; 4] = [
        Cabin::Economy,
        Cabin::PremiumEconomy,
        Cabin::Business,
        Cabin::First,
    ];

    pub fn parse(text: &str) -> Result<Cabin> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "economy" | "y" | "eco" => Ok(Cabin::Economy),
            "premium_economy" | "premium" | "w" => Ok(Cabin::PremiumEconomy),
            "business" | "j" | "c" => Ok(Cabin::Business),
            "first" | "f" => Ok(Cabin::First),
            _ => Err(Error::invalid(format!(
                "unknown cabin '{text}': use economy, premium_economy, business or first"
            ))),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Cabin::Economy => "economy",
            Cabin::PremiumEconomy => "premium_economy",
            Cabin::Business => "business",
            Cabin::First => "first",
        }
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PassengerType {
    Adult,
    Child,
    Infant,
}

impl PassengerType {
    pub fn as_str(&self) -> &'static str {
        match self {
            PassengerType::Adult => "adult",
            PassengerType::Child => "child",
            PassengerType::Infant => "infant",
        }
    }

    /// The fare type of a traveller this old (whole years): adult 12+, child 2-11, infant
    /// under 2. The one place the age bands live.
    pub fn of_age(years: i64) -> PassengerType {
        match years {
            12.. => PassengerType::Adult,
            2.. => PassengerType::Child,
            _ => PassengerType::Infant,
        }
    }

    /// Whole years from `born` to `on` (a birthday counts from its day).
    pub fn age_on(born: jiff::civil::Date, on: jiff::civil::Date) -> i64 {
        let mut age = i64::from(on.year() - born.year());
        if (on.month(), on.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        age
    }

    /// The fare type of a traveller born on `born`, travelling on `on`.
    pub fn on(born: jiff::civil::Date, on: jiff::civil::Date) -> PassengerType {
        PassengerType::of_age(PassengerType::age_on(born, on))
    }
}

/// How many travellers of each type. Validated: 1..=9 seats in all, infants <= adults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Passengers {
    pub adults: u8,
    #[serde(default)]
    pub children: u8,
    #[serde(default)]
    pub infants: u8,
}

/// `2 adults, 1 child, 1 infant` (children and infants only when there are some).
impl std::fmt::Display for Passengers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", super::counted(self.adults, "adult", "adults"))?;
        if self.children > 0 {
            write!(
                f,
                ", {}",
                super::counted(self.children, "child", "children")
            )?;
        }
        if self.infants > 0 {
            write!(f, ", {}", super::counted(self.infants, "infant", "infants"))?;
        }
        Ok(())
    }
}

impl Default for Passengers {
    fn default() -> Self {
        Passengers {
            adults: 1,
            children: 0,
            infants: 0,
        }
    }
}

impl Passengers {
    pub fn validate(&self) -> Result<()> {
        let total = u32::from(self.adults) + u32::from(self.children) + u32::from(self.infants);
        if total == 0 {
            return Err(Error::invalid("at least one passenger is needed"));
        }
        if self.adults == 0 {
            return Err(Error::invalid("at least one adult must travel"));
        }
        if total > 9 {
            return Err(Error::invalid(format!(
                "{total} passengers is more than the 9 one booking can hold; split the group"
            )));
        }
        if self.infants > self.adults {
            return Err(Error::invalid(format!(
                "{} but {}: each infant travels on an adult's lap",
                super::counted(self.infants, "infant", "infants"),
                super::counted(self.adults, "adult", "adults")
            )));
        }
        Ok(())
    }

    /// Passengers who occupy a seat (infants fly on a lap).
    pub fn seats(&self) -> u32 {
        u32::from(self.adults) + u32::from(self.children)
    }

    pub fn total(&self) -> u32 {
        self.seats() + u32::from(self.infants)
    }

    /// One entry per traveller, adults first.
    pub fn list(&self) -> Vec<OfferPassenger> {
        let kinds = std::iter::repeat_n(PassengerType::Adult, self.adults.into())
            .chain(std::iter::repeat_n(
                PassengerType::Child,
                self.children.into(),
            ))
            .chain(std::iter::repeat_n(
                PassengerType::Infant,
                self.infants.into(),
            ));
        kinds
            .enumerate()
            .map(|(i, kind)| OfferPassenger {
                id: format!("pas_{:02}", i + 1),
                kind,
            })
            .collect()
    }

    pub fn from_list(list: &[OfferPassenger]) -> Passengers {
        let count = |k| list.iter().filter(|p| p.kind == k).count() as u8;
        Passengers {
            adults: count(PassengerType::Adult),
            children: count(PassengerType::Child),
            infants: count(PassengerType::Infant),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OfferPassenger {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: PassengerType,
}

/// A flight offer's price: `total = base + tax`, one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FarePrice {
    pub base: Money,
    pub tax: Money,
}

impl FarePrice {
    pub fn total(&self) -> Money {
        Money::new(self.base.minor + self.tax.minor, self.base.currency)
    }

    pub fn currency(&self) -> Currency {
        self.base.currency
    }
}

/// On the wire: `total_amount`, `total_currency`, `base_amount`, `tax_amount` (decimal strings).
impl Serialize for FarePrice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("total_amount", &self.total().decimal())?;
        m.serialize_entry("total_currency", &self.currency())?;
        m.serialize_entry("base_amount", &self.base.decimal())?;
        m.serialize_entry("tax_amount", &self.tax.decimal())?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for FarePrice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, schemars::JsonSchema)]
        struct Raw {
            total_currency: Currency,
            base_amount: String,
            tax_amount: String,
        }
        let raw = Raw::deserialize(d)?;
        let base = Money::from_decimal(&raw.base_amount, raw.total_currency);
        let tax = Money::from_decimal(&raw.tax_amount, raw.total_currency);
        match (base, tax) {
            (Ok(base), Ok(tax)) => Ok(FarePrice { base, tax }),
            (Err(e), _) | (_, Err(e)) => Err(serde::de::Error::custom(e)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Segment {
    pub origin: String,
    pub destination: String,
    #[serde(with = "time::local")]
    #[schemars(with = "String")]
    pub departing_at: Zoned,
    #[serde(with = "time::local")]
    #[schemars(with = "String")]
    pub arriving_at: Zoned,
    pub marketing_carrier: String,
    /// The full designator, e.g. "BA117".
    pub flight_number: String,
    pub operating_carrier: String,
    /// IATA aircraft type code, e.g. "789".
    pub aircraft: String,
    #[serde(rename = "duration", with = "time::minutes")]
    #[schemars(with = "String")]
    pub duration_minutes: i64,
    pub distance_km: u32,
}

impl Segment {
    /// Inventory key of the flight this segment rides: designator, origin, local departure date.
    pub fn flight_key(&self) -> String {
        format!(
            "{}-{}-{}",
            self.flight_number,
            self.origin,
            self.departing_at.date()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slice {
    pub origin: String,
    pub destination: String,
    #[serde(with = "time::local")]
    #[schemars(with = "String")]
    pub departing_at: Zoned,
    #[serde(with = "time::local")]
    #[schemars(with = "String")]
    pub arriving_at: Zoned,
    #[serde(rename = "duration", with = "time::minutes")]
    #[schemars(with = "String")]
    pub duration_minutes: i64,
    pub segments: Vec<Segment>,
}

impl Slice {
    /// The slice made of these segments, from the first departure to the last arrival;
    /// `None` when there are none.
    pub fn from_segments(segments: Vec<Segment>) -> Option<Slice> {
        let (first, last) = (segments.first()?, segments.last()?);
        Some(Slice {
            origin: first.origin.clone(),
            destination: last.destination.clone(),
            departing_at: first.departing_at.clone(),
            arriving_at: last.arriving_at.clone(),
            duration_minutes: (last.arriving_at.timestamp() - first.departing_at.timestamp())
                .get_seconds()
                / 60,
            segments,
        })
    }

    pub fn stops(&self) -> usize {
        self.segments.len().saturating_sub(1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Penalty {
    pub allowed: bool,
    /// `None` when not allowed or free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty_currency: Option<Currency>,
}

impl Penalty {
    pub fn not_allowed() -> Self {
        Penalty {
            allowed: false,
            penalty_amount: None,
            penalty_currency: None,
        }
    }

    pub fn with_fee(fee: Money) -> Self {
        Penalty {
            allowed: true,
            penalty_amount: Some(fee.decimal()),
            penalty_currency: Some(fee.currency),
        }
    }

    /// The fee as money, zero when free; `None` when the action is not allowed.
    pub fn fee(&self) -> Option<Money> {
        if !self.allowed {
            return None;
        }
        match (&self.penalty_amount, self.penalty_currency) {
            (Some(a), Some(c)) => Money::from_decimal(a, c).ok(),
            _ => Some(Money::eur(0)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Conditions {
    pub refund_before_departure: Penalty,
    pub change_before_departure: Penalty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FlightOffer {
    pub id: String,
    pub provider: String,
    #[serde(flatten)]
    pub price: FarePrice,
    pub expires_at: Timestamp,
    pub cabin_class: Cabin,
    pub passengers: Vec<OfferPassenger>,
    pub slices: Vec<Slice>,
    pub conditions: Conditions,
    /// Checked bags included per passenger.
    pub checked_bags: u8,
    /// Seats still bookable at this price.
    pub available_seats: u32,
    /// The airline that owns the fare (Duffel's `owner`).
    pub owner: String,
    /// A real supplier's own id for this offer, kept when the offer is shown re-priced in
    /// another currency (and so under another id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_offer_id: Option<String>,
    /// The supplier's own offer, when booking needs it whole (Amadeus prices and orders
    /// the offer object itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_offer: Option<serde_json::Value>,
    /// How the itinerary is ticketed: one airline or alliance (`single`), one ticket across
    /// airlines with an interline agreement (`interline`), or separate tickets
    /// (`self_transfer`).
    #[serde(default)]
    pub ticketing: Ticketing,
    /// A self-transfer's separate tickets in travel order, each with its own fare rules;
    /// empty when the offer is one ticket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tickets: Vec<Ticket>,
    /// What a traveller must know before buying (a self-transfer's unprotected connection,
    /// bags to re-check, an airport change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// How an itinerary is ticketed (see README, "Flights": one ticket, interline, self-transfer),
/// ordered from the most protected to the least.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Ticketing {
    /// One airline, or partners of one alliance: one ticket, connections protected.
    #[default]
    Single,
    /// Airlines of different alliances (or none) with an interline agreement: still one
    /// ticket, connections protected, bags checked through.
    Interline,
    /// Separate tickets joined by BooksyGo: a missed connection is not protected, bags are
    /// collected and checked in again, and the airport may change within a city.
    SelfTransfer,
}

impl Ticketing {
    pub fn as_str(&self) -> &'static str {
        match self {
            Ticketing::Single => "single",
            Ticketing::Interline => "interline",
            Ticketing::SelfTransfer => "self_transfer",
        }
    }

    /// A short marker for tables: empty for one ticket.
    pub fn marker(&self) -> &'static str {
        match self {
            Ticketing::Single => "",
            Ticketing::Interline => "interline",
            Ticketing::SelfTransfer => "self-transfer",
        }
    }
}

/// One ticket of a self-transfer itinerary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ticket {
    /// The airline that owns this ticket's fare.
    pub owner: String,
    /// Flight designators on this ticket, e.g. ["U22041"].
    pub flights: Vec<String>,
    /// This ticket's own refund and change rules.
    pub conditions: Conditions,
    /// Checked bags included per passenger on this ticket.
    pub checked_bags: u8,
}

impl FlightOffer {
    pub fn total(&self) -> Money {
        self.price.total()
    }

    pub fn stops(&self) -> usize {
        self.slices.iter().map(Slice::stops).max().unwrap_or(0)
    }

    pub fn duration_minutes(&self) -> i64 {
        self.slices.iter().map(|s| s.duration_minutes).sum()
    }

    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.slices.iter().flat_map(|s| s.segments.iter())
    }

    /// Connections made on separate tickets (0 unless `ticketing` is `self_transfer`).
    pub fn self_transfers(&self) -> usize {
        self.tickets.len().saturating_sub(self.slices.len())
    }

    /// Identity of the travel itself, independent of who sells it: used to dedupe suppliers.
    pub fn itinerary_key(&self) -> String {
        let mut key = String::from(self.cabin_class.as_str());
        for seg in self.segments() {
            key.push('|');
            key.push_str(&seg.flight_key());
        }
        key
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotelSummary {
    pub id: String,
    pub name: String,
    pub stars: u8,
    /// Guest rating out of 10.
    pub rating: f32,
    pub city: String,
    pub city_code: String,
    pub neighbourhood: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub amenities: Vec<String>,
    pub distance_to_centre_km: f64,
    pub check_in_time: String,
    pub check_out_time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cancellation {
    pub refundable: bool,
    /// Until when cancelling is free (hotel local time with offset).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_local")]
    #[schemars(with = "Option<String>")]
    pub free_until: Option<Zoned>,
}

mod opt_local {
    use super::*;

    pub fn serialize<S: Serializer>(z: &Option<Zoned>, s: S) -> Result<S::Ok, S::Error> {
        match z {
            Some(z) => s.serialize_some(&time::format_local(z)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Zoned>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| time::parse_local(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A hotel offer's price: every night plus taxes, one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayPrice {
    pub total: Money,
    pub tax: Money,
    /// Average nightly rate before tax.
    pub nightly: Money,
}

impl Serialize for StayPrice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("total_amount", &self.total.decimal())?;
        m.serialize_entry("total_currency", &self.total.currency)?;
        m.serialize_entry("nightly_amount", &self.nightly.decimal())?;
        m.serialize_entry("tax_amount", &self.tax.decimal())?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for StayPrice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, schemars::JsonSchema)]
        struct Raw {
            total_amount: String,
            total_currency: Currency,
            nightly_amount: String,
            tax_amount: String,
        }
        let raw = Raw::deserialize(d)?;
        let parse =
            |s: &str| Money::from_decimal(s, raw.total_currency).map_err(serde::de::Error::custom);
        Ok(StayPrice {
            total: parse(&raw.total_amount)?,
            nightly: parse(&raw.nightly_amount)?,
            tax: parse(&raw.tax_amount)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HotelOffer {
    pub id: String,
    pub provider: String,
    pub hotel: HotelSummary,
    pub room_type: String,
    pub room_name: String,
    pub check_in_date: Date,
    pub check_out_date: Date,
    pub nights: u32,
    pub guests: u32,
    pub rooms: u32,
    #[serde(flatten)]
    pub price: StayPrice,
    pub cancellation: Cancellation,
    pub expires_at: Timestamp,
    /// Rooms of this type still free on every night of the stay.
    pub available_rooms: u32,
    /// A real supplier's own id for this offer (kept when shown in another currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_offer_id: Option<String>,
}

impl HotelOffer {
    pub fn total(&self) -> Money {
        self.price.total
    }
}

/// The wire schema of a price: decimal-string amounts and a currency code.
fn price_schema(description: &str, amounts: &[&str]) -> schemars::Schema {
    let amount =
        serde_json::json!({"type": "string", "pattern": crate::model::money::DECIMAL_PATTERN});
    let mut properties = serde_json::Map::new();
    properties.insert(
        "total_currency".into(),
        serde_json::json!({"type": "string", "pattern": "^[A-Z]{3}$"}),
    );
    let mut required = vec!["total_currency".to_string()];
    for name in amounts {
        properties.insert(name.to_string(), amount.clone());
        required.push(name.to_string());
    }
    schemars::json_schema!({
        "type": "object",
        "description": description,
        "required": required,
        "properties": properties
    })
}

impl schemars::JsonSchema for FarePrice {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FarePrice".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        price_schema(
            "total = base + tax, decimal strings in one currency",
            &["total_amount", "base_amount", "tax_amount"],
        )
    }
}

impl schemars::JsonSchema for StayPrice {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StayPrice".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        price_schema(
            "every night plus taxes; nightly is the average rate before tax",
            &["total_amount", "nightly_amount", "tax_amount"],
        )
    }
}
