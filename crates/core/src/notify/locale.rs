//! Money, days and times written the way each supported language writes them. Four languages
//! are few enough to spell out here; a full CLDR library would weigh more than the rest of
//! the notifications together.

use crate::model::Money;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The languages notifications are written in; anything else falls back to the first.
pub const LOCALES: [&str; 4] = ["en", "es", "fr", "de"];

/// A supported language from a tag such as `es`, `es-MX` or `fr_CA`; English otherwise.
pub fn pick(tag: &str) -> &'static str {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    LOCALES
        .into_iter()
        .find(|l| *l == primary)
        .unwrap_or(LOCALES[0])
}

/// `EUR 1,234.50` (en), `1.234,50 EUR` (es, de), `1 234,50 EUR` (fr, with a narrow no-break
/// space).
pub fn money(locale: &str, m: Money) -> String {
    let plain = m.decimal();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let (group, point) = match locale {
        "es" | "de" => (".", ","),
        "fr" => ("\u{202f}", ","),
        _ => (",", "."),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let number = match fraction {
        Some(f) => format!("{sign}{grouped}{point}{f}"),
        None => format!("{sign}{grouped}"),
    };
    match locale {
        "es" | "fr" | "de" => format!("{number} {}", m.currency),
        _ => format!("{} {number}", m.currency),
    }
}

const WEEKDAYS: [[&str; 7]; 4] = [
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
];

const MONTHS: [[&str; 12]; 4] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
];

fn index(locale: &str) -> usize {
    LOCALES.iter().position(|l| *l == locale).unwrap_or(0)
}

/// `Sunday 14 March 2027`, `domingo, 14 de marzo de 2027`, `dimanche 14 mars 2027`,
/// `Sonntag, 14. März 2027`.
pub fn day(locale: &str, d: Date) -> String {
    let i = index(locale);
    let weekday = WEEKDAYS[i][d.weekday().to_monday_zero_offset() as usize];
    let month = MONTHS[i][d.month() as usize - 1];
    let (n, y) = (d.day(), d.year());
    match locale {
        "es" => format!("{weekday}, {n} de {month} de {y}"),
        "fr" => format!("{weekday} {n} {month} {y}"),
        "de" => format!("{weekday}, {n}. {month} {y}"),
        _ => format!("{weekday} {n} {month} {y}"),
    }
}

/// A moment as a day and a 24-hour time in `zone`, with the zone's abbreviation:
/// `Sunday 14 March 2027, 09:05 CET`.
pub fn moment(locale: &str, at: Timestamp, zone: &TimeZone) -> String {
    let local = at.to_zoned(zone.clone());
    let at_word = match locale {
        "fr" => " à",
        "de" => " um",
        "es" => " a las",
        _ => "",
    };
    format!(
        "{},{at_word} {} {}",
        day(locale, local.date()),
        local.strftime("%H:%M"),
        local.strftime("%Z")
    )
}

/// A zone from its IANA name; UTC when the name is unknown (names are checked when set).
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Currency;

    #[test]
    fn money_is_grouped_and_pointed_per_language() {
        let m = Money::new(123_450, Currency::EUR);
        assert_eq!(money("en", m), "EUR 1,234.50");
        assert_eq!(money("es", m), "1.234,50 EUR");
        assert_eq!(money("de", m), "1.234,50 EUR");
        assert_eq!(money("fr", m), "1\u{202f}234,50 EUR");
        assert_eq!(money("en", Money::new(-5, Currency::EUR)), "EUR -0.05");
        assert_eq!(
            money("de", Money::new(1_000_000, Currency::parse("JPY").unwrap())),
            "1.000.000 JPY"
        );
    }

    #[test]
    fn days_read_as_each_language_writes_them() {
        let d: Date = "2027-03-14".parse().unwrap();
        assert_eq!(day("en", d), "Sunday 14 March 2027");
        assert_eq!(day("es", d), "domingo, 14 de marzo de 2027");
        assert_eq!(day("fr", d), "dimanche 14 mars 2027");
        assert_eq!(day("de", d), "Sonntag, 14. März 2027");
    }

    #[test]
    fn a_moment_is_in_the_travellers_zone() {
        let at: Timestamp = "2027-03-14T08:05:00Z".parse().unwrap();
        assert_eq!(
            moment("de", at, &zone("Europe/Berlin")),
            "Sonntag, 14. März 2027, um 09:05 CET"
        );
        assert_eq!(
            moment("en", at, &zone("America/New_York")),
            "Sunday 14 March 2027, 04:05 EDT"
        );
        assert_eq!(
            moment("en", at, &zone("Nowhere/Else")),
            "Sunday 14 March 2027, 08:05 UTC"
        );
    }

    #[test]
    fn an_unknown_language_falls_back_to_english() {
        assert_eq!(pick("es-MX"), "es");
        assert_eq!(pick("FR_ca"), "fr");
        assert_eq!(pick("pt"), "en");
        assert_eq!(pick(""), "en");
    }
}
