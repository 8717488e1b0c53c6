//! Time under loom: tokio's `sleep`, as a point where any other task may run.
//!
//! Loom explores interleavings, not durations, and a schedule that a sleep makes likely on a
//! real runtime is only one of many. So `sleep(d)` gives way once, whatever `d` is, is pending
//! once (a `select!` racing it can pick another branch then), and then completes: every schedule of the other tasks around it is explored, including the ones where
//! the sleeper goes on first. A pattern that is correct only thanks to a sleep fails here.
//!
//! It gives way through `loom::thread::yield_now`, so that a loop of sleeps lets the other tasks
//! run rather than spinning; and a task's sleeps are counted: past
//! [`PAUSES_PER_TASK`](super::task::PAUSES_PER_TASK) its next sleep never ends, which turns a
//! loop that only ends by time into a [stuck](super::task::Ran::stuck) run instead of an endless
//! one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::task;

/// Gives way to the other tasks once, then completes; how long `duration` is plays no part
/// under loom, but a zero duration completes at once without giving way (there is nothing to
/// wait for).
pub fn sleep(duration: Duration) -> Sleep {
    if duration.is_zero() {
        Pause {
            state: PauseState::Done,
        }
    } else {
        Pause::new()
    }
}

/// Future of [`sleep`], as tokio's `time::Sleep`.
pub type Sleep = Pause;

/// One pause of a task: the future of [`sleep`] and of
/// [`yield_now`](super::task::yield_now).
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Pause {
    state: PauseState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PauseState {
    New,
    Done,
    /// Past the task's budget of pauses: never completes.
    Forever,
}

impl Pause {
    /// A pause not yet taken.
    pub fn new() -> Self {
        Pause {
            state: PauseState::New,
        }
    }
}

impl Default for Pause {
    fn default() -> Self {
        Self::new()
    }
}

impl Future for Pause {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.state {
            // Gives way to loom's scheduler, which may run any other task here, and returns
            // `Pending` once, as a real sleep does: a `select!` racing it polls its other
            // branches again before it completes, so a future that sleeps can be cancelled
            // there. It wakes itself: nothing else ends it.
            PauseState::New if task::take_pause() => {
                self.state = PauseState::Done;
                loom::thread::yield_now();
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            PauseState::New | PauseState::Forever => {
                self.state = PauseState::Forever;
                task::waiting_on("sleep, past the task's budget of pauses (a loop only time ends)");
                Poll::Pending
            }
            PauseState::Done => Poll::Ready(()),
        }
    }
}
