//! `booksygo schema [COMMAND]`: the JSON contract. One JSON Schema (draft 2020-12) per
//! command's `--json` output, generated from the very types the command prints, so the
//! contract cannot drift from the code; `tests/json_contract_cli.rs` runs every command listed
//! here and validates its output against its schema.

use crate::output::Out;
use booksygo_core::Error;
use booksygo_core::agency::MarketInfo;
use booksygo_core::ai::{plan::Itinerary, predict::Prediction, recommend::Recommendation};
use booksygo_core::booking::{Booking, RefundQuote, desk::Review};
use booksygo_core::local::{ProviderStatus, watch::Alert};
use booksygo_core::model::ledger::LedgerEntry;
use booksygo_core::model::package::PackageSummary;
use booksygo_core::model::{FlightOffer, HotelOffer, PlaceSuggestion, watch::Watch};
use booksygo_core::places::import::ImportReport;
use booksygo_core::points::{BadgeStatus, Balance, Challenge, LeaderboardEntry};
use booksygo_core::profile::Profile;
use booksygo_core::search::packages::{Deal, PackageDetail, PackageResults};
use booksygo_core::search::results::{CalendarDay, Destination};
use booksygo_core::trips::Trip;
use schemars::{JsonSchema, Schema, schema_for};

/// `{"receipt": "..."}` from `bookings export --receipt`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ReceiptOut {
    receipt: String,
}

/// `{"written", "events"}` from `bookings export --ics FILE`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct CalendarFileOut {
    written: String,
    events: u32,
}

fn of<T: JsonSchema>() -> Schema {
    schema_for!(T)
}

/// Every command with a `--json` contract, and the schema of what it prints. Commands that
/// print the same shape share a line (`bookings show|pay|cancel --yes` print a booking).
pub fn contract() -> Vec<(&'static str, Schema)> {
    vec![
        ("info", of::<MarketInfo>()),
        ("places suggest", of::<Vec<PlaceSuggestion>>()),
        ("import openflights", of::<ImportReport>()),
        ("flights search", of::<Vec<FlightOffer>>()),
        ("flights calendar", of::<Vec<CalendarDay>>()),
        ("flights explore", of::<Vec<Destination>>()),
        ("hotels search", of::<Vec<HotelOffer>>()),
        ("packages list", of::<PackageResults>()),
        ("packages show", of::<PackageDetail>()),
        ("packages add", of::<PackageDetail>()),
        ("packages featured", of::<Vec<PackageSummary>>()),
        ("packages deals", of::<Vec<Deal>>()),
        ("packages review", of::<Review>()),
        ("packages sales", of::<booksygo_core::sales::SalesReport>()),
        ("book", of::<Booking>()),
        ("bookings list", of::<Vec<Booking>>()),
        ("bookings show", of::<Booking>()),
        ("bookings pay", of::<Booking>()),
        (
            "bookings pay --paypal",
            of::<booksygo_core::booking::PayPalCheckout>(),
        ),
        ("bookings confirm-payment", of::<Booking>()),
        ("bookings modify", of::<Booking>()),
        ("bookings cancel", of::<RefundQuote>()),
        ("bookings cancel --yes", of::<Booking>()),
        ("bookings export --receipt", of::<ReceiptOut>()),
        ("bookings export --ics", of::<CalendarFileOut>()),
        ("points", of::<Balance>()),
        ("points history", of::<Vec<LedgerEntry>>()),
        ("points badges", of::<Vec<BadgeStatus>>()),
        ("points challenges", of::<Vec<Challenge>>()),
        ("points leaderboard", of::<Vec<LeaderboardEntry>>()),
        ("points referral", of::<booksygo_core::points::Referral>()),
        ("trips create", of::<Trip>()),
        ("trips list", of::<Vec<Trip>>()),
        ("trips show", of::<Trip>()),
        ("trips add", of::<Trip>()),
        ("profile", of::<Profile>()),
        ("profile set", of::<Profile>()),
        ("admin report", of::<booksygo_core::analytics::Report>()),
        ("inbox", of::<booksygo_core::notify::Inbox>()),
        ("inbox show", of::<booksygo_core::notify::Notice>()),
        ("inbox read", of::<booksygo_core::notify::Marked>()),
        (
            "inbox prefs",
            of::<Vec<booksygo_core::notify::Preference>>(),
        ),
        ("recommend", of::<Vec<Recommendation>>()),
        ("plan", of::<Itinerary>()),
        ("predict", of::<Prediction>()),
        ("watch add", of::<Watch>()),
        ("watch list", of::<Vec<Watch>>()),
        ("watch check", of::<Vec<Alert>>()),
        ("providers list", of::<Vec<ProviderStatus>>()),
    ]
}

pub fn run(command: Vec<String>, out: Out) -> anyhow::Result<u8> {
    let all = contract();
    if command.is_empty() {
        if out.json {
            let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
            out.print_json(&names)?;
        } else {
            out.line(
                "Commands with a --json contract (booksygo schema COMMAND prints its schema):",
            );
            for (name, _) in &all {
                out.line(&format!("  {name}"));
            }
        }
        return Ok(crate::exit::OK);
    }
    let wanted = command.join(" ");
    let (_, schema) = all
        .into_iter()
        .find(|(name, _)| *name == wanted)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no JSON contract for '{wanted}': `booksygo schema` lists the commands"
            ))
        })?;
    out.print_json(&schema)?;
    Ok(crate::exit::OK)
}
