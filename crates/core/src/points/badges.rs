//! Badges: the catalogue and which of them a traveller has earned.

use crate::error::Result;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// Badges: the brief's four, and three of ours.
pub const BADGES: &[(&str, &str, &str)] = &[
    (
        "first_traveler",
        "First Traveler",
        "Confirm your first booking",
    ),
    ("globe_trotter", "Globe Trotter", "Confirm 10 bookings"),
    (
        "budget_master",
        "Budget Master",
        "Save EUR 500 against undiscounted prices",
    ),
    ("social_butterfly", "Social Butterfly", "Write 5 reviews"),
    (
        "early_bird",
        "Early Bird",
        "Book a trip 90 days or more ahead",
    ),
    ("continental", "Continental", "Book trips to 3 continents"),
    (
        "family_trip",
        "Family Trip",
        "Book for 4 or more travellers at once",
    ),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BadgeStatus {
    pub id: String,
    pub name: String,
    pub description: String,
    pub earned_at: Option<Timestamp>,
}

pub fn badges(conn: &Connection, user: &str) -> Result<Vec<BadgeStatus>> {
    let mut stmt =
        conn.prepare_cached("SELECT awarded_at FROM badges WHERE user_id = ?1 AND badge = ?2")?;
    BADGES
        .iter()
        .map(|(id, name, description)| {
            let at: Option<i64> = stmt.query_row(params![user, id], |r| r.get(0)).optional()?;
            Ok(BadgeStatus {
                id: id.to_string(),
                name: name.to_string(),
                description: description.to_string(),
                earned_at: at.and_then(|s| Timestamp::from_second(s).ok()),
            })
        })
        .collect()
}
