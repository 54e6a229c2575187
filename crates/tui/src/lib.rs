//! BooksyGo's terminal app: a full-screen travel agent over `Arc<dyn Agency>`.
//!
//! Elm style: `App` holds the views (`components`: search, results, detail, book, trips,
//! points, chat, each with its state, keys and drawing), `App::update` takes a `Msg`,
//! dispatches it and returns `Cmd`s (side effects as data), `exec` runs them on tokio against
//! the agency and sends the answers back as `Msg`, and `view::render` draws the state. The UI
//! loop runs on its own thread, so nothing the agency does (network, SQLite) can stall typing.

#![forbid(unsafe_code)]

pub mod app;
pub mod chat;
pub mod components;
pub mod exec;
pub mod log;
pub mod msg;
mod theme;
pub mod view;

pub use app::{App, ModeLabel};
pub use msg::{Cmd, Msg};

use booksygo_core::Agency;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::{Terminal, backend::CrosstermBackend};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error(transparent)]
    Core(#[from] booksygo_core::Error),
    #[error("the terminal app stopped unexpectedly; the terminal was restored")]
    Crashed,
}

pub type Result<T> = std::result::Result<T, Error>;

/// Whether colours are wanted (<https://no-color.org>: any non-empty NO_COLOR turns them off).
pub fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the app until the user quits. Needs a tokio runtime (the agency's work runs on it);
/// the UI itself runs on a thread of its own. `chat` is the assistant for the Chat view
/// (without it the view says the assistant is not available).
pub async fn run(
    agency: Arc<dyn Agency>,
    mode: ModeLabel,
    chat: Option<chat::ChatEngine>,
) -> Result<()> {
    let clock = booksygo_core::config::Clock::from_env()?;
    let today = clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    if let Ok(paths) = booksygo_core::config::Paths::from_env()
        && booksygo_core::files::create_private_dir(&paths.data_dir).is_ok()
    {
        log::to_file(&paths.data_dir.join("tui.log"));
    }
    log::line(&format!("start: {} as {}", mode.mode, mode.user));
    let app = App::new(mode, today, colour_wanted());
    let rt = tokio::runtime::Handle::current();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("booksygo-ui".into())
        .spawn(move || {
            let _ = done_tx.send(ui(app, rt, agency, chat.map(Arc::new)));
        })?;
    let r = done_rx.await.unwrap_or(Err(Error::Crashed));
    log::line(&format!("stop: {r:?}"));
    r
}

/// Set while the terminal is in raw mode, so the panic hook restores it only then.
static ACTIVE: AtomicBool = AtomicBool::new(false);

fn restore() -> std::io::Result<()> {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        disable_raw_mode()?;
        execute!(
            std::io::stdout(),
            DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        )?;
    }
    Ok(())
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            log::line(&format!("panic: {info}"));
            previous(info);
        }));
    });
}

impl exec::Inbox for mpsc::Sender<Msg> {
    fn deliver(&self, msg: Msg) {
        // The UI has gone away when this fails: nothing left to tell.
        let _ = self.send(msg);
    }
}

fn ui(
    mut app: App,
    rt: tokio::runtime::Handle,
    agency: Arc<dyn Agency>,
    chat: Option<Arc<chat::ChatEngine>>,
) -> Result<()> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let setup = execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture);
    let result = setup
        .map_err(Error::from)
        .and_then(|_| event_loop(&mut app, rt, agency, chat));
    restore()?;
    result
}

fn event_loop(
    app: &mut App,
    rt: tokio::runtime::Handle,
    agency: Arc<dyn Agency>,
    chat: Option<Arc<chat::ChatEngine>>,
) -> Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let (tx, rx) = mpsc::channel::<Msg>();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (tx, stop) = (tx.clone(), stop.clone());
        std::thread::Builder::new()
            .name("booksygo-keys".into())
            .spawn(move || read_terminal(tx, stop))?
    };
    let run = |cmds: Vec<Cmd>| {
        for cmd in cmds {
            exec::spawn(&rt, agency.clone(), chat.clone(), cmd, tx.clone());
        }
    };
    run(app.init());
    let outcome = loop {
        if let Err(e) = terminal.draw(|f| view::render(app, f)) {
            break Err(e.into());
        }
        let Ok(first) = rx.recv() else {
            break Ok(());
        };
        // Take everything already waiting before drawing again.
        let mut next = Some(first);
        while let Some(msg) = next {
            run(app.update(msg));
            next = if app.quit { None } else { rx.try_recv().ok() };
        }
        if app.quit {
            break Ok(());
        }
    };
    stop.store(true, Ordering::SeqCst);
    let _ = reader.join();
    outcome
}

/// Reads terminal events into the inbox until told to stop.
fn read_terminal(tx: mpsc::Sender<Msg>, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    while !stop.load(Ordering::SeqCst) {
        if !event::poll(Duration::from_millis(50))? {
            continue;
        }
        let msg = match event::read()? {
            Event::Key(k) => Msg::Key(k),
            Event::Mouse(m) => Msg::Mouse(m),
            Event::Resize(w, h) => Msg::Resize(w, h),
            _ => continue,
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
    Ok(())
}
