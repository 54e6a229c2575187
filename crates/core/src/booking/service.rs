//! The booking desk: create (re-price, validate, take inventory, record), pay, confirm a
//! payment that needed action, cancel (quote and refund), list and show. Money moves only
//! through the payment provider; the database changes only inside transactions, and every
//! status change goes through `state::transition`.

use super::idempotency::{self, Begun, Claim};
use super::inventory::{self, Need};
use super::payment::{
    Card, ChargeOutcome, MAX_POINTS_SHARE_PERCENT, MIN_POINTS_REDEMPTION, POINTS_PER_EUR,
};
use super::state::{self, BookingStatus};
use super::{
    AuditEntry, Booking, BookingItem, BookingRequest, ItemRequest, PassengerInput, PaymentRecord,
    RefundQuote,
};
use crate::agency::LocalAgency;
use crate::error::{Error, Result};
use crate::events;
use crate::model::{Currency, FlightOffer, HotelOffer, Money, PassengerType, Passengers};
use crate::places::countries;
use crate::points;
use crate::providers::{FlightRequest, HotelRequest, SliceRequest};
use crate::search::packages;
use crate::store;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// What a charge came to, for the caller to act on after committing.
enum Settled {
    Done,
    Failed(Error),
    /// The card was charged but the booking had moved on: refund it.
    Orphaned {
        reference: String,
        amount: Money,
    },
}

/// A payment waiting for the cardholder's confirmation holds inventory this long.
pub const ACTION_HOLD_SECONDS: i64 = 24 * 3600;

/// PENDING bookings hold their inventory this long before they lapse.
pub const PENDING_HOLD_SECONDS: i64 = 30 * 60;

/// An item ready to book: priced, described, with the inventory it needs.
struct Prepared {
    kind: &'static str,
    offer_id: String,
    provider: String,
    description: String,
    price: Money,
    tax: Money,
    list_price: Money,
    continent: String,
    starts_at: Timestamp,
    ends_on: Date,
    details: serde_json::Value,
    needs: Vec<Need>,
    /// Travellers the item expects, when it is strict about types (flights).
    passengers: Option<Passengers>,
    /// Most travellers the item takes (hotel guests, package places).
    capacity: Option<u32>,
    pnr: bool,
    /// For a real supplier: the offer as it priced it just now, to order.
    supplier: Option<FlightOffer>,
    /// For a real hotel supplier: its quote to book, and the stay as quoted.
    stay: Option<(String, HotelOffer)>,
}

