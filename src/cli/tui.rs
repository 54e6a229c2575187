//! `booksygo tui` (and plain `booksygo` in a terminal): the full-screen app.

use booksygo_core::{Agency, Error, LocalAgency};
use std::io::IsTerminal;
use std::sync::Arc;

/// Whether both ends are a terminal, so plain `booksygo` may open the app.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

pub async fn run(agency: LocalAgency) -> anyhow::Result<u8> {
    if !interactive() {
        return Err(Error::invalid(
            "the terminal app needs a terminal on standard input and output; for scripts use the subcommands (booksygo --help)",
        )
        .into());
    }
    let mode = booksygo_tui::ModeLabel::offline(agency.user());
    let agency: Arc<dyn Agency> = Arc::new(agency);
    booksygo_tui::run(agency, mode).await?;
    Ok(crate::exit::OK)
}
