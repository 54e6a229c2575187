//! Re-pricing before anything is charged: each item priced again now (the sandbox by
//! searching its flights or stays again, a real supplier by asking it), described, and the
//! inventory it needs listed.

use super::*;

impl Desk {
    /// The same flights priced now: by the supplier that sells them, or from local inventory
    /// for BooksyGo's own market; `None` for a provider that cannot sell them. An error when
    /// they are no longer sold.
    pub(super) async fn fresh_flight(&self, offer: &FlightOffer) -> Result<Option<FlightOffer>> {
        if let Some(p) = self.order_supplier(&offer.provider) {
            let native = self.refresh_supplier(p.as_ref(), offer).await?;
            return Ok(Some(self.in_currency_of(native, offer)?));
        }
        if self.search.flight_selling(&offer.provider) != Selling::LocalInventory {
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
        let Some(fresh) = self.search.sandbox().reprice_blocking(&req, offer)? else {
            return Err(Error::Conflict(format!(
                "sold out: the flights of offer {} have no seats left; search again",
                offer.id
            )));
        };
        Ok(Some(
            self.search
                .convert_flight(fresh, Some(offer.price.currency()))?,
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
        let mut f = self
            .search
            .convert_flight(native, Some(seen.price.currency()))?;
        f.id = seen.id.clone();
        Ok(f)
    }

    pub(super) async fn prepare_flight(&self, offer: FlightOffer) -> Result<Prepared> {
        let (fresh, supplier) = match self.order_supplier(&offer.provider) {
            Some(p) => {
                let native = self.refresh_supplier(p.as_ref(), &offer).await?;
                (
                    Some(self.in_currency_of(native.clone(), &offer)?),
                    Some(native),
                )
            }
            None => {
                refuse_search_only(
                    self.search.flight_selling(&offer.provider),
                    &offer.provider,
                    &offer.id,
                )?;
                (self.fresh_flight(&offer).await?, None)
            }
        };
        let (price, tax, seats) = match &fresh {
            Some(f) => {
                if f.total().minor > offer.total().minor {
                    self.search.remember_flight(f).await?;
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
            .search
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
                crate::model::time::human_day(first.departing_at.date()),
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

    pub(super) async fn prepare_hotel(&self, offer: HotelOffer) -> Result<Prepared> {
        if let Some(p) = self.hotel_supplier(&offer.provider) {
            return self.prepare_stay(p.as_ref(), offer).await;
        }
        refuse_search_only(
            self.search.hotel_selling(&offer.provider),
            &offer.provider,
            &offer.id,
        )?;
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
        refuse_rise(&offer, total)?;
        let mut seen = self
            .search
            .convert_hotel(fresh.clone(), Some(offer.total().currency))?;
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
        let own = self.search.hotel_selling(&offer.provider) == Selling::LocalInventory;
        let (price, tax, rooms_left) = if own {
            let req = HotelRequest {
                city_code: offer.hotel.city_code.clone(),
                check_in: offer.check_in_date,
                check_out: offer.check_out_date,
                guests: offer.guests,
                rooms: offer.rooms,
                now,
                centre: None,
            };
            let sandbox = self.search.sandbox();
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
            refuse_rise(&offer, total)?;
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
        let net = self.search.network();
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
            .map(|&i| net.places.tz(i).clone())
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
                crate::model::time::human_day(offer.check_in_date)
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

    pub(super) fn prepare_package(
        &self,
        conn: &dyn Unit,
        user: &str,
        package_id: &str,
        date: Date,
        travellers: u32,
    ) -> Result<Prepared> {
        let net = self.search.network();
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
                "sold out: {} has {} left on {date}, {travellers} asked",
                detail.summary.id,
                crate::model::counted(dep.slots_left, "place", "places")
            )));
        }
        let n = i64::from(travellers);
        // Members pay their price (their role read in this transaction); the list price stays
        // the public one, so the saving shows.
        let member = crate::roles::holds(conn, user, crate::roles::Permission::MemberPrices)?;
        let per_person = if member {
            crate::model::package::member_price(dep.price)
        } else {
            dep.price
        };
        let price = Money::new(per_person.minor * n, dep.price.currency);
        let list = Money::new(dep.list_price.minor * n, dep.price.currency);
        let mut details = serde_json::json!({"package": detail.summary, "date": date, "price_per_person": per_person, "itinerary": detail.itinerary});
        if member {
            details["member_price"] = serde_json::Value::Bool(true);
        }
        let ends = date
            .checked_add(i64::from(detail.summary.duration_days.saturating_sub(1)).days())
            .unwrap_or(date);
        Ok(Prepared {
            kind: "package",
            offer_id: detail.summary.id.clone(),
            provider: "sandbox".into(),
            description: format!(
                "{}, {} days from {}{}",
                detail.summary.title,
                detail.summary.duration_days,
                crate::model::time::human_day(date),
                if member { " (member price)" } else { "" }
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
            details,
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
}

/// A hotel offer priced again at booking time is booked only if it did not get dearer.
fn refuse_rise(offer: &HotelOffer, now: Money) -> Result<()> {
    if now.minor > offer.total().minor {
        return Err(Error::Conflict(format!(
            "the price of offer {} went up from {} to {}: search again",
            offer.id,
            offer.total(),
            now
        )));
    }
    Ok(())
}

/// An offer from a provider that cannot book it here (it only searches, as Amadeus hotels,
/// or its key is not set any more) is never booked locally as if it were BooksyGo's own.
fn refuse_search_only(selling: Selling, provider: &str, offer_id: &str) -> Result<()> {
    if selling == Selling::SearchOnly {
        return Err(Error::Conflict(format!(
            "offer {offer_id} comes from {provider}, which cannot book it here (its key is not set, or its hotel offers are for comparison only): choose another offer"
        )));
    }
    Ok(())
}
