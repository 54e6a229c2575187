//! The app over a real local agency (SQLite in a tempdir, the sandbox market, a pinned
//! clock): keys go through `App::update`, commands through the real executor.
#![allow(dead_code)]

use booksygo_core::LocalOptions;
use booksygo_core::ai::conversation::Chats;
use booksygo_core::ai::{Assistant, Backend};
use booksygo_core::config::{Clock, Paths};
use booksygo_core::{Agency, LocalAgency};
use booksygo_tui::app::App;
use booksygo_tui::chat::ChatEngine;
use booksygo_tui::{Cmd, ModeLabel, Msg, exec, view};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

pub const NOW: &str = "2027-03-01T09:00:00Z";
pub const DATE: &str = "2027-03-14";
pub const RETURN: &str = "2027-03-21";

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn app() -> App {
    App::new(
        ModeLabel::offline("usr_local"),
        jiff::civil::date(2027, 3, 1),
        false,
    )
}

/// The offline assistant as `booksygo tui --offline` builds it: conversations in the agency's
/// database file, owned by the agency's profile, on the pinned clock.
pub async fn chat_engine(dir: &tempfile::TempDir, agency: Arc<dyn Agency>) -> ChatEngine {
    let paths = Paths::in_dir(dir.path());
    let clock = Clock::fixed(NOW.parse().unwrap());
    let user = agency.profile().await.unwrap().id;
    let assistant = Assistant {
        agency,
        today: jiff::civil::date(2027, 3, 1),
        backend: Backend::Offline,
    };
    ChatEngine::new(
        assistant,
        Chats::on_this_machine(&paths, clock).unwrap(),
        user,
    )
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub agency: Arc<dyn Agency>,
    pub app: App,
    /// The offline assistant over the same agency, keeping conversations in the same database.
    pub chat: Arc<ChatEngine>,
    /// Booking ids and confirmation codes seen, filtered out of snapshots.
    pub secrets: Vec<String>,
}

impl Harness {
    pub async fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let mut options = LocalOptions::new(Paths::in_dir(dir.path()));
        options.clock = Clock::fixed(NOW.parse().unwrap());
        let agency: Arc<dyn Agency> = Arc::new(LocalAgency::open(options).unwrap());
        let chat = Arc::new(chat_engine(&dir, agency.clone()).await);
        let mut h = Harness {
            dir,
            agency,
            chat,
            app: app(),
            secrets: Vec::new(),
        };
        let init = h.app.init();
        h.run(init).await;
        h
    }

    /// Runs commands through the executor and feeds the answers back, until quiet.
    pub async fn run(&mut self, mut cmds: Vec<Cmd>) {
        while !cmds.is_empty() {
            let mut next = Vec::new();
            for cmd in cmds {
                let early = std::sync::Mutex::new(Vec::new());
                let answer = exec::execute(&*self.agency, Some(&self.chat), cmd, &|m| {
                    early.lock().unwrap().push(m);
                })
                .await;
                for m in early.into_inner().unwrap() {
                    next.extend(self.app.update(m));
                }
                let msg = match answer {
                    Msg::Flights { seq, answer, .. } => Msg::Flights {
                        seq,
                        answer,
                        at: Timestamp::UNIX_EPOCH,
                    },
                    Msg::Booked(Ok(b)) => {
                        self.secrets.push(b.id.clone());
                        self.secrets.push(b.confirmation_code.clone());
                        Msg::Booked(Ok(b))
                    }
                    other => other,
                };
                next.extend(self.app.update(msg));
            }
            cmds = next;
        }
    }

    pub async fn press(&mut self, code: KeyCode) {
        let cmds = self.app.update(key(code));
        self.run(cmds).await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await;
        }
    }

    /// From the first screen: a one-way LHR -> JFK search on DATE, answered.
    pub async fn search_lhr_jfk(&mut self) {
        self.type_text("LHR").await;
        self.press(KeyCode::Tab).await;
        self.type_text("JFK").await;
        self.press(KeyCode::Tab).await;
        self.type_text(DATE).await;
        self.press(KeyCode::Enter).await;
    }

    /// From the first screen: a round trip LHR -> JFK on DATE, back on RETURN, answered.
    pub async fn search_round_trip(&mut self, passengers: &str) {
        self.type_text("LHR").await;
        self.press(KeyCode::Tab).await;
        self.type_text("JFK").await;
        self.press(KeyCode::Tab).await;
        self.type_text(DATE).await;
        self.press(KeyCode::Tab).await;
        self.type_text(RETURN).await;
        self.press(KeyCode::Tab).await;
        self.press(KeyCode::Backspace).await;
        self.type_text(passengers).await;
        self.press(KeyCode::Enter).await;
    }

    /// Fills the booking form for one adult with the sandbox card.
    pub async fn fill_booking(&mut self, card: &str) {
        for text in ["Ada", "Lovelace", "1990-12-10", "ada@example.com", card] {
            self.type_text(text).await;
            self.press(KeyCode::Tab).await;
        }
    }

    pub fn render(&self, w: u16, h: u16) -> String {
        // Masked in the state too: a popup may cover part of a code.
        let mut app = self.app.clone();
        for b in &mut app.trips.bookings {
            b.id = "X".repeat(b.id.len());
            b.confirmation_code = "X".repeat(b.confirmation_code.len());
        }
        if let Some(booksygo_tui::app::TripsPrompt::Cancel(Some(q))) = Some(&mut app.trips.prompt) {
            q.booking_id = "X".repeat(q.booking_id.len());
        }
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view::render(&app, f)).unwrap();
        let mut text = t.backend().to_string();
        for s in &self.secrets {
            text = text.replace(s.as_str(), &"X".repeat(s.len()));
        }
        text
    }
}
