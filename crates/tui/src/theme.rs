//! The app's styles (none of them when NO_COLOR is set) and the centred popup every view
//! uses for confirmations and overlays.

use booksygo_core::booking::BookingStatus;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph};

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

/// A bordered box of `lines`, `w` columns wide and at least `h` lines tall (taller when its
/// lines wrap), in the middle of the screen and never larger than it. Lines wrap at their
/// own indent.
pub(crate) fn popup(f: &mut Frame, t: Theme, title: &str, lines: Vec<Line>, w: u16, h: u16) {
    let area = f.area();
    let w = w.min(area.width);
    let lines = wrap_indented(lines, w.saturating_sub(2));
    let h = h.max(lines.len() as u16 + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::bordered()
                .title(title.to_string())
                .border_style(t.accent()),
        ),
        rect,
    );
}

/// A view's key hints, most useful first; the last one (help) is always shown.
pub(crate) type Hints = &'static [(&'static str, &'static str)];

/// The hints as one line of at most `width` columns: as many as fit, in order, and the last
/// one (where to find every key) always.
pub(crate) fn fit_hints(hints: &[(&str, &str)], width: usize) -> String {
    let item = |(k, what): &(&str, &str)| {
        if what.is_empty() {
            k.to_string()
        } else {
            format!("{k} {what}")
        }
    };
    let items: Vec<String> = hints.iter().map(item).collect();
    let join = |v: &[String]| format!(" {}", v.join("  "));
    let whole = join(&items);
    if Line::raw(whole.as_str()).width() <= width || items.len() < 2 {
        return whole;
    }
    let (last, rest) = items.split_last().expect("two or more");
    for n in (0..rest.len()).rev() {
        let mut shown = rest[..n].to_vec();
        shown.push(last.clone());
        let text = join(&shown);
        if Line::raw(text.as_str()).width() <= width {
            return text;
        }
    }
    format!(" {last}")
}

/// Characters, each with its style.
type Run = Vec<(char, Style)>;

/// `1 stop`, `2 stops`, `non-stop`.
pub(crate) fn stops(n: usize) -> String {
    match n {
        0 => "non-stop".into(),
        n => count(n, "stop", "stops"),
    }
}

pub(crate) use booksygo_core::model::counted as count;

/// Word-wraps `lines` to `width` columns, keeping each line's indent on the lines it wraps
/// onto (a paragraph that starts with spaces goes on at the same column, not at column 0).
/// Styles are kept span by span; a word longer than the width is cut where it must be.
pub(crate) fn wrap_indented(lines: Vec<Line<'_>>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    for line in lines {
        let line_style = line.style;
        // Each character with its style.
        let chars: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
            .collect();
        let total: usize = chars.iter().map(|(c, _)| char_width(*c)).sum();
        if total <= width {
            out.push(owned(line));
            continue;
        }
        let lead = chars.iter().take_while(|(c, _)| *c == ' ').count();
        // A bullet (`✓ `, `· `, `- `) hangs: its text goes on under the text, not the bullet.
        let bullet = matches!(
            (chars.get(lead), chars.get(lead + 1)),
            (Some(('✓' | '✗' | '·' | '-' | '•', _)), Some((' ', _)))
        );
        let hang = if bullet { lead + 2 } else { lead };
        let (lead, hang) = if hang * 2 > width {
            (0, 0)
        } else {
            (lead, hang)
        };
        // Words: runs of non-spaces, each with the spaces before it.
        let mut words: Vec<(Run, Run)> = Vec::new();
        let mut i = lead;
        while i < chars.len() {
            let start = i;
            while i < chars.len() && chars[i].0 == ' ' {
                i += 1;
            }
            let mid = i;
            while i < chars.len() && chars[i].0 != ' ' {
                i += 1;
            }
            words.push((chars[start..mid].to_vec(), chars[mid..i].to_vec()));
        }
        let pad: Vec<(char, Style)> =
            vec![(' ', chars.first().map_or_else(Style::default, |c| c.1)); hang];
        let mut row: Vec<(char, Style)> = chars[..lead].to_vec();
        let mut used = lead;
        let indent = hang;
        let mut fresh = true;
        for (space, word) in words {
            if word.is_empty() {
                continue;
            }
            let ww: usize = word.iter().map(|(c, _)| char_width(*c)).sum();
            let sw = if fresh { 0 } else { space.len() };
            if !fresh && used + sw + ww > width {
                out.push(styled(&row, line_style));
                row = pad.clone();
                used = indent;
                fresh = true;
            }
            if !fresh {
                row.extend(space.iter().copied());
                used += space.len();
            }
            for &(c, st) in &word {
                let cw = char_width(c);
                if used + cw > width && used > indent {
                    out.push(styled(&row, line_style));
                    row = pad.clone();
                    used = indent;
                }
                row.push((c, st));
                used += cw;
            }
            fresh = false;
        }
        if row.len() > indent || out.is_empty() {
            out.push(styled(&row, line_style));
        }
    }
    out
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Line::raw(&*c.encode_utf8(&mut buf)).width()
}

fn owned(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
    .style(line.style)
}

/// Characters with styles back into spans, one per run of a style.
fn styled(chars: &[(char, Style)], line_style: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style: Option<Style> = None;
    for &(c, st) in chars {
        if style.is_some_and(|s| s != st) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(st);
        text.push(c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style.unwrap_or_default()));
    }
    Line::from(spans).style(line_style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapped_lines_keep_their_indent() {
        let lines = vec![
            Line::raw(" Flight B6 LHR→JFK 2027-03-14 17:15, JFK→LHR 2027-03-21 09:00"),
            Line::raw("  - a rule that is long enough to wrap twice over here"),
            Line::raw(" short"),
        ];
        let out = texts(&wrap_indented(lines, 30));
        assert_eq!(
            out,
            [
                " Flight B6 LHR→JFK 2027-03-14",
                " 17:15, JFK→LHR 2027-03-21",
                " 09:00",
                "  - a rule that is long enough",
                "    to wrap twice over here",
                " short",
            ]
        );
        for l in &out {
            assert!(Line::raw(l.as_str()).width() <= 30, "{l:?}");
        }
    }

    #[test]
    fn a_word_longer_than_the_width_is_cut_not_lost() {
        let out = texts(&wrap_indented(vec![Line::raw(" abcdefghij")], 6));
        assert_eq!(out, [" abcde", " fghij"]);
    }

    #[test]
    fn wrapping_keeps_styles() {
        let t = Theme { color: true };
        let line = Line::from(vec![
            Span::styled(" Total", t.accent()),
            Span::raw(" EUR 336.00 for two travellers and more"),
        ]);
        let out = wrap_indented(vec![line], 20);
        assert_eq!(out[0].spans[0].style, t.accent());
        assert_eq!(out[0].spans[0].content, " Total");
        assert!(out.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn hints_keep_the_help_key_when_cut() {
        let hints: Hints = &[("a", "one"), ("b", "two"), ("c", "three"), ("?", "help")];
        assert_eq!(fit_hints(hints, 80), " a one  b two  c three  ? help");
        assert_eq!(fit_hints(hints, 22), " a one  b two  ? help");
        assert_eq!(fit_hints(hints, 5), " ? help");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(stops(0), "non-stop");
        assert_eq!(stops(1), "1 stop");
        assert_eq!(stops(2), "2 stops");
        assert_eq!(count(1u32, "event", "events"), "1 event");
        assert_eq!(count(3usize, "event", "events"), "3 events");
        assert_eq!(count(0u32, "event", "events"), "0 events");
    }
}
