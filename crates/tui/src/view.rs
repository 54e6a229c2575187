//! Rendering: a pure function of the app's state.

use crate::app::{App, BookStep, Bookable, Overlay, ResultList, Screen};
use crate::components::form::field_lines;
use crate::components::results::clock;
use crate::components::{chat, points, results, search, trips};
use crate::theme::{Theme, popup};
use booksygo_core::booking::payment::{MAX_POINTS_SHARE_PERCENT, POINTS_PER_EUR};
use booksygo_core::model::time::human_duration;
use booksygo_core::model::{FlightOffer, HotelOffer, Penalty};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Draws the whole app.
pub fn render(app: &App, f: &mut Frame) {
    let t = Theme { color: app.color };
    let [header, body, keys, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    render_header(app, t, f, header);
    match app.screen() {
        Screen::Search => app.search.draw(t, f, body),
        Screen::Results => app.results.draw(t, f, body),
        Screen::Detail => render_detail(app, t, f, body),
        Screen::Book => render_book(app, t, f, body),
        Screen::Trips => app.trips.draw(t, f, body),
        Screen::Points => app.points.draw(t, f, body),
        Screen::Chat => app.chat.draw(t, f, body),
    }
    f.render_widget(Paragraph::new(key_hints(app)).style(t.dim()), keys);
    render_status(app, t, f, status);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => render_help(app, t, f),
        Overlay::Palette(p) => p.draw(t, f),
    }
}

fn render_header(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let screens = [
        (Screen::Search, "Search"),
        (Screen::Results, "Results"),
        (Screen::Detail, "Detail"),
        (Screen::Book, "Book"),
        (Screen::Trips, "Trips"),
        (Screen::Points, "Points"),
        (Screen::Chat, "Chat"),
    ];
    let mut spans = vec![Span::styled(" BooksyGo ", t.accent())];
    for (s, name) in screens {
        if s == app.screen() {
            spans.push(Span::styled(format!(" {name} "), t.selected()));
        } else if app.stack.contains(&s) {
            spans.push(Span::raw(format!(" {name} ")));
        }
    }
    f.render_widget(Line::from(spans), area);
}

fn render_status(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let mut parts = vec![app.mode.mode.clone(), app.mode.user.clone()];
    if let Some(i) = &app.info {
        let data: String = i.fixture_version.chars().take(8).collect();
        parts.push(format!("fx {} · data {data}", i.fx_as_of));
    }
    if let Some(at) = app.results.at {
        let local = at.to_zoned(jiff::tz::TimeZone::system());
        parts.push(format!("results {}", local.strftime("%H:%M:%S")));
    }
    parts.push("? help · : commands".into());
    let style = if t.color {
        Style::default().bg(Color::Blue).fg(Color::White)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    };
    f.render_widget(
        Paragraph::new(format!(" {}", parts.join(" │ "))).style(style),
        area,
    );
}

fn key_hints(app: &App) -> String {
    let s = match app.screen() {
        Screen::Search => app.search.hints(),
        Screen::Results => results::HINTS,
        Screen::Detail => "b book  n/N next/prev offer  j/k scroll  q back",
        Screen::Book => match app.book.as_ref().map(|b| b.step) {
            Some(BookStep::Confirm) => "y confirm and pay  n edit",
            Some(BookStep::Working) => "booking…",
            _ => "Tab/Shift-Tab fields  Enter review  Esc back",
        },
        Screen::Trips => app.trips.hints(),
        Screen::Points => points::HINTS,
        Screen::Chat => chat::HINTS,
    };
    format!(" {s}")
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
                " {} · {} · {} stop(s) · {} · {} seats left",
                o.owner,
                o.cabin_class.as_str(),
                o.stops(),
                human_duration(o.duration_minutes()),
                o.available_seats
            ),
            t.accent(),
        ),
        Line::raw(format!(
            " Price {} (fare {}, taxes {}) for {} traveller(s)",
            o.total(),
            o.price.base.decimal(),
            o.price.tax.decimal(),
            o.passengers.len()
        )),
    ];
    for s in &o.slices {
        l.push(Line::raw(""));
        l.push(Line::styled(
            format!(
                " {} → {}  {}",
                s.origin,
                s.destination,
                s.departing_at.strftime("%a %d %b %Y")
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
        " Baggage: {} checked bag(s) per traveller, one cabin bag",
        o.checked_bags
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
            " {} → {} · {} night(s) · {} guest(s) · {} room(s) left",
            o.check_in_date, o.check_out_date, o.nights, o.guests, o.available_rooms
        )),
        Line::raw(format!(
            " Total {} ({} a night before tax, taxes {})",
            o.total(),
            o.price.nightly.decimal(),
            o.price.tax.decimal()
        )),
        Line::raw(format!(" Policy: {cancel}")),
        Line::raw(format!(" Amenities: {}", h.amenities.join(", "))),
        Line::styled(format!(" Offer {}", o.id), t.dim()),
    ]
}

