//! Price watches: "tell me when LHR-JFK on 14 December is below 400". [`check`] searches each
//! live watch and fires when the cheapest fare is below the limit and lower than the last
//! alert (a price that stays low alerts once). Each alert is a `price_alert.triggered` event,
//! written in the same transaction as the watch's new state.

use super::LocalAgency;
use crate::Agency;
use crate::error::{Error, Result};
pub use crate::model::watch::{NewWatch, Watch};
use crate::model::{Money, Passengers};
use crate::search::{FlightQuery, FlightSort};
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Alert {
    pub watch_id: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
    pub price: Money,
    pub below: Money,
    pub offer_id: String,
}

/// Adds a watch after checking the places, the date and the limit.
pub fn add(agency: &LocalAgency, new: &NewWatch) -> Result<Watch> {
    let net = agency.network();
    let origin = net.places.resolve(&new.origin)?.code;
    let destination = net.places.resolve(&new.destination)?.code;
    if origin == destination {
        return Err(Error::invalid("origin and destination are the same place"));
    }
    if new.date < agency.today() {
        return Err(Error::invalid(format!(
            "{} is in the past: watch a future date",
            new.date
        )));
    }
    if new.below.minor <= 0 {
        return Err(Error::invalid("--below must be a positive amount"));
    }
    agency.fx().supports(new.below.currency)?;
    Passengers {
        adults: new.adults,
        ..Passengers::default()
    }
    .validate()?;
    let id = crate::ids::new("wch");
    let resolved = NewWatch {
        origin,
        destination,
        ..new.clone()
    };
    let now = agency.now().as_second();
    agency
        .store()
        .read(|u| u.watches().add(&id, agency.user(), &resolved, now))?;
    get(agency, &id)
}

pub fn get(agency: &LocalAgency, id: &str) -> Result<Watch> {
    agency
        .store()
        .read(|u| u.watches().get(agency.user(), id))?
        .ok_or_else(|| Error::NotFound(format!("no price watch {id}")))
}

pub fn list(agency: &LocalAgency) -> Result<Vec<Watch>> {
    agency.store().read(|u| u.watches().list(agency.user()))
}

pub fn remove(agency: &LocalAgency, id: &str) -> Result<()> {
    if !agency
        .store()
        .read(|u| u.watches().remove(agency.user(), id))?
    {
        return Err(Error::NotFound(format!("no price watch {id}")));
    }
    Ok(())
}

/// Searches every watch whose date is still ahead; returns the alerts that fired.
pub async fn check(agency: &LocalAgency) -> Result<Vec<Alert>> {
    let today = agency.today();
    let mut alerts = Vec::new();
    for w in list(agency)?.into_iter().filter(|w| w.date >= today) {
        let mut q = FlightQuery::one_way(&w.origin, &w.destination, w.date);
        q.passengers.adults = w.adults;
        q.cabin = w.cabin;
        q.sort = FlightSort::Price;
        q.limit = Some(1);
        q.currency = Some(w.below.currency);
        let found = agency.search_flights(&q).await?;
        let now = agency.now().as_second();
        let cheapest = found.offers.first();
        let price = cheapest.map(|o| o.total());
        let fires = price.is_some_and(|p| {
            p.minor < w.below.minor && w.fired_price.is_none_or(|f| p.minor < f.minor)
        });
        // The watch's new state and its alert (with the alert's event): one unit of work.
        agency.store().write(|u| {
            u.watches().checked(&w.id, price.map(|p| p.minor), now)?;
            // Another checker may have fired on this drop since the watch was read.
            if fires
                && let (Some(p), Some(o)) = (price, cheapest)
                && u.watches().fired(&w.id, p.minor)?
            {
                let alert = Alert {
                    watch_id: w.id.clone(),
                    origin: w.origin.clone(),
                    destination: w.destination.clone(),
                    date: w.date,
                    price: p,
                    below: w.below,
                    offer_id: o.id.clone(),
                };
                crate::events::emit(
                    u,
                    "price_alert.triggered",
                    &w.id,
                    Some(agency.user()),
                    &serde_json::to_value(&alert)?,
                    now,
                )?;
                alerts.push(alert);
            }
            Ok(())
        })?;
    }
    Ok(alerts)
}
