//! The guide's prose and table cells that are wrong, their corrections, and the notes that
//! link each correction to its erratum in `ERRATA.md` (read at build time).

use std::io;

/// `ERRATA.md`, for its headings (the link anchors) and its index (the notes' one line).
const ERRATA: &str = include_str!("../../ERRATA.md");

/// A sentence or list item of the guide's prose, replaced.
#[derive(Debug)]
pub struct Prose {
    /// The guide's text, which must occur exactly once.
    pub wrong: &'static str,
    /// What it says instead.
    pub right: &'static str,
    /// The errata it corrects, noted under it.
    pub errata: &'static [&'static str],
}

/// Every prose correction.
pub const PROSE: &[Prose] = &[
    Prose {
        wrong: "The `broadcast` channel sends each message to **all** receivers. Unlike `mpsc`, \
                every subscriber gets every message.",
        right: "The `broadcast` channel sends each message to **all** receivers subscribed when \
                it is sent. Unlike `mpsc`, every subscriber gets every message sent while it is \
                subscribed, except those it falls so far behind on that they are overwritten \
                (it is then told how many it lagged).",
        errata: &["E05"],
    },
    Prose {
        wrong: "2. **`changed().await`** - Waits until the value changes",
        right: "2. **`changed().await`** - Waits for the next `send`, even one of an equal value \
                (send with `send_if_modified` to notify only on a real change)",
        errata: &["E10"],
    },
    Prose {
        wrong: "Here's how our TCP proxy uses `watch` to monitor connection activity:",
        right: "Here's how our TCP proxy monitors connection activity. The idea is `watch`'s: \
                both copy directions record the latest activity in one shared place, and a \
                monitor looks only at the latest value. The relay below keeps that value in an \
                atomic that only moves forward (`idle::Activity`, from this crate), with a \
                monitor that sleeps until exactly the latest activity plus the timeout \
                (`idle::IdleMonitor`):",
        // Not an erratum: the guide's proxy uses `watch` correctly; the corrected one does not
        // use it, and the sentence must not say it does.
        errata: &[],
    },
    Prose {
        wrong: "- Multiple producers (both copy directions) can share one channel",
        right: "- Multiple producers (both copy directions) can share one latest value, as long \
                as it only moves forward (`fetch_max`; with `watch`, `send_if_modified` that \
                stores a time only if it is later)",
        errata: &["E21"],
    },
    Prose {
        wrong: "- The monitor polls periodically using `borrow()`, never blocking",
        right: "- The monitor sleeps until the deadline, latest activity + timeout on Tokio's \
                clock, and sleeps again if activity moved it: no polling, no lateness",
        errata: &["E14", "E15"],
    },
    Prose {
        wrong: "- Polling-based observers (like our idle timeout)",
        right: "- Observers that read the latest value when they need it",
        errata: &["E14"],
    },
];

/// A table cell of the guide, replaced.
#[derive(Debug)]
pub struct Cell {
    /// The first cell of the table's header row, which finds the table.
    pub table: &'static str,
    /// The first cell of the row.
    pub row: &'static str,
    /// The header of the column.
    pub column: &'static str,
    /// The guide's cell.
    pub wrong: &'static str,
    /// The corrected cell.
    pub right: &'static str,
    /// The erratum it corrects.
    pub erratum: &'static str,
}

/// Every table correction.
pub const CELLS: &[Cell] = &[
    Cell {
        table: "Channel",
        row: "`broadcast`",
        column: "Messages",
        wrong: "Stream (all get all)",
        right: "Stream (each gets what is sent while it is subscribed)",
        erratum: "E05",
    },
    Cell {
        table: "Channel",
        row: "`watch`",
        column: "Producers",
        wrong: "One",
        right: "Many",
        erratum: "E11",
    },
    Cell {
        table: "Feature",
        row: "Multiple senders",
        column: "watch",
        wrong: "❌",
        right: "✅",
        erratum: "E11",
    },
    Cell {
        table: "Feature",
        row: "Receivers share messages",
        column: "broadcast",
        wrong: "No (all get all)",
        right: "No (each gets what is sent while it is subscribed, unless it lags)",
        erratum: "E05",
    },
    Cell {
        table: "Feature",
        row: "Receivers share messages",
        column: "watch",
        wrong: "N/A",
        right: "No (each sees the latest)",
        erratum: "E19",
    },
    Cell {
        table: "Feature",
        row: "Stores all messages",
        column: "broadcast",
        wrong: "✅ (bounded)",
        right: "❌ (latest `capacity`, rounded up to 2^k; older ones overwritten)",
        erratum: "E12",
    },
];

/// The link to erratum `id` from `guide/`: `../ERRATA.md#` and the anchor GitHub gives its
/// heading (lowercase, punctuation but `-` and `_` dropped, spaces as `-`).
///
/// # Errors
/// `InvalidData` when ERRATA.md has no heading for `id`.
pub fn link(id: &str) -> io::Result<String> {
    let prefix = format!("## {id}. ");
    let heading = ERRATA
        .lines()
        .find(|l| l.starts_with(&prefix))
        .ok_or_else(|| invalid(format!("ERRATA.md has no heading `{prefix}…`")))?;
    let anchor: String = heading[3..]
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect();
    Ok(format!("../ERRATA.md#{anchor}"))
}

