//! Fares over time: every one-way flight search records the cheapest fare it saw
//! (`search::history`); [`forecast`] answers "book now or wait" for a route and date, and
//! `local::watch` alerts when a fare drops below a price.
//!
//! The prediction is stated with its basis. Fares move with how far ahead one books, so the
//! fare the same flight will have in a week is estimated from today's fare for the same route
//! and weekday one and two weeks earlier (7 and 14 fewer days ahead); the recorded history of
//! this very date, when there is one, confirms or weakens that. Confidence says how much
//! evidence agrees.

use crate::Agency;
use crate::error::{Error, Result};
use crate::model::{Cabin, Currency, Money};
pub use crate::search::history::Observation;
use crate::search::{FlightQuery, FlightSort};
use jiff::ToSpan;
use jiff::civil::Date;

pub use crate::model::fare::Prediction;

async fn cheapest(
    agency: &dyn Agency,
    o: &str,
    d: &str,
    date: Date,
    cabin: Cabin,
) -> Result<Option<Money>> {
    let mut q = FlightQuery::one_way(o, d, date);
    q.cabin = cabin;
    q.sort = FlightSort::Price;
    q.limit = Some(1);
    q.currency = Some(Currency::EUR);
    Ok(agency
        .search_flights(&q)
        .await?
        .offers
        .first()
        .map(|o| o.total()))
}

/// Sign of a change with a 2 % dead band: 1 rising, -1 falling, 0 flat.
fn direction(from: i64, to: i64) -> i32 {
    let band = from.abs() / 50;
    if to > from + band {
        1
    } else if to < from - band {
        -1
    } else {
        0
    }
}

/// The prediction over any agency; `history` gives the recorded fares of the date (after
/// today's search), empty where none are kept (a remote agency keeps them on the server).
pub async fn forecast(
    agency: &dyn Agency,
    o: &str,
    d: &str,
    date: Date,
    cabin: Cabin,
    today: Date,
    history: impl Fn(&str, &str) -> Result<Vec<Observation>>,
) -> Result<Prediction> {
    let (o, d) = (o.to_string(), d.to_string());
    let ahead = crate::model::season::days_between(today, date);
    let current = cheapest(agency, &o, &d, date, cabin)
        .await?
        .ok_or_else(|| {
            // Economy is on every flight: a cabin other than it may be what is missing.
            let seats = match cabin {
                Cabin::Economy => String::new(),
                c => format!(" in {}", c.as_str().replace('_', " ")),
            };
            Error::NotFound(format!(
                "nothing is for sale from {o} to {d} on {date}{seats}: no fare to predict"
            ))
        })?;
    // Same route and weekday, 7 and 14 days earlier: today's fares a week and two weeks
    // closer to departure.
    let mut closer = Vec::new();
    for weeks in [1, 2] {
        let earlier = date.checked_sub((7 * weeks).days()).ok();
        match earlier {
            Some(e) if e >= today => closer.push(cheapest(agency, &o, &d, e, cabin).await?),
            _ => closer.push(None),
        }
    }
    let history = history(&o, &d)?;
    let in_a_week = closer[0];
    let expected_change = in_a_week.map(|w| Money::eur(w.minor - current.minor));
    let step1 = in_a_week.map(|w| direction(current.minor, w.minor));
    let step2 = match (closer[0], closer[1]) {
        (Some(a), Some(b)) => Some(direction(a.minor, b.minor)),
        _ => None,
    };
    let distinct: Vec<&Observation> = {
        let mut v: Vec<&Observation> = history.iter().collect();
        v.dedup_by_key(|o| o.days_ahead);
        v
    };
    // History runs forward in time (fewer days ahead): its direction is the trend's.
    let hist = (distinct.len() >= 3).then(|| {
        direction(
            distinct[0].cheapest.minor,
            distinct[distinct.len() - 1].cheapest.minor,
        )
    });
    let trend_dir = step1;
    let trend = match trend_dir {
        Some(1) => "rising",
        Some(-1) => "falling",
        Some(_) => "flat",
        None => "unknown",
    };
    let agreeing = [step2, hist]
        .iter()
        .filter(|s| s.is_some() && *s == &trend_dir)
        .count();
    let confidence = match (trend_dir, agreeing) {
        (None, _) => "low",
        (_, 2) => "high",
        (_, 1) => "medium",
        _ => "low",
    };
    let advice = if trend_dir == Some(-1) {
        "wait"
    } else {
        "book_now"
    };
    let recorded = crate::model::counted(history.len(), "recorded fare", "recorded fares");
    let basis = match in_a_week {
        Some(w) => format!(
            "today's cheapest fare for {o}-{d} on the same weekday a week closer to departure is {w} against {current} now{}; {} of this date",
            match closer[1] {
                Some(t) => format!(", and {t} two weeks closer"),
                None => String::new(),
            },
            recorded
        ),
        None => format!(
            "departure is within a week, so there is no later fare to compare: book now; {recorded} of this date"
        ),
    };
    Ok(Prediction {
        origin: o,
        destination: d,
        date,
        days_ahead: ahead,
        current,
        in_a_week,
        expected_change,
        trend: trend.into(),
        advice: advice.into(),
        confidence: confidence.into(),
        history,
        basis,
    })
}