fn render_detail(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let r = &app.results;
    let i = r.selected;
    let lines: Vec<Line> = match &r.list {
        ResultList::Flights(v) if i < v.len() => flight_detail(&v[i], t),
        ResultList::Hotels(v) if i < v.len() => hotel_detail(&v[i], t),
        ResultList::Packages(_) => match (&app.detail.package, &app.detail.error) {
            (_, Some(e)) => vec![Line::styled(format!(" {e}"), t.err())],
            (None, _) => vec![Line::raw(" Loading the package…")],
            (Some(p), _) => {
                let s = &p.summary;
                let mut l = vec![
                    Line::styled(format!(" {}", s.title), t.accent()),
                    Line::raw(format!(
                        " {}, {} · {} days · from {} per person · {:.1} ({} reviews)",
                        s.destination_name,
                        s.country,
                        s.duration_days,
                        s.base_price,
                        s.rating,
                        s.review_count
                    )),
                    Line::raw(format!(" {}", p.description)),
                    Line::raw(format!(" Includes: {}", p.includes.join(", "))),
                    Line::raw(""),
                    Line::styled(" Departures (j/k choose, b book)", t.accent()),
                ];
                for (n, d) in p.departures.iter().enumerate().take(6) {
                    let style = if n == app.detail.departure {
                        t.selected()
                    } else if d.slots_left == 0 {
                        t.dim()
                    } else {
                        Style::default()
                    };
                    l.push(Line::styled(
                        format!(
                            "   {}  {} pp  {} of {} places left",
                            d.date, d.price, d.slots_left, d.slots
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
        },
        _ => vec![Line::raw(" Nothing selected.")],
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.detail.scroll, 0)),
        area,
    );
}

fn item_summary(item: &Bookable) -> (String, String) {
    match item {
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
                .map(|d| format!("{} per person", d.price))
                .unwrap_or_default();
            (
                format!("Package {} from {date}", detail.summary.title),
                price,
            )
        }
    }
}

fn render_book(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let Some(b) = &app.book else {
        return;
    };
    let wide = area.width >= 100;
    let [form, summary] = if wide {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
    } else {
        let n = b.fields.len() as u16 + 3;
        Layout::vertical([Constraint::Length(n), Constraint::Min(0)]).areas(area)
    };
    let mut lines = vec![Line::styled(" Travellers and payment", t.accent())];
    lines.extend(field_lines(&b.fields, Some(b.focus), t, 20));
    if let Some(e) = &b.error {
        lines.push(Line::styled(format!(" {e}"), t.err()));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), form);

    let (what, price) = item_summary(&b.item);
    let mut s = vec![
        Line::styled(" Summary", t.accent()),
        Line::raw(format!(" {what}")),
        Line::styled(
            format!(" Total {price}"),
            Style::default().add_modifier(Modifier::BOLD),
        ),
    ];
    match &b.points {
        Some(p) => {
            s.push(Line::raw(format!(
                " Points: {} available ({POINTS_PER_EUR} = EUR 1, at most {MAX_POINTS_SHARE_PERCENT}% of the price, at least {})",
                p.balance.available,
                crate::app::MIN_REDEEM
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
    f.render_widget(Paragraph::new(s).wrap(Wrap { trim: false }), summary);

    match b.step {
        BookStep::Form => {}
        BookStep::Confirm | BookStep::Working => {
            let card = b.field(crate::app::book_field::CARD);
            let digits: String = card.chars().filter(|c| c.is_ascii_digit()).collect();
            let last4 = &digits[digits.len().saturating_sub(4)..];
            let points = b.field(crate::app::book_field::POINTS).trim();
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
            if b.step == BookStep::Working {
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

/// Keys of the current view, for `?`.
pub fn help_lines(screen: Screen) -> Vec<(&'static str, &'static str)> {
    let mut keys: Vec<(&str, &str)> = match screen {
        Screen::Search => search::HELP.to_vec(),
        Screen::Results => results::HELP.to_vec(),
        Screen::Detail => vec![
            ("b or Enter", "book"),
            ("n / N", "next / previous offer"),
            ("j k", "scroll (packages: choose a departure)"),
        ],
        Screen::Book => vec![
            ("Tab / Shift-Tab", "next / previous field"),
            ("Enter", "review, then y to confirm and pay"),
            ("Esc", "back without booking"),
        ],
        Screen::Trips => trips::HELP.to_vec(),
        Screen::Points => points::HELP.to_vec(),
        // Letters are text in the chat: its help is whole as it is.
        Screen::Chat => return chat::HELP.to_vec(),
    };
    keys.extend([
        ("/", "new search"),
        ("t / p / m", "trips / points / chat"),
        (": or Ctrl-P", "command palette"),
        ("? or F1", "this help"),
        ("q / Esc", "back (quit on the first screen)"),
        ("Ctrl-C", "quit from anywhere"),
    ]);
    keys
}

fn render_help(app: &App, t: Theme, f: &mut Frame) {
    let lines: Vec<Line> = help_lines(app.screen())
        .into_iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<16}"), t.accent()),
                Span::raw(what),
            ])
        })
        .collect();
    let h = lines.len() as u16 + 2;
    popup(f, t, "Keys (any key closes)", lines, 64, h);
}
