//! Itinerary planning as constraint satisfaction: pick a return flight and a hotel that
//! together fit the budget and the dates, the best combination by quality, then lay out the
//! days with activities from the destination's curated packages (matching the interests
//! first). Never over budget, never outside the dates; what was traded off is said.

use crate::agency::Agency;
use crate::error::{Error, Result};
use crate::model::{Currency, Money};
use crate::search::packages::PackageQuery;
use crate::search::{FlightQuery, FlightSort, HotelQuery, HotelSort, SliceQuery};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanRequest {
    /// Where from (for the flights); `None` plans the stay only.
    pub origin: Option<String>,
    pub destination: String,
    pub start: Date,
    /// Days in all, arrival and departure days included (2..=21).
    pub days: u32,
    /// For everything planned, all travellers.
    pub budget: Money,
    #[serde(default = "one")]
    pub travellers: u8,
    #[serde(default)]
    pub interests: Vec<String>,
}

fn one() -> u8 {
    1
}

/// One choice for a slot of the plan: its price and how good it is (higher is better).
/// On the wire it is `{"id", "description", "price": {"amount", "currency"}}`: the minor
/// units and the quality score are for choosing, not for showing.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Candidate {
    pub id: String,
    pub description: String,
    /// Minor units of the plan's currency.
    #[serde(skip)]
    pub price: i64,
    #[serde(skip)]
    pub quality: i64,
    /// The price as money.
    #[serde(rename = "price")]
    pub amount: Money,
}

