//! The Results view: the offers a search found (flights, hotels or packages), the running
//! search's progress, the price calendar, and re-asking the agency on sort, filter or day.

use super::outcome::{Action, Outcome, Query};
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme, stops, wrap_indented};
use booksygo_core::agency::{CalendarDay, CalendarQuery};
use booksygo_core::model::time::human_duration;
use booksygo_core::model::watch::NewWatch;
use booksygo_core::model::{FlightOffer, HotelOffer, Slice};
use booksygo_core::search::packages::{PackageQuery, PackageSummary};
use booksygo_core::search::{FlightQuery, FlightSort, HotelQuery};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

#[derive(Debug, Clone, Default)]
pub enum ResultList {
    #[default]
    Empty,
    Flights(Vec<FlightOffer>),
    Hotels(Vec<HotelOffer>),
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

/// Keys of this view, for `?`.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("j k ↑ ↓", "move"),
    ("PgUp PgDn g G", "page, top, bottom"),
    ("Enter", "details"),
    ("b", "book the selected offer"),
    ("s", "sort: best, price, duration, departure"),
    ("0 1 2", "at most that many stops (again: any)"),
    ("a / x", "next airline / clear filters"),
    ("[ ]", "a day earlier / later"),
    (
        "w",
        "watch this one-way search: an alert when it falls below the cheapest fare",
    ),
];

/// Keys of a hotel or package list, for `?` (the flight keys do nothing there).
const HOTEL_HELP: &[(&str, &str)] = &[
    ("j k ↑ ↓", "move"),
    ("PgUp PgDn g G", "page, top, bottom"),
    ("Enter", "details"),
    ("b", "book the selected room"),
];
const PACKAGE_HELP: &[(&str, &str)] = &[
    ("j k ↑ ↓", "move"),
    ("PgUp PgDn g G", "page, top, bottom"),
    ("Enter or b", "details, then choose a departure to book"),
];

/// The key hints lines of each list.
const FLIGHT_HINTS: Hints = &[
    ("j/k", "move"),
    ("Enter", "detail"),
    ("b", "book"),
    ("s", "sort"),
    ("0/1/2", "stops"),
    ("a", "airline"),
    ("x", "clear"),
    ("[/]", "day"),
    ("?", "help"),
];
const HOTEL_HINTS: Hints = &[
    ("j/k", "move"),
    ("Enter", "detail"),
    ("b", "book"),
    ("/", "change search"),
    ("q", "back"),
    ("?", "help"),
];
const PACKAGE_HINTS: Hints = &[
    ("j/k", "move"),
    ("Enter", "detail and departures"),
    ("/", "change search"),
    ("q", "back"),
    ("?", "help"),
];

impl ResultsState {
    pub fn sort(&self) -> FlightSort {
        self.flight_query
            .as_ref()
            .map(|q| q.sort)
            .unwrap_or_default()
    }

    /// A price watch on this one-way flight search, alerting below the cheapest fare listed
    /// (for all its travellers); `None` for a round trip or an empty list.
    fn watch(&self) -> Option<Cmd> {
        let (ResultList::Flights(offers), Some(q)) = (&self.list, &self.flight_query) else {
            return None;
        };
        let [slice] = q.slices.as_slice() else {
            return None;
        };
        let cheapest = offers
            .iter()
            .map(|o| o.price.total())
            .min_by_key(|m| m.minor)?;
        Some(Cmd::AddWatch(Box::new(NewWatch {
            origin: slice.origin.clone(),
            destination: slice.destination.clone(),
            date: slice.departure_date,
            below: cheapest,
            adults: q.passengers.adults,
            cabin: q.cabin,
        })))
    }

    /// Whether the list answers flights (and the flight keys apply), rather than hotels or
    /// packages.
    fn flights(&self) -> bool {
        match &self.list {
            ResultList::Flights(_) => true,
            ResultList::Hotels(_) | ResultList::Packages(_) => false,
            ResultList::Empty => self.flight_query.is_some(),
        }
    }

    /// The key hints of the list shown.
    pub(crate) fn hints(&self) -> Hints {
        match &self.list {
            ResultList::Hotels(_) => HOTEL_HINTS,
            ResultList::Packages(_) => PACKAGE_HINTS,
            _ if self.hotel_query.is_some() => HOTEL_HINTS,
            _ if self.package_query.is_some() => PACKAGE_HINTS,
            _ => FLIGHT_HINTS,
        }
    }

