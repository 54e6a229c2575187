//! Sandbox fares and demand: distance-based fares per cabin with season, weekday, advance
//! purchase, time-of-day and load-factor curves. All arithmetic is integer (per-mille
//! factors), all randomness comes from `geo::hash`, so fares are reproducible.

use super::network::weekday_index;
use crate::geo;
pub use crate::model::season::{days_between, season};
use crate::model::{Cabin, PassengerType};
use jiff::civil::Date;

/// Per-mille multiplier for the day of the week travel starts.
pub fn weekday(date: Date) -> i64 {
    [1020, 920, 930, 1000, 1120, 970, 1100][usize::from(weekday_index(date))]
}

/// Per-mille multiplier for how far ahead the ticket is bought.
pub fn advance_purchase(days_ahead: i64) -> i64 {
    match days_ahead {
        i64::MIN..=2 => 1850,
        3..=6 => 1500,
        7..=13 => 1250,
        14..=20 => 1100,
        21..=59 => 1000,
        60..=119 => 950,
        _ => 980,
    }
}

/// Per-mille multiplier for departure time: peaks cost more, red-eyes less.
pub fn time_of_day(minute: u16) -> i64 {
    match minute {
        0..=359 => 900,
        420..=539 | 1020..=1139 => 1060,
        1320.. => 920,
        _ => 1000,
    }
}

/// Per-mille multiplier from how full the flight is (0..=1000 per mille): cheap while empty,
/// steep when nearly full.
pub fn load_factor(lf_permille: i64) -> i64 {
    let lf = lf_permille.clamp(0, 1000);
    850 + 900 * lf * lf * lf / 1_000_000_000
}

/// Share of the cabin the rest of the market has booked by `days_ahead` (per mille).
pub fn market_load(flight_seed: u64, days_ahead: i64, season_pm: i64) -> i64 {
    let base = 350 + geo::pick(flight_seed, 400) as i64; // 35-75 % at departure
    let seasonal = (season_pm - 1000) / 3; // busy seasons fill up more
    let curve = (1000 - days_ahead.max(0) * 1000 / 250).clamp(200, 1000);
    ((base + seasonal) * curve / 1000).clamp(50, 950)
}

/// Economy base fare of one segment in EUR cents before any factor.
pub fn segment_base(dist_km: u32, low_cost: bool, airline_seed: u64) -> i64 {
    let d = i64::from(dist_km);
    let raw = if low_cost {
        900 + d * 35 / 10
    } else {
        4500 + d * 7
    };
    // Airlines price differently: 0.90-1.15.
    raw * (900 + geo::pick(airline_seed, 251) as i64) / 1000
}

/// Per-mille cabin multiplier over economy.
pub fn cabin_factor(cabin: Cabin, dist_km: u32) -> i64 {
    match cabin {
        Cabin::Economy => 1000,
        Cabin::PremiumEconomy => 1650,
        Cabin::Business if dist_km < 2500 => 2600,
        Cabin::Business => 3900,
        Cabin::First => 6500,
    }
}

/// Discount for connecting itineraries (they sell below the sum of their legs).
pub fn connection_factor(legs: usize) -> i64 {
    match legs {
        0 | 1 => 1000,
        2 => 820,
        _ => 720,
    }
}

/// Share of the adult fare by passenger type (per mille).
pub fn passenger_share(kind: PassengerType) -> i64 {
    match kind {
        PassengerType::Adult => 1000,
        PassengerType::Child => 750,
        PassengerType::Infant => 100,
    }
}

/// Taxes and charges of one passenger on one segment, EUR cents.
pub fn segment_tax(dist_km: u32, kind: PassengerType) -> i64 {
    match kind {
        PassengerType::Infant => 500,
        _ => 1200 + if dist_km > 3000 { 3500 } else { 900 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn curves_are_sane() {
        assert!(advance_purchase(1) > advance_purchase(30));
        assert!(load_factor(950) > load_factor(300));
        assert_eq!(load_factor(0), 850);
        assert!(
            season(Date::constant(2027, 7, 15), false) > season(Date::constant(2027, 1, 20), false)
        );
        assert!(
            season(Date::constant(2027, 7, 15), true) < season(Date::constant(2027, 1, 20), true)
        );
        assert_eq!(season(Date::constant(2027, 12, 24), true), 1350);
    }

    proptest! {
        #[test]
        fn market_load_is_a_share(seed: u64, days in -5i64..400, season in 800i64..1400) {
            let l = market_load(seed, days, season);
            prop_assert!((50..=950).contains(&l));
        }

        #[test]
        fn base_fares_grow_with_distance(d in 100u32..15000, seed: u64) {
            prop_assert!(segment_base(d + 500, false, seed) > segment_base(d, false, seed));
            prop_assert!(segment_base(d, true, seed) < segment_base(d, false, seed));
        }
    }
}
