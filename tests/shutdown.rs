//! The crate's shutdown signal (`shutdown::Shutdown`), hand-polled: late listeners, wake-ups,
//! and the coordinator waiting for every worker.

use channel_patterns::shutdown::Shutdown;
use tokio_test::task;
use tokio_test::{assert_pending, assert_ready};

/// `is_triggered` on both sides and `listeners` follow the signal and the workers.
#[test]
fn accessors_follow_the_trigger_and_the_listeners() {
    let shutdown = Shutdown::new();
    let other = shutdown.clone();
    assert_eq!(shutdown.listeners(), 0);
    let first = shutdown.listener();
    let second = other.listener();
    assert_eq!((shutdown.listeners(), other.listeners()), (2, 2));
    assert!(!shutdown.is_triggered() && !first.is_triggered());
    other.trigger();
    assert!(shutdown.is_triggered() && first.is_triggered() && second.is_triggered());
    drop(first);
    assert_eq!(shutdown.listeners(), 1);
    other.trigger();
    assert!(shutdown.is_triggered(), "triggering twice changes nothing");
    drop(second);
    assert_eq!(shutdown.listeners(), 0);
}

#[test]
fn a_waiting_listener_is_woken_by_trigger() {
    let shutdown = Shutdown::new();
    let listener = shutdown.listener();
    let mut triggered = task::spawn(listener.triggered());
    assert_pending!(triggered.poll());
    shutdown.trigger();
    assert!(triggered.is_woken());
    assert_ready!(triggered.poll());
}

/// The guide's broadcast signal misses a worker that starts late (E04); this does not.
#[test]
fn a_listener_created_after_the_trigger_sees_it_at_once() {
    let shutdown = Shutdown::new();
    shutdown.trigger();
    let late = shutdown.listener();
    assert!(late.is_triggered());
    assert_ready!(task::spawn(late.triggered()).poll());
}

#[test]
fn every_listener_is_woken() {
    let shutdown = Shutdown::new();
    let listeners: Vec<_> = (0..3).map(|_| shutdown.listener()).collect();
    let mut waits: Vec<_> = listeners
        .iter()
        .map(|l| task::spawn(l.triggered()))
        .collect();
    for w in &mut waits {
        assert_pending!(w.poll());
    }
    shutdown.trigger();
    for w in &mut waits {
        assert!(w.is_woken());
        assert_ready!(w.poll());
    }
}

/// The coordinator finishes only after every worker is done (has dropped its listener).
#[test]
fn drained_waits_for_every_listener_to_be_dropped() {
    let shutdown = Shutdown::new();
    let first = shutdown.listener();
    let second = shutdown.listener();
    shutdown.trigger();
    let mut drained = task::spawn(shutdown.drained());
    assert_pending!(drained.poll());
    drop(first);
    assert!(!drained.is_woken(), "one worker is still running");
    assert_pending!(drained.poll());
    drop(second);
    assert!(drained.is_woken());
    assert_ready!(drained.poll());
    assert_eq!(shutdown.listeners(), 0);
}

#[test]
fn drained_with_no_listener_is_ready_at_once() {
    let shutdown = Shutdown::new();
    assert_ready!(task::spawn(shutdown.drained()).poll());
}

/// Polled again and again without a trigger (as in a select! loop), one waker is kept, and the
/// trigger still wakes it.
#[test]
fn repeated_polls_register_one_waker() {
    let shutdown = Shutdown::new();
    let listener = shutdown.listener();
    let mut triggered = task::spawn(listener.triggered());
    for _ in 0..100 {
        assert_pending!(triggered.poll());
    }
    assert_eq!(
        triggered.waker_ref_count(),
        2,
        "the task's waker and one registered clone"
    );
    shutdown.trigger();
    assert!(triggered.is_woken());
}
