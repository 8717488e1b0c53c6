//! tokio's `time::interval` on the run's virtual clock: a sleep that, once it completes, moves
//! its own deadline one period on, as tokio's `Interval` does (tokio 1.54, `time/interval.rs`).

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{FAR_FUTURE, Instant, Sleep, sleep_until};

/// An interval whose first tick completes at once, then one every `period`, as tokio's.
///
/// # Panics
/// If `period` is zero, or outside a run.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// An interval whose first tick completes at `start`, then one every `period`, as tokio's.
///
/// # Panics
/// If `period` is zero, or outside a run.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    Interval {
        delay: sleep_until(start),
        period: period.min(FAR_FUTURE),
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when a tick comes more than 5 ms late (its task was busy, or
/// waited elsewhere), as tokio's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// The missed ticks complete at once, one per `tick`, until the interval has caught up.
    #[default]
    Burst,
    /// The next tick comes one period after the late one was taken.
    Delay,
    /// The missed ticks are skipped: the next tick comes at the next multiple of the period
    /// after the start.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline of the tick after one that was due at `timeout` and taken at `now`.
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            Self::Burst => timeout + period,
            Self::Delay => now + period,
            Self::Skip => {
                let late = (now - timeout).as_nanos() % period.as_nanos();
                let offset = Duration::from_nanos(
                    u64::try_from(late)
                        .unwrap_or_else(|_| panic!("an interval late by more than 584 years")),
                );
                now + (period - offset)
            }
        }
    }
}

/// Ticks of [`interval`] and [`interval_at`], as tokio's `time::Interval`.
#[derive(Debug)]
pub struct Interval {
    /// The next tick's deadline, as a sleep.
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Completes at the next tick's deadline and returns it (the instant it was due, not the
    /// instant it is taken). Cancel-safe, as tokio's.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// [`Interval::tick`] as a poll: `Ready` with the tick's deadline once it has come.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout + Duration::from_millis(5) {
            self.missed_tick_behavior
                .next_timeout(timeout, now, self.period)
        } else {
            timeout + self.period
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(timeout)
    }

    /// The next tick comes one period from now.
    pub fn reset(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now() + self.period);
    }

    /// The next tick comes at once.
    pub fn reset_immediately(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now());
    }

    /// The next tick comes `after` from now (at most tokio's far future, about 30 years).
    pub fn reset_after(&mut self, after: Duration) {
        Pin::new(&mut self.delay).reset(Instant::now() + after.min(FAR_FUTURE));
    }

    /// The next tick comes at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// What it does when a tick is missed.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what it does when a tick is missed.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The time between two ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
