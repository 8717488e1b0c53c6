//! Loom over the watch patterns' own code (`channel_patterns::watch`, and the guide's code in
//! `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of their
//! tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
//!
//! watch-idle-timeout is not here: its I/O is tokio's, which loom cannot see; its coordination
//! is `idle::ActivityClock`, which `tests/loom_idle.rs` explores.
#![cfg(channel_patterns_loom)]

mod loom_support;

use channel_patterns::{as_written, watch};
use loom_support::{
    explore, guide_prints_on_every_schedule, prints_on_every_schedule, run_as_written, run_pattern,
};
use pretty_assertions::assert_eq;

#[test]
fn watch_basic_a_read_sees_the_latest_send() {
    prints_on_every_schedule("watch-basic", watch::basic, watch::BASIC);
    guide_prints_on_every_schedule(
        "watch-basic, the guide's code",
        as_written::watch_basic::main,
        watch::BASIC,
    );
}

#[test]
fn watch_multi_receiver_every_receiver_sees_the_same_value() {
    prints_on_every_schedule(
        "watch-multi-receiver",
        watch::multi_receiver,
        watch::MULTI_RECEIVER,
    );
    guide_prints_on_every_schedule(
        "watch-multi-receiver, the guide's code",
        as_written::watch_multi_receiver::main,
        watch::MULTI_RECEIVER,
    );
}

/// A `changed()` reader never goes back and always ends on the last value sent. Which values
/// between it sees depends on the schedule (watch keeps only the latest: on a schedule where
/// the updater sends twice before the reader wakes, the reader skips one), so the invariant is
/// an increasing run of 1, 2, 3 that ends with 3, not the report's three lines.
#[test]
fn watch_changed_a_reader_never_goes_back() {
    explore("watch-changed", || {
        let (lines, ran) = run_pattern(watch::changed);
        ran.finished().unwrap();
        let seen: Vec<i32> = lines
            .iter()
            .map(|l| {
                l.trim_start_matches("Value changed to: ")
                    .parse()
                    .unwrap_or_else(|_| panic!("unexpected line {l:?}"))
            })
            .collect();
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "the reader went back: {seen:?}"
        );
        assert_eq!(seen.last(), Some(&3), "the reader missed the last value");
    });
    explore("watch-changed, the guide's code", || {
        let (lines, ran) = run_as_written(as_written::watch_changed::main);
        ran.finished();
        assert_eq!(
            lines.last().map(String::as_str),
            Some("Value changed to: 3")
        );
    });
}
