//! The Points view: balance and level, badges, challenges, the leaderboard and the latest
//! ledger entries. It has no keys of its own (the app's global keys apply).

use crate::msg::{Cmd, Msg, PointsData};
use crate::theme::{Hints, Theme, wrap_indented};
use booksygo_core::points::Challenge;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

#[derive(Debug, Clone, Default)]
pub struct PointsState {
    pub data: Option<PointsData>,
    pub loading: bool,
    pub error: Option<String>,
}

/// Keys of this view, for `?` (only the app's global ones).
pub(crate) const HELP: &[(&str, &str)] = &[];

/// The key hints line.
pub(crate) const HINTS: Hints = &[
    ("q", "back"),
    ("t", "trips"),
    ("m", "chat"),
    ("/", "search"),
    ("?", "help"),
];

impl PointsState {
    /// Asks for the points again.
    pub(crate) fn load(&mut self) -> Vec<Cmd> {
        self.loading = true;
        vec![Cmd::LoadPoints]
    }

    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        if let Msg::Points(a) = msg {
            self.loading = false;
            match a {
                Ok(d) => {
                    self.data = Some(d);
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        vec![]
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let Some(d) = &self.data else {
            let text = match &self.error {
                Some(e) => Line::styled(format!(" {e}"), t.err()),
                None => Line::raw(" Loading your points…"),
            };
            f.render_widget(text, area);
            return;
        };
        let b = &d.balance;
        let [top, gauge, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let next = match (&b.next_level, b.to_next_level) {
            (Some(n), Some(k)) => format!(" · {k} to {n}"),
            _ => String::new(),
        };
        f.render_widget(
            Line::styled(
                format!(
                    " {} points ({} available) · level {}{next}",
                    b.total, b.available, b.level
                ),
                t.accent(),
            ),
            top,
        );
        f.render_widget(
            Gauge::default()
                .gauge_style(t.ok())
                .percent(u16::from(b.level_progress.min(100)))
                .label(format!("{}% of the way", b.level_progress)),
            gauge,
        );
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
        let mut l = vec![Line::styled(" Badges", t.accent())];
        for badge in &d.badges {
            let (mark, style) = if badge.earned_at.is_some() {
                ("✓", t.ok())
            } else {
                ("·", t.dim())
            };
            l.push(Line::styled(
                format!(" {mark} {} — {}", badge.name, badge.description),
                style,
            ));
        }
        l.push(Line::styled(" Challenges", t.accent()));
        for c in &d.challenges {
            l.push(challenge_line(c, t));
        }
        f.render_widget(Paragraph::new(wrap_indented(l, left.width)), left);
        let mut r = vec![Line::styled(" Leaderboard", t.accent())];
        for e in &d.leaderboard {
            let row = format!(" {:>2}. {:<16} {:>6} {}", e.rank, e.name, e.total, e.level);
            // The traveller's own row stands out (it is there even below the top ten).
            r.push(if e.you {
                Line::styled(row, t.accent())
            } else {
                Line::raw(row)
            });
        }
        r.push(Line::styled(" Latest", t.accent()));
        for e in d.history.iter().rev().take(5) {
            r.push(Line::raw(format!(" {:+} {}", e.total_delta, e.note)));
        }
        f.render_widget(Paragraph::new(wrap_indented(r, right.width)), right);
    }
}

/// A challenge as it stands: ticked only once its goal is reached, like a badge; progress
/// counted honestly (a cancelled booking takes its step back), and a reward already paid
/// for reaching the goal earlier said as earned rather than ticked.
fn challenge_line(c: &Challenge, t: Theme) -> Line<'static> {
    let done = c.progress >= c.goal;
    let (mark, style) = if done {
        ("✓", t.ok())
    } else {
        ("·", Style::default())
    };
    let reward = if c.completed {
        format!("+{} earned", c.reward_points)
    } else {
        format!("+{}", c.reward_points)
    };
    Line::styled(
        format!(
            " {mark} {} {}/{} ({reward})",
            c.name,
            c.progress.clamp(0, c.goal),
            c.goal
        ),
        style,
    )
}
