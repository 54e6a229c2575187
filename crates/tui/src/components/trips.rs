//! The Trips view: the traveller's bookings and the selected one's detail, cancelling (the
//! refund quote first, then a yes) and exporting a booking as an .ics calendar.

use super::outcome::Outcome;
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme, count, popup, wrap_indented};
use booksygo_core::booking::{Booking, BookingStatus, RefundQuote};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub enum TripsPrompt {
    None,
    /// Waiting for the refund quote, then asking to confirm.
    Cancel(Option<RefundQuote>),
    Export(String),
}

#[derive(Debug, Clone)]
pub struct TripsState {
    pub bookings: Vec<Booking>,
    pub selected: usize,
    pub loading: bool,
    pub prompt: TripsPrompt,
    pub message: Option<String>,
    pub error: Option<String>,
    /// Select this booking once the list arrives.
    pub focus_id: Option<String>,
}

/// Keys of this view, for `?`.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("j k", "move"),
    ("c", "cancel (shows the refund first)"),
    ("e", "export the booking as .ics"),
    ("r", "refresh"),
];

impl Default for TripsState {
    fn default() -> TripsState {
        TripsState {
            bookings: Vec::new(),
            selected: 0,
            loading: false,
            prompt: TripsPrompt::None,
            message: None,
            error: None,
            focus_id: None,
        }
    }
}

impl TripsState {
    /// Asks for the bookings again.
    pub(crate) fn load(&mut self) -> Vec<Cmd> {
        self.loading = true;
        vec![Cmd::LoadBookings]
    }

    /// A booking was just made: say so, and select it once the list arrives.
    pub(crate) fn booked(&mut self, b: &Booking) -> Vec<Cmd> {
        self.message = Some(format!(
            "Booked: confirmation {} ({}). {}",
            b.confirmation_code,
            b.status.as_str(),
            b.next_action.clone().unwrap_or_default()
        ));
        self.focus_id = Some(b.id.clone());
        self.load()
    }

    /// Whether keys go into the export path (so letters are text, not commands).
    pub(crate) fn typing(&self) -> bool {
        matches!(self.prompt, TripsPrompt::Export(_))
    }

    /// Moves the selection by `by` rows, within the list.
    pub(crate) fn move_by(&mut self, by: i64) {
        let len = self.bookings.len();
        if len == 0 {
            return;
        }
        self.selected = (self.selected as i64 + by).clamp(0, len as i64 - 1) as usize;
    }

