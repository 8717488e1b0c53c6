//! tokio's channel, task and time API on loom, so that loom explores code written against
//! tokio: the loom backend of `channel-patterns` (its `rt` module names this crate's `sync`,
//! `task`, `time` and `select!` in place of tokio's under `--cfg channel_patterns_loom`).
//!
//! Loom cannot see inside tokio, so these are not tokio's channels: each one is a reference
//! model of the `channel-models` crate ([`channel_models::oneshot`], [`channel_models::mpsc`],
//! [`channel_models::broadcast`], [`channel_models::watch`]) in a [`Shared`], with the wakers of
//! the tasks waiting on it, and with the handles, methods and error types of tokio's (the subset
//! the guide's patterns use). The semantics are the model's, which the property tests check
//! against tokio; what loom checks is the wake-up discipline around it:
//!
//! - every operation is one critical section that applies one model step;
//! - an operation that must wait registers its waker in that same critical section, so no state
//!   change can fall between its check and its registration;
//! - every step that can unblock a waiter takes the wakers to wake under the lock and wakes them
//!   after releasing it, since a waker may run code that takes the lock.
//!
//! What loom sees of an operation is one atomic access to the channel's version, just before
//! its critical section (see [`Shared`]): a load for an operation that leaves the model as it
//! was (a read, or a poll that only waits), an increment for one that changes it. Loom takes
//! two loads for independent, so it does not explore the orders of readers that cannot tell
//! them apart (three workers waiting on one signal), and it explores every order of a change
//! and the operations it affects.
//!
//! Tasks are loom threads ([`task`]), time is a virtual clock with tokio's paused-time rule
//! ([`time`]), and `select!` polls its branches in order ([`select`]).
//!
//! Differences from tokio that a program can observe, none of which the guide's patterns rely
//! on:
//! - a sender woken for a freed slot can lose it to a concurrent `try_send`, where tokio's
//!   semaphore hands the slot to the waiting sender first;
//! - a oneshot receiver polled after it completed gives `RecvError`, where tokio panics;
//! - `select!` without `biased;` rotates its first branch (tokio picks it at random): see
//!   [`select`];
//! - time is always paused: the clock moves only when every task waits, as under
//!   `start_paused = true`, never while a task runs (see [`time`]); deadlines are exact, not
//!   rounded up to tokio's millisecond ticks; a run ends at its horizon of virtual time
//!   ([`task::HORIZON`]);
//! - a `watch::Ref` holds a snapshot of the value, not a read lock, so holding one never blocks
//!   a sender; `watch::Sender::send_replace` needs `T: Clone`;
//! - a `JoinHandle` can be awaited only by a task of the run, and a run has at most
//!   `loom::MAX_THREADS - 1` spawned tasks;
//! - only the subset of the API the patterns use is there.
//!
//! The handles lend their [`Shared`] (`shared()`) and model ids, so that a loom test can build a
//! broken twin of one operation from the same pieces, with the one defect it is about.

#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::task::{Context, Poll, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Defines `SendError<T>` as tokio's channels each do: the value handed back when nobody can
/// receive it. One type per channel, as in tokio, so that code can tell them apart.
macro_rules! send_error {
    ($why:literal) => {
        #[doc = concat!("The error of `send`: ", $why, "; the value is handed back.")]
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct SendError<T>(pub T);

        impl<T> std::fmt::Debug for SendError<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("SendError { .. }")
            }
        }

        impl<T> std::fmt::Display for SendError<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("channel closed")
            }
        }

        impl<T> std::error::Error for SendError<T> {}
    };
}
use send_error;

pub mod broadcast;
mod clock;
pub mod mpsc;
pub mod oneshot;
pub mod select;
pub mod task;
pub mod time;
pub mod watch;

/// tokio's `sync` module: the four channels.
pub mod sync {
    pub use super::{broadcast, mpsc, oneshot, watch};
}

