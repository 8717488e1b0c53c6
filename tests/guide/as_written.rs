//! The guide's code blocks, exactly as written, compiled and run: the files in
//! `crates/patterns/src/as_written/` are the guide's blocks, and every block without a defect in
//! its output prints what the corrected program prints (on a current-thread runtime in paused
//! time).
use crate::common;

use channel_patterns::conformance::Verdict;
use channel_patterns::guide;
use common::{block_file, pattern, run_as_written};
use pretty_assertions::assert_eq;

/// Each `crates/patterns/src/as_written/*.rs`, with its documented edits undone, is a code block of
/// the guide, character for character; above the block there is nothing but comments and the loom
/// import.
#[test]
fn every_as_written_file_is_a_block_of_the_guide() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/patterns/src/as_written");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "mod.rs") {
            continue;
        }
        let block = block_file(&path);
        assert!(
            guide::TEXT.contains(&format!("```rust\n{block}```")),
            "{} differs from every code block of the guide",
            path.display()
        );
        checked += 1;
    }
    // Eighteen blocks: the bounded/unbounded fragment has no program, spawn_with_result does
    // not compile (tests/compile_fail), the other sixteen are here.
    assert_eq!(checked, 16);
}

macro_rules! prints_like_the_corrected_program {
    ($($test:ident: $name:literal;)*) => {$(
        /// The guide's code as written returns, having printed what the corrected program
        /// prints: its defects do not show in its output on this runtime.
        #[test]
        fn $test() {
            let run = run_as_written($name);
            assert_eq!(run.lines, pattern($name).expected);
            assert!(
                matches!(run.verdict, Verdict::Finished | Verdict::LeftRunning { .. }),
                "{}",
                run.verdict
            );
        }
    )*};
}

prints_like_the_corrected_program! {
    mpsc_basic: "mpsc-basic";
    mpsc_multi_producer: "mpsc-multi-producer";
    mpsc_backpressure: "mpsc-backpressure";
    mpsc_shutdown: "mpsc-shutdown";
    oneshot_request_response: "oneshot-request-response";
    oneshot_dropped_sender: "oneshot-dropped-sender";
    broadcast_basic: "broadcast-basic";
    broadcast_events: "broadcast-events";
    watch_basic: "watch-basic";
    watch_multi_receiver: "watch-multi-receiver";
    watch_changed: "watch-changed";
    select_shutdown: "select-shutdown";
    state_machine: "state-machine";
}
