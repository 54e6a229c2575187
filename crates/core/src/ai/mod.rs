//! The assistant: a chat that searches, compares and books through the same tools a person
//! uses ([`tools`]), with the confirmation rule for money ([`confirm`]), conversations kept in
//! SQLite ([`conversation`]), and two backends: [`offline`] (deterministic, the default) and
//! an OpenAI-compatible model ([`openai`]).
//!
//! Faces call [`Assistant::send`] for one turn; the server's `/api/ai/chat` and the CLI are
//! thin wrappers over it.

pub mod confirm;
pub mod conversation;
pub mod offline;
pub mod openai;
pub mod plan;
pub mod predict;
pub mod recommend;
pub mod tools;

use crate::agency::Agency;
use crate::error::{Error, Result};
use conversation::{Conversation, Message};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use tools::{ToolCallRecord, Toolbox};

/// Which brain answers.
pub enum Backend {
    Offline,
    OpenAi(Box<openai::OpenAiBackend>),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Offline => "offline",
            Backend::OpenAi(_) => "openai",
        }
    }
}

/// One answer of the assistant.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Reply {
    pub conversation_id: String,
    pub backend: String,
    pub reply: String,
    pub tool_calls: Vec<ToolCallRecord>,
    /// A booking or cancellation waits for the person's yes.
    pub awaiting_confirmation: bool,
    /// When the reply is a question, what it asks for (origin, destination, date, nights,
    /// location, travellers, ...; "question" when it is not about one slot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asking: Option<String>,
}

pub struct Assistant {
    pub agency: Arc<dyn Agency>,
    /// Today, for relative dates ("next Friday"): the agency's clock.
    pub today: Date,
    pub backend: Backend,
}

