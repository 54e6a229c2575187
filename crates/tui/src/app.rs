//! The app's state and `update`: a pure function from (state, message) to (new state,
//! commands). No I/O happens here; `exec` runs the commands.

pub use crate::components::chat::ChatState;
pub use crate::components::form::Field;
use crate::components::outcome::{Action, Outcome};
use crate::components::palette::Choice;
pub use crate::components::palette::Palette;
pub use crate::components::points::PointsState;
pub use crate::components::trips::{TripsPrompt, TripsState};
use crate::msg::{Cmd, Msg, PointsData};
use booksygo_core::agency::{CalendarDay, CalendarQuery, MarketInfo};
use booksygo_core::booking::payment::{Card, MIN_POINTS_REDEMPTION};
use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use booksygo_core::model::{
    Cabin, FlightOffer, HotelOffer, PassengerType, Passengers, PlaceSuggestion,
};
use booksygo_core::search::packages::{PackageDetail, PackageQuery, PackageSummary};
use booksygo_core::search::{FlightQuery, FlightSort, HotelQuery, SliceQuery};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Flights,
    Hotels,
    Packages,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Flights, Tab::Hotels, Tab::Packages];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Flights => "Flights",
            Tab::Hotels => "Hotels",
            Tab::Packages => "Packages",
        }
    }
}

/// Field indexes of the flight form.
pub mod flight_field {
    pub const FROM: usize = 0;
    pub const TO: usize = 1;
    pub const DATE: usize = 2;
    pub const RETURN: usize = 3;
    pub const PASSENGERS: usize = 4;
    pub const CABIN: usize = 5;
    pub const MAX_STOPS: usize = 6;
}

#[derive(Debug, Clone)]
pub struct SearchState {
    pub tab: Tab,
    /// The focused field; `None` is the tab bar.
    pub focus: Option<usize>,
    pub flights: Vec<Field>,
    pub hotels: Vec<Field>,
    pub packages: Vec<Field>,
    pub suggestions: Vec<PlaceSuggestion>,
    /// The field the suggestions are for, and the highlighted one.
    pub suggest_field: Option<usize>,
    pub suggest_sel: Option<usize>,
    pub error: Option<String>,
}

impl SearchState {
    fn new() -> SearchState {
        SearchState {
            tab: Tab::Flights,
            focus: Some(0),
            flights: vec![
                Field::new("From", "", "airport, city code or name"),
                Field::new("To", "", "airport, city code or name"),
                Field::new("Date", "", "YYYY-MM-DD"),
                Field::new("Return", "", "YYYY-MM-DD, empty for one way"),
                Field::new("Passengers", "1", "adults[,children[,infants]]"),
                Field::new("Cabin", "economy", "economy, premium, business, first"),
                Field::new("Max stops", "", "0, 1 or 2; empty for any"),
            ],
            hotels: vec![
                Field::new("City", "", "city or airport code or name"),
                Field::new("Check in", "", "YYYY-MM-DD"),
                Field::new("Check out", "", "YYYY-MM-DD"),
                Field::new("Guests", "2", "1-9"),
            ],
            packages: vec![
                Field::new("Words", "", "beach, safari, Kyoto... empty for all"),
                Field::new("Destination", "", "city or country, optional"),
            ],
            suggestions: Vec::new(),
            suggest_field: None,
            suggest_sel: None,
            error: None,
        }
    }

    pub fn fields(&self) -> &[Field] {
        match self.tab {
            Tab::Flights => &self.flights,
            Tab::Hotels => &self.hotels,
            Tab::Packages => &self.packages,
        }
    }

    fn fields_mut(&mut self) -> &mut Vec<Field> {
        match self.tab {
            Tab::Flights => &mut self.flights,
            Tab::Hotels => &mut self.hotels,
            Tab::Packages => &mut self.packages,
        }
    }

    /// Fields that look places up as you type.
    fn is_place_field(&self, i: usize) -> bool {
        matches!(
            (self.tab, i),
            (Tab::Flights, flight_field::FROM | flight_field::TO) | (Tab::Hotels, 0)
        )
    }
}

#[derive(Debug, Clone, Default)]
pub enum ResultList {
    #[default]
    Empty,
    Flights(Vec<FlightOffer>),
    Hotels(Vec<booksygo_core::model::HotelOffer>),
    Packages(Vec<PackageSummary>),
}

