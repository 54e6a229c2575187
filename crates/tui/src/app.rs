//! The app's top level: which view shows (a stack), the overlays, the state shared by all
//! views, and `update`, a pure function from (state, message) to (new state, commands) that
//! dispatches to the views in `components`. No I/O happens here; `exec` runs the commands.

use crate::components::outcome::{Action, Outcome, Query};
use crate::components::palette::Choice;
use crate::msg::{Answer, Cmd, Msg};
use booksygo_core::agency::MarketInfo;
use booksygo_core::booking::Booking;
use booksygo_core::search::FlightSort;
use jiff::civil::Date;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

// The views' state and its parts, under the names `app::` has always given them.
pub use crate::components::book::{BookState, BookStep, Bookable, MIN_REDEEM, book_field};
pub use crate::components::chat::ChatState;
pub use crate::components::detail::DetailState;
pub use crate::components::form::Field;
pub use crate::components::inbox::InboxState;
pub use crate::components::palette::Palette;
pub use crate::components::points::PointsState;
pub use crate::components::results::{ResultList, ResultsState};
pub use crate::components::search::{SearchState, Tab, flight_field};
pub use crate::components::trips::{TripsPrompt, TripsState};
pub use crate::components::watches::WatchesState;

/// Where the app runs: "offline" or a server URL, and who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeLabel {
    pub mode: String,
    pub user: String,
}

impl ModeLabel {
    pub fn offline(user: &str) -> ModeLabel {
        ModeLabel {
            mode: "offline".into(),
            user: user.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Search,
    Results,
    Detail,
    Book,
    Trips,
    Points,
    Inbox,
    Watches,
    Chat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette(Palette),
}

#[derive(Debug, Clone)]
pub struct App {
    pub mode: ModeLabel,
    pub today: Date,
    pub color: bool,
    pub stack: Vec<Screen>,
    pub search: SearchState,
    pub results: ResultsState,
    pub detail: DetailState,
    pub book: Option<BookState>,
    pub trips: TripsState,
    pub points: PointsState,
    pub inbox: InboxState,
    pub watches: WatchesState,
    pub chat: ChatState,
    pub overlay: Overlay,
    pub info: Option<MarketInfo>,
    pub size: (u16, u16),
    pub quit: bool,
    /// A counter for idempotency keys.
    pub attempts: u64,
}

impl App {
    pub fn new(mode: ModeLabel, today: Date, color: bool) -> App {
        App {
            mode,
            today,
            color,
            stack: vec![Screen::Search],
            search: SearchState::new(),
            results: ResultsState::default(),
            detail: DetailState::default(),
            book: None,
            trips: TripsState::default(),
            points: PointsState::default(),
            inbox: InboxState::default(),
            watches: WatchesState::default(),
            chat: ChatState::default(),
            overlay: Overlay::None,
            info: None,
            size: (80, 24),
            quit: false,
            attempts: 0,
        }
    }

    /// What to do on start.
    pub fn init(&self) -> Vec<Cmd> {
        vec![Cmd::LoadInfo, Cmd::LoadInbox]
    }

    pub fn screen(&self) -> Screen {
        *self.stack.last().unwrap_or(&Screen::Search)
    }

    /// Rows the results table shows at once (for PgUp/PgDn).
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(10)).max(1)
    }

    /// Whether keys go into a text field (so letters are text, not commands).
    pub fn typing(&self) -> bool {
        match self.screen() {
            Screen::Search => self.search.typing(),
            Screen::Book => self.book.as_ref().is_some_and(|b| b.typing()),
            Screen::Trips => self.trips.typing(),
            Screen::Chat => true,
            _ => false,
        }
    }

    fn push(&mut self, s: Screen) {
        if self.screen() != s {
            self.stack.retain(|x| *x != s);
            self.stack.push(s);
        }
    }