/// The best flight/hotel pair whose prices add up to at most `budget`, by total quality
/// (ties: cheaper). `None` when nothing fits.
pub fn choose(
    flights: &[Candidate],
    hotels: &[Candidate],
    budget: i64,
) -> Option<(Option<usize>, usize)> {
    let flight_options: Vec<Option<usize>> = if flights.is_empty() {
        vec![None]
    } else {
        (0..flights.len()).map(Some).collect()
    };
    let mut best: Option<(i64, i64, Option<usize>, usize)> = None;
    for f in &flight_options {
        let (fp, fq) = f.map_or((0, 0), |i| (flights[i].price, flights[i].quality));
        for (h, hotel) in hotels.iter().enumerate() {
            let Some(total) = fp.checked_add(hotel.price) else {
                continue;
            };
            if total > budget {
                continue;
            }
            let quality = fq + hotel.quality;
            let better = match best {
                None => true,
                Some((q, t, _, _)) => quality > q || (quality == q && total < t),
            };
            if better {
                best = Some((quality, total, *f, h));
            }
        }
    }
    best.map(|(_, _, f, h)| (f, h))
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanDay {
    pub date: Date,
    pub title: String,
    pub activities: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Itinerary {
    pub destination: String,
    pub start: Date,
    pub end: Date,
    pub flight: Option<Candidate>,
    pub hotel: Candidate,
    pub total: Money,
    pub budget: Money,
    pub left: Money,
    pub days: Vec<PlanDay>,
    /// What was given up to stay within the budget.
    pub trade_offs: Vec<String>,
}

pub async fn plan(agency: &dyn Agency, req: &PlanRequest) -> Result<Itinerary> {
    if !(2..=21).contains(&req.days) {
        return Err(Error::invalid("a plan covers 2 to 21 days"));
    }
    if req.budget.minor <= 0 {
        return Err(Error::invalid("the budget must be positive"));
    }
    let currency: Currency = req.budget.currency;
    let end = req
        .start
        .checked_add(i64::from(req.days - 1).days())
        .map_err(|e| Error::invalid(e.to_string()))?;
    let nights = req.days - 1;
    // Hotels: the cheapest fitting room per hotel, in the budget's currency.
    let mut hq = HotelQuery::new(&req.destination, req.start, end);
    hq.guests = u32::from(req.travellers);
    // As few rooms as take everyone.
    hq.rooms = hq
        .guests
        .div_ceil(crate::search::hotels::GUESTS_PER_ROOM)
        .max(1);
    hq.currency = Some(currency);
    hq.sort = HotelSort::Price;
    hq.limit = Some(30);
    let hotels: Vec<Candidate> = agency
        .search_hotels(&hq)
        .await?
        .offers
        .iter()
        .map(|o| Candidate {
            id: o.id.clone(),
            description: format!(
                "{} ({}*, rated {}), {}, {}{}",
                o.hotel.name,
                o.hotel.stars,
                o.hotel.rating,
                crate::model::counted(nights, "night", "nights"),
                o.room_name,
                if hq.rooms > 1 {
                    format!(" ({})", crate::model::counted(hq.rooms, "room", "rooms"))
                } else {
                    String::new()
                }
            ),
            price: o.total().minor,
            amount: o.total(),
            // Rating out of 10 and stars, as integers.
            quality: (f64::from(o.hotel.rating) * 10.0).round() as i64
                + i64::from(o.hotel.stars) * 5,
        })
        .collect();
    if hotels.is_empty() {
        return Err(Error::NotFound(format!(
            "no hotel in {} from {} to {end}",
            req.destination, req.start
        )));
    }
    let mut flights: Vec<Candidate> = Vec::new();
    if let Some(origin) = &req.origin {
        let mut fq = FlightQuery::one_way(origin, &req.destination, req.start);
        fq.slices.push(SliceQuery {
            origin: req.destination.clone(),
            destination: origin.clone(),
            departure_date: end,
        });
        fq.passengers.adults = req.travellers;
        fq.currency = Some(currency);
        fq.sort = FlightSort::Price;
        fq.limit = Some(20);
        flights = agency
            .search_flights(&fq)
            .await?
            .offers
            .iter()
            .map(|o| Candidate {
                id: o.id.clone(),
                description: format!(
                    "{} round trip, {}, {} h {} min out",
                    o.owner,
                    match o.stops() {
                        0 => "non-stop".to_string(),
                        n => crate::model::counted(n, "stop", "stops"),
                    },
                    o.slices[0].duration_minutes / 60,
                    o.slices[0].duration_minutes % 60
                ),
                price: o.total().minor,
                amount: o.total(),
                // Fewer stops and shorter journeys are better.
                quality: 40 - 15 * o.stops() as i64 - o.duration_minutes() / 60,
            })
            .collect();
        if flights.is_empty() {
            return Err(Error::NotFound(format!(
                "no flights from {origin} to {} on {} returning {end}",
                req.destination, req.start
            )));
        }
    }
    let Some((f, h)) = choose(&flights, &hotels, req.budget.minor) else {
        let cheapest = flights.iter().map(|c| c.price).min().unwrap_or(0)
            + hotels.iter().map(|c| c.price).min().unwrap_or(0);
        return Err(Error::Conflict(format!(
            "nothing fits {}: the cheapest flight and hotel together cost {}; raise the budget or shorten the stay",
            req.budget,
            Money::new(cheapest, currency)
        )));
    };
    let flight = f.map(|i| flights[i].clone());
    let hotel = hotels[h].clone();
    let mut trade_offs = Vec::new();
    if let Some(best) = hotels.iter().max_by_key(|c| c.quality)
        && best.quality > hotel.quality
    {
        trade_offs.push(format!(
            "took {} instead of the better-rated {} ({}) to stay within budget",
            hotel.description,
            best.description,
            Money::new(best.price, currency)
        ));
    }
    if let (Some(chosen), Some(best)) = (&flight, flights.iter().max_by_key(|c| c.quality))
        && best.quality > chosen.quality
    {
        trade_offs.push(format!(
            "flew {} rather than {} ({})",
            chosen.description,
            best.description,
            Money::new(best.price, currency)
        ));
    }
    let total = flight.as_ref().map_or(0, |c| c.price) + hotel.price;
    // Activities from the destination's curated packages, those matching the interests first.
    let pkgs = agency
        .search_packages(&PackageQuery {
            destination: Some(req.destination.clone()),
            limit: Some(10),
            ..PackageQuery::default()
        })
        .await
        .map(|r| r.packages)
        .unwrap_or_default();
    let mut activities: Vec<(String, String)> = Vec::new();
    for p in &pkgs {
        if let Ok(detail) = agency.get_package(&p.id).await {
            for d in &detail.itinerary {
                for a in &d.activities {
                    if !activities.iter().any(|(x, _)| x == a) {
                        activities.push((a.clone(), d.title.clone()));
                    }
                }
            }
        }
    }
    let interests: Vec<String> = req.interests.iter().map(|i| i.to_lowercase()).collect();
    activities.sort_by_key(|(a, t)| {
        let text = format!("{a} {t}").to_lowercase();
        !interests.iter().any(|i| text.contains(i.as_str()))
    });
    let mut days = Vec::new();
    let mut next = activities.iter();
    for i in 0..req.days {
        let date = req
            .start
            .checked_add(i64::from(i).days())
            .map_err(|e| Error::invalid(e.to_string()))?;
        let (title, count) = if i == 0 {
            ("Arrival and check-in".to_string(), 1)
        } else if i + 1 == req.days {
            ("Check-out and departure".to_string(), 0)
        } else {
            (format!("Day {} in {}", i + 1, req.destination), 2)
        };
        let acts: Vec<String> = next.by_ref().take(count).map(|(a, _)| a.clone()).collect();
        days.push(PlanDay {
            date,
            title,
            activities: acts,
        });
    }
    if activities.is_empty() {
        trade_offs
            .push("no curated activities known for this destination: the days are free".into());
    }
    Ok(Itinerary {
        destination: req.destination.clone(),
        start: req.start,
        end,
        flight,
        hotel,
        total: Money::new(total, currency),
        budget: req.budget,
        left: Money::new(req.budget.minor - total, currency),
        days,
        trade_offs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cands(v: &[(i64, i64)]) -> Vec<Candidate> {
        v.iter()
            .enumerate()
            .map(|(i, (p, q))| Candidate {
                id: format!("c{i}"),
                description: String::new(),
                price: *p,
                quality: *q,
                amount: Money::eur(*p),
            })
            .collect()
    }

    proptest! {
        #[test]
        fn never_over_budget_and_never_misses_a_fit(
            flights in proptest::collection::vec((1i64..200_000, -50i64..50), 0..8),
            hotels in proptest::collection::vec((1i64..300_000, 0i64..150), 1..8),
            budget in 1i64..500_000,
        ) {
            let (f, h) = (cands(&flights), cands(&hotels));
            let fit = |fi: Option<usize>, hi: usize| fi.map_or(0, |i| f[i].price) + h[hi].price <= budget;
            let any_fit = if f.is_empty() {
                (0..h.len()).any(|hi| fit(None, hi))
            } else {
                (0..f.len()).any(|fi| (0..h.len()).any(|hi| fit(Some(fi), hi)))
            };
            match choose(&f, &h, budget) {
                Some((fi, hi)) => {
                    prop_assert!(fit(fi, hi), "over budget");
                    prop_assert_eq!(fi.is_some(), !f.is_empty(), "a flight when flights were asked for");
                    // No feasible pair is better.
                    let q = fi.map_or(0, |i| f[i].quality) + h[hi].quality;
                    for a in 0..f.len().max(1) {
                        let fa = (!f.is_empty()).then_some(a);
                        for (b, hotel) in h.iter().enumerate() {
                            if fit(fa, b) {
                                prop_assert!(fa.map_or(0, |i| f[i].quality) + hotel.quality <= q);
                            }
                        }
                    }
                }
                None => prop_assert!(!any_fit, "a fitting pair was missed"),
            }
        }
    }
}
