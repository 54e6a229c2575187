//! Rendering, a pure function of the app's state: the frame (header, the view's body, key
//! hints, status line) and the overlays. Each view draws its own body (`components`).

use crate::app::{App, Overlay, Screen};
use crate::components::{book, chat, detail, points, results, search, trips};
use crate::theme::{Theme, popup};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
        Screen::Detail => app.detail.draw(&app.results, t, f, body),
        Screen::Book => {
            if let Some(b) = &app.book {
                b.draw(t, f, body)
            }
        }
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
        Screen::Detail => detail::HINTS,
        Screen::Book => book::hints(app.book.as_ref()),
        Screen::Trips => app.trips.hints(),
        Screen::Points => points::HINTS,
        Screen::Chat => chat::HINTS,
    };
    format!(" {s}")
}

/// Keys of the current view, for `?`.
pub fn help_lines(screen: Screen) -> Vec<(&'static str, &'static str)> {
    let own = match screen {
        Screen::Search => search::HELP,
        Screen::Results => results::HELP,
        Screen::Detail => detail::HELP,
        Screen::Book => book::HELP,
        Screen::Trips => trips::HELP,
        Screen::Points => points::HELP,
        // Letters are text in the chat: its help is whole as it is.
        Screen::Chat => return chat::HELP.to_vec(),
    };
    let mut keys = own.to_vec();
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