impl Assistant {
    pub fn toolbox(&self) -> Toolbox<'_> {
        Toolbox {
            agency: self.agency.as_ref(),
            today: self.today,
        }
    }

    /// One turn: the person's message in, the assistant's reply out. `on_text` receives the
    /// reply as it is produced (streamed with a model, whole offline).
    pub async fn send(
        &self,
        conv: &mut Conversation,
        text: &str,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Reply> {
        if text.trim().is_empty() {
            return Err(Error::invalid("the message is empty"));
        }
        if text.chars().count() > 8_000 {
            return Err(Error::invalid("the message is longer than 8000 characters"));
        }
        let was_pending = conv
            .session
            .confirmations
            .pending
            .iter()
            .rev()
            .find(|p| !p.approved)
            .cloned();
        let answer = conv.session.confirmations.user_said(text);
        // What is kept (and what a model reads) never holds a card number.
        conv.messages
            .push(Message::user(&redact_card_numbers(text)));
        let (reply, calls, asking) = match &self.backend {
            Backend::Offline => self.offline_turn(conv, text, answer, was_pending).await?,
            Backend::OpenAi(model) => {
                let (reply, calls) = model.turn(self, conv, on_text).await?;
                (reply, calls, None)
            }
        };
        if matches!(self.backend, Backend::Offline) {
            on_text(&reply);
            conv.messages.push(Message::assistant(&reply));
        }
        Ok(Reply {
            conversation_id: conv.id.clone(),
            backend: self.backend.name().into(),
            reply,
            awaiting_confirmation: conv
                .session
                .confirmations
                .pending
                .iter()
                .any(|p| !p.approved),
            tool_calls: calls,
            asking,
        })
    }

    async fn run_tool(
        &self,
        conv: &mut Conversation,
        name: &str,
        arguments: Value,
    ) -> ToolCallRecord {
        let out = self
            .toolbox()
            .call(&mut conv.session, name, &arguments)
            .await;
        let (ok, result) = match out {
            Ok(v) => (true, v),
            Err(e) => (false, e.to_json()),
        };
        ToolCallRecord {
            name: name.to_string(),
            arguments,
            ok,
            result,
        }
    }

    async fn offline_turn(
        &self,
        conv: &mut Conversation,
        text: &str,
        answer: confirm::Answer,
        was_pending: Option<confirm::Pending>,
    ) -> Result<(String, Vec<ToolCallRecord>, Option<String>)> {
        // An answer to a quote: act on the approved action, or drop it.
        if answer == confirm::Answer::Yes
            && let Some(p) = conv
                .session
                .confirmations
                .pending
                .iter()
                .rev()
                .find(|p| p.approved)
                .cloned()
        {
            let mut args: Value = serde_json::from_str(&p.fingerprint)?;
            if p.tool == "pay_booking" {
                // The fingerprint holds the card's last digits only: the number was kept in
                // memory for this yes.
                match conv.session.held_card.take() {
                    Some(card) if args["booking_id"] == card.booking_id.as_str() => {
                        args = json!({
                            "booking_id": card.booking_id,
                            "card_number": card.number,
                            "expiry": card.expiry,
                        });
                    }
                    _ => {
                        conv.session
                            .confirmations
                            .pending
                            .retain(|x| x.token != p.token);
                        return Ok((
                            "I do not keep card numbers once a conversation is closed: say the card again (\"pay with card 4242 4242 4242 4242 expiring 12/30\") and I will quote it afresh.".into(),
                            vec![],
                            None,
                        ));
                    }
                }
            }
            args["confirmation_token"] = json!(p.token);
            let rec = self.run_tool(conv, &p.tool, args).await;
            let text = offline_render(&rec);
            return Ok((text, vec![rec], None));
        }
        if answer == confirm::Answer::Yes && conv.session.draft.is_none() {
            return Ok((
                "There is nothing waiting for your yes right now: ask me to search or book something first.".into(),
                vec![],
                None,
            ));
        }
        if answer == confirm::Answer::No && (was_pending.is_some() || conv.session.draft.is_none())
        {
            conv.session.held_card = None;
            return Ok((
                "OK, I have not booked, paid or cancelled anything.".into(),
                vec![],
                None,
            ));
        }
        let (plan, draft, notes) =
            offline::understand(self.agency.as_ref(), &conv.session, text, self.today).await;
        // A quote is waiting and this is not a new request: say so, and keep it.
        if let Some(p) = &was_pending
            && matches!(plan, offline::Plan::Say(_))
        {
            return Ok((
                format!(
                    "Your quote is still waiting for a clear answer: {}. Reply \"yes\" to go ahead or \"no\" to drop it; nothing has been booked, paid or cancelled yet.",
                    p.summary
                ),
                vec![],
                None,
            ));
        }
        let asking = match &plan {
            offline::Plan::Ask(_) => Some(
                draft
                    .as_ref()
                    .and_then(|d| d.asking.clone())
                    .unwrap_or_else(|| "question".into()),
            ),
            _ => None,
        };
        conv.session.draft = draft.map(|d| serde_json::to_value(d).unwrap_or(Value::Null));
        let mut calls = Vec::new();
        let mut reply = match plan {
            offline::Plan::Ask(q) | offline::Plan::Say(q) => q,
            offline::Plan::Call { tool, arguments } => {
                let held = if tool == "pay_booking" {
                    held_card(&arguments)
                } else {
                    None
                };
                let rec = self.run_tool(conv, &tool, arguments).await;
                if let Some(card) = held
                    && rec.ok
                {
                    conv.session.held_card = Some(card);
                }
                let text = offline_render(&rec);
                calls.push(rec);
                text
            }
        };
        for n in notes {
            reply.push_str(&format!("\n(Note: {n}.)"));
        }
        if let Some(p) = &was_pending
            && calls
                .iter()
                .all(|c| c.result["status"] != "confirmation_required")
        {
            reply.push_str(&format!(
                "\n(Still waiting for your yes or no: {}.)",
                p.summary
            ));
        }
        Ok((reply, calls, asking))
    }
}