/// A value carried through a model whose values must be `Clone`, for a channel whose values
/// need not be (tokio's mpsc and oneshot take any `T`): the model moves cheap clones of the
/// parcel around and the receiver takes the value out, once.
pub struct Parcel<T>(std::sync::Arc<std::sync::Mutex<Option<T>>>);

impl<T> Parcel<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Parcel(std::sync::Arc::new(std::sync::Mutex::new(Some(value))))
    }

    /// Takes the value out.
    ///
    /// # Panics
    /// If it was taken already: the model handed one message out twice.
    pub fn take(&self) -> T {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| panic!("a message was received twice"))
    }
}

impl<T> Clone for Parcel<T> {
    fn clone(&self) -> Self {
        Parcel(self.0.clone())
    }
}

/// Two parcels are equal when they are the same parcel: the model moves clones of one parcel
/// around, and a model step that moves one is a change to the model.
impl<T> PartialEq for Parcel<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::fmt::Debug for Parcel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parcel")
    }
}

/// A value as a model holds it (watch's, broadcast's): shared, so that a [`watch::Ref`] can
/// hold it without a lock, and compared by identity, so that a model holding it can tell
/// whether a step changed it (see [`Shared::poll`]) whatever `T` is.
pub struct Snapshot<T>(pub std::sync::Arc<T>);

impl<T> Snapshot<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Snapshot(std::sync::Arc::new(value))
    }
}

impl<T> Clone for Snapshot<T> {
    fn clone(&self) -> Self {
        Snapshot(self.0.clone())
    }
}

/// Two snapshots are equal when they are the same snapshot: a send stores a new one.
impl<T> PartialEq for Snapshot<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::fmt::Debug for Snapshot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshot")
    }
}

/// One channel's state shared by its handles: the sequential model and the wakers of the tasks
/// waiting on it, under one mutex, so that a check of the model and the registration of a waker
/// are one atomic step.
///
/// The mutex is std's, which loom does not see: loom sees the channel's `version`, a loom
/// atomic that every operation accesses just before its critical section, with no other loom
/// operation in between, so the critical section happens at that point of the schedule. Since
/// loom runs one thread at a time and switches only at its own operations, the mutex is never
/// contended, and an operation's access and its critical section are one step of the schedule.
#[derive(Debug)]
pub struct Shared<M> {
    inner: std::sync::Arc<Inner<M>>,
}

#[derive(Debug)]
struct Inner<M> {
    /// Loaded by the operations that leave the model as it was, incremented by the others.
    version: AtomicUsize,
    state: std::sync::Mutex<State<M>>,
}

#[derive(Debug)]
struct State<M> {
    model: M,
    /// Tasks waiting to receive (or for a change).
    receivers: Vec<Waker>,
    /// Tasks waiting to send (for room in a bounded mpsc channel).
    senders: Vec<Waker>,
}

/// The waiters a model step may have unblocked: all of them on that side are woken (each
/// re-checks the model when polled again), which is simpler than choosing and cannot strand one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wake {
    /// Wake the tasks waiting to receive.
    pub receivers: bool,
    /// Wake the tasks waiting to send.
    pub senders: bool,
}

impl Wake {
    /// A step that unblocks nobody.
    pub const NONE: Wake = Wake {
        receivers: false,
        senders: false,
    };
    /// A step that may let a receiver proceed (a message, a change, the last sender gone).
    pub const RECEIVERS: Wake = Wake {
        receivers: true,
        senders: false,
    };
    /// A step that may let a sender proceed (a slot freed, the receiver gone).
    pub const SENDERS: Wake = Wake {
        receivers: false,
        senders: true,
    };
    /// A step that ends the channel for everybody (close).
    pub const ALL: Wake = Wake {
        receivers: true,
        senders: true,
    };

    fn when(self, condition: bool) -> Wake {
        if condition { self } else { Wake::NONE }
    }
}

/// Which list a pending task registers in: the side whose progress it waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// It waits to receive.
    Receivers,
    /// It waits to send.
    Senders,
}

