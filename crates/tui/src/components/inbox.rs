//! The Inbox view: notifications (bookings, payments, refunds, price alerts, reminders),
//! newest first, with the selected one in full. Opening one marks it read.

use crate::components::outcome::Outcome;
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme, wrap_indented};
use booksygo_core::notify::Inbox;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Default)]
pub struct InboxState {
    pub data: Option<Inbox>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

pub(crate) const HELP: &[(&str, &str)] = &[
    ("↑ ↓ / j k", "move"),
    ("Enter", "mark read"),
    ("a", "mark all read"),
];

pub(crate) const HINTS: Hints = &[
    ("↑↓", "move"),
    ("Enter", "read"),
    ("a", "all read"),
    ("q", "back"),
    ("?", "help"),
];

/// `2026-11-25 12:00 UTC` from the API's RFC 3339.
fn when(stamp: &str) -> String {
    stamp
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

impl InboxState {
    /// Asks for the inbox again.
    pub(crate) fn load(&mut self) -> Vec<Cmd> {
        self.loading = true;
        vec![Cmd::LoadInbox]
    }

    /// Unread notifications, for the header's badge.
    pub fn unread(&self) -> i64 {
        self.data.as_ref().map_or(0, |d| d.unread)
    }

    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Inbox(a) => {
                self.loading = false;
                match a {
                    Ok(d) => {
                        self.selected = self.selected.min(d.notices.len().saturating_sub(1));
                        self.data = Some(d);
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                vec![]
            }
            Msg::Marked(a) => match a {
                Ok(_) => self.load(),
                Err(e) => {
                    self.error = Some(e);
                    vec![]
                }
            },
            _ => vec![],
        }
    }

    pub(crate) fn key(&mut self, k: KeyEvent) -> Outcome {
        let Some(d) = &self.data else {
            return Outcome::Ignored;
        };
        let last = d.notices.len().saturating_sub(1);
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Enter => {
                return match d.notices.get(self.selected) {
                    Some(n) if n.read_at.is_none() => {
                        Outcome::Done(vec![Cmd::MarkRead(Some(n.id.clone()))])
                    }
                    _ => Outcome::Done(vec![]),
                };
            }
            KeyCode::Char('a') if d.unread > 0 => return Outcome::Done(vec![Cmd::MarkRead(None)]),
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let Some(d) = &self.data else {
            let text = match &self.error {
                Some(e) => Line::styled(format!(" {e}"), t.err()),
                None => Line::raw(" Loading your notifications…"),
            };
            f.render_widget(text, area);
            return;
        };
        if d.notices.is_empty() {
            f.render_widget(
                Line::raw(
                    " No notifications yet: bookings, payments, refunds and price alerts land here.",
                ),
                area,
            );
            return;
        }
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(area);
        let mut list = vec![Line::styled(format!(" {} unread", d.unread), t.accent())];
        for (i, n) in d.notices.iter().enumerate() {
            let mark = if n.read_at.is_none() { "•" } else { " " };
            let row = format!(" {mark} {}", n.subject);
            list.push(if i == self.selected {
                Line::styled(row, t.selected())
            } else if n.read_at.is_none() {
                Line::styled(row, t.accent())
            } else {
                Line::raw(row)
            });
        }
        f.render_widget(Paragraph::new(list), left);
        if let Some(n) = d.notices.get(self.selected) {
            let mut body = vec![
                Line::styled(format!(" {}", n.subject), t.accent()),
                Line::styled(format!(" {}", when(&n.created_at)), t.dim()),
                Line::raw(""),
            ];
            body.extend(n.body.lines().map(|l| Line::raw(format!(" {l}"))));
            f.render_widget(Paragraph::new(wrap_indented(body, right.width)), right);
        }
    }
}
