//! A text field of a form (the search form, the booking form) and how a column of them is
//! drawn: label, value with a cursor when focused, and the focused field's hint.

use crate::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// One text field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
}

impl Field {
    pub(crate) fn new(label: &'static str, value: &str, hint: &'static str) -> Field {
        Field {
            label,
            value: value.into(),
            hint,
        }
    }
}

/// The fields as lines, values boxed to `width` columns.
pub(crate) fn field_lines<'a>(
    fields: &'a [Field],
    focus: Option<usize>,
    t: Theme,
    width: usize,
) -> Vec<Line<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(i, fld)| {
            let focused = focus == Some(i);
            let value = if focused {
                format!("{}▏", fld.value)
            } else {
                fld.value.clone()
            };
            let boxed = format!("{value:<width$}");
            let mut spans = vec![
                Span::styled(
                    format!(" {:<14}", fld.label),
                    if focused {
                        t.accent()
                    } else {
                        Style::default()
                    },
                ),
                Span::styled(
                    boxed,
                    if focused {
                        t.selected()
                    } else {
                        Style::default().add_modifier(Modifier::UNDERLINED)
                    },
                ),
            ];
            if focused {
                spans.push(Span::styled(format!("  {}", fld.hint), t.dim()));
            }
            Line::from(spans)
        })
        .collect()
}
