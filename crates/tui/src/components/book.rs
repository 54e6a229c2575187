//! The Book view: what is being booked, the travellers-and-payment form, turning it into a
//! booking request (or saying which field is wrong), and the confirm-then-pay step.

use super::detail::DetailState;
use super::form::{Field, field_lines};
use super::outcome::{Action, Outcome};
use super::results::{ResultList, ResultsState};
use crate::msg::{Cmd, Msg, PointsData};
use crate::theme::{Hints, Theme, popup, wrap_indented};
use booksygo_core::booking::payment::{
    Card, MAX_POINTS_SHARE_PERCENT, MIN_POINTS_REDEMPTION, POINTS_PER_EUR,
};
use booksygo_core::booking::{BookingRequest, ItemRequest, PassengerInput, PaymentInput};
use booksygo_core::model::{FlightOffer, HotelOffer, PassengerType};
use booksygo_core::search::packages::PackageDetail;
use jiff::Timestamp;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The minimum points one booking may redeem (for the form's hint).
pub const MIN_REDEEM: i64 = MIN_POINTS_REDEMPTION;

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
    /// The selected result; for a package, its detail's chosen departure.
    pub(crate) fn chosen(results: &ResultsState, detail: &DetailState) -> Option<Bookable> {
        let i = results.selected;
        Some(match &results.list {
            ResultList::Flights(v) if i < v.len() => Bookable::Flight(Box::new(v[i].clone())),
            ResultList::Hotels(v) if i < v.len() => Bookable::Hotel(Box::new(v[i].clone())),
            ResultList::Packages(_) => {
                let d = detail.package.as_ref()?;
                let dep = d.departures.get(detail.departure)?;
                Bookable::Package {
                    detail: Box::new(d.clone()),
                    date: dep.date,
                }
            }
            _ => return None,
        })
    }

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

    /// What it is, and its price, in words.
    fn summary(&self) -> (String, String) {
        match self {
            Bookable::Flight(o) => {
                let route: Vec<String> = o
                    .slices
                    .iter()
                    .map(|s| {
                        format!(
                            "{}→{} {}",
                            s.origin,
                            s.destination,
                            s.departing_at.strftime("%Y-%m-%d %H:%M")
                        )
                    })
                    .collect();
                (
                    format!("Flight {} {}", o.owner, route.join(", ")),
                    o.total().to_string(),
                )
            }
            Bookable::Hotel(o) => (
                format!(
                    "Hotel {} {}→{}",
                    o.hotel.name, o.check_in_date, o.check_out_date
                ),
                o.total().to_string(),
            ),
            Bookable::Package { detail, date } => {
                let price = detail
                    .departures
                    .iter()
                    .find(|d| d.date == *date)
                    .map(|d| match d.member_price {
                        Some(m) => format!("{m} per person (member price)"),
                        None => format!("{} per person", d.price),
                    })
                    .unwrap_or_default();
                (
                    format!("Package {} from {date}", detail.summary.title),
                    price,
                )
            }
        }
    }
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
    /// Whether keys go into the focused field. Off when the form is come back to from a later
    /// view (with `q` or Esc), so that the next letter is a command, not text; Tab, the arrows
    /// or Enter take up the form again.
    pub editing: bool,
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

/// Keys of this view, for `?`.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("Tab / Shift-Tab", "next / previous field"),
    ("Enter", "review, then y to confirm and pay"),
    ("Esc", "back without booking"),
];

/// The key hints line (also when there is nothing to book).
pub(crate) fn hints(book: Option<&BookState>) -> Hints {
    match book.map(|b| b.step) {
        Some(BookStep::Confirm) => &[("y", "confirm and pay"), ("n", "edit")],
        Some(BookStep::Working) => &[("booking…", "")],
        _ => &[
            ("Tab/Shift-Tab", "fields"),
            ("Enter", "review"),
            ("Esc", "back"),
            ("F1", "help"),
        ],
    }
}

