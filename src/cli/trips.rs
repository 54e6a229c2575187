//! `booksygo trips create|list|show|add|export` and `booksygo profile show|set`

use super::{money, parse_currency, parse_date};
use crate::output::{Out, Style, Table};
use booksygo_core::Agency;
use booksygo_core::model::Currency;
use booksygo_core::profile::{Preferences, ProfileUpdate};
use booksygo_core::trips::{NewTrip, Trip};
use clap::Subcommand;
use jiff::civil::Date;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum TripsCmd {
    /// Start a trip: a name, optional dates and a budget.
    Create {
        name: String,
        #[arg(long, value_parser = parse_date)]
        start: Option<Date>,
        #[arg(long, value_parser = parse_date)]
        end: Option<Date>,
        #[arg(long)]
        budget: Option<String>,
        #[arg(long, value_parser = parse_currency)]
        currency: Option<Currency>,
    },
    List,
    /// The trip's day-by-day timeline and its spending against the budget.
    Show {
        id: String,
    },
    /// Put a booking in a trip.
    Add {
        trip: String,
        booking: String,
    },
    /// One .ics calendar for the whole trip.
    Export {
        id: String,
        #[arg(long, default_value = "-")]
        ics: PathBuf,
    },
}

fn print_trip(out: Out, t: &Trip) {
    let dates = match (t.starts_on, t.ends_on) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("from {a}"),
        (None, Some(b)) => format!("until {b}"),
        (None, None) => "no dates yet".into(),
    };
    out.line(&format!(
        "{}  {}  {dates}",
        t.id,
        out.paint(Style::Bold, &t.name)
    ));
    match (t.budget, t.remaining) {
        (Some(b), Some(r)) => out.line(&format!(
            "  spent {} of {} ({} {})",
            t.spent,
            b,
            if r.minor < 0 { "over by" } else { "left" },
            money_abs(r)
        )),
        _ => out.line(&format!("  spent {}", t.spent)),
    }
    for e in &t.timeline {
        out.line(&format!(
            "  {}  {:<8} {}",
            e.date.strftime("%a %-d %b"),
            e.kind,
            e.text
        ));
    }
}

fn money_abs(m: booksygo_core::model::Money) -> booksygo_core::model::Money {
    booksygo_core::model::Money::new(m.minor.abs(), m.currency)
}

pub async fn trips(cmd: TripsCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd {
        TripsCmd::Create {
            name,
            start,
            end,
            budget,
            currency,
        } => {
            let t = agency
                .create_trip(&NewTrip {
                    name,
                    starts_on: start,
                    ends_on: end,
                    budget: money(budget.as_deref(), currency)?,
                })
                .await?;
            if out.json {
                out.print_json(&t)?;
            } else {
                print_trip(out, &t);
            }
        }
        TripsCmd::List => {
            let list = agency.list_trips().await?;
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            let mut t = Table::new(&["TRIP", "NAME", "FROM", "TO", "BOOKINGS", "SPENT", "BUDGET"])
                .right(&[4, 5, 6]);
            for trip in &list {
                t.row(vec![
                    trip.id.clone(),
                    trip.name.clone(),
                    trip.starts_on.map(crate::output::day).unwrap_or_default(),
                    trip.ends_on.map(crate::output::day).unwrap_or_default(),
                    trip.bookings.len().to_string(),
                    trip.spent.to_string(),
                    trip.budget.map(|b| b.to_string()).unwrap_or_default(),
                ]);
            }
            crate::output::emit(&t.render(&out));
        }
        TripsCmd::Show { id } => {
            let t = agency.get_trip(&id).await?;
            if out.json {
                out.print_json(&t)?;
            } else {
                print_trip(out, &t);
            }
        }
        TripsCmd::Add { trip, booking } => {
            let t = agency.add_to_trip(&trip, &booking).await?;
            if out.json {
                out.print_json(&t)?;
            } else {
                print_trip(out, &t);
            }
        }
        TripsCmd::Export { id, ics } => {
            let cal = agency.trip_calendar(&id).await?;
            super::book::write_calendar(Some(&ics), &cal, out)?;
        }
    }
    Ok(crate::exit::OK)
}

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ProfileCmd {
    Show,
    /// Change your name, email or preferences.
    Set {
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// budget, comfort or luxury.
        #[arg(long)]
        style: Option<String>,
        /// An interest (hiking, food, ...); repeat for several.
        #[arg(long = "interest")]
        interests: Vec<String>,
        /// A favourite destination; repeat for several.
        #[arg(long = "favourite")]
        favourites: Vec<String>,
        /// Per trip, EUR.
        #[arg(long)]
        budget_min: Option<u32>,
        #[arg(long)]
        budget_max: Option<u32>,
        /// A dietary need; repeat for several.
        #[arg(long = "diet")]
        dietary: Vec<String>,
        /// Whether others see you on the team's leaderboard (you always see your own rank).
        #[arg(long, value_name = "on|off", value_parser = on_off)]
        leaderboard: Option<bool>,
        /// The language of your notifications: en, es, fr or de.
        #[arg(long)]
        locale: Option<String>,
        /// The time zone notifications write times in (an IANA name: Europe/Madrid).
        #[arg(long)]
        time_zone: Option<String>,
    },
}

