//! Checks the travellers of a booking: names, birth dates, the fare type their age gives on the
//! travel date, documents.

use super::*;

pub(super) fn validate_passengers(
    list: &[PassengerInput],
    travel: Date,
    today: Date,
) -> Result<()> {
    if list.is_empty() {
        return Err(Error::invalid(
            "at least one passenger is needed (--passenger \"Given,Family,YYYY-MM-DD\")",
        ));
    }
    if list.len() > 9 {
        return Err(Error::invalid("at most 9 passengers in one booking"));
    }
    let name_ok = |s: &str| {
        let t = s.trim();
        !t.is_empty()
            && t.chars().count() <= 50
            && t.chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
    };
    for (i, p) in list.iter().enumerate() {
        let who = format!("passenger {}", i + 1);
        if !name_ok(&p.given_name) || !name_ok(&p.family_name) {
            return Err(Error::invalid(format!(
                "{who}: names are 1-50 letters (spaces, hyphens and apostrophes allowed): '{} {}'",
                p.given_name, p.family_name
            )));
        }
        if p.born_on >= today {
            return Err(Error::invalid(format!(
                "{who}: date of birth {} is not in the past",
                p.born_on
            )));
        }
        if p.born_on.year() < today.year() - 120 {
            return Err(Error::invalid(format!(
                "{who}: date of birth {} is implausible",
                p.born_on
            )));
        }
        let age = PassengerType::age_on(p.born_on, travel);
        if let Some(kind) = p.kind
            && PassengerType::of_age(age) != kind
        {
            return Err(Error::invalid(format!(
                "{who} is {age} on {travel} and cannot travel as {} (adult 12+, child 2-11, infant under 2); \
                 leave the type out and it follows from the birth date",
                kind.as_str()
            )));
        }
        if let Some(doc) = &p.document
            && (doc.len() < 5 || doc.len() > 20 || !doc.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(Error::invalid(format!(
                "{who}: document number '{doc}' should be 5-20 letters and digits"
            )));
        }
    }
    Ok(())
}
