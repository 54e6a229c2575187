//! Price watches: "tell me when LHR-JFK on 14 December is below 400". [`check`] searches each
//! live watch and fires when the cheapest fare is below the limit and lower than the last
//! alert (a price that stays low alerts once). Each alert is a `price_alert.triggered` event,
//! written in the same transaction as the watch's new state. On a team server [`sweep`]
//! checks every account's watches, one instance at a time.

use super::LocalAgency;
use crate::Agency;
use crate::error::{Error, Result};
use crate::model::Passengers;
pub use crate::model::watch::{Alert, NewWatch, Watch};
use crate::search::{FlightQuery, FlightSort};
use std::time::Duration;

/// Adds a watch after checking the places, the date and the limit; the traveller's watch of
/// the same trip, travellers, cabin and limit when there is one already.
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
        return Err(Error::invalid(
            "the price to watch for (below) must be a positive amount",
        ));
    }
    agency.fx().supports(new.below.currency)?;
    Passengers {
        adults: new.adults,
        ..Passengers::default()
    }
    .validate()?;
    let resolved = NewWatch {
        origin,
        destination,
        ..new.clone()
    };
    // Whatever else a check's search would refuse (a date past what airlines sell yet) is
    // refused now: a watch that cannot be searched would fail every check.
    query(&resolved).resolve(&net.places, agency.fx(), agency.now())?;
    // The same watch asked for again (a double submit, a script run twice, two at the same
    // instant) is the one the traveller has: two would alert twice for every drop. The store
    // adds nothing when it has it; the one it keeps is the answer.
    let id = crate::ids::new("wch");
    let now = agency.now().as_second();
    agency
        .store()
        .read(|u| u.watches().add(&id, agency.user(), &resolved, now))?;
    list(agency)?
        .into_iter()
        .find(|w| w.is(&resolved))
        .ok_or_else(|| Error::internal("the price watch just added is gone"))
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

/// Searches every watch of this agency's traveller whose date is still ahead; returns the
/// alerts that fired.
///
/// A watch whose search fails does not keep the others from being checked: the alerts that
/// fired are the answer (written, and told). When none fired, the first failure is the
/// answer, naming its watch, so a broken watch is told on the next check at the latest.
pub async fn check(agency: &LocalAgency) -> Result<Vec<Alert>> {
    let today = agency.today();
    let mut alerts = Vec::new();
    let mut failed = None;
    for w in list(agency)?.into_iter().filter(|w| w.date >= today) {
        match check_one(agency, &w).await {
            Ok(fired) => alerts.extend(fired),
            Err(e) => {
                failed.get_or_insert((w, e));
            }
        }
    }
    match failed {
        Some((w, e)) if alerts.is_empty() => Err(naming(&w, e)),
        _ => Ok(alerts),
    }
}

/// A watch's search refused (bad input, a place gone): said with the watch and the way out.
/// Other failures (a supplier, the database) pass as they are: the next check tries again.
fn naming(w: &Watch, e: Error) -> Error {
    let watch = format!(
        "price watch {} ({}-{} on {})",
        w.id, w.origin, w.destination, w.date
    );
    let remove = format!("`booksygo watch remove {}`", w.id);
    match e {
        Error::Invalid {
            message,
            suggestions,
        } => Error::Invalid {
            message: format!("{watch} cannot be checked: {message}; remove it with {remove}"),
            suggestions,
        },
        Error::NotFound(message) => Error::NotFound(format!(
            "{watch} cannot be checked: {message}; remove it with {remove}"
        )),
        e => e,
    }
}

/// The search a watch stands for: its cheapest offer, in the watch's currency.
fn query(w: &NewWatch) -> FlightQuery {
    let mut q = FlightQuery::one_way(&w.origin, &w.destination, w.date);
    q.passengers.adults = w.adults;
    q.cabin = w.cabin;
    q.sort = FlightSort::Price;
    q.limit = Some(1);
    q.currency = Some(w.below.currency);
    q
}

/// Watches one sweep round checks at most (the least recently checked first).
pub const SWEEP_BATCH: usize = 500;

/// One round of the team server's sweep: every account's watches still ahead, each searched
/// as its owner. `None` when another sweeper (another instance on the same database) holds
/// the sweep's lease; `owner` names this sweeper, `lease` is how long it may hold the lease
/// without renewing it (it renews before each watch, and stops when it lost it). A watch whose
/// search fails is logged and left for the next round.
pub async fn sweep(
    agency: &LocalAgency,
    owner: &str,
    lease: Duration,
) -> Result<Option<Vec<Alert>>> {
    let lease = i64::try_from(lease.as_secs())
        .unwrap_or(i64::MAX / 2)
        .max(1);
    // The lease follows the wall clock, like the webhook courier's: the market's clock may be
    // pinned (tests, demos) and a lease must still run out.
    let take = |agency: &LocalAgency| {
        let at = jiff::Timestamp::now().as_second();
        agency
            .store()
            .read(|u| u.watches().take_sweep(owner, at, at.saturating_add(lease)))
    };
    if !take(agency)? {
        return Ok(None);
    }
    let from = agency.today().to_string();
    let due = agency
        .store()
        .read(|u| u.watches().due(&from, SWEEP_BATCH))?;
    let mut alerts = Vec::new();
    for (user, w) in due {
        if !take(agency)? {
            tracing::warn!("the price-watch sweep's lease was taken over; stopping this round");
            break;
        }
        match check_one(&agency.as_user(&user), &w).await {
            Ok(fired) => alerts.extend(fired),
            Err(e) => {
                tracing::warn!(watch = %w.id, error = %e, "a price watch could not be checked")
            }
        }
    }
    Ok(Some(alerts))
}

/// Searches one watch of this agency's traveller; the alert when it fired.
async fn check_one(agency: &LocalAgency, w: &Watch) -> Result<Option<Alert>> {
    let q = query(&w.asked());
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
                user_id: agency.user().to_string(),
                origin: w.origin.clone(),
                destination: w.destination.clone(),
                date: w.date,
                cabin: w.cabin,
                adults: w.adults,
                price: p,
                below: w.below,
                offer_id: o.id.clone(),
                book_command: Alert::book_command(&o.id, w.adults),
            };
            crate::events::emit(
                u,
                "price_alert.triggered",
                &w.id,
                Some(agency.user()),
                &serde_json::to_value(&alert)?,
                now,
            )?;
            return Ok(Some(alert));
        }
        Ok(None)
    })
}