/// The payment provider's idempotency key for a booking's charge attempt (the number of
/// attempts before it): written down with the attempt before it is sent, and sent again
/// unchanged if the attempt is resumed, so the provider can never charge it twice.
fn charge_key(booking_id: &str, attempt: usize) -> String {
    format!("{booking_id}-{attempt}")
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn request_hash(value: &impl serde::Serialize) -> Result<String> {
    Ok(format!(
        "{:016x}",
        crate::geo::word(&serde_json::to_string(value)?)
    ))
}

fn validate_passengers(list: &[PassengerInput], travel: Date, today: Date) -> Result<()> {
    if list.is_empty() {
        return Err(Error::invalid(
            "at least one passenger is needed (--passenger \"Given,Family,YYYY-MM-DD\")",
        ));
    }
    if list.len() > 9 {
        return Err(Error::invalid("at most 9 passengers in one booking"));
    }
    let name_ok = |s: &str| {
        let t = s.trim();
        !t.is_empty()
            && t.chars().count() <= 50
            && t.chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
    };
    for (i, p) in list.iter().enumerate() {
        let who = format!("passenger {}", i + 1);
        if !name_ok(&p.given_name) || !name_ok(&p.family_name) {
            return Err(Error::invalid(format!(
                "{who}: names are 1-50 letters (spaces, hyphens and apostrophes allowed): '{} {}'",
                p.given_name, p.family_name
            )));
        }
        if p.born_on >= today {
            return Err(Error::invalid(format!(
                "{who}: date of birth {} is not in the past",
                p.born_on
            )));
        }
        if p.born_on.year() < today.year() - 120 {
            return Err(Error::invalid(format!(
                "{who}: date of birth {} is implausible",
                p.born_on
            )));
        }
        let age = PassengerType::age_on(p.born_on, travel);
        if PassengerType::of_age(age) != p.kind {
            return Err(Error::invalid(format!(
                "{who} is {age} on {travel} and cannot travel as {} (adult 12+, child 2-11, infant under 2)",
                p.kind.as_str()
            )));
        }
        if let Some(doc) = &p.document
            && (doc.len() < 5 || doc.len() > 20 || !doc.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(Error::invalid(format!(
                "{who}: document number '{doc}' should be 5-20 letters and digits"
            )));
        }
    }
    Ok(())
}

impl LocalAgency {
    /// The same flights priced now, from the sandbox; `None` for other providers (they refresh
    /// their own offers). An error when the sandbox no longer sells them.
    async fn fresh_flight(&self, offer: &FlightOffer) -> Result<Option<FlightOffer>> {
        if let Some(p) = self.order_supplier(&offer.provider) {
            let native = self.refresh_supplier(p.as_ref(), offer).await?;
            return Ok(Some(self.in_currency_of(native, offer)?));
        }
        if offer.provider != crate::providers::sandbox::NAME {
            return Ok(None);
        }
        let req = FlightRequest {
            slices: offer
                .slices
                .iter()
                .map(|s| SliceRequest {
                    origin: vec![s.origin.clone()],
                    destination: vec![s.destination.clone()],
                    date: s.departing_at.date(),
                })
                .collect(),
            passengers: Passengers::from_list(&offer.passengers),
            cabin: offer.cabin_class,
            max_stops: offer.stops() as u8,
            now: self.now(),
        };
        // Only this offer's own itinerary is priced again (as a search would price it now),
        // not every itinerary of the route: two index reads and no search.
        let Some(fresh) = self.sandbox().reprice_blocking(&req, offer)? else {
            return Err(Error::Conflict(format!(
                "sold out: the flights of offer {} have no seats left; search again",
                offer.id
            )));
        };
        Ok(Some(
            self.convert_flight(fresh, Some(offer.price.currency()))?,
        ))
    }

    /// A supplier's offer priced again by the supplier, in its own currency.
    async fn refresh_supplier(
        &self,
        p: &dyn crate::providers::FlightProvider,
        offer: &FlightOffer,
    ) -> Result<FlightOffer> {
        let orders = p.orders().expect("an order supplier");
        orders.refresh(offer).await
    }

    /// A supplier's fresh offer shown as the traveller saw the original: same currency, same id.
    fn in_currency_of(&self, native: FlightOffer, seen: &FlightOffer) -> Result<FlightOffer> {
        let mut f = self.convert_flight(native, Some(seen.price.currency()))?;
        f.id = seen.id.clone();
        Ok(f)
    }

    async fn prepare_flight(&self, offer: FlightOffer) -> Result<Prepared> {
        let (fresh, supplier) = match self.order_supplier(&offer.provider) {
            Some(p) => {
                let native = self.refresh_supplier(p.as_ref(), &offer).await?;
                (
                    Some(self.in_currency_of(native.clone(), &offer)?),
                    Some(native),
                )
            }
            None => {
                super::supplier::refuse_unconfigured(&offer.provider, &offer.id)?;
                (self.fresh_flight(&offer).await?, None)
            }
        };
        let (price, tax, seats) = match &fresh {
            Some(f) => {
                if f.total().minor > offer.total().minor {
                    self.remember_flight_offer(f).await?;
                    return Err(Error::Conflict(format!(
                        "the price of offer {} went up from {} to {}: book the fresh offer {} if it suits",
                        offer.id,
                        offer.total(),
                        f.total(),
                        f.id
                    )));
                }
                (f.total(), f.price.tax, f.available_seats)
            }
            None => (offer.total(), offer.price.tax, offer.available_seats),
        };
        let pax = Passengers::from_list(&offer.passengers);
        // A real supplier holds its own seats: nothing to take here.
        let needs = offer
            .segments()
            .filter(|_| supplier.is_none())
            .map(|s| Need::Seats {
                flight_key: s.flight_key(),
                cabin: offer.cabin_class.as_str().into(),
                dep_date: s.departing_at.date().to_string(),
                capacity: seats.max(pax.seats()),
                quantity: pax.seats(),
            })
            .collect();
        let first = &offer.slices[0];
        let last = offer.slices.last().unwrap_or(first);
        let dest = self
            .network()
            .places
            .airport(&first.destination)
            .map(|a| countries::continent(&a.tz, &a.country))
            .unwrap_or("");
        let route: Vec<String> = offer
            .slices
            .iter()
            .map(|s| format!("{}→{}", s.origin, s.destination))
            .collect();
        let flights: Vec<&str> = offer.segments().map(|s| s.flight_number.as_str()).collect();
        Ok(Prepared {
            kind: "flight",
            offer_id: offer.id.clone(),
            provider: offer.provider.clone(),
            description: format!(
                "{} {} {} ({})",
                route.join(" "),
                first.departing_at.strftime("%a %-d %b %Y"),
                offer.cabin_class.as_str(),
                flights.join(" ")
            ),
            price,
            tax,
            list_price: price,
            continent: dest.to_string(),
            starts_at: first.departing_at.timestamp(),
            ends_on: last.arriving_at.date(),
            details: serde_json::to_value(&offer)?,
            needs,
            passengers: Some(pax),
            capacity: None,
            pnr: supplier.is_none(),
            supplier,
            stay: None,
        })
    }

    async fn prepare_hotel(&self, offer: HotelOffer) -> Result<Prepared> {
        if let Some(p) = self.hotel_supplier(&offer.provider) {
            return self.prepare_stay(p.as_ref(), offer).await;
        }
        super::supplier::refuse_unconfigured(&offer.provider, &offer.id)?;
        self.prepare_hotel_item(offer, None).await
    }

    /// A real supplier's stay: its best rate quoted now, refused if dearer than shown.
    async fn prepare_stay(
        &self,
        p: &dyn crate::providers::HotelProvider,
        offer: HotelOffer,
    ) -> Result<Prepared> {
        let orders = p.orders().expect("a stay supplier");
        let (fresh, quote_id) = orders.quote(&offer).await?;
        let total = self.fx().convert(fresh.total(), offer.total().currency)?;
        if total.minor > offer.total().minor {
            return Err(Error::Conflict(format!(
                "the price of offer {} went up from {} to {}: search again",
                offer.id,
                offer.total(),
                total
            )));
        }
        let mut seen = self.convert_hotel(fresh.clone(), Some(offer.total().currency))?;
        seen.id = offer.id.clone();
        self.prepare_hotel_item(seen, Some((quote_id, fresh))).await
    }

    async fn prepare_hotel_item(
        &self,
        offer: HotelOffer,
        stay: Option<(String, HotelOffer)>,
    ) -> Result<Prepared> {
        let now = self.now();
        let currency = offer.price.total.currency;
        let (price, tax, rooms_left) = if offer.provider == crate::providers::sandbox::NAME {
            let req = HotelRequest {
                city_code: offer.hotel.city_code.clone(),
                check_in: offer.check_in_date,
                check_out: offer.check_out_date,
                guests: offer.guests,
                rooms: offer.rooms,
                now,
                centre: None,
            };
            let sandbox = self.sandbox();
            let found =
                tokio::task::spawn_blocking(move || sandbox.hotels_blocking(&req)).await??;
            let fresh = found
                .into_iter()
                .find(|o| o.hotel.id == offer.hotel.id && o.room_type == offer.room_type)
                .ok_or_else(|| {
                    Error::Conflict(format!(
                        "sold out: {} has no {} left for those nights; search again",
                        offer.hotel.name, offer.room_name
                    ))
                })?;
            let total = self.fx().convert(fresh.total(), currency)?;
            if total.minor > offer.total().minor {
                return Err(Error::Conflict(format!(
                    "the price of offer {} went up from {} to {}: search again",
                    offer.id,
                    offer.total(),
                    total
                )));
            }
            (
                total,
                self.fx().convert(fresh.price.tax, currency)?,
                fresh.available_rooms,
            )
        } else {
            (offer.total(), offer.price.tax, offer.available_rooms)
        };
        let nights =
            crate::providers::sandbox::hotels::nights(offer.check_in_date, offer.check_out_date);
        // A real supplier holds its own rooms.
        let needs = nights
            .iter()
            .filter(|_| stay.is_none())
            .map(|n| Need::Rooms {
                hotel_id: offer.hotel.id.clone(),
                room_type: offer.room_type.clone(),
                night: n.to_string(),
                capacity: rooms_left.max(offer.rooms),
                quantity: offer.rooms,
            })
            .collect();
        let net = self.network();
        let continent = net
            .places
            .city(&offer.hotel.city_code)
            .and_then(|c| c.airports.first())
            .map(|&i| {
                countries::continent(&net.places.airports[i].tz, &net.places.airports[i].country)
            })
            .unwrap_or("");
        let tz = net
            .places
            .city(&offer.hotel.city_code)
            .and_then(|c| c.airports.first())
            .map(|&i| net.places.tz[i].clone())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let starts_at = offer
            .check_in_date
            .at(15, 0, 0, 0)
            .to_zoned(tz)
            .map_err(Error::internal)?
            .timestamp();
        Ok(Prepared {
            kind: "hotel",
            offer_id: offer.id.clone(),
            provider: offer.provider.clone(),
            description: format!(
                "{}, {}, {} night{} from {}",
                offer.hotel.name,
                offer.room_name,
                offer.nights,
                if offer.nights == 1 { "" } else { "s" },
                offer.check_in_date.strftime("%a %-d %b %Y")
            ),
            price,
            tax,
            list_price: price,
            continent: continent.to_string(),
            starts_at,
            ends_on: offer.check_out_date,
            details: serde_json::to_value(&offer)?,
            needs,
            passengers: None,
            capacity: Some(offer.guests),
            pnr: false,
            supplier: None,
            stay,
        })
    }

    fn prepare_package(
        &self,
        conn: &Connection,
        package_id: &str,
        date: Date,
        travellers: u32,
    ) -> Result<Prepared> {
        let net = self.network();
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let detail = packages::get(conn, &net.places, package_id, today)?;
        let dep = detail
            .departures
            .iter()
            .find(|d| d.date == date)
            .ok_or_else(|| {
                let dates: Vec<String> = detail
                    .departures
                    .iter()
                    .filter(|d| d.slots_left > 0)
                    .take(6)
                    .map(|d| d.date.to_string())
                    .collect();
                Error::invalid_with(
                    format!("{} has no departure on {date}", detail.summary.id),
                    dates,
                )
            })?;
        if dep.slots_left < travellers {
            return Err(Error::Conflict(format!(
                "sold out: {} has {} place(s) left on {date}, {travellers} asked",
                detail.summary.id, dep.slots_left
            )));
        }
        let n = i64::from(travellers);
        let price = Money::new(dep.price.minor * n, dep.price.currency);
        let list = Money::new(dep.list_price.minor * n, dep.price.currency);
        let ends = date
            .checked_add(i64::from(detail.summary.duration_days.saturating_sub(1)).days())
            .unwrap_or(date);
        Ok(Prepared {
            kind: "package",
            offer_id: detail.summary.id.clone(),
            provider: "sandbox".into(),
            description: format!(
                "{}, {} days from {}",
                detail.summary.title,
                detail.summary.duration_days,
                date.strftime("%a %-d %b %Y")
            ),
            price,
            tax: Money::zero(price.currency),
            list_price: list,
            continent: detail.summary.continent.clone(),
            starts_at: date
                .at(9, 0, 0, 0)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(Error::internal)?
                .timestamp(),
            ends_on: ends,
            details: serde_json::json!({"package": detail.summary, "date": date, "price_per_person": dep.price, "itinerary": detail.itinerary}),
            needs: vec![Need::Slots {
                package_id: detail.summary.id.clone(),
                date: date.to_string(),
                quantity: travellers,
            }],
            passengers: None,
            capacity: None,
            pnr: false,
            supplier: None,
            stay: None,
        })
    }

    async fn remember_flight_offer(&self, offer: &FlightOffer) -> Result<()> {
        let store = self.store().clone();
        let row = (
            offer.id.clone(),
            offer.provider.clone(),
            serde_json::to_string(offer)?,
            offer.expires_at.as_second(),
        );
        let now = self.now().as_second();
        tokio::task::spawn_blocking(move || {
            store::save_offers(&mut *store.conn()?, "flight", &[row], now)
        })
        .await?
    }

    /// Creates a booking: re-prices every item, checks passengers and points, takes the
    /// inventory and writes the booking in one transaction, then charges the card if given.
    pub async fn create_booking_as(&self, user: &str, req: BookingRequest) -> Result<Booking> {
        let hash = request_hash(&(&req, req.payment.card.as_ref().map(Card::fingerprint)))?;
        let key = req.idempotency_key.clone();
        let now = self.now().as_second();
        match idempotency::begin(
            self.store(),
            "create",
            user,
            key.as_deref(),
            &hash,
            None,
            now,
        )? {
            Begun::Unkeyed => self.create_inner(user, req, None).await,
            Begun::Replay(answer) => *answer,
            Begun::Fresh(claim) => {
                let outcome = self.create_inner(user, req, Some(&claim)).await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
            // The booking was written (and perhaps paid) before the first request died:
            // finish paying it with the card of this retry, or show it as it is.
            Begun::Resume(claim, booking_id) => {
                let outcome = self
                    .resume_payment(user, &booking_id, req.payment.card.as_ref())
                    .await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
        }
    }

    async fn create_inner(
        &self,
        user: &str,
        req: BookingRequest,
        claim: Option<&Claim>,
    ) -> Result<Booking> {
        self.sweep()?;
        if req.items.is_empty() {
            return Err(Error::invalid(
                "nothing to book: give an offer id or a package",
            ));
        }
        let email = req.contact_email.trim();
        let at = email.find('@');
        if !matches!(at, Some(i) if i > 0 && email[i + 1..].contains('.') && !email.contains(' ')) {
            return Err(Error::invalid(format!(
                "'{}' is not an email address",
                req.contact_email
            )));
        }
        let now = self.now();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        if let Some(card) = &req.payment.card {
            card.validate(today)?;
        }
        // Offers first (async re-pricing), packages inside the transaction below.
        let mut prepared: Vec<Prepared> = Vec::new();
        let mut package_items: Vec<(String, Date)> = Vec::new();
        for item in &req.items {
            match item {
                ItemRequest::Offer { offer_id } => {
                    let stored = {
                        let conn = self.store().conn()?;
                        store::load_offer(&conn, offer_id)?
                    };
                    let (kind, payload, expires) = stored.ok_or_else(|| {
                        Error::NotFound(format!(
                            "no offer {offer_id}: offers come from a search and last 30 minutes"
                        ))
                    })?;
                    if expires < now.as_second() {
                        return Err(self.expired(offer_id, &kind, &payload, expires).await);
                    }
                    prepared.push(match kind.as_str() {
                        "flight" => self.prepare_flight(serde_json::from_str(&payload)?).await?,
                        _ => self.prepare_hotel(serde_json::from_str(&payload)?).await?,
                    });
                }
                ItemRequest::Package { package_id, date } => {
                    package_items.push((package_id.clone(), *date))
                }
            }
        }
        if prepared.iter().filter(|p| p.kind == "flight").count() > 1 {
            return Err(Error::invalid(
                "one flight offer per booking: a round trip is already one offer",
            ));
        }
        let travel = prepared
            .iter()
            .map(|p| p.starts_at)
            .chain(package_items.iter().map(|(_, d)| {
                d.at(9, 0, 0, 0)
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map(|z| z.timestamp())
                    .unwrap_or(now)
            }));
        let first_travel = travel
            .min()
            .unwrap_or(now)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        validate_passengers(&req.passengers, first_travel, today)?;
        let pax = Passengers {
            adults: req
                .passengers
                .iter()
                .filter(|p| p.kind == PassengerType::Adult)
                .count() as u8,
            children: req
                .passengers
                .iter()
                .filter(|p| p.kind == PassengerType::Child)
                .count() as u8,
            infants: req
                .passengers
                .iter()
                .filter(|p| p.kind == PassengerType::Infant)
                .count() as u8,
        };
        for p in &prepared {
            if let Some(expected) = p.passengers
                && expected != pax
            {
                return Err(Error::invalid(format!(
                    "offer {} is for {} adult(s), {} child(ren), {} infant(s) but {} adult(s), {} child(ren), {} infant(s) were given",
                    p.offer_id,
                    expected.adults,
                    expected.children,
                    expected.infants,
                    pax.adults,
                    pax.children,
                    pax.infants
                )));
            }
            if let Some(cap) = p.capacity
                && pax.total() > cap
            {
                return Err(Error::invalid(format!(
                    "offer {} is for {cap} guest(s), {} given",
                    p.offer_id,
                    pax.total()
                )));
            }
        }
        if pax.adults == 0 {
            return Err(Error::invalid("at least one adult must travel"));
        }
        for p in &prepared {
            if p.supplier.is_some()
                && let Some(s) = self.order_supplier(&p.provider)
            {
                s.orders()
                    .expect("an order supplier")
                    .check_travellers(&req.passengers, req.contact_phone.as_deref())?;
            }
            if p.stay.is_some()
                && let Some(s) = self.hotel_supplier(&p.provider)
            {
                s.orders()
                    .expect("a stay supplier")
                    .check_guests(&req.passengers, req.contact_phone.as_deref())?;
            }
        }
        let with_supplier = prepared
            .iter()
            .any(|p| p.supplier.is_some() || p.stay.is_some());

        let booking_id = crate::ids::new("bkg");
        let settled_now = {
            let mut conn = self.store().conn()?;
            let _writer = self.store().write_lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for (package_id, date) in &package_items {
                prepared.push(self.prepare_package(&tx, package_id, *date, pax.total())?);
            }
            let currency = prepared[0].price.currency;
            if prepared.iter().any(|p| p.price.currency != currency) {
                return Err(Error::invalid(
                    "the items are priced in different currencies: search them with the same --currency",
                ));
            }
            let total: i64 = prepared.iter().map(|p| p.price.minor).sum();
            let tax: i64 = prepared.iter().map(|p| p.tax.minor).sum();
            let list_total: i64 = prepared.iter().map(|p| p.list_price.minor).sum();
            let points = req.payment.points;
            let points_value = self.points_value(points, Money::new(total, currency), user, &tx)?;
            let amount_due = total - points_value.minor;
            let starts_on = prepared
                .iter()
                .map(|p| p.starts_at)
                .min()
                .unwrap_or(now)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date();
            let ends_on = prepared
                .iter()
                .map(|p| p.ends_on)
                .max()
                .unwrap_or(starts_on);
            let mut code = String::new();
            for attempt in 0..8u64 {
                code =
                    crate::ids::code(crate::geo::hash(&[crate::geo::word(&booking_id), attempt]));
                let taken: bool = tx
                    .prepare_cached("SELECT 1 FROM bookings WHERE confirmation_code = ?1")?
                    .query_row([&code], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !taken {
                    break;
                }
            }
            let nows = now.as_second();
            tx.prepare_cached("INSERT INTO bookings(id, user_id, status, confirmation_code, contact_email, currency, total, list_total,
                     points_redeemed, points_value, amount_due, starts_on, ends_on, created_at, updated_at)
                 VALUES (?1, ?2, 'PENDING', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)")?.execute(
                params![booking_id, user, code, email, currency.as_str(), total, list_total, points, points_value.minor, amount_due,
                    starts_on.to_string(), ends_on.to_string(), nows],
            )?;
            state::created(&tx, &booking_id, user, nows)?;
            let _ = tax;
            for (i, p) in prepared.iter().enumerate() {
                let reference = p.pnr.then(|| {
                    crate::ids::code(crate::geo::hash(&[
                        crate::geo::word(&booking_id),
                        i as u64,
                        7,
                    ]))
                });
                tx.prepare_cached("INSERT INTO booking_items(booking_id, seq, kind, offer_id, provider, reference, description, price, tax,
                         list_price, continent, starts_at, payload)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")?.execute(
                    params![booking_id, i as i64 + 1, p.kind, p.offer_id, p.provider, reference, p.description, p.price.minor,
                        p.tax.minor, p.list_price.minor, p.continent, p.starts_at.as_second(), p.details.to_string()],
                )?;
                inventory::take(&tx, &booking_id, &p.needs)?;
                if let Some(offer) = &p.supplier {
                    super::supplier::record_intent(
                        &tx,
                        &booking_id,
                        i as i64 + 1,
                        "flight",
                        &offer.provider,
                        offer.supplier_offer_id.as_deref().unwrap_or(&offer.id),
                        &serde_json::to_string(offer)?,
                        nows,
                    )?;
                }
                if let Some((quote_id, offer)) = &p.stay {
                    super::supplier::record_intent(
                        &tx,
                        &booking_id,
                        i as i64 + 1,
                        "hotel",
                        &offer.provider,
                        quote_id,
                        &serde_json::to_string(offer)?,
                        nows,
                    )?;
                }
            }
            for (i, p) in req.passengers.iter().enumerate() {
                tx.prepare_cached("INSERT INTO booking_passengers(booking_id, seq, given_name, family_name, born_on, type, document)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
                    params![booking_id, i as i64 + 1, p.given_name.trim(), p.family_name.trim(), p.born_on.to_string(), p.kind.as_str(), p.document],
                )?;
            }
            if points > 0 {
                points::record(
                    &tx,
                    user,
                    "REDEEMED",
                    0,
                    -points,
                    Some(&booking_id),
                    "paid part of a booking",
                    nows,
                )?;
            }
            // An in-process provider (the sandbox) answers at once: charge inside this same
            // transaction, so a booking is created, paid and confirmed in one commit.
            let mut settled = None;
            if let Some(card) = &req.payment.card
                && !with_supplier
                && let Some(outcome) = self.payments().charge_now(
                    Money::new(amount_due, currency),
                    card,
                    &charge_key(&booking_id, 0),
                )
            {
                let (amount, _, payment_id) =
                    self.start_charge(&tx, user, &booking_id, card, nows)?;
                settled =
                    Some(self.settle(&tx, user, &booking_id, &payment_id, amount, outcome)?);
            }
            if let Some(claim) = claim {
                claim.attach(&tx, &booking_id)?;
            }
            tx.commit()?;
            crate::faults::step("booking.committed");
            settled
        };
        self.invalidate_caches();
        // A supplier that has not answered yet leaves the booking PENDING (and uncharged)
        // rather than failing it: a retry under the same idempotency key gets this booking
        // back instead of ordering twice.
        if with_supplier
            && !self
                .place_supplier_orders(
                    &booking_id,
                    &req.passengers,
                    email,
                    req.contact_phone.as_deref(),
                    req.payment.card.is_none(),
                )
                .await?
        {
            return load(&*self.store().conn()?, user, &booking_id);
        }
        if let Some(settled) = settled_now {
            return self.after_settle(user, &booking_id, settled).await;
        }
        match req.payment.card {
            Some(card) => self.charge(user, &booking_id, &card).await,
            None => {
                let conn = self.store().conn()?;
                load(&conn, user, &booking_id)
            }
        }
    }

    /// An expired offer: say when, and quote a fresh price for the same travel when one exists.
    async fn expired(&self, offer_id: &str, kind: &str, payload: &str, expires: i64) -> Error {
        let when = ts(expires);
        if kind == "flight"
            && let Ok(offer) = serde_json::from_str::<FlightOffer>(payload)
        {
            return match self.fresh_flight(&offer).await {
                Ok(Some(fresh)) => match self.remember_flight_offer(&fresh).await {
                    Ok(()) => Error::Conflict(format!(
                        "offer {offer_id} expired at {when}; the same flights cost {} now: book offer {}",
                        fresh.total(),
                        fresh.id
                    )),
                    Err(e) => e,
                },
                Ok(None) => Error::Conflict(format!(
                    "offer {offer_id} expired at {when}; search again for a fresh price"
                )),
                Err(_) => Error::Conflict(format!(
                    "offer {offer_id} expired at {when} and those flights are sold out; search again"
                )),
            };
        }
        Error::Conflict(format!(
            "offer {offer_id} expired at {when}; search again for a fresh price"
        ))
    }

    /// Checks a points redemption and returns what it pays.
    fn points_value(
        &self,
        points: i64,
        total: Money,
        user: &str,
        conn: &Connection,
    ) -> Result<Money> {
        if points == 0 {
            return Ok(Money::zero(total.currency));
        }
        if points < 0 {
            return Err(Error::invalid("points cannot be negative"));
        }
        if points < MIN_POINTS_REDEMPTION {
            return Err(Error::invalid(format!(
                "redeem at least {MIN_POINTS_REDEMPTION} points"
            )));
        }
        let available = points::balance(conn, user)?.available;
        if points > available {
            return Err(Error::invalid(format!(
                "you have {available} points available, not {points}"
            )));
        }
        let eur = Money::eur(points * 100 / POINTS_PER_EUR);
        let value = self.fx().convert(eur, total.currency)?;
        let cap = total.mul_ratio(MAX_POINTS_SHARE_PERCENT, 100);
        if value.minor > cap.minor {
            let most = self.fx().convert(cap, Currency::EUR)?.minor * POINTS_PER_EUR / 100;
            return Err(Error::invalid(format!(
                "{points} points are worth {value}, more than half of {total}: use at most {most} points"
            )));
        }
        Ok(value)
    }

    /// Charges the card for a PENDING booking and moves it on. The provider is called outside
    /// any transaction (a real card network may take seconds); the moves on either side are
    /// transactions of their own.
    async fn charge(&self, user: &str, booking_id: &str, card: &Card) -> Result<Booking> {
        // Orders held unpaid must still be held at the same price before the card is charged.
        self.check_held_orders(booking_id).await?;
        let now = self.now().as_second();
        let (amount, attempt, payment_id) = {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let started = self.start_charge(&tx, user, booking_id, card, now)?;
            tx.commit()?;
            started
        };
        crate::faults::step("charge.started");
        self.send_charge(
            user,
            booking_id,
            &payment_id,
            amount,
            card,
            &charge_key(booking_id, attempt),
        )
        .await
    }

    /// Sends a started charge attempt to the payment provider under its idempotency key and
    /// settles what it answers. Sending the same attempt again (after a crash) is safe: the
    /// provider answers a key it has seen with the first outcome, never a second charge.
    async fn send_charge(
        &self,
        user: &str,
        booking_id: &str,
        payment_id: &str,
        amount: Money,
        card: &Card,
        provider_key: &str,
    ) -> Result<Booking> {
        let outcome = self.payments().charge(amount, card, provider_key).await;
        crate::faults::step("charge.answered");
        let settled = {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let settled = self.settle(&tx, user, booking_id, payment_id, amount, outcome)?;
            tx.commit()?;
            settled
        };
        crate::faults::step("charge.settled");
        let booking = self.after_settle(user, booking_id, settled).await?;
        self.after_paid(user, booking).await
    }

    /// Carries on a payment whose request died half-way, under the same idempotency key:
    /// a PENDING booking is charged (nothing reached the provider); a charge attempt that was
    /// sent but never settled is sent again under its own provider key, so the provider
    /// answers with the first outcome instead of charging twice; anything else is shown as
    /// it stands. Without a card (a booking made to pay later), the booking as it stands.
    async fn resume_payment(
        &self,
        user: &str,
        booking_id: &str,
        card: Option<&Card>,
    ) -> Result<Booking> {
        let conn = self.store().conn()?;
        let booking = load(&conn, user, booking_id)?;
        let Some(card) = card else {
            return Ok(booking);
        };
        match booking.status {
            BookingStatus::Pending => {
                drop(conn);
                self.charge(user, booking_id, card).await
            }
            BookingStatus::PaymentProcessing => {
                let unsettled: Option<(String, i64, String, String)> = conn
                    .prepare_cached("SELECT id, amount, currency, provider_key FROM payments WHERE booking_id = ?1 AND status = 'processing' AND provider_key IS NOT NULL ORDER BY created_at DESC LIMIT 1")?
                    .query_row([booking_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?;
                drop(conn);
                match unsettled {
                    Some((payment_id, amount, currency, key)) => {
                        let amount = Money::new(amount, Currency::parse(&currency)?);
                        self.send_charge(user, booking_id, &payment_id, amount, card, &key)
                            .await
                    }
                    None => Ok(booking),
                }
            }
            _ => Ok(booking),
        }
    }

    /// A booking just paid: its held supplier orders are paid now (what fails is retried by
    /// `reconcile_suppliers` and shown in `next_action`).
    async fn after_paid(&self, user: &str, booking: Booking) -> Result<Booking> {
        if booking.status != BookingStatus::Confirmed {
            return Ok(booking);
        }
        if self.pay_held_orders(&booking.id).await.is_empty() {
            self.invalidate_caches();
        }
        load(&*self.store().conn()?, user, &booking.id)
    }

    /// PENDING -> PAYMENT_PROCESSING, and the attempt written down (status `processing`,
    /// with the provider key it will be sent under) before anything is sent; returns the
    /// amount to charge, the attempt number and the attempt's payment id.
    fn start_charge(
        &self,
        tx: &Connection,
        user: &str,
        booking_id: &str,
        card: &Card,
        now: i64,
    ) -> Result<(Money, usize, String)> {
        let row: Option<(String, i64, String, i64)> = tx
            .prepare_cached("SELECT status, amount_due, currency, (SELECT count(*) FROM payments p WHERE p.booking_id = b.id)
                 FROM bookings b WHERE id = ?1 AND user_id = ?2")?
            .query_row(
                params![booking_id, user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (status, due, currency, attempts) =
            row.ok_or_else(|| Error::NotFound(format!("no booking {booking_id}")))?;
        let status = BookingStatus::parse(&status)?;
        if status != BookingStatus::Pending {
            return Err(Error::Conflict(format!(
                "booking {booking_id} is {status}: only a PENDING booking can be paid"
            )));
        }
        state::transition(
            tx,
            booking_id,
            BookingStatus::PaymentProcessing,
            "charging the card",
            now,
        )?;
        let amount = Money::new(due, Currency::parse(&currency)?);
        let attempt = attempts as usize;
        let payment_id = crate::ids::new("pay");
        tx.prepare_cached("INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at, provider_key)
             VALUES (?1, ?2, ?3, 'card', 'processing', ?4, ?5, ?6, ?7, NULL, NULL, ?8, ?9)")?.execute(
            params![payment_id, booking_id, self.payments().name(), amount.minor, amount.currency.as_str(),
                card.brand(), card.last4(), now, charge_key(booking_id, attempt)],
        )?;
        Ok((amount, attempt, payment_id))
    }

    /// Records a charge's outcome and moves the booking on, inside the caller's transaction.
    /// Database errors come back as `Err` (the caller must not commit); what the card did
    /// comes back as a `Settled` for the caller to act on once it has committed.
    fn settle(
        &self,
        tx: &Connection,
        user: &str,
        booking_id: &str,
        payment_id: &str,
        amount: Money,
        outcome: Result<ChargeOutcome>,
    ) -> Result<Settled> {
        let now = self.now().as_second();
        let record = |status: &str, reference: Option<&str>, message: Option<&str>| -> Result<()> {
            tx.prepare_cached("UPDATE payments SET status = ?2, provider_ref = ?3, message = ?4 WHERE id = ?1 AND status = 'processing'")?
                .execute(params![payment_id, status, reference, message])?;
            Ok(())
        };
        // The booking may have moved on while the card network answered (cancelled by its
        // traveller, or lapsed): then a successful charge must be given back.
        let status: String = tx
            .prepare_cached("SELECT status FROM bookings WHERE id = ?1")?
            .query_row([booking_id], |r| r.get(0))?;
        let waiting = BookingStatus::parse(&status)? == BookingStatus::PaymentProcessing;
        Ok(match outcome {
            Ok(ChargeOutcome::Succeeded { reference }) if waiting => {
                record("succeeded", Some(&reference), None)?;
                self.confirm_paid(tx, user, booking_id, now)?;
                Settled::Done
            }
            Ok(ChargeOutcome::Succeeded { reference }) => {
                record(
                    "refunded",
                    Some(&reference),
                    Some("the booking was no longer waiting for this payment"),
                )?;
                Settled::Orphaned { reference, amount }
            }
            Ok(ChargeOutcome::RequiresAction { reference }) => {
                record(
                    "requires_action",
                    Some(&reference),
                    Some("the bank asks the cardholder to confirm"),
                )?;
                Settled::Done
            }
            Ok(ChargeOutcome::Declined { reason }) => {
                record("failed", None, Some(&reason))?;
                if waiting {
                    self.cancel_in(
                        tx,
                        user,
                        booking_id,
                        &format!("payment declined: {reason}"),
                        now,
                    )?;
                }
                Settled::Failed(Error::Conflict(format!(
                    "payment declined ({reason}): booking {booking_id} is cancelled and its seats released; book again with another card"
                )))
            }
            Err(e) => {
                record("failed", None, Some(&e.to_string()))?;
                if waiting {
                    state::transition(
                        tx,
                        booking_id,
                        BookingStatus::Pending,
                        "payment provider error",
                        now,
                    )?;
                }
                Settled::Failed(Error::Conflict(format!(
                    "the payment did not go through ({e}); booking {booking_id} is PENDING: retry with `booksygo bookings pay {booking_id}`"
                )))
            }
        })
    }

    /// Acts on a settled charge after its transaction committed.
    async fn after_settle(
        &self,
        user: &str,
        booking_id: &str,
        settled: Settled,
    ) -> Result<Booking> {
        match settled {
            Settled::Done => load(&*self.store().conn()?, user, booking_id),
            Settled::Failed(e) => Err(e),
            Settled::Orphaned { reference, amount } => {
                self.payments()
                    .refund(
                        &reference,
                        amount,
                        &format!("{booking_id}-orphan-{reference}"),
                    )
                    .await?;
                let conn = self.store().conn()?;
                conn.prepare_cached("INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at) VALUES (?1, ?2, NULL, ?3, ?4, 'succeeded', ?5)")?.execute(
                    params![crate::ids::new("ref"), booking_id, amount.minor, amount.currency.as_str(), self.now().as_second()],
                )?;
                Err(Error::Conflict(format!(
                    "booking {booking_id} stopped waiting for payment while the card was charged: the charge of {amount} is refunded"
                )))
            }
        }
    }

    pub(crate) fn confirm_paid(
        &self,
        tx: &Connection,
        user: &str,
        booking_id: &str,
        now: i64,
    ) -> Result<()> {
        events::emit(
            tx,
            "booking.payment_completed",
            booking_id,
            Some(user),
            &serde_json::json!({"booking_id": booking_id}),
            now,
        )?;
        state::transition(
            tx,
            booking_id,
            BookingStatus::Confirmed,
            "payment received",
            now,
        )?;
        points::on_confirmed(tx, user, booking_id, now)
    }

    /// Cancels inside a transaction: status, inventory, points. Money is the caller's.
    pub(crate) fn cancel_in(
        &self,
        tx: &Connection,
        user: &str,
        booking_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<(i64, i64)> {
        state::transition(tx, booking_id, BookingStatus::Cancelled, reason, now)?;
        inventory::release(tx, booking_id)?;
        super::supplier::mark_cancelling(tx, booking_id, now)?;
        points::on_cancelled(tx, user, booking_id, now)
    }

    pub async fn pay_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        card: Card,
        key: Option<String>,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let hash = request_hash(&(booking_id, card.fingerprint()))?;
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        card.validate(today)?;
        self.sweep()?;
        let now = self.now().as_second();
        let begun = idempotency::begin(
            self.store(),
            "pay",
            user,
            key.as_deref(),
            &hash,
            Some(booking_id),
            now,
        )?;
        match begun {
            Begun::Unkeyed => self.charge(user, booking_id, &card).await,
            Begun::Replay(answer) => *answer,
            Begun::Fresh(claim) => {
                let outcome = self.charge(user, booking_id, &card).await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
            Begun::Resume(claim, _) => {
                let outcome = self.resume_payment(user, booking_id, Some(&card)).await;
                idempotency::finish(self.store(), &claim, &outcome);
                outcome
            }
        }
    }

    /// Finishes a payment that required the cardholder's confirmation.
    pub async fn confirm_payment_as(&self, user: &str, booking_id: &str) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let reference = {
            let conn = self.store().conn()?;
            let b = load(&conn, user, booking_id)?;
            if b.status != BookingStatus::PaymentProcessing {
                return Err(Error::Conflict(format!(
                    "booking {booking_id} is {}: there is no payment waiting for confirmation",
                    b.status
                )));
            }
            conn.prepare_cached("SELECT provider_ref FROM payments WHERE booking_id = ?1 AND status = 'requires_action' ORDER BY created_at DESC LIMIT 1")?.query_row(
                [booking_id],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| Error::Conflict(format!("booking {booking_id} has no payment waiting for confirmation")))?
        };
        let outcome = self.payments().confirm(&reference).await?;
        let booking = {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = self.now().as_second();
            match outcome {
                ChargeOutcome::Succeeded { .. } => {
                    tx.prepare_cached("UPDATE payments SET status = 'succeeded' WHERE provider_ref = ?1 AND booking_id = ?2")?.execute(params![reference, booking_id])?;
                    self.confirm_paid(&tx, user, booking_id, now)?;
                }
                ChargeOutcome::Declined { reason } => {
                    tx.prepare_cached("UPDATE payments SET status = 'failed', message = ?3 WHERE provider_ref = ?1 AND booking_id = ?2")?.execute(params![reference, booking_id, reason])?;
                    self.cancel_in(
                        &tx,
                        user,
                        booking_id,
                        &format!("payment declined: {reason}"),
                        now,
                    )?;
                }
                ChargeOutcome::RequiresAction { .. } => {}
            }
            tx.commit()?;
            load(&conn, user, booking_id)?
        };
        self.after_paid(user, booking).await
    }

    /// What cancelling would refund, by the fare rules of each item.
    pub fn quote_cancel_as(&self, user: &str, booking_id: &str) -> Result<RefundQuote> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let conn = self.store().conn()?;
        quote(&conn, user, booking_id, self.now(), self.fx())
    }

    pub async fn cancel_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        key: Option<String>,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        let hash = request_hash(&booking_id)?;
        let now = self.now().as_second();
        let begun = idempotency::begin(
            self.store(),
            "cancel",
            user,
            key.as_deref(),
            &hash,
            Some(booking_id),
            now,
        )?;
        let claim = match begun {
            Begun::Unkeyed => return self.cancel_inner(user, booking_id).await,
            Begun::Replay(answer) => return *answer,
            Begun::Fresh(claim) | Begun::Resume(claim, _) => claim,
        };
        // Resumed, a cancellation that already went through is shown with its refunds paid
        // out; one that did not is made now.
        let status = load(&*self.store().conn()?, user, booking_id)?.status;
        let outcome = if matches!(status, BookingStatus::Cancelled | BookingStatus::Refunded) {
            self.pay_out_refunds().await;
            load(&*self.store().conn()?, user, booking_id)
        } else {
            self.cancel_inner(user, booking_id).await
        };
        idempotency::finish(self.store(), &claim, &outcome);
        outcome
    }

    async fn cancel_inner(&self, user: &str, booking_id: &str) -> Result<Booking> {
        let now = self.now();
        // A booking that can be cancelled here has its supplier orders cancelled first:
        // if the airline refuses, nothing changes.
        quote(&*self.store().conn()?, user, booking_id, now, self.fx())?;
        self.cancel_supplier_orders(booking_id).await?;
        {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let q = quote(&tx, user, booking_id, now, self.fx())?;
            self.cancel_in(
                &tx,
                user,
                booking_id,
                "cancelled by the traveller",
                now.as_second(),
            )?;
            let payment_id: Option<String> = tx
                .prepare_cached("SELECT id FROM payments WHERE booking_id = ?1 AND status = 'succeeded' AND method = 'card' LIMIT 1")?
                .query_row(
                    [booking_id],
                    |r| r.get(0),
                )
                .optional()?;
            // The refund is owed from this moment: it is written down with the cancellation
            // and paid out below, or by a later retry if the card network is down.
            if let (Some(payment_id), true) = (payment_id, q.refund.minor > 0) {
                tx.prepare_cached("INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)")?.execute(
                    params![crate::ids::new("ref"), booking_id, payment_id, q.refund.minor, q.refund.currency.as_str(), now.as_second()],
                )?;
            }
            tx.commit()?;
        }
        crate::faults::step("cancel.committed");
        self.invalidate_caches();
        self.pay_out_refunds().await;
        let conn = self.store().conn()?;
        load(&conn, user, booking_id)
    }

    /// Pays every refund still owed. Failures stay owed and are retried on the next call
    /// (cancellations and booking reads call this), so no refund is forgotten.
    pub async fn pay_out_refunds(&self) {
        for problem in self.reconcile_suppliers().await {
            eprintln!("warning: {problem}");
        }
        self.abandon_waiting_charges().await;
        let owed: Vec<(String, String, String, i64, String)> =
            match self.store().conn().and_then(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT r.id, r.booking_id, p.provider_ref, r.amount, r.currency FROM refunds r
                 JOIN payments p ON p.id = r.payment_id WHERE r.status = 'pending'",
                )?;
                let rows = stmt.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }) {
                Ok(rows) => rows,
                Err(_) => return,
            };
        for (refund_id, booking_id, reference, amount, currency) in owed {
            let Ok(currency) = Currency::parse(&currency) else {
                continue;
            };
            let Ok(done) = self
                .payments()
                .refund(&reference, Money::new(amount, currency), &refund_id)
                .await
            else {
                continue;
            };
            let result = (|| -> Result<()> {
                let mut conn = self.store().conn()?;
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let n = tx.prepare_cached("UPDATE refunds SET status = 'succeeded' WHERE id = ?1 AND status = 'pending'")?.execute(
                    [&refund_id],
                )?;
                if n == 1 {
                    tx.prepare_cached(
                        "UPDATE bookings SET refunded = refunded + ?2 WHERE id = ?1",
                    )?
                    .execute(params![booking_id, amount])?;
                    let status: String = tx
                        .prepare_cached("SELECT status FROM bookings WHERE id = ?1")?
                        .query_row([&booking_id], |r| r.get(0))?;
                    if status == BookingStatus::Cancelled.as_str() {
                        state::transition(
                            &tx,
                            &booking_id,
                            BookingStatus::Refunded,
                            &format!("refund {done} settled"),
                            self.now().as_second(),
                        )?;
                    }
                }
                tx.commit()?;
                Ok(())
            })();
            if let Err(e) = result {
                eprintln!("warning: refund {refund_id} was paid but not recorded: {e}");
            }
        }
    }

    /// Charges still waiting for the cardholder (3-D Secure) on bookings that were cancelled
    /// meanwhile are cancelled with the provider, so they can never complete later.
    async fn abandon_waiting_charges(&self) {
        let waiting: Vec<(String, String)> = match self.store().conn().and_then(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT p.id, p.provider_ref FROM payments p JOIN bookings b ON b.id = p.booking_id
                 WHERE p.status = 'requires_action' AND p.provider_ref IS NOT NULL AND b.status IN ('CANCELLED', 'REFUNDED')",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        }) {
            Ok(rows) => rows,
            Err(_) => return,
        };
        for (payment_id, reference) in waiting {
            if self.payments().cancel(&reference).await.is_ok()
                && let Ok(conn) = self.store().conn()
            {
                let _ = conn.execute(
                    "UPDATE payments SET status = 'canceled', message = 'abandoned: the booking was cancelled' WHERE id = ?1 AND status = 'requires_action'",
                    [&payment_id],
                );
            }
        }
    }

    /// Housekeeping before reads and writes: lapse PENDING bookings whose hold expired, and
    /// complete CONFIRMED bookings whose trip has ended.
    pub fn sweep(&self) -> Result<()> {
        let now = self.now();
        let nows = now.as_second();
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
        let mut conn = self.store().conn()?;
        // Two index range scans (status, created_at) rather than one scan of every booking.
        let mut lapsed: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'PENDING' AND created_at < ?1",
            )?
            .query_map([nows - PENDING_HOLD_SECONDS], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let interrupted: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings b WHERE status = 'PAYMENT_PROCESSING' AND updated_at < ?1
                 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded')
                 AND (updated_at < ?2 OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'requires_action'))",
            )?
            // A charge cut short lapses after the hold; one waiting for the cardholder's
            // confirmation (3-D Secure) gets a day.
            .query_map([nows - PENDING_HOLD_SECONDS, nows - ACTION_HOLD_SECONDS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        lapsed.extend(interrupted);
        // A held supplier order is released at its supplier's deadline, which may come first.
        let released: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT b.id, b.user_id FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
                 WHERE s.held = 1 AND s.status = 'confirmed' AND s.payment_required_by < ?1 AND b.status = 'PENDING' AND b.created_at >= ?2",
            )?
            .query_map([nows, nows - PENDING_HOLD_SECONDS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        lapsed.extend(released);
        let ended: Vec<(String, String)> = conn
            .prepare_cached(
                "SELECT id, user_id FROM bookings WHERE status = 'CONFIRMED' AND ends_on < ?1",
            )?
            .query_map([&today], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if lapsed.is_empty() && ended.is_empty() {
            return Ok(());
        }
        let _writer = self.store().write_lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, user) in lapsed {
            // Another process may have moved it meanwhile: transition refuses stale moves.
            match self.cancel_in(&tx, &user, &id, "not paid in time", nows) {
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for (id, user) in ended {
            if state::transition(&tx, &id, BookingStatus::Completed, "trip ended", nows).is_ok() {
                points::on_completed(&tx, &user, &id, nows)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A booking id from an id or a confirmation code the traveller owns.
    pub fn resolve_id(&self, user: &str, id: &str) -> Result<String> {
        self.store()
            .conn()?
            .query_row("SELECT id FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2", params![id, user], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no booking {id}")))
    }

    pub fn get_booking_as(&self, user: &str, id: &str) -> Result<Booking> {
        self.sweep()?;
        let conn = self.store().conn()?;
        load(&conn, user, id)
    }

    pub fn list_bookings_as(
        &self,
        user: &str,
        status: Option<BookingStatus>,
    ) -> Result<Vec<Booking>> {
        self.sweep()?;
        let conn = self.store().conn()?;
        let ids: Vec<String> = conn
            .prepare_cached("SELECT id FROM bookings WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY starts_on, created_at, rowid")?
            .query_map(params![user, status.map(|s| s.as_str())], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| load(&conn, user, id)).collect()
    }
}

/// The booking holding payment `payment_id`, if the user owns it (else "not found").
pub fn booking_of_payment(conn: &Connection, user: &str, payment_id: &str) -> Result<Booking> {
    let booking: Option<String> = conn
        .prepare_cached(
            "SELECT p.booking_id FROM payments p JOIN bookings b ON b.id = p.booking_id
             WHERE p.id = ?1 AND b.user_id = ?2",
        )?
        .query_row(params![payment_id, user], |r| r.get(0))
        .optional()?;
    let booking = booking.ok_or_else(|| Error::NotFound(format!("no payment {payment_id}")))?;
    load(conn, user, &booking)
}

/// Reads a booking the user owns; another user's booking is "not found", never "forbidden".
pub fn load(conn: &Connection, user: &str, id: &str) -> Result<Booking> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
        String,
        i64,
        i64,
    );
    let row: Option<Row> = conn
        .prepare_cached("SELECT status, confirmation_code, contact_email, currency, total, list_total, points_redeemed, points_value,
                    amount_due, refunded, starts_on, ends_on, created_at, updated_at
             FROM bookings WHERE (id = ?1 OR confirmation_code = ?1) AND user_id = ?2")?
        .query_row(
            params![id, user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?)),
        )
        .optional()?;
    let (
        status,
        code,
        email,
        currency,
        total,
        list_total,
        points,
        points_value,
        due,
        refunded,
        starts,
        ends,
        created,
        updated,
    ) = row.ok_or_else(|| Error::NotFound(format!("no booking {id}")))?;
    let id: String = conn
        .prepare_cached("SELECT id FROM bookings WHERE id = ?1 OR confirmation_code = ?1")?
        .query_row([id], |r| r.get(0))?;
    let currency = Currency::parse(&currency)?;
    let m = |v: i64| Money::new(v, currency);
    let items: Vec<BookingItem> = conn
        .prepare_cached(
            "SELECT seq, kind, offer_id, provider, reference, description, price, tax, list_price, starts_at, payload
             FROM booking_items WHERE booking_id = ?1 ORDER BY seq",
        )?
        .query_map([&id], |r| {
            let payload: String = r.get(10)?;
            Ok(BookingItem {
                seq: r.get(0)?,
                kind: r.get(1)?,
                offer_id: r.get(2)?,
                provider: r.get(3)?,
                reference: r.get(4)?,
                description: r.get(5)?,
                price: m(r.get(6)?),
                tax: m(r.get(7)?),
                list_price: m(r.get(8)?),
                starts_at: ts(r.get(9)?),
                details: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let passengers: Vec<PassengerInput> = conn
        .prepare_cached("SELECT given_name, family_name, born_on, type, document FROM booking_passengers WHERE booking_id = ?1 ORDER BY seq")?
        .query_map([&id], |r| {
            let born: String = r.get(2)?;
            let kind: String = r.get(3)?;
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, born, kind, r.get::<_, Option<String>>(4)?))
        })?
        .map(|row| {
            let (given_name, family_name, born, kind, document) = row?;
            Ok(PassengerInput {
                given_name,
                family_name,
                born_on: born.parse().map_err(Error::internal)?,
                kind: serde_json::from_value(serde_json::Value::String(kind))?,
                document,
                gender: None,
            })
        })
        .collect::<Result<_>>()?;
    let payments: Vec<PaymentRecord> = conn
        .prepare_cached("SELECT id, method, status, amount, card_brand, card_last4, message, created_at FROM payments WHERE booking_id = ?1 ORDER BY created_at, rowid")?
        .query_map([&id], |r| {
            let brand: Option<String> = r.get(4)?;
            let last4: Option<String> = r.get(5)?;
            Ok(PaymentRecord {
                id: r.get(0)?,
                method: r.get(1)?,
                status: r.get(2)?,
                amount: m(r.get(3)?),
                card: brand.zip(last4).map(|(b, l)| format!("{b} **** {l}")),
                message: r.get(6)?,
                created_at: ts(r.get(7)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let history: Vec<AuditEntry> = conn
        .prepare_cached("SELECT from_status, to_status, reason, at FROM booking_audit WHERE booking_id = ?1 ORDER BY id")?
        .query_map([&id], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?
        .map(|row| {
            let (from, to, reason, at) = row?;
            Ok(AuditEntry { from: from.as_deref().map(BookingStatus::parse).transpose()?, to: BookingStatus::parse(&to)?, reason, at: ts(at) })
        })
        .collect::<Result<_>>()?;
    let status = BookingStatus::parse(&status)?;
    let supplier_note = super::supplier::pending_note(conn, &id)?;
    let next_action = match status {
        _ if supplier_note.is_some() => supplier_note,
        BookingStatus::Pending => Some(match held_until(conn, &id, created)? {
            Some(by) => format!(
                "pay by {by} (the seats are held until then): booksygo bookings pay {id} --card NUMBER"
            ),
            None => format!("pay within 30 minutes: booksygo bookings pay {id} --card NUMBER"),
        }),
        BookingStatus::PaymentProcessing
            if payments.iter().any(|p| p.status == "requires_action") =>
        {
            Some(format!(
                "the bank asks you to confirm: booksygo bookings confirm-payment {id}"
            ))
        }
        BookingStatus::Cancelled
            if conn
                .prepare_cached("SELECT 1 FROM refunds WHERE booking_id = ?1 AND status = 'pending'")?
                .query_row( [&id], |_| Ok(()))
                .optional()?
                .is_some() =>
        {
            Some("a refund is owed and will be paid automatically as soon as the card network answers".to_string())
        }
        _ => None,
    };
    let tax: i64 = items.iter().map(|i| i.tax.minor).sum();
    Ok(Booking {
        id,
        status,
        confirmation_code: code,
        contact_email: email,
        total: m(total),
        tax: m(tax),
        list_total: m(list_total),
        points_redeemed: points,
        points_value: m(points_value),
        amount_due: m(due),
        refunded: m(refunded),
        starts_on: starts.parse().map_err(Error::internal)?,
        ends_on: ends.parse().map_err(Error::internal)?,
        items,
        passengers,
        payments,
        history,
        created_at: ts(created),
        updated_at: ts(updated),
        next_action,
    })
}

/// The refund rules, item by item:
/// - flight: refundable fares give back the price less the fee; non-refundable fares give
///   back the taxes only; nothing once the first flight has left.
/// - hotel: everything until the free-cancellation deadline, nothing after.
/// - package: 90 % thirty days or more before departure, 50 % from seven days, nothing after.
///
/// For a booking with held supplier orders: when it lapses (the earlier of our hold and the
/// supplier's `payment_required_by`).
fn held_until(conn: &Connection, booking_id: &str, created: i64) -> Result<Option<Timestamp>> {
    let by: Option<i64> = conn.query_row(
        "SELECT min(coalesce(payment_required_by, ?2)) FROM supplier_orders WHERE booking_id = ?1 AND status = 'confirmed' AND held = 1",
        params![booking_id, created + PENDING_HOLD_SECONDS],
        |r| r.get(0),
    )?;
    Ok(by.map(|b| ts(b.min(created + PENDING_HOLD_SECONDS))))
}

/// The card gets back at most what it paid; redeemed points always come back.
pub fn quote(
    conn: &Connection,
    user: &str,
    booking_id: &str,
    now: Timestamp,
    fx: &crate::model::FxTable,
) -> Result<RefundQuote> {
    let b = load(conn, user, booking_id)?;
    match b.status {
        BookingStatus::Cancelled | BookingStatus::Refunded => {
            return Err(Error::Conflict(format!(
                "booking {} is already {}",
                b.id, b.status
            )));
        }
        BookingStatus::Completed => {
            return Err(Error::Conflict(format!(
                "booking {} is COMPLETED: the trip is over",
                b.id
            )));
        }
        _ => {}
    }
    let currency = b.total.currency;
    let mut refundable = 0i64;
    let mut rules = Vec::new();
    for item in &b.items {
        let (back, rule) = match item.kind.as_str() {
            "flight" => {
                let offer: FlightOffer = serde_json::from_value(item.details.clone())?;
                if item.starts_at <= now {
                    (0, "flight already departed: nothing back".to_string())
                } else {
                    match offer.conditions.refund_before_departure.fee() {
                        Some(fee) => {
                            let fee = fx.convert(fee, currency)?.minor.min(item.price.minor);
                            (
                                item.price.minor - fee,
                                format!("refundable fare, fee {}", Money::new(fee, currency)),
                            )
                        }
                        None => (
                            item.tax.minor,
                            format!("non-refundable fare: taxes {} back", item.tax),
                        ),
                    }
                }
            }
            "hotel" => {
                let offer: HotelOffer = serde_json::from_value(item.details.clone())?;
                match offer.cancellation.free_until {
                    Some(until) if until.timestamp() > now => (
                        item.price.minor,
                        format!("free cancellation until {}", until.strftime("%-d %b %H:%M")),
                    ),
                    Some(_) => (0, "past the free-cancellation deadline".to_string()),
                    None => (0, "non-refundable rate".to_string()),
                }
            }
            _ => {
                let days = (item.starts_at.as_second() - now.as_second()) / 86_400;
                let pct = if days >= 30 {
                    90
                } else if days >= 7 {
                    50
                } else {
                    0
                };
                (
                    item.price.minor * pct / 100,
                    format!("package {days} days before departure: {pct}% back"),
                )
            }
        };
        refundable += back;
        rules.push(format!("{}: {rule}", item.description));
    }
    let paid: i64 = b
        .payments
        .iter()
        .filter(|p| p.status == "succeeded" && p.method == "card")
        .map(|p| p.amount.minor)
        .sum();
    // What the card has already had back (a cheaper date change) is not refunded twice.
    let refunded: i64 = conn
        .prepare_cached("SELECT coalesce(sum(amount), 0) FROM refunds WHERE booking_id = ?1")?
        .query_row([&b.id], |r| r.get(0))?;
    let paid = paid - refunded;
    let refund = refundable.min(paid).max(0);
    let (returned, clawed) = points::cancel_effect(conn, user, &b.id)?;
    Ok(RefundQuote {
        booking_id: b.id.clone(),
        status: b.status,
        refund: Money::new(refund, currency),
        kept: Money::new(paid - refund, currency),
        points_returned: returned,
        points_clawed_back: clawed,
        rules,
    })
}

/// A traveller's review of a package they travelled on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Review {
    pub id: String,
    pub booking_id: String,
    pub package_id: String,
    pub rating: u8,
    pub text: String,
    pub created_at: Timestamp,
}

impl LocalAgency {
    /// Reviews are for completed package bookings, once per booking; the package's rating and
    /// review count move with them, and the reviewer earns points.
    pub fn review_as(
        &self,
        user: &str,
        booking_id: &str,
        rating: u8,
        text: &str,
    ) -> Result<Review> {
        if !(1..=5).contains(&rating) {
            return Err(Error::invalid("a rating is 1 to 5"));
        }
        let text = text.trim();
        if text.chars().count() < 3 || text.chars().count() > 2000 {
            return Err(Error::invalid("a review is 3 to 2000 characters"));
        }
        self.sweep()?;
        let mut conn = self.store().conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let b = load(&tx, user, booking_id)?;
        if b.status != BookingStatus::Completed {
            return Err(Error::Conflict(format!(
                "booking {} is {}: you can review a package once the trip is completed",
                b.id, b.status
            )));
        }
        let package = b
            .items
            .iter()
            .find(|i| i.kind == "package")
            .map(|i| i.offer_id.clone())
            .ok_or_else(|| Error::invalid(format!("booking {} has no package to review", b.id)))?;
        let exists: bool = tx
            .prepare_cached("SELECT 1 FROM reviews WHERE booking_id = ?1")?
            .query_row([&b.id], |_| Ok(()))
            .optional()?
            .is_some();
        if exists {
            return Err(Error::Conflict(format!(
                "booking {} is already reviewed",
                b.id
            )));
        }
        let id = crate::ids::new("rev");
        let now = self.now().as_second();
        tx.prepare_cached("INSERT INTO reviews(id, booking_id, package_id, user_id, rating, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
            params![id, b.id, package, user, rating, text, now],
        )?;
        tx.prepare_cached("UPDATE packages SET rating = round((rating * review_count + ?2) / (review_count + 1), 2), review_count = review_count + 1 WHERE id = ?1")?.execute(
            params![package, f64::from(rating)],
        )?;
        events::emit(
            &tx,
            "review.written",
            &id,
            Some(user),
            &serde_json::json!({"package_id": package, "rating": rating}),
            now,
        )?;
        points::on_review(&tx, user, &b.id, now)?;
        tx.commit()?;
        Ok(Review {
            id,
            booking_id: b.id,
            package_id: package,
            rating,
            text: text.to_string(),
            created_at: ts(now),
        })
    }
}

/// A change to a confirmed booking.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Modification {
    /// Correct a traveller's name (1-based index).
    PassengerName {
        passenger: usize,
        given_name: String,
        family_name: String,
    },
    /// Move the flight to another date: every slice shifts by the same number of days.
    FlightDate {
        date: Date,
        /// Pays a fare difference; not needed when the new fare costs less.
        #[serde(default)]
        card: Option<Card>,
    },
}

impl LocalAgency {
    pub async fn modify_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        change: Modification,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        self.sweep()?;
        let b = {
            let conn = self.store().conn()?;
            load(&conn, user, booking_id)?
        };
        if !matches!(b.status, BookingStatus::Confirmed | BookingStatus::Pending) {
            return Err(Error::Conflict(format!(
                "booking {} is {}: only PENDING or CONFIRMED bookings change",
                b.id, b.status
            )));
        }
        let now = self.now();
        match change {
            Modification::PassengerName {
                passenger,
                given_name,
                family_name,
            } => {
                let Some(p) = passenger.checked_sub(1).and_then(|i| b.passengers.get(i)) else {
                    return Err(Error::invalid(format!(
                        "booking {} has {} traveller(s): no number {passenger}",
                        b.id,
                        b.passengers.len()
                    )));
                };
                let mut changed = p.clone();
                changed.given_name = given_name;
                changed.family_name = family_name;
                validate_passengers(
                    std::slice::from_ref(&changed),
                    b.starts_on,
                    now.to_zoned(jiff::tz::TimeZone::UTC).date(),
                )?;
                let mut conn = self.store().conn()?;
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.prepare_cached("UPDATE booking_passengers SET given_name = ?3, family_name = ?4 WHERE booking_id = ?1 AND seq = ?2")?.execute(
                    params![b.id, passenger as i64, changed.given_name.trim(), changed.family_name.trim()],
                )?;
                tx.prepare_cached("UPDATE bookings SET updated_at = ?2 WHERE id = ?1")?
                    .execute(params![b.id, now.as_second()])?;
                events::emit(
                    &tx,
                    "booking.modified",
                    &b.id,
                    Some(user),
                    &serde_json::json!({"booking_id": b.id, "change": "passenger_name", "passenger": passenger}),
                    now.as_second(),
                )?;
                tx.commit()?;
                load(&conn, user, &b.id)
            }
            Modification::FlightDate { date, card } => {
                self.change_flight_date(user, b, date, card).await
            }
        }
    }

    async fn change_flight_date(
        &self,
        user: &str,
        b: Booking,
        date: Date,
        card: Option<Card>,
    ) -> Result<Booking> {
        if b.status != BookingStatus::Confirmed {
            return Err(Error::Conflict(format!(
                "booking {} is {}: pay it first, then change the date (or cancel and book again)",
                b.id, b.status
            )));
        }
        let now = self.now();
        let item = b
            .items
            .iter()
            .find(|i| i.kind == "flight")
            .ok_or_else(|| Error::invalid(format!("booking {} has no flight to move", b.id)))?
            .clone();
        let old: FlightOffer = serde_json::from_value(item.details.clone())?;
        if item.starts_at <= now {
            return Err(Error::Conflict("the flight has already left".into()));
        }
        let Some(fee) = old.conditions.change_before_departure.fee() else {
            return Err(Error::Conflict(format!(
                "the fare of booking {} does not allow changes",
                b.id
            )));
        };
        let shift = date - old.slices[0].departing_at.date();
        let shift_days = shift.get_days();
        if shift_days == 0 {
            return Err(Error::invalid(format!(
                "the flight already leaves on {date}"
            )));
        }
        let mut query = crate::search::FlightQuery::one_way(
            &old.slices[0].origin,
            &old.slices[0].destination,
            date,
        );
        query.slices = old
            .slices
            .iter()
            .map(|s| {
                let d = s
                    .departing_at
                    .date()
                    .checked_add(i64::from(shift_days).days())
                    .unwrap_or(date);
                crate::search::SliceQuery {
                    origin: s.origin.clone(),
                    destination: s.destination.clone(),
                    departure_date: d,
                }
            })
            .collect();
        query.passengers = Passengers::from_list(&old.passengers);
        query.cabin = old.cabin_class;
        query.max_stops = Some(old.stops() as u8);
        query.currency = Some(b.total.currency);
        query.filters.airlines = vec![old.owner.clone()];
        query.sort = crate::search::FlightSort::Price;
        let found = crate::agency::Agency::search_flights(self, &query).await?;
        let new = found
            .offers
            .into_iter()
            .find(|o| o.stops() == old.stops())
            .ok_or_else(|| {
                Error::Conflict(format!(
                    "{} has no seats on {date} for this trip; try another date",
                    old.owner
                ))
            })?;
        let fee = self.fx().convert(fee, b.total.currency)?;
        let difference = new.total().minor + fee.minor - item.price.minor;
        if difference > 0 && card.is_none() {
            return Err(Error::invalid(format!(
                "moving to {date} costs {} more (fare difference and a {} change fee): pay with --card",
                Money::new(difference, b.total.currency),
                fee
            )));
        }
        if let Some(c) = &card {
            c.validate(now.to_zoned(jiff::tz::TimeZone::UTC).date())?;
        }
        let prepared = self.prepare_flight(new.clone()).await?;
        // Money first: a declined card changes nothing.
        let mut charge_ref = None;
        if difference > 0 {
            let c = card.as_ref().expect("checked above");
            match self
                .payments()
                .charge(
                    Money::new(difference, b.total.currency),
                    c,
                    &format!("{}-change-{}", b.id, new.id),
                )
                .await?
            {
                ChargeOutcome::Succeeded { reference } => {
                    charge_ref = Some((reference, c.brand(), c.last4()))
                }
                ChargeOutcome::RequiresAction { .. } | ChargeOutcome::Declined { .. } => {
                    return Err(Error::Conflict(
                        "the card was declined for the change: nothing was changed".into(),
                    ));
                }
            }
        }
        let refund_ref = if difference < 0 {
            let original: Option<String> = self
                .store()
                .conn()?
                .query_row(
                    "SELECT provider_ref FROM payments WHERE booking_id = ?1 AND status = 'succeeded' AND method = 'card' LIMIT 1",
                    [&b.id],
                    |r| r.get(0),
                )
                .optional()?;
            match original {
                Some(r) => Some(
                    self.payments()
                        .refund(
                            &r,
                            Money::new(-difference, b.total.currency),
                            &format!("{}-change-{}-refund", b.id, new.id),
                        )
                        .await?,
                ),
                None => None,
            }
        } else {
            None
        };
        // The database work; if it fails after money moved, the money goes back.
        let applied = (|| -> Result<()> {
            let mut conn = self.store().conn()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let nows = self.now().as_second();
            // The booking may have changed while the card network answered.
            let still: String = tx
                .prepare_cached("SELECT status FROM bookings WHERE id = ?1")?
                .query_row([&b.id], |r| r.get(0))?;
            if still != BookingStatus::Confirmed.as_str() {
                return Err(Error::Conflict(format!(
                    "booking {} became {still} during the change: nothing was changed",
                    b.id
                )));
            }
            // Give back the old seats, take the new ones.
            let old_holds: Vec<(i64, String, String, u32)> = tx
                .prepare("SELECT rowid, key, detail, quantity FROM booking_holds WHERE booking_id = ?1 AND kind = 'seats' AND released = 0")?
                .query_map([&b.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (rowid, key, cabin, qty) in old_holds {
                tx.prepare_cached("UPDATE flight_inventory SET sold = sold - ?3 WHERE flight_key = ?1 AND cabin = ?2")?.execute(
                    params![key, cabin, qty],
                )?;
                tx.prepare_cached("UPDATE booking_holds SET released = 1 WHERE rowid = ?1")?
                    .execute([rowid])?;
            }
            inventory::take(&tx, &b.id, &prepared.needs)?;
            let new_price = prepared.price.minor + fee.minor;
            tx.prepare_cached("UPDATE booking_items SET offer_id = ?3, description = ?4, price = ?5, tax = ?6, list_price = ?5, starts_at = ?7, payload = ?8
                 WHERE booking_id = ?1 AND seq = ?2")?.execute(
                params![b.id, item.seq, new.id, prepared.description, new_price, prepared.tax.minor, prepared.starts_at.as_second(), prepared.details.to_string()],
            )?;
            let delta = new_price - item.price.minor;
            tx.prepare_cached("UPDATE bookings SET total = total + ?2, list_total = list_total + ?2, amount_due = amount_due + ?2, updated_at = ?3,
                     starts_on = (SELECT date(min(starts_at), 'unixepoch') FROM booking_items WHERE booking_id = ?1),
                     ends_on = max(?4, (SELECT ends_on FROM bookings WHERE id = ?1))
                 WHERE id = ?1")?.execute(
                params![b.id, delta, nows, prepared.ends_on.to_string()],
            )?;
            if let Some((reference, brand, last4)) = &charge_ref {
                tx.prepare_cached("INSERT INTO payments(id, booking_id, provider, method, status, amount, currency, card_brand, card_last4, provider_ref, message, created_at)
                     VALUES (?1, ?2, ?3, 'card', 'succeeded', ?4, ?5, ?6, ?7, ?8, 'flight date change', ?9)")?.execute(
                    params![crate::ids::new("pay"), b.id, self.payments().name(), difference, b.total.currency.as_str(), brand, last4, reference, nows],
                )?;
            }
            if let Some(r) = refund_ref {
                tx.prepare_cached("INSERT INTO refunds(id, booking_id, payment_id, amount, currency, status, created_at) VALUES (?1, ?2, NULL, ?3, ?4, 'succeeded', ?5)")?.execute(
                    params![crate::ids::new("ref"), b.id, -difference, b.total.currency.as_str(), nows],
                )?;
                tx.prepare_cached("UPDATE bookings SET refunded = refunded + ?2 WHERE id = ?1")?
                    .execute(params![b.id, -difference])?;
                let _ = r;
            }
            events::emit(
                &tx,
                "booking.modified",
                &b.id,
                Some(user),
                &serde_json::json!({"booking_id": b.id, "change": "flight_date", "date": date, "difference": Money::new(difference, b.total.currency)}),
                nows,
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = applied {
            if let Some((reference, _, _)) = &charge_ref {
                let _ = self
                    .payments()
                    .refund(
                        reference,
                        Money::new(difference, b.total.currency),
                        &format!("{}-change-{}-undo", b.id, new.id),
                    )
                    .await;
            }
            return Err(e);
        }
        self.invalidate_caches();
        load(&*self.store().conn()?, user, &b.id)
    }
}
