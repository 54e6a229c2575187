//! The Chat view: the conversation with the assistant as shown (streamed replies, tool
//! cards, errors in place), the input line, and the quote waiting for a yes.

use super::outcome::{Action, Outcome};
use crate::chat::ChatEntry;
use crate::msg::{Cmd, Msg};
use crate::theme::{Hints, Theme};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// The Chat view: the conversation as shown, the input line, and the quote waiting for a yes.
#[derive(Debug, Clone, Default)]
pub struct ChatState {
    pub entries: Vec<ChatEntry>,
    pub input: String,
    /// Opening the conversation or waiting for a reply: Enter does not send meanwhile.
    pub busy: bool,
    pub opened: bool,
    /// Where this turn's entries start (its tool cards go before its reply).
    pub turn_start: usize,
    /// The last message sent, put back in the input line if the turn fails.
    pub sent: String,
    pub pending: Option<String>,
    pub conversation_id: Option<String>,
    pub backend: Option<String>,
    /// Lines scrolled up from the bottom.
    pub scroll: u16,
}

/// Keys of this view, for `?` (letters are text here, so the global keys are not listed).
pub(crate) const HELP: &[(&str, &str)] = &[
    ("letters", "type your message"),
    ("Enter", "send it to the assistant"),
    ("yes / no", "as a message: book the quote shown, or drop it"),
    (
        "PgUp PgDn",
        "scroll the conversation (also the mouse wheel)",
    ),
    ("Esc", "back to the previous view"),
    ("Ctrl-P", "command palette"),
    ("F1", "this help"),
    ("Ctrl-C", "quit from anywhere"),
];

/// The key hints line.
pub(crate) const HINTS: Hints = &[
    ("type", "a message"),
    ("Enter", "send"),
    ("Esc", "back"),
    ("PgUp/PgDn", "scroll"),
    ("F1", "help"),
];

impl ChatState {
    /// Opens the conversation the first time the view shows.
    pub(crate) fn open(&mut self) -> Vec<Cmd> {
        if !self.opened && !self.busy {
            self.busy = true;
            return vec![Cmd::ChatOpen];
        }
        vec![]
    }

    /// Scrolls the conversation: a positive `by` goes towards the newest lines.
    pub(crate) fn scroll_by(&mut self, by: i64) {
        self.scroll = (i64::from(self.scroll) - by).clamp(0, 10_000) as u16;
    }