impl BookState {
    pub(crate) fn new(item: Bookable, today: Date) -> BookState {
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
        let expiry = booksygo_core::booking::payment::Card::default_expiry(today);
        fields.push(Field::new("Expiry", &expiry, "MM/YY"));
        fields.push(Field::new("Redeem points", "0", "100 points = EUR 1"));
        BookState {
            item,
            fields,
            focus: 0,
            editing: true,
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

    /// Whether keys go into a field (so letters are text, not commands).
    pub(crate) fn typing(&self) -> bool {
        self.step == BookStep::Form && self.editing
    }

    /// The form shows again after a later view was left: it waits for a key to edit again.
    pub(crate) fn resume(&mut self) {
        self.editing = false;
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
                kind: Some(kind),
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

    /// Takes the traveller's points, for the summary.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        if let Msg::BookingPoints(a) = msg {
            self.points = a.ok();
        }
        vec![]
    }

    /// The booking failed: back to the form, the error shown in place, the form kept.
    pub(crate) fn failed(&mut self, e: String) {
        self.step = BookStep::Form;
        self.request = None;
        self.error = Some(e);
    }

    /// `attempts` counts attempts across the app, for idempotency keys.
    pub(crate) fn key(&mut self, k: KeyEvent, attempts: &mut u64) -> Outcome {
        match self.step {
            BookStep::Working => Outcome::Done(vec![]),
            BookStep::Confirm => match k.code {
                KeyCode::Char('y') | KeyCode::Enter => {
                    *attempts += 1;
                    let Some(mut req) = self.request.clone() else {
                        return Outcome::Ignored;
                    };
                    req.idempotency_key = Some(format!(
                        "tui-{}-{}",
                        Timestamp::now().as_millisecond(),
                        attempts
                    ));
                    self.step = BookStep::Working;
                    self.error = None;
                    Outcome::Done(vec![Cmd::Book(Box::new(req))])
                }
                KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => {
                    self.step = BookStep::Form;
                    Outcome::Done(vec![])
                }
                _ => Outcome::Done(vec![]),
            },
            BookStep::Form if !self.editing => match k.code {
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Down | KeyCode::Up | KeyCode::Enter => {
                    self.editing = true;
                    Outcome::Done(vec![])
                }
                _ => Outcome::Ignored,
            },
            BookStep::Form => {
                let n = self.fields.len();
                match k.code {
                    KeyCode::Esc => return Outcome::Ask(Action::Back),
                    KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
                    KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
                    KeyCode::Backspace => {
                        self.fields[self.focus].value.pop();
                    }
                    KeyCode::Enter => match self.request() {
                        Ok(req) => {
                            self.request = Some(req);
                            self.step = BookStep::Confirm;
                            self.error = None;
                        }
                        Err((field, e)) => {
                            self.focus = field;
                            self.error = Some(e);
                        }
                    },
                    KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                        self.fields[self.focus].value.push(c)
                    }
                    _ => return Outcome::Ignored,
                }
                Outcome::Done(vec![])
            }
        }
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let wide = area.width >= 100;
        let form_width = if wide {
            area.width * 55 / 100
        } else {
            area.width
        };
        let focus = self.editing.then_some(self.focus);
        let mut lines = vec![Line::styled(" Travellers and payment", t.accent())];
        lines.extend(field_lines(&self.fields, focus, t, 20, form_width));
        if let Some(e) = &self.error {
            lines.push(Line::styled(format!(" {e}"), t.err()));
        }
        let lines = wrap_indented(lines, form_width);
        let [form, summary] = if wide {
            Layout::horizontal([Constraint::Length(form_width), Constraint::Min(0)]).areas(area)
        } else {
            let n = lines.len() as u16 + 1;
            Layout::vertical([Constraint::Length(n), Constraint::Min(0)]).areas(area)
        };
        f.render_widget(Paragraph::new(lines), form);

        let (what, price) = self.item.summary();
        let mut s = vec![
            Line::styled(" Summary", t.accent()),
            Line::raw(format!(" {what}")),
            Line::styled(
                format!(" Total {price}"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        match &self.points {
            Some(p) => {
                s.push(Line::raw(format!(
                    " Points: {} available ({POINTS_PER_EUR} = EUR 1, at most {MAX_POINTS_SHARE_PERCENT}% of the price, at least {MIN_REDEEM})",
                    p.balance.available,
                )));
                let earn: Vec<String> = booksygo_core::points::earn_preview(&p.history)
                    .iter()
                    .map(|(why, n)| format!("+{n} {why}"))
                    .collect();
                s.push(Line::styled(
                    format!(" You earn: {}", earn.join(", ")),
                    t.ok(),
                ));
            }
            None => s.push(Line::styled(" Points: …", t.dim())),
        }
        f.render_widget(Paragraph::new(wrap_indented(s, summary.width)), summary);

        match self.step {
            BookStep::Form => {}
            BookStep::Confirm | BookStep::Working => {
                let card = self.field(book_field::CARD);
                let digits: String = card.chars().filter(|c| c.is_ascii_digit()).collect();
                let last4 = &digits[digits.len().saturating_sub(4)..];
                let points = self.field(book_field::POINTS).trim();
                let mut text = vec![
                    Line::raw(format!(" {what}")),
                    Line::raw(format!(" Total {price}")),
                    Line::raw(format!(
                        " Pay by card **** {last4}{}",
                        if points.is_empty() || points == "0" {
                            String::new()
                        } else {
                            format!(", redeeming {points} points")
                        }
                    )),
                    Line::raw(""),
                ];
                if self.step == BookStep::Working {
                    text.push(Line::styled(" Booking…", t.warn()));
                } else {
                    text.push(Line::styled(
                        " y: confirm and pay   n: back to the form",
                        t.accent(),
                    ));
                }
                popup(f, t, "Confirm booking", text, 70, 9);
            }
        }
    }
}
