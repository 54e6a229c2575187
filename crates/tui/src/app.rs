//! The app's state and `update`: a pure function from (state, message) to (new state,
//! commands). No I/O happens here; `exec` runs the commands.

pub use crate::components::chat::ChatState;
pub use crate::components::form::Field;
use crate::components::outcome::{Action, Outcome, Query};
use crate::components::palette::Choice;
pub use crate::components::palette::Palette;
pub use crate::components::points::PointsState;
pub use crate::components::results::{ResultList, ResultsState};
pub use crate::components::search::{SearchState, Tab, flight_field};
pub use crate::components::trips::{TripsPrompt, TripsState};
use crate::msg::{Cmd, Msg, PointsData};
use booksygo_core::agency::MarketInfo;
use booksygo_core::booking::payment::{Card, MIN_POINTS_REDEMPTION};
use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use booksygo_core::model::{FlightOffer, HotelOffer, PassengerType};
use booksygo_core::search::FlightSort;
use booksygo_core::search::packages::PackageDetail;
use jiff::Timestamp;
use jiff::civil::Date;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

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
    Chat,
}

#[derive(Debug, Clone)]
pub enum Bookable {
    Flight(Box<FlightOffer>),
    Hotel(Box<HotelOffer>),
    Package {
        detail: Box<PackageDetail>,
        date: Date,
    },
}

impl Bookable {
    pub fn travellers(&self) -> Vec<PassengerType> {
        match self {
            Bookable::Flight(o) => o.passengers.iter().map(|p| p.kind).collect(),
            Bookable::Hotel(o) => vec![PassengerType::Adult; o.guests.max(1) as usize],
            Bookable::Package { .. } => vec![PassengerType::Adult],
        }
    }

