//! The report: every corrected program run in paused time ([`run_corrected`]) and judged
//! against what it must print ([`judge`]), as a table for people or as JSON for CI.

use std::fmt::Write as _;

use serde::Serialize;

use super::run::{Run, Verdict, plural, run_corrected};
use crate::catalog::{self, Pattern};
use patterns::Transcript;

use crate::guide;

/// One pattern's line of the report; with `--format json`, one object of the array, whose
/// fields (and their names) are the schema the README documents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The pattern's name, as `channel-patterns run NAME` takes it.
    pub name: &'static str,
    /// The guide section, `chapter > heading`, e.g. `broadcast > Lagging Receivers`.
    pub section: String,
    /// Whether the pattern printed exactly what it must and left nothing running.
    pub matched: bool,
    /// The verdict in words: how it matched, or what differed.
    pub verdict: String,
    /// How many lines it printed.
    pub lines: usize,
    /// Tokio time that passed while it ran (paused time, so not waited for), in seconds.
    pub simulated_secs: f64,
    /// The errata of `ERRATA.md` about this example.
    pub errata: &'static [&'static str],
}

/// Runs every pattern of the catalog, in the guide's order.
pub fn rows() -> Vec<Row> {
    catalog::PATTERNS.iter().map(row).collect()
}

/// Runs `pattern` and judges it.
fn row(pattern: &'static Pattern) -> Row {
    let (verdict, lines, simulated_secs) = match run_corrected(pattern, Transcript::new()) {
        Ok(run) => (
            judge(pattern, &run),
            run.lines.len(),
            run.simulated.as_secs_f64(),
        ),
        Err(e) => (Err(format!("no runtime: {e}")), 0, 0.0),
    };
    Row {
        name: pattern.name,
        section: section(pattern),
        matched: verdict.is_ok(),
        verdict: verdict.unwrap_or_else(|why| format!("MISMATCH: {why}")),
        lines,
        simulated_secs,
        errata: pattern.errata,
    }
}

/// The report's verdict on a run of `pattern`'s corrected program: `Ok(description)` when it
/// finished cleanly (returned, no task left running), printed exactly the expected transcript,
/// and agrees with the corrected guide's Output block where there is one; otherwise `Err`
/// saying which of these failed first.
///
/// # Errors
/// The first check the run fails, as the report prints it.
pub fn judge(pattern: &Pattern, run: &Run) -> Result<String, String> {
    if run.verdict != Verdict::Finished {
        let verdict = run.verdict.to_string();
        return Err(verdict.trim_start_matches("verdict: ").to_string());
    }
    if run.lines != pattern.expected {
        return Err(format!(
            "{}, expected {}",
            plural(run.lines.len(), "line"),
            pattern.expected.len()
        ));
    }
    match guide::documented_output(guide::CORRECTED, pattern.chapter, pattern.heading) {
        None => Ok(format!(
            "ok, {} as expected",
            plural(run.lines.len(), "line")
        )),
        Some(doc) if doc.matches(&run.lines) => Ok(format!(
            "ok, {} guide's Output block",
            if doc.continues {
                "starts with the"
            } else {
                "is the"
            }
        )),
        Some(_) => Err("differs from the guide's Output block".to_string()),
    }
}

/// "mpsc > Backpressure and Buffer Management": the chapter's first word and the heading.
fn section(pattern: &Pattern) -> String {
    let chapter = pattern
        .chapter
        .split(" - ")
        .next()
        .unwrap_or(pattern.chapter);
    format!("{chapter} > {}", pattern.heading.replace('`', ""))
}

/// The report as a table: a title, one line per row with every column as wide as its widest
/// cell, and a closing count. Ends with a newline.
pub fn text(rows: &[Row]) -> String {
    let header = ["PATTERN", "GUIDE SECTION", "OUTPUT", "TIME", "ERRATA"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.name.to_string(),
                row.section.clone(),
                row.verdict.clone(),
                format!("{:.3}s", row.simulated_secs),
                if row.errata.is_empty() {
                    "-".to_string()
                } else {
                    row.errata.join(" ")
                },
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for line in &cells {
        for (w, cell) in width.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let patterns = plural(rows.len(), "pattern");
    let _ = writeln!(
        out,
        "channel-patterns: the {patterns} of guide/tokio-channels.corrected.md, each on a \
         current-thread runtime in paused time\n"
    );
    let header = header.map(str::to_string);
    for line in std::iter::once(&header).chain(&cells) {
        // Left-aligned, but the time right-aligned; the last column is not padded.
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
            line[0],
            line[1],
            line[2],
            line[3],
            line[4],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3],
        );
    }
    let matched = rows.iter().filter(|r| r.matched).count();
    let _ = writeln!(
        out,
        "\n{matched} of {patterns} {} as the guide says; each erratum is described in ERRATA.md \
         and by `channel-patterns errata ID`",
        if matched == 1 { "prints" } else { "print" }
    );
    out
}

/// The report as JSON: an array with one [`Row`] object per pattern, one per line. Ends with
/// a newline.
pub fn json(rows: &[Row]) -> String {
    let objects: Vec<String> = rows
        .iter()
        .map(|row| serde_json::to_string(row).unwrap_or_default())
        .collect();
    format!("[\n  {}\n]\n", objects.join(",\n  "))
}