impl ResultList {
    pub fn len(&self) -> usize {
        match self {
            ResultList::Empty => 0,
            ResultList::Flights(v) => v.len(),
            ResultList::Hotels(v) => v.len(),
            ResultList::Packages(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Default)]
pub struct ResultsState {
    pub list: ResultList,
    pub selected: usize,
    /// The flight query the list answers (sort and filters re-ask the agency).
    pub flight_query: Option<FlightQuery>,
    pub hotel_query: Option<HotelQuery>,
    pub package_query: Option<PackageQuery>,
    /// Airlines seen in the unfiltered answer, for the airline quick filter.
    pub airlines: Vec<String>,
    pub calendar: Vec<CalendarDay>,
    /// Providers that have answered the running search, with their error if they failed.
    pub providers: Vec<(String, Option<String>)>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub loading: bool,
    /// The latest search asked; older answers are dropped.
    pub seq: u64,
    pub at: Option<Timestamp>,
}

impl ResultsState {
    pub fn sort(&self) -> FlightSort {
        self.flight_query
            .as_ref()
            .map(|q| q.sort)
            .unwrap_or_default()
    }

    /// The rows a table `height` lines tall shows (its header included): how many, and the
    /// index of the first one, so that the selected row is always in view.
    pub fn window(&self, height: u16) -> (usize, usize) {
        let visible = usize::from(height.saturating_sub(1)).max(1);
        let offset = (self.selected + 1).saturating_sub(visible);
        (visible, offset)
    }

    /// Where the table's rows are on a screen `screen_height` lines tall: the first data row's
    /// line, how many rows show, and the index of the first one shown. Mouse clicks use it; it
    /// follows the layout the view draws (a header line above the body, key hints and status
    /// below it; in the body a title, the calendar strip for flights, the table's header).
    pub fn rows(&self, screen_height: u16) -> (u16, usize, usize) {
        let strip = u16::from(self.flight_query.is_some());
        let body = screen_height.saturating_sub(3);
        let table_height = body.saturating_sub(1 + strip);
        let first_row = 1 + 1 + strip + 1;
        let (visible, offset) = self.window(table_height);
        (first_row, visible, offset)
    }
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
            Screen::Search => self.search.focus.is_some(),
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
                        let (first, visible, offset) = self.results.rows(self.size.1);
                        let Some(line) = m.row.checked_sub(first).map(usize::from) else {
                            return vec![];
                        };
                        let at = offset + line;
                        if line >= visible || at >= self.results.list.len() {
                            return vec![];
                        }
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
            Msg::Suggestions {
                field,
                query,
                answer,
            } => {
                let current = self.search.fields().get(field).map(|f| f.value.as_str());
                if self.search.focus == Some(field) && current == Some(query.as_str()) {
                    self.search.suggestions = answer.unwrap_or_default();
                    self.search.suggest_field = Some(field);
                    self.search.suggest_sel = None;
                }
                vec![]
            }
            Msg::FlightsProgress { seq, update } => {
                if seq == self.results.seq && self.results.loading {
                    self.results
                        .providers
                        .push((update.provider.clone(), update.error.clone()));
                    match &mut self.results.list {
                        ResultList::Flights(v) => v.extend(update.offers),
                        list => *list = ResultList::Flights(update.offers),
                    }
                }
                vec![]
            }
            Msg::Flights { seq, at, answer } => {
                if seq == self.results.seq {
                    self.results.loading = false;
                    self.results.at = Some(at);
                    match answer {
                        Ok(r) => {
                            let unfiltered = self.results.flight_query.as_ref().is_some_and(|q| {
                                q.filters.airlines.is_empty() && q.max_stops.is_none()
                            });
                            if unfiltered || self.results.airlines.is_empty() {
                                let mut seen: Vec<String> =
                                    r.offers.iter().map(|o| o.owner.clone()).collect();
                                seen.sort();
                                seen.dedup();
                                self.results.airlines = seen;
                            }
                            self.results.selected = 0;
                            self.results.list = ResultList::Flights(r.offers);
                            self.results.warnings = r.warnings;
                            self.results.error = None;
                        }
                        Err(e) => self.results.error = Some(e),
                    }
                }
                vec![]
            }
            Msg::Calendar { seq, answer } => {
                if seq == self.results.seq {
                    self.results.calendar = answer.unwrap_or_default();
                }
                vec![]
            }
            Msg::Hotels { seq, at, answer } => {
                if seq == self.results.seq {
                    self.results.loading = false;
                    self.results.at = Some(at);
                    match answer {
                        Ok(r) => {
                            self.results.selected = 0;
                            self.results.list = ResultList::Hotels(r.offers);
                            self.results.warnings = r.warnings;
                            self.results.error = None;
                        }
                        Err(e) => self.results.error = Some(e),
                    }
                }
                vec![]
            }
            Msg::Packages { seq, at, answer } => {
                if seq == self.results.seq {
                    self.results.loading = false;
                    self.results.at = Some(at);
                    match answer {
                        Ok(r) => {
                            self.results.selected = 0;
                            self.results.list = ResultList::Packages(r.packages);
                            self.results.error = None;
                        }
                        Err(e) => self.results.error = Some(e),
                    }
                }
                vec![]
            }
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
            Screen::Search => self.key_search(k),
            Screen::Results => self.key_results(k),
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
        }
    }

