//! Rendering, a pure function of the app's state: the frame (header, the view's body, key
//! hints, status line) and the overlays. Each view draws its own body (`components`).

use crate::app::{App, Overlay, Screen};
use crate::components::{book, chat, detail, inbox, points, results, search, trips, watches};
use crate::theme::{Theme, fit_hints, popup};
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
        Screen::Inbox => app.inbox.draw(t, f, body),
        Screen::Watches => app.watches.draw(t, f, body),
        Screen::Chat => app.chat.draw(t, f, body),
    }
    f.render_widget(
        Paragraph::new(key_hints(app, keys.width)).style(t.dim()),
        keys,
    );
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
        (Screen::Inbox, "Inbox"),
        (Screen::Watches, "Watches"),
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
    // Unread notifications, wherever the traveller is (`i` opens them).
    let unread = app.inbox.unread();
    if unread > 0 && app.screen() != Screen::Inbox {
        spans.push(Span::styled(format!(" ✉ {unread} (i) "), t.accent()));
    }
    f.render_widget(Line::from(spans), area);
}

fn render_status(app: &App, t: Theme, f: &mut Frame, area: Rect) {
    let style = if t.color {
        Style::default().bg(Color::Blue).fg(Color::White)
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    };
    f.render_widget(
        Paragraph::new(status_line(app, usize::from(area.width))).style(style),
        area,
    );
}

/// The status line in at most `width` columns: where the app runs and who is signed in
/// always; the data's dates, the results' time and the palette key when there is room, in
/// that order of giving way.
pub fn status_line(app: &App, width: usize) -> String {
    let (fx, data) = match &app.info {
        Some(i) => (
            Some(format!("fx {}", i.fx_as_of)),
            Some(format!(
                "data {}",
                i.fixture_version.chars().take(8).collect::<String>()
            )),
        ),
        None => (None, None),
    };
    let results = app.results.at.map(|at| {
        let local = at.to_zoned(jiff::tz::TimeZone::system());
        format!("results {}", local.strftime("%H:%M:%S"))
    });
    let build = |with_fx: bool, with_data: bool, with_results: bool, palette: bool| {
        let mut parts = vec![app.mode.mode.clone(), app.mode.user.clone()];
        let dates: Vec<&str> = [
            fx.as_deref().filter(|_| with_fx),
            data.as_deref().filter(|_| with_data),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !dates.is_empty() {
            parts.push(dates.join(" · "));
        }
        if let Some(r) = results.as_ref().filter(|_| with_results) {
            parts.push(r.clone());
        }
        parts.push(
            if palette {
                "? help · : commands"
            } else {
                "? help"
            }
            .into(),
        );
        format!(" {}", parts.join(" │ "))
    };
    let tries = [
        (true, true, true, true),
        (true, false, true, true),
        (true, false, true, false),
        (false, false, true, false),
        (false, false, false, false),
    ];
    for (a, b, c, d) in tries {
        let line = build(a, b, c, d);
        if Line::raw(line.as_str()).width() <= width {
            return line;
        }
    }
    // Even the least does not fit (a long server address): cut it, and say so.
    let line = build(false, false, false, false);
    let mut cut = String::new();
    for ch in line.chars() {
        if Line::raw(format!("{cut}{ch}…")).width() > width {
            break;
        }
        cut.push(ch);
    }
    format!("{cut}…")
}

fn key_hints(app: &App, width: u16) -> String {
    let hints = match app.screen() {
        Screen::Search => app.search.hints(),
        Screen::Results => app.results.hints(),
        Screen::Detail => detail::HINTS,
        Screen::Book => book::hints(app.book.as_ref()),
        Screen::Trips => app.trips.hints(),
        Screen::Points => points::HINTS,
        Screen::Inbox => inbox::HINTS,
        Screen::Watches => watches::HINTS,
        Screen::Chat => chat::HINTS,
    };
    fit_hints(hints, usize::from(width))
}

/// Keys of a view, for `?` (the results' are those of a flight list).
pub fn help_lines(screen: Screen) -> Vec<(&'static str, &'static str)> {
    with_global(screen, own_help(screen))
}

fn own_help(screen: Screen) -> &'static [(&'static str, &'static str)] {
    match screen {
        Screen::Search => search::HELP,
        Screen::Results => results::HELP,
        Screen::Detail => detail::HELP,
        Screen::Book => book::HELP,
        Screen::Trips => trips::HELP,
        Screen::Points => points::HELP,
        Screen::Inbox => inbox::HELP,
        Screen::Watches => watches::HELP,
        Screen::Chat => chat::HELP,
    }
}

fn with_global(
    screen: Screen,
    own: &'static [(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    // Letters are text in the chat: its help is whole as it is.
    if screen == Screen::Chat {
        return own.to_vec();
    }
    let mut keys = own.to_vec();
    keys.extend([
        ("/", "new search"),
        ("t / p / i / m", "trips / points / inbox / chat"),
        (": or Ctrl-P", "command palette"),
        ("? or F1", "this help"),
        ("q / Esc", "back (quit on the first screen)"),
        ("Ctrl-C", "quit from anywhere"),
    ]);
    keys
}

/// Keys of the view on screen, for `?`: the results' depend on what they list.
pub fn help_for(app: &App) -> Vec<(&'static str, &'static str)> {
    let own = match app.screen() {
        Screen::Results => app.results.help(),
        s => own_help(s),
    };
    with_global(app.screen(), own)
}

fn render_help(app: &App, t: Theme, f: &mut Frame) {
    let lines: Vec<Line> = help_for(app)
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
