//! The travel calendar prices follow: seasons (per-mille demand by date, flipped south of the
//! equator) and day numbers for date arithmetic in integers.

use jiff::civil::Date;

/// Per-mille multiplier for the travel season of a date; `south` flips the seasons.
pub fn season(date: Date, south: bool) -> i64 {
    let (m, d) = (date.month(), date.day());
    if (m == 12 && d >= 18) || (m == 1 && d <= 3) {
        return 1350;
    }
    let month = if south { (m + 5) % 12 + 1 } else { m };
    match month {
        1 => 850,
        2 => 880,
        3 => 950,
        4 => 1050,
        5 => 1000,
        6 => 1120,
        7 => 1280,
        8 => 1250,
        9 => 1000,
        10 => 980,
        11 => 900,
        _ => 1100,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), for cheap date arithmetic.
pub fn day_number(d: Date) -> i64 {
    let (y, m, day) = (
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days between two dates.
pub fn days_between(from: Date, to: Date) -> i64 {
    day_number(to) - day_number(from)
}
