//! Creating a booking: the idempotency key, the checks, the re-priced items, and one
//! transaction that takes the inventory, writes the booking and, with an in-process payment
//! provider, pays it.

use super::*;

impl Desk {
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
        if !crate::model::traveller::is_email(email) {
            return Err(crate::model::traveller::not_an_email(&req.contact_email));
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
                    let stored = self.store().read(|u| u.catalogue().offer(offer_id))?;
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
        // From here on every traveller has a type: the one given, or the one the age gives.
        let passengers: Vec<PassengerInput> = req
            .passengers
            .iter()
            .map(|p| PassengerInput {
                kind: Some(p.kind_on(first_travel)),
                ..p.clone()
            })
            .collect();
        let count = |kind| passengers.iter().filter(|p| p.kind == Some(kind)).count() as u8;
        let pax = Passengers {
            adults: count(PassengerType::Adult),
            children: count(PassengerType::Child),
            infants: count(PassengerType::Infant),
        };
        for p in &prepared {
            if let Some(expected) = p.passengers
                && expected != pax
            {
                return Err(Error::invalid(format!(
                    "offer {} is for {expected} but the travellers given are {pax} (by their \
                     birth dates); search again with --adults, --children and --infants",
                    p.offer_id
                )));
            }
            if let Some(cap) = p.capacity
                && pax.total() > cap
            {
                return Err(Error::invalid(format!(
                    "offer {} is for {}, {} given",
                    p.offer_id,
                    crate::model::counted(cap, "guest", "guests"),
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
                    .check_travellers(&passengers, req.contact_phone.as_deref())?;
            }
            if p.stay.is_some()
                && let Some(s) = self.hotel_supplier(&p.provider)
            {
                s.orders()
                    .expect("a stay supplier")
                    .check_guests(&passengers, req.contact_phone.as_deref())?;
            }
        }
        let with_supplier = prepared
            .iter()
            .any(|p| p.supplier.is_some() || p.stay.is_some());

        let booking_id = crate::ids::new("bkg");
        let settled_now = self.store().write(|tx| {
            for (package_id, date) in &package_items {
                prepared.push(self.prepare_package(tx, user, package_id, *date, pax.total())?);
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
            let points_value = self.points_value(points, Money::new(total, currency), user, tx)?;
            let amount_due = total - points_value.minor;
            // The first item's day where it starts.
            let starts_on = prepared
                .iter()
                .min_by_key(|p| p.starts_at)
                .map(|p| crate::booking::starts_on(p.kind, &p.details, p.starts_at))
                .unwrap_or_else(|| now.to_zoned(jiff::tz::TimeZone::UTC).date());
            let ends_on = prepared
                .iter()
                .map(|p| p.ends_on)
                .max()
                .unwrap_or(starts_on);
            let mut code = String::new();
            for attempt in 0..8u64 {
                code =
                    crate::ids::code(crate::geo::hash(&[crate::geo::word(&booking_id), attempt]));
                if !tx.bookings().code_taken(&code)? {
                    break;
                }
            }
            let nows = now.as_second();
            tx.bookings().insert(&NewBooking {
                id: &booking_id,
                user,
                confirmation_code: &code,
                contact_email: email,
                currency: currency.as_str(),
                total,
                list_total,
                points_redeemed: points,
                points_value: points_value.minor,
                amount_due,
                starts_on: &starts_on.to_string(),
                ends_on: &ends_on.to_string(),
                at: nows,
            })?;
            state::created(tx, &booking_id, user, nows)?;
            let _ = tax;
            for (i, p) in prepared.iter().enumerate() {
                let reference = p.pnr.then(|| {
                    crate::ids::code(crate::geo::hash(&[
                        crate::geo::word(&booking_id),
                        i as u64,
                        7,
                    ]))
                });
                tx.bookings().add_item(
                    &booking_id,
                    &NewItem {
                        seq: i as i64 + 1,
                        kind: p.kind,
                        offer_id: &p.offer_id,
                        provider: &p.provider,
                        reference: reference.as_deref(),
                        description: &p.description,
                        price: p.price.minor,
                        tax: p.tax.minor,
                        list_price: p.list_price.minor,
                        continent: &p.continent,
                        starts_at: p.starts_at.as_second(),
                        payload: &p.details.to_string(),
                    },
                )?;
                tx.inventory().take(&booking_id, &p.needs)?;
                if let Some(offer) = &p.supplier {
                    super::supplier::record_intent(
                        tx,
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
                        tx,
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
            for (i, p) in passengers.iter().enumerate() {
                tx.bookings().add_traveller(
                    &booking_id,
                    &NewTraveller {
                        seq: i as i64 + 1,
                        given_name: p.given_name.trim(),
                        family_name: p.family_name.trim(),
                        born_on: &p.born_on.to_string(),
                        kind: p.kind_on(first_travel).as_str(),
                        document: p.document.as_deref(),
                    },
                )?;
            }
            if points > 0 {
                points::record(
                    tx,
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
                    self.start_charge(tx, user, &booking_id, card, nows)?;
                settled =
                    Some(self.settle(tx, user, &booking_id, &payment_id, amount, outcome)?);
            }
            if let Some(claim) = claim {
                claim.attach(tx, &booking_id)?;
            }
            Ok(settled)
        })?;
        crate::faults::step("booking.committed");
        self.search.invalidate();
        // A supplier that has not answered yet leaves the booking PENDING (and uncharged)
        // rather than failing it: a retry under the same idempotency key gets this booking
        // back instead of ordering twice.
        if with_supplier
            && !self
                .place_supplier_orders(
                    &booking_id,
                    &passengers,
                    email,
                    req.contact_phone.as_deref(),
                    req.payment.card.is_none(),
                )
                .await?
        {
            return self.store().read(|u| load(u, user, &booking_id));
        }
        if let Some(settled) = settled_now {
            return self.after_settle(user, &booking_id, settled).await;
        }
        match req.payment.card {
            Some(card) => self.charge(user, &booking_id, &card).await,
            None => self.store().read(|u| load(u, user, &booking_id)),
        }
    }

    /// An expired offer: say when, and quote a fresh price for the same travel when one exists.
    async fn expired(&self, offer_id: &str, kind: &str, payload: &str, expires: i64) -> Error {
        let when = ts(expires);
        if kind == "flight"
            && let Ok(offer) = serde_json::from_str::<FlightOffer>(payload)
        {
            return match self.fresh_flight(&offer).await {
                Ok(Some(fresh)) => match self.search.remember_flight(&fresh).await {
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
        unit: &dyn Unit,
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
        let available = points::balance(unit, user)?.available;
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
}
