//! `booksygo chat ["<message>"]`: the assistant, one shot or as a REPL; conversations are
//! kept in the local database and resumed with `--continue` or `--conversation ID`.

use crate::output::{Out, Table};
use booksygo_core::Agency;
use booksygo_core::ai::conversation::{Chats, Conversation, Which};
use booksygo_core::ai::{Assistant, Backend, openai};
use booksygo_core::config::{Clock, Paths, Settings};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The message; without it, a conversation on standard input (one message per line).
    message: Option<String>,
    /// Resume the most recent conversation.
    #[arg(long = "continue", short = 'c', conflicts_with = "conversation")]
    resume: bool,
    /// Resume this conversation (cnv_...).
    #[arg(long)]
    conversation: Option<String>,
    /// List your conversations.
    #[arg(long, conflicts_with_all = ["message", "resume", "conversation"])]
    list: bool,
}

/// Where conversations are kept (this machine's database, also in remote mode), and whose.
struct Local {
    chats: Chats,
    user: String,
}

pub async fn run(
    args: ChatArgs,
    agency: Arc<dyn Agency>,
    offline: bool,
    out: Out,
) -> anyhow::Result<u8> {
    let paths = Paths::from_env()?;
    let clock = Clock::from_env()?;
    // The account the conversations belong to (the local traveller, or the server account).
    let user = agency.profile().await?.id;
    let local = Local {
        chats: Chats::on_this_machine(&paths, clock)?,
        user,
    };
    if args.list {
        let list = local.chats.list(&local.user).await?;
        if out.json {
            out.print_json(&list)?;
        } else {
            let mut t = Table::new(&["ID", "MESSAGES", "UPDATED", "TITLE"]);
            for c in list {
                t.row(vec![
                    c.id,
                    c.messages.to_string(),
                    c.updated_at.strftime("%Y-%m-%d %H:%M").to_string(),
                    c.title,
                ]);
            }
            crate::output::emit(&t.render(&out));
        }
        return Ok(crate::exit::OK);
    }
    let assistant = Assistant {
        agency,
        today: clock.now().to_zoned(jiff::tz::TimeZone::UTC).date(),
        backend: backend(offline, &paths)?,
    };
    let which = match (args.conversation, args.resume) {
        (Some(id), _) => Which::Id(id),
        (None, true) => Which::Latest,
        (None, false) => Which::New,
    };
    let mut conv = local.chats.open(&local.user, which).await?;
    match args.message {
        Some(message) => {
            turn(&assistant, &local, &mut conv, &message, out).await?;
            Ok(crate::exit::OK)
        }
        None => repl(&assistant, &local, &mut conv, out).await,
    }
}

/// The assistant's brain: offline with --offline or when no model is configured, else the
/// configured OpenAI-compatible model (`booksygo chat` and the terminal app's Chat view).
pub fn backend(offline: bool, paths: &Paths) -> anyhow::Result<Backend> {
    if offline {
        return Ok(Backend::Offline);
    }
    Ok(
        match openai::LlmConfig::from_settings(&Settings::load(paths)?)? {
            Some(cfg) => Backend::OpenAi(Box::new(openai::OpenAiBackend::new(cfg)?)),
            None => Backend::Offline,
        },
    )
}

/// One exchange: the reply streams to stdout (or comes as one JSON object), then the
/// conversation is saved.
async fn turn(
    assistant: &Assistant,
    local: &Local,
    conv: &mut Conversation,
    message: &str,
    out: Out,
) -> anyhow::Result<()> {
    let stream = !out.json;
    let mut printed = false;
    // What was said is kept whatever happens.
    let result = local
        .chats
        .turn(assistant, &local.user, conv, message, &mut |delta: &str| {
            if stream {
                crate::output::emit(delta);
                printed = true;
            }
        })
        .await;
    let reply = result?;
    if out.json {
        out.print_json(&reply)?;
    } else {
        if printed {
            crate::output::emit("\n");
        }
        for call in &reply.tool_calls {
            eprintln!(
                "{}",
                out.paint(
                    crate::output::Style::Dim,
                    &format!(
                        "[tool {}{}]",
                        call.name,
                        if call.ok { "" } else { ": error" }
                    )
                )
            );
        }
    }
    Ok(())
}

async fn repl(
    assistant: &Assistant,
    local: &Local,
    conv: &mut Conversation,
    out: Out,
) -> anyhow::Result<u8> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!(
            "BooksyGo assistant ({}), conversation {}. Type your request; \"exit\" or Ctrl-D to leave.",
            assistant.backend.name(),
            conv.id
        );
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            eprint!("you> ");
            std::io::stderr().flush().ok();
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if matches!(text, "exit" | "quit" | "/exit" | "/quit") {
            break;
        }
        // One bad turn (a typo'd place, a supplier down) does not end the conversation.
        if let Err(e) = turn(assistant, local, conv, text, out).await {
            crate::output::report_error(&out, &e);
        }
    }
    if interactive {
        eprintln!(
            "conversation {} saved; resume with `booksygo chat --continue`",
            conv.id
        );
    }
    Ok(crate::exit::OK)
}
