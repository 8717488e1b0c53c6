//! ERRATA.md and the code agree: every erratum a pattern cites has an entry, every entry names
//! a command that runs tests, and every entry is cited by a pattern or by a test.

use channel_patterns::catalog;

const ERRATA: &str = include_str!("../ERRATA.md");

fn entry_ids() -> Vec<String> {
    ERRATA
        .lines()
        .filter_map(|l| l.strip_prefix("## E"))
        .map(|rest| format!("E{}", &rest[..2]))
        .collect()
}

#[test]
fn errata_are_numbered_e01_to_e21_in_order() {
    let expected: Vec<String> = (1..=21).map(|n| format!("E{n:02}")).collect();
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
    for section in ERRATA.split("\n## E").skip(1) {
        let id = &section[..2];
        assert!(
            section.contains("**Evidence.** `cargo ")
                || section.contains("**Evidence.** `bash ci/"),
            "E{id} has no evidence command"
        );
        assert!(section.contains("**Fix.**"), "E{id} has no fix");
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