    /// Takes the conversation opened, a streamed piece, or the finished turn.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::ChatOpened(a) => {
                self.busy = false;
                self.opened = true;
                match a {
                    Ok(log) => {
                        self.entries = log.entries;
                        self.pending = log.pending;
                        self.conversation_id = Some(log.conversation_id);
                        self.backend = Some(log.backend);
                    }
                    Err(e) => self.entries.push(ChatEntry::Error(e)),
                }
                self.turn_start = self.entries.len();
            }
            // A piece arriving after its turn ended is dropped.
            Msg::ChatText(piece) if self.busy => {
                let streaming = self.entries.len() > self.turn_start;
                match self.entries.last_mut() {
                    Some(ChatEntry::Assistant(text)) if streaming => text.push_str(&piece),
                    _ => self.entries.push(ChatEntry::Assistant(piece)),
                }
                self.scroll = 0;
            }
            Msg::ChatReplied(a) => {
                self.busy = false;
                self.scroll = 0;
                match a {
                    Ok(turn) => {
                        // The streamed text becomes the reply as the assistant finished it,
                        // after the turn's tool cards.
                        self.entries.truncate(self.turn_start);
                        self.entries
                            .extend(turn.cards.into_iter().map(ChatEntry::Tool));
                        if !turn.reply.trim().is_empty() {
                            self.entries.push(ChatEntry::Assistant(turn.reply));
                        }
                        self.pending = turn.pending;
                        self.conversation_id = Some(turn.conversation_id);
                        self.sent.clear();
                    }
                    Err(e) => {
                        self.entries.push(ChatEntry::Error(e));
                        if self.input.is_empty() {
                            self.input = std::mem::take(&mut self.sent);
                        }
                    }
                }
                self.turn_start = self.entries.len();
            }
            _ => {}
        }
        vec![]
    }

    /// `page` is how many lines PgUp/PgDn scroll.
    pub(crate) fn key(&mut self, k: KeyEvent, page: usize) -> Outcome {
        let page = page as u16;
        match k.code {
            KeyCode::Esc => return Outcome::Ask(Action::Back),
            KeyCode::Enter => {
                let text = self.input.trim().to_string();
                if text.is_empty() || self.busy {
                    return Outcome::Done(vec![]);
                }
                self.input.clear();
                self.entries.push(ChatEntry::User(text.clone()));
                self.turn_start = self.entries.len();
                self.sent = text.clone();
                self.busy = true;
                self.scroll = 0;
                return Outcome::Done(vec![Cmd::ChatSend(text)]);
            }
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::PageUp => self.scroll = self.scroll.saturating_add(page),
            KeyCode::PageDown => self.scroll = self.scroll.saturating_sub(page),
            KeyCode::Char(ch) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.input.push(ch)
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done(vec![])
    }

    /// The conversation as lines at this width.
    fn lines(&self, t: Theme, width: usize) -> Vec<Line<'static>> {
        const LABEL: usize = 7;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let text_width = width.saturating_sub(LABEL);
        let said =
            |lines: &mut Vec<Line<'static>>, label: &'static str, style: Style, text: &str| {
                for (i, l) in wrap(text, text_width).into_iter().enumerate() {
                    let head = if i == 0 { label } else { "" };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{head:<LABEL$}"), style),
                        Span::raw(l),
                    ]));
                }
            };
        if self.entries.is_empty() && self.opened {
            lines.push(Line::styled(
                "Ask for flights, hotels or packages: \"flights from LHR to JFK on 2027-03-14\"",
                t.dim(),
            ));
            lines.push(Line::styled(
                "Nothing is booked or cancelled until you reply yes to a quote.",
                t.dim(),
            ));
        }
        for (i, e) in self.entries.iter().enumerate() {
            match e {
                ChatEntry::User(text) => {
                    if i > 0 {
                        lines.push(Line::raw(""));
                    }
                    said(&mut lines, "You", t.accent(), text)
                }
                ChatEntry::Assistant(text) => said(&mut lines, "Agent", t.ok(), text),
                ChatEntry::Tool(card) => {
                    let style = if card.ok { t.dim() } else { t.err() };
                    let text = format!("⚙ {} ({}) → {}", card.name, card.args, card.result);
                    lines.push(Line::styled(
                        format!("{:LABEL$}{}", "", cut(&text, text_width)),
                        style,
                    ));
                }
                ChatEntry::Error(text) => said(&mut lines, "Error", t.err(), text),
            }
        }
        if self.busy {
            let streaming = self.entries.len() > self.turn_start;
            if !self.opened {
                lines.push(Line::styled("opening the conversation…", t.dim()));
            } else if !streaming {
                lines.push(Line::styled(
                    format!("{:LABEL$}thinking…", "Agent"),
                    t.dim(),
                ));
            }
        }
        lines
    }

    pub(crate) fn draw(&self, t: Theme, f: &mut Frame, area: Rect) {
        let inner = usize::from(area.width.saturating_sub(2));
        let pending: Vec<String> = match &self.pending {
            Some(summary) => {
                let mut l = wrap(summary, inner);
                l.extend(wrap(
                    "Type yes to go ahead or no to stop; nothing happens until you do.",
                    inner,
                ));
                l
            }
            None => Vec::new(),
        };
        let pending_h = if pending.is_empty() {
            0
        } else {
            (pending.len() as u16 + 2).min(area.height / 3)
        };
        let [title, list, quote, input] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(pending_h),
            Constraint::Length(3),
        ])
        .areas(area);
        let backend = self.backend.as_deref().unwrap_or("assistant");
        let mut head = vec![Span::styled(format!(" Assistant ({backend})"), t.accent())];
        if let Some(id) = &self.conversation_id {
            head.push(Span::styled(format!(" · conversation {id}"), t.dim()));
        }
        f.render_widget(Line::from(head), title);
        // Drawn inside a margin of one column each side.
        let lines = self.lines(t, usize::from(list.width.saturating_sub(2)));
        let h = usize::from(list.height);
        let top = lines
            .len()
            .saturating_sub(h)
            .saturating_sub(usize::from(self.scroll));
        let shown: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
        f.render_widget(Paragraph::new(shown), list.inner(Margin::new(1, 0)));
        if pending_h > 0 {
            let body: Vec<Line> = pending.into_iter().map(Line::raw).collect();
            f.render_widget(
                Paragraph::new(body).block(
                    Block::bordered()
                        .title(" Waiting for your yes ")
                        .border_style(t.warn()),
                ),
                quote,
            );
        }
        let title = if self.busy {
            " Message (waiting for the assistant…) "
        } else {
            " Message (Enter sends) "
        };
        let room = inner.saturating_sub(3);
        let typed: String = {
            let n = self.input.chars().count();
            self.input.chars().skip(n.saturating_sub(room)).collect()
        };
        f.render_widget(
            Paragraph::new(format!("> {typed}▏"))
                .block(Block::bordered().title(title).border_style(t.accent())),
            input,
        );
    }
}

/// Greedy word wrap to `width` columns (long words are cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let mut word = word.to_string();
            loop {
                let have = line.chars().count();
                let need = word.chars().count() + usize::from(have > 0);
                if have + need <= width {
                    if have > 0 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if have > 0 {
                    out.push(std::mem::take(&mut line));
                    continue;
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
                if word.is_empty() {
                    break;
                }
            }
        }
        out.push(line);
    }
    out
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}