/// The note that cites erratum `id`: its link, and its kind and one line from ERRATA.md's
/// index, which say what the guide's version did wrong.
///
/// # Errors
/// `InvalidData` when ERRATA.md has no heading or no index row for `id`.
pub fn note(id: &str) -> io::Result<String> {
    let row = ERRATA
        .lines()
        .find(|l| l.starts_with(&format!("| {id} |")))
        .ok_or_else(|| invalid(format!("ERRATA.md's index has no row for {id}")))?;
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let [_, _, _, kind, one_line, ..] = cells.as_slice() else {
        return Err(invalid(format!(
            "ERRATA.md's row for {id} has too few cells"
        )));
    };
    Ok(format!(
        "> Corrected: [{id}]({}) ({kind}): {one_line}.",
        link(id)?
    ))
}

/// The notes for `ids`, as blockquote paragraphs, each preceded by a blank line.
///
/// # Errors
/// As [`note`].
pub fn notes(ids: &[&str]) -> io::Result<String> {
    let mut out = String::new();
    for id in ids {
        out.push('\n');
        out.push_str(&note(id)?);
        out.push('\n');
    }
    Ok(out)
}

/// The guide's text with [`PROSE`] corrected, each correction followed by its notes.
///
/// # Errors
/// `InvalidData` when a wrong text does not occur exactly once.
pub fn correct_prose(text: &str) -> io::Result<String> {
    let mut text = text.to_string();
    for fix in PROSE {
        if text.matches(fix.wrong).count() != 1 {
            return Err(invalid(format!(
                "the guide has not exactly one `{}`",
                fix.wrong
            )));
        }
        // Under a list item, the notes are indented to stay in it.
        let indent = list_marker_len(fix.right);
        let notes: String = notes(fix.errata)?
            .trim_end()
            .lines()
            .map(|l| match l {
                "" => "\n".to_string(),
                l => format!("{}{l}\n", " ".repeat(indent)),
            })
            .collect();
        let noted = if notes.is_empty() {
            fix.right.to_string()
        } else {
            format!("{}\n{}", fix.right, notes.trim_end())
        };
        text = text.replacen(fix.wrong, &noted, 1);
    }
    Ok(text)
}

/// The width of a list item's marker (`- `, `2. `), 0 for a paragraph.
fn list_marker_len(line: &str) -> usize {
    if line.starts_with("- ") {
        return 2;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(". ") {
        digits + 2
    } else {
        0
    }
}

/// The guide's text with [`CELLS`] corrected, the tables re-aligned, and each corrected table
/// followed by the notes of its cells.
///
/// # Errors
/// `InvalidData` when a cell's table, row or column is missing or the cell is not `wrong`.
pub fn correct_tables(text: &str) -> io::Result<String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut tables: Vec<&str> = CELLS.iter().map(|c| c.table).collect();
    tables.dedup();
    for table in tables {
        let start = lines
            .iter()
            .position(|l| cells(l).first().is_some_and(|c| c == table))
            .ok_or_else(|| invalid(format!("no table headed `{table}`")))?;
        let len = lines[start..]
            .iter()
            .take_while(|l| l.starts_with('|'))
            .count();
        let mut rows: Vec<Vec<String>> =
            lines[start..start + len].iter().map(|l| cells(l)).collect();
        let mut errata = Vec::new();
        for cell in CELLS.iter().filter(|c| c.table == table) {
            let column = rows[0]
                .iter()
                .position(|c| c == cell.column)
                .ok_or_else(|| {
                    invalid(format!("table `{table}` has no column `{}`", cell.column))
                })?;
            let row = rows
                .iter_mut()
                .find(|r| r.first().is_some_and(|c| c == cell.row))
                .ok_or_else(|| invalid(format!("table `{table}` has no row `{}`", cell.row)))?;
            if row[column] != cell.wrong {
                return Err(invalid(format!(
                    "table `{table}`, `{}` / `{}` is `{}`, not `{}`",
                    cell.row, cell.column, row[column], cell.wrong
                )));
            }
            row[column] = cell.right.to_string();
            if !errata.contains(&cell.erratum) {
                errata.push(cell.erratum);
            }
        }
        let mut rendered = render_table(&rows);
        rendered.push(String::new());
        rendered.extend(notes(&errata)?.trim_start().lines().map(String::from));
        lines.splice(start..start + len, rendered);
    }
    Ok(lines.join("\n") + "\n")
}

/// The cells of a table row, trimmed.
fn cells(line: &str) -> Vec<String> {
    let Some(inner) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
        return Vec::new();
    };
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// A table with its columns padded to their widest cell (in characters, as the guide does);
/// the second row is the dash separator.
fn render_table(rows: &[Vec<String>]) -> Vec<String> {
    let width = |col: usize| {
        rows.iter()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, r)| r.get(col).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let columns = rows.first().map_or(0, Vec::len);
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let padded: Vec<String> = (0..columns)
                .map(|col| {
                    let w = width(col);
                    if i == 1 {
                        "-".repeat(w)
                    } else {
                        let cell = row.get(col).map_or("", String::as_str);
                        format!("{cell}{}", " ".repeat(w - cell.chars().count()))
                    }
                })
                .collect();
            format!("| {} |", padded.join(" | "))
        })
        .collect()
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