    /// Runs a palette command (also behind the global keys).
    pub fn command(&mut self, name: &str) -> Vec<Cmd> {
        match name {
            "search" | "flights" | "hotels" | "packages" => {
                self.search.tab = match name {
                    "hotels" => Tab::Hotels,
                    "packages" => Tab::Packages,
                    "flights" => Tab::Flights,
                    _ => self.search.tab,
                };
                self.search.focus = Some(0);
                self.search.suggestions.clear();
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
                if let Ok(sort) = FlightSort::parse(&s[5..]) {
                    return self.requery(|q| q.sort = sort);
                }
            }
            _ => {}
        }
        vec![]
    }

    // ----- search -----

    fn key_search(&mut self, k: KeyEvent) -> Option<Vec<Cmd>> {
        let s = &mut self.search;
        let Some(focus) = s.focus else {
            // The tab bar.
            match k.code {
                KeyCode::Left | KeyCode::Char('h') => {
                    let i = Tab::ALL.iter().position(|t| *t == s.tab).unwrap_or(0);
                    s.tab = Tab::ALL[(i + 2) % 3];
                }
                KeyCode::Right | KeyCode::Char('l') => {
                    let i = Tab::ALL.iter().position(|t| *t == s.tab).unwrap_or(0);
                    s.tab = Tab::ALL[(i + 1) % 3];
                }
                KeyCode::Tab | KeyCode::Down | KeyCode::Char('j') => s.focus = Some(0),
                KeyCode::BackTab => s.focus = Some(s.fields().len() - 1),
                KeyCode::Enter => return Some(self.submit_search()),
                _ => return None,
            }
            return Some(vec![]);
        };
        let n = s.fields().len();
        let suggesting = s.suggest_field == Some(focus) && !s.suggestions.is_empty();
        match k.code {
            KeyCode::Esc => {
                s.focus = None;
                s.suggestions.clear();
            }
            KeyCode::Tab => {
                s.focus = Some((focus + 1) % n);
                s.suggestions.clear();
            }
            KeyCode::BackTab => {
                s.focus = if focus == 0 { None } else { Some(focus - 1) };
                s.suggestions.clear();
            }
            KeyCode::Down if suggesting => {
                s.suggest_sel = Some(match s.suggest_sel {
                    None => 0,
                    Some(i) => (i + 1).min(s.suggestions.len() - 1),
                })
            }
            KeyCode::Up if suggesting && s.suggest_sel.is_some() => {
                s.suggest_sel = s.suggest_sel.and_then(|i| i.checked_sub(1))
            }
            KeyCode::Down => s.focus = Some((focus + 1) % n),
            KeyCode::Up => s.focus = if focus == 0 { None } else { Some(focus - 1) },
            KeyCode::Enter => {
                if let (true, Some(i)) = (suggesting, s.suggest_sel) {
                    let code = s.suggestions[i].code.clone();
                    s.fields_mut()[focus].value = code;
                    s.suggestions.clear();
                    s.focus = Some((focus + 1) % n);
                    return Some(vec![]);
                }
                return Some(self.submit_search());
            }
            KeyCode::Backspace => {
                s.fields_mut()[focus].value.pop();
                return Some(self.suggest(focus));
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                s.fields_mut()[focus].value.push(c);
                return Some(self.suggest(focus));
            }
            _ => return None,
        }
        Some(vec![])
    }

    fn suggest(&mut self, field: usize) -> Vec<Cmd> {
        if !self.search.is_place_field(field) {
            return vec![];
        }
        let query = self.search.fields()[field].value.trim().to_string();
        if query.len() < 2 {
            self.search.suggestions.clear();
            return vec![];
        }
        vec![Cmd::Suggest { field, query }]
    }