    /// The keys of the list shown, for `?`.
    pub fn help(&self) -> &'static [(&'static str, &'static str)] {
        match self.hints() {
            h if h == HOTEL_HINTS => HOTEL_HELP,
            h if h == PACKAGE_HINTS => PACKAGE_HELP,
            _ => HELP,
        }
    }

    /// Lines each result takes: one per leg of a flight (a round trip shows both), else one.
    pub fn row_height(&self) -> u16 {
        match &self.list {
            ResultList::Flights(v) => {
                v.iter().map(|o| o.slices.len()).max().unwrap_or(1).max(1) as u16
            }
            _ => 1,
        }
    }

    /// The rows a table `height` lines tall shows (its header included): how many, and the
    /// index of the first one, so that the selected row is always in view.
    pub fn window(&self, height: u16) -> (usize, usize) {
        let visible = usize::from(height.saturating_sub(1) / self.row_height()).max(1);
        let offset = (self.selected + 1).saturating_sub(visible);
        (visible, offset)
    }

    /// Where the table's rows are on a screen `screen_height` lines tall: the first data row's
    /// line, how many rows show, and the index of the first one shown. Mouse clicks use it; it
    /// follows the layout drawn (the app's header line above the body, key hints and status
    /// below it; in the body a title, the calendar strip for flights, the table's header).
    pub fn rows(&self, screen_height: u16) -> (u16, usize, usize) {
        let strip = u16::from(self.flight_query.is_some());
        let body = screen_height.saturating_sub(3);
        let table_height = body.saturating_sub(1 + strip);
        let first_row = 1 + 1 + strip + 1;
        let (visible, offset) = self.window(table_height);
        (first_row, visible, offset)
    }

    /// The result drawn on line `row` of a screen `screen_height` lines tall, if any.
    pub(crate) fn row_at(&self, row: u16, screen_height: u16) -> Option<usize> {
        let (first, visible, offset) = self.rows(screen_height);
        let line = usize::from(row.checked_sub(first)? / self.row_height());
        let at = offset + line;
        (line < visible && at < self.list.len()).then_some(at)
    }

    /// Moves the selection by `by` rows, within the list.
    pub(crate) fn move_by(&mut self, by: i64) {
        let len = self.list.len();
        if len == 0 {
            return;
        }
        self.selected = (self.selected as i64 + by).clamp(0, len as i64 - 1) as usize;
    }

    /// Starts a new search: the previous results are dropped, their late answers ignored.
    pub(crate) fn search(&mut self, q: Query, today: Date) -> Vec<Cmd> {
        *self = ResultsState {
            seq: self.seq + 1,
            ..ResultsState::default()
        };
        match q {
            Query::Flights(q) => self.start_flights(q, today, true),
            Query::Hotels(q) => {
                self.loading = true;
                self.hotel_query = Some(q.clone());
                vec![Cmd::SearchHotels {
                    seq: self.seq,
                    query: q,
                }]
            }
            Query::Packages(q) => {
                self.loading = true;
                self.package_query = Some(q.clone());
                vec![Cmd::SearchPackages {
                    seq: self.seq,
                    query: q,
                }]
            }
        }
    }

    /// Asks for flights (and, for a new date, the neighbouring days' prices).
    fn start_flights(&mut self, q: FlightQuery, today: Date, calendar: bool) -> Vec<Cmd> {
        self.loading = true;
        self.providers.clear();
        self.error = None;
        self.flight_query = Some(q.clone());
        let seq = self.seq;
        let mut cmds = Vec::new();
        if calendar {
            self.calendar.clear();
            let s = &q.slices[0];
            let dates: Vec<Date> = (-3i64..=3)
                .filter_map(|d| s.departure_date.checked_add(d.days()).ok())
                .filter(|d| *d >= today)
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

    /// Re-asks the agency with a changed flight query (sort, filters, date); `None` when the
    /// list does not answer a flight query.
    pub(crate) fn requery(
        &mut self,
        today: Date,
        change: impl FnOnce(&mut FlightQuery),
    ) -> Option<Vec<Cmd>> {
        let mut q = self.flight_query.clone()?;
        let date = q.slices[0].departure_date;
        change(&mut q);
        self.seq += 1;
        let new_date = q.slices[0].departure_date != date;
        Some(self.start_flights(q, today, new_date))
    }

    /// Takes the agency's answers to the running search; answers to older ones are dropped.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::FlightsProgress { seq, update } if seq == self.seq && self.loading => {
                self.providers
                    .push((update.provider.clone(), update.error.clone()));
                match &mut self.list {
                    ResultList::Flights(v) => v.extend(update.offers),
                    list => *list = ResultList::Flights(update.offers),
                }
            }
            Msg::Flights { seq, at, answer } if seq == self.seq => {
                self.loading = false;
                self.at = Some(at);
                match answer {
                    Ok(r) => {
                        let unfiltered = self.flight_query.as_ref().is_some_and(|q| {
                            q.filters.airlines.is_empty() && q.max_stops.is_none()
                        });
                        if unfiltered || self.airlines.is_empty() {
                            let mut seen: Vec<String> =
                                r.offers.iter().map(|o| o.owner.clone()).collect();
                            seen.sort();
                            seen.dedup();
                            self.airlines = seen;
                        }
                        self.selected = 0;
                        self.list = ResultList::Flights(r.offers);
                        self.warnings = r.warnings;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Calendar { seq, answer } if seq == self.seq => {
                self.calendar = answer.unwrap_or_default();
            }
            Msg::Hotels { seq, at, answer } if seq == self.seq => {
                self.loading = false;
                self.at = Some(at);
                match answer {
                    Ok(r) => {
                        self.selected = 0;
                        self.list = ResultList::Hotels(r.offers);
                        self.warnings = r.warnings;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Packages { seq, at, answer } if seq == self.seq => {
                self.loading = false;
                self.at = Some(at);
                match answer {
                    Ok(r) => {
                        self.selected = 0;
                        self.list = ResultList::Packages(r.packages);
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            // Another view's message, or an answer to an older search.
            _ => {}
        }
        vec![]
    }

    /// `page` is how many rows PgUp/PgDn move; `today` bounds the day keys.
    pub(crate) fn key(&mut self, k: KeyEvent, page: usize, today: Date) -> Outcome {
        let page = page as i64;
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = self.list.len().saturating_sub(1),
            KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => {
                return Outcome::Ask(Action::Open);
            }
            KeyCode::Char('b') => {
                if !matches!(self.list, ResultList::Packages(_)) {
                    return Outcome::Ask(Action::Book);
                }
                return Outcome::Ask(Action::Open);
            }
            KeyCode::Char('s' | '0'..='2' | 'a' | 'x' | '[' | ']' | 'w') if !self.flights() => {
                return Outcome::Ignored;
            }
            KeyCode::Char('s') => {
                let next = match self.sort() {
                    FlightSort::Best => FlightSort::Price,
                    FlightSort::Price => FlightSort::Duration,
                    FlightSort::Duration => FlightSort::Departure,
                    FlightSort::Departure | FlightSort::Arrival => FlightSort::Best,
                };
                return self.requeried(today, |q| q.sort = next);
            }
            KeyCode::Char(c @ '0'..='2') => {
                let stops = c as u8 - b'0';
                return self.requeried(today, |q| {
                    q.max_stops = if q.max_stops == Some(stops) {
                        None
                    } else {
                        Some(stops)
                    }
                });
            }
            KeyCode::Char('a') => {
                let airlines = self.airlines.clone();
                return self.requeried(today, |q| {
                    let now = q.filters.airlines.first().cloned();
                    let next = match now.and_then(|a| airlines.iter().position(|x| *x == a)) {
                        None => airlines.first().cloned(),
                        Some(i) => airlines.get(i + 1).cloned(),
                    };
                    q.filters.airlines = next.into_iter().collect();
                });
            }
            KeyCode::Char('w') => {
                return match self.watch() {
                    Some(cmd) => Outcome::Done(vec![cmd]),
                    None => Outcome::Ignored,
                };
            }
            KeyCode::Char('x') => {
                return self.requeried(today, |q| {
                    q.max_stops = None;
                    q.filters.airlines.clear();
                });
            }
            KeyCode::Char('[') | KeyCode::Char(']') => {
                let by: i64 = if k.code == KeyCode::Char('[') { -1 } else { 1 };
                return self.requeried(today, |q| {
                    for s in &mut q.slices {
                        if let Ok(d) = s.departure_date.checked_add(by.days())
                            && d >= today
                        {
                            s.departure_date = d;
                        }
                    }
                });
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    fn requeried(&mut self, today: Date, change: impl FnOnce(&mut FlightQuery)) -> Outcome {
        Outcome::Done(self.requery(today, change).unwrap_or_default())
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let [title, strip, table] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(if self.flight_query.is_some() { 1 } else { 0 }),
            Constraint::Min(0),
        ])
        .areas(area);
        let count = if self.loading {
            let answered: Vec<String> = self
                .providers
                .iter()
                .map(|(p, e)| format!("{p} {}", if e.is_some() { "✗" } else { "✓" }))
                .collect();
            if answered.is_empty() {
                " · searching…".to_string()
            } else {
                format!(
                    " · {} so far, searching… {}",
                    self.list.len(),
                    answered.join(" ")
                )
            }
        } else {
            format!(" · {} found", self.list.len())
        };
        let head = match &self.list {
            ResultList::Hotels(_) | ResultList::Empty if self.hotel_query.is_some() => {
                let q = self.hotel_query.as_ref().map(|q| {
                    let with = if q.amenities.is_empty() {
                        String::new()
                    } else {
                        format!(" · with {}", q.amenities.join(", ").replace('_', " "))
                    };
                    format!(
                        " Hotels in {} · {} → {}{with}",
                        q.location, q.check_in, q.check_out
                    )
                });
                q.unwrap_or_default()
            }
            ResultList::Packages(_) | ResultList::Empty if self.package_query.is_some() => {
                " Packages".to_string()
            }
            _ => {
                let room =
                    usize::from(area.width).saturating_sub(Line::raw(count.as_str()).width());
                self.flight_title(room)
            }
        };
        f.render_widget(
            Line::from(vec![
                Span::styled(head, t.accent()),
                Span::styled(count, t.dim()),
            ]),
            title,
        );
        if self.flight_query.is_some() {
            f.render_widget(self.calendar_strip(t), strip);
        }
        if let Some(e) = &self.error {
            let lines = vec![
                Line::styled(format!(" {e}"), t.err()),
                Line::raw(" Press / to change the search."),
            ];
            f.render_widget(Paragraph::new(wrap_indented(lines, table.width)), table);
            return;
        }
        if self.list.is_empty() {
            let text = if self.loading {
                " Asking the providers…"
            } else if self.flights() {
                " Nothing matches. Try another date ([ / ]), fewer filters (x) or / for a new search."
            } else {
                " Nothing matches. Press / to change the search."
            };
            f.render_widget(
                Paragraph::new(wrap_indented(vec![Line::raw(text)], table.width)),
                table,
            );
            return;
        }
        // Only the visible window is built: a list of thousands renders as fast as a screenful.
        let (visible, offset) = self.window(table.height);
        let end = (offset + visible).min(self.list.len());
        let (header, widths, rows): (Row, Vec<Constraint>, Vec<Row>) = match &self.list {
            ResultList::Flights(v) => (
                Row::new([
                    "Airline", "Route", "Depart", "Arrive", "Time", "Stops", "Price",
                ]),
                vec![
                    Constraint::Length(7),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Length(8),
                    Constraint::Length(7),
                    Constraint::Length(8),
                    Constraint::Min(10),
                ],
                v[offset..end]
                    .iter()
                    .map(|o| flight_row(o, self.row_height()))
                    .collect(),
            ),
            ResultList::Hotels(v) => (
                Row::new(["Hotel", "Stars", "Rating", "Room", "Price"]),
                vec![
                    Constraint::Min(18),
                    Constraint::Length(5),
                    Constraint::Length(6),
                    Constraint::Length(16),
                    Constraint::Length(14),
                ],
                v[offset..end].iter().map(hotel_row).collect(),
            ),
            ResultList::Packages(v) => (
                Row::new(["Package", "Where", "Days", "Rating", "From pp"]),
                vec![
                    Constraint::Min(20),
                    Constraint::Length(14),
                    Constraint::Length(4),
                    Constraint::Length(6),
                    Constraint::Length(14),
                ],
                v[offset..end]
                    .iter()
                    .map(|p| {
                        Row::new(vec![
                            Cell::from(p.title.clone()),
                            Cell::from(p.destination_name.clone()),
                            Cell::from(p.duration_days.to_string()),
                            Cell::from(format!("{:.1}", p.rating)),
                            Cell::from(p.base_price.to_string()),
                        ])
                    })
                    .collect(),
            ),
            ResultList::Empty => return,
        };
        let widget = Table::new(rows, widths)
            .header(header.style(t.accent()))
            .row_highlight_style(t.selected())
            .column_spacing(1);
        let mut state = TableState::default().with_selected(Some(self.selected - offset));
        f.render_stateful_widget(widget, table, &mut state);
    }

    /// The flight search in words, in `width` columns if it can: the filters left at "any"
    /// give way first.
    fn flight_title(&self, width: usize) -> String {
        let Some(q) = &self.flight_query else {
            return String::new();
        };
        let route: Vec<String> = q
            .slices
            .iter()
            .map(|s| format!("{} → {} {}", s.origin, s.destination, s.departure_date))
            .collect();
        let sort = match q.sort {
            FlightSort::Best => "best",
            FlightSort::Price => "price",
            FlightSort::Duration => "duration",
            FlightSort::Departure => "departure",
            FlightSort::Arrival => "arrival",
        };
        let stops = q.max_stops.map_or("any".to_string(), |n| format!("≤{n}"));
        let airline = q
            .filters
            .airlines
            .first()
            .cloned()
            .unwrap_or_else(|| "any".into());
        let full = format!(
            " {} · sort {sort} · stops {stops} · airline {airline}",
            route.join(", ")
        );
        if Line::raw(full.as_str()).width() <= width {
            return full;
        }
        let mut short = format!(" {} · sort {sort}", route.join(", "));
        if q.max_stops.is_some() {
            short.push_str(&format!(" · stops {stops}"));
        }
        if !q.filters.airlines.is_empty() {
            short.push_str(&format!(" · airline {airline}"));
        }
        short
    }

    fn calendar_strip(&self, t: Theme) -> Line<'static> {
        let date = self
            .flight_query
            .as_ref()
            .map(|q| q.slices[0].departure_date);
        if self.calendar.is_empty() {
            return Line::styled(" price calendar: …", t.dim());
        }
        // The currency first, as money is written everywhere, then each day's cheapest fare
        // in whole units (enough to compare days).
        let currency = self
            .calendar
            .iter()
            .find_map(|d| d.cheapest)
            .map_or(String::new(), |c| format!(" {}", c.currency));
        let mut spans = vec![Span::styled(format!("{currency} [ "), t.dim())];
        for d in &self.calendar {
            let price = d.cheapest.map_or("—".to_string(), |m| {
                let dec = m.decimal();
                dec.split('.').next().unwrap_or(&dec).to_string()
            });
            let text = format!("{}:{price} ", d.date.strftime("%d"));
            let style = if Some(d.date) == date {
                t.selected()
            } else {
                Style::default()
            };
            spans.push(Span::styled(text, style));
        }
        spans.push(Span::styled("]", t.dim()));
        Line::from(spans)
    }
}

/// `08:25` or `06:10+1` (days after the first departure).
pub(crate) fn clock(z: &jiff::Zoned, start: &jiff::Zoned) -> String {
    let days = (z.date() - start.date()).get_days();
    if days > 0 {
        format!("{}+{days}", z.strftime("%H:%M"))
    } else {
        z.strftime("%H:%M").to_string()
    }
}

/// One offer, a line per leg (`height` lines, the most legs of the list): each leg's route,
/// times, duration and stops; the airline and the price once, for the whole trip.
fn flight_row(o: &FlightOffer, height: u16) -> Row<'static> {
    let legs = |f: &dyn Fn(&Slice) -> String| -> Cell<'static> {
        let lines: Vec<Line> = o.slices.iter().map(|s| Line::raw(f(s))).collect();
        Cell::from(Text::from(lines))
    };
    Row::new(vec![
        Cell::from(o.owner.clone()),
        legs(&|s| format!("{}-{}", s.origin, s.destination)),
        legs(&|s| s.departing_at.strftime("%H:%M").to_string()),
        legs(&|s| clock(&s.arriving_at, &s.departing_at)),
        legs(&|s| human_duration(s.duration_minutes)),
        legs(&|s| stops(s.stops())),
        Cell::from(o.total().to_string()),
    ])
    .height(height)
}

fn hotel_row(o: &HotelOffer) -> Row<'static> {
    Row::new(vec![
        Cell::from(o.hotel.name.clone()),
        Cell::from("★".repeat(o.hotel.stars.into())),
        Cell::from(format!("{:.1}", o.hotel.rating)),
        Cell::from(o.room_name.clone()),
        Cell::from(o.total().to_string()),
    ])
}
