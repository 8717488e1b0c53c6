//! The helpers that more than one test binary of the root package uses, once: a crate, so that
//! each binary takes what it needs and none carries a copy (helpers that need the root crate
//! itself stay in the one binary that uses them: as a dependency of the root's tests, this
//! crate cannot depend on the root).
//!
//! - bounded waits: [`within`], with the real-time backstop of [`watchdog`];
//! - [`tasks_alive`], what a runtime would cancel when dropped;
//! - [`props`]: the one harness of the property suites, and [`suite_tests!`] that derives each
//!   suite's tests;
//! - [`tcp`]: a proxy server on loopback, test upstreams, and payloads checked byte by byte;
//! - [`state_machine_without_sleep`]: the guide's state machine without the sleep that hides
//!   erratum E07, run on tokio by the errata's test and on loom by the guide's loom suite.

use std::future::Future;
use std::time::Duration;

pub mod props;
pub mod state_machine_without_sleep;
pub mod tcp;
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

/// Tasks of the current runtime still alive right now, without yielding: measured when a
/// `main` returns, this is what `#[tokio::main]` would cancel by dropping the runtime.
pub async fn tasks_alive() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}
