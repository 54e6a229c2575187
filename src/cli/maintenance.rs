//! Looking after a store: `booksygo admin backup` and `admin restore` (a consistent copy of
//! a SQLite store, taken while the server runs, and putting one back; PostgreSQL has its own
//! tools, see the README's "Backups"), and `admin check` (its integrity, on either engine).

use crate::output::Out;
use booksygo_core::config::Paths;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (never overwritten).
    file: PathBuf,
    /// The data directory whose store to copy [default: the usual one].
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to put back.
    file: PathBuf,
    /// The data directory whose store to replace [default: the usual one]. Stop the server
    /// that uses it first.
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The data directory whose store to check [default: the usual one].
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Check this database instead (postgres://... or sqlite:PATH), as `serve --database-url`
    /// [config: server.database_url].
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

/// Exit code when the check finds problems.
pub const PROBLEMS_FOUND: u8 = 6;

pub async fn check(args: CheckArgs, out: Out) -> anyhow::Result<u8> {
    let paths = match args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let settings = booksygo_core::config::Settings::load(&Paths::from_env()?)?;
    let database = settings.database(args.database_url)?;
    let agency = tokio::task::spawn_blocking(move || {
        booksygo_core::LocalAgency::existing_on(paths, &settings, database)
    })
    .await??;
    let problems = agency.check_integrity().await?;
    if out.json {
        out.print_json(&serde_json::json!({
            "database": agency.describe_database(),
            "ok": problems.is_empty(),
            "problems": problems,
        }))?;
    } else if problems.is_empty() {
        out.line(&format!(
            "{}: no problem found (inventory against holds, holds of ended bookings, payments, points)",
            agency.describe_database()
        ));
    } else {
        out.line(&format!(
            "{}: {} problem{} found",
            agency.describe_database(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ));
        for p in &problems {
            out.line(&format!("  {:<9} {}", p.area, p.detail));
        }
    }
    Ok(if problems.is_empty() {
        crate::exit::OK
    } else {
        PROBLEMS_FOUND
    })
}

fn database(data_dir: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    Ok(match data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    }
    .database())
}

pub async fn backup(args: BackupArgs, out: Out) -> anyhow::Result<u8> {
    let from = database(args.data_dir)?;
    let to = args.file;
    let copied =
        tokio::task::spawn_blocking(move || booksygo_core::backup::backup(&from, &to)).await??;
    report(&copied, "backed up", out)
}

pub async fn restore(args: RestoreArgs, out: Out) -> anyhow::Result<u8> {
    let to = database(args.data_dir)?;
    let from = args.file;
    let copied =
        tokio::task::spawn_blocking(move || booksygo_core::backup::restore(&from, &to)).await??;
    report(&copied, "restored", out)
}

fn report(copied: &booksygo_core::backup::Copied, verb: &str, out: Out) -> anyhow::Result<u8> {
    if out.json {
        out.print_json(copied)?;
    } else {
        out.line(&format!(
            "{verb} {} to {} (schema {}, {} bookings, {} bytes)",
            copied.from, copied.to, copied.schema, copied.bookings, copied.bytes
        ));
    }
    Ok(crate::exit::OK)
}
