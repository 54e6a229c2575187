//! Dates in travel requests, relative to today: "next Friday", "on 14 March", "in April",
//! "for 5 nights", "this weekend", "2027-03-14", "3-7 May", "returning 20 March".

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dates {
    /// Departure or check-in.
    pub first: Option<Date>,
    /// Return or check-out.
    pub second: Option<Date>,
    /// A whole month was named without a day ("in April"): its first day.
    pub month: Option<Date>,
    /// "for 5 nights", "a week".
    pub nights: Option<i64>,
    /// Words that were read as dates (so the caller can skip them).
    pub used: Vec<usize>,
}

pub fn month_number(w: &str) -> Option<i8> {
    let m = match w {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

pub fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

pub fn number(w: &str) -> Option<i64> {
    if let Ok(n) = w.parse::<i64>() {
        return Some(n);
    }
    Some(match w {
        "a" | "an" | "one" | "single" => 1,
        "two" | "couple" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fourteen" => 14,
        _ => return None,
    })
}

/// A day of the month: "14", "14th", "1st".
fn day_of_month(w: &str) -> Option<i8> {
    let digits = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(w);
    let d: i8 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// The next `month`/`day` on or after today.
fn upcoming(today: Date, month: i8, day: i8) -> Option<Date> {
    let this = Date::new(today.year(), month, day).ok();
    match this {
        Some(d) if d >= today => Some(d),
        _ => Date::new(today.year() + 1, month, day).ok(),
    }
}

fn upcoming_month(today: Date, month: i8) -> Option<Date> {
    if month == today.month() {
        return Some(today);
    }
    let year = if month < today.month() {
        today.year() + 1
    } else {
        today.year()
    };
    Date::new(year, month, 1).ok()
}

/// The first `wd` strictly after today.
fn next_weekday(today: Date, wd: Weekday) -> Date {
    let mut d = today;
    for _ in 0..7 {
        d = d.tomorrow().unwrap_or(d);
        if d.weekday() == wd {
            return d;
        }
    }
    d
}

fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(n.days()).ok()
}

/// Reads every date expression in `words` (lower case, punctuation split off).
pub fn read(words: &[&str], today: Date) -> Dates {
    let mut out = Dates::default();
    // Dates in order of appearance, with whether a "return" word introduced them.
    let mut found: Vec<(Date, bool)> = Vec::new();
    let is_return_word = |i: usize| {
        (i >= 1
            && matches!(
                words[i - 1],
                "returning" | "return" | "back" | "until" | "till" | "til" | "checkout" | "out"
            ))
            || (i >= 2
                && matches!(
                    words[i - 2],
                    "returning" | "return" | "back" | "until" | "till" | "checkout"
                ))
            || (i >= 3 && words[i - 3] == "back")
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let ret = is_return_word(i);
        // ISO date.
        if w.len() == 10
            && let Ok(d) = w.parse::<Date>()
        {
            found.push((d, ret));
            out.used.push(i);
            i += 1;
            continue;
        }
        match w {
            "today" | "tonight" => {
                found.push((today, ret));
                out.used.push(i);
                i += 1;
                continue;
            }
            "tomorrow" => {
                let after = i >= 2 && words[i - 2..i] == ["day", "after"];
                let d = add_days(today, if after { 2 } else { 1 });
                if let Some(d) = d {
                    found.push((d, ret));
                }
                out.used.push(i);
                i += 1;
                continue;
            }
            "weekend" => {
                // Friday to Sunday: this weekend, or the one after with "next".
                let next = i >= 1 && words[i - 1] == "next";
                let mut fri = if today.weekday() == Weekday::Friday {
                    today
                } else {
                    next_weekday(today, Weekday::Friday)
                };
                if next {
                    fri = add_days(fri, 7).unwrap_or(fri);
                }
                found.push((fri, false));
                if let Some(sun) = add_days(fri, 2) {
                    found.push((sun, true));
                }
                out.used.push(i);
                i += 1;
                continue;
            }
            _ => {}
        }
        // "next week": next Monday.
        if w == "week" && i >= 1 && words[i - 1] == "next" && !(i >= 2 && words[i - 2] == "a") {
            let d = next_weekday(today, Weekday::Monday);
            found.push((d, ret));
            out.used.push(i);
            i += 1;
            continue;
        }
        // "in 3 days", "in two weeks", "in a week".
        if w == "in"
            && i + 2 < words.len() + 1
            && let (Some(n), Some(unit)) =
                (words.get(i + 1).and_then(|w| number(w)), words.get(i + 2))
        {
            let days = match *unit {
                "day" | "days" => Some(n),
                "week" | "weeks" => Some(n * 7),
                _ => None,
            };
            if let Some(days) = days
                && let Some(d) = add_days(today, days)
            {
                found.push((d, ret));
                out.used.extend([i + 1, i + 2]);
                i += 3;
                continue;
            }
        }
        // Weekday names.
        if let Some(wd) = weekday(w) {
            let d = next_weekday(today, wd);
            let d = if i >= 1 && words[i - 1] == "following" {
                add_days(d, 7).unwrap_or(d)
            } else {
                d
            };
            found.push((d, ret));
            out.used.push(i);
            i += 1;
            continue;
        }
        // Nights: "for 5 nights", "5 nights", "a week" (stay), "two weeks".
        // "200 a night" is a price: "a night" is a stay only after "for" or "stay".
        let a_price = matches!(w, "a" | "an" | "per" | "each")
            && !(i >= 1 && matches!(words[i - 1], "for" | "stay" | "just" | "only"));
        if let Some(n) = number(w)
            && !a_price
            && let Some(unit) = words.get(i + 1)
            && !(i >= 1 && words[i - 1] == "in")
        {
            let nights = match *unit {
                "night" | "nights" | "nts" => Some(n),
                "week" | "weeks" if i >= 1 && matches!(words[i - 1], "for" | "stay") => Some(n * 7),
                _ => None,
            };
            if let Some(n) = nights {
                out.nights = Some(n);
                out.used.extend([i, i + 1]);
                i += 2;
                continue;
            }
        }
        // Day ranges with the month after: "3-7 may", "3 to 7 may", "between 3 and 7 may".
        if let Some((a, b)) = w.split_once('-')
            && let (Some(a), Some(b)) = (day_of_month(a), day_of_month(b))
        {
            let mut j = i + 1;
            if words.get(j) == Some(&"of") {
                j += 1;
            }
            if let Some(m) = words.get(j).and_then(|w| month_number(w)) {
                if let (Some(d1), Some(d2)) = (upcoming(today, m, a), upcoming(today, m, b)) {
                    found.push((d1, false));
                    found.push((d2, true));
                }
                out.used.extend(i..=j);
                i = j + 1;
                continue;
            }
        }
        if let Some(a) = day_of_month(w)
            && matches!(
                words.get(i + 1),
                Some(&"to") | Some(&"and") | Some(&"until") | Some(&"-")
            )
            && let Some(b) = words.get(i + 2).and_then(|w| day_of_month(w))
        {
            let mut j = i + 3;
            if words.get(j) == Some(&"of") {
                j += 1;
            }
            if let Some(m) = words.get(j).and_then(|w| month_number(w)) {
                if let (Some(d1), Some(d2)) = (upcoming(today, m, a), upcoming(today, m, b)) {
                    found.push((d1, false));
                    found.push((d2, true));
                }
                out.used.extend(i..=j);
                i = j + 1;
                continue;
            }
        }
        // "14 march", "14th of march".
        if let Some(d) = day_of_month(w) {
            let mut j = i + 1;
            if words.get(j) == Some(&"of") {
                j += 1;
            }
            if let Some(m) = words.get(j).and_then(|w| month_number(w)) {
                if let Some(date) = upcoming(today, m, d) {
                    found.push((date, ret));
                }
                out.used.extend(i..=j);
                i = j + 1;
                continue;
            }
        }
        // "march 14", "march 14th", or a month alone.
        if let Some(m) = month_number(w) {
            // "may" is also a verb: only as a month after "in"/"of"/"early"/"late"/"mid"/"until" or
            // before a day.
            let day = words.get(i + 1).and_then(|w| day_of_month(w));
            let prev = if i >= 1 { words[i - 1] } else { "" };
            let month_context = matches!(
                prev,
                "in" | "of"
                    | "early"
                    | "late"
                    | "mid"
                    | "during"
                    | "for"
                    | "until"
                    | "this"
                    | "next"
                    | "on"
                    | "by"
            );
            if w == "may" && day.is_none() && !month_context {
                i += 1;
                continue;
            }
            if let Some(d) = day {
                if let Some(date) = upcoming(today, m, d) {
                    found.push((date, ret));
                }
                out.used.extend([i, i + 1]);
                i += 2;
                continue;
            }
            if let Some(first) = upcoming_month(today, m) {
                out.month = Some(first);
            }
            out.used.push(i);
        }
        i += 1;
    }
    let mut firsts = found.iter().filter(|(_, r)| !r).map(|(d, _)| *d);
    let mut returns = found.iter().filter(|(_, r)| *r).map(|(d, _)| *d);
    out.first = firsts.next();
    out.second = returns.next().or_else(|| firsts.next());
    if out.first.is_none() {
        // Only a return date was said ("until Friday") or nothing.
        out.first = out.second.take();
    }
    if let (Some(first), Some(n)) = (out.first, out.nights)
        && out.second.is_none()
    {
        out.second = add_days(first, n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn read_str(s: &str) -> Dates {
        let words: Vec<&str> = s.split_whitespace().collect();
        // Wednesday 25 November 2026.
        read(&words, d("2026-11-25"))
    }

    #[test]
    fn relative_and_absolute_dates() {
        assert_eq!(read_str("next friday").first, Some(d("2026-11-27")));
        assert_eq!(read_str("on 14 march").first, Some(d("2027-03-14")));
        assert_eq!(read_str("march 14th").first, Some(d("2027-03-14")));
        assert_eq!(read_str("on 14th of december").first, Some(d("2026-12-14")));
        assert_eq!(read_str("tomorrow").first, Some(d("2026-11-26")));
        assert_eq!(
            read_str("the day after tomorrow").first,
            Some(d("2026-11-27"))
        );
        assert_eq!(read_str("in april").month, Some(d("2027-04-01")));
        assert_eq!(read_str("in 2 weeks").first, Some(d("2026-12-09")));
        let w = read_str("this weekend");
        assert_eq!(
            (w.first, w.second),
            (Some(d("2026-11-27")), Some(d("2026-11-29")))
        );
        let n = read_str("on 3 december for 5 nights");
        assert_eq!(
            (n.first, n.second),
            (Some(d("2026-12-03")), Some(d("2026-12-08")))
        );
        let r = read_str("3-7 may");
        assert_eq!(
            (r.first, r.second),
            (Some(d("2027-05-03")), Some(d("2027-05-07")))
        );
        let r = read_str("on 2026-12-20 returning 2027-01-02");
        assert_eq!(
            (r.first, r.second),
            (Some(d("2026-12-20")), Some(d("2027-01-02")))
        );
        assert_eq!(read_str("may i fly").month, None);
        // A nightly price is not a length of stay.
        let n = read_str("for 7 nights from 10 july under 200 a night");
        assert_eq!(
            (n.first, n.second, n.nights),
            (Some(d("2027-07-10")), Some(d("2027-07-17")), Some(7))
        );
        assert_eq!(read_str("for a night").nights, Some(1));
    }
}
