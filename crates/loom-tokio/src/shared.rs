//! The pieces every channel of this crate is built from: a model behind one lock with the
//! wakers of its waiting tasks ([`Shared`]), the waiters a step unblocks ([`Wake`]), the side
//! a task waits on ([`Side`]), and the holders of the values a model moves ([`Parcel`],
//! [`Snapshot`]). Public only with the feature `twins`, for the loom tests that build a
//! broken twin of one operation from the same pieces.

use std::task::{Context, Poll, Waker};

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use crate::task;

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

/// A value as a model holds it (watch's, broadcast's): shared, so that a
/// [`watch::Ref`](crate::watch::Ref) can hold it without a lock, and compared by identity, so
/// that a model holding it can tell whether a step changed it (see [`Shared::poll`]) whatever
/// `T` is.
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

    pub(crate) fn when(self, condition: bool) -> Wake {
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
