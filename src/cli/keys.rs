//! `booksygo admin rotate-data-key`: seals every personal value again with the current data
//! key (a new one, made here, when the keys live in the secret store of an offline or
//! single SQLite server), so older keys can be dropped. See the README's "Security".

use crate::output::Out;
use clap::Args;

#[derive(Debug, Args)]
pub struct RotateDataKeyArgs {
    /// The database, when not the SQLite file in the data directory: postgres://USER@HOST:PORT/DB
    /// (the new key must be first in BOOKSYGO_DATA_KEY on every instance) or sqlite:PATH.
    #[arg(long, env = "BOOKSYGO_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

pub async fn rotate_data_key(args: RotateDataKeyArgs, out: Out) -> anyhow::Result<u8> {
    let paths = booksygo_core::config::Paths::from_env()?;
    let settings = booksygo_core::config::Settings::load(&paths)?;
    let database = settings.database(args.database_url)?;
    let done = booksygo_core::crypto::rotate(paths, settings, database).await?;
    if out.json {
        out.print_json(&done)?;
        return Ok(crate::exit::OK);
    }
    let rows: u64 = done.rows.values().sum();
    out.line(&format!(
        "{}: personal data sealed with data key {} ({rows} row{} sealed again)",
        done.database,
        done.key,
        if rows == 1 { "" } else { "s" }
    ));
    let retired = done.retired.join(", ");
    if done.made {
        out.line("the new key was made here and kept in the secret store (data.key)");
        if !retired.is_empty() {
            out.line(&format!("dropped from the secret store: {retired}"));
        }
    } else if !retired.is_empty() {
        out.line(&format!(
            "no value needs {retired} any more: remove it from BOOKSYGO_DATA_KEY on every instance (and from the secret data.key where it is stored)"
        ));
    }
    Ok(crate::exit::OK)
}
