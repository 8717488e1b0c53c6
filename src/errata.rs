//! The guide's errata, read from `ERRATA.md`: the file is their only source.
//!
//! `ERRATA.md` is written for people: a table with one row per erratum (id, where, kind, one
//! line), then one `## Exx. Title` section each (claim, evidence, fix). This module reads both
//! at build time (`include_str!`), so `channel-patterns errata` and the report can never say
//! something the file does not; `tests/guide/errata_index.rs` checks the file has the shape read
//! here.

use std::sync::LazyLock;

use crate::catalog;

/// `ERRATA.md`, as committed.
pub const TEXT: &str = include_str!("../ERRATA.md");

/// One erratum of the guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erratum {
    /// `E02`: what patterns, tests and the command line call it.
    pub id: &'static str,
    /// The table's "where": the guide section it concerns.
    pub place: &'static str,
    /// The table's "kind": does not compile, hangs, wrong claim...
    pub kind: &'static str,
    /// The table's one-line summary.
    pub summary: &'static str,
    /// The section's heading, after the id: `The lagging example never finishes`.
    pub title: &'static str,
    /// The section's text under its heading (claim, evidence, fix), trimmed.
    pub body: &'static str,
}

impl Erratum {
    /// The command that shows the defect: the first code span of the section's
    /// `**Evidence.**` paragraph, e.g. `cargo test --test guide errata::e02`.
    pub fn evidence(&self) -> Option<&'static str> {
        let after = self.body.split_once("**Evidence.** `")?.1;
        after.split_once('`').map(|(command, _)| command)
    }

    /// The patterns of the catalog that cite this erratum, in the guide's order.
    pub fn patterns(&self) -> impl Iterator<Item = &'static catalog::Pattern> + '_ {
        catalog::PATTERNS
            .iter()
            .filter(|p| p.errata.contains(&self.id))
    }
}

static ALL: LazyLock<Vec<Erratum>> = LazyLock::new(|| parse(TEXT));

/// Every erratum, in `ERRATA.md`'s order (E01 first).
pub fn all() -> &'static [Erratum] {
    &ALL
}

/// The erratum called `id`, in any case (`e02` is `E02`).
pub fn find(id: &str) -> Option<&'static Erratum> {
    all().iter().find(|e| e.id.eq_ignore_ascii_case(id))
}

/// The errata of a text shaped like `ERRATA.md`: each table row `| Exx | where | kind | line |`
/// joined with its `## Exx. Title` section. A row without a section (or the reverse) is left
/// out, which `tests/guide/errata_index.rs` turns into a failure.
pub fn parse(text: &'static str) -> Vec<Erratum> {
    let sections: Vec<(&str, &str, &str)> = text
        .split("\n## ")
        .skip(1)
        .filter_map(|section| {
            let (heading, body) = section.split_once('\n').unwrap_or((section, ""));
            let (id, title) = heading.split_once(". ")?;
            Some((id, title, body.trim()))
        })
        .collect();
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .strip_prefix("| ")?
                .strip_suffix(" |")?
                .split(" | ")
                .collect();
            let [id, place, kind, summary] = cells[..] else {
                return None;
            };
            let (_, title, body) = sections.iter().find(|(s, _, _)| *s == id)?;
            Some(Erratum {
                id,
                place,
                kind,
                summary,
                title,
                body,
            })
        })
        .collect()
}
