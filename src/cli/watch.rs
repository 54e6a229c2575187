//! `booksygo predict` and `booksygo watch add|list|check|remove`: fares over time, through
//! the agency: this machine's store (the observations are recorded by local searches), or a
//! team server with `--remote` (which also sweeps the watches on its own).

use super::{parse_currency, parse_date};
use crate::output::{Out, Table};
use booksygo_core::Agency;
use booksygo_core::model::watch::NewWatch;
use booksygo_core::model::{Cabin, Currency, Money};
use clap::{Args, Subcommand};
use jiff::civil::Date;

/// Exit code of `watch check` when at least one alert fired (cron-friendly).
pub const FIRED: u8 = 10;

fn parse_cabin(s: &str) -> Result<Cabin, String> {
    Cabin::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    origin: String,
    destination: String,
    #[arg(short, long, value_parser = parse_date)]
    date: Date,
    #[arg(long, default_value = "economy", value_parser = parse_cabin)]
    cabin: Cabin,
}

#[derive(Debug, Subcommand)]
pub enum WatchCmd {
    /// Watch a route and date; alert when the cheapest total is below a price.
    Add {
        origin: String,
        destination: String,
        #[arg(short, long, value_parser = parse_date)]
        date: Date,
        /// Alert below this total for all travellers (in --currency, EUR by default).
        #[arg(long)]
        below: String,
        #[arg(long, value_parser = parse_currency)]
        currency: Option<Currency>,
        #[arg(long, default_value_t = 1)]
        adults: u8,
        #[arg(long, default_value = "economy", value_parser = parse_cabin)]
        cabin: Cabin,
    },
    /// Your watches with their last price.
    List,
    /// Search every watch now: alerts on stdout; exit 0 when none fired, 10 when one did.
    Check,
    /// Stop watching.
    Remove { id: String },
}

pub async fn predict(args: PredictArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let p = agency
        .predict_price(&args.origin, &args.destination, args.date, args.cabin)
        .await?;
    if out.json {
        out.print_json(&p)?;
        return Ok(crate::exit::OK);
    }
    let advice = if p.advice == "wait" {
        "wait"
    } else {
        "book now"
    };
    out.line(&format!(
        "{}-{} on {} ({} ahead): {} per traveller today",
        p.origin,
        p.destination,
        p.date,
        booksygo_core::model::counted(p.days_ahead, "day", "days"),
        p.current
    ));
    match (p.in_a_week, p.expected_change) {
        (Some(w), Some(c)) => out.line(&format!(
            "in a week: about {w} ({}), trend {}",
            c.signed(),
            p.trend
        )),
        _ => out.line("in a week: departure is too close to compare"),
    }
    out.line(&format!("advice: {advice} (confidence {})", p.confidence));
    out.line(&format!("basis: {}", p.basis));
    Ok(crate::exit::OK)
}

pub async fn run(cmd: WatchCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd {
        WatchCmd::Add {
            origin,
            destination,
            date,
            below,
            currency,
            adults,
            cabin,
        } => {
            let below = Money::from_decimal(&below, currency.unwrap_or(Currency::EUR))?;
            let w = agency
                .add_watch(&NewWatch {
                    origin,
                    destination,
                    date,
                    below,
                    adults,
                    cabin,
                })
                .await?;
            if out.json {
                out.print_json(&w)?;
            } else {
                out.line(&format!(
                    "{}  {}-{} on {} below {}",
                    w.id, w.origin, w.destination, w.date, w.below
                ));
            }
            Ok(crate::exit::OK)
        }
        WatchCmd::List => {
            let list = agency.watches().await?;
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            let mut t = Table::new(&["ID", "ROUTE", "DATE", "BELOW", "LAST PRICE", "ALERT PRICE"]);
            for w in list {
                t.row(vec![
                    w.id,
                    format!("{}-{}", w.origin, w.destination),
                    crate::output::day(w.date),
                    w.below.to_string(),
                    w.last_price
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "-".into()),
                    w.fired_price
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "-".into()),
                ]);
            }
            crate::output::emit(&t.render(&out));
            Ok(crate::exit::OK)
        }
        WatchCmd::Check => {
            let alerts = agency.check_watches().await?;
            if out.json {
                out.print_json(&alerts)?;
            } else {
                for a in &alerts {
                    out.line(&format!(
                        "ALERT {}  {}-{} on {}: {} (below {})  offer {}",
                        a.watch_id, a.origin, a.destination, a.date, a.price, a.below, a.offer_id
                    ));
                }
            }
            Ok(if alerts.is_empty() {
                crate::exit::OK
            } else {
                FIRED
            })
        }
        WatchCmd::Remove { id } => {
            agency.remove_watch(&id).await?;
            if !out.json {
                out.line(&format!("stopped watching {id}"));
            } else {
                out.print_json(&serde_json::json!({"removed": id}))?;
            }
            Ok(crate::exit::OK)
        }
    }
}
