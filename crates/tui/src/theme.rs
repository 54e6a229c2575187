//! The app's styles (none of them when NO_COLOR is set) and the centred popup every view
//! uses for confirmations and overlays.

use booksygo_core::booking::BookingStatus;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Styles, or none of them when NO_COLOR is set.
#[derive(Clone, Copy)]
pub(crate) struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub fn accent(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn err(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn status(self, s: BookingStatus) -> Style {
        match s {
            BookingStatus::Confirmed | BookingStatus::Completed => self.ok(),
            BookingStatus::Pending | BookingStatus::PaymentProcessing => self.warn(),
            BookingStatus::Cancelled | BookingStatus::Refunded => self.dim(),
        }
    }
}

/// A bordered box of `lines`, at most `w` by `h`, in the middle of the screen.
pub(crate) fn popup(f: &mut Frame, t: Theme, title: &str, lines: Vec<Line>, w: u16, h: u16) {
    let area = f.area();
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .block(
                Block::bordered()
                    .title(title.to_string())
                    .border_style(t.accent()),
            ),
        rect,
    );
}
