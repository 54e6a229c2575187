//! The assistant's tools: one typed registry over [`Agency`], shared by the offline backend,
//! the OpenAI-compatible backend and the MCP server. Each tool has a name, a description, a
//! JSON schema for its arguments and one for its result, and hints of what it does to the
//! world; [`Toolbox::call`] takes arguments as JSON and answers JSON in the CLI's `--json`
//! names and shapes (money as `{"amount", "currency"}`, times with their UTC offset). Bad
//! arguments come back as a [`ToolError`] (the model can fix them), never a panic.

mod args;
mod booking;
mod render;
mod run;
mod specs;

pub use booking::{Quote, QuoteItem};
pub use render::{flight_summary, hotel_summary};
pub use specs::specs;

use super::confirm::Confirmations;
use crate::agency::Agency;
use crate::error::Error;
use crate::model::Money;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A tool as a model or an MCP client sees it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
    /// JSON Schema of what a successful call returns (an object).
    pub output: Value,
    /// Only reads: searches and look-ups.
    pub read_only: bool,
    /// May undo or give up something (cancelling a booking).
    pub destructive: bool,
    /// Calling again with the same arguments has no further effect.
    pub idempotent: bool,
}

/// Why a tool call failed, in terms the caller (a model) can act on. On the wire it is
/// `{"error": {"code", "message", "suggestions"}}`, the shape of the CLI's `--json` errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolError {
    /// invalid_arguments, unknown_tool, confirmation_required, not_found, conflict, ...
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl ToolError {
    fn new(code: &str, message: impl Into<String>) -> ToolError {
        ToolError {
            code: code.into(),
            message: message.into(),
            suggestions: Vec::new(),
        }
    }

    fn invalid(message: impl Into<String>) -> ToolError {
        ToolError::new("invalid_arguments", message)
    }

    /// The JSON a model receives for a failed call.
    pub fn to_json(&self) -> Value {
        json!({ "error": self })
    }
}

impl From<serde_json::Error> for ToolError {
    fn from(e: serde_json::Error) -> Self {
        ToolError::new("internal", format!("json error: {e}"))
    }
}

impl From<Error> for ToolError {
    fn from(e: Error) -> Self {
        let code = serde_json::to_value(e.kind())
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| "internal".into());
        ToolError {
            code,
            message: e.to_string(),
            suggestions: e.suggestions().to_vec(),
        }
    }
}

/// One tool call as made, for `--json` output and the conversation log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolCallRecord {
    pub name: String,
    pub arguments: Value,
    pub ok: bool,
    pub result: Value,
}

/// An offer the conversation has seen in a search: what `quote_booking` prices from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SeenOffer {
    /// flight or hotel.
    pub kind: String,
    pub description: String,
    pub total: Money,
    /// Travellers the offer is priced for.
    pub travellers: u32,
}

/// What a conversation remembers between turns: pending confirmations, offers seen, and
/// who may approve (the person in a chat, or the MCP client relaying the person's reply).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub confirmations: Confirmations,
    /// Offers from this conversation's searches, by id.
    pub offers: BTreeMap<String, SeenOffer>,
    /// Offer ids of the last search, in the order shown ("book option 2").
    #[serde(default)]
    pub last_results: Vec<String>,
    /// Over MCP there is no chat: the client passes the person's reply as `user_reply`.
    #[serde(default)]
    pub reply_via_argument: bool,
    /// The offline backend's half-built request while it waits for an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Value>,
    /// The last search made in this conversation, so that a follow-up ("the day after?",
    /// "make it 2 adults", "show me option 2") changes one thing and searches again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_search: Option<LastSearch>,
    /// The last booking made in this conversation ("pay for it", "cancel my last booking").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_booking: Option<String>,
    /// The card of a payment waiting for the person's yes in the chat. Never saved: a
    /// conversation resumed later asks for the card again.
    #[serde(skip)]
    pub held_card: Option<HeldCard>,
}

/// A card number kept in memory between a payment's quote and the person's yes.
#[derive(Clone, PartialEq)]
pub struct HeldCard {
    pub booking_id: String,
    pub number: String,
    pub expiry: String,
}

impl std::fmt::Debug for HeldCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last4 = self.number.get(self.number.len().saturating_sub(4)..);
        write!(f, "HeldCard(**** {})", last4.unwrap_or(""))
    }
}

/// A search as it was called, with the ids of what it found, in the order shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastSearch {
    pub tool: String,
    pub arguments: Value,
    pub ids: Vec<String>,
}

impl Session {
    /// A session for MCP clients: the person's reply comes as the `user_reply` argument.
    pub fn for_mcp() -> Session {
        Session {
            reply_via_argument: true,
            ..Session::default()
        }
    }

    fn see(&mut self, id: &str, offer: SeenOffer) {
        if self.offers.len() >= 500
            && let Some(first) = self.offers.keys().next().cloned()
        {
            self.offers.remove(&first);
        }
        self.offers.insert(id.to_string(), offer);
    }
}

/// The tools over one agency, with today's date (relative dates are the caller's business).
pub struct Toolbox<'a> {
    pub agency: &'a dyn Agency,
    pub today: Date,
}
