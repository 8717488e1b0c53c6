//! The two Output blocks the guide shows, the same in the corrected guide, reproduced line for
//! line on a current-thread runtime in paused time: by the corrected program and by the
//! guide's code as written. (That each is one of the outputs the program can print on any
//! schedule is loom's to show: `tests/loom_models/loom_guide.rs`.)
use crate::common;

use channel_patterns::catalog;
use channel_patterns::conformance::Verdict;
use channel_patterns::guide::{self, Documented};
use common::{pattern, run_as_written, run_corrected};
use pretty_assertions::assert_eq;

/// The corrected guide's Output block for the pattern `name`.
fn documented(name: &str) -> Documented {
    let p = pattern(name);
    guide::documented_output(guide::CORRECTED, p.chapter, p.heading).unwrap()
}

/// The parser reads the guide's backpressure block as these seven lines and "...", with the
/// annotation "<- blocks here until consumer reads" removed.
#[test]
fn backpressure_block_as_read_from_the_guide() {
    let doc = documented("mpsc-backpressure");
    assert_eq!(
        doc.lines,
        [
            "Sending 0",
            "Sent 0",
            "Sending 1",
            "Sent 1",
            "Sending 2",
            "Processing 0",
            "Sent 2"
        ]
    );
    assert!(doc.continues);
}

#[test]
fn lagging_block_as_read_from_the_guide() {
    let doc = documented("broadcast-lagging");
    assert_eq!(
        doc.lines,
        ["Missed 3 messages", "Received: 3", "Received: 4"]
    );
    assert!(!doc.continues);
}

/// Only these two examples have an Output block, in both guides, and the corrected guide
/// shows the original's unchanged; the others are checked against what their `println!`s print
/// (tests/guide/patterns.rs).
#[test]
fn only_backpressure_and_lagging_document_an_output_and_the_corrected_guide_keeps_both() {
    for text in [guide::TEXT, guide::CORRECTED] {
        let with_output: Vec<_> = catalog::PATTERNS
            .iter()
            .filter(|p| guide::documented_output(text, p.chapter, p.heading).is_some())
            .map(|p| p.name)
            .collect();
        assert_eq!(with_output, ["mpsc-backpressure", "broadcast-lagging"]);
    }
    for p in catalog::PATTERNS {
        assert_eq!(
            guide::documented_output(guide::TEXT, p.chapter, p.heading),
            guide::documented_output(guide::CORRECTED, p.chapter, p.heading),
            "{}",
            p.name
        );
    }
}

fn run_pattern(name: &str) -> Vec<String> {
    let run = run_corrected(name);
    assert_eq!(run.verdict, Verdict::Finished);
    run.lines
}

#[test]
fn backpressure_pattern_starts_with_the_documented_lines() {
    let lines = run_pattern("mpsc-backpressure");
    assert_eq!(lines[..7], documented("mpsc-backpressure").lines[..]);
    assert_eq!(
        lines.len(),
        30,
        "the guide's \"...\" stands for 23 more lines"
    );
}

#[test]
fn lagging_pattern_prints_exactly_the_documented_lines() {
    assert_eq!(
        run_pattern("broadcast-lagging"),
        documented("broadcast-lagging").lines
    );
}

/// The guide's own backpressure code, on a current-thread runtime, prints the block too.
#[test]
fn backpressure_as_written_starts_with_the_documented_lines() {
    let run = run_as_written("mpsc-backpressure");
    let lines = run.lines;
    assert_eq!(run.verdict, Verdict::Finished);
    assert!(
        documented("mpsc-backpressure").matches(&lines),
        "{lines:#?}"
    );
}

/// The same run gives the same lines every time (paused time, current-thread runtime).
#[test]
fn backpressure_pattern_is_the_same_on_every_run() {
    let first = run_pattern("mpsc-backpressure");
    for _ in 0..20 {
        assert_eq!(run_pattern("mpsc-backpressure"), first);
    }
}

/// Every pattern of the catalog is under the guide section it names, in both guides.
#[test]
fn every_catalog_section_exists_in_the_guide() {
    for p in catalog::PATTERNS {
        assert!(
            guide::section(guide::TEXT, p.chapter, p.heading).is_some()
                && guide::section(guide::CORRECTED, p.chapter, p.heading).is_some(),
            "{}: no section '{}' under '{}'",
            p.name,
            p.heading,
            p.chapter
        );
    }
}

/// The names are the binary's interface, exactly as issue #2 lists them.
#[test]
fn catalog_names_are_the_published_interface() {
    let names: Vec<_> = catalog::names().collect();
    assert_eq!(
        names,
        [
            "mpsc-basic",
            "mpsc-multi-producer",
            "mpsc-backpressure",
            "mpsc-shutdown",
            "oneshot-request-response",
            "oneshot-dropped-sender",
            "oneshot-spawn-with-result",
            "broadcast-basic",
            "broadcast-lagging",
            "broadcast-events",
            "watch-basic",
            "watch-multi-receiver",
            "watch-changed",
            "watch-idle-timeout",
            "select-shutdown",
            "app-shutdown",
            "state-machine",
        ]
    );
}
