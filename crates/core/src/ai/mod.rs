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
        let answer = conv.session.confirmations.user_said(text);
        conv.messages.push(Message::user(text));
        let (reply, calls, asking) = match &self.backend {
            Backend::Offline => self.offline_turn(conv, text, answer).await?,
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
        if answer == confirm::Answer::No && conv.session.draft.is_none() {
            return Ok((
                "OK, I have not booked or cancelled anything.".into(),
                vec![],
                None,
            ));
        }
        let (plan, draft, notes) =
            offline::understand(self.agency.as_ref(), &conv.session, text, self.today).await;
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
                let rec = self.run_tool(conv, &tool, arguments).await;
                let text = offline_render(&rec);
                calls.push(rec);
                text
            }
        };
        for n in notes {
            reply.push_str(&format!("\n(Note: {n}.)"));
        }
        Ok((reply, calls, asking))
    }
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
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
                    s(a, "departure_date"),
                    ret.as_str().unwrap_or("")
                ),
                None => s(a, "departure_date"),
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
            let mut out = format!(
                "Flights {} → {}, {when}, {who}:\n",
                s(a, "origin"),
                s(a, "destination")
            );
            for (i, o) in offers.iter().enumerate() {
                let slices = o["slices"].as_array().cloned().unwrap_or_default();
                let legs: Vec<String> = slices
                    .iter()
                    .map(|sl| {
                        let stops = sl["stops"].as_u64().unwrap_or(0);
                        format!(
                            "{} {}→{} {} ({}, {}h{:02})",
                            s(sl, "depart"),
                            s(sl, "from"),
                            s(sl, "to"),
                            s(sl, "arrive").get(11..).unwrap_or(""),
                            if stops == 0 {
                                "direct".to_string()
                            } else {
                                format!("{stops} stop{}", if stops > 1 { "s" } else { "" })
                            },
                            sl["duration_minutes"].as_i64().unwrap_or(0) / 60,
                            sl["duration_minutes"].as_i64().unwrap_or(0) % 60
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "{}. {} {}  {}  {}  [{}]\n",
                    i + 1,
                    s(o, "currency"),
                    s(o, "total"),
                    s(o, "airline"),
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
                .map(|d| (s(d, "cheapest"), s(d, "date"), s(d, "currency")))
                .collect();
            days.sort_by(|x, y| {
                x.0.parse::<f64>()
                    .unwrap_or(f64::MAX)
                    .total_cmp(&y.0.parse::<f64>().unwrap_or(f64::MAX))
            });
            let top: Vec<String> = days
                .iter()
                .take(5)
                .map(|(p, d, c)| format!("{d} {c} {p}"))
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
            if offers.is_empty() {
                return with_warnings(
                    format!(
                        "No hotels found in {} from {} to {} with those limits.",
                        s(a, "location"),
                        s(a, "check_in"),
                        s(a, "check_out")
                    ),
                    r,
                );
            }
            let mut out = format!(
                "Hotels in {}, {} to {}:\n",
                s(a, "location"),
                s(a, "check_in"),
                s(a, "check_out")
            );
            for (i, o) in offers.iter().enumerate() {
                out.push_str(&format!(
                    "{}. {} {} total ({} a night)  {} {}*, rated {}, {}  {}{}  [{}]\n",
                    i + 1,
                    s(o, "currency"),
                    s(o, "total"),
                    s(o, "nightly"),
                    s(o, "hotel"),
                    s(o, "stars"),
                    s(o, "rating"),
                    s(o, "neighbourhood"),
                    s(o, "room"),
                    if o["free_cancellation"].as_bool() == Some(true) {
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
                    "{}. {} ({}, {} days, {}) from {} {} per person, rated {}  [{}]\n",
                    i + 1,
                    s(p, "title"),
                    s(p, "destination"),
                    s(p, "days"),
                    s(p, "type"),
                    s(p, "currency"),
                    s(p, "price_per_person"),
                    s(p, "rating"),
                    s(p, "id")
                ));
            }
            out.trim_end().to_string()
        }
        "get_package" => {
            let deps: Vec<String> = r["departures"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .take(5)
                .map(|d| {
                    format!(
                        "{} {} {}",
                        s(d, "date"),
                        s(d, "currency"),
                        s(d, "price_per_person")
                    )
                })
                .collect();
            format!(
                "{} ({}, {} days, rated {}): {}\nNext departures (per person): {}",
                s(r, "title"),
                s(r, "destination"),
                s(r, "days"),
                s(r, "rating"),
                s(r, "description"),
                if deps.is_empty() {
                    "none open".to_string()
                } else {
                    deps.join(", ")
                }
            )
        }
        "create_booking" | "cancel_booking" if s(r, "status") == "confirmation_required" => {
            format!(
                "Please confirm: {}. Reply \"yes\" to go ahead or \"no\" to stop; nothing happens until you do.",
                s(r, "summary")
            )
        }
        "create_booking" => format!(
            "Booked: {} (confirmation {}), {} {}, status {}. {}",
            s(r, "booking_id"),
            s(r, "confirmation_code"),
            s(r, "currency"),
            s(r, "total"),
            s(r, "booking_status"),
            r["next_action"]
                .as_str()
                .map(|n| format!("Next: {n}."))
                .unwrap_or_default()
        )
        .trim_end()
        .to_string(),
        "cancel_booking" => format!(
            "Cancelled {}: refund {} {}.",
            s(r, "booking_id"),
            s(r, "currency"),
            s(r, "refund")
        ),
        "list_bookings" => {
            let list = r["bookings"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return "You have no bookings yet.".into();
            }
            let mut out = String::from("Your bookings:\n");
            for b in list {
                out.push_str(&format!(
                    "- {} ({}) {} {} {}, from {}: {}\n",
                    s(&b, "id"),
                    s(&b, "confirmation_code"),
                    s(&b, "status"),
                    s(&b, "currency"),
                    s(&b, "total"),
                    s(&b, "starts_on"),
                    b["items"]
                        .as_array()
                        .map(|i| i
                            .iter()
                            .filter_map(Value::as_str)
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
            "Quote: {} for {} traveller(s).",
            r["total"]["amount"]
                .as_str()
                .map(|t| format!("{} {t}", r["total"]["currency"].as_str().unwrap_or("")))
                .unwrap_or_default(),
            s(r, "travellers")
        ),
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
