//! Loom models of broadcast lag (`loom_tokio::broadcast::channel`: the sequential
//! `channel_models::broadcast` behind a facade mutex, plus the wake-ups): with senders and receivers
//! running concurrently, what each receiver gets is a run of the sent sequence, its gaps
//! reported by exact lag counts (a value, a lag of `n` skipping exactly `n` positions, then the
//! value at the next position); and a send wakes every receiver waiting for it.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use loom::sync::{Arc, Mutex};
use loom::thread;
use loom_support::{Wait, explore, rejected, settle_all};
use loom_tokio::broadcast::error::{RecvError, TryRecvError};
use loom_tokio::broadcast::{Receiver, channel};
use loom_tokio::{Side, Wake};

/// The operations under test: the real ones by default; each twin overrides one with a defect.
trait Ops: Copy + Send + Sync + 'static {
    fn try_recv(self, rx: &mut Receiver<u32>) -> Result<u32, TryRecvError> {
        rx.try_recv()
    }
    fn recv(self, rx: &mut Receiver<u32>) -> Wait<'_, Result<u32, RecvError>> {
        Box::pin(rx.recv())
    }
}

#[derive(Clone, Copy)]
struct Real;
impl Ops for Real {}

/// Checks that `seen`, everything one receiver subscribed before the first send got (ending
/// with `Closed`), is the run of `sent` it claims: each value is the one at its position, each
/// `Lagged(n)` skips exactly the `n` positions it lost and is followed by a value or another
/// lag, and every position is accounted for.
fn assert_run_of(sent: &[u32], seen: &[Result<u32, TryRecvError>]) {
    let context = format!("received {seen:?}, sent {sent:?}");
    let mut position = 0;
    let mut after_lag = false;
    for item in seen {
        match item {
            Ok(v) => {
                assert_eq!(
                    sent.get(position),
                    Some(v),
                    "not a run of the sent sequence: {context}"
                );
                position += 1;
                after_lag = false;
            }
            Err(TryRecvError::Lagged(n)) => {
                assert!(
                    *n > 0,
                    "not a run of the sent sequence (a lag of 0): {context}"
                );
                position += usize::try_from(*n).unwrap();
                assert!(
                    position < sent.len(),
                    "not a run of the sent sequence (lagged past the end): {context}"
                );
                after_lag = true;
            }
            Err(TryRecvError::Empty | TryRecvError::Closed) => {
                assert!(
                    !after_lag,
                    "not a run of the sent sequence (nothing after a lag): {context}"
                );
            }
        }
    }
    assert_eq!(seen.last(), Some(&Err(TryRecvError::Closed)), "{context}");
    assert_eq!(
        position,
        sent.len(),
        "not every position accounted for: {context}"
    );
}

/// Capacity 1; two senders (one on the main thread) send 1 and 2, recording each successful
/// send in `sent` under a lock held across the send, so that `sent` is the channel's order. One
/// receiver reads twice on its own thread meanwhile, the other once on the main thread; after
/// the senders are gone, both read to the end.
fn lag(ops: impl Ops) {
    let (tx, mut main_rx) = channel::<u32>(1);
    let mut thread_rx = tx.subscribe();
    let tx2 = tx.clone();
    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = sent.clone();
    let sender = thread::spawn(move || {
        let mut sent = record.lock().unwrap();
        if tx2.send(1).is_ok() {
            sent.push(1);
        }
    });
    let receiver = thread::spawn(move || {
        let seen = vec![ops.try_recv(&mut thread_rx), ops.try_recv(&mut thread_rx)];
        (thread_rx, seen)
    });
    {
        let mut sent = sent.lock().unwrap();
        if tx.send(2).is_ok() {
            sent.push(2);
        }
    }
    let mut main_seen = vec![ops.try_recv(&mut main_rx)];
    drop(tx);
    sender.join().unwrap();
    let (mut thread_rx, mut thread_seen) = receiver.join().unwrap();

    let sent = sent.lock().unwrap().clone();
    for (rx, seen) in [
        (&mut main_rx, &mut main_seen),
        (&mut thread_rx, &mut thread_seen),
    ] {
        while seen.last() != Some(&Err(TryRecvError::Closed)) {
            seen.push(ops.try_recv(rx));
        }
        assert_run_of(&sent, seen);
    }
}

/// Two receivers wait on an empty channel while a send happens on another thread: both are
/// woken, and both get the value.
fn send_wakes_every_receiver(ops: impl Ops) {
    let (tx, mut rx_a) = channel::<u32>(1);
    let mut rx_b = tx.subscribe();
    let (got, tx) = settle_all(vec![ops.recv(&mut rx_a), ops.recv(&mut rx_b)], move || {
        tx.send(1).unwrap();
        tx
    });
    assert_eq!(
        got,
        [Some(Ok(1)), Some(Ok(1))],
        "lost wake-up: a receiver waits although a message was sent"
    );
    drop(tx);
}

