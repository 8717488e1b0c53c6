//! Helpers shared by the pattern tests.
#![allow(dead_code, reason = "each test crate uses a different subset")]

use std::future::Future;
use std::time::Duration;

use channel_patterns::as_written::run::{self, AsWrittenRun};
use channel_patterns::{PatternResult, Transcript};
use pretty_assertions::assert_eq;

pub mod watchdog;

pub use watchdog::{REAL_LIMIT, Watchdog};

/// Paused time any single wait may take. It passes at once when nothing else can run, so a
/// lost wake-up fails the test in milliseconds.
pub const PAUSED_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// Awaits `fut` within [`PAUSED_LIMIT`] of Tokio's clock and [`REAL_LIMIT`] of real time (the
/// second catches a task that spins and so stops the paused clock): a hang fails with `what`.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    let _watchdog = Watchdog::new(what, REAL_LIMIT);
    tokio::time::timeout(PAUSED_LIMIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: still waiting after {PAUSED_LIMIT:?} of Tokio's time"))
}

/// Runs a pattern (inside a paused-time test), then asserts its whole transcript, the simulated
/// time it took, and that it left no task running.
pub async fn assert_pattern<F, Fut>(pattern: F, expected: &[&str], took: Duration)
where
    F: FnOnce(Transcript) -> Fut,
    Fut: Future<Output = PatternResult>,
{
    let out = Transcript::new();
    let start = tokio::time::Instant::now();
    within("the pattern", pattern(out.clone()))
        .await
        .expect("the pattern returns Ok");
    assert_eq!(start.elapsed(), took, "simulated time the pattern took");
    assert_eq!(out.lines(), expected);
    assert_eq!(tasks_alive().await, 0, "tasks left running by the pattern");
}

/// Tasks of the current runtime still alive right now, without yielding: measured when a
/// `main` returns, this is what `#[tokio::main]` would cancel by dropping the runtime.
pub async fn tasks_alive() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Runs the guide's code as written the way `run NAME --as-written` does
/// (`as_written::run::run_main`: a fresh current-thread runtime in paused time, within
/// `as_written::run::BOUND` of it), capturing what it prints, and within [`REAL_LIMIT`] of real
/// time. Returns the lines and the verdict: how it ended, and the tasks it left alive.
pub fn run_as_written<Fut>(main: impl FnOnce() -> Fut) -> AsWrittenRun
where
    Fut: Future<Output = ()>,
{
    let _watchdog = Watchdog::new("the guide's code", REAL_LIMIT);
    let main = || async {
        main().await;
        Ok(())
    };
    run::run_main(main, Transcript::new()).expect("a runtime")
}

/// Runs the guide's code for the catalog's pattern `name` as `run NAME --as-written` does
/// (`as_written::run::run_as_written`), within [`REAL_LIMIT`] of real time.
pub fn run_as_written_named(name: &str) -> AsWrittenRun {
    let _watchdog = Watchdog::new(&format!("the guide's code for {name}"), REAL_LIMIT);
    run::run_as_written(name, Transcript::new())
        .unwrap_or_else(|| panic!("{name} is a pattern of the catalog"))
        .expect("a runtime, and the driver's connections")
}