    fn submit_search(&mut self) -> Vec<Cmd> {
        self.search.suggestions.clear();
        let built = match self.search.tab {
            Tab::Flights => self.flight_query().map(Pending::Flights),
            Tab::Hotels => self.hotel_query().map(Pending::Hotels),
            Tab::Packages => Ok(Pending::Packages(self.package_query())),
        };
        match built {
            Err((field, e)) => {
                self.search.error = Some(e);
                self.search.focus = Some(field);
                vec![]
            }
            Ok(p) => {
                self.search.error = None;
                self.results = ResultsState {
                    seq: self.results.seq + 1,
                    ..ResultsState::default()
                };
                self.push(Screen::Results);
                match p {
                    Pending::Flights(q) => self.start_flights(q, true),
                    Pending::Hotels(q) => {
                        self.results.loading = true;
                        self.results.hotel_query = Some(q.clone());
                        vec![Cmd::SearchHotels {
                            seq: self.results.seq,
                            query: q,
                        }]
                    }
                    Pending::Packages(q) => {
                        self.results.loading = true;
                        self.results.package_query = Some(q.clone());
                        vec![Cmd::SearchPackages {
                            seq: self.results.seq,
                            query: q,
                        }]
                    }
                }
            }
        }
    }

    /// Asks for flights (and, for a new date, the neighbouring days' prices).
    fn start_flights(&mut self, q: FlightQuery, calendar: bool) -> Vec<Cmd> {
        self.results.loading = true;
        self.results.providers.clear();
        self.results.error = None;
        self.results.flight_query = Some(q.clone());
        let seq = self.results.seq;
        let mut cmds = Vec::new();
        if calendar {
            self.results.calendar.clear();
            let s = &q.slices[0];
            let dates: Vec<Date> = (-3i64..=3)
                .filter_map(|d| s.departure_date.checked_add(d.days()).ok())
                .filter(|d| *d >= self.today)
                .collect();
            if !dates.is_empty() {
                cmds.push(Cmd::Calendar {
                    seq,
                    query: CalendarQuery {
                        origin: s.origin.clone(),
                        destination: s.destination.clone(),
                        dates,
                        passengers: q.passengers,
                        cabin: q.cabin,
                        currency: q.currency,
                    },
                });
            }
        }
        cmds.insert(0, Cmd::SearchFlights { seq, query: q });
        cmds
    }

    /// Re-asks the agency with a changed flight query (sort, filters, date).
    fn requery(&mut self, change: impl FnOnce(&mut FlightQuery)) -> Vec<Cmd> {
        let Some(mut q) = self.results.flight_query.clone() else {
            return vec![];
        };
        let date = q.slices[0].departure_date;
        change(&mut q);
        self.results.seq += 1;
        let new_date = q.slices[0].departure_date != date;
        self.push(Screen::Results);
        self.start_flights(q, new_date)
    }

    fn flight_query(&self) -> Result<FlightQuery, (usize, String)> {
        use flight_field::*;
        let f = &self.search.flights;
        let v = |i: usize| f[i].value.trim();
        if v(FROM).is_empty() {
            return Err((FROM, "where from? type an airport or city".into()));
        }
        if v(TO).is_empty() {
            return Err((TO, "where to? type an airport or city".into()));
        }
        let date = parse_date(v(DATE)).map_err(|e| (DATE, e))?;
        let mut q = FlightQuery::one_way(v(FROM), v(TO), date);
        if !v(RETURN).is_empty() {
            let back = parse_date(v(RETURN)).map_err(|e| (RETURN, e))?;
            q.slices.push(SliceQuery {
                origin: v(TO).into(),
                destination: v(FROM).into(),
                departure_date: back,
            });
        }
        q.passengers = parse_passengers(v(PASSENGERS)).map_err(|e| (PASSENGERS, e))?;
        q.cabin = Cabin::parse(v(CABIN)).map_err(|e| (CABIN, e.to_string()))?;
        if !v(MAX_STOPS).is_empty() {
            q.max_stops = Some(
                v(MAX_STOPS)
                    .parse()
                    .map_err(|_| (MAX_STOPS, "max stops: 0, 1 or 2".to_string()))?,
            );
        }
        q.limit = Some(200);
        Ok(q)
    }

    fn hotel_query(&self) -> Result<HotelQuery, (usize, String)> {
        let f = &self.search.hotels;
        let v = |i: usize| f[i].value.trim();
        if v(0).is_empty() {
            return Err((0, "which city? type a city or airport".into()));
        }
        let check_in = parse_date(v(1)).map_err(|e| (1, e))?;
        let check_out = parse_date(v(2)).map_err(|e| (2, e))?;
        let guests = v(3)
            .parse()
            .map_err(|_| (3, format!("'{}' is not a number of guests", v(3))))?;
        Ok(HotelQuery {
            location: v(0).into(),
            check_in,
            check_out,
            guests,
            rooms: 1,
            min_stars: None,
            min_rating: None,
            max_nightly: None,
            amenities: Vec::new(),
            sort: Default::default(),
            all_rooms: false,
            limit: Some(100),
            currency: None,
        })
    }

