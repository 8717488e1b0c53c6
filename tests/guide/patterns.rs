//! Every program of the corrected guide (`crates/patterns/src/corrected/`), run as the report runs
//! it: on a current-thread runtime in paused time, where its schedule is fixed. Each prints its
//! whole expected transcript, takes exactly the Tokio time its sleeps add up to, and returns with
//! no task left running. (What each can print on other schedules is loom's to enumerate:
//! `tests/loom_models/loom_guide.rs`.)
use crate::common;

use std::time::Duration;

use channel_patterns::conformance::Verdict;
use common::{pattern, run_corrected};
use pretty_assertions::assert_eq;

macro_rules! finishes {
    ($($test:ident: $name:literal in $millis:literal ms;)*) => {$(
        #[test]
        fn $test() {
            let run = run_corrected($name);
            assert_eq!(run.verdict, Verdict::Finished, "{}", run.verdict);
            assert_eq!(run.lines, pattern($name).expected);
            assert_eq!(run.simulated, Duration::from_millis($millis), "Tokio time it took");
        }
    )*
        /// The patterns tested above.
        const TESTED: &[&str] = &[$($name),*];
    };
}

finishes! {
    mpsc_basic: "mpsc-basic" in 0 ms;
    mpsc_multi_producer: "mpsc-multi-producer" in 0 ms;
    // Ten messages, 100 ms each for the consumer.
    mpsc_backpressure: "mpsc-backpressure" in 1000 ms;
    // The signal at 1 s, when the tenth unit of work ends: the worker stops between units.
    mpsc_shutdown: "mpsc-shutdown" in 1000 ms;
    oneshot_request_response: "oneshot-request-response" in 100 ms;
    oneshot_dropped_sender: "oneshot-dropped-sender" in 0 ms;
    oneshot_spawn_with_result: "oneshot-spawn-with-result" in 50 ms;
    broadcast_basic: "broadcast-basic" in 0 ms;
    broadcast_lagging: "broadcast-lagging" in 0 ms;
    // No sleep: the subscribers end when the channel closes.
    broadcast_events: "broadcast-events" in 0 ms;
    watch_basic: "watch-basic" in 0 ms;
    watch_multi_receiver: "watch-multi-receiver" in 0 ms;
    watch_changed: "watch-changed" in 300 ms;
    // The last activity at 1 s and a 5 s timeout: closed at 6 s, exactly.
    watch_idle_timeout: "watch-idle-timeout" in 6000 ms;
    select_shutdown: "select-shutdown" in 50 ms;
    app_shutdown: "app-shutdown" in 200 ms;
    // No sleep: main waits for the manager.
    state_machine: "state-machine" in 0 ms;
}

/// Every program of the catalog is tested above.
#[test]
fn every_pattern_is_tested_here() {
    let names: Vec<&str> = channel_patterns::catalog::names().collect();
    assert_eq!(names, TESTED);
}
