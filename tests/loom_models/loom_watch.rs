//! Loom models of watch (`loom_tokio::watch::channel`: the sequential `channel_models::watch`, its
//! values in snapshots, behind a facade mutex, plus the wake-ups): a receiver waiting for a
//! change always wakes after a send; a receiver never observes a value older than one it has
//! already seen; and once the sender is done, a receiver has seen the latest value or is told
//! there is a change.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use loom::thread;
use loom_support::{Wait, explore, rejected, settle_all};
use loom_tokio::watch::error::RecvError;
use loom_tokio::watch::{Receiver, channel};
use loom_tokio::{Side, Wake};

/// The operations under test: the real ones by default; each twin overrides one with a defect.
trait Ops: Copy + Send + Sync + 'static {
    fn changed(self, rx: &mut Receiver<u32>) -> Wait<'_, Result<(), RecvError>> {
        Box::pin(rx.changed())
    }
    fn borrow_and_update(self, rx: &mut Receiver<u32>) -> u32 {
        *rx.borrow_and_update()
    }
}

#[derive(Clone, Copy)]
struct Real;
impl Ops for Real {}

/// Two receivers wait for a change while a send happens on another thread: both wake, and
/// both then read the value sent.
fn send_wakes_every_waiting_receiver(ops: impl Ops) {
    let (tx, mut rx) = channel(0u32);
    let mut rx2 = rx.clone();
    let (woken, tx) = settle_all(
        vec![ops.changed(&mut rx), ops.changed(&mut rx2)],
        move || {
            tx.send(1).unwrap();
            tx
        },
    );
    assert_eq!(
        woken,
        [Some(Ok(())), Some(Ok(()))],
        "lost wake-up: a receiver waits although a value was sent"
    );
    assert_eq!((*rx.borrow(), *rx2.borrow()), (1, 1));
    drop(tx);
}

/// The sender sends 1 then 2 on another thread while two receivers (one a clone of the other,
/// on a third thread) read twice each: a second read is never older than the first; and once
/// the sender is done, each receiver has seen 2 or is told there is a change, then reads 2.
fn fresh(ops: impl Ops) {
    let (tx, rx) = channel(0u32);
    let rx2 = rx.clone();
    let sender = thread::spawn(move || {
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        tx
    });
    let reads_twice = move |mut rx: Receiver<u32>| {
        let first = ops.borrow_and_update(&mut rx);
        let second = ops.borrow_and_update(&mut rx);
        assert!(first <= second, "read {first}, then the older {second}");
        (rx, second)
    };
    let other = thread::spawn(move || reads_twice(rx2));
    let (rx, last) = reads_twice(rx);
    let tx = sender.join().unwrap();
    for (mut rx, last) in [(rx, last), other.join().unwrap()] {
        assert_eq!(
            rx.has_changed(),
            Ok(last != 2),
            "stale for good: the receiver read {last} and is told nothing changed since"
        );
        assert_eq!(ops.borrow_and_update(&mut rx), 2);
    }
    drop(tx);
}

#[test]
fn a_waiting_receiver_always_wakes_after_a_send() {
    explore("watch wake-up", || send_wakes_every_waiting_receiver(Real));
}

#[test]
fn a_receiver_never_goes_back_and_never_misses_the_latest() {
    explore("watch freshness", || fresh(Real));
}

