//! The Search view: the flight, hotel and package forms, place suggestions as you type, and
//! turning a filled form into a query (or saying which field is wrong).

use super::form::{Field, field_lines};
use super::outcome::{Action, Outcome, Query};
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme, wrap_indented};
use booksygo_core::model::{Cabin, Passengers, PlaceSuggestion};
use booksygo_core::search::hotels::AMENITIES;
use booksygo_core::search::packages::PackageQuery;
use booksygo_core::search::{FlightQuery, HotelQuery, SliceQuery};
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Tabs};

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
    /// The field focused when the form was left, focused again by Tab or ↓ from the tab bar.
    pub resume_at: Option<usize>,
}

/// Keys of this view, for `?`.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("Tab / Shift-Tab", "next / previous field"),
    ("↓ / ↑", "pick a place suggestion"),
    ("Enter", "search (or take the suggestion)"),
    ("Esc", "leave the field (then ←/→ switch tabs)"),
];

impl SearchState {
    pub(crate) fn new() -> SearchState {
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
                Field::new("Amenities", "", "wifi, pool, spa...; empty for any"),
            ],
            packages: vec![
                Field::new("Words", "", "beach, safari, Kyoto... empty for all"),
                Field::new("Destination", "", "city or country, optional"),
            ],
            suggestions: Vec::new(),
            suggest_field: None,
            suggest_sel: None,
            error: None,
            resume_at: None,
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

    /// Back to the form, on `tab` if given, with the first field focused.
    pub(crate) fn show(&mut self, tab: Option<Tab>) {
        if let Some(tab) = tab {
            self.tab = tab;
        }
        self.focus = Some(0);
        self.resume_at = None;
        self.suggestions.clear();
    }

    /// The form shows again after a later view was left: the tab bar is focused, so letters
    /// are commands (q goes on back) until Tab, ↓ or Enter.
    pub(crate) fn resume(&mut self) {
        self.resume_at = self.focus.or(self.resume_at);
        self.focus = None;
        self.suggestions.clear();
    }

    /// Whether keys go into a field (so letters are text, not commands).
    pub(crate) fn typing(&self) -> bool {
        self.focus.is_some()
    }

