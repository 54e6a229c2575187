//! Offers from priced slices: every passenger's fare and taxes, the segments in local time,
//! a stable id, and the fare rules (refunds, changes, bags) by cabin.

use super::{MCT_INTERNATIONAL, OFFER_TTL_SECONDS, SliceOption, designator, fares};
use crate::geo;
use crate::model::{
    Cabin, Conditions, FarePrice, FlightOffer, Money, Passengers, Penalty, Segment, Slice, Ticket,
    Ticketing,
};
use crate::providers::FlightRequest;
use crate::providers::sandbox::network::Network;
use jiff::Timestamp;

/// Each slice must leave after the previous one lands (plus a connection).
pub(super) fn chronological(slices: &[&SliceOption]) -> bool {
    slices.windows(2).all(|w| {
        let arr = w[0].legs.last().map_or(0, |l| l.arr);
        let dep = w[1].legs.first().map_or(0, |l| l.dep);
        dep - arr >= MCT_INTERNATIONAL * 60
    })
}

pub(super) fn build_offer(
    net: &Network,
    req: &FlightRequest,
    slices: &[&SliceOption],
) -> FlightOffer {
    let places = &net.places;
    let pax = req.passengers.list();
    let mut base = 0i64;
    let mut tax = 0i64;
    let owner_idx = slices[0].legs[0].edge.airline;
    let same_owner = slices
        .iter()
        .all(|s| s.legs.iter().all(|l| l.edge.airline == owner_idx));
    // Round trips on one airline earn a small discount.
    let rt_factor = if slices.len() > 1 && same_owner {
        950
    } else {
        1000
    };
    for p in &pax {
        for s in slices {
            base += s.adult_base * rt_factor / 1000 * fares::passenger_share(p.kind) / 1000;
            tax += s
                .legs
                .iter()
                .map(|l| fares::segment_tax(l.edge.dist_km, p.kind))
                .sum::<i64>();
        }
    }
    let zoned = |ts: i64, airport: u32| {
        Timestamp::from_second(ts)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(places.tz(airport as usize).clone())
    };
    let out_slices: Vec<Slice> = slices
        .iter()
        .map(|s| {
            let segments: Vec<Segment> = s
                .legs
                .iter()
                .map(|l| {
                    let airline = &places.airlines[l.edge.airline as usize];
                    Segment {
                        origin: places.airports[l.edge.from as usize].iata.clone(),
                        destination: places.airports[l.edge.to as usize].iata.clone(),
                        departing_at: zoned(l.dep, l.edge.from),
                        arriving_at: zoned(l.arr, l.edge.to),
                        marketing_carrier: airline.code.clone(),
                        flight_number: designator(net, l),
                        operating_carrier: airline.code.clone(),
                        aircraft: l.schedule.aircraft.code.to_string(),
                        duration_minutes: (l.arr - l.dep) / 60,
                        distance_km: l.edge.dist_km,
                    }
                })
                .collect();
            let first = &segments[0];
            let last = &segments[segments.len() - 1];
            Slice {
                origin: first.origin.clone(),
                destination: last.destination.clone(),
                departing_at: first.departing_at.clone(),
                arriving_at: last.arriving_at.clone(),
                duration_minutes: s.duration(),
                segments,
            }
        })
        .collect();
    let low_cost = slices
        .iter()
        .any(|s| s.legs.iter().any(|l| net.low_cost(l.edge.airline)));
    let long_haul = slices
        .iter()
        .any(|s| s.legs.iter().any(|l| l.edge.dist_km > 3000));
    let price = FarePrice {
        base: Money::eur(base),
        tax: Money::eur(tax),
    };
    let owner = places.airlines[owner_idx as usize].code.clone();
    let ticketing = slices
        .iter()
        .map(|s| s.ticketing())
        .max()
        .unwrap_or_default();
    let mut conds = conditions(req.cabin, low_cost, long_haul);
    let mut bags = checked_bags(req.cabin, low_cost);
    let mut tickets = Vec::new();
    let mut warnings = Vec::new();
    if ticketing == Ticketing::SelfTransfer {
        // What a non-refundable ticket keeps of the base fare, for all passengers.
        let kept = |adult_base: i64| -> i64 {
            pax.iter()
                .map(|p| adult_base * rt_factor / 1000 * fares::passenger_share(p.kind) / 1000)
                .sum()
        };
        let (mut refund_fee, mut refundable_any) = (0i64, false);
        let (mut change_fee, mut changeable_all) = (0i64, true);
        for s in slices {
            for (k, &(start, adult_base)) in s.tickets.iter().enumerate() {
                let end = s.tickets.get(k + 1).map_or(s.legs.len(), |t| t.0);
                let legs = &s.legs[start..end];
                let lc = legs.iter().any(|l| net.low_cost(l.edge.airline));
                let lh = legs.iter().any(|l| l.edge.dist_km > 3000);
                let c = conditions(req.cabin, lc, lh);
                // Each ticket refunds by its own rule: a refundable one gives back all but
                // its fee, a non-refundable one its taxes only.
                match c.refund_before_departure.fee() {
                    Some(fee) => {
                        refundable_any = true;
                        refund_fee += fee.minor;
                    }
                    None => refund_fee += kept(adult_base),
                }
                match c.change_before_departure.fee() {
                    Some(fee) => change_fee += fee.minor,
                    None => changeable_all = false,
                }
                let ticket_bags = checked_bags(req.cabin, lc);
                bags = bags.min(ticket_bags);
                tickets.push(Ticket {
                    owner: places.airlines[legs[0].edge.airline as usize].code.clone(),
                    flights: legs.iter().map(|l| designator(net, l)).collect(),
                    conditions: c,
                    checked_bags: ticket_bags,
                });
            }
            for (i, link) in s.links.iter().enumerate() {
                if *link == Ticketing::SelfTransfer {
                    warnings.push(self_transfer_warning(net, &s.legs[i], &s.legs[i + 1]));
                }
            }
        }
        conds = Conditions {
            refund_before_departure: if refundable_any {
                Penalty::with_fee(Money::eur(refund_fee))
            } else {
                Penalty::not_allowed()
            },
            change_before_departure: if changeable_all {
                Penalty::with_fee(Money::eur(change_fee))
            } else {
                Penalty::not_allowed()
            },
        };
    }
    let mut offer = FlightOffer {
        id: String::new(),
        provider: crate::providers::sandbox::NAME.to_string(),
        price,
        expires_at: Timestamp::from_second(req.now.as_second() + OFFER_TTL_SECONDS)
            .unwrap_or(req.now),
        cabin_class: req.cabin,
        passengers: pax,
        slices: out_slices,
        conditions: conds,
        checked_bags: bags,
        available_seats: slices.iter().map(|s| s.seats_left).min().unwrap_or(0),
        owner,
        supplier_offer_id: None,
        supplier_offer: None,
        ticketing,
        tickets,
        warnings,
    };
    offer.id = offer_id(&offer, &req.passengers);
    offer
}

