//! Loom over the oneshot patterns' own code (`channel_patterns::oneshot`, and the guide's code
//! in `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of their
//! tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

mod loom_support;

use channel_patterns::{as_written, oneshot};
use loom_support::{explore, run_as_written, run_pattern};
use pretty_assertions::assert_eq;

/// The reply arrives exactly once, whichever task runs first.
#[test]
fn oneshot_request_response_the_reply_arrives() {
    explore("oneshot-request-response", || {
        let (lines, ran) = run_pattern(oneshot::request_response);
        ran.finished().unwrap();
        assert_eq!(lines, oneshot::REQUEST_RESPONSE);
    });
    explore("oneshot-request-response, the guide's code", || {
        let (lines, ran) = run_as_written(as_written::oneshot_request_response::main);
        ran.finished();
        assert_eq!(lines, oneshot::REQUEST_RESPONSE);
    });
}

/// A sender dropped without sending is always observed as such: the receiver never waits for
/// ever, whether the drop comes before or after it starts waiting.
#[test]
fn oneshot_dropped_sender_is_always_observed() {
    explore("oneshot-dropped-sender", || {
        let (lines, ran) = run_pattern(oneshot::dropped_sender);
        ran.finished().unwrap();
        assert_eq!(lines, oneshot::DROPPED_SENDER);
    });
    explore("oneshot-dropped-sender, the guide's code", || {
        let (lines, ran) = run_as_written(as_written::oneshot_dropped_sender::main);
        ran.finished();
        assert_eq!(lines, oneshot::DROPPED_SENDER);
    });
}

/// The corrected `spawn_with_result` spawns at the call and its receiver gets the task's
/// output on every schedule. (The guide's own version does not compile: E01, trybuild.)
#[test]
fn oneshot_spawn_with_result_delivers_the_output() {
    explore("oneshot-spawn-with-result", || {
        let (lines, ran) = run_pattern(oneshot::spawn_with_result_pattern);
        ran.finished().unwrap();
        assert_eq!(lines, oneshot::SPAWN_WITH_RESULT);
    });
}