    /// Takes the suggestions for a place field, if they still answer what it holds.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        if let Msg::Suggestions {
            field,
            query,
            answer,
        } = msg
        {
            let current = self.fields().get(field).map(|f| f.value.as_str());
            if self.focus == Some(field) && current == Some(query.as_str()) {
                self.suggestions = answer.unwrap_or_default();
                self.suggest_field = Some(field);
                self.suggest_sel = None;
            }
        }
        vec![]
    }

    pub(crate) fn key(&mut self, k: KeyEvent) -> Outcome {
        let Some(focus) = self.focus else {
            // The tab bar.
            match k.code {
                KeyCode::Left | KeyCode::Char('h') => {
                    let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                    self.tab = Tab::ALL[(i + 2) % 3];
                    self.resume_at = None;
                }
                KeyCode::Right | KeyCode::Char('l') => {
                    let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                    self.tab = Tab::ALL[(i + 1) % 3];
                    self.resume_at = None;
                }
                KeyCode::Tab | KeyCode::Down | KeyCode::Char('j') => {
                    let n = self.fields().len();
                    self.focus = Some(self.resume_at.take().filter(|i| *i < n).unwrap_or(0));
                }
                KeyCode::BackTab => self.focus = Some(self.fields().len() - 1),
                KeyCode::Enter => return self.submit(),
                _ => return Outcome::Ignored,
            }
            return Outcome::Done(vec![]);
        };
        let n = self.fields().len();
        let suggesting = self.suggest_field == Some(focus) && !self.suggestions.is_empty();
        match k.code {
            KeyCode::Esc => {
                self.focus = None;
                self.suggestions.clear();
            }
            KeyCode::Tab => {
                self.focus = Some((focus + 1) % n);
                self.suggestions.clear();
            }
            KeyCode::BackTab => {
                self.focus = if focus == 0 { None } else { Some(focus - 1) };
                self.suggestions.clear();
            }
            KeyCode::Down if suggesting => {
                self.suggest_sel = Some(match self.suggest_sel {
                    None => 0,
                    Some(i) => (i + 1).min(self.suggestions.len() - 1),
                })
            }
            KeyCode::Up if suggesting && self.suggest_sel.is_some() => {
                self.suggest_sel = self.suggest_sel.and_then(|i| i.checked_sub(1))
            }
            KeyCode::Down => self.focus = Some((focus + 1) % n),
            KeyCode::Up => self.focus = if focus == 0 { None } else { Some(focus - 1) },
            KeyCode::Enter => {
                if let (true, Some(i)) = (suggesting, self.suggest_sel) {
                    let code = self.suggestions[i].code.clone();
                    // The place is taken and the field stays focused: Tab then moves to the
                    // next field, as it would after typing the code by hand.
                    self.fields_mut()[focus].value = code;
                    self.suggestions.clear();
                    self.suggest_sel = None;
                    return Outcome::Done(vec![]);
                }
                return self.submit();
            }
            KeyCode::Backspace => {
                self.fields_mut()[focus].value.pop();
                return Outcome::Done(self.suggest(focus));
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.fields_mut()[focus].value.push(c);
                return Outcome::Done(self.suggest(focus));
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    fn suggest(&mut self, field: usize) -> Vec<Cmd> {
        if !self.is_place_field(field) {
            return vec![];
        }
        let query = self.fields()[field].value.trim().to_string();
        if query.len() < 2 {
            self.suggestions.clear();
            return vec![];
        }
        vec![Cmd::Suggest { field, query }]
    }

    /// The form as a query for the app to run, or the wrong field focused and explained.
    fn submit(&mut self) -> Outcome {
        self.suggestions.clear();
        let built = match self.tab {
            Tab::Flights => self.flight_query().map(Query::Flights),
            Tab::Hotels => self.hotel_query().map(Query::Hotels),
            Tab::Packages => Ok(Query::Packages(self.package_query())),
        };
        match built {
            Err((field, e)) => {
                self.error = Some(e);
                self.focus = Some(field);
                Outcome::Done(vec![])
            }
            Ok(q) => {
                self.error = None;
                Outcome::Ask(Action::Search(q))
            }
        }
    }

    fn flight_query(&self) -> Result<FlightQuery, (usize, String)> {
        use flight_field::*;
        let f = &self.flights;
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
        let f = &self.hotels;
        let v = |i: usize| f[i].value.trim();
        if v(0).is_empty() {
            return Err((0, "which city? type a city or airport".into()));
        }
        let check_in = parse_date(v(1)).map_err(|e| (1, e))?;
        let check_out = parse_date(v(2)).map_err(|e| (2, e))?;
        let guests = v(3)
            .parse()
            .map_err(|_| (3, format!("'{}' is not a number of guests", v(3))))?;
        let amenities = parse_amenities(v(4)).map_err(|e| (4, e))?;
        Ok(HotelQuery {
            location: v(0).into(),
            check_in,
            check_out,
            guests,
            rooms: 1,
            min_stars: None,
            min_rating: None,
            max_nightly: None,
            amenities,
            sort: Default::default(),
            all_rooms: false,
            limit: Some(100),
            currency: None,
        })
    }

    fn package_query(&self) -> PackageQuery {
        let f = &self.packages;
        let opt = |i: usize| Some(f[i].value.trim().to_string()).filter(|s| !s.is_empty());
        PackageQuery {
            text: opt(0),
            destination: opt(1),
            limit: Some(100),
            ..PackageQuery::default()
        }
    }

    /// The key hints line.
    pub(crate) fn hints(&self) -> Hints {
        if self.focus.is_none() {
            &[
                ("←/→", "tab"),
                ("Tab", "fields"),
                ("Enter", "search"),
                ("q", "quit"),
                ("t", "trips"),
                ("p", "points"),
                ("?", "help"),
            ]
        } else {
            &[
                ("Tab/Shift-Tab", "fields"),
                ("↓", "suggestions"),
                ("Enter", "search"),
                ("Esc", "leave field"),
                ("F1", "help"),
            ]
        }
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let [tabs, form] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        let titles: Vec<&str> = Tab::ALL.iter().map(|t| t.title()).collect();
        let selected = Tab::ALL.iter().position(|x| *x == self.tab).unwrap_or(0);
        let tab_style = if self.focus.is_none() {
            t.selected()
        } else {
            t.accent()
        };
        f.render_widget(
            Tabs::new(titles)
                .select(selected)
                .highlight_style(tab_style)
                .block(Block::default().borders(Borders::BOTTOM)),
            tabs,
        );
        let mut lines = field_lines(self.fields(), self.focus, t, 24, form.width);
        if let Some(focus) = self.focus
            && self.suggest_field == Some(focus)
            && !self.suggestions.is_empty()
        {
            let mut sugg = Vec::new();
            for (i, p) in self.suggestions.iter().enumerate() {
                let text = format!(
                    "{:>16}{} {} ({}, {})",
                    "", p.code, p.name, p.city, p.country
                );
                let style = if self.suggest_sel == Some(i) {
                    t.selected()
                } else {
                    t.dim()
                };
                sugg.push(Line::styled(text, style));
            }
            let at = (focus + 1).min(lines.len());
            lines.splice(at..at, sugg);
        }
        lines.push(Line::raw(""));
        if let Some(e) = &self.error {
            lines.push(Line::styled(format!(" {e}"), t.err()));
        } else {
            lines.push(Line::styled(
                " Enter searches. Dates are YYYY-MM-DD. Ctrl-C quits from anywhere.",
                t.dim(),
            ));
        }
        f.render_widget(Paragraph::new(wrap_indented(lines, form.width)), form);
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    if text.is_empty() {
        return Err("enter a date: YYYY-MM-DD, for example 2027-03-14".into());
    }
    text.parse::<Date>()
        .map_err(|_| format!("'{text}' is not a date: use YYYY-MM-DD, for example 2027-03-14"))
}

/// Amenities as the hotel search takes them: a list split on commas, any case, with spaces
/// or dashes for the underscores (`air conditioning` is `air_conditioning`).
fn parse_amenities(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(',') {
        let name = word
            .trim()
            .to_lowercase()
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        if name.is_empty() {
            continue;
        }
        if !AMENITIES.contains(&name.as_str()) {
            return Err(format!(
                "'{}' is not an amenity we know: use {}",
                word.trim(),
                AMENITIES.join(", ")
            ));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
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
