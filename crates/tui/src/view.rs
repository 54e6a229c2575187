//! Rendering: a pure function of the app's state.

use crate::app::{App, BookStep, Bookable, Overlay, ResultList, Screen, Tab};
use crate::components::form::field_lines;
use crate::components::{chat, points, trips};
use crate::theme::{Theme, popup};
use booksygo_core::booking::payment::{MAX_POINTS_SHARE_PERCENT, POINTS_PER_EUR};
use booksygo_core::model::time::human_duration;
use booksygo_core::model::{FlightOffer, HotelOffer, Penalty};
use booksygo_core::search::FlightSort;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Tabs, Wrap};

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
        Screen::Search => render_search(app, t, f, body),
        Screen::Results => render_results(app, t, f, body),
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
        Screen::Search if app.search.focus.is_none() => {
            "←/→ tab  Tab fields  Enter search  t trips  p points  ? help  q quit"
        }
        Screen::Search => "Tab/Shift-Tab fields  ↓ suggestions  Enter search  Esc leave field",
        Screen::Results => {
            "j/k move  Enter detail  b book  s sort  0/1/2 stops  a airline  x clear  [/] day"
        }
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

fn render_search(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let s = &app.search;
    let [tabs, form] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let titles: Vec<&str> = Tab::ALL.iter().map(|t| t.title()).collect();
    let selected = Tab::ALL.iter().position(|x| *x == s.tab).unwrap_or(0);
    let tab_style = if s.focus.is_none() {
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
    let mut lines = field_lines(s.fields(), s.focus, t, 24);
    if let Some(focus) = s.focus
        && s.suggest_field == Some(focus)
        && !s.suggestions.is_empty()
    {
        let mut sugg = Vec::new();
        for (i, p) in s.suggestions.iter().enumerate() {
            let text = format!(
                "{:>16}{} {} ({}, {})",
                "", p.code, p.name, p.city, p.country
            );
            let style = if s.suggest_sel == Some(i) {
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
    if let Some(e) = &s.error {
        lines.push(Line::styled(format!(" {e}"), t.err()));
    } else {
        lines.push(Line::styled(
            " Enter searches. Dates are YYYY-MM-DD. Ctrl-C quits from anywhere.",
            t.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), form);
}

/// `08:25` or `06:10+1` (days after the first departure).
fn clock(z: &jiff::Zoned, start: &jiff::Zoned) -> String {
    let days = (z.date() - start.date()).get_days();
    if days > 0 {
        format!("{}+{days}", z.strftime("%H:%M"))
    } else {
        z.strftime("%H:%M").to_string()
    }
}

fn flight_title(app: &App) -> String {
    let Some(q) = &app.results.flight_query else {
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
    format!(
        " {} · sort {sort} · stops {stops} · airline {airline}",
        route.join(", ")
    )
}

fn render_results(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let r = &app.results;
    let [title, strip, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if r.flight_query.is_some() { 1 } else { 0 }),
        Constraint::Min(0),
    ])
    .areas(area);
    let count = if r.loading {
        let answered: Vec<String> = r
            .providers
            .iter()
            .map(|(p, e)| format!("{p} {}", if e.is_some() { "✗" } else { "✓" }))
            .collect();
        if answered.is_empty() {
            " · searching…".to_string()
        } else {
            format!(
                " · {} so far, searching… {}",
                r.list.len(),
                answered.join(" ")
            )
        }
    } else {
        format!(" · {} found", r.list.len())
    };
    let head = match &r.list {
        ResultList::Hotels(_) | ResultList::Empty if r.hotel_query.is_some() => {
            let q = r.hotel_query.as_ref().map(|q| {
                format!(
                    " Hotels in {} · {} → {}",
                    q.location, q.check_in, q.check_out
                )
            });
            q.unwrap_or_default()
        }
        ResultList::Packages(_) | ResultList::Empty if r.package_query.is_some() => {
            " Packages".to_string()
        }
        _ => flight_title(app),
    };
    f.render_widget(
        Line::from(vec![
            Span::styled(head, t.accent()),
            Span::styled(count, t.dim()),
        ]),
        title,
    );
    if r.flight_query.is_some() {
        f.render_widget(calendar_strip(app, t), strip);
    }
    if let Some(e) = &r.error {
        f.render_widget(
            Paragraph::new(vec![
                Line::styled(format!(" {e}"), t.err()),
                Line::raw(" Press / to change the search."),
            ])
            .wrap(Wrap { trim: false }),
            table,
        );
        return;
    }
    if r.list.is_empty() {
        let text = if r.loading {
            " Asking the providers…"
        } else {
            " Nothing matches. Try another date ([ / ]), fewer filters (x) or / for a new search."
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), table);
        return;
    }
    // Only the visible window is built: a list of thousands renders as fast as a screenful.
    let (visible, offset) = r.window(table.height);
    let end = (offset + visible).min(r.list.len());
    let (header, widths, rows): (Row, Vec<Constraint>, Vec<Row>) = match &r.list {
        ResultList::Flights(v) => (
            Row::new([
                "Airline", "Route", "Depart", "Arrive", "Time", "Stops", "Price",
            ]),
            vec![
                Constraint::Length(8),
                Constraint::Length(8),
                Constraint::Length(7),
                Constraint::Length(8),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Min(12),
            ],
            v[offset..end].iter().map(flight_row).collect(),
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
    let mut state = TableState::default().with_selected(Some(r.selected - offset));
    f.render_stateful_widget(widget, table, &mut state);
}

fn flight_row(o: &FlightOffer) -> Row<'static> {
    let first = &o.slices[0];
    let stops = match o.stops() {
        0 => "direct".to_string(),
        n => n.to_string(),
    };
    Row::new(vec![
        Cell::from(o.owner.clone()),
        Cell::from(format!("{}-{}", first.origin, first.destination)),
        Cell::from(first.departing_at.strftime("%H:%M").to_string()),
        Cell::from(clock(&first.arriving_at, &first.departing_at)),
        Cell::from(human_duration(o.duration_minutes())),
        Cell::from(stops),
        Cell::from(o.total().to_string()),
    ])
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

fn calendar_strip(app: &App, t: Theme) -> Line<'static> {
    let r = &app.results;
    let date = r.flight_query.as_ref().map(|q| q.slices[0].departure_date);
    if r.calendar.is_empty() {
        return Line::styled(" price calendar: …", t.dim());
    }
    let mut spans = vec![Span::styled(" [ ", t.dim())];
    for d in &r.calendar {
        // Whole units are enough to compare days.
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
    spans.push(Span::styled("] ", t.dim()));
    if let Some(c) = r.calendar.iter().find_map(|d| d.cheapest) {
        spans.push(Span::styled(c.currency.to_string(), t.dim()));
    }
    Line::from(spans)
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
        Screen::Search => vec![
            ("Tab / Shift-Tab", "next / previous field"),
            ("↓ / ↑", "pick a place suggestion"),
            ("Enter", "search (or take the suggestion)"),
            ("Esc", "leave the field (then ←/→ switch tabs)"),
        ],
        Screen::Results => vec![
            ("j k ↑ ↓", "move"),
            ("PgUp PgDn g G", "page, top, bottom"),
            ("Enter", "details"),
            ("b", "book the selected offer"),
            ("s", "sort: best, price, duration, departure"),
            ("0 1 2", "at most that many stops (again: any)"),
            ("a / x", "next airline / clear filters"),
            ("[ ]", "a day earlier / later"),
        ],
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
