//! Time on the wire: local times with their UTC offset, ISO 8601 durations.

use jiff::{Timestamp, Zoned, tz};
use serde::{Deserialize, Deserializer, Serializer};

/// Formats a zoned time as `2027-03-14T08:25:00+00:00` (local time with its offset).
pub fn format_local(z: &Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses `2027-03-14T08:25:00+00:00` back into a time with that fixed offset.
pub fn parse_local(text: &str) -> Result<Zoned, String> {
    let ts: Timestamp = text
        .parse()
        .map_err(|e| format!("bad time '{text}': {e}"))?;
    let offset_text = text.get(text.len().saturating_sub(6)..).unwrap_or("");
    let offset = parse_offset(offset_text).ok_or_else(|| format!("no UTC offset in '{text}'"))?;
    Ok(ts.to_zoned(tz::TimeZone::fixed(offset)))
}

fn parse_offset(t: &str) -> Option<tz::Offset> {
    if t.ends_with('Z') {
        return Some(tz::Offset::UTC);
    }
    let b = t.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = t[1..3].parse().ok()?;
    let m: i32 = t[4..6].parse().ok()?;
    tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

pub mod local {
    use super::*;

    pub fn serialize<S: Serializer>(z: &Zoned, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_local(z))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zoned, D::Error> {
        let s = String::deserialize(d)?;
        parse_local(&s).map_err(serde::de::Error::custom)
    }
}

/// Minutes as an ISO 8601 duration, `PT7H25M`; days are not used (Duffel does the same).
pub fn iso_duration(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

pub fn parse_iso_duration(text: &str) -> Option<i64> {
    let rest = text.strip_prefix("PT")?;
    let mut total = 0i64;
    let mut num = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => num.push(c),
            'H' => total += std::mem::take(&mut num).parse::<i64>().ok()? * 60,
            'M' => total += std::mem::take(&mut num).parse::<i64>().ok()?,
            _ => return None,
        }
    }
    num.is_empty().then_some(total)
}

pub mod minutes {
    use super::*;

    pub fn serialize<S: Serializer>(m: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&iso_duration(*m))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let s = String::deserialize(d)?;
        parse_iso_duration(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("bad duration '{s}'")))
    }
}

/// "Sun 14 Mar 2027": the one way a travel day is written for people, in every face.
pub fn human_day(date: jiff::civil::Date) -> String {
    date.strftime("%a %-d %b %Y").to_string()
}

/// "7h25m" for people.
pub fn human_duration(minutes: i64) -> String {
    format!("{}h{:02}m", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_round_trip() {
        let z = "2027-03-14T08:25:00+09:00[Asia/Tokyo]"
            .parse::<Zoned>()
            .unwrap();
        let s = format_local(&z);
        assert_eq!(s, "2027-03-14T08:25:00+09:00");
        let back = parse_local(&s).unwrap();
        assert_eq!(back.timestamp(), z.timestamp());
        assert_eq!(format_local(&back), s);
        let neg = parse_local("2027-03-14T08:25:00-03:30").unwrap();
        assert_eq!(format_local(&neg), "2027-03-14T08:25:00-03:30");
    }

    #[test]
    fn durations() {
        assert_eq!(iso_duration(445), "PT7H25M");
        assert_eq!(iso_duration(60), "PT1H");
        assert_eq!(iso_duration(5), "PT5M");
        for m in [0, 5, 60, 445, 1439, 3000] {
            assert_eq!(parse_iso_duration(&iso_duration(m)), Some(m));
        }
        assert_eq!(parse_iso_duration("P1D"), None);
    }
}

/// A travel day as typed on a command line: `2027-03-14`, `today`, `tomorrow`, `+14d`, `+2w`,
/// `+1m`, or a weekday (`fri`, `friday`: the next one after today). Relative forms count
/// from `today`; whether the day is in the past is for the caller to judge.
pub fn parse_day(text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, String> {
    use jiff::ToSpan;
    let bad = || {
        format!(
            "'{text}' is not a date: use YYYY-MM-DD (2027-03-14), today, tomorrow, +14d, +2w, +1m \
             or a weekday (fri)"
        )
    };
    let t = text.trim().to_ascii_lowercase();
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        return Ok(d);
    }
    let add = |span: jiff::Span| today.checked_add(span).map_err(|_| bad());
    match t.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return add(1.day()),
        _ => {}
    }
    if let Some(rest) = t.strip_prefix('+') {
        let (digits, unit) =
            rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
        let n: i64 = digits.parse().map_err(|_| bad())?;
        if n > 3660 {
            return Err(bad());
        }
        return match unit {
            "d" => add(n.days()),
            "w" => add(n.weeks()),
            "m" => add(n.months()),
            _ => Err(bad()),
        };
    }
    const DAYS: [(&str, jiff::civil::Weekday); 7] = [
        ("monday", jiff::civil::Weekday::Monday),
        ("tuesday", jiff::civil::Weekday::Tuesday),
        ("wednesday", jiff::civil::Weekday::Wednesday),
        ("thursday", jiff::civil::Weekday::Thursday),
        ("friday", jiff::civil::Weekday::Friday),
        ("saturday", jiff::civil::Weekday::Saturday),
        ("sunday", jiff::civil::Weekday::Sunday),
    ];
    let (_, weekday) = DAYS
        .iter()
        .find(|(name, _)| t.len() >= 3 && name.starts_with(t.as_str()))
        .ok_or_else(bad)?;
    let ahead =
        (weekday.to_monday_zero_offset() - today.weekday().to_monday_zero_offset()).rem_euclid(7);
    add(i64::from(if ahead == 0 { 7 } else { ahead }).days())
}

#[cfg(test)]
mod day_tests {
    use super::parse_day;
    use jiff::civil::date;

    #[test]
    fn relative_days_count_from_today() {
        let today = date(2026, 11, 25); // a Wednesday
        let day = |t| parse_day(t, today);
        assert_eq!(day("2027-03-14"), Ok(date(2027, 3, 14)));
        assert_eq!(day("today"), Ok(today));
        assert_eq!(day("Tomorrow"), Ok(date(2026, 11, 26)));
        assert_eq!(day("+14d"), Ok(date(2026, 12, 9)));
        assert_eq!(day("+2w"), Ok(date(2026, 12, 9)));
        assert_eq!(day("+1m"), Ok(date(2026, 12, 25)));
        assert_eq!(day("fri"), Ok(date(2026, 11, 27)));
        assert_eq!(day("friday"), Ok(date(2026, 11, 27)));
        // The same weekday as today means next week's.
        assert_eq!(day("wed"), Ok(date(2026, 12, 2)));
        assert_eq!(day("mon"), Ok(date(2026, 11, 30)));
        for bad in [
            "",
            "+",
            "+d",
            "+3y",
            "fr",
            "next friday",
            "2027-02-30",
            "+99999d",
        ] {
            let e = day(bad).unwrap_err();
            assert!(e.contains("is not a date"), "{bad}: {e}");
        }
    }
}
