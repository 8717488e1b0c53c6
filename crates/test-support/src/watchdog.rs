//! A real-time bound for waits that a paused-time bound cannot catch.
//!
//! In paused time a `tokio::time::timeout` fires only when the runtime is idle, so a task that
//! spins (a monitor re-arming an elapsed deadline, a loop that never waits) freezes the clock
//! and hangs the test for ever. A [`Watchdog`] is the backstop: a thread that ends the whole
//! test process with a message if the guard is still alive, with no progress, after its limit
//! of real time. It wakes once a second while the test runs and ends when the guard drops.

use std::io::Write;
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

/// Real time any single bounded wait in the suite may take: tens of thousands of times what
/// each takes, so load cannot trip it, and well under cargo-mutants' timeout
/// (.cargo/mutants.toml), so a hanging mutant fails a test instead of timing out the run.
pub const REAL_LIMIT: Duration = Duration::from_secs(20);

/// While alive, bounds the test process's real time; see the module docs.
#[derive(Debug)]
pub struct Watchdog {
    _alive: Sender<()>,
}

impl Watchdog {
    /// Starts the clock: if this guard is not dropped within `limit` of real time, the process
    /// prints `what` and exits with code 101, as a failed test does.
    pub fn new(what: &str, limit: Duration) -> Self {
        Watchdog::on_progress(what, limit, || ())
    }

    /// Like [`Watchdog::new`], for a wait made of many short steps that may take long in
    /// all (a loom model's interleavings): the clock restarts whenever `progress` returns a
    /// new value, so only `limit` of real time without a step ends the process.
    pub fn on_progress<P: PartialEq>(
        what: &str,
        limit: Duration,
        mut progress: impl FnMut() -> P + Send + 'static,
    ) -> Self {
        let (alive, dropped) = channel::<()>();
        // The harness names each test's thread after the test.
        let what = match std::thread::current().name() {
            Some(test) => format!("{test}: {what}"),
            None => what.to_string(),
        };
        std::thread::spawn(move || {
            let (mut last, mut since) = (progress(), Instant::now());
            while let Err(RecvTimeoutError::Timeout) =
                dropped.recv_timeout(Duration::from_secs(1).min(limit))
            {
                let now = progress();
                if now != last {
                    (last, since) = (now, Instant::now());
                } else if since.elapsed() >= limit {
                    // Straight to the process's stderr: the test harness captures `eprintln!`
                    // (in threads a test spawns too) and prints it only when the test ends,
                    // which this exit prevents.
                    let message = format!(
                        "watchdog: {what}: still running after {limit:?} of real time without progress\n"
                    );
                    let _ = std::io::stderr().write_all(message.as_bytes());
                    std::process::exit(101);
                }
            }
        });
        Watchdog { _alive: alive }
    }
}