impl<M> Clone for Shared<M> {
    fn clone(&self) -> Self {
        Shared {
            inner: self.inner.clone(),
        }
    }
}

impl<M> Shared<M> {
    /// Puts `model` behind the mutex, with nobody waiting.
    pub fn new(model: M) -> Self {
        Shared {
            inner: std::sync::Arc::new(Inner {
                version: AtomicUsize::new(0),
                state: std::sync::Mutex::new(State {
                    model,
                    receivers: Vec::new(),
                    senders: Vec::new(),
                }),
            }),
        }
    }

    /// The critical section, as a step of loom's schedule: `change` says whether it may change
    /// the model.
    fn lock(&self, change: bool) -> std::sync::MutexGuard<'_, State<M>> {
        if change {
            self.inner.version.fetch_add(1, SeqCst);
        } else {
            self.inner.version.load(SeqCst);
        }
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads the model under the lock; wakes nobody, as nothing changes.
    pub fn read<R>(&self, f: impl FnOnce(&M) -> R) -> R {
        f(&self.lock(false).model)
    }

    /// Applies `step` to the model under the lock, then wakes, outside it, the waiters the step
    /// says it may have unblocked.
    pub fn update<R>(&self, step: impl FnOnce(&mut M) -> (R, Wake)) -> R {
        let (result, wakers) = {
            let mut state = self.lock(true);
            let (result, wake) = step(&mut state.model);
            (result, state.take(wake))
        };
        wakers.into_iter().for_each(Waker::wake);
        result
    }

    /// A future's poll: applies `step` under the lock and, if it is pending, registers the
    /// task's waker on `side` in the same critical section, so that the step that will unblock
    /// it (which takes this lock) finds it. Wakes what the step unblocked, outside the lock.
    ///
    /// A poll is a read as long as it changes nothing (a wait, or a channel found closed): it
    /// first tries `step` on a copy of the model, and only if the copy changed does it apply
    /// `step` again, as a change (so `step` must be a function of the model alone). `what`
    /// names the wait (`"mpsc::Receiver::recv"`) for the report of a run that gets stuck.
    pub fn poll<R>(
        &self,
        cx: &mut Context<'_>,
        side: Side,
        what: &'static str,
        mut step: impl FnMut(&mut M) -> (Poll<R>, Wake),
    ) -> Poll<R>
    where
        M: Clone + PartialEq,
    {
        let read = {
            let mut state = self.lock(false);
            let mut copy = state.model.clone();
            let (poll, wake) = step(&mut copy);
            if copy == state.model && wake == Wake::NONE {
                if poll.is_pending() {
                    state.register(side, cx);
                }
                Some(poll)
            } else {
                None
            }
        };
        let (poll, wakers) = match read {
            Some(poll) => (poll, Vec::new()),
            None => {
                let mut state = self.lock(true);
                let (poll, wake) = step(&mut state.model);
                if poll.is_pending() {
                    state.register(side, cx);
                }
                (poll, state.take(wake))
            }
        };
        if poll.is_pending() {
            task::waiting_on(what);
        }
        wakers.into_iter().for_each(Waker::wake);
        poll
    }
}

impl<M> State<M> {
    /// Registers the polling task's waker on `side`, once: a future polled again and again (a
    /// `select!` loop) must not grow the list.
    fn register(&mut self, side: Side, cx: &Context<'_>) {
        let list = match side {
            Side::Receivers => &mut self.receivers,
            Side::Senders => &mut self.senders,
        };
        if !list.iter().any(|w| w.will_wake(cx.waker())) {
            list.push(cx.waker().clone());
        }
    }

    fn take(&mut self, wake: Wake) -> Vec<Waker> {
        let mut wakers = Vec::new();
        if wake.receivers {
            wakers.append(&mut self.receivers);
        }
        if wake.senders {
            wakers.append(&mut self.senders);
        }
        wakers
    }
}
