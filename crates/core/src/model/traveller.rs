//! A traveller as entered at booking time: what every supplier and the desk read of a person.

use super::PassengerType;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A traveller as entered at booking time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassengerInput {
    pub given_name: String,
    pub family_name: String,
    pub born_on: Date,
    /// Adult, child or infant. Left out, it follows from the birth date on the first day of
    /// travel (the booking desk fills it in); given, it must agree with that age.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PassengerType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Needed by real airlines (Duffel); the sandbox does without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// A traveller's gender as airlines record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    M,
    F,
}

impl Gender {
    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::M => "m",
            Gender::F => "f",
        }
    }

    pub fn parse(text: &str) -> Option<Gender> {
        match text.trim().to_ascii_lowercase().as_str() {
            "m" | "male" => Some(Gender::M),
            "f" | "female" => Some(Gender::F),
            _ => None,
        }
    }
}

impl PassengerInput {
    /// The fare type of a booked traveller. The desk fills the type in before anything reads
    /// it (suppliers, tickets, the store), so a booking's travellers always have one; a bare
    /// request that never reached the desk counts as an adult.
    pub fn kind(&self) -> PassengerType {
        self.kind.unwrap_or(PassengerType::Adult)
    }

    /// The fare type: as given, or what the age on `travel` makes it.
    pub fn kind_on(&self, travel: Date) -> PassengerType {
        self.kind
            .unwrap_or_else(|| PassengerType::on(self.born_on, travel))
    }
}

/// Whether `email` (already trimmed) is an address mail can reach: `local@domain` within
/// SMTP's limits (RFC 5321: 254 bytes in all, a local part of at most 64, labels of at most
/// 63) and with sane parts: a local part of dot-separated atoms (letters, digits and
/// ``!#$%&'*+-/=?^_`{|}~``, or any non-ASCII letter) with no empty atom (`ada..l@`, `.ada@`),
/// and a domain of two or more labels of letters, digits and inner hyphens, none empty
/// (`ada@x..com`), ending in a top-level label of two or more characters that is not all
/// digits. Quoted local parts and address literals (`"a b"@x.org`, `ada@[10.0.0.1]`) are
/// refused: no traveller needs them. The one check behind accounts, profiles and a
/// booking's contact.
pub fn is_email(email: &str) -> bool {
    const ATEXT: &str = "!#$%&'*+-/=?^_`{|}~";
    if email.len() > 254 {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || ATEXT.contains(c)
                        || (!c.is_ascii() && c.is_alphanumeric())
                })
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c == '-' || c.is_alphanumeric())
        })
        && labels.last().is_some_and(|tld| {
            tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())
        });
    local_ok && domain_ok
}

/// The refusal of a text that is not an email address (long texts shortened).
pub fn not_an_email(given: &str) -> crate::error::Error {
    let shown: String = given.chars().take(80).collect();
    let more = if given.chars().count() > 80 {
        "..."
    } else {
        ""
    };
    crate::error::Error::invalid(format!("'{shown}{more}' is not an email address"))
}

#[cfg(test)]
mod email_tests {
    use super::*;

    #[test]
    fn emails_are_checked_once_and_long_ones_refused() {
        assert!(is_email("ada@example.com"));
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@example",
            "ada@.com",
            "a da@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(5_000));
        assert!(!is_email(&long));
        // RFC 5321's limits and sane labels.
        let local_64 = format!("{}@example.com", "a".repeat(64));
        let label_63 = format!("ada@{}.com", "b".repeat(63));
        for good in [
            "ada.lovelace+trips@example.co.uk",
            "a@b.io",
            "o'brien@example.ie",
            "zoë@exämple.de",
            local_64.as_str(),
            label_63.as_str(),
        ] {
            assert!(is_email(good), "{good}");
        }
        let local_65 = format!("{}@example.com", "a".repeat(65));
        let label_64 = format!("ada@{}.com", "b".repeat(64));
        let total_255 = format!("ada@{}.com", vec!["c".repeat(50); 5].join("."));
        assert!(total_255.len() > 254);
        for bad in [
            "ada@x..com",
            "ada@.example.com",
            "ada@example.com.",
            "ada..l@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "ada@-example.com",
            "ada@example-.com",
            "ada@exa_mple.com",
            "ada@example.c",
            "ada@10.0.0.1",
            "ada@@example.com",
            "ada@[10.0.0.1]",
            "\"a b\"@example.org",
            "ada<x>@example.com",
            local_65.as_str(),
            label_64.as_str(),
            total_255.as_str(),
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        let message = not_an_email(&long).to_string();
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn a_passenger_with_an_unknown_field_is_refused_not_ignored() {
        let ok = r#"{"given_name":"Ada","family_name":"Lovelace","born_on":"1990-12-10"}"#;
        assert!(serde_json::from_str::<PassengerInput>(ok).is_ok());
        let typo = r#"{"given_name":"Ada","family_name":"Lovelace","born_on":"1990-12-10","pasport":"X1"}"#;
        let err = serde_json::from_str::<PassengerInput>(typo).unwrap_err();
        assert!(err.to_string().contains("unknown field `pasport`"), "{err}");
    }
}
