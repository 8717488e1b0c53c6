//! `channel-patterns run NAME --as-written`, the library half (`conformance`): each kind of
//! verdict on the guide's own code, found by the pattern's name as the binary finds it, with
//! what that code printed; every pattern's verdict; and the verdict line's wording.
use crate::common;

use std::time::Duration;

use channel_patterns::catalog::{self, AsWritten};
use channel_patterns::conformance::{self, BOUND, Verdict};
use common::{pattern, run_as_written as run_as_written_named};
use patterns::Transcript;
use pretty_assertions::assert_eq;

/// E02: the lagging example prints the guide's three lines, then waits for a `Closed` that
/// never comes: still waiting at the bound, and it spawned no task.
#[test]
fn broadcast_lagging_is_still_waiting_at_the_bound() {
    let run = run_as_written_named("broadcast-lagging");
    assert_eq!(
        run.verdict,
        Verdict::StillWaiting {
            after: BOUND,
            tasks: 0
        }
    );
    assert_eq!(
        run.lines,
        ["Missed 3 messages", "Received: 3", "Received: 4"]
    );
    assert_eq!(
        run.verdict.to_string(),
        "verdict: still waiting after 1h of paused time, with no task alive besides main"
    );
}

/// E03: the graceful-shutdown example panics on `state_tx.send(..).unwrap()` before any
/// worker prints; the verdict carries the panic's own message.
#[test]
fn app_shutdown_panics_with_its_message() {
    let run = run_as_written_named("app-shutdown");
    assert_eq!(
        run.verdict,
        Verdict::Panicked {
            message: "called `Result::unwrap()` on an `Err` value: SendError { .. }".into()
        }
    );
    assert_eq!(run.lines, Vec::<String>::new());
}

/// A correct example finishes and leaves nothing running.
#[test]
fn mpsc_basic_finishes() {
    let run = run_as_written_named("mpsc-basic");
    assert_eq!(run.verdict, Verdict::Finished);
    assert_eq!(run.lines, pattern("mpsc-basic").expected);
    assert_eq!(run.verdict.to_string(), "verdict: finished");
}

/// E06: the event example prints everything (thanks to its sleep) and returns with its two
/// subscribers still running.
#[test]
fn broadcast_events_finishes_but_leaves_its_subscribers_running() {
    let run = run_as_written_named("broadcast-events");
    assert_eq!(run.verdict, Verdict::LeftRunning { tasks: 2 });
    assert_eq!(run.lines, pattern("broadcast-events").expected);
    assert_eq!(
        run.verdict.to_string(),
        "verdict: finished, but left 2 tasks running"
    );
}

/// E07: the state machine returns with its manager still running: one task.
#[test]
fn state_machine_finishes_but_leaves_its_manager_running() {
    let run = run_as_written_named("state-machine");
    assert_eq!(run.verdict, Verdict::LeftRunning { tasks: 1 });
    assert_eq!(
        run.verdict.to_string(),
        "verdict: finished, but left 1 task running"
    );
}

/// E01: the Task-with-Result block does not compile; the verdict shows the compiler's error,
/// the very text `tests/guide/compile_fail.rs` checks.
#[test]
fn oneshot_spawn_with_result_does_not_compile() {
    let run = run_as_written_named("oneshot-spawn-with-result");
    let checked_in = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/compile_fail/spawn_with_result.stderr"),
    )
    .unwrap();
    assert_eq!(
        run.verdict,
        Verdict::DoesNotCompile {
            error: checked_in.leak()
        }
    );
    assert_eq!(run.lines, Vec::<String>::new());
    let shown = run.verdict.to_string();
    assert!(
        shown.starts_with(
            "verdict: does not compile: error[E0599]: no method named `unwrap` found for struct \
             `tokio::sync::oneshot::Receiver<T>` in the current scope\n"
        ),
        "{shown}"
    );
    assert!(shown.ends_with("method not found in `tokio::sync::oneshot::Receiver<{integer}>`"));
}

/// E15: the guide's proxy, driven over loopback TCP, forwards the exchange and then never
/// times out in paused time (its monitor reads `std::time::Instant`): still waiting at the
/// bound, with its two copy tasks alive (E16).
#[test]
fn watch_idle_timeout_never_times_out_in_paused_time() {
    let run = run_as_written_named("watch-idle-timeout");
    assert_eq!(
        run.verdict,
        Verdict::StillWaiting {
            after: BOUND,
            tasks: 2
        }
    );
    assert_eq!(
        run.lines,
        [
            "upstream got \"ping\" at 0ms",
            "client got \"pong\" at 1000ms"
        ]
    );
}

