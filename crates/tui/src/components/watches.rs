//! The Watches view: the traveller's price watches (route, day, the price that alerts, the
//! last price seen and the last alert). `w` on a flight list watches that search below its
//! cheapest fare; `d` here stops a watch. Alerts arrive in the Inbox.

use crate::components::outcome::Outcome;
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme};
use booksygo_core::model::watch::Watch;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Default)]
pub struct WatchesState {
    pub data: Option<Vec<Watch>>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
    /// What the last change did ("Watching LHR-JFK ..."), shown above the list.
    pub note: Option<String>,
}

pub(crate) const HELP: &[(&str, &str)] = &[
    ("↑ ↓ / j k", "move"),
    ("d", "stop watching the selected one"),
    (
        "w (in flight results)",
        "watch that search below its cheapest fare",
    ),
];

pub(crate) const HINTS: Hints = &[
    ("↑↓", "move"),
    ("d", "stop watching"),
    ("q", "back"),
    ("?", "help"),
];

impl WatchesState {
    /// Asks for the watches again.
    pub(crate) fn load(&mut self) -> Vec<Cmd> {
        self.loading = true;
        vec![Cmd::LoadWatches]
    }

    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Watches(a) => {
                self.loading = false;
                match a {
                    Ok(list) => {
                        self.selected = self.selected.min(list.len().saturating_sub(1));
                        self.data = Some(list);
                        self.error = None;
                    }
                    Err(e) => self.error = Some(e),
                }
                vec![]
            }
            Msg::Watched(a) => match a {
                Ok(w) => {
                    self.note = Some(format!(
                        "Watching {}-{} on {}: an alert lands in your inbox when it falls below {}.",
                        w.origin, w.destination, w.date, w.below
                    ));
                    self.load()
                }
                Err(e) => {
                    self.note = Some(format!("Not watched: {e}"));
                    vec![]
                }
            },
            Msg::Unwatched(a) => match a {
                Ok(()) => {
                    self.note = Some("Stopped watching.".into());
                    self.load()
                }
                Err(e) => {
                    self.note = Some(format!("Not stopped: {e}"));
                    vec![]
                }
            },
            _ => vec![],
        }
    }

    pub(crate) fn move_by(&mut self, step: i64) {
        let last = self.data.as_ref().map_or(0, |d| d.len().saturating_sub(1));
        self.selected = (self.selected as i64 + step).clamp(0, last as i64) as usize;
    }

    pub(crate) fn key(&mut self, k: KeyEvent) -> Outcome {
        let Some(list) = &self.data else {
            return Outcome::Ignored;
        };
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::Char('d') | KeyCode::Delete => {
                return match list.get(self.selected) {
                    Some(w) => Outcome::Done(vec![Cmd::RemoveWatch(w.id.clone())]),
                    None => Outcome::Done(vec![]),
                };
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let mut lines = Vec::new();
        if let Some(note) = &self.note {
            lines.push(Line::styled(format!(" {note}"), t.accent()));
            lines.push(Line::raw(""));
        }
        match (&self.data, &self.error) {
            (_, Some(e)) => lines.push(Line::styled(format!(" {e}"), t.err())),
            (None, None) => lines.push(Line::raw(" Loading your price watches…")),
            (Some(list), None) if list.is_empty() => lines.push(Line::raw(
                " No price watches: press w on a flight list to watch that search below its cheapest fare.",
            )),
            (Some(list), None) => {
                lines.push(Line::styled(
                    format!(
                        " {:<9} {:<10} {:>6}  {:>14}  {:>14}  {}",
                        "route", "day", "adults", "alert below", "last seen", "last alert"
                    ),
                    t.dim(),
                ));
                for (i, w) in list.iter().enumerate() {
                    let row = format!(
                        " {:<9} {:<10} {:>6}  {:>14}  {:>14}  {}",
                        format!("{}-{}", w.origin, w.destination),
                        w.date.to_string(),
                        w.adults,
                        w.below.to_string(),
                        w.last_price.map_or("-".to_string(), |m| m.to_string()),
                        w.fired_price.map_or("-".to_string(), |m| m.to_string()),
                    );
                    lines.push(if i == self.selected {
                        Line::styled(row, t.selected())
                    } else {
                        Line::raw(row)
                    });
                }
            }
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}
