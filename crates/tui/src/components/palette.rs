//! The `:` command palette: what was typed, the commands matching it, and the one chosen
//! (the app runs it).

use crate::theme::{Theme, popup};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::Style;
use ratatui::text::Line;

/// Commands of the palette: name and what it does.
pub const COMMANDS: &[(&str, &str)] = &[
    ("search", "back to the search form"),
    ("flights", "search flights"),
    ("hotels", "search hotels"),
    ("packages", "search packages"),
    ("results", "back to the last results"),
    ("trips", "your bookings"),
    ("points", "points, badges, challenges"),
    ("inbox", "your notifications"),
    (
        "watches",
        "your price watches (w on flight results adds one)",
    ),
    ("chat", "ask the assistant"),
    ("sort price", "cheapest first"),
    ("sort duration", "shortest first"),
    ("sort departure", "earliest first"),
    ("sort best", "price, time and stops together"),
    ("help", "every key of this view"),
    ("quit", "leave BooksyGo"),
];

/// Palette commands matching what was typed (every word a prefix or substring).
pub fn matches(input: &str) -> Vec<(&'static str, &'static str)> {
    let input = input.trim().to_lowercase();
    COMMANDS
        .iter()
        .filter(|(name, _)| input.is_empty() || name.contains(input.as_str()))
        .copied()
        .collect()
}

/// The palette as it is being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Palette {
    pub input: String,
    pub selected: usize,
}

/// What a key did to the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    Stay,
    Close,
    /// Close, and run this command.
    Run(&'static str),
}

impl Palette {
    pub(crate) fn key(&mut self, k: KeyEvent) -> Choice {
        match k.code {
            KeyCode::Esc => return Choice::Close,
            KeyCode::Backspace => {
                self.input.pop();
                self.selected = 0;
            }
            KeyCode::Down | KeyCode::Tab => self.selected += 1,
            KeyCode::Up | KeyCode::BackTab => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char(c) => {
                self.input.push(c);
                self.selected = 0;
            }
            KeyCode::Enter => {
                let found = matches(&self.input);
                let chosen = found
                    .get(self.selected.min(found.len().saturating_sub(1)))
                    .map(|(name, _)| *name);
                return chosen.map_or(Choice::Close, Choice::Run);
            }
            _ => {}
        }
        Choice::Stay
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame) {
        let found = matches(&self.input);
        let mut lines = vec![Line::styled(format!(" :{}▏", self.input), t.accent())];
        for (i, (name, what)) in found.iter().enumerate() {
            let style = if i == self.selected.min(found.len().saturating_sub(1)) {
                t.selected()
            } else {
                Style::default()
            };
            lines.push(Line::styled(format!(" {name:<16}{what}"), style));
        }
        let h = lines.len() as u16 + 2;
        popup(f, t, "Commands", lines, 56, h);
    }
}
