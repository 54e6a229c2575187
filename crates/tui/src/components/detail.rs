//! The Detail view: everything about the selected result (a flight's segments and fare
//! conditions, a hotel room, a package's departures and days), scrolled, and a package's
//! departure to book. It reads the selection from the results.

use super::outcome::{Action, Outcome};
use super::results::{ResultList, ResultsState, clock};
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme, count, stops, wrap_indented};
use booksygo_core::model::time::human_duration;
use booksygo_core::model::{FlightOffer, HotelOffer, Penalty};
use booksygo_core::search::packages::PackageDetail;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Default)]
pub struct DetailState {
    /// A package's full detail, once loaded.
    pub package: Option<PackageDetail>,
    /// Selected departure of a package.
    pub departure: usize,
    pub scroll: u16,
    pub error: Option<String>,
}

/// Keys of this view, for `?`.
pub(crate) const HELP: &[(&str, &str)] = &[
    ("b or Enter", "book"),
    ("n / N", "next / previous offer"),
    ("j k", "scroll (packages: choose a departure)"),
];

/// The key hints line.
pub(crate) const HINTS: Hints = &[
    ("b", "book"),
    ("q", "back"),
    ("n/N", "next/prev offer"),
    ("j/k", "scroll"),
    ("?", "help"),
];

impl DetailState {
    /// A fresh detail of the selected result: a package's is asked for.
    pub(crate) fn open(results: &ResultsState) -> (DetailState, Vec<Cmd>) {
        let cmds = match &results.list {
            ResultList::Packages(p) => vec![Cmd::LoadPackage(p[results.selected].id.clone())],
            _ => vec![],
        };
        (DetailState::default(), cmds)
    }

    /// Scrolls by `by` lines.
    pub(crate) fn scroll_by(&mut self, by: i64) {
        self.scroll = (i64::from(self.scroll) + by).clamp(0, 500) as u16;
    }

