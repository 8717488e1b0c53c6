//! The virtual clock of a run under loom: tokio's paused-time rule.
//!
//! Time stands still while any task can run. When every task waits, the clock jumps to the
//! earliest deadline of a pending sleep and wakes every task whose deadline that is; tasks whose
//! deadlines fall at the same instant are all woken together, and loom explores the orders in
//! which they then run. This is what a current-thread tokio runtime with paused time does
//! (`#[tokio::test(start_paused = true)]`), so a sleep orders events as it does there: a task
//! that sleeps 100 ms runs after everything that can happen before then has happened.

use std::time::Duration;

/// One pending sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timer {
    /// Identifies the sleep that registered it, so that a dropped sleep can take it back.
    id: u64,
    /// Elapsed time since the run's start at which it fires.
    deadline: Duration,
    /// The task to wake then.
    task: usize,
}

/// The clock and its pending timers.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// Virtual time elapsed since the run started.
    now: Duration,
    timers: Vec<Timer>,
    next_id: u64,
}

impl Clock {
    /// Virtual time elapsed since the run started.
    pub(crate) fn now(&self) -> Duration {
        self.now
    }

    /// Registers (or, with `id`, moves) a timer for `task` at `deadline`; returns its id.
    pub(crate) fn register(&mut self, id: Option<u64>, deadline: Duration, task: usize) -> u64 {
        if let Some(id) = id
            && let Some(timer) = self.timers.iter_mut().find(|t| t.id == id)
        {
            timer.deadline = deadline;
            timer.task = task;
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.timers.push(Timer { id, deadline, task });
        id
    }

    /// Takes back the timer `id`, if it is still pending.
    pub(crate) fn cancel(&mut self, id: u64) {
        self.timers.retain(|t| t.id != id);
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<Duration> {
        self.timers.iter().map(|t| t.deadline).min()
    }

    /// Moves the clock to the earliest pending deadline, if there is one (never backwards),
    /// and returns the tasks of every timer due then, which are no longer pending.
    pub(crate) fn advance(&mut self) -> Vec<usize> {
        let Some(deadline) = self.next_deadline() else {
            return Vec::new();
        };
        self.advance_to(self.now.max(deadline))
    }

    /// Moves the clock forward by `duration`, as tokio's `time::advance` does, and returns the
    /// tasks of every timer due by then, which are no longer pending.
    ///
    /// # Panics
    /// If the clock would overflow, as tokio's `Instant` does.
    pub(crate) fn advance_by(&mut self, duration: Duration) -> Vec<usize> {
        match self.now.checked_add(duration) {
            Some(now) => self.advance_to(now),
            None => panic!("time::advance({duration:?}) overflows the clock"),
        }
    }

    /// Sets the clock to `now` and takes every timer due by then; returns their tasks.
    fn advance_to(&mut self, now: Duration) -> Vec<usize> {
        self.now = now;
        let mut due = Vec::new();
        self.timers.retain(|t| {
            if t.deadline <= now {
                due.push(t.task);
                false
            } else {
                true
            }
        });
        due
    }

    /// The pending timers of `task`, as deadlines.
    pub(crate) fn deadlines_of(&self, task: usize) -> impl Iterator<Item = Duration> + '_ {
        self.timers
            .iter()
            .filter(move |t| t.task == task)
            .map(|t| t.deadline)
    }
}