/// The warning a self-transfer between two flights carries, naming the airports.
fn self_transfer_warning(net: &Network, arrive: &super::Flight, leave: &super::Flight) -> String {
    let places = &net.places;
    let (a, b) = (
        &places.airports[arrive.edge.to as usize],
        &places.airports[leave.edge.from as usize],
    );
    let airports = if a.iata == b.iata {
        format!("at {} ({})", a.iata, a.city)
    } else {
        format!(
            "in {} (land at {}, leave from {}: allow for the trip between airports)",
            a.city, a.iata, b.iata
        )
    };
    format!(
        "Self-transfer {airports}: separate tickets, so a missed connection is not protected \
         (the next airline need not rebook you) and bags must be collected and checked in again."
    )
}

/// A stable id: the same itinerary, passengers and price give the same id.
pub fn offer_id(offer: &FlightOffer, pax: &Passengers) -> String {
    let h = geo::hash(&[
        geo::word(&offer.itinerary_key()),
        geo::word(&offer.provider),
        u64::from(pax.adults) << 16 | u64::from(pax.children) << 8 | u64::from(pax.infants),
        offer.total().minor as u64,
    ]);
    format!("off_{h:016x}")
}

/// Fare rules by cabin: what refunds and changes cost.
pub fn conditions(cabin: Cabin, low_cost: bool, long_haul: bool) -> Conditions {
    let eur = |e: i64| Penalty::with_fee(Money::eur(e * 100));
    if low_cost {
        return Conditions {
            refund_before_departure: Penalty::not_allowed(),
            change_before_departure: eur(60),
        };
    }
    match cabin {
        Cabin::Economy if long_haul => Conditions {
            refund_before_departure: eur(200),
            change_before_departure: eur(100),
        },
        Cabin::Economy => Conditions {
            refund_before_departure: Penalty::not_allowed(),
            change_before_departure: eur(50),
        },
        Cabin::PremiumEconomy => Conditions {
            refund_before_departure: eur(100),
            change_before_departure: eur(0),
        },
        Cabin::Business => Conditions {
            refund_before_departure: eur(0),
            change_before_departure: eur(0),
        },
        Cabin::First => Conditions {
            refund_before_departure: eur(0),
            change_before_departure: eur(0),
        },
    }
}

pub fn checked_bags(cabin: Cabin, low_cost: bool) -> u8 {
    match (low_cost, cabin) {
        (true, _) => 0,
        (false, Cabin::Economy) => 1,
        (false, Cabin::PremiumEconomy | Cabin::Business) => 2,
        (false, Cabin::First) => 3,
    }
}
