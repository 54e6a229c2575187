//! `booksygo recommend` and `booksygo plan`: packages picked for you, and a day-by-day plan
//! that fits a budget.

use super::{parse_currency, parse_date};
use crate::output::{Out, Table};
use booksygo_core::Agency;
use booksygo_core::ai::{plan, recommend};
use booksygo_core::model::{Currency, Money};
use clap::Args;
use jiff::civil::Date;

#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[arg(short = 'n', long, default_value_t = 5)]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Where to (city or airport code or name).
    destination: String,
    /// Where from: adds the return flight.
    #[arg(long = "from")]
    origin: Option<String>,
    #[arg(long, value_parser = parse_date)]
    start: Date,
    /// Days in all, arrival and departure days included.
    #[arg(long)]
    days: u32,
    /// Total budget for everything planned.
    #[arg(long)]
    budget: String,
    #[arg(long, value_parser = parse_currency)]
    currency: Option<Currency>,
    #[arg(long, default_value_t = 1)]
    travellers: u8,
    /// Interests to favour in the activities (repeat).
    #[arg(long = "interest")]
    interests: Vec<String>,
}

pub async fn recommend(args: RecommendArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let list = recommend::recommend(agency, args.limit).await?;
    if out.json {
        out.print_json(&list)?;
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&["PACKAGE", "TITLE", "DAYS", "FROM", "WHY"]);
    for r in list {
        t.row(vec![
            r.package_id,
            r.title,
            r.days.to_string(),
            r.price_per_person.to_string(),
            r.why,
        ]);
    }
    crate::output::emit(&t.render(&out));
    Ok(crate::exit::OK)
}

pub async fn plan(args: PlanArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let req = plan::PlanRequest {
        origin: args.origin,
        destination: args.destination,
        start: args.start,
        days: args.days,
        budget: Money::from_decimal(&args.budget, args.currency.unwrap_or(Currency::EUR))?,
        travellers: args.travellers,
        interests: args.interests,
    };
    let it = plan::plan(agency, &req).await?;
    if out.json {
        out.print_json(&it)?;
        return Ok(crate::exit::OK);
    }
    out.line(&format!(
        "{} from {} to {}: {} of {} ({} left)",
        it.destination, it.start, it.end, it.total, it.budget, it.left
    ));
    if let Some(f) = &it.flight {
        out.line(&format!(
            "  flight  {}  {}  [{}]",
            f.description, f.amount, f.id
        ));
    }
    out.line(&format!(
        "  hotel   {}  {}  [{}]",
        it.hotel.description, it.hotel.amount, it.hotel.id
    ));
    for d in &it.days {
        out.line(&format!("  {}  {}", d.date.strftime("%a %-d %b"), d.title));
        for a in &d.activities {
            out.line(&format!("      - {a}"));
        }
    }
    for t in &it.trade_offs {
        out.line(&format!("  trade-off: {t}"));
    }
    Ok(crate::exit::OK)
}