    fn item(&self) -> ItemRequest {
        match self {
            Bookable::Flight(o) => ItemRequest::Offer {
                offer_id: o.id.clone(),
            },
            Bookable::Hotel(o) => ItemRequest::Offer {
                offer_id: o.id.clone(),
            },
            Bookable::Package { detail, date } => ItemRequest::Package {
                package_id: detail.summary.id.clone(),
                date: *date,
            },
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    /// A package's full detail, once loaded.
    pub package: Option<PackageDetail>,
    /// Selected departure of a package.
    pub departure: usize,
    pub scroll: u16,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookStep {
    Form,
    Confirm,
    Working,
}

#[derive(Debug, Clone)]
pub struct BookState {
    pub item: Bookable,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub step: BookStep,
    pub error: Option<String>,
    pub points: Option<PointsData>,
    /// A fresh key per confirmed attempt-set, so a retried request is not charged twice.
    pub request: Option<BookingRequest>,
}

/// Offsets of the fields after the travellers' in the booking form.
pub mod book_field {
    pub const PER_TRAVELLER: usize = 3;
    pub const EMAIL: usize = 0;
    pub const CARD: usize = 1;
    pub const EXPIRY: usize = 2;
    pub const POINTS: usize = 3;
}

impl BookState {
    fn new(item: Bookable, today: Date) -> BookState {
        let mut fields = Vec::new();
        for kind in item.travellers() {
            let label = |a, c, i| match kind {
                PassengerType::Adult => a,
                PassengerType::Child => c,
                PassengerType::Infant => i,
            };
            fields.push(Field::new(
                label("Given name", "Child given name", "Infant given name"),
                "",
                "as on the passport",
            ));
            fields.push(Field::new("Family name", "", "as on the passport"));
            fields.push(Field::new("Born on", "", "YYYY-MM-DD"));
        }
        fields.push(Field::new(
            "Email",
            "",
            "for the confirmation, e.g. you@example.com",
        ));
        fields.push(Field::new(
            "Card",
            "",
            "sandbox test card 4242 4242 4242 4242",
        ));
        let expiry = format!("12/{:02}", (today.year() + 1) % 100);
        fields.push(Field::new("Expiry", &expiry, "MM/YY"));
        fields.push(Field::new("Redeem points", "0", "100 points = EUR 1"));
        BookState {
            item,
            fields,
            focus: 0,
            step: BookStep::Form,
            error: None,
            points: None,
            request: None,
        }
    }

    fn tail(&self) -> usize {
        self.fields.len() - 4
    }

    pub fn field(&self, offset: usize) -> &str {
        &self.fields[self.tail() + offset].value
    }

    /// Builds the request from the form, or says which field is wrong.
    fn request(&self) -> Result<BookingRequest, (usize, String)> {
        let mut passengers = Vec::new();
        for (n, kind) in self.item.travellers().into_iter().enumerate() {
            let at = n * book_field::PER_TRAVELLER;
            let given = self.fields[at].value.trim();
            let family = self.fields[at + 1].value.trim();
            if given.is_empty() {
                return Err((at, format!("traveller {}: given name is empty", n + 1)));
            }
            if family.is_empty() {
                return Err((at + 1, format!("traveller {}: family name is empty", n + 1)));
            }
            let born = self.fields[at + 2].value.trim();
            let born_on = born.parse::<Date>().map_err(|_| {
                (
                    at + 2,
                    format!(
                        "traveller {}: '{born}' is not a date: use YYYY-MM-DD",
                        n + 1
                    ),
                )
            })?;
            passengers.push(PassengerInput {
                given_name: given.into(),
                family_name: family.into(),
                born_on,
                kind,
                document: None,
                // The sandbox needs no gender; real suppliers that do say so when booking.
                gender: None,
            });
        }
        let tail = self.tail();
        let card = self.field(book_field::CARD).trim();
        if card.is_empty() {
            return Err((
                tail + book_field::CARD,
                "enter a card number (sandbox: 4242 4242 4242 4242)".into(),
            ));
        }
        let points_text = self.field(book_field::POINTS).trim();
        let points = if points_text.is_empty() {
            0
        } else {
            points_text.parse::<i64>().map_err(|_| {
                (
                    tail + book_field::POINTS,
                    format!("'{points_text}' is not a number of points"),
                )
            })?
        };
        Ok(BookingRequest {
            items: vec![self.item.item()],
            passengers,
            contact_email: self.field(book_field::EMAIL).trim().into(),
            contact_phone: None,
            payment: PaymentInput {
                card: Some(Card::new(card, self.field(book_field::EXPIRY))),
                points,
            },
            idempotency_key: None,
        })
    }
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
        vec![Cmd::LoadInfo]
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
            Screen::Book => self.book.as_ref().is_some_and(|b| b.step == BookStep::Form),
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

    fn back(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        } else {
            self.quit = true;
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(k) => self.key(k),
            Msg::Mouse(m) => {
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
                self.move_selection(step);
                vec![]
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                vec![]
            }
            Msg::Info(a) => {
                self.info = a.ok();
                vec![]
            }
            m @ Msg::Suggestions { .. } => self.search.update(m),
            m @ (Msg::FlightsProgress { .. }
            | Msg::Flights { .. }
            | Msg::Calendar { .. }
            | Msg::Hotels { .. }
            | Msg::Packages { .. }) => self.results.update(m),
            Msg::Package(a) => {
                match a {
                    Ok(d) => {
                        self.detail.departure = d
                            .departures
                            .iter()
                            .position(|x| x.slots_left > 0)
                            .unwrap_or(0);
                        self.detail.package = Some(d);
                        self.detail.error = None;
                    }
                    Err(e) => self.detail.error = Some(e),
                }
                vec![]
            }
            Msg::BookingPoints(a) => {
                if let Some(b) = &mut self.book {
                    b.points = a.ok();
                }
                vec![]
            }
            Msg::Booked(a) => {
                let Some(book) = &mut self.book else {
                    return vec![];
                };
                match a {
                    Ok(b) => {
                        self.book = None;
                        self.stack = vec![Screen::Search, Screen::Trips];
                        self.trips.booked(&b)
                    }
                    Err(e) => {
                        book.step = BookStep::Form;
                        book.request = None;
                        book.error = Some(e);
                        vec![]
                    }
                }
            }
            m @ (Msg::Bookings(_) | Msg::Quote(_) | Msg::Cancelled(_) | Msg::Exported(_)) => {
                self.trips.update(m)
            }
            m @ Msg::Points(_) => self.points.update(m),
            m @ (Msg::ChatOpened(_) | Msg::ChatText(_) | Msg::ChatReplied(_)) => {
                self.chat.update(m)
            }
        }
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        if k.kind == KeyEventKind::Release {
            return vec![];
        }
        // Terminals send Alt+x as Esc then x, and a fast Esc then x arrives looking the same:
        // take it as the two keys, so Esc-then-command works however fast it is typed.
        if let KeyCode::Char(c) = k.code
            && k.modifiers == KeyModifiers::ALT
        {
            let mut cmds = self.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            if !self.quit {
                cmds.extend(self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
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
        let cmds = match self.screen() {
            Screen::Search => {
                let outcome = self.search.key(k);
                self.outcome(outcome)
            }
            Screen::Results => {
                let (page, today) = (self.page(), self.today);
                let outcome = self.results.key(k, page, today);
                self.outcome(outcome)
            }
            Screen::Detail => self.key_detail(k),
            Screen::Book => self.key_book(k),
            Screen::Trips => {
                let page = self.page();
                let outcome = self.trips.key(k, page, &mut self.attempts);
                self.outcome(outcome)
            }
            Screen::Points => None,
            Screen::Chat => {
                let page = self.page();
                let outcome = self.chat.key(k, page);
                self.outcome(outcome)
            }
        };
        if let Some(cmds) = cmds {
            return cmds;
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
            KeyCode::Char('m') => return self.command("chat"),
            _ => {}
        }
        vec![]
    }

    /// What a view's key handler did: `None` when the key was not its own.
    fn outcome(&mut self, o: Outcome) -> Option<Vec<Cmd>> {
        match o {
            Outcome::Ignored => None,
            Outcome::Done(cmds) => Some(cmds),
            Outcome::Ask(Action::Back) => {
                self.back();
                Some(vec![])
            }
            Outcome::Ask(Action::Search(q)) => Some(self.search_for(q)),
            Outcome::Ask(Action::Open) => Some(self.open()),
            Outcome::Ask(Action::Book) => Some(self.start_booking()),
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

    fn move_selection(&mut self, by: i64) {
        match self.screen() {
            Screen::Results => self.results.move_by(by),
            Screen::Trips => self.trips.move_by(by),
            Screen::Chat => self.chat.scroll_by(by),
            Screen::Detail => {
                self.detail.scroll = (i64::from(self.detail.scroll) + by).clamp(0, 500) as u16;
            }
            _ => {}
        }
    }

    fn open(&mut self) -> Vec<Cmd> {
        if self.results.list.is_empty() {
            return vec![];
        }
        self.detail = DetailState::default();
        self.push(Screen::Detail);
        if let ResultList::Packages(p) = &self.results.list {
            return vec![Cmd::LoadPackage(p[self.results.selected].id.clone())];
        }
        vec![]
    }

    fn start_booking(&mut self) -> Vec<Cmd> {
        let i = self.results.selected;
        let item = match &self.results.list {
            ResultList::Flights(v) if i < v.len() => Bookable::Flight(Box::new(v[i].clone())),
            ResultList::Hotels(v) if i < v.len() => Bookable::Hotel(Box::new(v[i].clone())),
            ResultList::Packages(_) => {
                let Some(d) = &self.detail.package else {
                    return vec![];
                };
                let Some(dep) = d.departures.get(self.detail.departure) else {
                    return vec![];
                };
                Bookable::Package {
                    detail: Box::new(d.clone()),
                    date: dep.date,
                }
            }
            _ => return vec![],
        };
        self.book = Some(BookState::new(item, self.today));
        self.push(Screen::Book);
        vec![Cmd::LoadBookingPoints]
    }

    // ----- detail -----

    fn key_detail(&mut self, k: KeyEvent) -> Option<Vec<Cmd>> {
        let packages = matches!(self.results.list, ResultList::Packages(_));
        match k.code {
            KeyCode::Char('b') | KeyCode::Enter => return Some(self.start_booking()),
            KeyCode::Down | KeyCode::Char('j') if packages => {
                let n = self
                    .detail
                    .package
                    .as_ref()
                    .map_or(0, |p| p.departures.len());
                self.detail.departure = (self.detail.departure + 1).min(n.saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') if packages => {
                self.detail.departure = self.detail.departure.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::PageDown => self.move_selection(self.page() as i64),
            KeyCode::PageUp => self.move_selection(-(self.page() as i64)),
            KeyCode::Char('n') => {
                self.results.selected =
                    (self.results.selected + 1).min(self.results.list.len().saturating_sub(1));
                return Some(self.open());
            }
            KeyCode::Char('N') => {
                self.results.selected = self.results.selected.saturating_sub(1);
                return Some(self.open());
            }
            _ => return None,
        }
        Some(vec![])
    }

    // ----- book -----

    fn key_book(&mut self, k: KeyEvent) -> Option<Vec<Cmd>> {
        let book = self.book.as_mut()?;
        match book.step {
            BookStep::Working => match k.code {
                KeyCode::Esc | KeyCode::Char('q') => Some(vec![]),
                _ => Some(vec![]),
            },
            BookStep::Confirm => match k.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    self.attempts += 1;
                    let book = self.book.as_mut()?;
                    let mut req = book.request.clone()?;
                    req.idempotency_key = Some(format!(
                        "tui-{}-{}",
                        Timestamp::now().as_millisecond(),
                        self.attempts
                    ));
                    book.step = BookStep::Working;
                    book.error = None;
                    Some(vec![Cmd::Book(Box::new(req))])
                }
                KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => {
                    book.step = BookStep::Form;
                    Some(vec![])
                }
                _ => Some(vec![]),
            },
            BookStep::Form => {
                let n = book.fields.len();
                match k.code {
                    KeyCode::Esc => return None,
                    KeyCode::Tab | KeyCode::Down => book.focus = (book.focus + 1) % n,
                    KeyCode::BackTab | KeyCode::Up => book.focus = (book.focus + n - 1) % n,
                    KeyCode::Backspace => {
                        book.fields[book.focus].value.pop();
                    }
                    KeyCode::Enter => match book.request() {
                        Ok(req) => {
                            book.request = Some(req);
                            book.step = BookStep::Confirm;
                            book.error = None;
                        }
                        Err((field, e)) => {
                            book.focus = field;
                            book.error = Some(e);
                        }
                    },
                    KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                        book.fields[book.focus].value.push(c)
                    }
                    _ => return None,
                }
                Some(vec![])
            }
        }
    }
}

/// The minimum points one booking may redeem (for the form's hint).
pub const MIN_REDEEM: i64 = MIN_POINTS_REDEMPTION;
