//! ERRATA.md and the code agree: the file has the shape `errata` reads (a table row and a
//! section for each erratum, nothing unpaired), every erratum a pattern cites has an entry,
//! every entry names a command that runs tests, and every entry is cited by a pattern or by a
//! test.

use channel_patterns::{catalog, errata};
use pretty_assertions::assert_eq;

fn entry_ids() -> Vec<String> {
    errata::all().iter().map(|e| e.id.to_string()).collect()
}

/// Every `## Exx.` section and every `| Exx |` table row is read, paired with the other: an
/// erratum missing from either would be missing from `channel-patterns errata`.
#[test]
fn every_section_and_every_table_row_is_read() {
    let sections: Vec<&str> = errata::TEXT
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|h| h.split_once(". ").map_or(h, |(id, _)| id))
        .collect();
    let rows: Vec<&str> = errata::TEXT
        .lines()
        .filter_map(|l| l.strip_prefix("| E"))
        .map(|rest| &rest[..2])
        .collect();
    assert_eq!(sections, entry_ids());
    assert_eq!(
        rows.iter().map(|n| format!("E{n}")).collect::<Vec<_>>(),
        entry_ids()
    );
    for erratum in errata::all() {
        assert!(!erratum.summary.is_empty() && !erratum.title.is_empty());
        assert!(erratum.body.starts_with("**Claim.**"), "{}", erratum.id);
        assert!(erratum.evidence().is_some(), "{}", erratum.id);
    }
    assert_eq!(errata::find("e02").map(|e| e.id), Some("E02"));
    assert_eq!(errata::find("E29"), None);
}

#[test]
fn errata_are_numbered_e01_to_e28_in_order() {
    let expected: Vec<String> = (1..=28).map(|n| format!("E{n:02}")).collect();
    assert_eq!(entry_ids(), expected);
}

#[test]
fn every_erratum_a_pattern_cites_has_an_entry() {
    let ids = entry_ids();
    for pattern in catalog::PATTERNS {
        for erratum in pattern.errata {
            assert!(
                ids.iter().any(|id| id == erratum),
                "{}: {erratum}",
                pattern.name
            );
        }
    }
}

/// Each entry gives its evidence as a command.
#[test]
fn every_entry_has_an_evidence_command() {
    for erratum in errata::all() {
        let id = erratum.id;
        let evidence = erratum.evidence().unwrap_or_default();
        assert!(
            evidence.starts_with("cargo ") || evidence.starts_with("bash ci/"),
            "{id} has no evidence command: {evidence:?}"
        );
        assert!(erratum.body.contains("**Fix.**"), "{id} has no fix");
    }
}

/// Each entry's evidence exists: a pattern in the catalog cites it, or a test file names it
/// (`E07`, or within a pair such as `e06_e07`).
#[test]
fn every_entry_is_cited_by_a_pattern_or_a_test() {
    let tests_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut tests = String::new();
    for entry in std::fs::read_dir(tests_dir).expect("the tests directory") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            tests += &std::fs::read_to_string(&path).unwrap().to_ascii_uppercase();
        }
    }
    for id in entry_ids() {
        let cited_by_pattern = catalog::PATTERNS
            .iter()
            .any(|p| p.errata.contains(&id.as_str()));
        assert!(
            cited_by_pattern || tests.contains(&id),
            "{id} is cited by no pattern and no test"
        );
    }
}
