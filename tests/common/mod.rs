//! Helpers shared by the pattern tests.
#![allow(dead_code, reason = "each test crate uses a different subset")]

use std::future::Future;
use std::time::Duration;

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

/// Runs the guide's code as written on a fresh current-thread runtime in paused time,
/// capturing what it prints. Returns the lines, and the tasks still alive when it returned.
pub fn run_as_written<Fut>(main: impl FnOnce() -> Fut) -> (Vec<String>, usize)
where
    Fut: Future<Output = ()>,
{
    let out = Transcript::new();
    let runtime = channel_patterns::runner::paused_runtime().expect("a runtime");
    let alive = channel_patterns::as_written::capture(&out, || {
        runtime.block_on(async {
            within("the guide's code", main()).await;
            tasks_alive().await
        })
    });
    (out.lines(), alive)
}
