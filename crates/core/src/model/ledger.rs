//! One row of a traveller's points ledger, as shown.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LedgerEntry {
    pub kind: String,
    pub total_delta: i64,
    pub available_delta: i64,
    pub booking_id: Option<String>,
    pub note: String,
    pub at: Timestamp,
}
