//! Badges: the catalogue and which of them a traveller has earned.

use crate::error::Result;
use crate::store::Unit;
use jiff::Timestamp;
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

/// Every badge, with when the user earned it.
pub fn badges(unit: &dyn Unit, user: &str) -> Result<Vec<BadgeStatus>> {
    BADGES
        .iter()
        .map(|(id, name, description)| {
            let at = unit.points().badge_awarded_at(user, id)?;
            Ok(BadgeStatus {
                id: id.to_string(),
                name: name.to_string(),
                description: description.to_string(),
                earned_at: at.and_then(|s| Timestamp::from_second(s).ok()),
            })
        })
        .collect()
}
