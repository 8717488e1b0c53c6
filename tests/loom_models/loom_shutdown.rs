//! Loom model of graceful shutdown (`shutdown::Shutdown`): every worker observes the signal,
//! also one that starts after it was sent; the coordinator finishes only after every worker
//! has reported done; no interleaving deadlocks or loses a wake-up.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom::future::block_on;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;
use loom_support::{explore, ready_or_woken, rejected};
use proxy::shutdown::Shutdown;

#[test]
fn every_worker_sees_the_signal_and_the_coordinator_waits_for_all() {
    explore("graceful shutdown", || {
        let shutdown = Shutdown::new();
        let done = Arc::new(AtomicUsize::new(0));

        let listener = shutdown.listener();
        let early_done = done.clone();
        let early = thread::spawn(move || {
            block_on(listener.triggered());
            early_done.fetch_add(1, SeqCst);
            drop(listener); // reports done
        });

        // The coordinator triggers, then a worker starts after the signal.
        let coordinator = shutdown.clone();
        let trigger = thread::spawn(move || coordinator.trigger());
        trigger.join().unwrap();
        let late_listener = shutdown.listener();
        let late_done = done.clone();
        let late = thread::spawn(move || {
            block_on(late_listener.triggered());
            late_done.fetch_add(1, SeqCst);
            drop(late_listener);
        });

        block_on(shutdown.drained());
        assert_eq!(done.load(SeqCst), 2, "drained before every worker was done");
        early.join().unwrap();
        late.join().unwrap();
    });
}

/// The real type under the same check as its twin below: no interleaving of a first poll and
/// a trigger loses the wake-up.
#[test]
fn a_pending_listener_is_always_woken_by_the_trigger() {
    explore("shutdown wake-up", || {
        let shutdown = Shutdown::new();
        let listener = shutdown.listener();
        let trigger = shutdown.clone();
        assert!(ready_or_woken(listener.triggered(), move || trigger.trigger()));
    });
}

/// The broken twin: the flag is checked outside the lock that guards the waiters, so a
/// trigger can fall between the check and the registration, and its wake-up is lost.
#[test]
fn twin_with_a_check_then_register_race_loses_the_wakeup() {
    struct Racy {
        triggered: AtomicBool,
        waiters: Mutex<Vec<Waker>>,
    }
    impl Racy {
        fn trigger(&self) {
            self.triggered.store(true, SeqCst);
            let wakers = std::mem::take(&mut *self.waiters.lock().unwrap());
            wakers.into_iter().for_each(Waker::wake);
        }
    }
    struct Wait(Arc<Racy>);
    impl Future for Wait {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0.triggered.load(SeqCst) {
                return Poll::Ready(());
            }
            // BUG: no re-check of the flag once the lock is held.
            self.0.waiters.lock().unwrap().push(cx.waker().clone());
            Poll::Pending
        }
    }

    let message = rejected("shutdown, check-then-register", || {
        let racy = Arc::new(Racy {
            triggered: AtomicBool::new(false),
            waiters: Mutex::new(Vec::new()),
        });
        let trigger = racy.clone();
        assert!(
            ready_or_woken(Wait(racy), move || trigger.trigger()),
            "lost wake-up"
        );
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// The broken twin of the late joiner: a signal delivered as an event to the listeners present
/// when it is sent (as the guide's broadcast does), not kept as a state. A worker that starts
/// after it waits forever.
#[test]
fn twin_that_delivers_to_present_listeners_only_misses_the_late_worker() {
    /// Listener slots; `trigger` marks those present.
    struct Event {
        delivered: Mutex<Vec<bool>>,
    }
    let message = rejected("shutdown as an event", || {
        let event = Arc::new(Event {
            delivered: Mutex::new(vec![false]), // one early worker
        });
        let sender = event.clone();
        let trigger = thread::spawn(move || {
            sender
                .delivered
                .lock()
                .unwrap()
                .iter_mut()
                .for_each(|d| *d = true);
        });
        // A worker starting now may subscribe before or after the trigger.
        let slot = {
            let mut delivered = event.delivered.lock().unwrap();
            delivered.push(false);
            delivered.len() - 1
        };
        trigger.join().unwrap();
        assert!(
            event.delivered.lock().unwrap()[slot],
            "late worker never told"
        );
    });
    assert!(message.contains("late worker never told"), "{message}");
}
