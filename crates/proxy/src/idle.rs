//! Idle tracking: the coordination behind the proxy's idle timeout (guide section "Real
//! Example: Idle Timeout in proxy.rs").
//!
//! The guide's idea is right: both copy directions record the time of their latest activity in
//! one shared place, and a monitor looks only at the latest value. Its monitor is not: it wakes
//! every second and compares against `std::time::Instant`, so it fires up to a second late
//! (E14) and ignores Tokio's clock, which makes it untestable in paused time (E15).
//! [`IdleMonitor::expired`] sleeps until the exact deadline on Tokio's clock instead.
//!
//! The shared place is an [`ActivityClock`], the crate's own type through `crate::sync`, so
//! that the loom model (`tests/loom_models/loom_idle.rs`) checks the code the relay runs. It only moves
//! forward: two directions recording at once can finish in either order, and a plain store
//! (like the guide's `watch::send(Instant::now())`) could then replace a later time with an
//! earlier one and close a connection that was active within the window.

use std::time::Duration;

use tokio::time::Instant;

use crate::sync::{Arc, AtomicU64, Ordering};

/// The latest activity of a connection, in ticks (nanoseconds) since the connection started.
#[derive(Debug, Default)]
pub struct ActivityClock {
    last: AtomicU64,
}

impl ActivityClock {
    /// A clock whose latest activity is tick 0, the start.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records activity at tick `at`. Never moves the latest activity back.
    pub fn record(&self, at: u64) {
        self.last.fetch_max(at, Ordering::AcqRel);
    }

    /// The tick of the latest activity recorded.
    pub fn last(&self) -> u64 {
        self.last.load(Ordering::Acquire)
    }
}

/// The idle rule, on ticks: idle once `timeout` ticks have passed since the latest activity.
/// A connection active within the window (`now - last < timeout`) is never idle.
pub fn is_idle(last: u64, now: u64, timeout: u64) -> bool {
    now.saturating_sub(last) >= timeout
}

/// Creates a tracker for activity starting now, and the monitor that watches it.
pub fn track(idle_timeout: Duration) -> (Activity, IdleMonitor) {
    let start = Instant::now();
    let clock = Arc::new(ActivityClock::new());
    let activity = Activity {
        start,
        clock: clock.clone(),
    };
    let monitor = IdleMonitor {
        start,
        clock,
        idle_timeout,
    };
    (activity, monitor)
}

/// Records activity on Tokio's clock. Clone it once per direction: all clones share one
/// latest activity.
#[derive(Clone, Debug)]
pub struct Activity {
    start: Instant,
    clock: Arc<ActivityClock>,
}

impl Activity {
    /// Marks "now" as the latest activity (or leaves a later one in place).
    pub fn record(&self) {
        self.clock.record(ticks(self.start.elapsed()));
    }
}

/// Waits for the connection to have been idle for the whole timeout.
#[derive(Debug)]
pub struct IdleMonitor {
    start: Instant,
    clock: Arc<ActivityClock>,
    idle_timeout: Duration,
}

impl IdleMonitor {
    /// The instant the connection times out unless there is more activity before it.
    pub fn deadline(&self) -> Instant {
        self.start + Duration::from_nanos(self.clock.last()) + self.idle_timeout
    }

    /// Whether the connection is idle now, by [`is_idle`].
    pub fn is_idle(&self) -> bool {
        is_idle(
            self.clock.last(),
            ticks(self.start.elapsed()),
            ticks(self.idle_timeout),
        )
    }

    /// Completes at the first instant at which there has been no activity for the idle
    /// timeout: exactly latest activity + timeout, never before.
    ///
    /// It wakes once per timeout period at most, not once per activity: activity only moves
    /// the deadline, and on waking the monitor sleeps again until the moved deadline.
    pub async fn expired(&mut self) {
        while !self.is_idle() {
            tokio::time::sleep_until(self.deadline()).await;
        }
    }
}

/// Nanoseconds, saturating: a connection would have to live 584 years to overflow.
fn ticks(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
