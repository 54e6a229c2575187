//! The offline backend: a deterministic reading of travel requests, no model needed. It finds
//! the intent, places (through `suggest_places`), dates, travellers, budget, cabin and stops,
//! asks one precise question when something essential is missing (keeping what was said in a
//! draft), reads follow-ups against the conversation's last search (`follow`), says what it
//! did not understand, and calls the same tools a model would.

mod book;
pub mod dates;
mod flights;
mod follow;
#[cfg(test)]
mod fuzz;
mod hotels;
mod intent;
mod lookups;
mod packages;
mod places;
mod slots;
mod trips;
mod words;

use super::tools::Session;
use crate::agency::Agency;
use jiff::civil::Date;
use places::{Place, place_after, place_before_to};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use words::words_of;

/// What the offline reader decided to do with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Call this tool with these arguments.
    Call { tool: String, arguments: Value },
    /// Ask the person something first.
    Ask(String),
    /// Nothing to call: say this.
    Say(String),
}

/// The request being built across turns (kept in the session while a question is open).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub intent: String,
    pub args: Map<String, Value>,
    /// The slot the last question asked for.
    pub asking: Option<String>,
}

/// What reading a message gives: the plan, the draft to keep while a question is open, and
/// notes on what was not understood or not used.
type Outcome = (Plan, Option<Draft>, Vec<String>);

/// A message being read, with what is known around it.
struct Reading<'a> {
    agency: &'a dyn Agency,
    words: &'a [&'a str],
    /// The words as typed (codes and names keep their case).
    orig: &'a [&'a str],
    /// The dates in the message.
    dates: dates::Dates,
    today: Date,
    /// The slot the open question asked for.
    asking: Option<String>,
    /// What the conversation remembers (the last search, its options, the last booking).
    session: &'a Session,
}

/// Reads a message (with the draft of an open question, if any) into a plan.
pub async fn understand(
    agency: &dyn Agency,
    session: &Session,
    text: &str,
    today: Date,
) -> (Plan, Option<Draft>, Vec<String>) {
    let (lower, original) = words_of(text);
    let words: Vec<&str> = lower.iter().map(String::as_str).collect();
    let orig: Vec<&str> = original.iter().map(String::as_str).collect();
    let notes: Vec<String> = Vec::new();
    let draft: Option<Draft> = session
        .draft
        .as_ref()
        .and_then(|d| serde_json::from_value(d.clone()).ok());
    let mut intent_now = intent::of(&words, &orig).map(String::from);
    let mut args = Map::new();
    let mut asking = None;
    if let Some(d) = &draft
        && (intent_now.is_none() || intent_now.as_deref() == Some(d.intent.as_str()))
    {
        intent_now = Some(d.intent.clone());
        args = d.args.clone();
        asking = d.asking.clone();
    }
    if intent_now.is_none()
        && words.contains(&"to")
        && place_before_to(agency, &words).await.is_some()
        && place_after(agency, &words, &["to"]).await.is_some()
    {
        intent_now = Some("search_flights".into());
    }
    if intent_now.is_none() && draft.is_none() {
        let r = Reading {
            agency,
            words: &words,
            orig: &orig,
            dates: dates::read(&words, today),
            today,
            asking: None,
            session,
        };
        if let Some(out) = follow::read(&r).await {
            return out;
        }
    }
    let Some(intent) = intent_now else {
        if words.len() <= 3
            && words.first().is_some_and(|w| {
                matches!(
                    *w,
                    "hi" | "hello" | "hey" | "hola" | "help" | "thanks" | "thank"
                )
            })
        {
            return (
                Plan::Say("Hello! I can search flights (\"cheapest flight from London to Barcelona next Friday, 2 adults\"), hotels (\"hotels in Rome for 3 nights from 14 March\") and packages (\"beach holidays under 1500 euros\"), book what you pick, and show your bookings and points.".into()),
                None,
                notes,
            );
        }
        if words.is_empty() {
            return (Plan::Ask("What can I do for you? I can search flights, hotels and packages, show your bookings or points.".into()), None, notes);
        }
        return (
            Plan::Say(format!(
                "I did not understand \"{}\". I work offline and understand requests such as \"cheapest flight from London to Barcelona next Friday, 2 adults\", \"hotels in Rome for 3 nights from 14 March\", \"beach packages under 1500 euros\", \"will prices drop for London to New York on 14 March?\", \"plan 4 days in Rome under 1500 euros\", \"recommend a destination\", \"my bookings\", \"my points\" or \"cancel my last booking\"; after a search, \"the day after?\", \"make it 2 adults\", \"cheaper?\" or \"show me option 2\".",
                text.trim()
            )),
            None,
            notes,
        );
    };
    let r = Reading {
        agency,
        words: &words,
        orig: &orig,
        dates: dates::read(&words, today),
        today,
        asking,
        session,
    };
    match intent.as_str() {
        "search_flights" | "flight_calendar" => flights::read(&r, intent, args, notes).await,
        "search_hotels" => hotels::read(&r, intent, args, notes).await,
        "search_packages" => packages::read(&r, intent, args, notes).await,
        "get_package" => lookups::get_package(&r, intent, notes),
        "list_bookings" => lookups::list_bookings(&r, intent, notes),
        "get_points" => finish(intent, Map::new(), None, notes),
        "suggest_places" => lookups::suggest_places(&r, intent, notes),
        "cancel_booking" => lookups::cancel_booking(&r, intent, notes).await,
        "pay_booking" => lookups::pay_booking(&r, intent, args, notes).await,
        "predict_price" => trips::predict(&r, intent, args, notes).await,
        "watch_price" => trips::watch(&r, intent, args, notes).await,
        "list_watches" => finish(intent, Map::new(), None, notes),
        "plan_itinerary" => trips::plan(&r, intent, args, notes).await,
        "recommend" => finish(intent, Map::new(), None, notes),
        "create_booking" => book::book(session, &words, &orig, today, args, notes),
        _ => (Plan::Say("I did not understand that.".into()), None, notes),
    }
}

/// Sets one argument.
fn put(args: &mut Map<String, Value>, k: &str, v: Value) {
    args.insert(k.to_string(), v);
}

fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn ask_country(slot: &str, p: &Place, intent: &str, args: Map<String, Value>) -> Outcome {
    let opts = if p.options.is_empty() {
        String::new()
    } else {
        format!(" For example {}.", p.options.join(", "))
    };
    (
        Plan::Ask(format!("{} is a country: which city?{opts}", p.city)),
        Some(Draft {
            intent: intent.to_string(),
            args,
            asking: Some(slot.to_string()),
        }),
        Vec::new(),
    )
}

fn finish(
    intent: String,
    args: Map<String, Value>,
    missing: Option<(&str, &str)>,
    notes: Vec<String>,
) -> Outcome {
    match missing {
        Some((slot, question)) => (
            Plan::Ask(question.to_string()),
            Some(Draft {
                intent,
                args,
                asking: Some(slot.to_string()),
            }),
            notes,
        ),
        None => (
            Plan::Call {
                tool: intent,
                arguments: Value::Object(args),
            },
            None,
            notes,
        ),
    }
}