    /// Back to the previous view (quit on the first). A form come back to does not take
    /// keys as text until asked to (Tab, the arrows, Enter): the `q` or Esc that brought the
    /// user back is often followed by another, which must go on back, not into a field.
    fn back(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            match self.screen() {
                Screen::Search => self.search.resume(),
                Screen::Book => {
                    if let Some(b) = &mut self.book {
                        b.resume();
                    }
                }
                _ => {}
            }
        } else {
            self.quit = true;
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) => self.key(k),
            Msg::Mouse(m) => self.mouse(m),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                vec![]
            }
            Msg::Info(a) => {
                self.info = a.ok();
                vec![]
            }
            Msg::Booked(a) => self.booked(a),
            m @ Msg::Suggestions { .. } => self.search.update(m),
            m @ (Msg::FlightsProgress { .. }
            | Msg::Flights { .. }
            | Msg::Calendar { .. }
            | Msg::Hotels { .. }
            | Msg::Packages { .. }) => self.results.update(m),
            m @ Msg::Package(_) => self.detail.update(m),
            m @ Msg::BookingPoints(_) => match &mut self.book {
                Some(b) => b.update(m),
                None => vec![],
            },
            m @ Msg::Cancelled(_) => {
                // A cancellation brings news (what comes back): the inbox's badge follows.
                let mut cmds = self.trips.update(m);
                cmds.push(Cmd::LoadInbox);
                cmds
            }
            m @ (Msg::Bookings(_) | Msg::Quote(_) | Msg::Exported(_)) => self.trips.update(m),
            m @ Msg::Points(_) => self.points.update(m),
            m @ (Msg::Inbox(_) | Msg::Marked(_)) => self.inbox.update(m),
            m @ Msg::Watched(_) => {
                // A watch added from the results: the list shows it with what was done.
                if self.screen() != Screen::Watches {
                    self.push(Screen::Watches);
                }
                self.watches.update(m)
            }
            m @ (Msg::Watches(_) | Msg::Unwatched(_)) => self.watches.update(m),
            m @ (Msg::ChatOpened(_) | Msg::ChatText(_) | Msg::ChatReplied(_)) => {
                self.chat.update(m)
            }
        }
    }

    /// A booking made ends in Trips with it selected; a failed one goes back to the form.
    fn booked(&mut self, a: Answer<Booking>) -> Vec<Cmd> {
        let Some(book) = &mut self.book else {
            return vec![];
        };
        match a {
            Ok(b) => {
                self.book = None;
                self.stack = vec![Screen::Search, Screen::Trips];
                let mut cmds = self.trips.booked(&b);
                cmds.push(Cmd::LoadInbox);
                cmds
            }
            Err(e) => {
                book.failed(e);
                vec![]
            }
        }
    }

    fn mouse(&mut self, m: MouseEvent) -> Vec<Cmd> {
        let step: i64 = match m.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left)
                if self.screen() == Screen::Results && self.overlay == Overlay::None =>
            {
                // A click selects a row; a click on the selected row opens it.
                let Some(at) = self.results.row_at(m.row, self.size.1) else {
                    return vec![];
                };
                if at == self.results.selected {
                    return self.open();
                }
                self.results.selected = at;
                return vec![];
            }
            _ => return vec![],
        };
        match self.screen() {
            Screen::Results => self.results.move_by(step),
            Screen::Trips => self.trips.move_by(step),
            Screen::Inbox => {
                let last = self
                    .inbox
                    .data
                    .as_ref()
                    .map_or(0, |d| d.notices.len().saturating_sub(1));
                self.inbox.selected =
                    (self.inbox.selected as i64 + step).clamp(0, last as i64) as usize;
            }
            Screen::Watches => self.watches.move_by(step),
            Screen::Chat => self.chat.scroll_by(step),
            Screen::Detail => self.detail.scroll_by(step),
            _ => {}
        }
        vec![]
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        if k.kind == KeyEventKind::Release {
            return vec![];
        }
        // Terminals send Alt+x as Esc then x, and a fast Esc then x (or an arrow) arrives
        // looking the same: take it as the two keys, so Esc-then-command works however fast
        // it is typed.
        if k.modifiers == KeyModifiers::ALT && k.code != KeyCode::Esc {
            let mut cmds = self.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            if !self.quit {
                cmds.extend(self.key(KeyEvent::new(k.code, KeyModifiers::NONE)));
            }
            return cmds;
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && k.code == KeyCode::Char('c') {
            self.quit = true;
            return vec![];
        }
        match &mut self.overlay {
            Overlay::Help => {
                self.overlay = Overlay::None;
                return vec![];
            }
            Overlay::Palette(p) => {
                match p.key(k) {
                    Choice::Stay => {}
                    Choice::Close => self.overlay = Overlay::None,
                    Choice::Run(name) => {
                        self.overlay = Overlay::None;
                        return self.command(name);
                    }
                }
                return vec![];
            }
            Overlay::None => {}
        }
        if ctrl && k.code == KeyCode::Char('p') {
            self.overlay = Overlay::Palette(Palette::default());
            return vec![];
        }
        if k.code == KeyCode::F(1) {
            self.overlay = Overlay::Help;
            return vec![];
        }
        let typing = self.typing();
        let page = self.page();
        let outcome = match self.screen() {
            Screen::Search => self.search.key(k),
            Screen::Results => {
                let rows = (page / usize::from(self.results.row_height())).max(1);
                self.results.key(k, rows, self.today)
            }
            Screen::Detail => self.detail.key(k, &self.results, page),
            Screen::Book => match &mut self.book {
                Some(b) => b.key(k, &mut self.attempts),
                None => Outcome::Ignored,
            },
            Screen::Trips => self.trips.key(k, page, &mut self.attempts),
            Screen::Points => Outcome::Ignored,
            Screen::Inbox => self.inbox.key(k),
            Screen::Watches => self.watches.key(k),
            Screen::Chat => self.chat.key(k, page),
        };
        match outcome {
            Outcome::Done(cmds) => return cmds,
            Outcome::Ask(action) => return self.act(action),
            Outcome::Ignored => {}
        }
        if typing {
            return vec![];
        }
        match k.code {
            KeyCode::Char('?') => self.overlay = Overlay::Help,
            KeyCode::Char(':') => self.overlay = Overlay::Palette(Palette::default()),
            KeyCode::Char('q') | KeyCode::Esc => self.back(),
            KeyCode::Char('/') => return self.command("search"),
            KeyCode::Char('t') => return self.command("trips"),
            KeyCode::Char('p') => return self.command("points"),
            KeyCode::Char('i') => return self.command("inbox"),
            KeyCode::Char('m') => return self.command("chat"),
            _ => {}
        }
        vec![]
    }

    /// Does what a view asked for that reaches past it.
    fn act(&mut self, action: Action) -> Vec<Cmd> {
        match action {
            Action::Back => {
                self.back();
                vec![]
            }
            Action::Search(q) => self.search_for(q),
            Action::Open => self.open(),
            Action::OpenAt(i) => {
                self.results.selected = i;
                self.open()
            }
            Action::Book => self.start_booking(),
        }
    }

    /// Runs a palette command (also behind the global keys).
    pub fn command(&mut self, name: &str) -> Vec<Cmd> {
        match name {
            "search" | "flights" | "hotels" | "packages" => {
                self.search.show(match name {
                    "hotels" => Some(Tab::Hotels),
                    "packages" => Some(Tab::Packages),
                    "flights" => Some(Tab::Flights),
                    _ => None,
                });
                self.stack = vec![Screen::Search];
            }
            "results" if !self.results.list.is_empty() || self.results.loading => {
                self.push(Screen::Results);
            }
            "trips" => {
                self.push(Screen::Trips);
                return self.trips.load();
            }
            "points" => {
                self.push(Screen::Points);
                return self.points.load();
            }
            "inbox" => {
                self.push(Screen::Inbox);
                return self.inbox.load();
            }
            "watches" => {
                self.push(Screen::Watches);
                return self.watches.load();
            }
            "chat" => {
                self.push(Screen::Chat);
                return self.chat.open();
            }
            "help" => self.overlay = Overlay::Help,
            "quit" => self.quit = true,
            s if s.starts_with("sort ") => {
                if let Ok(sort) = FlightSort::parse(&s[5..])
                    && let Some(cmds) = self.results.requery(self.today, |q| q.sort = sort)
                {
                    self.push(Screen::Results);
                    return cmds;
                }
            }
            _ => {}
        }
        vec![]
    }

    /// A new search from the form: its results replace the last ones.
    fn search_for(&mut self, q: Query) -> Vec<Cmd> {
        self.push(Screen::Results);
        self.results.search(q, self.today)
    }

    /// Opens the selected result in the Detail view.
    fn open(&mut self) -> Vec<Cmd> {
        if self.results.list.is_empty() {
            return vec![];
        }
        let (detail, cmds) = DetailState::open(&self.results);
        self.detail = detail;
        self.push(Screen::Detail);
        cmds
    }

    /// Opens the booking form for the selected result.
    fn start_booking(&mut self) -> Vec<Cmd> {
        let Some(item) = Bookable::chosen(&self.results, &self.detail) else {
            return vec![];
        };
        self.book = Some(BookState::new(item, self.today));
        self.push(Screen::Book);
        vec![Cmd::LoadBookingPoints]
    }
}