    fn package_query(&self) -> PackageQuery {
        let f = &self.search.packages;
        let opt = |i: usize| Some(f[i].value.trim().to_string()).filter(|s| !s.is_empty());
        PackageQuery {
            text: opt(0),
            destination: opt(1),
            limit: Some(100),
            ..PackageQuery::default()
        }
    }

    // ----- results -----

    fn move_selection(&mut self, by: i64) {
        let (sel, len) = match self.screen() {
            Screen::Results => (&mut self.results.selected, self.results.list.len()),
            Screen::Trips => {
                self.trips.move_by(by);
                return;
            }
            Screen::Chat => {
                self.chat.scroll_by(by);
                return;
            }
            Screen::Detail => {
                self.detail.scroll = (i64::from(self.detail.scroll) + by).clamp(0, 500) as u16;
                return;
            }
            _ => return,
        };
        if len == 0 {
            return;
        }
        *sel = (*sel as i64 + by).clamp(0, len as i64 - 1) as usize;
    }

    fn key_results(&mut self, k: KeyEvent) -> Option<Vec<Cmd>> {
        let page = self.page() as i64;
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::PageDown => self.move_selection(page),
            KeyCode::PageUp => self.move_selection(-page),
            KeyCode::Home | KeyCode::Char('g') => self.results.selected = 0,
            KeyCode::End | KeyCode::Char('G') => {
                self.results.selected = self.results.list.len().saturating_sub(1)
            }
            KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => return Some(self.open()),
            KeyCode::Char('b') => {
                if !matches!(self.results.list, ResultList::Packages(_)) {
                    return Some(self.start_booking());
                }
                return Some(self.open());
            }
            KeyCode::Char('s') => {
                let next = match self.results.sort() {
                    FlightSort::Best => FlightSort::Price,
                    FlightSort::Price => FlightSort::Duration,
                    FlightSort::Duration => FlightSort::Departure,
                    FlightSort::Departure | FlightSort::Arrival => FlightSort::Best,
                };
                return Some(self.requery(|q| q.sort = next));
            }
            KeyCode::Char(c @ '0'..='2') => {
                let stops = c as u8 - b'0';
                return Some(self.requery(|q| {
                    q.max_stops = if q.max_stops == Some(stops) {
                        None
                    } else {
                        Some(stops)
                    }
                }));
            }
            KeyCode::Char('a') => {
                let airlines = self.results.airlines.clone();
                return Some(self.requery(|q| {
                    let now = q.filters.airlines.first().cloned();
                    let next = match now.and_then(|a| airlines.iter().position(|x| *x == a)) {
                        None => airlines.first().cloned(),
                        Some(i) => airlines.get(i + 1).cloned(),
                    };
                    q.filters.airlines = next.into_iter().collect();
                }));
            }
            KeyCode::Char('x') => {
                return Some(self.requery(|q| {
                    q.max_stops = None;
                    q.filters.airlines.clear();
                }));
            }
            KeyCode::Char('[') | KeyCode::Char(']') => {
                let by: i64 = if k.code == KeyCode::Char('[') { -1 } else { 1 };
                let today = self.today;
                return Some(self.requery(|q| {
                    for s in &mut q.slices {
                        if let Ok(d) = s.departure_date.checked_add(by.days())
                            && d >= today
                        {
                            s.departure_date = d;
                        }
                    }
                }));
            }
            _ => return None,
        }
        Some(vec![])
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

enum Pending {
    Flights(FlightQuery),
    Hotels(HotelQuery),
    Packages(PackageQuery),
}

fn parse_date(text: &str) -> Result<Date, String> {
    if text.is_empty() {
        return Err("enter a date: YYYY-MM-DD, for example 2027-03-14".into());
    }
    text.parse::<Date>()
        .map_err(|_| format!("'{text}' is not a date: use YYYY-MM-DD, for example 2027-03-14"))
}

fn parse_passengers(text: &str) -> Result<Passengers, String> {
    let bad = || format!("'{text}' is not adults[,children[,infants]], for example 2,1");
    let nums: Vec<u8> = text
        .split(',')
        .map(|s| s.trim().parse::<u8>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let get = |i: usize| nums.get(i).copied().unwrap_or(0);
    if nums.is_empty() || nums.len() > 3 {
        return Err(bad());
    }
    Ok(Passengers {
        adults: get(0),
        children: get(1),
        infants: get(2),
    })
}

/// The minimum points one booking may redeem (for the form's hint).
pub const MIN_REDEEM: i64 = MIN_POINTS_REDEMPTION;
