//! How answers are shown: aligned tables with readable numbers for people, the server's `data`
//! untouched for programs (`--json`), colour only on a terminal without `NO_COLOR`, a spinner on
//! stderr only on a terminal, secrets printed once and marked, and delete confirmations.

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use comfy_table::{CellAlignment, ColumnConstraint, Table, presets};
use serde_json::Value;

use crate::error::{CliError, CliResult};

const BOLD: &str = "\x1b[1m";
const YELLOW_BOLD: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const RED_BOLD: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A count or amount: thousands separators, at most two decimals.
    Number,
    /// Already a percentage (1.15 means 1.15 %).
    Percent,
    /// A fraction from 0 to 1, shown as a percentage.
    Fraction,
    /// Milliseconds, shown as `4m 05s`.
    Millis,
    /// An ISO timestamp, shown to the minute.
    Date,
    Bool,
}

/// One column: its header, where the value sits in a row (`a.b` for nested keys) and its kind.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: Cow<'static, str>,
    pub path: Cow<'static, str>,
    pub kind: Kind,
}

pub const fn col(header: &'static str, path: &'static str, kind: Kind) -> Column {
    Column {
        header: Cow::Borrowed(header),
        path: Cow::Borrowed(path),
        kind,
    }
}

/// A column known only at run time (a field the user asked for).
pub fn dynamic_col(name: &str, kind: Kind) -> Column {
    Column {
        header: Cow::Owned(name.replace('_', " ")),
        path: Cow::Owned(name.to_owned()),
        kind,
    }
}

/// The value at `a.b.c` in a row, or null.
pub fn lookup<'a>(row: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(row, |value, key| &value[key])
}

/// `12450` → `12,450`; `2.2912` → `2.29`.
pub fn readable_number(number: f64) -> String {
    if !number.is_finite() {
        return number.to_string();
    }
    let negative = number < 0.0;
    let rounded = (number.abs() * 100.0).round() / 100.0;
    let whole = rounded.trunc() as u64;
    let cents = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if cents > 0 {
        if cents.is_multiple_of(10) {
            grouped.push_str(&format!(".{}", cents / 10));
        } else {
            grouped.push_str(&format!(".{cents:02}"));
        }
    }
    if negative && (whole > 0 || cents > 0) {
        format!("-{grouped}")
    } else {
        grouped
    }
}

fn readable_millis(millis: f64) -> String {
    let seconds = (millis / 1000.0).round() as u64;
    let (hours, minutes, seconds) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if hours > 0 {
        format!("{hours}h {minutes:02}m {seconds:02}s")
    } else if minutes > 0 {
        format!("{minutes}m {seconds:02}s")
    } else {
        format!("{seconds}s")
    }
}

fn readable_date(text: &str) -> String {
    match jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%.f%:z", text)
        .ok()
        .or_else(|| text.parse::<jiff::Timestamp>().ok())
    {
        Some(ts) => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        None => text.to_owned(),
    }
}

/// One value as a person reads it; `-` for null or missing.
pub fn readable(value: &Value, kind: Kind) -> String {
    match (value, kind) {
        (Value::Null, _) => "-".to_owned(),
        (Value::Number(n), Kind::Number) => {
            n.as_f64().map_or_else(|| n.to_string(), readable_number)
        }
        (Value::Number(n), Kind::Percent) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| format!("{}%", readable_number(f))),
        (Value::Number(n), Kind::Fraction) => n.as_f64().map_or_else(
            || n.to_string(),
            |f| format!("{}%", readable_number(f * 100.0)),
        ),
        (Value::Number(n), Kind::Millis) => {
            n.as_f64().map_or_else(|| n.to_string(), readable_millis)
        }
        (Value::String(s), Kind::Date) => readable_date(s),
        (Value::Bool(b), _) => if *b { "yes" } else { "no" }.to_owned(),
        (Value::String(s), _) => s.clone(),
        (Value::Number(n), _) => n.to_string(),
        (Value::Array(items), _) if items.is_empty() => "-".to_owned(),
        (Value::Array(items), _) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        (Value::Object(_), _) => value.to_string(),
    }
}

fn is_numeric(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Number | Kind::Percent | Kind::Fraction | Kind::Millis
    )
}

fn finish(table: &Table) -> String {
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rows as an aligned table under upper-case headers, numbers right-aligned.
pub fn render_table(columns: &[Column], rows: &[Value]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_header(columns.iter().map(|c| c.header.to_uppercase()));
    for row in rows {
        table.add_row(
            columns
                .iter()
                .map(|c| readable(lookup(row, &c.path), c.kind)),
        );
    }
    for (index, column) in columns.iter().enumerate() {
        if let Some(table_column) = table.column_mut(index) {
            table_column.set_padding((0, 2));
            table_column.set_constraint(ColumnConstraint::ContentWidth);
            if is_numeric(column.kind) {
                table_column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    finish(&table)
}

/// One object as `label  value` lines.
pub fn render_record(fields: &[Column], record: &Value) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    for field in fields {
        table.add_row([
            format!("{}:", field.header),
            readable(lookup(record, &field.path), field.kind),
        ]);
    }
    if let Some(first) = table.column_mut(0) {
        first.set_padding((0, 1));
    }
    if let Some(second) = table.column_mut(1) {
        second.set_padding((0, 0));
    }
    finish(&table)
}

/// One line on stdout. A closed pipe (`datafast ... | head`) is not an error worth a panic:
/// the reader has what it wanted.
fn line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything but the empty string
/// (https://no-color.org).
pub fn wants_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|value| value.is_empty())
}

/// What this run may do with the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub color: bool,
    pub color_stderr: bool,
    pub progress: bool,
}

