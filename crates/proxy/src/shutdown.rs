//! The proxy's shutdown signal: what its accept loops and connections watch to drain.
//!
//! It takes the lesson of the guide's "Graceful Shutdown with Channels": a broadcast message
//! reaches only the receivers subscribed when it is sent, so a worker that starts later never
//! stops (erratum E04), and nothing tells the coordinator when every worker is done except a
//! separate mpsc channel. [`Shutdown`] is a state, not a message:
//! a [`Listener`] created after [`Shutdown::trigger`] sees it at once; and the coordinator can
//! wait with [`Shutdown::drained`] until every listener, i.e. every worker, is gone.
//!
//! Its state is one mutex from `crate::sync`, so the loom models (`tests/loom_models/loom_shutdown.rs`)
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
    waiting_for_trigger: Waiters,
    /// Tasks waiting in [`Shutdown::drained`].
    waiting_for_drain: Waiters,
}

/// The tasks waiting for one event: one waker per waiting future, the one its latest poll gave.
///
/// Each future that waits holds a ticket, and a poll replaces the waker under its ticket; a
/// future dropped while waiting takes its waker out. Keyed by ticket, not by waker: a
/// current-thread runtime's `block_on` waker never `will_wake`s its own clone, so a list that
/// skipped wakers equal to a registered one would grow at every poll, and the proxy's accept
/// loop polls a [`Triggered`] per connection.
#[derive(Debug, Default)]
struct Waiters {
    /// The next ticket to hand out.
    next: u64,
    /// The waiting futures' tickets and wakers.
    list: Vec<(u64, Waker)>,
}

impl Waiters {
    /// Registers `waker` for the future holding `ticket`, replacing the waker of its previous
    /// poll; a future without a ticket, or whose waker was taken to wake, gets a new one.
    fn register(&mut self, ticket: &mut Option<u64>, waker: &Waker) {
        let registered = ticket.and_then(|t| self.list.iter_mut().find(|(id, _)| *id == t));
        match registered {
            Some((_, old)) => old.clone_from(waker),
            None => {
                *ticket = Some(self.next);
                self.list.push((self.next, waker.clone()));
                self.next += 1;
            }
        }
    }

    /// Takes out the waker of a future that stops waiting.
    fn remove(&mut self, ticket: u64) {
        self.list.retain(|(id, _)| *id != ticket);
    }

    /// Takes every waker, to wake them.
    fn take(&mut self) -> Vec<Waker> {
        std::mem::take(&mut self.list)
            .into_iter()
            .map(|(_, waker)| waker)
            .collect()
    }
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
            state.waiting_for_trigger.take()
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
        Drained {
            shutdown: self,
            ticket: None,
        }
    }
}

impl Listener {
    /// Completes once the shutdown is triggered (at once if it already was).
    pub fn triggered(&self) -> Triggered<'_> {
        Triggered {
            listener: self,
            ticket: None,
        }
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
                state.waiting_for_drain.take()
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
    /// Its place among the waiters, once it waits: see [`Waiters`].
    ticket: Option<u64>,
}

impl Future for Triggered<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = lock(&this.listener.shared);
        // Checked under the lock that `trigger` takes to set it: no trigger can slip in
        // between this check and the registration below.
        if state.triggered {
            return Poll::Ready(());
        }
        state
            .waiting_for_trigger
            .register(&mut this.ticket, cx.waker());
        Poll::Pending
    }
}

impl Drop for Triggered<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            lock(&self.listener.shared)
                .waiting_for_trigger
                .remove(ticket);
        }
    }
}

/// Future of [`Shutdown::drained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Drained<'a> {
    shutdown: &'a Shutdown,
    /// Its place among the waiters, once it waits: see [`Waiters`].
    ticket: Option<u64>,
}

impl Future for Drained<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = lock(&this.shutdown.shared);
        if state.listeners == 0 {
            return Poll::Ready(());
        }
        state
            .waiting_for_drain
            .register(&mut this.ticket, cx.waker());
        Poll::Pending
    }
}

impl Drop for Drained<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            lock(&self.shutdown.shared).waiting_for_drain.remove(ticket);
        }
    }
}
