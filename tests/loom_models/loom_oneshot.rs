//! Loom models of request/response over a oneshot channel (`loom_tokio::oneshot::channel`:
//! the sequential `channel_models::oneshot`, its values in parcels, behind a facade mutex, plus the
//! wake-up): a waiting requester observes exactly one of "value delivered" and "sender
//! dropped", under every interleaving of the send (or the drop) and the receive; and when the
//! requester closes the channel while the responder sends, the value ends on exactly one side,
//! never lost.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use channel_models::oneshot::Op;
use loom::thread;
use loom_support::{Wait, explore, rejected, settle};
use loom_tokio::oneshot::error::{RecvError, TryRecvError};
use loom_tokio::oneshot::{Receiver, Sender, channel};
use loom_tokio::{Side, Wake};

/// The operations under test: the real ones by default; each twin overrides one with a defect.
trait Ops: Copy + Send + Sync + 'static {
    fn recv(self, rx: Receiver<u32>) -> Wait<'static, Result<u32, RecvError>> {
        Box::pin(rx)
    }
    fn send(self, tx: Sender<u32>, value: u32) -> Result<(), u32> {
        tx.send(value)
    }
    fn drop_sender(self, tx: Sender<u32>) {
        drop(tx);
    }
}

#[derive(Clone, Copy)]
struct Real;
impl Ops for Real {}

/// The requester awaits the reply while the responder, on another thread, sends it or is
/// dropped without sending: the requester ends with the value or with "sender dropped",
/// whichever happened, never with neither.
fn value_or_sender_dropped(ops: impl Ops, sends: bool) {
    let (tx, rx) = channel::<u32>();
    let (got, sent) = settle(ops.recv(rx), move || {
        if sends {
            Some(ops.send(tx, 7))
        } else {
            ops.drop_sender(tx);
            None
        }
    });
    match (got, sent) {
        (Some(Ok(7)), Some(Ok(()))) | (Some(Err(RecvError)), None) => {}
        (None, _) => {
            panic!("lost wake-up: the requester observed neither the value nor the drop")
        }
        other => panic!("observed {other:?} (sends: {sends})"),
    }
}

/// The requester gives up (closes) and then looks, while the responder sends: either the
/// responder's send succeeded and the requester gets the value, or the send hands the value
/// back and the requester sees the channel closed. Never both, never neither.
fn close_races_send(ops: impl Ops) {
    let (tx, mut rx) = channel::<u32>();
    let responder = thread::spawn(move || ops.send(tx, 7));
    rx.close();
    let got = rx.try_recv();
    let sent = responder.join().unwrap();
    match (sent, got) {
        (Ok(()), Ok(7)) | (Err(7), Err(TryRecvError::Closed)) => {}
        (sent, got) => {
            panic!("the value is not on exactly one side: send {sent:?}, requester {got:?}")
        }
    }
}

#[test]
fn the_requester_observes_exactly_one_of_value_and_sender_dropped() {
    explore("oneshot send vs recv", || {
        value_or_sender_dropped(Real, true)
    });
    explore("oneshot drop vs recv", || {
        value_or_sender_dropped(Real, false)
    });
}

#[test]
fn a_value_sent_while_the_requester_closes_ends_on_exactly_one_side() {
    explore("oneshot close vs send", || close_races_send(Real));
}

/// Broken twin: the sender's drop completes the channel without waking the receiver.
#[test]
fn twin_whose_sender_drop_wakes_nobody_loses_the_wakeup() {
    #[derive(Clone, Copy)]
    struct SilentDrop;
    impl Ops for SilentDrop {
        fn drop_sender(self, tx: Sender<u32>) {
            tx.shared().update(|m| {
                m.apply(&Op::DropSender);
                ((), Wake::NONE) // BUG
            });
            drop(tx); // the model has no sender left: this drop is a no-op
        }
    }
    let message = rejected("oneshot, drop wakes nobody", || {
        value_or_sender_dropped(SilentDrop, false);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: the receiver looks for the value in one critical section and registers as
/// waiting in another, so the send can fall in between and find nobody to wake.
#[test]
fn twin_whose_receiver_checks_then_registers_loses_the_wakeup() {
    struct RacyRecv(Receiver<u32>);
    impl Future for RacyRecv {
        type Output = Result<u32, RecvError>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let rx = &mut self.get_mut().0;
            match rx.try_recv() {
                Ok(v) => Poll::Ready(Ok(v)),
                Err(TryRecvError::Closed) => Poll::Ready(Err(RecvError)),
                // BUG: the lock was released after the check; registered without re-checking.
                Err(TryRecvError::Empty) => {
                    rx.shared()
                        .poll(cx, Side::Receivers, "oneshot::Receiver", |_| {
                            (Poll::Pending, Wake::NONE)
                        })
                }
            }
        }
    }
    #[derive(Clone, Copy)]
    struct CheckThenRegister;
    impl Ops for CheckThenRegister {
        fn recv(self, rx: Receiver<u32>) -> Wait<'static, Result<u32, RecvError>> {
            Box::pin(RacyRecv(rx))
        }
    }
    let message = rejected("oneshot, recv checks then registers", || {
        value_or_sender_dropped(CheckThenRegister, true);
    });
    assert!(message.contains("lost wake-up"), "{message}");
}

/// Broken twin: a send that decides its result from a look at the channel taken before it
/// acts (check-then-act): a close in between makes it report a delivery that did not happen.
#[test]
fn twin_whose_send_decides_before_acting_loses_the_value() {
    #[derive(Clone, Copy)]
    struct StaleSend;
    impl Ops for StaleSend {
        fn send(self, tx: Sender<u32>, value: u32) -> Result<(), u32> {
            if tx.is_closed() {
                return Err(value);
            }
            // BUG: the channel may have closed since the check; the send's own result is lost.
            let _ = tx.send(value);
            Ok(())
        }
    }
    let message = rejected("oneshot, send decides before acting", || {
        close_races_send(StaleSend);
    });
    assert!(message.contains("not on exactly one side"), "{message}");
}

/// The handles' accessors, on one thread: `is_closed` follows the receiver, dropping the
/// receiver closes the channel (a send then hands its value back), each handle's `shared()`
/// is the channel's own state (the twins above act through it), and the error reads as
/// tokio's does.
#[test]
fn the_handles_report_the_channels_own_state() {
    use channel_models::oneshot::Oneshot;
    loom::model(|| {
        let (tx, rx) = channel::<u32>();
        assert!(!tx.is_closed());
        assert!(rx.shared().read(Oneshot::sender_alive));
        drop(rx);
        assert!(tx.is_closed(), "the receiver's drop closes the channel");
        assert!(tx.shared().read(Oneshot::is_closed));
        assert_eq!(tx.send(7), Err(7));

        let (tx, rx) = channel::<u32>();
        drop(tx);
        assert!(
            !rx.shared().read(Oneshot::sender_alive),
            "the receiver's view of the channel"
        );
    });
    let (tokio_tx, tokio_rx) = tokio::sync::oneshot::channel::<()>();
    drop(tokio_tx);
    let tokio_error = tokio_test::block_on(tokio_rx).unwrap_err();
    assert_eq!(RecvError.to_string(), tokio_error.to_string());
}
