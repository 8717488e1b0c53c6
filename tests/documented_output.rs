//! The two Output blocks the guide shows, reproduced line for line: by the corrected pattern,
//! by the guide's code as written, and by the binary's `run` command.
mod common;

use channel_patterns::as_written::run::Verdict;
use channel_patterns::catalog;
use channel_patterns::guide::{self, Documented};
use channel_patterns::runner;
use channel_patterns::{Transcript, as_written};
use common::run_as_written;
use pretty_assertions::assert_eq;

fn documented(name: &str) -> Documented {
    catalog::find(name).unwrap().documented().unwrap()
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

/// Only these two examples have an Output block; the others are checked against what their
/// `println!`s print (tests/as_written.rs).
#[test]
fn only_backpressure_and_lagging_document_an_output() {
    let with_output: Vec<_> = catalog::PATTERNS
        .iter()
        .filter(|p| p.documented().is_some())
        .map(|p| p.name)
        .collect();
    assert_eq!(with_output, ["mpsc-backpressure", "broadcast-lagging"]);
}

fn run_pattern(name: &str) -> Vec<String> {
    let run = runner::run(catalog::find(name).unwrap(), Transcript::new()).unwrap();
    run.result.unwrap();
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
    let run = run_as_written(as_written::mpsc_backpressure::main);
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

/// Every pattern of the catalog is under the guide section it names.
#[test]
fn every_catalog_section_exists_in_the_guide() {
    for p in catalog::PATTERNS {
        assert!(
            guide::section(p.chapter, p.heading).is_some(),
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
