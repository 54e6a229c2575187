//! How the CLI talks: data on stdout (tables for people, JSON for scripts), everything else
//! on stderr. Colour only on a terminal and never with NO_COLOR.

use booksygo_core::Error;
use serde::Serialize;
use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// Output settings shared by every command.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
    pub color: bool,
}

impl Out {
    pub fn new(json: bool) -> Out {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Out {
            json,
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        emit(&text);
        Ok(())
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match style {
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Green => "32",
            Style::Yellow => "33",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A line for people on stdout (tables and headings), never in JSON mode.
    pub fn line(&self, text: &str) {
        emit(&format!("{text}\n"));
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Style {
    Bold,
    Dim,
    Green,
    Yellow,
}

/// Writes to stdout. A reader that went away (`booksygo ... | head`) ends the program
/// quietly with success, as other Unix tools do, instead of a panic.
pub fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// A day for people, the one way dates are written in tables and headings: `Sun 14 Mar 2027`
/// (JSON keeps ISO 8601).
pub fn day(date: jiff::civil::Date) -> String {
    booksygo_core::model::time::human_day(date)
}

/// Warnings and notes go to stderr so stdout stays clean for pipes.
pub fn warn(text: &str) {
    eprintln!("warning: {text}");
}

/// A remark for people (which mode, which data) on stderr.
pub fn note(text: &str) {
    eprintln!("note: {text}");
}

/// A simple aligned table. Columns listed in `right` are right-aligned.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            right: Vec::new(),
        }
    }

    pub fn right(mut self, cols: &[usize]) -> Table {
        self.right = cols.to_vec();
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self, out: &Out) -> String {
        let cols = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(visible_len(c));
            }
        }
        let fmt_row = |cells: &[String]| -> String {
            let mut line = String::new();
            for (i, c) in cells.iter().enumerate().take(cols) {
                let pad = widths[i].saturating_sub(visible_len(c));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right.contains(&i) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    if i + 1 < cols {
                        line.push_str(&" ".repeat(pad));
                    }
                }
            }
            line.trim_end().to_string()
        };
        let mut s = out.paint(Style::Bold, &fmt_row(&self.headers));
        s.push('\n');
        for r in &self.rows {
            s.push_str(&fmt_row(r));
            s.push('\n');
        }
        s
    }
}

/// Length on screen, ignoring ANSI colour sequences.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

/// Runs `fut`, showing a spinner on stderr if it takes longer than 200 ms and stderr is a
/// terminal.
pub async fn spin<F: Future>(message: &str, fut: F) -> F::Output {
    if !std::io::stderr().is_terminal() {
        return fut.await;
    }
    tokio::pin!(fut);
    tokio::select! {
        out = &mut fut => return out,
        _ = tokio::time::sleep(Duration::from_millis(200)) => {}
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(message.to_string());
    pb.enable_steady_tick(Duration::from_millis(100));
    let out = fut.await;
    pb.finish_and_clear();
    out
}

/// Writes an error for people (or as JSON for scripts) to stderr.
pub fn report_error(out: &Out, err: &anyhow::Error) {
    let core = err.downcast_ref::<Error>();
    if out.json {
        let (code, suggestions) = match core {
            Some(e) => (
                serde_json::to_value(e.kind()).unwrap_or_default(),
                e.suggestions().to_vec(),
            ),
            None => (serde_json::Value::String("internal".into()), Vec::new()),
        };
        let body = serde_json::json!({"error": {"code": code, "message": format!("{err:#}"), "suggestions": suggestions}});
        eprintln!("{body}");
        return;
    }
    eprintln!("error: {err:#}");
    if let Some(e) = core
        && !e.suggestions().is_empty()
    {
        eprintln!("  did you mean: {}", e.suggestions().join(", "));
    }
}
