//! `booksygo tui` (and plain `booksygo` in a terminal): the full-screen app, over the same
//! agency as every other command (this machine, or the team server in remote mode).

use booksygo_core::{Agency, Error};
use std::io::IsTerminal;
use std::sync::Arc;

/// Whether both ends are a terminal, so plain `booksygo` may open the app.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

pub async fn run(agency: Arc<dyn Agency>) -> anyhow::Result<u8> {
    if !interactive() {
        return Err(Error::invalid(
            "the terminal app needs a terminal on standard input and output; for scripts use the subcommands (booksygo --help)",
        )
        .into());
    }
    // The status bar's mode and user, as the agency reports them ("local", or "remote URL as
    // EMAIL"); asking also fails early, before the screen is taken, if a server is unreachable.
    let info = agency.info().await?;
    let profile = agency.profile().await?;
    let mode = match info.mode.as_str() {
        "local" => "offline".to_string(),
        other => other
            .split(" as ")
            .next()
            .unwrap_or(other)
            .trim_start_matches("remote ")
            .to_string(),
    };
    let mode = booksygo_tui::ModeLabel {
        mode,
        user: profile.email,
    };
    booksygo_tui::run(agency, mode).await?;
    Ok(crate::exit::OK)
}
