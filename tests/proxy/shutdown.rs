//! The crate's shutdown signal (`shutdown::Shutdown`), hand-polled: late listeners, wake-ups,
//! and the coordinator waiting for every worker.

use proxy::shutdown::Shutdown;
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

/// A waker that counts its wake-ups; each one is a different waker, as a current-thread
/// runtime's `block_on` gives at each poll (none `will_wake`s another).
#[derive(Default)]
struct Count(std::sync::atomic::AtomicUsize);

impl std::task::Wake for Count {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn counting() -> (std::sync::Arc<Count>, std::task::Waker) {
    let count = std::sync::Arc::new(Count::default());
    (count.clone(), std::task::Waker::from(count))
}

fn woken(count: &Count) -> usize {
    count.0.load(std::sync::atomic::Ordering::SeqCst)
}

/// Polls `future` once with `waker`; whether it was ready.
fn poll_with<F: std::future::Future + Unpin>(future: &mut F, waker: &std::task::Waker) -> bool {
    std::pin::Pin::new(future)
        .poll(&mut std::task::Context::from_waker(waker))
        .is_ready()
}

/// Each future that waits keeps one waker, the one of its latest poll, even when no two of its
/// wakers look alike: the list of waiters no longer grows at every poll (it did, and on a
/// runtime per core the proxy's accept loop spent most of its time scanning it). Two futures
/// waiting at once are both woken.
#[test]
fn a_waiting_future_keeps_only_its_latest_waker() {
    let shutdown = Shutdown::new();
    let (first, second) = (shutdown.listener(), shutdown.listener());
    let mut a = first.triggered();
    let mut b = second.triggered();
    let wakers: Vec<_> = (0..3).map(|_| counting()).collect();
    for (_, waker) in &wakers {
        assert!(!poll_with(&mut a, waker));
    }
    let (b_count, b_waker) = counting();
    assert!(!poll_with(&mut b, &b_waker));
    assert!(
        !poll_with(&mut a, &wakers[2].1),
        "polled again with its latest waker"
    );
    shutdown.trigger();
    let counts: Vec<_> = wakers.iter().map(|(count, _)| woken(count)).collect();
    assert_eq!(counts, [0, 0, 1], "only the latest waker of a is woken");
    assert_eq!(woken(&b_count), 1, "b is woken too");
    assert!(poll_with(&mut a, &wakers[2].1) && poll_with(&mut b, &b_waker));
}

/// A future dropped while it waits takes its waker out: the trigger wakes only the futures
/// still waiting.
#[test]
fn a_future_dropped_while_waiting_is_not_woken() {
    let shutdown = Shutdown::new();
    let (first, second) = (shutdown.listener(), shutdown.listener());
    let (dropped, dropped_waker) = counting();
    let (kept, kept_waker) = counting();
    let mut gone = first.triggered();
    assert!(!poll_with(&mut gone, &dropped_waker));
    let mut waiting = second.triggered();
    assert!(!poll_with(&mut waiting, &kept_waker));
    drop(gone);
    shutdown.trigger();
    assert_eq!((woken(&dropped), woken(&kept)), (0, 1));
}

/// The same for `drained`: one waker per waiting future, the latest, and none once dropped.
#[test]
fn drained_keeps_the_latest_waker_of_each_waiting_future() {
    let shutdown = Shutdown::new();
    let listener = shutdown.listener();
    let (old, old_waker) = counting();
    let (new, new_waker) = counting();
    let (dropped, dropped_waker) = counting();
    let mut drained = shutdown.drained();
    assert!(!poll_with(&mut drained, &old_waker));
    assert!(!poll_with(&mut drained, &new_waker));
    let mut gone = shutdown.drained();
    assert!(!poll_with(&mut gone, &dropped_waker));
    drop(gone);
    drop(listener);
    assert_eq!((woken(&old), woken(&new), woken(&dropped)), (0, 1, 0));
    assert!(poll_with(&mut drained, &new_waker));
}
