//! Time under loom: tokio's `time::{Instant, sleep, sleep_until, Sleep, timeout, timeout_at,
//! Timeout, interval, interval_at, Interval, MissedTickBehavior}` on the run's virtual clock.
//!
//! The clock follows tokio's paused-time rule (the private `clock` module): it stands still
//! while any task can run and jumps to the earliest deadline when every task waits. So a sleep
//! orders events as it does in `#[tokio::test(start_paused = true)]`, and loom explores every
//! interleaving of the tasks that can run at each instant, including the orders of tasks whose
//! deadlines fall at the same instant. A pattern whose output a sleep decides has the outputs
//! that paused time allows, not one per schedule of an untimed program.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::task::{self, Timer};

/// A measurement of the run's virtual clock, as tokio's `time::Instant`: it moves only when
/// every task waits (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Virtual time since the run's start.
    since_start: Duration,
}

impl Instant {
    /// The run's current virtual time.
    ///
    /// # Panics
    /// Outside a run (`rt::task::run`).
    pub fn now() -> Instant {
        Instant {
            since_start: task::now(),
        }
    }

    /// Virtual time since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later, as tokio's.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.since_start.checked_sub(earlier.since_start)
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.since_start.saturating_sub(earlier.since_start)
    }

    /// `self + duration`, or `None` on overflow.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.since_start
            .checked_add(duration)
            .map(|since_start| Instant { since_start })
    }

    /// `self - duration`, or `None` before the run's start.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.since_start
            .checked_sub(duration)
            .map(|since_start| Instant { since_start })
    }
}

impl std::ops::Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, duration: Duration) -> Instant {
        Instant {
            since_start: self.since_start + duration,
        }
    }
}

impl std::ops::AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        self.since_start += duration;
    }
}

impl std::ops::Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// Before the run's start.
    fn sub(self, duration: Duration) -> Instant {
        Instant {
            since_start: self.since_start - duration,
        }
    }
}

impl std::ops::Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

/// Completes once the run's clock reaches now + `duration`, as tokio's `sleep`; a duration
/// too long to add waits for ever (tokio's "far future", about 30 years, which no run reaches).
///
/// # Panics
/// Outside a run, as tokio's outside a runtime.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(after(duration))
}

/// tokio's "far future", about 30 years: where its `sleep` and `timeout` put a deadline too far
/// to represent, and the longest period or reset an `interval` takes.
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// now + `duration`, or now + [`FAR_FUTURE`] if that overflows.
fn after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration).unwrap_or(now + FAR_FUTURE)
}

/// Completes once the run's clock reaches `deadline` (at once if it has), as tokio's
/// `sleep_until`.
///
/// # Panics
/// Outside a run, as tokio's outside a runtime.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        timer: Timer::new(deadline.since_start),
    }
}

mod interval;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};

/// Moves the clock forward by `duration` at once, as tokio's `time::advance` (of its feature
/// `test-util`): every sleep due by then completes, and the caller yields so that their tasks
/// can run. The tasks woken run in any order loom chooses, as tokio's docs allow.
///
/// # Panics
/// Outside a run, or if the clock would overflow.
pub async fn advance(duration: Duration) {
    task::advance_clock(duration);
    task::yield_now().await;
}

/// tokio's `time::pause`: the clock is always paused under loom, so this does nothing (tokio's
/// panics if the clock is paused already, as under `start_paused = true`).
pub fn pause() {}

/// tokio's `time::resume`: not available under loom, whose clock is always paused.
///
/// # Panics
/// Always.
pub fn resume() {
    panic!("time::resume: under loom the clock is always paused, and cannot be resumed");
}

/// Future of [`sleep`] and [`sleep_until`], as tokio's `time::Sleep`.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    timer: Timer,
}

impl Sleep {
    /// When it completes.
    pub fn deadline(&self) -> Instant {
        Instant {
            since_start: self.timer.deadline(),
        }
    }

    /// Whether its deadline has come.
    pub fn is_elapsed(&self) -> bool {
        task::now() >= self.timer.deadline()
    }

    /// Moves its deadline, as tokio's `Sleep::reset`.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        self.get_mut().timer.reset(deadline.since_start);
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        // The clock wakes the task that polled it last, through the executor, not its waker:
        // a timer only fires when every task waits, and the executor is what knows that.
        if self.get_mut().timer.poll_elapsed() {
            Poll::Ready(())
        } else {
            task::waiting_on("sleep");
            Poll::Pending
        }
    }
}

/// Runs `future` until it completes or the run's clock reaches now + `duration`, as tokio's
/// `timeout`: the future is polled first at every wake-up, so one that completes at the
/// deadline itself is not cut off.
///
/// # Panics
/// Outside a run, as tokio's outside a runtime.
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    timeout_at(after(duration), future)
}

/// [`timeout`] with a deadline instead of a duration, as tokio's `timeout_at`.
///
/// # Panics
/// Outside a run, as tokio's outside a runtime.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future: Box::pin(future),
        delay: sleep_until(deadline),
    }
}

/// Future of [`timeout`] and [`timeout_at`], as tokio's `time::Timeout`: the future's output,
/// or [`error::Elapsed`] once the deadline comes first.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Timeout<F> {
    /// Boxed so that it is pinned without `unsafe` projection.
    future: Pin<Box<F>>,
    delay: Sleep,
}

impl<F> Timeout<F> {
    /// The future it runs.
    pub fn get_ref(&self) -> &F {
        &self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, error::Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(output) = this.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(&mut this.delay).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(error::Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// tokio's `time::error`: the error of a [`timeout`].
pub mod error {
    /// A [`timeout`](super::timeout)'s deadline came before its future completed, as tokio's
    /// `time::error::Elapsed`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Elapsed(pub(super) ());

    impl std::fmt::Display for Elapsed {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("deadline has elapsed")
        }
    }

    impl std::error::Error for Elapsed {}
}