/// Every pattern of the catalog, by the names `channel-patterns list` shows, has its guide's
/// code to run or a compiler error, and ends as this table says. Where the verdict is
/// `Finished` or `LeftRunning`, the lines are the corrected pattern's, which shows each name
/// runs its own example's code and not another's.
#[test]
fn every_pattern_has_an_as_written_run_with_its_verdict() {
    use Verdict::{DoesNotCompile, Finished, LeftRunning, Panicked, StillWaiting};
    let expected = [
        ("mpsc-basic", Finished),
        ("mpsc-multi-producer", Finished),
        ("mpsc-backpressure", Finished),
        ("mpsc-shutdown", Finished),
        ("oneshot-request-response", Finished),
        ("oneshot-dropped-sender", Finished),
        (
            "oneshot-spawn-with-result",
            DoesNotCompile {
                error: include_str!("../compile_fail/spawn_with_result.stderr"),
            },
        ),
        ("broadcast-basic", Finished),
        (
            "broadcast-lagging",
            StillWaiting {
                after: BOUND,
                tasks: 0,
            },
        ),
        ("broadcast-events", LeftRunning { tasks: 2 }),
        ("watch-basic", Finished),
        ("watch-multi-receiver", Finished),
        ("watch-changed", Finished),
        (
            "watch-idle-timeout",
            StillWaiting {
                after: BOUND,
                tasks: 2,
            },
        ),
        ("select-shutdown", Finished),
        (
            "app-shutdown",
            Panicked {
                message: "called `Result::unwrap()` on an `Err` value: SendError { .. }".into(),
            },
        ),
        ("state-machine", LeftRunning { tasks: 1 }),
    ];
    assert_eq!(
        expected.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        catalog::names().collect::<Vec<_>>()
    );
    for (name, verdict) in expected {
        let run = run_as_written_named(name);
        assert_eq!(run.verdict, verdict, "{name}");
        if matches!(run.verdict, Finished | LeftRunning { .. }) {
            let pattern = catalog::find(name).unwrap();
            assert_eq!(run.lines, pattern.expected, "{name}");
        }
    }
}

/// Only `oneshot-spawn-with-result` has no code to run.
#[test]
fn only_the_block_that_does_not_compile_has_nothing_to_run() {
    let not_compiling: Vec<_> = catalog::PATTERNS
        .iter()
        .filter(|p| matches!(p.as_written, AsWritten::DoesNotCompile { .. }))
        .map(|p| p.name)
        .collect();
    assert_eq!(not_compiling, ["oneshot-spawn-with-result"]);
}

/// A run writes to the transcript it is given, as it goes: the same lines it returns.
#[test]
fn a_run_writes_to_the_given_transcript() {
    let out = Transcript::new();
    let _watchdog = test_support::Watchdog::new("mpsc-basic as written", test_support::REAL_LIMIT);
    let run = conformance::run_as_written(pattern("mpsc-basic"), out.clone()).unwrap();
    assert_eq!(out.lines(), run.lines);
    assert!(!run.lines.is_empty());
}

/// The verdict line of each kind, singular and plural, with durations as people write them.
#[test]
fn verdict_lines() {
    let waiting = |secs: f64, tasks| Verdict::StillWaiting {
        after: Duration::from_secs_f64(secs),
        tasks,
    };
    let lines = [
        (Verdict::Finished, "verdict: finished"),
        (
            Verdict::Panicked {
                message: "boom".into(),
            },
            "verdict: panicked: boom",
        ),
        (
            waiting(3600.0, 0),
            "verdict: still waiting after 1h of paused time, with no task alive besides main",
        ),
        (
            waiting(30.0, 1),
            "verdict: still waiting after 30s of paused time, with 1 task alive besides main",
        ),
        (
            waiting(5400.25, 3),
            "verdict: still waiting after 1h 30m 250ms of paused time, with 3 tasks alive besides main",
        ),
        (
            waiting(0.0, 2),
            "verdict: still waiting after 0s of paused time, with 2 tasks alive besides main",
        ),
        (
            Verdict::LeftRunning { tasks: 1 },
            "verdict: finished, but left 1 task running",
        ),
        (
            Verdict::LeftRunning { tasks: 3 },
            "verdict: finished, but left 3 tasks running",
        ),
        (
            Verdict::DoesNotCompile {
                error: "error[E0599]: no method\n  --> here\n",
            },
            "verdict: does not compile: error[E0599]: no method\n  --> here",
        ),
    ];
    for (verdict, line) in lines {
        assert_eq!(verdict.to_string(), line);
    }
    assert_eq!(
        waiting(0.000_001_5, 1).to_string(),
        "verdict: still waiting after 1us 500ns of paused time, with 1 task alive besides main"
    );
}

/// `capture` scopes the guide's `println!`s: a nested capture gets its own lines, and the outer
/// one is restored when it returns, also when it panics.
#[test]
fn captures_nest_and_restore_the_outer_one() {
    use patterns::capture::{capture, print_line};
    let (outer, inner) = (Transcript::new(), Transcript::new());
    capture(&outer, || {
        print_line("before".into());
        capture(&inner, || print_line("inside".into()));
        print_line("after".into());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            capture(&inner, || panic!("in a nested capture"))
        }));
        assert!(panicked.is_err());
        print_line("after the panic".into());
    });
    assert_eq!(outer.lines(), ["before", "after", "after the panic"]);
    assert_eq!(inner.lines(), ["inside"]);
}

/// `capture_thread` sends a thread's `println!`s to a transcript for good: how the E13 example
/// (`examples/backpressure_schedules.rs`) captures a multi-thread runtime's workers.
#[test]
fn capture_thread_captures_the_rest_of_the_thread() {
    use patterns::capture::{capture_thread, print_line};
    let out = Transcript::new();
    let worker = out.clone();
    std::thread::spawn(move || {
        capture_thread(&worker);
        print_line("from a worker".into());
        print_line("and again".into());
    })
    .join()
    .unwrap();
    assert_eq!(out.lines(), ["from a worker", "and again"]);
}