    /// Takes a package's detail, choosing its first departure with places left.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        if let Msg::Package(a) = msg {
            match a {
                Ok(d) => {
                    self.departure = d
                        .departures
                        .iter()
                        .position(|x| x.slots_left > 0)
                        .unwrap_or(0);
                    self.package = Some(d);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        vec![]
    }

    /// `page` is how many lines PgUp/PgDn scroll.
    pub(crate) fn key(&mut self, k: KeyEvent, results: &ResultsState, page: usize) -> Outcome {
        let packages = matches!(results.list, ResultList::Packages(_));
        match k.code {
            KeyCode::Char('b') | KeyCode::Enter => return Outcome::Ask(Action::Book),
            KeyCode::Down | KeyCode::Char('j') if packages => {
                let n = self.package.as_ref().map_or(0, |p| p.departures.len());
                self.departure = (self.departure + 1).min(n.saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') if packages => {
                self.departure = self.departure.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::PageDown => self.scroll_by(page as i64),
            KeyCode::PageUp => self.scroll_by(-(page as i64)),
            KeyCode::Char('n') => {
                let next = (results.selected + 1).min(results.list.len().saturating_sub(1));
                return Outcome::Ask(Action::OpenAt(next));
            }
            KeyCode::Char('N') => {
                return Outcome::Ask(Action::OpenAt(results.selected.saturating_sub(1)));
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    pub(crate) fn draw(&self, results: &ResultsState, t: Theme, f: &mut Frame, area: Rect) {
        let i = results.selected;
        let lines: Vec<Line> = match &results.list {
            ResultList::Flights(v) if i < v.len() => flight_detail(&v[i], t),
            ResultList::Hotels(v) if i < v.len() => hotel_detail(&v[i], t),
            ResultList::Packages(_) => match (&self.package, &self.error) {
                (_, Some(e)) => vec![Line::styled(format!(" {e}"), t.err())],
                (None, _) => vec![Line::raw(" Loading the package…")],
                (Some(p), _) => self.package_detail(p, t),
            },
            _ => vec![Line::raw(" Nothing selected.")],
        };
        f.render_widget(
            Paragraph::new(wrap_indented(lines, area.width)).scroll((self.scroll, 0)),
            area,
        );
    }

    fn package_detail<'a>(&self, p: &'a PackageDetail, t: Theme) -> Vec<Line<'a>> {
        let s = &p.summary;
        let mut l = vec![
            Line::styled(format!(" {}", s.title), t.accent()),
            Line::raw(format!(
                " {}, {} · {} · from {} per person{} · {:.1} ({})",
                s.destination_name,
                s.country,
                count(s.duration_days, "day", "days"),
                s.base_price,
                s.member_price
                    .map(|m| format!(" (members {m})"))
                    .unwrap_or_default(),
                s.rating,
                count(s.review_count, "review", "reviews")
            )),
            Line::raw(format!(" {}", p.description)),
            Line::raw(format!(" Includes: {}", p.includes.join(", "))),
            Line::raw(""),
            Line::styled(" Departures (j/k choose, b book)", t.accent()),
        ];
        for (n, d) in p.departures.iter().enumerate().take(6) {
            let style = if n == self.departure {
                t.selected()
            } else if d.slots_left == 0 {
                t.dim()
            } else {
                Style::default()
            };
            l.push(Line::styled(
                format!(
                    "   {}  {} per person{}  {} of {} left",
                    d.date,
                    d.price,
                    d.member_price
                        .map(|m| format!(" (members {m})"))
                        .unwrap_or_default(),
                    d.slots_left,
                    count(d.slots, "place", "places")
                ),
                style,
            ));
        }
        l.push(Line::raw(""));
        l.push(Line::styled(" Day by day", t.accent()));
        for d in &p.itinerary {
            l.push(Line::raw(format!(" Day {:>2}  {}", d.day, d.title)));
            if !d.activities.is_empty() {
                l.push(Line::styled(
                    format!("         {}", d.activities.join(", ")),
                    t.dim(),
                ));
            }
        }
        l
    }
}

fn penalty(p: &Penalty) -> String {
    match p.fee() {
        None => "not allowed".into(),
        Some(m) if m.minor == 0 => "free".into(),
        Some(m) => format!("fee {m}"),
    }
}

fn flight_detail(o: &FlightOffer, t: Theme) -> Vec<Line<'static>> {
    let mut l = vec![
        Line::styled(
            format!(
                " {} · {} · {} left",
                o.owner,
                o.cabin_class.as_str(),
                count(o.available_seats, "seat", "seats")
            ),
            t.accent(),
        ),
        Line::raw(format!(
            " Price {} (fare {}, taxes {}) for {}",
            o.total(),
            o.price.base,
            o.price.tax,
            count(o.passengers.len(), "traveller", "travellers")
        )),
    ];
    // Separate tickets (or an interline one) are said before the legs, with their warnings.
    if !o.ticketing.marker().is_empty() {
        l.push(Line::styled(
            format!(" Tickets: {}", o.ticketing.marker()),
            t.warn(),
        ));
    }
    for w in &o.warnings {
        l.push(Line::styled(format!(" ! {w}"), t.warn()));
    }
    for s in &o.slices {
        l.push(Line::raw(""));
        l.push(Line::styled(
            format!(
                " {} → {}  {} · {} · {}",
                s.origin,
                s.destination,
                booksygo_core::model::time::human_day(s.departing_at.date()),
                stops(s.stops()),
                human_duration(s.duration_minutes)
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (i, seg) in s.segments.iter().enumerate() {
            if i > 0 {
                let prev = &s.segments[i - 1];
                let wait = (seg.departing_at.timestamp().as_second()
                    - prev.arriving_at.timestamp().as_second())
                    / 60;
                l.push(Line::styled(
                    format!("     layover {} at {}", human_duration(wait), seg.origin),
                    t.warn(),
                ));
            }
            l.push(Line::raw(format!(
                "   {} {} → {} {}  {:<7} {:<4} {}",
                seg.departing_at.strftime("%H:%M"),
                seg.origin,
                clock(&seg.arriving_at, &seg.departing_at),
                seg.destination,
                seg.flight_number,
                seg.aircraft,
                human_duration(seg.duration_minutes)
            )));
        }
    }
    l.push(Line::raw(""));
    l.push(Line::raw(format!(
        " Fare conditions: refund {}; change {}",
        penalty(&o.conditions.refund_before_departure),
        penalty(&o.conditions.change_before_departure)
    )));
    l.push(Line::raw(format!(
        " Baggage: one cabin bag and {} per traveller",
        match o.checked_bags {
            0 => "no checked bag".to_string(),
            n => count(n, "checked bag", "checked bags"),
        }
    )));
    l.push(Line::styled(format!(" Offer {}", o.id), t.dim()));
    l
}

fn hotel_detail(o: &HotelOffer, t: Theme) -> Vec<Line<'static>> {
    let h = &o.hotel;
    let cancel = if o.cancellation.refundable {
        match &o.cancellation.free_until {
            Some(z) => format!("free cancellation until {}", z.strftime("%Y-%m-%d %H:%M")),
            None => "refundable".into(),
        }
    } else {
        "non-refundable".into()
    };
    vec![
        Line::styled(
            format!(
                " {} {} · {:.1}/10",
                h.name,
                "★".repeat(h.stars.into()),
                h.rating
            ),
            t.accent(),
        ),
        Line::raw(format!(" {}, {} · {}", h.address, h.city, h.neighbourhood)),
        Line::raw(format!(
            " {:.1} km from the centre · check in {} · check out {}",
            h.distance_to_centre_km, h.check_in_time, h.check_out_time
        )),
        Line::raw(""),
        Line::styled(
            format!(" Room: {} ({})", o.room_name, o.room_type),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::raw(format!(
            " {} → {} · {} · {} · {} left",
            o.check_in_date,
            o.check_out_date,
            count(o.nights, "night", "nights"),
            count(o.guests, "guest", "guests"),
            count(o.available_rooms, "room", "rooms")
        )),
        Line::raw(format!(
            " Total {} ({} a night before tax, taxes {})",
            o.total(),
            o.price.nightly,
            o.price.tax
        )),
        Line::raw(format!(" Policy: {cancel}")),
        Line::raw(format!(
            " Amenities: {}",
            h.amenities.join(", ").replace('_', " ")
        )),
        Line::styled(format!(" Offer {}", o.id), t.dim()),
    ]
}
