//! A traveller's profile and preferences.

use crate::error::{Error, Result};
use crate::store::Unit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    #[serde(default)]
    pub favourite_destinations: Vec<String>,
    /// Per trip, EUR.
    #[serde(default)]
    pub budget_min: Option<u32>,
    #[serde(default)]
    pub budget_max: Option<u32>,
    /// budget, comfort or luxury.
    #[serde(default)]
    pub travel_style: Option<String>,
    #[serde(default)]
    pub interests: Vec<String>,
    #[serde(default)]
    pub dietary_needs: Vec<String>,
    /// Whether others see this account on the team's leaderboard (true unless turned off;
    /// the traveller always sees their own rank).
    #[serde(default = "shown")]
    pub leaderboard: bool,
}

fn shown() -> bool {
    true
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            favourite_destinations: Vec::new(),
            budget_min: None,
            budget_max: None,
            travel_style: None,
            interests: Vec::new(),
            dietary_needs: Vec::new(),
            leaderboard: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Profile {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    /// The language of notifications and e-mails: en, es, fr or de.
    pub locale: String,
    /// IANA time zone the notifications' times are written in.
    pub time_zone: String,
    pub preferences: Preferences,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub preferences: Option<Preferences>,
    /// en, es, fr or de (`es-MX` is taken as es).
    #[serde(default)]
    pub locale: Option<String>,
    /// An IANA name such as `Europe/Madrid`.
    #[serde(default)]
    pub time_zone: Option<String>,
}

pub fn get(unit: &dyn Unit, user: &str) -> Result<Profile> {
    let row = unit
        .users()
        .profile(user)?
        .ok_or_else(|| Error::NotFound(format!("no user {user}")))?;
    let (locale, time_zone) = crate::notify::locale_of(unit, user)?;
    Ok(Profile {
        id: row.id,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        role: row.role,
        locale,
        time_zone,
        preferences: serde_json::from_str(&row.preferences).unwrap_or_default(),
    })
}

pub fn update(unit: &dyn Unit, user: &str, u: &ProfileUpdate) -> Result<Profile> {
    if let Some(e) = &u.email
        && !crate::model::traveller::is_email(e.trim())
    {
        return Err(crate::model::traveller::not_an_email(e));
    }
    for n in [&u.first_name, &u.last_name].into_iter().flatten() {
        if n.chars().count() > 50 {
            return Err(Error::invalid("names are at most 50 characters"));
        }
    }
    if let Some(p) = &u.preferences {
        if let Some(s) = &p.travel_style
            && !["budget", "comfort", "luxury"].contains(&s.as_str())
        {
            return Err(Error::invalid(format!(
                "travel style '{s}': use budget, comfort or luxury"
            )));
        }
        if let (Some(a), Some(b)) = (p.budget_min, p.budget_max)
            && a > b
        {
            return Err(Error::invalid("budget_min is above budget_max"));
        }
    }
    if u.locale.is_some() || u.time_zone.is_some() {
        crate::notify::set_locale(unit, user, u.locale.as_deref(), u.time_zone.as_deref())?;
    }
    let current = get(unit, user)?;
    let mut prefs = u.preferences.clone().unwrap_or(current.preferences);
    // A list names each thing once, as first given ("vegan" twice is vegan).
    for list in [&mut prefs.favourite_destinations, &mut prefs.dietary_needs] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|v| seen.insert(v.trim().to_lowercase()));
    }
    let saved = unit.users().save_profile(
        user,
        u.email.as_deref().unwrap_or(&current.email),
        u.first_name.as_deref().unwrap_or(&current.first_name),
        u.last_name.as_deref().unwrap_or(&current.last_name),
        &serde_json::to_string(&prefs)?,
    )?;
    if !saved {
        return Err(Error::Conflict(
            "that email belongs to another account".into(),
        ));
    }
    get(unit, user)
}
