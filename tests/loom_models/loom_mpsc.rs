//! Loom models of backpressure on a bounded mpsc channel (`loom_tokio::mpsc::channel`:
//! the sequential `channel_models::mpsc`, its values in parcels, behind a facade mutex, plus the
//! wake-ups): the queue never holds more than its capacity, a producer waiting for room is
//! always woken when room frees (no lost wake-up), messages come out in FIFO order, and closing
//! the channel wakes every waiting producer, as the last producer's drop wakes the waiting
//! consumer.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use channel_models::mpsc::{Mpsc, Op, Outcome};
use loom::thread;
use loom_support::{Wait, explore, rejected, settle, settle_all};
use loom_tokio::mpsc::error::{SendError, TryRecvError, TrySendError};
use loom_tokio::mpsc::{Model, Receiver, Sender, UnboundedSender, channel, unbounded_channel};
use loom_tokio::{Shared, Side, Wake};

const CAPACITY: usize = 2;

/// The operations under test: the real ones by default; each twin overrides one with a defect.
trait Ops: Copy + Send + Sync + 'static {
    fn send(self, tx: &Sender<u32>, value: u32) -> Wait<'_, Result<(), SendError<u32>>> {
        Box::pin(tx.send(value))
    }
    /// The consumer's `recv().await`, polled once (the models call it only when a message is
    /// queued, so it is ready).
    fn recv(self, rx: &mut Receiver<u32>) -> Option<u32> {
        let mut cx = Context::from_waker(Waker::noop());
        match std::pin::pin!(rx.recv()).poll(&mut cx) {
            Poll::Ready(got) => got,
            Poll::Pending => panic!("recv pending with a message queued"),
        }
    }
    fn close(self, rx: &mut Receiver<u32>) {
        rx.close();
    }
    fn drop_sender(self, tx: Sender<u32>) {
        drop(tx);
    }
}

#[derive(Clone, Copy)]
struct Real;
impl Ops for Real {}

fn assert_within_capacity(shared: &Shared<Model<u32>>) {
    let queued = shared.read(|m| m.buffered().len());
    assert!(
        queued <= CAPACITY,
        "{queued} messages queued, capacity {CAPACITY}"
    );
}

/// A full channel (`1`, `2` queued by the first producer); that producer's `send(5)` polled
/// while the consumer takes two messages and a second producer tries to slip `3` and `4` in.
/// A producer still waiting once everybody is done must be waiting on a full channel (else it
/// was not woken when room freed), no message is lost or invented, and each producer's
/// messages come out in the order it sent them.
fn backpressure(ops: impl Ops) {
    let (tx, rx) = channel::<u32>(CAPACITY);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let tx2 = tx.clone();
    let producer = thread::spawn(move || {
        let accepted: Vec<u32> = [3, 4]
            .into_iter()
            .filter(|&v| {
                let sent = tx2.try_send(v);
                assert_within_capacity(tx2.shared());
                match sent {
                    Ok(()) => true,
                    Err(TrySendError::Full(_)) => false,
                    Err(e) => panic!("try_send on an open channel: {e:?}"),
                }
            })
            .collect();
        accepted
    });
    let (sent, (mut rx, mut received)) = settle(ops.send(&tx, 5), move || {
        let mut rx = rx;
        let received: Vec<u32> = (0..2)
            .filter_map(|_| {
                let got = ops.recv(&mut rx);
                assert_within_capacity(rx.shared());
                got
            })
            .collect();
        (rx, received)
    });
    let mut accepted = vec![1, 2];
    accepted.extend(producer.join().unwrap());
    match sent {
        Some(Ok(())) => accepted.push(5),
        Some(Err(_)) => panic!("send failed on an open channel"),
        None => assert!(
            rx.shared().read(Mpsc::is_full),
            "lost wake-up: a producer waits while there is room"
        ),
    }
    drop(tx);

    while let Ok(v) = rx.try_recv() {
        received.push(v);
    }
    for producer in [[1, 2, 5].as_slice(), &[3, 4]] {
        let own: Vec<u32> = received
            .iter()
            .copied()
            .filter(|v| producer.contains(v))
            .collect();
        assert!(own.is_sorted(), "not FIFO: {received:?}");
    }
    received.sort_unstable();
    accepted.sort_unstable();
    assert_eq!(received, accepted, "lost or invented messages");
}

