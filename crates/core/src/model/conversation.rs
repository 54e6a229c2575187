//! The assistant's messages and the summary of a conversation, as stored and listed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// user, assistant or tool.
    pub role: String,
    pub content: String,
    /// For an assistant turn that called tools: `[{"id","name","arguments"}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<serde_json::Value>,
    /// For a tool result: the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    pub fn user(text: &str) -> Message {
        Message {
            role: "user".into(),
            content: text.into(),
            tool_calls: None,
            tool_call_id: None,
        }
    }

    pub fn assistant(text: &str) -> Message {
        Message {
            role: "assistant".into(),
            content: text.into(),
            tool_calls: None,
            tool_call_id: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    pub messages: i64,
    pub updated_at: jiff::Timestamp,
}