#[test]
fn each_receiver_gets_a_run_of_the_sent_sequence_with_exact_lags() {
    explore("broadcast lag", || lag(Real));
}

#[test]
fn a_send_wakes_every_waiting_receiver() {
    explore("broadcast wake-up", || send_wakes_every_receiver(Real));
}

/// Broken twin: the lag count comes from a look at the receiver's backlog taken in one
/// critical section, and the cursor moves in another; a send in between makes it stale.
#[test]
fn twin_that_counts_the_lag_before_moving_the_cursor_reports_a_wrong_gap() {
    #[derive(Clone, Copy)]
    struct StaleLag;
    impl Ops for StaleLag {
        fn try_recv(self, rx: &mut Receiver<u32>) -> Result<u32, TryRecvError> {
            let id = rx.id();
            let (behind, capacity) = rx
                .shared()
                .read(|m| (m.receiver_len(id).unwrap_or(0), m.capacity()));
            match rx.try_recv() {
                // BUG: counted before the cursor moved, under another lock.
                Err(TryRecvError::Lagged(_)) => {
                    Err(TryRecvError::Lagged(behind.saturating_sub(capacity) as u64))
                }
                other => other,
            }
        }
    }
    let message = rejected("broadcast, lag counted before the cursor moves", || {
        lag(StaleLag);
    });
    assert!(
        message.contains("not a run of the sent sequence"),
        "{message}"
    );
}

/// Broken twin: a receive that looks for a message in one critical section and registers as
/// waiting in another, so a send can fall in between and find nobody to wake.
#[test]
fn twin_whose_recv_checks_then_registers_loses_a_wakeup() {
    struct RacyRecv<'a>(&'a mut Receiver<u32>);
    impl Future for RacyRecv<'_> {
        type Output = Result<u32, RecvError>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let rx = &mut *self.get_mut().0;
            match rx.try_recv() {
                Ok(v) => Poll::Ready(Ok(v)),
                Err(TryRecvError::Lagged(n)) => Poll::Ready(Err(RecvError::Lagged(n))),
                Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError::Closed)),
                // BUG: the lock was released after the check; registered without re-checking.
                Err(TryRecvError::Empty) => {
                    rx.shared()
                        .poll(cx, Side::Receivers, "broadcast::Receiver::recv", |_| {
                            (Poll::Pending, Wake::NONE)
                        })
                }
            }
        }
    }
    #[derive(Clone, Copy)]
    struct CheckThenRegister;
    impl Ops for CheckThenRegister {
        fn recv(self, rx: &mut Receiver<u32>) -> Wait<'_, Result<u32, RecvError>> {
            Box::pin(RacyRecv(rx))
        }
    }
    let message = rejected("broadcast, recv checks then registers", || {
        send_wakes_every_receiver(CheckThenRegister);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// The handles' accessors, on one thread: `receiver_count` follows subscriptions and drops, a
/// dropped receiver stops counting (a send with none left fails), only the last sender's drop
/// wakes a waiting receiver, and the errors read as tokio's do.
#[test]
fn the_handles_report_the_channels_own_state() {
    use loom_tokio::broadcast::error::RecvError;
    loom::model(|| {
        let (tx, rx) = channel::<u32>(2);
        assert_eq!(tx.receiver_count(), 1);
        let other = tx.subscribe();
        assert_eq!(tx.receiver_count(), 2);
        drop(rx);
        assert_eq!(tx.receiver_count(), 1, "a dropped receiver stops counting");
        drop(other);
        assert_eq!(tx.receiver_count(), 0);
        assert!(tx.send(1).is_err(), "no receiver left");

        let (tx, mut rx) = channel::<u32>(2);
        let second = tx.clone();
        let mut recv = tokio_test::task::spawn(rx.recv());
        assert!(recv.poll().is_pending());
        drop(second);
        assert!(!recv.is_woken(), "a sender is left: nothing to wake for");
        drop(tx);
        assert!(recv.is_woken(), "the last sender's drop closes the channel");
        assert_eq!(recv.poll(), std::task::Poll::Ready(Err(RecvError::Closed)));
    });
    use tokio::sync::broadcast::error::RecvError as Tokio;
    for (ours, tokio) in [
        (RecvError::Closed, Tokio::Closed),
        (RecvError::Lagged(3), Tokio::Lagged(3)),
    ] {
        assert_eq!(ours.to_string(), tokio.to_string());
    }
}
