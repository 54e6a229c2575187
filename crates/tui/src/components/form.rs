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

/// The fields as lines in an area `area_width` columns wide: labels in a column as wide as the
/// longest (so a long label never runs into its value), values boxed to `width` columns, and
/// the focused field's hint after its value, or under it, at the value's column, when it does
/// not fit there.
pub(crate) fn field_lines<'a>(
    fields: &'a [Field],
    focus: Option<usize>,
    t: Theme,
    width: usize,
    area_width: u16,
) -> Vec<Line<'a>> {
    let label_width = fields
        .iter()
        .map(|f| Line::raw(f.label).width())
        .max()
        .unwrap_or(0)
        .max(13)
        + 1;
    let mut lines = Vec::new();
    for (i, fld) in fields.iter().enumerate() {
        let focused = focus == Some(i);
        let value = if focused {
            format!("{}▏", fld.value)
        } else {
            fld.value.clone()
        };
        let boxed = format!("{value:<width$}");
        let used = 1 + label_width + Line::raw(boxed.as_str()).width();
        let mut spans = vec![
            Span::styled(
                format!(" {:<label_width$}", fld.label),
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
        let hint = format!("  {}", fld.hint);
        let fits = used + Line::raw(hint.as_str()).width() <= usize::from(area_width);
        if focused && fits {
            spans.push(Span::styled(hint, t.dim()));
        }
        lines.push(Line::from(spans));
        if focused && !fits {
            lines.push(Line::styled(
                format!(" {:<label_width$}{}", "", fld.hint),
                t.dim(),
            ));
        }
    }
    lines
}
