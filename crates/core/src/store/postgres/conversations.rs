//! Conversations on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::conversation::{ConversationSummary, Message};
use crate::store::port::*;

impl Conversations for PgUnit<'_> {
    #[allow(clippy::too_many_arguments)]
    fn save(
        &self,
        id: &str,
        user: &str,
        title: &str,
        state: &str,
        first_seq: usize,
        messages: &[Message],
        now: i64,
    ) -> Result<bool> {
        Err(pending("Conversations::save"))
    }

    fn load(&self, user: &str, id: &str) -> Result<Option<StoredConversation>> {
        Err(pending("Conversations::load"))
    }

    fn latest(&self, user: &str) -> Result<Option<String>> {
        Err(pending("Conversations::latest"))
    }

    fn list(&self, user: &str) -> Result<Vec<ConversationSummary>> {
        Err(pending("Conversations::list"))
    }
}