    /// Takes the agency's answers: the list, a refund quote, a cancellation, an export.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Bookings(a) => {
                self.loading = false;
                match a {
                    Ok(list) => {
                        self.bookings = list;
                        if let Some(id) = self.focus_id.take() {
                            self.selected =
                                self.bookings.iter().position(|b| b.id == id).unwrap_or(0);
                        }
                        self.selected = self.selected.min(self.bookings.len().saturating_sub(1));
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Quote(a) => match a {
                Ok(q) => self.prompt = TripsPrompt::Cancel(Some(q)),
                Err(e) => {
                    self.prompt = TripsPrompt::None;
                    self.error = Some(e);
                }
            },
            Msg::Cancelled(a) => {
                self.prompt = TripsPrompt::None;
                match a {
                    Ok(b) => {
                        self.message = Some(format!(
                            "Cancelled {}: {} refunded",
                            b.confirmation_code, b.refunded
                        ));
                        self.focus_id = Some(b.id);
                        self.error = None;
                        return self.load();
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Exported(a) => match a {
                Ok((path, n)) => {
                    self.message = Some(format!(
                        "Wrote {} ({})",
                        path.display(),
                        count(n, "event", "events")
                    ));
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            },
            _ => {}
        }
        vec![]
    }

    /// `page` is how many rows PgUp/PgDn move; `attempts` counts attempts across the app,
    /// for idempotency keys.
    pub(crate) fn key(&mut self, k: KeyEvent, page: usize, attempts: &mut u64) -> Outcome {
        let selected = self.bookings.get(self.selected).cloned();
        match &mut self.prompt {
            TripsPrompt::Export(path) => {
                match k.code {
                    KeyCode::Esc => self.prompt = TripsPrompt::None,
                    KeyCode::Backspace => {
                        path.pop();
                    }
                    KeyCode::Char(c) => path.push(c),
                    KeyCode::Enter => {
                        let path = PathBuf::from(path.trim());
                        self.prompt = TripsPrompt::None;
                        if let Some(b) = selected {
                            return Outcome::Done(vec![Cmd::ExportIcs { id: b.id, path }]);
                        }
                    }
                    _ => {}
                }
                return Outcome::Done(vec![]);
            }
            TripsPrompt::Cancel(quote) => {
                match k.code {
                    KeyCode::Char('y') if quote.is_some() => {
                        let Some(id) = quote.as_ref().map(|q| q.booking_id.clone()) else {
                            return Outcome::Ignored;
                        };
                        *attempts += 1;
                        let key = format!(
                            "tui-cancel-{}-{}",
                            Timestamp::now().as_millisecond(),
                            attempts
                        );
                        return Outcome::Done(vec![Cmd::Cancel {
                            id,
                            idempotency_key: key,
                        }]);
                    }
                    KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => {
                        self.prompt = TripsPrompt::None
                    }
                    _ => {}
                }
                return Outcome::Done(vec![]);
            }
            TripsPrompt::None => {}
        }
        let page = page as i64;
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::Char('g') | KeyCode::Home => self.selected = 0,
            KeyCode::Char('G') | KeyCode::End => {
                self.selected = self.bookings.len().saturating_sub(1)
            }
            KeyCode::Char('r') => return Outcome::Done(self.load()),
            KeyCode::Char('c') => {
                let Some(b) = selected else {
                    return Outcome::Ignored;
                };
                if matches!(
                    b.status,
                    BookingStatus::Cancelled | BookingStatus::Refunded | BookingStatus::Completed
                ) {
                    self.error = Some(format!(
                        "{} is {}: nothing to cancel",
                        b.confirmation_code,
                        b.status.as_str()
                    ));
                    return Outcome::Done(vec![]);
                }
                self.message = None;
                self.prompt = TripsPrompt::Cancel(None);
                return Outcome::Done(vec![Cmd::QuoteCancel(b.id)]);
            }
            KeyCode::Char('e') => {
                let Some(b) = selected else {
                    return Outcome::Ignored;
                };
                self.message = None;
                self.prompt = TripsPrompt::Export(format!("booksygo-{}.ics", b.confirmation_code));
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    /// The key hints line.
    pub(crate) fn hints(&self) -> Hints {
        match self.prompt {
            TripsPrompt::Cancel(_) => &[("y", "cancel the booking"), ("n", "keep it")],
            TripsPrompt::Export(_) => &[("Enter", "write the file"), ("Esc", "cancel")],
            TripsPrompt::None => &[
                ("j/k", "move"),
                ("c", "cancel"),
                ("e", "export .ics"),
                ("r", "refresh"),
                ("q", "back"),
                ("?", "help"),
            ],
        }
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let wide = area.width >= 110;
        let [list, detail] = if wide {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
        } else {
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        };
        let [msg, table] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(list);
        let note = match (&self.error, &self.message, self.loading) {
            (Some(e), _, _) => Line::styled(format!(" {e}"), t.err()),
            (_, Some(m), _) => Line::styled(format!(" {m}"), t.ok()),
            (_, _, true) => Line::styled(" Loading your bookings…", t.dim()),
            _ => Line::styled(
                format!(" {}", count(self.bookings.len(), "booking", "bookings")),
                t.dim(),
            ),
        };
        f.render_widget(note, msg);
        if self.bookings.is_empty() && !self.loading {
            f.render_widget(
                Paragraph::new(" No bookings yet. Press / to search, then b to book an offer."),
                table,
            );
        } else {
            self.draw_table(t, f, table);
        }
        if let Some(b) = self.bookings.get(self.selected) {
            f.render_widget(
                Paragraph::new(wrap_indented(booking_lines(b, t), detail.width))
                    .block(Block::default().borders(Borders::TOP)),
                detail,
            );
        }
        self.draw_prompt(t, f);
    }

    fn draw_table(&self, t: Theme, f: &mut Frame, area: Rect) {
        let rows: Vec<Row> = self
            .bookings
            .iter()
            .map(|b| {
                let what: Vec<&str> = b.items.iter().map(|i| i.kind.as_str()).collect();
                Row::new(vec![
                    Cell::from(b.confirmation_code.clone()),
                    Cell::from(Span::styled(b.status.as_str(), t.status(b.status))),
                    Cell::from(b.starts_on.to_string()),
                    Cell::from(what.join("+")),
                    Cell::from(b.total.to_string()),
                ])
            })
            .collect();
        let widget = Table::new(
            rows,
            [
                Constraint::Length(8),
                Constraint::Length(11),
                Constraint::Length(10),
                Constraint::Length(8),
                Constraint::Min(12),
            ],
        )
        .header(Row::new(["Code", "Status", "Starts", "What", "Total"]).style(t.accent()))
        .row_highlight_style(t.selected());
        let mut state = TableState::default().with_selected(Some(self.selected));
        f.render_stateful_widget(widget, area, &mut state);
    }

    fn draw_prompt(&self, t: Theme, f: &mut Frame) {
        match &self.prompt {
            TripsPrompt::None => {}
            TripsPrompt::Cancel(None) => popup(
                f,
                t,
                "Cancel booking",
                vec![Line::raw(" Asking what cancelling would refund…")],
                60,
                5,
            ),
            TripsPrompt::Cancel(Some(q)) => {
                let mut l = vec![
                    Line::raw(format!(
                        " Cancelling refunds {} to your card and keeps {}.",
                        q.refund, q.kept
                    )),
                    Line::raw(format!(
                        " Points: {} returned, {} taken back.",
                        q.points_returned, q.points_clawed_back
                    )),
                ];
                for r in q.rules.iter().take(3) {
                    l.push(Line::styled(format!("  - {r}"), t.dim()));
                }
                l.push(Line::styled(" y: cancel it   n: keep it", t.accent()));
                popup(f, t, "Cancel booking", l, 74, 9);
            }
            TripsPrompt::Export(path) => popup(
                f,
                t,
                "Export calendar (.ics)",
                vec![
                    Line::raw(" Write to:"),
                    Line::styled(format!(" {path}▏"), t.selected()),
                ],
                70,
                5,
            ),
        }
    }
}

/// One booking in full: items, travellers, total, payments, refund, what to do next.
fn booking_lines(b: &Booking, t: Theme) -> Vec<Line<'_>> {
    let mut l = vec![Line::from(vec![
        Span::styled(format!(" {} ", b.confirmation_code), t.accent()),
        Span::styled(b.status.as_str(), t.status(b.status)),
        Span::styled(format!("  {}", b.id), t.dim()),
    ])];
    for i in &b.items {
        l.push(Line::raw(format!(
            " {} {} {}",
            i.kind, i.description, i.price
        )));
    }
    for p in &b.passengers {
        l.push(Line::raw(format!(
            " traveller {} {} ({})",
            p.given_name,
            p.family_name,
            p.kind().as_str()
        )));
    }
    l.push(Line::raw(format!(" total {} (taxes {})", b.total, b.tax)));
    for p in &b.payments {
        l.push(Line::raw(format!(
            " payment {} {} {}",
            p.card.as_deref().unwrap_or(&p.method),
            p.amount,
            p.status
        )));
    }
    if b.refunded.minor > 0 {
        l.push(Line::raw(format!(" refunded {}", b.refunded)));
    }
    if let Some(n) = &b.next_action {
        l.push(Line::styled(format!(" next: {n}"), t.warn()));
    }
    l
}
