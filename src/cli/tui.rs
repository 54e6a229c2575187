//! `booksygo tui` (and plain `booksygo` in a terminal): the full-screen app, over the same
//! agency as every other command (this machine, or the team server in remote mode).

use booksygo_core::ai::Assistant;
use booksygo_core::config::{Clock, Paths};
use booksygo_core::{Agency, Error};
use std::io::IsTerminal;
use std::sync::Arc;

/// Whether both ends are a terminal, so plain `booksygo` may open the app.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The app over `agency`; with this machine's agency (`local`), the e-mail of what happens
/// in it goes out while it runs (the team server sends its own).
pub async fn run(
    agency: Arc<dyn Agency>,
    local: Option<booksygo_core::LocalAgency>,
    offline: bool,
) -> anyhow::Result<u8> {
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
    let chat = match chat_engine(agency.clone(), profile.id, offline) {
        Ok(c) => Some(c),
        Err(e) => {
            // The rest of the app works without the assistant; the Chat view says it is missing.
            eprintln!("booksygo: the assistant is not available: {e}");
            None
        }
    };
    let courier = local.map(|local| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tick.tick().await;
                let local = local.clone();
                // Failures wait for the next tick; the screen is the app's, not stderr's.
                let _ = tokio::task::spawn_blocking(move || local.deliver_notifications()).await;
            }
        })
    });
    let ran = booksygo_tui::run(agency, mode, chat).await;
    if let Some(courier) = courier {
        courier.abort();
    }
    ran?;
    Ok(crate::exit::OK)
}

/// The Chat view's assistant: the same backend choice and conversation store as `booksygo chat`.
fn chat_engine(
    agency: Arc<dyn Agency>,
    user: String,
    offline: bool,
) -> anyhow::Result<booksygo_tui::chat::ChatEngine> {
    let paths = Paths::from_env()?;
    let clock = Clock::from_env()?;
    let assistant = Assistant {
        agency,
        today: clock.now().to_zoned(jiff::tz::TimeZone::UTC).date(),
        backend: super::chat::backend(offline, &paths)?,
    };
    let chats = booksygo_core::ai::conversation::Chats::on_this_machine(&paths, clock)?;
    Ok(booksygo_tui::chat::ChatEngine::new(assistant, chats, user))
}
