//! `booksygo admin migrate`: brings a PostgreSQL database's schema up to this build's
//! version (`booksygo serve --database-url` also does it when it starts).

use crate::output::Out;
use clap::Args;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The PostgreSQL database: postgres://USER@HOST:PORT/DB (a password is better given in
    /// the environment variable than on the command line). `?pool_max_size=N` is accepted.
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: String,
}

pub async fn run(args: MigrateArgs, out: Out) -> anyhow::Result<u8> {
    let settings =
        booksygo_core::config::Settings::load(&booksygo_core::config::Paths::from_env()?)?;
    let password = settings.secret("database.password")?;
    let done = booksygo_core::postgres::migrate(args.database_url, password).await?;
    if out.json {
        out.print_json(&done)?;
    } else if done.applied.is_empty() {
        out.line(&format!(
            "{}: schema at version {}, nothing to apply",
            done.database, done.to
        ));
    } else {
        let list: Vec<String> = done.applied.iter().map(i64::to_string).collect();
        out.line(&format!(
            "{}: applied migration{} {} (schema {} -> {})",
            done.database,
            if done.applied.len() == 1 { "" } else { "s" },
            list.join(", "),
            done.from,
            done.to
        ));
    }
    Ok(crate::exit::OK)
}

#[derive(Debug, Args)]
pub struct MigrateDataArgs {
    /// The SQLite store to copy: sqlite:PATH (or the path itself).
    #[arg(long)]
    from: String,
    /// The empty PostgreSQL database to copy into: postgres://USER@HOST:PORT/DB (password
    /// from BOOKSYGO_DATABASE_PASSWORD or the secret store).
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    to: String,
}

/// `booksygo admin migrate-data`: a team's SQLite store into PostgreSQL, whole, checked.
pub async fn migrate_data(args: MigrateDataArgs, out: Out) -> anyhow::Result<u8> {
    let settings =
        booksygo_core::config::Settings::load(&booksygo_core::config::Paths::from_env()?)?;
    let password = settings.secret("database.password")?;
    let moved = booksygo_core::postgres::migrate_data(args.from, args.to, password).await?;
    if out.json {
        out.print_json(&moved)?;
    } else {
        out.line(&format!(
            "copied {} rows in {} tables from {} to {}; counts and sums match on both sides",
            moved.rows,
            moved.tables.len(),
            moved.from,
            moved.to
        ));
        for (name, sum) in &moved.sums {
            out.line(&format!("  {name:<30} {sum}"));
        }
    }
    Ok(crate::exit::OK)
}
