//! The guide's code blocks, exactly as written, compiled and run: the files in
//! `src/as_written/` are the guide's blocks, and every block without a defect in its output
//! prints what the corrected pattern prints (on a current-thread runtime in paused time).
mod common;

use channel_patterns::as_written::run::Verdict;
use channel_patterns::{advanced, as_written, broadcast, guide, mpsc, oneshot, watch};
use common::run_as_written;
use pretty_assertions::assert_eq;

/// Each `src/as_written/*.rs`, with its documented edits undone, is a code block of the guide,
/// character for character; above the block there is nothing but comments and the loom import.
#[test]
fn every_as_written_file_is_a_block_of_the_guide() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/as_written");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // Ours, not the guide's: the module itself, the as-written runner and its drivers.
        let ours = ["mod.rs", "run.rs", "driver.rs"];
        if ours
            .iter()
            .any(|file| path.file_name().is_some_and(|n| n == *file))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (header, code) = text
            .split_once("// BEGIN GUIDE\n")
            .unwrap_or_else(|| panic!("{} has no BEGIN GUIDE marker", path.display()));
        // Above the marker: comments, and the one documented edit for loom (not in
        // watch_idle_timeout, whose I/O loom cannot see).
        let loom_edit = "#[cfg(channel_patterns_loom)]\nuse crate::rt as tokio;\n";
        let is_idle_timeout = path.ends_with("watch_idle_timeout.rs");
        assert_eq!(
            header.contains(loom_edit),
            !is_idle_timeout,
            "{}: the loom import edit is missing or misplaced",
            path.display()
        );
        let rest = header.replace(loom_edit, "");
        assert!(
            rest.lines().all(|l| l.starts_with("// ")),
            "{} has an edit above BEGIN GUIDE other than the documented loom import",
            path.display()
        );
        let original = code
            .replace("pub async fn main()", "#[tokio::main]\nasync fn main()")
            .replace("\npub async fn ", "\nasync fn ");
        let block = format!("```rust\n{original}```");
        assert!(
            guide::TEXT.contains(&block),
            "{} differs from every code block of the guide",
            path.display()
        );
        checked += 1;
    }
    // Eighteen blocks: the bounded/unbounded fragment has no program, spawn_with_result does
    // not compile (tests/compile_fail), the other sixteen are here.
    assert_eq!(checked, 16);
}

macro_rules! prints_like_the_pattern {
    ($($test:ident: $main:path => $expected:expr;)*) => {$(
        /// The guide's code as written returns, having printed the corrected pattern's
        /// transcript.
        #[test]
        fn $test() {
            let run = run_as_written($main);
            assert_eq!(run.lines, $expected);
            assert!(
                matches!(run.verdict, Verdict::Finished | Verdict::LeftRunning { .. }),
                "{}",
                run.verdict
            );
        }
    )*};
}

prints_like_the_pattern! {
    mpsc_basic: as_written::mpsc_basic::main => mpsc::BASIC;
    mpsc_multi_producer: as_written::mpsc_multi_producer::main => mpsc::MULTI_PRODUCER;
    mpsc_backpressure: as_written::mpsc_backpressure::main => mpsc::BACKPRESSURE;
    mpsc_shutdown: as_written::mpsc_shutdown::main => mpsc::SHUTDOWN;
    oneshot_request_response: as_written::oneshot_request_response::main => oneshot::REQUEST_RESPONSE;
    oneshot_dropped_sender: as_written::oneshot_dropped_sender::main => oneshot::DROPPED_SENDER;
    broadcast_basic: as_written::broadcast_basic::main => broadcast::BASIC;
    broadcast_events: as_written::broadcast_events::main => broadcast::EVENTS;
    watch_basic: as_written::watch_basic::main => watch::BASIC;
    watch_multi_receiver: as_written::watch_multi_receiver::main => watch::MULTI_RECEIVER;
    watch_changed: as_written::watch_changed::main => watch::CHANGED;
    select_shutdown: as_written::select_shutdown::main => advanced::select_shutdown::EXPECTED;
    state_machine: as_written::state_machine::main => advanced::state_machine::EXPECTED;
}
