//! The guide itself, as written and corrected, and the outputs it documents.
//!
//! The report compares each program with the corrected guide's Output blocks, read from its
//! text at build time, so a changed guide cannot silently disagree with what is checked.

/// `guide/tokio-channels.md`, the guide this crate verifies (a copy of the shared original).
pub const TEXT: &str = include_str!("../guide/tokio-channels.md");

/// `guide/tokio-channels.corrected.md`: the guide with every erratum corrected, whose code
/// blocks are the programs of [`patterns::corrected`] (`tests/guide/corrected_guide.rs` checks both
/// this and that it differs from [`TEXT`] only where an erratum requires).
pub const CORRECTED: &str = include_str!("../guide/tokio-channels.corrected.md");

/// An Output block of the guide, as lines a program prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Documented {
    /// The printed lines, with the guide's `<- ...` annotations removed.
    pub lines: Vec<String>,
    /// The block ends in `...`: the program prints more than is shown.
    pub continues: bool,
}

impl Documented {
    /// Whether a whole transcript is what this block shows: equal, or starting with it when the
    /// block continues with `...`.
    pub fn matches(&self, transcript: &[String]) -> bool {
        if self.continues {
            transcript.starts_with(&self.lines)
        } else {
            transcript == self.lines.as_slice()
        }
    }
}

/// The Output block of the example under `## chapter` / `### heading` of `guide` (one of
/// [`TEXT`] and [`CORRECTED`]), if it has one: the first unlabelled fenced block after a line
/// starting with "Output" in that section.
pub fn documented_output(guide: &'static str, chapter: &str, heading: &str) -> Option<Documented> {
    let body = section(guide, chapter, heading)?;
    let mut lines = body.lines().skip_while(|l| !l.starts_with("Output"));
    lines.find(|l| l.trim_end() == "```")?;
    let mut printed: Vec<String> = lines
        .take_while(|l| !l.starts_with("```"))
        .map(strip_annotation)
        .collect();
    let continues = printed.last().is_some_and(|l| l == "...");
    if continues {
        printed.pop();
    }
    Some(Documented {
        lines: printed,
        continues,
    })
}

/// The text under `### heading` within `## chapter` of `guide`, up to the next heading of level
/// 2 or 3. (Two chapters each have a "Basic Example", hence the chapter.)
pub fn section(guide: &'static str, chapter: &str, heading: &str) -> Option<&'static str> {
    let chapter_text = after_heading(guide, &format!("\n## {chapter}\n"))?;
    let chapter_text = until_heading(chapter_text, &["\n## "]);
    let body = after_heading(chapter_text, &format!("\n### {heading}\n"))?;
    Some(until_heading(body, &["\n## ", "\n### "]))
}

fn after_heading<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    text.find(marker).map(|at| &text[at + marker.len()..])
}

fn until_heading<'a>(text: &'a str, markers: &[&str]) -> &'a str {
    let end = markers
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    &text[..end]
}

/// `Sending 2       <- blocks here until consumer reads` is the line `Sending 2`.
fn strip_annotation(line: &str) -> String {
    match line.find("<-") {
        Some(at) => line[..at].trim_end().to_string(),
        None => line.trim_end().to_string(),
    }
}
