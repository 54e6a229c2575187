//! Booking from a conversation: which offer ("option 2", an off_ id), the travellers
//! ("Given Family born YYYY-MM-DD") and the contact email, checked against the offer seen.

use super::dates;
use super::{Outcome, Plan};
use crate::ai::tools::Session;
use jiff::civil::Date;
use serde_json::json;

/// "book option 2 for Ana Lopez born 1990-04-02, ana@example.com".
pub(super) fn book(
    session: &Session,
    words: &[&str],
    orig: &[&str],
    today: Date,
    notes: Vec<String>,
) -> Outcome {
    let index = words.iter().enumerate().find_map(|(i, w)| match *w {
        "first" | "#1" | "cheapest" => Some(1),
        "second" | "#2" => Some(2),
        "third" | "#3" => Some(3),
        "fourth" | "#4" => Some(4),
        "fifth" | "#5" => Some(5),
        "option" | "number" | "no" => words.get(i + 1).and_then(|w| w.parse::<usize>().ok()),
        _ => None,
    });
    let offer = orig
        .iter()
        .find(|w| w.starts_with("off_"))
        .map(|w| w.to_string())
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
        .map(|w| w.trim_end_matches('.').to_string());
    // Travellers: "<Given> <Family> born <date>", separated by "and".
    let mut passengers = Vec::new();
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
    if passengers.len() != seen.travellers as usize || email.is_none() {
        return (
            Plan::Ask(format!(
                "To book {} ({}), I need {} traveller{} as \"Given Family born YYYY-MM-DD\" and a contact email, for example: book option {} for Ana Lopez born 1990-04-02, ana@example.com",
                seen.description,
                seen.total,
                seen.travellers,
                if seen.travellers == 1 { "" } else { "s" },
                index.unwrap_or(1)
            )),
            None,
            notes,
        );
    }
    (
        Plan::Call {
            tool: "create_booking".into(),
            arguments: json!({"offer_ids": [offer], "passengers": passengers, "contact_email": email}),
        },
        None,
        notes,
    )
}
