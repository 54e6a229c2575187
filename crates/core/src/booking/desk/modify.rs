//! Changing a confirmed booking: a traveller's name, or the flight's date (fees and fare
//! difference charged or refunded).

use super::*;
use crate::roles;
use crate::store::port::DateChangeRow;

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

impl Desk {
    pub async fn modify_booking_as(
        &self,
        user: &str,
        booking_id: &str,
        change: Modification,
    ) -> Result<Booking> {
        let booking_id = &self.resolve_id(user, booking_id)?;
        self.sweep()?;
        let b = self.store().read(|u| load(u, user, booking_id))?;
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
                        "booking {} has {}: no number {passenger}",
                        b.id,
                        crate::model::counted(b.passengers.len(), "traveller", "travellers")
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
                self.store().write(|u| {
                    u.bookings().rename_traveller(
                        &b.id,
                        passenger as i64,
                        changed.given_name.trim(),
                        changed.family_name.trim(),
                        now.as_second(),
                    )?;
                    events::emit(
                        u,
                        "booking.modified",
                        &b.id,
                        Some(user),
                        &serde_json::json!({"booking_id": b.id, "change": "passenger_name", "passenger": passenger}),
                        now.as_second(),
                    )
                })?;
                self.store().read(|u| load(u, user, &b.id))
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
        let found = self.search.flights(&query, None).await?;
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
        let asked = self.fx().convert(fee, b.total.currency)?;
        // The first date change of a booking is free of the fee for the roles that hold the
        // permission (their role read now); the fare difference is paid all the same.
        let earlier = self
            .store()
            .read(|u| u.bookings().date_changes(&b.id))?
            .len() as u32;
        let waived = earlier == 0
            && asked.minor > 0
            && self
                .store()
                .read(|u| roles::holds(u, user, roles::Permission::FreeDateChange))?;
        let fee = if waived {
            Money::zero(b.total.currency)
        } else {
            asked
        };
        let difference = new.total().minor + fee.minor - item.price.minor;
        if difference > 0 && card.is_none() {
            return Err(Error::invalid(if waived {
                format!(
                    "moving to {date} costs {} more (the fare difference; the {asked} change fee is waived for premium members' first change): pay with --card",
                    Money::new(difference, b.total.currency),
                )
            } else {
                format!(
                    "moving to {date} costs {} more (fare difference and a {fee} change fee): pay with --card",
                    Money::new(difference, b.total.currency),
                )
            }));
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
        // A cheaper fare is refunded to the card that paid, as a refund owed written with the
        // change and paid out after it (so it is retried if the provider fails, and never
        // paid for a change that did not happen).
        let original_payment: Option<String> = if difference < 0 {
            self.store().read(|u| u.payments().card_payment(&b.id))?
        } else {
            None
        };
        // The database work; if it fails after money moved, the money goes back.
        let applied = self.store().write(|tx| {
            let nows = self.now().as_second();
            // The booking may have changed while the card network answered.
            let (still, _) = tx
                .bookings()
                .status(&b.id)?
                .ok_or_else(|| Error::NotFound(format!("no booking {}", b.id)))?;
            if still != BookingStatus::Confirmed.as_str() {
                return Err(Error::Conflict(format!(
                    "booking {} became {still} during the change: nothing was changed",
                    b.id
                )));
            }
            // Numbered per booking: of two changes at once, one is the first.
            let written = tx.bookings().record_date_change(
                &b.id,
                &DateChangeRow {
                    number: earlier + 1,
                    from_date: old.slices[0].departing_at.date().to_string(),
                    to_date: date.to_string(),
                    fare_difference: difference - fee.minor,
                    fee: fee.minor,
                    fee_waived: if waived { asked.minor } else { 0 },
                    waived_for: waived.then(|| "premium".to_string()),
                    at: nows,
                },
            )?;
            if !written {
                return Err(Error::Conflict(format!(
                    "booking {} was changed at the same time: nothing was changed",
                    b.id
                )));
            }
            // Give back the old seats, take the new ones.
            tx.inventory().release(&b.id, true)?;
            tx.inventory().take(&b.id, &prepared.needs)?;
            let new_price = prepared.price.minor + fee.minor;
            let delta = new_price - item.price.minor;
            tx.bookings().replace_item(&ItemChange {
                booking: &b.id,
                seq: item.seq,
                offer_id: &new.id,
                description: &prepared.description,
                price: new_price,
                tax: prepared.tax.minor,
                starts_at: prepared.starts_at.as_second(),
                payload: &prepared.details.to_string(),
                delta,
                ends_on: &prepared.ends_on.to_string(),
                at: nows,
            })?;
            if let Some((reference, brand, last4)) = &charge_ref {
                tx.payments().record_change_charge(
                    &ExtraCharge {
                        id: &crate::ids::new("pay"),
                        booking: &b.id,
                        provider: self.payments().name(),
                        amount: difference,
                        currency: b.total.currency.as_str(),
                        card_brand: brand,
                        card_last4: last4,
                        reference,
                        at: nows,
                    },
                    true,
                )?;
            }
            if let Some(payment_id) = &original_payment {
                tx.payments().owe_refund(&NewRefund {
                    id: &crate::ids::new("ref"),
                    booking: &b.id,
                    payment: payment_id,
                    amount: -difference,
                    currency: b.total.currency.as_str(),
                    at: nows,
                })?;
            }
            events::emit(
                tx,
                "booking.modified",
                &b.id,
                Some(user),
                &serde_json::json!({"booking_id": b.id, "change": "flight_date", "date": date, "difference": Money::new(difference, b.total.currency), "change_fee": fee, "fee_waived": waived.then_some(asked)}),
                nows,
            )
        });
        if let Err(e) = applied {
            // The change did not happen but its charge did: the charge is written down with a
            // refund owed for all of it, and paid back like any refund (retried until it goes).
            if let Some((reference, brand, last4)) = &charge_ref {
                let owed = self.store().write(|tx| {
                    let nows = self.now().as_second();
                    let payment_id = crate::ids::new("pay");
                    tx.payments().record_change_charge(
                        &ExtraCharge {
                            id: &payment_id,
                            booking: &b.id,
                            provider: self.payments().name(),
                            amount: difference,
                            currency: b.total.currency.as_str(),
                            card_brand: brand,
                            card_last4: last4,
                            reference,
                            at: nows,
                        },
                        false,
                    )?;
                    tx.payments().owe_refund(&NewRefund {
                        id: &crate::ids::new("ref"),
                        booking: &b.id,
                        payment: &payment_id,
                        amount: difference,
                        currency: b.total.currency.as_str(),
                        at: nows,
                    })
                });
                match owed {
                    Ok(()) => self.pay_out_refunds().await,
                    Err(record) => {
                        tracing::error!(booking = %b.id, error = %record, reference = %reference, "a date-change charge could not be written down for its refund: refund it by hand")
                    }
                }
            }
            return Err(e);
        }
        if original_payment.is_some() {
            self.pay_out_refunds().await;
        }
        self.search.invalidate();
        self.store().read(|u| load(u, user, &b.id))
    }
}
