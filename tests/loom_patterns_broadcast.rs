//! Loom over the broadcast patterns' own code (`channel_patterns::broadcast`, and the guide's
//! code in `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of
//! their tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

mod loom_support;

use channel_patterns::{as_written, broadcast};
use loom_support::{
    explore, guide_prints_on_every_schedule, interleaving, prints_on_every_schedule, rejected,
    run_as_written, run_pattern,
};
use pretty_assertions::assert_eq;

/// Two receivers subscribed before the send both get the message.
#[test]
fn broadcast_basic_every_early_subscriber_gets_the_message() {
    prints_on_every_schedule("broadcast-basic", broadcast::basic, broadcast::BASIC);
    guide_prints_on_every_schedule(
        "broadcast-basic, the guide's code",
        as_written::broadcast_basic::main,
        broadcast::BASIC,
    );
}

/// The lag count is exact (3 of 5 through 2 slots) and the loop ends once the sender is gone.
/// The guide's loop keeps its sender and never ends (E02): its run is stuck, with the receiver
/// waiting, reported by an assertion instead of loom's abort.
#[test]
fn broadcast_lagging_counts_the_lag_exactly_and_ends() {
    prints_on_every_schedule("broadcast-lagging", broadcast::lagging, broadcast::LAGGING);
    let message = rejected("E02: the guide's lagging loop", || {
        let (lines, ran) = run_as_written(as_written::broadcast_lagging::main);
        assert_eq!(lines, broadcast::LAGGING, "{}", interleaving(&lines, &ran));
        ran.finished();
    });
    assert!(
        message.contains("stuck") && message.contains("broadcast::Receiver::recv"),
        "{message}"
    );
}

/// Every subscriber sees every event, in order, before the pattern returns, and no subscriber
/// task is left running. The two subscribers' lines interleave as the schedule goes, so each
/// one's own sequence is what is asserted.
fn every_subscriber_sees_every_event(lines: &[String]) {
    let by = |prefix: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with(prefix))
            .cloned()
            .collect()
    };
    let expected_by = |prefix: &str| -> Vec<String> {
        broadcast::EVENTS
            .iter()
            .filter(|l| l.starts_with(prefix))
            .map(|l| l.to_string())
            .collect()
    };
    assert_eq!(
        by("[LOG]"),
        expected_by("[LOG]"),
        "the logger missed events"
    );
    assert_eq!(
        by("[ANALYTICS]"),
        expected_by("[ANALYTICS]"),
        "the analytics missed events"
    );
}

/// E06: the guide's events example is correct only thanks to its sleep. Under loom a sleep
/// only gives way, and a schedule where `main` returns first is found.
#[test]
fn broadcast_events_every_subscriber_sees_every_event() {
    explore("broadcast-events", || {
        let (lines, ran) = run_pattern(broadcast::events);
        ran.finished().unwrap();
        every_subscriber_sees_every_event(&lines);
    });
    let message = rejected("E06: the guide's events, synchronised by a sleep", || {
        let (lines, ran) = run_as_written(as_written::broadcast_events::main);
        let why = interleaving(&lines, &ran);
        assert!(
            ran.left_running.is_empty(),
            "main returned with subscribers still running: {:?}{why}",
            ran.left_running
        );
        every_subscriber_sees_every_event(&lines);
    });
    assert!(message.contains("still running"), "{message}");
}