/// A full channel, two producers waiting for room, and the consumer closes it: both are woken
/// and get their values back; the message already queued is still received.
fn close_wakes_every_producer(ops: impl Ops) {
    let (tx, rx) = channel::<u32>(CAPACITY);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let tx2 = tx.clone();
    let (sent, mut rx) = settle_all(vec![ops.send(&tx, 3), ops.send(&tx2, 4)], move || {
        let mut rx = rx;
        ops.close(&mut rx);
        rx
    });
    assert_eq!(
        sent,
        [Some(Err(SendError(3))), Some(Err(SendError(4)))],
        "a producer waiting for room was not woken by close"
    );
    assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(1), Ok(2)));
    drop((tx, tx2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

/// The consumer waits on an empty channel while the last producer sends one message or none
/// and goes away: it is woken, gets the message if there was one, then the end.
fn last_producer_wakes_the_consumer(ops: impl Ops, sends: bool) {
    let (tx, mut rx) = channel::<u32>(CAPACITY);
    let (got, ()) = settle(rx.recv(), move || {
        if sends {
            tx.try_send(7).unwrap();
        }
        ops.drop_sender(tx);
    });
    let expected = if sends { Some(Some(7)) } else { Some(None) };
    assert_eq!(
        got, expected,
        "lost wake-up: the consumer waits for nothing"
    );
}

/// The consumer waits on an empty unbounded channel while a producer sends two messages with
/// `send` (which never waits): it is woken by them, not by the producer's drop (kept until
/// after), and gets both in order, then the end.
fn unbounded_send_wakes_the_consumer(send: fn(&UnboundedSender<u32>, u32)) {
    let (tx, mut rx) = unbounded_channel::<u32>();
    let (got, tx) = settle(rx.recv(), move || {
        send(&tx, 1);
        send(&tx, 2);
        tx
    });
    assert_eq!(
        got,
        Some(Some(1)),
        "lost wake-up: the consumer waits with a message queued"
    );
    drop(tx);
    assert_eq!(
        (rx.try_recv(), rx.try_recv()),
        (Ok(2), Err(TryRecvError::Disconnected))
    );
}

#[test]
fn a_waiting_producer_is_woken_when_room_frees_and_order_and_capacity_hold() {
    explore("mpsc backpressure", || backpressure(Real));
}

#[test]
fn close_wakes_every_waiting_producer() {
    explore("mpsc close", || close_wakes_every_producer(Real));
}

#[test]
fn the_last_producer_wakes_the_waiting_consumer() {
    explore("mpsc last producer", || {
        last_producer_wakes_the_consumer(Real, true);
    });
    explore("mpsc last producer, nothing sent", || {
        last_producer_wakes_the_consumer(Real, false);
    });
}

#[test]
fn an_unbounded_send_wakes_the_waiting_consumer() {
    explore("unbounded mpsc send", || {
        unbounded_send_wakes_the_consumer(|tx, v| tx.send(v).unwrap());
    });
}

/// Broken twin: an unbounded send that queues its message and wakes nobody.
#[test]
fn twin_whose_unbounded_send_wakes_nobody_strands_the_consumer() {
    let message = rejected("unbounded mpsc, send wakes nobody", || {
        unbounded_send_wakes_the_consumer(|tx, v| {
            tx.shared().update(|m| {
                let value = loom_tokio::Parcel::new(v);
                m.apply(&Op::StartSend { sender: 0, value });
                ((), Wake::NONE) // BUG
            });
        });
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: a receive that frees a slot but does not wake the producers waiting for one.
#[test]
fn twin_whose_recv_forgets_the_waiting_producers_loses_a_wakeup() {
    #[derive(Clone, Copy)]
    struct RecvForgetsProducers;
    impl Ops for RecvForgetsProducers {
        fn recv(self, rx: &mut Receiver<u32>) -> Option<u32> {
            rx.shared().update(|m| match m.apply(&Op::TryRecv) {
                // BUG: a slot was freed, and nobody is told.
                Outcome::TryRecv(got) => (got.ok().map(|p| p.take()), Wake::NONE),
                _ => (None, Wake::NONE),
            })
        }
    }
    let message = rejected("mpsc, recv wakes no producer", || {
        backpressure(RecvForgetsProducers);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: a send that checks for room in one critical section and registers as waiting
/// in another, so a receive can free the slot in between and find nobody to wake.
#[test]
fn twin_whose_send_checks_then_registers_loses_a_wakeup() {
    struct RacySend<'a> {
        tx: &'a Sender<u32>,
        value: u32,
    }
    impl Future for RacySend<'_> {
        type Output = Result<(), SendError<u32>>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.tx.try_send(self.value) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TrySendError::Closed(v)) => Poll::Ready(Err(SendError(v))),
                // BUG: the lock was released after the check; registered without re-checking.
                Err(TrySendError::Full(_)) => {
                    self.tx
                        .shared()
                        .poll(cx, Side::Senders, "mpsc::Sender::send", |_| {
                            (Poll::Pending, Wake::NONE)
                        })
                }
            }
        }
    }
    #[derive(Clone, Copy)]
    struct CheckThenRegister;
    impl Ops for CheckThenRegister {
        fn send(self, tx: &Sender<u32>, value: u32) -> Wait<'_, Result<(), SendError<u32>>> {
            Box::pin(RacySend { tx, value })
        }
    }
    let message = rejected("mpsc, send checks then registers", || {
        backpressure(CheckThenRegister);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: a close that only marks the channel closed and wakes nobody.
#[test]
fn twin_whose_close_wakes_nobody_strands_the_producers() {
    #[derive(Clone, Copy)]
    struct SilentClose;
    impl Ops for SilentClose {
        fn close(self, rx: &mut Receiver<u32>) {
            rx.shared().update(|m| {
                m.apply(&Op::Close);
                ((), Wake::NONE) // BUG
            });
        }
    }
    let message = rejected("mpsc, close wakes nobody", || {
        close_wakes_every_producer(SilentClose);
    });
    assert!(message.contains("not woken by close"), "{message}");
}

/// Broken twin: the last producer's drop that closes the channel without waking the consumer.
#[test]
fn twin_whose_last_drop_wakes_nobody_strands_the_consumer() {
    #[derive(Clone, Copy)]
    struct SilentDrop;
    impl Ops for SilentDrop {
        fn drop_sender(self, tx: Sender<u32>) {
            tx.shared().update(|m| {
                m.apply(&Op::DropSender { sender: 0 });
                ((), Wake::NONE) // BUG
            });
            drop(tx); // the model has no sender left: this drop is a no-op
        }
    }
    let message = rejected("mpsc, last drop wakes nobody", || {
        last_producer_wakes_the_consumer(SilentDrop, false);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// The handles' accessors, on one thread: `is_closed` follows the receiver's close and drop,
/// each handle's `shared()` is the channel's own state (the twins act through it), and the
/// send error reads as tokio's does.
#[test]
fn the_handles_report_the_channels_own_state() {
    loom::model(|| {
        let (tx, mut rx) = channel::<u32>(1);
        assert!(!tx.is_closed());
        tx.try_send(1).unwrap();
        assert!(rx.shared().read(Mpsc::is_full), "the receiver's view");
        rx.close();
        assert!(tx.is_closed(), "close closes the channel for the senders");
        assert_eq!(rx.try_recv(), Ok(1), "what was buffered is still received");

        let (tx, rx) = channel::<u32>(1);
        drop(rx);
        assert!(tx.is_closed(), "the receiver's drop closes it too");
        assert!(
            tx.shared().read(|m| m.closed_for_senders()),
            "the sender's view"
        );
    });
    loom::model(|| {
        let (tx, mut rx) = unbounded_channel::<u32>();
        let tx2 = tx.clone();
        assert_eq!(tx.send(1), Ok(()));
        drop(tx);
        assert!(!tx2.is_closed(), "a clone keeps the channel open");
        rx.close();
        assert!(
            tx2.is_closed(),
            "close closes the unbounded channel for the senders"
        );
        assert_eq!(
            tx2.send(2),
            Err(SendError(2)),
            "a send after close hands its value back"
        );
        assert!(
            rx.shared().read(|m| m.closed_for_senders()),
            "the receiver's view"
        );
        assert_eq!(rx.try_recv(), Ok(1), "what was buffered is still received");
        drop(tx2);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

        let (tx, rx) = unbounded_channel::<u32>();
        drop(rx);
        assert_eq!(
            tx.send(3),
            Err(SendError(3)),
            "the receiver's drop closes it too"
        );
    });
    assert_eq!(
        SendError(1).to_string(),
        tokio::sync::mpsc::error::SendError(1).to_string()
    );
}
