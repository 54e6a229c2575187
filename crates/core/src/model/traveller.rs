//! A traveller as entered at booking time: what every supplier and the desk read of a person.

use super::PassengerType;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A traveller as entered at booking time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PassengerInput {
    pub given_name: String,
    pub family_name: String,
    pub born_on: Date,
    #[serde(rename = "type", default = "adult")]
    pub kind: PassengerType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Needed by real airlines (Duffel); the sandbox does without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// A traveller's gender as airlines record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    M,
    F,
}

impl Gender {
    pub fn as_str(&self) -> &'static str {
        match self {
            Gender::M => "m",
            Gender::F => "f",
        }
    }

    pub fn parse(text: &str) -> Option<Gender> {
        match text.trim().to_ascii_lowercase().as_str() {
            "m" | "male" => Some(Gender::M),
            "f" | "female" => Some(Gender::F),
            _ => None,
        }
    }
}

fn adult() -> PassengerType {
    PassengerType::Adult
}
