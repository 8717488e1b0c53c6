//! tokio's channel, task and time API on loom, so that loom explores code written against
//! tokio. A project switches to it with `tokio-or-loom`, which it names `tokio`: under that
//! crate's feature `loom`, `tokio::sync`, `tokio::spawn`, `tokio::task`, `tokio::time`,
//! `tokio::select!` and `#[tokio::test]` are this crate's ([`test`] runs an async test in
//! every interleaving, through [`model`]). It is also the loom backend of `channel-patterns`
//! (its `rt` module names this crate's items in place of tokio's under
//! `--cfg channel_patterns_loom`).
//!
//! Loom cannot see inside tokio, so these are not tokio's channels: each one is a reference
//! model of the `channel-models` crate ([`channel_models::oneshot`], [`channel_models::mpsc`],
//! [`channel_models::broadcast`], [`channel_models::watch`]) in a `Shared`, with the wakers of
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
//! its critical section (see `Shared`): a load for an operation that leaves the model as it
//! was (a read, or a poll that only waits), an increment for one that changes it. Loom takes
//! two loads for independent, so it does not explore the orders of readers that cannot tell
//! them apart (three workers waiting on one signal), and it explores every order of a change
//! and the operations it affects.
//!
//! Tasks are loom threads ([`task`]), time is a virtual clock with tokio's paused-time rule
//! ([`time`]: `sleep`, `timeout`, `interval`), and `select!` polls its branches in order ([`select`]).
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
//! - a `time::Timeout` holds its future boxed, so it is `Unpin` whatever the future, and lends
//!   it only by `get_ref`;
//! - a `JoinHandle` can be awaited only by a task of the run, and a run has at most
//!   `loom::MAX_THREADS - 1` spawned tasks (4);
//! - `#[test]` accepts tokio's arguments but none changes anything: every flavor is loom's
//!   threads, and `start_paused` is always true; a test takes no arguments and returns `()` or
//!   `Result<(), E>`; there is no `#[main]`;
//! - `join!` and `try_join!` poll their futures in the order written, where tokio starts each
//!   round at the next one; they take at most 8 futures, and no `biased;`;
//! - only part of tokio's API is there: the four channels (mpsc bounded and unbounded), `spawn`,
//!   `JoinHandle` (`abort`, `is_finished`), `JoinSet` (its `spawn` returns no `AbortHandle`),
//!   `yield_now`, `select!`, `join!`, `try_join!`, `pin!`, and `time`'s `Instant`, `sleep`,
//!   `sleep_until`, `timeout`, `timeout_at`, `interval`, `interval_at`, `advance` and `pause`
//!   (`resume` panics); not `Notify`, `Mutex`, `Semaphore`, `RwLock`, nor `io` or `net`.
//!
//! With the feature `twins` (for tests only), the handles lend their `Shared` (`shared()`) and
//! model ids, and the pieces of the channels are public, so that a loom test can build a broken
//! twin of one operation from the same pieces, with the one defect it is about.

#![warn(clippy::unwrap_used, clippy::expect_used)]

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
mod harness;
pub mod join;
pub mod mpsc;
pub mod oneshot;
pub mod select;
pub mod task;
pub mod time;
pub mod watch;

mod shared;
#[cfg(feature = "twins")]
pub use shared::{Parcel, Shared, Side, Snapshot, Wake};
#[cfg(not(feature = "twins"))]
use shared::{Parcel, Shared, Side, Snapshot, Wake};

/// tokio's `sync` module: the four channels.
pub mod sync {
    pub use super::{broadcast, mpsc, oneshot, watch};
}

/// tokio's `join!`: see [`join`](mod@join).
pub use crate::__loom_join as join;
/// tokio's `pin!`: see [`join`](mod@join).
pub use crate::__loom_pin as pin;
/// tokio's `select!`, with its syntax: see [`select`](mod@select).
pub use crate::__loom_select as select;
/// tokio's `try_join!`: see [`join`](mod@join).
pub use crate::__loom_try_join as try_join;
pub use harness::{DEFAULT_PREEMPTIONS, TestOutput, model};
pub use loom_tokio_macros::test;
pub use task::spawn;
