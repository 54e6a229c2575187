//! `booksygo import openflights <DIR>`

use crate::output::{Out, spin};
use booksygo_core::{Agency, LocalAgency};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Load airports.dat, airlines.dat and routes.dat (and countries.dat) from an OpenFlights
    /// data folder, so search spans the world network.
    Openflights { dir: PathBuf },
}

pub async fn run(cmd: ImportCmd, agency: &LocalAgency, out: Out) -> anyhow::Result<u8> {
    let ImportCmd::Openflights { dir } = cmd;
    let report = spin("importing", agency.import_openflights(dir)).await?;
    let info = agency.info().await?;
    if out.json {
        out.print_json(&report)?;
        return Ok(crate::exit::OK);
    }
    out.line(&format!(
        "airports: {} read, {} new\nairlines: {} read, {} new\nroutes:   {} read, {} new",
        report.airports_read,
        report.airports_imported,
        report.airlines_read,
        report.airlines_imported,
        report.routes_read,
        report.routes_imported
    ));
    if report.skipped_total() > 0 {
        out.line(&format!("skipped {} rows:", report.skipped_total()));
        for (why, n) in &report.skipped {
            out.line(&format!("  {n:>6}  {why}"));
        }
    }
    out.line(&format!(
        "the market now has {} airports and {} routes",
        info.airports, info.routes
    ));
    Ok(crate::exit::OK)
}
