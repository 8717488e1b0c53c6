//! The shutdown signal: what the guide's "Graceful Shutdown with Channels" wants from its
//! broadcast channel, made correct.
//!
//! The guide's broadcast message reaches only the workers subscribed when it is sent, so a
//! worker that starts later never stops (erratum E04), and nothing tells the coordinator when
//! every worker is done except a separate mpsc channel. [`Shutdown`] is a state, not a message:
//! a [`Listener`] created after [`Shutdown::trigger`] sees it at once; and the coordinator can
//! wait with [`Shutdown::drained`] until every listener, i.e. every worker, is gone.
//!
//! Its state is one mutex from [`crate::sync`], so the loom models (`tests/loom_shutdown.rs`)
//! check this very code. Wake-ups are registered and the flag re-checked under the same lock,
//! which is what makes a lost wake-up impossible.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::sync::{Arc, Mutex, lock};

/// The coordinator's side: triggers the shutdown and waits for the workers to finish.
/// Cloning gives another handle to the same signal.
#[derive(Clone, Debug)]
pub struct Shutdown {
    shared: Arc<Mutex<State>>,
}

/// A worker's side: waits for the shutdown. The worker holds it until it has finished
/// cleaning up; dropping it is how the worker reports "done" to [`Shutdown::drained`].
#[derive(Debug)]
pub struct Listener {
    shared: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    triggered: bool,
    /// Listeners alive: the workers not yet done.
    listeners: usize,
    /// Tasks waiting in [`Listener::triggered`].
    waiting_for_trigger: Vec<Waker>,
    /// Tasks waiting in [`Shutdown::drained`].
    waiting_for_drain: Vec<Waker>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A signal not yet triggered, with no listener.
    pub fn new() -> Self {
        Shutdown {
            shared: Arc::new(Mutex::new(State::default())),
        }
    }

    /// A new listener, for a new worker. Works the same before and after [`Shutdown::trigger`]:
    /// a late worker sees the shutdown at once.
    pub fn listener(&self) -> Listener {
        lock(&self.shared).listeners += 1;
        Listener {
            shared: self.shared.clone(),
        }
    }

    /// Tells every listener, present and future, to shut down. Idempotent.
    pub fn trigger(&self) {
        let wakers = {
            let mut state = lock(&self.shared);
            state.triggered = true;
            std::mem::take(&mut state.waiting_for_trigger)
        };
        // Woken outside the lock: a waker may run code that takes it.
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Whether [`Shutdown::trigger`] has been called.
    pub fn is_triggered(&self) -> bool {
        lock(&self.shared).triggered
    }

    /// Listeners still alive.
    pub fn listeners(&self) -> usize {
        lock(&self.shared).listeners
    }

    /// Completes once every listener has been dropped (at once if there is none).
    pub fn drained(&self) -> Drained<'_> {
        Drained { shutdown: self }
    }
}

impl Listener {
    /// Completes once the shutdown is triggered (at once if it already was).
    pub fn triggered(&self) -> Triggered<'_> {
        Triggered { listener: self }
    }

    /// Whether the shutdown has been triggered.
    pub fn is_triggered(&self) -> bool {
        lock(&self.shared).triggered
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let wakers = {
            let mut state = lock(&self.shared);
            state.listeners -= 1;
            if state.listeners == 0 {
                std::mem::take(&mut state.waiting_for_drain)
            } else {
                Vec::new()
            }
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// Future of [`Listener::triggered`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Triggered<'a> {
    listener: &'a Listener,
}

impl Future for Triggered<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.listener.shared);
        // Checked under the lock that `trigger` takes to set it: no trigger can slip in
        // between this check and the registration below.
        if state.triggered {
            return Poll::Ready(());
        }
        register(&mut state.waiting_for_trigger, cx.waker());
        Poll::Pending
    }
}

/// Future of [`Shutdown::drained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Drained<'a> {
    shutdown: &'a Shutdown,
}

impl Future for Drained<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.shutdown.shared);
        if state.listeners == 0 {
            return Poll::Ready(());
        }
        register(&mut state.waiting_for_drain, cx.waker());
        Poll::Pending
    }
}

/// Adds `waker` unless an equivalent one is registered: a future polled again and again (in a
/// `select!` loop) must not grow the list.
fn register(wakers: &mut Vec<Waker>, waker: &Waker) {
    if !wakers.iter().any(|w| w.will_wake(waker)) {
        wakers.push(waker.clone());
    }
}