impl Output {
    pub fn detect(json: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR");
        Self {
            json,
            color: wants_color(std::io::stdout().is_terminal(), no_color.as_deref()),
            color_stderr: wants_color(std::io::stderr().is_terminal(), no_color.as_deref()),
            progress: std::io::stderr().is_terminal(),
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    /// Prints a block of text on stdout.
    pub fn print(&self, text: &str) {
        line(text);
    }

    /// A table, header in bold on a colour terminal; `empty` when there are no rows.
    pub fn table(&self, columns: &[Column], rows: &[Value], empty: &str) {
        if rows.is_empty() {
            line(empty);
            return;
        }
        let text = render_table(columns, rows);
        let mut lines = text.lines();
        if let Some(header) = lines.next() {
            line(&self.paint(BOLD, header));
        }
        for row in lines {
            line(row);
        }
    }

    pub fn record(&self, fields: &[Column], record: &Value) {
        line(&render_record(fields, record));
    }

    /// A one-line confirmation of what a write did.
    pub fn done(&self, message: &str) {
        line(&self.paint(GREEN, message));
    }

    /// A secret shown the one time the server returns it.
    pub fn secret(&self, label: &str, secret: &str) {
        line("");
        line(&self.paint(
            YELLOW_BOLD,
            &format!("{label} (shown only once; store it now, it cannot be shown again):"),
        ));
        line(&format!("  {secret}"));
    }

    /// A data member exactly as the server sent it.
    pub fn raw_json(&self, raw: &str) {
        line(raw);
    }

    /// Our own JSON (for commands whose answer is not the server's, like `config show`).
    pub fn json_value(&self, value: &Value) {
        line(&serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
    }

    /// The error line on stderr.
    pub fn error(&self, message: &str) {
        let label = if self.color_stderr {
            format!("{RED_BOLD}error:{RESET}")
        } else {
            "error:".to_owned()
        };
        eprintln!("{label} {message}");
    }
}

/// Asks before a destructive action; `--yes` skips it, and without a terminal to ask on the
/// command refuses rather than guessing.
pub fn confirm(question: &str, yes: bool) -> CliResult<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "{question}: refusing without --yes because stdin is not a terminal"
        )));
    }
    eprint!("{question}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Aborted)
    }
}

/// A progress line on stderr while a request runs; it appears only after a short delay, so
/// quick answers leave no trace, and it erases itself when dropped.
#[derive(Debug)]
pub struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    pub fn start(label: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut drawn = false;
            let mut tick = 0usize;
            loop {
                // Parked rather than slept, so dropping the spinner wakes it at once.
                std::thread::park_timeout(Duration::from_millis(100));
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                tick += 1;
                if tick < 3 {
                    continue;
                }
                let frame = FRAMES[tick % FRAMES.len()];
                eprint!("\r{frame} {label}");
                let _ = std::io::stderr().flush();
                drawn = true;
            }
            if drawn {
                eprint!("\r\x1b[2K");
                let _ = std::io::stderr().flush();
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_well() {
        assert_eq!(readable_number(12450.0), "12,450");
        assert_eq!(readable_number(1234567.891), "1,234,567.89");
        assert_eq!(readable_number(2.5), "2.5");
        assert_eq!(readable_number(0.0), "0");
        assert_eq!(readable_number(-1500.0), "-1,500");
        assert_eq!(readable(&json!(245678.45), Kind::Millis), "4m 06s");
        assert_eq!(readable(&json!(0.081), Kind::Fraction), "8.1%");
        assert_eq!(readable(&json!(1.15), Kind::Percent), "1.15%");
        assert_eq!(readable(&json!(null), Kind::Number), "-");
        assert_eq!(readable(&json!(["a", "b"]), Kind::Text), "a, b");
        assert_eq!(readable(&json!(true), Kind::Bool), "yes");
        assert_eq!(
            readable(&json!("2026-05-21T10:11:12.000Z"), Kind::Date),
            "2026-05-21 10:11 UTC"
        );
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        use std::ffi::OsStr;
        assert!(wants_color(true, None));
        assert!(wants_color(true, Some(OsStr::new(""))));
        assert!(!wants_color(true, Some(OsStr::new("1"))));
        assert!(!wants_color(false, None));
        let plain = Output {
            json: false,
            color: false,
            color_stderr: false,
            progress: false,
        };
        assert_eq!(plain.paint(BOLD, "x"), "x");
        let coloured = Output {
            color: true,
            ..plain
        };
        assert_eq!(coloured.paint(BOLD, "x"), "\x1b[1mx\x1b[0m");
    }

    #[test]
    fn tables_align_and_right_align_numbers() {
        let rows = vec![
            json!({"path": "/", "visitors": 8920}),
            json!({"path": "/pricing", "visitors": 12}),
        ];
        let text = render_table(
            &[
                col("Page", "path", Kind::Text),
                col("Visitors", "visitors", Kind::Number),
            ],
            &rows,
        );
        assert_eq!(
            text,
            "PAGE      VISITORS\n/            8,920\n/pricing        12"
        );
    }
}