/// The text with every card number (12 to 19 digits, in groups or not) replaced by its last
/// four digits: "card 4242 4242 4242 4242" becomes "card **** 4242".
pub fn redact_card_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        // A run of digits that does not continue a word or a phone number ("+44 20 ...").
        if chars[i].is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '+'))
        {
            // The longest run of digits with single spaces or dashes between them.
            let mut j = i;
            let mut digits = String::new();
            let mut end = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                    end = j + 1;
                    j += 1;
                } else if matches!(chars[j], ' ' | '-')
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit)
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let boundary = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
            if (12..=19).contains(&digits.len()) && boundary {
                out.push_str("**** ");
                out.push_str(&digits[digits.len() - 4..]);
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The card of a `pay_booking` call, to keep in memory until the person's yes.
fn held_card(args: &Value) -> Option<tools::HeldCard> {
    Some(tools::HeldCard {
        booking_id: args["booking_id"].as_str()?.to_string(),
        number: args["card_number"].as_str()?.to_string(),
        expiry: args["expiry"].as_str()?.to_string(),
    })
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An amount as `{"amount", "currency"}` in text, as chat answers have always written it:
/// "EUR 204.00".
fn money(v: &Value) -> String {
    match (v["amount"].as_str(), v["currency"].as_str()) {
        (Some(a), Some(c)) => format!("{c} {a}"),
        _ => String::new(),
    }
}

/// "HH:MM" of a local time with its offset ("2027-03-14T17:15:00+00:00").
fn clock(t: &str) -> &str {
    t.get(11..16).unwrap_or("")
}

/// "Sun 14 Mar 17:15" of a local time with its offset, as the CLI's tables write it.
fn day_and_clock(t: &str) -> String {
    let short = t
        .get(..10)
        .and_then(|d| d.parse::<Date>().ok())
        .map(|d| d.strftime("%a %-d %b").to_string())
        .unwrap_or_default();
    format!("{short} {}", clock(t))
}

/// "Sun 14 Mar 2027" for an ISO day, as every table writes travel dates; the text itself when
/// it is not a date.
fn day(iso: &str) -> String {
    iso.parse::<Date>()
        .map(crate::model::time::human_day)
        .unwrap_or_else(|_| iso.to_string())
}

/// The limits a hotel search was made with, as said: "with pool, under 200 a night".
fn hotel_limits(a: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(am) = a["amenities"].as_array()
        && !am.is_empty()
    {
        let names: Vec<&str> = am.iter().filter_map(Value::as_str).collect();
        parts.push(format!("with {}", names.join(", ")));
    }
    if let Some(st) = a["min_stars"].as_i64() {
        parts.push(format!("{st}* or more"));
    }
    if let Some(max) = a.get("max_nightly") {
        let max = max
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| max.to_string());
        let cur = a["currency"]
            .as_str()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        parts.push(format!("under {max}{cur} a night"));
    }
    if let Some(g) = a["guests"].as_i64() {
        parts.push(format!("{g} guest{}", if g == 1 { "" } else { "s" }));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(", {}", parts.join(", "))
    }
}

/// A concise answer from a tool result, for the offline backend.
pub fn offline_render(rec: &ToolCallRecord) -> String {
    let r = &rec.result;
    if !rec.ok {
        let e = &r["error"];
        let mut out = format!("I could not do that: {}", s(e, "message"));
        if let Some(sug) = e["suggestions"].as_array()
            && !sug.is_empty()
        {
            let list: Vec<String> = sug
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            out.push_str(&format!(" (did you mean: {}?)", list.join(", ")));
        }
        return out;
    }
    let a = &rec.arguments;
    match rec.name.as_str() {
        "search_flights" => {
            let offers = r["offers"].as_array().cloned().unwrap_or_default();
            let when = match a.get("return_date") {
                Some(ret) => format!(
                    "{} returning {}",
                    day(&s(a, "departure_date")),
                    day(ret.as_str().unwrap_or(""))
                ),
                None => day(&s(a, "departure_date")),
            };
            let who = travellers(a);
            if offers.is_empty() {
                let mut out = format!(
                    "No flights found from {} to {} on {when} for {who}",
                    s(a, "origin"),
                    s(a, "destination")
                );
                if a.get("max_price").is_some() || a.get("max_stops").is_some() {
                    out.push_str(" with those limits; try without the price or stops limit");
                }
                out.push('.');
                return out;
            }
            let mut limits = Vec::new();
            if a["max_stops"].as_i64() == Some(0) {
                limits.push("non-stop only".to_string());
            }
            if let Some(p) = a.get("max_price") {
                limits.push(format!(
                    "under {}",
                    p.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| p.to_string())
                ));
            }
            if let Some(sort) = a["sort"].as_str() {
                limits.push(format!("by {sort}"));
            }
            let limits = if limits.is_empty() {
                String::new()
            } else {
                format!(", {}", limits.join(", "))
            };
            let mut out = format!(
                "Flights {} → {}, {when}, {who}{limits}:\n",
                s(a, "origin"),
                s(a, "destination")
            );
            for (i, o) in offers.iter().enumerate() {
                let slices = o["slices"].as_array().cloned().unwrap_or_default();
                let legs: Vec<String> = slices
                    .iter()
                    .map(|sl| {
                        let stops = sl["stops"].as_u64().unwrap_or(0);
                        let minutes = crate::model::time::parse_iso_duration(
                            sl["duration"].as_str().unwrap_or(""),
                        )
                        .unwrap_or(0);
                        format!(
                            "{} {}→{} {} ({}, {})",
                            day_and_clock(sl["departing_at"].as_str().unwrap_or("")),
                            s(sl, "origin"),
                            s(sl, "destination"),
                            clock(sl["arriving_at"].as_str().unwrap_or("")),
                            if stops == 0 {
                                "non-stop".to_string()
                            } else {
                                crate::model::counted(stops, "stop", "stops")
                            },
                            crate::model::time::human_duration(minutes)
                        )
                    })
                    .collect();
                // Separate tickets are said on the line, as the table's STOPS column says them.
                let ticketing = match o["ticketing"].as_str() {
                    Some("self_transfer") => {
                        "  self-transfer: separate tickets, connection not protected"
                    }
                    Some("interline") => "  interline: one ticket",
                    _ => "",
                };
                out.push_str(&format!(
                    "{}. {}  {}  {}{ticketing}  [{}]\n",
                    i + 1,
                    money(&o["total"]),
                    s(o, "owner"),
                    legs.join(" / "),
                    s(o, "id")
                ));
            }
            out.push_str("Say \"book option N for Given Family born YYYY-MM-DD, you@example.com\" to book one.");
            with_warnings(out, r)
        }
        "flight_calendar" => {
            let best = &r["cheapest_day"];
            if best.is_null() {
                return format!(
                    "Nothing flies from {} to {} between {} and {}.",
                    s(a, "origin"),
                    s(a, "destination"),
                    s(a, "from"),
                    s(a, "to")
                );
            }
            let mut days: Vec<(String, String, String)> = r["days"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter(|d| !d["cheapest"].is_null())
                .map(|d| {
                    (
                        s(&d["cheapest"], "amount"),
                        s(d, "date"),
                        s(&d["cheapest"], "currency"),
                    )
                })
                .collect();
            days.sort_by(|x, y| {
                x.0.parse::<f64>()
                    .unwrap_or(f64::MAX)
                    .total_cmp(&y.0.parse::<f64>().unwrap_or(f64::MAX))
            });
            let top: Vec<String> = days
                .iter()
                .take(5)
                .map(|(p, d, c)| format!("{} {c} {p}", day(d)))
                .collect();
            format!(
                "Cheapest days from {} to {} between {} and {}: {}. Ask for flights on one of these days to see the offers.",
                s(a, "origin"),
                s(a, "destination"),
                s(a, "from"),
                s(a, "to"),
                top.join(", ")
            )
        }
        "search_hotels" => {
            let offers = r["offers"].as_array().cloned().unwrap_or_default();
            let nights = match (
                s(a, "check_in").parse::<Date>(),
                s(a, "check_out").parse::<Date>(),
            ) {
                (Ok(i), Ok(o)) => crate::model::season::days_between(i, o),
                _ => 0,
            };
            let head = format!(
                "Hotels in {}, {} to {} ({nights} night{}){}",
                s(a, "location"),
                s(a, "check_in"),
                s(a, "check_out"),
                if nights == 1 { "" } else { "s" },
                hotel_limits(a)
            );
            if offers.is_empty() {
                return with_warnings(format!("{head}: none found with those limits."), r);
            }
            let mut out = format!("{head}:\n");
            for (i, o) in offers.iter().enumerate() {
                let h = &o["hotel"];
                out.push_str(&format!(
                    "{}. {} total ({} a night)  {} {}*, rated {}, {}  {}{}  [{}]\n",
                    i + 1,
                    money(&o["total"]),
                    money(&o["nightly"]),
                    s(h, "name"),
                    s(h, "stars"),
                    s(h, "rating"),
                    s(h, "neighbourhood"),
                    s(o, "room_name"),
                    if o["cancellation"]["free_until"].is_string() {
                        ", free cancellation"
                    } else {
                        ""
                    },
                    s(o, "id")
                ));
            }
            out.push_str("Say \"book option N for Given Family born YYYY-MM-DD, you@example.com\" to book one.");
            with_warnings(out, r)
        }
        "search_packages" => {
            let list = r["packages"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return "No packages match; try fewer conditions.".into();
            }
            let mut out = format!(
                "{} package(s) match; the first {}:\n",
                s(r, "total"),
                list.len()
            );
            for (i, p) in list.iter().enumerate() {
                out.push_str(&format!(
                    "{}. {} ({}, {}, {} days, {}) from {} per person, rated {}  [{}]\n",
                    i + 1,
                    s(p, "title"),
                    s(p, "destination_name"),
                    s(p, "country"),
                    s(p, "duration_days"),
                    s(p, "type"),
                    money(&p["base_price"]),
                    s(p, "rating"),
                    s(p, "id")
                ));
            }
            out.push_str("Say \"show me option N\" for its itinerary and departures.");
            out
        }
        "get_package" => {
            let deps: Vec<String> = r["departures"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .take(5)
                .map(|d| format!("{} {}", s(d, "date"), money(&d["price"])))
                .collect();
            format!(
                "{} ({}, {} days, rated {}): {}\nNext departures (per person): {}",
                s(r, "title"),
                s(r, "destination_name"),
                s(r, "duration_days"),
                s(r, "rating"),
                s(r, "description"),
                if deps.is_empty() {
                    "none open".to_string()
                } else {
                    deps.join(", ")
                }
            )
        }
        "create_booking" | "cancel_booking" | "pay_booking"
            if s(r, "status") == "confirmation_required" =>
        {
            format!(
                "Please confirm: {}. Reply \"yes\" to go ahead or \"no\" to stop; nothing happens until you do.",
                s(r, "summary")
            )
        }
        "create_booking" => {
            let b = &r["booking"];
            format!(
                "Booked: {} (confirmation {}), {}, status {}. {}",
                s(b, "id"),
                s(b, "confirmation_code"),
                money(&b["total"]),
                s(b, "status"),
                b["next_action"]
                    .as_str()
                    .map(|n| format!("Next: {n}."))
                    .unwrap_or_default()
            )
            .trim_end()
            .to_string()
        }
        "pay_booking" => {
            let b = &r["booking"];
            format!(
                "Paid: {} is {} ({} charged).",
                s(b, "id"),
                s(b, "status"),
                money(&b["amount_due"])
            )
        }
        "cancel_booking" => format!(
            "Cancelled {}: refund {}.",
            s(&r["booking"], "id"),
            money(&r["refund"])
        ),
        "list_bookings" => {
            let list = r["bookings"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return "You have no bookings yet.".into();
            }
            let mut out = String::from("Your bookings:\n");
            for b in list {
                out.push_str(&format!(
                    "- {} ({}) {} {}, from {}: {}\n",
                    s(&b, "id"),
                    s(&b, "confirmation_code"),
                    s(&b, "status"),
                    money(&b["total"]),
                    s(&b, "starts_on"),
                    b["items"]
                        .as_array()
                        .map(|i| i
                            .iter()
                            .filter_map(|x| x["description"].as_str())
                            .collect::<Vec<_>>()
                            .join(" + "))
                        .unwrap_or_default()
                ));
            }
            out.trim_end().to_string()
        }
        "get_points" => format!(
            "You have {} points ({} available to redeem), level {}{}.",
            s(r, "total"),
            s(r, "available"),
            s(r, "level"),
            match (r["to_next_level"].as_i64(), r["next_level"].as_str()) {
                (Some(n), Some(l)) => format!("; {n} more for {l}"),
                _ => String::new(),
            }
        ),
        "watch_price" => format!(
            "Watching {}-{} on {}: I will tell you when the cheapest fare for {} falls below {} (watch {}; `booksygo watch list`).",
            s(r, "origin"),
            s(r, "destination"),
            s(r, "date"),
            match r["adults"].as_u64() {
                Some(1) | None => "one traveller".to_string(),
                Some(n) => format!("{n} travellers"),
            },
            money(&r["below"]),
            s(r, "id")
        ),
        "list_watches" => {
            let list = r["watches"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return "You are not watching any fare. Say, for example, \"tell me when London to New York on 14 March falls below 300 euros\".".into();
            }
            let mut out = String::from("Your price watches:\n");
            for w in &list {
                out.push_str(&format!(
                    "- {}-{} on {}: below {}, last seen {}  [{}]\n",
                    s(w, "origin"),
                    s(w, "destination"),
                    s(w, "date"),
                    money(&w["below"]),
                    if w["last_price"].is_object() {
                        money(&w["last_price"])
                    } else {
                        "not yet".to_string()
                    },
                    s(w, "id")
                ));
            }
            out.trim_end().to_string()
        }
        "suggest_places" => {
            let list = r["places"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return format!("I found no airport or city matching \"{}\".", s(a, "query"));
            }
            let names: Vec<String> = list
                .iter()
                .map(|p| format!("{} {} ({})", s(p, "code"), s(p, "name"), s(p, "country")))
                .collect();
            format!("Matches for \"{}\": {}.", s(a, "query"), names.join("; "))
        }
        "quote_booking" => format!(
            "Quote: {} for {}.",
            money(&r["total"]),
            crate::model::counted(
                r["travellers"].as_i64().unwrap_or(0),
                "traveller",
                "travellers"
            )
        ),
        "predict_price" => {
            let mut out = format!(
                "{}-{} on {} ({} ahead): {} per traveller today",
                s(r, "origin"),
                s(r, "destination"),
                s(r, "date"),
                crate::model::counted(r["days_ahead"].as_i64().unwrap_or(0), "day", "days"),
                money(&r["current"])
            );
            if !r["in_a_week"].is_null() {
                out.push_str(&format!(
                    "; in a week about {} ({}{}), trend {}",
                    money(&r["in_a_week"]),
                    if r["expected_change"]["amount"]
                        .as_str()
                        .is_some_and(|a| !a.starts_with('-'))
                    {
                        "+"
                    } else {
                        ""
                    },
                    money(&r["expected_change"]),
                    s(r, "trend")
                ));
            }
            format!(
                "{out}.\nAdvice: {} (confidence {}). Basis: {}",
                s(r, "advice").replace('_', " "),
                s(r, "confidence"),
                s(r, "basis")
            )
        }
        "recommend" => {
            let list = r["recommendations"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return "I have no recommendations yet: tell me a theme or a region (\"beach trips in Asia\").".into();
            }
            let mut out = String::from("Picked for you:\n");
            for (i, x) in list.iter().enumerate() {
                out.push_str(&format!(
                    "{}. {} ({}, {} days) from {} per person: {}  [{}]\n",
                    i + 1,
                    s(x, "title"),
                    s(x, "destination"),
                    s(x, "days"),
                    money(&x["price_per_person"]),
                    s(x, "why"),
                    s(x, "package_id")
                ));
            }
            out.trim_end().to_string()
        }
        "plan_itinerary" => {
            let mut out = format!(
                "{} from {} to {}: {} of your {} ({} left)\n",
                s(r, "destination"),
                s(r, "start"),
                s(r, "end"),
                money(&r["total"]),
                money(&r["budget"]),
                money(&r["left"])
            );
            if r["flight"].is_object() {
                out.push_str(&format!(
                    "  flight  {}  {}\n",
                    s(&r["flight"], "description"),
                    money(&r["flight"]["price"])
                ));
            }
            out.push_str(&format!(
                "  hotel   {}  {}\n",
                s(&r["hotel"], "description"),
                money(&r["hotel"]["price"])
            ));
            for d in r["days"].as_array().cloned().unwrap_or_default() {
                out.push_str(&format!("  {}  {}\n", s(&d, "date"), s(&d, "title")));
            }
            for t in r["trade_offs"].as_array().cloned().unwrap_or_default() {
                out.push_str(&format!("  trade-off: {}\n", t.as_str().unwrap_or("")));
            }
            out.trim_end().to_string()
        }
        _ => r.to_string(),
    }
}

fn travellers(a: &Value) -> String {
    let adults = a["adults"].as_i64().unwrap_or(1);
    let children = a["children"].as_i64().unwrap_or(0);
    let infants = a["infants"].as_i64().unwrap_or(0);
    let mut parts = vec![format!(
        "{adults} adult{}",
        if adults == 1 { "" } else { "s" }
    )];
    if children > 0 {
        parts.push(format!(
            "{children} child{}",
            if children == 1 { "" } else { "ren" }
        ));
    }
    if infants > 0 {
        parts.push(format!(
            "{infants} infant{}",
            if infants == 1 { "" } else { "s" }
        ));
    }
    parts.join(", ")
}

fn with_warnings(mut out: String, r: &Value) -> String {
    if let Some(w) = r["warnings"].as_array()
        && !w.is_empty()
    {
        for x in w {
            if let Some(t) = x.as_str() {
                out.push_str(&format!("\nNote: {t}"));
            }
        }
    }
    out.trim_end().to_string()
}
