//! The assistant's tools: one typed registry over [`Agency`], shared by the offline backend,
//! the OpenAI-compatible backend and the MCP server. Each tool has a name, a description and a
//! JSON schema for its arguments; [`Toolbox::call`] takes arguments as JSON and answers JSON.
//! Bad arguments come back as a [`ToolError`] (the model can fix them), never a panic.

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
}

/// Why a tool call failed, in terms the caller (a model) can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ToolError {
    /// invalid_arguments, unknown_tool, confirmation_required, not_found, conflict, ...
    pub kind: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl ToolError {
    fn new(kind: &str, message: impl Into<String>) -> ToolError {
        ToolError {
            kind: kind.into(),
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
        let kind = serde_json::to_value(e.kind())
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| "internal".into());
        ToolError {
            kind,
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
