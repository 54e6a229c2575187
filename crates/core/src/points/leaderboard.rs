//! The team's leaderboard: accounts ranked by points earned, with their level. It shows a
//! display name, never an e-mail or an account id; accounts that opted out (preference
//! `leaderboard: false`) are left out of everyone's board but their own.

use super::level_for;
use crate::error::Result;
use crate::store::Unit;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeaderboardEntry {
    pub rank: u32,
    /// First name and the initial of the last name ("Ada L."), or, without a first name, an
    /// anonymous handle derived from the account ("Traveller 4F2A").
    pub name: String,
    pub total: i64,
    pub level: String,
    /// This row is the viewer's own.
    #[serde(default)]
    pub you: bool,
}

/// How an account appears on the board: "Ada L." (first name, initial of the last), "Ada",
/// or without a first name "Traveller 4F2A", four hex digits of a hash of the account id
/// (stable, and not the id).
pub fn display_name(user: &str, first_name: &str, last_name: &str) -> String {
    let first = first_name.trim();
    if first.is_empty() {
        let h = Sha256::digest(user.as_bytes());
        return format!("Traveller {:02X}{:02X}", h[0], h[1]);
    }
    match last_name.trim().chars().next() {
        Some(c) => format!("{first} {}.", c.to_uppercase()),
        None => first.to_string(),
    }
}

/// The team's ranking by points earned, as `viewer` sees it: the accounts that can log in and
/// have not opted out, the first `limit` of them, and the viewer's own row (at its rank)
/// whatever their choice, so the offline user sees themselves and a server's board has no
/// placeholder.
pub fn leaderboard(unit: &dyn Unit, viewer: &str, limit: usize) -> Result<Vec<LeaderboardEntry>> {
    Ok(unit
        .points()
        .leaderboard(viewer, limit)?
        .into_iter()
        .map(|r| LeaderboardEntry {
            rank: u32::try_from(r.rank).unwrap_or(u32::MAX),
            name: display_name(&r.user, &r.first_name, &r.last_name),
            you: r.user == viewer,
            total: r.total,
            level: level_for(r.total).1.to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_show_a_first_name_and_an_initial_or_a_handle() {
        assert_eq!(display_name("usr_1", "Ada", "Lovelace"), "Ada L.");
        assert_eq!(display_name("usr_1", " Ada ", ""), "Ada");
        assert_eq!(display_name("usr_1", "Élodie", "élan"), "Élodie É.");
        let handle = display_name("usr_1", "", "Dee");
        assert!(handle.starts_with("Traveller "), "{handle}");
        assert_eq!(handle.len(), "Traveller 4F2A".len());
        assert!(!handle.contains("usr_1"));
        assert_eq!(handle, display_name("usr_1", "  ", ""), "stable");
        assert_ne!(handle, display_name("usr_2", "", ""));
    }
}
