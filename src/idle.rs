//! Idle tracking: the coordination behind the proxy's idle timeout (guide section "Real
//! Example: Idle Timeout in proxy.rs").
//!
//! The guide's idea is right: both copy directions write the time of their latest activity to
//! one `watch` channel, and a monitor reads only the latest value. Its monitor is not: it wakes
//! every second and compares against `std::time::Instant`, so it fires up to a second late
//! (E14) and ignores Tokio's clock, which makes it untestable in paused time (E15).
//! [`IdleMonitor::expired`] sleeps until the exact deadline on Tokio's clock instead.

use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// Creates a tracker for activity starting now, and the monitor that watches it.
pub fn track(idle_timeout: Duration) -> (Activity, IdleMonitor) {
    let (tx, rx) = watch::channel(Instant::now());
    (Activity { tx }, IdleMonitor { rx, idle_timeout })
}

/// Records activity. Clone it once per direction: `watch::Sender` is `Clone`, so every
/// direction writes the same "latest activity" value.
#[derive(Clone, Debug)]
pub struct Activity {
    tx: watch::Sender<Instant>,
}

impl Activity {
    /// Marks "now" as the latest activity.
    ///
    /// `send_replace` rather than `send`: it succeeds even if the monitor is gone, and a
    /// direction must keep copying whether or not anybody still watches.
    pub fn record(&self) {
        self.tx.send_replace(Instant::now());
    }
}

/// Waits for the connection to have been idle for the whole timeout.
#[derive(Debug)]
pub struct IdleMonitor {
    rx: watch::Receiver<Instant>,
    idle_timeout: Duration,
}

impl IdleMonitor {
    /// The instant the connection times out unless there is more activity before it.
    pub fn deadline(&self) -> Instant {
        *self.rx.borrow() + self.idle_timeout
    }

    /// Completes at the first instant at which there has been no activity for the idle
    /// timeout: exactly latest activity + timeout, never before.
    ///
    /// It wakes once per timeout period at most, not once per activity: activity only moves
    /// the deadline, and on waking the monitor sleeps again until the moved deadline.
    pub async fn expired(&mut self) {
        loop {
            let deadline = self.deadline();
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}