/// `on` or `off` (also `true`/`false`, `yes`/`no`), for a switch.
fn on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("'{s}': use on or off")),
    }
}

pub async fn profile(cmd: Option<ProfileCmd>, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let p = match cmd.unwrap_or(ProfileCmd::Show) {
        ProfileCmd::Show => agency.profile().await?,
        ProfileCmd::Set {
            email,
            first_name,
            last_name,
            style,
            interests,
            favourites,
            budget_min,
            budget_max,
            dietary,
            leaderboard,
            locale,
            time_zone,
        } => {
            let current = agency.profile().await?.preferences;
            let touched = style.is_some()
                || leaderboard.is_some()
                || !interests.is_empty()
                || !favourites.is_empty()
                || budget_min.is_some()
                || budget_max.is_some()
                || !dietary.is_empty();
            let preferences = touched.then(|| Preferences {
                favourite_destinations: if favourites.is_empty() {
                    current.favourite_destinations.clone()
                } else {
                    favourites
                },
                budget_min: budget_min.or(current.budget_min),
                budget_max: budget_max.or(current.budget_max),
                travel_style: style.or(current.travel_style.clone()),
                interests: if interests.is_empty() {
                    current.interests.clone()
                } else {
                    interests
                },
                dietary_needs: if dietary.is_empty() {
                    current.dietary_needs.clone()
                } else {
                    dietary
                },
                leaderboard: leaderboard.unwrap_or(current.leaderboard),
            });
            agency
                .update_profile(&ProfileUpdate {
                    email,
                    first_name,
                    last_name,
                    preferences,
                    locale,
                    time_zone,
                })
                .await?
        }
    };
    if out.json {
        out.print_json(&p)?;
    } else {
        out.line(&format!(
            "{} {} <{}> ({})",
            p.first_name, p.last_name, p.email, p.role
        ));
        out.line(&format!(
            "  notifications in {}, times in {}",
            p.locale, p.time_zone
        ));
        let pr = &p.preferences;
        out.line(&format!(
            "  style {}  budget EUR {}-{}",
            pr.travel_style.as_deref().unwrap_or("-"),
            pr.budget_min.map(|v| v.to_string()).unwrap_or_default(),
            pr.budget_max.map(|v| v.to_string()).unwrap_or_default()
        ));
        out.line(&format!("  interests: {}", pr.interests.join(", ")));
        out.line(&format!(
            "  favourites: {}",
            pr.favourite_destinations.join(", ")
        ));
        out.line(&format!("  dietary: {}", pr.dietary_needs.join(", ")));
        out.line(&format!(
            "  leaderboard: {}",
            if pr.leaderboard {
                "shown to others"
            } else {
                "hidden from others"
            }
        ));
    }
    Ok(crate::exit::OK)
}