/// Broken twin: `changed()` looks for a new version in one critical section and registers as
/// waiting in another, so a send can fall in between and find nobody to wake.
#[test]
fn twin_whose_changed_checks_then_registers_loses_a_wakeup() {
    struct RacyChanged<'a>(&'a mut Receiver<u32>);
    impl Future for RacyChanged<'_> {
        type Output = Result<(), RecvError>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let rx = &mut *self.get_mut().0;
            match rx.has_changed() {
                Ok(true) => {
                    rx.borrow_and_update();
                    Poll::Ready(Ok(()))
                }
                Err(closed) => Poll::Ready(Err(closed)),
                // BUG: the lock was released after the check; registered without re-checking.
                Ok(false) => {
                    rx.shared()
                        .poll(cx, Side::Receivers, "watch::Receiver::changed", |_| {
                            (Poll::Pending, Wake::NONE)
                        })
                }
            }
        }
    }
    #[derive(Clone, Copy)]
    struct CheckThenRegister;
    impl Ops for CheckThenRegister {
        fn changed(self, rx: &mut Receiver<u32>) -> Wait<'_, Result<(), RecvError>> {
            Box::pin(RacyChanged(rx))
        }
    }
    let message = rejected("watch, changed checks then registers", || {
        send_wakes_every_waiting_receiver(CheckThenRegister);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: the receiver reads the value in one critical section and marks the version
/// seen in another; a send in between is marked seen without having been read.
#[test]
fn twin_that_reads_then_marks_seen_misses_the_latest_value() {
    #[derive(Clone, Copy)]
    struct ReadThenMark;
    impl Ops for ReadThenMark {
        fn borrow_and_update(self, rx: &mut Receiver<u32>) -> u32 {
            let value = *rx.borrow();
            let id = rx.id();
            rx.shared().update(|m| {
                // BUG: marks seen whatever version is there now, not the one read.
                m.mark_unchanged(id);
                ((), Wake::NONE)
            });
            value
        }
    }
    let message = rejected("watch, read then mark seen", || fresh(ReadThenMark));
    assert!(message.contains("stale for good"), "{message}");
}

/// The handles' accessors, on one thread: a borrow says whether its value was unseen, and
/// the error reads as tokio's does.
#[test]
fn the_handles_report_the_channels_own_state() {
    loom::model(|| {
        let (tx, mut rx) = channel(0u32);
        assert!(!rx.borrow().has_changed(), "the initial value is seen");
        tx.send(1).unwrap();
        let seen = rx.borrow();
        assert_eq!((*seen, seen.has_changed()), (1, true));
        assert!(rx.borrow_and_update().has_changed());
        assert!(!rx.borrow().has_changed(), "marked seen");
    });
    let (tokio_tx, mut tokio_rx) = tokio::sync::watch::channel(0u32);
    drop(tokio_tx);
    let tokio_error = tokio_test::block_on(tokio_rx.changed()).unwrap_err();
    loom::model(move || {
        let (tx, mut rx) = channel(0u32);
        drop(tx);
        // Polled once, not blocked on: a drop that does not close the channel fails here.
        let Poll::Ready(Err(ours)) = tokio_test::task::spawn(rx.changed()).poll() else {
            panic!("changed() after the sender's drop is not an error at once");
        };
        assert_eq!(ours.to_string(), tokio_error.to_string());
    });
}

/// `receiver_count` follows subscriptions, clones and drops; the sender's drop wakes a
/// waiting receiver, which then sees the channel closed.
#[test]
fn receivers_are_counted_and_the_senders_drop_wakes_them() {
    loom::model(|| {
        let (tx, rx) = channel(0u32);
        assert_eq!(tx.receiver_count(), 1);
        let mut other = tx.subscribe();
        let clone = rx.clone();
        assert_eq!(tx.receiver_count(), 3);
        drop(rx);
        drop(clone);
        assert_eq!(tx.receiver_count(), 1, "dropped receivers stop counting");
        let mut changed = tokio_test::task::spawn(other.changed());
        assert!(changed.poll().is_pending());
        drop(tx);
        assert!(changed.is_woken(), "the sender's drop closes the channel");
        assert!(matches!(changed.poll(), Poll::Ready(Err(_))));
    });
}

/// `wait_for`: its first poll takes the current value if it matches, seen or not; after
/// that only a new matching value completes it (a new value that does not match leaves it
/// waiting, and re-registered); the sender's drop ends it with an error.
#[test]
fn wait_for_takes_the_first_matching_value() {
    loom::model(|| {
        let (tx, mut rx) = channel(4u32);
        rx.borrow_and_update();
        let mut even = tokio_test::task::spawn(rx.wait_for(|v| v % 2 == 0));
        match even.poll() {
            Poll::Ready(Ok(r)) => assert_eq!((*r, r.has_changed()), (4, false)),
            other => panic!("the current value matches, seen or not: {other:?}"),
        }
        drop(even);

        let mut big = tokio_test::task::spawn(rx.wait_for(|v| *v > 10));
        assert!(big.poll().is_pending(), "4 does not match");
        tx.send(5).unwrap();
        assert!(big.is_woken());
        assert!(big.poll().is_pending(), "5 does not match either");
        tx.send(11).unwrap();
        assert!(
            big.is_woken(),
            "still registered after a value that did not match"
        );
        match big.poll() {
            Poll::Ready(Ok(r)) => assert_eq!((*r, r.has_changed()), (11, true)),
            other => panic!("11 matches: {other:?}"),
        }
        drop(big);

        let mut never = tokio_test::task::spawn(rx.wait_for(|v| *v == 0));
        assert!(never.poll().is_pending());
        drop(tx);
        assert!(never.is_woken());
        assert!(matches!(never.poll(), Poll::Ready(Err(_))), "closed");
    });
}
