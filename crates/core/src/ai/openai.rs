//! The OpenAI-compatible backend (placeholder until the client lands).

use super::Assistant;
use super::conversation::Conversation;
use super::tools::ToolCallRecord;
use crate::error::{Error, Result};

pub struct OpenAiBackend;

impl OpenAiBackend {
    pub async fn turn(
        &self,
        _assistant: &Assistant,
        _conv: &mut Conversation,
        _on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Vec<ToolCallRecord>)> {
        Err(Error::internal(
            "the OpenAI-compatible backend is not built yet",
        ))
    }
}
