//! Loom over the oneshot patterns' own code (`channel_patterns::oneshot`, and the guide's code
//! in `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of their
//! tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

mod loom_support;

use channel_patterns::{as_written, oneshot};
use loom_support::{guide_prints_on_every_schedule, prints_on_every_schedule};

/// The reply arrives exactly once, whichever task runs first.
#[test]
fn oneshot_request_response_the_reply_arrives() {
    prints_on_every_schedule(
        "oneshot-request-response",
        oneshot::request_response,
        oneshot::REQUEST_RESPONSE,
    );
    guide_prints_on_every_schedule(
        "oneshot-request-response, the guide's code",
        as_written::oneshot_request_response::main,
        oneshot::REQUEST_RESPONSE,
    );
}

/// A sender dropped without sending is always observed as such: the receiver never waits for
/// ever, whether the drop comes before or after it starts waiting.
#[test]
fn oneshot_dropped_sender_is_always_observed() {
    prints_on_every_schedule(
        "oneshot-dropped-sender",
        oneshot::dropped_sender,
        oneshot::DROPPED_SENDER,
    );
    guide_prints_on_every_schedule(
        "oneshot-dropped-sender, the guide's code",
        as_written::oneshot_dropped_sender::main,
        oneshot::DROPPED_SENDER,
    );
}

/// The corrected `spawn_with_result` spawns at the call and its receiver gets the task's
/// output on every schedule. (The guide's own version does not compile: E01, trybuild.)
#[test]
fn oneshot_spawn_with_result_delivers_the_output() {
    prints_on_every_schedule(
        "oneshot-spawn-with-result",
        oneshot::spawn_with_result_pattern,
        oneshot::SPAWN_WITH_RESULT,
    );
}
