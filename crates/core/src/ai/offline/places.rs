//! Places in a message: phrases resolved to airports and cities through `suggest_places`,
//! countries named where a city was expected, and where a phrase starts ("from", "to", "in").

use super::words::{FILLER, stops_phrase};
use crate::agency::Agency;
use crate::model::PlaceKind;

/// A place phrase resolved through `suggest_places`.
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub(super) code: String,
    pub(super) city: String,
    /// The phrase was a country, not a city: `city` holds the typed name.
    pub(super) country: bool,
    /// Close matches for a question when the phrase was a country or unclear.
    pub(super) options: Vec<String>,
    pub(super) words: usize,
}

pub(super) async fn resolve(agency: &dyn Agency, phrase: &[&str]) -> Option<Place> {
    let full = phrase.len();
    let mut phrase = phrase;
    while let Some(first) = phrase.first() {
        if FILLER.contains(first) {
            phrase = &phrase[1..];
        } else {
            break;
        }
    }
    let end = phrase
        .iter()
        .position(|w| stops_phrase(w))
        .unwrap_or(phrase.len())
        .min(4);
    for n in (1..=end).rev() {
        let q = phrase[..n].join(" ");
        let found = agency.suggest_places(&q, 5).await.ok()?;
        let country_name = crate::places::countries::code(&q).is_some();
        let top_score = found.first().map_or(0, |t| t.score);
        let threshold = if n == 1 { 350 } else { 450 };
        // A country ("Kenya", "New Zealand") unless a city of that name matches exactly.
        let is_country = country_name && top_score < 800;
        let Some(top) = found.first().filter(|_| !is_country) else {
            if is_country {
                return Some(country_place(&q, &found, n + (full - phrase.len())));
            }
            continue;
        };
        if top.score >= threshold && !is_country {
            // "Paris CDG": an airport code right after its city names that airport.
            if let Some(next) = phrase.get(n)
                && next.len() == 3
                && let Ok(found) = agency.suggest_places(next, 1).await
                && let Some(a) = found.first()
                && a.score >= 1000
                && a.kind == PlaceKind::Airport
                && a.city == top.city
            {
                return Some(Place {
                    code: a.code.clone(),
                    city: a.city.clone(),
                    country: false,
                    options: Vec::new(),
                    words: n + 1 + (full - phrase.len()),
                });
            }
            // "paris airport" and friends: a city beats one of its airports at the same score.
            return Some(Place {
                code: top.code.clone(),
                city: top.city.clone(),
                country: false,
                options: Vec::new(),
                words: n + (full - phrase.len()),
            });
        }
        if n == 1 && top.score == 300 {
            return Some(country_place(&q, &found, 1 + (full - phrase.len())));
        }
    }
    None
}

/// A country named where a city was expected: the typed name, with its airports as options.
pub(super) fn country_place(
    q: &str,
    found: &[crate::model::PlaceSuggestion],
    words: usize,
) -> Place {
    let mut options: Vec<String> = Vec::new();
    for s in found.iter().filter(|s| s.kind == PlaceKind::Airport) {
        let o = format!("{} ({})", s.city, s.code);
        if !options.contains(&o) {
            options.push(o);
        }
    }
    let name = q
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Place {
        code: String::new(),
        city: name,
        country: true,
        options,
        words,
    }
}

/// Finds the place after a marker word ("from", "to", "in"), if any.
pub(super) async fn place_after(
    agency: &dyn Agency,
    words: &[&str],
    markers: &[&str],
) -> Option<Place> {
    // The last "to" is the destination ("I want to fly from X to Y").
    let order: Vec<usize> = if markers.contains(&"to") {
        (0..words.len()).rev().collect()
    } else {
        (0..words.len()).collect()
    };
    for i in order {
        let w = &words[i];
        if markers.contains(w)
            && i + 1 < words.len()
            && let Some(p) = resolve(agency, &words[i + 1..]).await
        {
            return Some(p);
        }
    }
    None
}

/// "London to Barcelona": the words just before "to".
pub(super) async fn place_before_to(agency: &dyn Agency, words: &[&str]) -> Option<Place> {
    for (i, w) in words.iter().enumerate() {
        if *w != "to" || i == 0 {
            continue;
        }
        for len in (1..=3.min(i)).rev() {
            let phrase = &words[i - len..i];
            if phrase.iter().any(|w| stops_phrase(w) || FILLER.contains(w)) {
                continue;
            }
            if let Some(p) = resolve(agency, phrase).await
                && p.words == len
            {
                return Some(p);
            }
        }
    }
    None
}
