//! Booking from a conversation: which offer ("option 2", an off_ id), the travellers
//! ("Given Family born YYYY-MM-DD") and the contact email, checked against the offer seen.

use super::dates;
use super::follow::ordinal;
use super::words::has_seq;
use super::{Draft, Outcome, Plan, json_map};
use crate::ai::tools::Session;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

/// "book option 2 for Ana Lopez born 1990-04-02, ana@example.com". With the draft of an open
/// question ("who else is travelling?"), the answer adds to what was already said.
pub(super) fn book(
    session: &Session,
    words: &[&str],
    orig: &[&str],
    today: Date,
    draft: Map<String, Value>,
    notes: Vec<String>,
) -> Outcome {
    let index = ordinal(words)
        .map(|n| {
            if n == usize::MAX {
                session.last_results.len().max(1)
            } else {
                n
            }
        })
        .or_else(|| has_seq(words, &["cheapest", "one"]).then_some(1))
        .or_else(|| {
            draft
                .get("option")
                .and_then(Value::as_u64)
                .map(|n| n as usize)
        });
    let offer = orig
        .iter()
        .find(|w| w.starts_with("off_"))
        .map(|w| w.to_string())
        .or_else(|| draft.get("offer").and_then(Value::as_str).map(String::from))
        .or_else(|| {
            let i = index.unwrap_or(1);
            session.last_results.get(i - 1).cloned()
        });
    let Some(offer) = offer else {
        return (
            Plan::Ask("Which offer? Search first (for example \"flights from London to Paris next Friday\"), then say \"book option 1 for Given Family born YYYY-MM-DD, you@example.com\".".into()),
            None,
            notes,
        );
    };
    let email = orig
        .iter()
        .find(|w| w.contains('@') && w.contains('.'))
        .map(|w| w.trim_end_matches('.').to_string())
        .or_else(|| {
            draft
                .get("contact_email")
                .and_then(Value::as_str)
                .map(String::from)
        });
    // Travellers: "<Given> <Family> born <date>", separated by "and".
    let mut passengers: Vec<Value> = draft
        .get("passengers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "born" && i >= 2 {
            let given = orig[i - 2];
            let family = orig[i - 1];
            let mut j = i + 1;
            if words.get(j) == Some(&"on") {
                j += 1;
            }
            let date = words
                .get(j)
                .and_then(|w| w.parse::<Date>().ok())
                .or_else(|| {
                    // "born 2 April 1990".
                    let d: i8 = words.get(j)?.parse().ok()?;
                    let m = dates::month_number(words.get(j + 1)?)?;
                    let y: i16 = words.get(j + 2)?.parse().ok()?;
                    Date::new(y, m, d).ok()
                });
            if let Some(born) = date {
                let kind = crate::model::PassengerType::on(born, today).as_str();
                passengers.push(json!({"given_name": given, "family_name": family, "born_on": born, "type": kind}));
            }
        }
        i += 1;
    }
    let Some(seen) = session.offers.get(&offer) else {
        return (
            Plan::Say(format!(
                "I have not seen offer {offer} in this conversation: search again and pick from the results."
            )),
            None,
            notes,
        );
    };
    let needed = seen.travellers as usize;
    let option = index.unwrap_or(1);
    let keep = |passengers: &Vec<Value>, email: &Option<String>, slot: &str| Draft {
        intent: "create_booking".into(),
        args: json_map(json!({
            "offer": offer,
            "option": option,
            "passengers": passengers,
            "contact_email": email,
        })),
        asking: Some(slot.to_string()),
    };
    if passengers.len() > needed {
        return (
            Plan::Say(format!(
                "{} ({}) is priced for {needed} traveller{}, but you named {}: search again for {} travellers, then book.",
                seen.description,
                seen.total,
                if needed == 1 { "" } else { "s" },
                passengers.len(),
                passengers.len()
            )),
            None,
            notes,
        );
    }
    if passengers.len() < needed {
        let have: Vec<String> = passengers
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    p["given_name"].as_str().unwrap_or(""),
                    p["family_name"].as_str().unwrap_or("")
                )
            })
            .collect();
        let question = if have.is_empty() {
            let example: Vec<&str> = EXAMPLES.iter().copied().cycle().take(needed).collect();
            format!(
                "To book {} ({}), I need {needed} traveller{} as \"Given Family born YYYY-MM-DD\" and a contact email, for example: book option {option} for {}, ana@example.com",
                seen.description,
                seen.total,
                if needed == 1 { "" } else { "s" },
                example.join(" and ")
            )
        } else {
            let left = needed - passengers.len();
            format!(
                "{} ({}) is priced for {needed} travellers and I have {}: who else is travelling? Say for example \"and {}\"{}.",
                seen.description,
                seen.total,
                have.join(", "),
                EXAMPLES[1..]
                    .iter()
                    .copied()
                    .cycle()
                    .take(left)
                    .collect::<Vec<_>>()
                    .join(" and "),
                if email.is_none() {
                    " with a contact email"
                } else {
                    ""
                }
            )
        };
        return (
            Plan::Ask(question),
            Some(keep(&passengers, &email, "travellers")),
            notes,
        );
    }
    let Some(email) = email else {
        return (
            Plan::Ask("Which email should the booking go to?".into()),
            Some(keep(&passengers, &None, "email")),
            notes,
        );
    };
    (
        Plan::Call {
            tool: "create_booking".into(),
            arguments: json!({"offer_ids": [offer], "passengers": passengers, "contact_email": email}),
        },
        None,
        notes,
    )
}

/// Travellers for examples, the first being the README's.
const EXAMPLES: &[&str] = &[
    "Ana Lopez born 1990-04-02",
    "Luis Lopez born 1988-07-15",
    "Sara Lopez born 2015-09-30",
];
