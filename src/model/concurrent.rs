//! The sequential channel models made usable across threads, so that the loom models
//! (`tests/loom_{oneshot,mpsc,broadcast,watch}.rs`) can check the coordination the guide's
//! patterns rely on: no lost wake-up, capacity, FIFO, exact lag, fresh values.
//!
//! Loom cannot see inside tokio, so these are not tokio's channels: each one is a sequential
//! model of this module's parent ([`super::oneshot`], [`super::mpsc`], [`super::broadcast`],
//! [`super::watch`]) in a [`Shared`], i.e. behind a mutex from [`crate::sync`], with the wakers
//! of the tasks waiting on it. The semantics are the model's; what loom checks is the wake-up
//! discipline around it, the one [`crate::shutdown`] uses:
//!
//! - every operation is one critical section that applies one model step;
//! - an operation that must wait registers its waker in that same critical section, so no state
//!   change can fall between its check and its registration;
//! - every step that can unblock a waiter takes the wakers to wake under the lock and wakes them
//!   after releasing it, since a waker may run code that takes the lock.
//!
//! The handles lend their [`Shared`] (`shared()`) and model ids, so that a loom test can build a
//! broken twin of one operation from the same pieces, with the one defect it is about.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::broadcast::{self, Broadcast, Recv, TryRecv};
use super::mpsc::{self, Flavor, Mpsc, TrySendError};
use super::oneshot::{self, Oneshot, RecvError, RecvPoll};
use super::watch::{self, Borrowed, Closed, Watch};
use crate::sync::{Arc, Mutex, lock};

/// One channel's state shared by its handles: the sequential model and the wakers of the tasks
/// waiting on it, under one mutex, so that a check of the model and the registration of a waker
/// are one atomic step.
#[derive(Debug)]
pub struct Shared<M> {
    state: Arc<Mutex<State<M>>>,
}

#[derive(Debug)]
struct State<M> {
    model: M,
    /// Tasks waiting to receive (or for a change).
    receivers: Vec<Waker>,
    /// Tasks waiting to send (for room in a bounded mpsc channel).
    senders: Vec<Waker>,
}

/// The waiters a model step may have unblocked: all of them on that side are woken (each
/// re-checks the model when polled again), which is simpler than choosing and cannot strand one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wake {
    /// Wake the tasks waiting to receive.
    pub receivers: bool,
    /// Wake the tasks waiting to send.
    pub senders: bool,
}

impl Wake {
    /// A step that unblocks nobody.
    pub const NONE: Wake = Wake {
        receivers: false,
        senders: false,
    };
    /// A step that may let a receiver proceed (a message, a change, the last sender gone).
    pub const RECEIVERS: Wake = Wake {
        receivers: true,
        senders: false,
    };
    /// A step that may let a sender proceed (a slot freed, the receiver gone).
    pub const SENDERS: Wake = Wake {
        receivers: false,
        senders: true,
    };
    /// A step that ends the channel for everybody (close).
    pub const ALL: Wake = Wake {
        receivers: true,
        senders: true,
    };

    fn when(self, condition: bool) -> Wake {
        if condition { self } else { Wake::NONE }
    }
}

/// Which list a pending task registers in: the side whose progress it waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// It waits to receive.
    Receivers,
    /// It waits to send.
    Senders,
}

impl<M> Clone for Shared<M> {
    fn clone(&self) -> Self {
        Shared {
            state: self.state.clone(),
        }
    }
}

impl<M> Shared<M> {
    /// Puts `model` behind the mutex, with nobody waiting.
    pub fn new(model: M) -> Self {
        Shared {
            state: Arc::new(Mutex::new(State {
                model,
                receivers: Vec::new(),
                senders: Vec::new(),
            })),
        }
    }

    /// Reads the model under the lock; wakes nobody, as nothing changes.
    pub fn read<R>(&self, f: impl FnOnce(&M) -> R) -> R {
        f(&lock(&self.state).model)
    }

    /// Applies `step` to the model under the lock, then wakes, outside it, the waiters the step
    /// says it may have unblocked.
    pub fn update<R>(&self, step: impl FnOnce(&mut M) -> (R, Wake)) -> R {
        let (result, wakers) = {
            let mut state = lock(&self.state);
            let (result, wake) = step(&mut state.model);
            (result, state.take(wake))
        };
        wakers.into_iter().for_each(Waker::wake);
        result
    }

    /// A future's poll: applies `step` under the lock and, if it is pending, registers the
    /// task's waker on `side` in the same critical section, so that the step that will unblock
    /// it (which takes this lock) finds it. Wakes what the step unblocked, outside the lock.
    pub fn poll<R>(
        &self,
        cx: &mut Context<'_>,
        side: Side,
        step: impl FnOnce(&mut M) -> (Poll<R>, Wake),
    ) -> Poll<R> {
        let (poll, wakers) = {
            let mut state = lock(&self.state);
            let (poll, wake) = step(&mut state.model);
            if poll.is_pending() {
                let list = match side {
                    Side::Receivers => &mut state.receivers,
                    Side::Senders => &mut state.senders,
                };
                // A future polled again and again (a `select!` loop) must not grow the list.
                if !list.iter().any(|w| w.will_wake(cx.waker())) {
                    list.push(cx.waker().clone());
                }
            }
            (poll, state.take(wake))
        };
        wakers.into_iter().for_each(Waker::wake);
        poll
    }
}

impl<M> State<M> {
    fn take(&mut self, wake: Wake) -> Vec<Waker> {
        let mut wakers = Vec::new();
        if wake.receivers {
            wakers.append(&mut self.receivers);
        }
        if wake.senders {
            wakers.append(&mut self.senders);
        }
        wakers
    }
}

// ---------------------------------------------------------------------------------------------
// oneshot

/// A oneshot channel over [`Oneshot`]: the request/response pattern's reply path.
pub fn oneshot_channel<T: Clone>() -> (OneshotSender<T>, OneshotReceiver<T>) {
    let shared = Shared::new(Oneshot::new());
    (
        OneshotSender {
            shared: shared.clone(),
        },
        OneshotReceiver { shared },
    )
}

/// The responder's side: sends the one value, or is dropped, which the receiver observes as
/// "sender dropped".
#[derive(Debug)]
pub struct OneshotSender<T: Clone> {
    shared: Shared<Oneshot<T>>,
}

impl<T: Clone> OneshotSender<T> {
    /// Sends the value, waking the receiver; `Err(value)` if the receiver closed the channel or
    /// is gone, so that the value is never lost silently.
    pub fn send(self, value: T) -> Result<(), T> {
        self.shared
            .update(|m| match m.apply(&oneshot::Op::Send(value.clone())) {
                oneshot::Outcome::Send(result) => {
                    let delivered = result.is_ok();
                    (result, Wake::RECEIVERS.when(delivered))
                }
                // Unreachable: this handle is the live sender.
                _ => (Err(value), Wake::NONE),
            })
        // `self` is dropped here: the model answers `NoSender` and nobody is woken twice.
    }

    /// Whether the receiver closed the channel or is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.read(Oneshot::is_closed)
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Oneshot<T>> {
        &self.shared
    }
}

impl<T: Clone> Drop for OneshotSender<T> {
    /// Dropping the sender without sending completes the channel: the waiting receiver must be
    /// woken to observe "sender dropped".
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = matches!(m.apply(&oneshot::Op::DropSender), oneshot::Outcome::Done);
            ((), Wake::RECEIVERS.when(dropped))
        });
    }
}

/// The requester's side; awaiting it gives the value or `RecvError` ("sender dropped").
#[derive(Debug)]
pub struct OneshotReceiver<T: Clone> {
    shared: Shared<Oneshot<T>>,
}

impl<T: Clone> OneshotReceiver<T> {
    /// The value if it is there, `Empty` while the channel is open, `Closed` otherwise.
    pub fn try_recv(&mut self) -> Result<T, oneshot::TryRecvError> {
        self.shared
            .update(|m| match m.apply(&oneshot::Op::TryRecv) {
                oneshot::Outcome::TryRecv(result) => (result, Wake::NONE),
                _ => (Err(oneshot::TryRecvError::Closed), Wake::NONE),
            })
    }

    /// Closes the channel: a later `send` hands its value back; a value already sent can still
    /// be received.
    pub fn close(&mut self) {
        self.shared.update(|m| {
            m.apply(&oneshot::Op::Close);
            ((), Wake::NONE)
        });
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Oneshot<T>> {
        &self.shared
    }
}

impl<T: Clone> Future for OneshotReceiver<T> {
    type Output = Result<T, RecvError>;

    /// Ready with the value or `RecvError` once the channel completes; registered as waiting
    /// otherwise. Polled after completion it gives `RecvError` (tokio panics instead).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.shared.poll(cx, Side::Receivers, |m| {
            let poll = match m.apply(&oneshot::Op::PollRecv) {
                oneshot::Outcome::PollRecv(RecvPoll::Polled(poll)) => poll,
                _ => Poll::Ready(Err(RecvError)),
            };
            (poll, Wake::NONE)
        })
    }
}

impl<T: Clone> Drop for OneshotReceiver<T> {
    /// Dropping the receiver closes the channel, so that the sender gets its value back.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.apply(&oneshot::Op::DropReceiver);
            ((), Wake::NONE)
        });
    }
}

// ---------------------------------------------------------------------------------------------
// mpsc

/// A bounded mpsc channel over [`Mpsc`]: the backpressure pattern.
///
/// # Panics
///
/// If `capacity` is 0, as tokio does.
pub fn mpsc_channel<T: Clone>(capacity: usize) -> (MpscSender<T>, MpscReceiver<T>) {
    let shared = Shared::new(Mpsc::new(Flavor::Bounded(capacity)));
    (
        MpscSender {
            shared: shared.clone(),
        },
        MpscReceiver { shared },
    )
}

/// A producer's side; clones are more producers, and the channel closes for the receiver when
/// the last one is dropped.
#[derive(Debug)]
pub struct MpscSender<T: Clone> {
    shared: Shared<Mpsc<T>>,
}

/// The model counts senders and does not tell them apart.
const ANY_SENDER: usize = 0;

impl<T: Clone> MpscSender<T> {
    /// Sends without waiting: `Full` hands the value back when there is no free slot.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.shared.update(|m| try_send(m, value))
    }

    /// Sends, waiting for a free slot while the channel is full: the backpressure.
    pub fn send(&self, value: T) -> MpscSend<'_, T> {
        MpscSend {
            sender: self,
            value,
        }
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Mpsc<T>> {
        &self.shared
    }
}

fn try_send<T: Clone>(m: &mut Mpsc<T>, value: T) -> (Result<(), TrySendError<T>>, Wake) {
    let op = mpsc::Op::TrySend {
        sender: ANY_SENDER,
        value: value.clone(),
    };
    match m.apply(&op) {
        mpsc::Outcome::TrySend(result) => {
            let sent = result.is_ok();
            (result, Wake::RECEIVERS.when(sent))
        }
        // Unreachable: the calling handle is a live sender.
        _ => (Err(TrySendError::Closed(value)), Wake::NONE),
    }
}

impl<T: Clone> Clone for MpscSender<T> {
    /// One more producer: the channel stays open for the receiver until it is dropped too.
    fn clone(&self) -> Self {
        self.shared.update(|m| {
            m.apply(&mpsc::Op::CloneSender { sender: ANY_SENDER });
            ((), Wake::NONE)
        });
        MpscSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Clone> Drop for MpscSender<T> {
    /// The last sender's drop closes the channel for the receiver, which must be woken to see
    /// the end.
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = matches!(
                m.apply(&mpsc::Op::DropSender { sender: ANY_SENDER }),
                mpsc::Outcome::Done
            );
            ((), Wake::RECEIVERS.when(dropped && m.senders() == 0))
        });
    }
}

/// Future of [`MpscSender::send`]: `Err(value)` if the receiver closed the channel or is gone.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct MpscSend<'a, T: Clone> {
    sender: &'a MpscSender<T>,
    value: T,
}

impl<T: Clone> Future for MpscSend<'_, T> {
    type Output = Result<(), T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let value = self.value.clone();
        self.sender.shared.poll(cx, Side::Senders, |m| {
            let (result, wake) = try_send(m, value);
            let poll = match result {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TrySendError::Full(_)) => Poll::Pending,
                Err(TrySendError::Closed(value)) => Poll::Ready(Err(value)),
            };
            (poll, wake)
        })
    }
}

/// The consumer's side.
#[derive(Debug)]
pub struct MpscReceiver<T: Clone> {
    shared: Shared<Mpsc<T>>,
}

impl<T: Clone> MpscReceiver<T> {
    /// The oldest message, waiting while the channel is empty and open; `None` once it is
    /// closed and drained.
    pub fn recv(&mut self) -> MpscRecv<'_, T> {
        MpscRecv { receiver: self }
    }

    /// The oldest message without waiting. Taking one frees a slot, so it wakes the senders
    /// waiting for room.
    pub fn try_recv(&mut self) -> Result<T, mpsc::TryRecvError> {
        self.shared.update(|m| match m.apply(&mpsc::Op::TryRecv) {
            mpsc::Outcome::TryRecv(result) => {
                let took = result.is_ok();
                (result, Wake::SENDERS.when(took))
            }
            _ => (Err(mpsc::TryRecvError::Disconnected), Wake::NONE),
        })
    }

    /// Closes the channel: buffered messages can still be received, and every sender waiting
    /// for room is woken to get its value back.
    pub fn close(&mut self) {
        self.shared.update(|m| {
            m.apply(&mpsc::Op::Close);
            ((), Wake::ALL)
        });
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Mpsc<T>> {
        &self.shared
    }
}

impl<T: Clone> Drop for MpscReceiver<T> {
    /// Dropping the receiver closes the channel and frees every slot: waiting senders are woken
    /// to get their values back.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.apply(&mpsc::Op::DropReceiver);
            ((), Wake::ALL)
        });
    }
}

/// Future of [`MpscReceiver::recv`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct MpscRecv<'a, T: Clone> {
    receiver: &'a MpscReceiver<T>,
}

impl<T: Clone> Future for MpscRecv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.receiver.shared.poll(cx, Side::Receivers, |m| {
            match m.apply(&mpsc::Op::PollRecv) {
                mpsc::Outcome::PollRecv(Poll::Ready(Some(v))) => {
                    (Poll::Ready(Some(v)), Wake::SENDERS)
                }
                mpsc::Outcome::PollRecv(Poll::Pending) => (Poll::Pending, Wake::NONE),
                _ => (Poll::Ready(None), Wake::NONE),
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// broadcast

/// The id a handle would have if the model refused it one: the model refuses only dead handles,
/// and a live handle's never is; with this id every operation behaves as on a dropped handle.
const DEAD: usize = usize::MAX;

/// A broadcast channel over [`Broadcast`]: fan-out with lagging receivers.
///
/// # Panics
///
/// If `capacity` is 0, as tokio does.
pub fn broadcast_channel<T: Clone>(capacity: usize) -> (BroadcastSender<T>, BroadcastReceiver<T>) {
    let (model, tx, rx) = Broadcast::channel(capacity);
    let shared = Shared::new(model);
    (
        BroadcastSender {
            shared: shared.clone(),
            id: tx,
        },
        BroadcastReceiver { shared, id: rx },
    )
}

/// A sender; never waits: a full channel overwrites its oldest message.
#[derive(Debug)]
pub struct BroadcastSender<T: Clone> {
    shared: Shared<Broadcast<T>>,
    id: broadcast::SenderId,
}

impl<T: Clone> BroadcastSender<T> {
    /// Sends to every receiver alive, waking those waiting: `Ok(receivers)`, or `Err(value)`
    /// when there is none.
    pub fn send(&self, value: T) -> Result<usize, T> {
        self.shared
            .update(|m| match m.send(self.id, value.clone()) {
                Some(Ok(receivers)) => (Ok(receivers), Wake::RECEIVERS),
                Some(Err(value)) => (Err(value), Wake::NONE),
                None => (Err(value), Wake::NONE),
            })
    }

    /// A new receiver that sees what is sent from now on.
    pub fn subscribe(&self) -> BroadcastReceiver<T> {
        let id = self.shared.update(|m| {
            let id = m.subscribe(self.id);
            (id.unwrap_or(broadcast::ReceiverId(DEAD)), Wake::NONE)
        });
        BroadcastReceiver {
            shared: self.shared.clone(),
            id,
        }
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Broadcast<T>> {
        &self.shared
    }
}

impl<T: Clone> Clone for BroadcastSender<T> {
    /// One more sender: the channel stays open until it is dropped too.
    fn clone(&self) -> Self {
        let id = self.shared.update(|m| {
            let id = m.clone_sender(self.id);
            (id.unwrap_or(broadcast::SenderId(DEAD)), Wake::NONE)
        });
        BroadcastSender {
            shared: self.shared.clone(),
            id,
        }
    }
}

impl<T: Clone> Drop for BroadcastSender<T> {
    /// The last sender's drop closes the channel: waiting receivers must be woken to see it.
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = m.drop_sender(self.id);
            ((), Wake::RECEIVERS.when(dropped && m.is_closed()))
        });
    }
}

/// A receiver, with its own cursor.
#[derive(Debug)]
pub struct BroadcastReceiver<T: Clone> {
    shared: Shared<Broadcast<T>>,
    id: broadcast::ReceiverId,
}

impl<T: Clone> BroadcastReceiver<T> {
    /// The next message, `Lagged(n)` or `Closed`, waiting while there is nothing new.
    pub fn recv(&mut self) -> BroadcastRecv<'_, T> {
        BroadcastRecv { receiver: self }
    }

    /// The next message, `Lagged(n)`, `Empty` or `Closed`, without waiting.
    pub fn try_recv(&mut self) -> TryRecv<T> {
        self.shared.update(|m| {
            let got = m.try_recv(self.id).unwrap_or(TryRecv::Closed);
            (got, Wake::NONE)
        })
    }

    /// This receiver's id in the model, for building a broken twin of an operation.
    pub fn id(&self) -> broadcast::ReceiverId {
        self.id
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Broadcast<T>> {
        &self.shared
    }
}

impl<T: Clone> Drop for BroadcastReceiver<T> {
    /// A dropped receiver no longer holds messages back (nor counts for `send`).
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.drop_receiver(self.id);
            ((), Wake::NONE)
        });
    }
}

/// Future of [`BroadcastReceiver::recv`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct BroadcastRecv<'a, T: Clone> {
    receiver: &'a BroadcastReceiver<T>,
}

impl<T: Clone> Future for BroadcastRecv<'_, T> {
    type Output = Recv<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Recv<T>> {
        let id = self.receiver.id;
        self.receiver.shared.poll(cx, Side::Receivers, |m| {
            let poll = m.poll_recv(id).unwrap_or(Poll::Ready(Recv::Closed));
            (poll, Wake::NONE)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// watch

/// A watch channel over [`Watch`]: the latest value, observed.
pub fn watch_channel<T: Clone + PartialEq>(init: T) -> (WatchSender<T>, WatchReceiver<T>) {
    let (model, tx, rx) = Watch::channel(init);
    let shared = Shared::new(model);
    (
        WatchSender {
            shared: shared.clone(),
            id: tx,
        },
        WatchReceiver { shared, id: rx },
    )
}

/// A sender of new values.
#[derive(Debug)]
pub struct WatchSender<T: Clone + PartialEq> {
    shared: Shared<Watch<T>>,
    id: watch::SenderId,
}

impl<T: Clone + PartialEq> WatchSender<T> {
    /// Stores `value` and wakes every receiver waiting for a change; `Err(value)`, storing
    /// nothing, when no receiver is alive.
    pub fn send(&self, value: T) -> Result<(), T> {
        self.shared
            .update(|m| match m.send(self.id, value.clone()) {
                Some(Ok(())) => (Ok(()), Wake::RECEIVERS),
                Some(Err(value)) => (Err(value), Wake::NONE),
                None => (Err(value), Wake::NONE),
            })
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> WatchReceiver<T> {
        let id = self.shared.update(|m| {
            let id = m.subscribe(self.id);
            (id.unwrap_or(watch::ReceiverId(DEAD)), Wake::NONE)
        });
        WatchReceiver {
            shared: self.shared.clone(),
            id,
        }
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Watch<T>> {
        &self.shared
    }
}

impl<T: Clone + PartialEq> Drop for WatchSender<T> {
    /// The last sender's drop closes the channel: waiting receivers must be woken to see it.
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = m.drop_sender(self.id);
            ((), Wake::RECEIVERS.when(dropped && m.is_closed()))
        });
    }
}

/// A receiver, with the version it has seen.
#[derive(Debug)]
pub struct WatchReceiver<T: Clone + PartialEq> {
    shared: Shared<Watch<T>>,
    id: watch::ReceiverId,
}

impl<T: Clone + PartialEq> WatchReceiver<T> {
    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Borrowed<T> {
        self.shared.read(|m| {
            m.borrow(self.id).unwrap_or_else(|| Borrowed {
                value: m.value().clone(),
                has_changed: false,
            })
        })
    }

    /// The current value, marked seen in the same critical section: the value and the version
    /// marked are one.
    pub fn borrow_and_update(&mut self) -> Borrowed<T> {
        self.shared.update(|m| {
            let borrowed = m.borrow_and_update(self.id).unwrap_or_else(|| Borrowed {
                value: m.value().clone(),
                has_changed: false,
            });
            (borrowed, Wake::NONE)
        })
    }

    /// Whether a value this receiver has not seen is there; `Err(Closed)` once every sender is
    /// gone.
    pub fn has_changed(&self) -> Result<bool, Closed> {
        self.shared
            .read(|m| m.has_changed(self.id).unwrap_or(Err(Closed)))
    }

    /// Completes when a value this receiver has not seen is there (at once if one already
    /// is), marking it seen; `Err(Closed)` once every sender is gone and it has seen the last.
    pub fn changed(&mut self) -> WatchChanged<'_, T> {
        WatchChanged { receiver: self }
    }

    /// This receiver's id in the model, for building a broken twin of an operation.
    pub fn id(&self) -> watch::ReceiverId {
        self.id
    }

    /// The channel's state, for building a broken twin of an operation.
    pub fn shared(&self) -> &Shared<Watch<T>> {
        &self.shared
    }
}

impl<T: Clone + PartialEq> Clone for WatchReceiver<T> {
    /// Another receiver that has seen what this one has seen.
    fn clone(&self) -> Self {
        let id = self.shared.update(|m| {
            let id = m.clone_receiver(self.id);
            (id.unwrap_or(watch::ReceiverId(DEAD)), Wake::NONE)
        });
        WatchReceiver {
            shared: self.shared.clone(),
            id,
        }
    }
}

impl<T: Clone + PartialEq> Drop for WatchReceiver<T> {
    /// A dropped receiver no longer counts for `send`.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.drop_receiver(self.id);
            ((), Wake::NONE)
        });
    }
}

/// Future of [`WatchReceiver::changed`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct WatchChanged<'a, T: Clone + PartialEq> {
    receiver: &'a WatchReceiver<T>,
}

impl<T: Clone + PartialEq> Future for WatchChanged<'_, T> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.receiver.id;
        self.receiver.shared.poll(cx, Side::Receivers, |m| {
            let poll = m.poll_changed(id).unwrap_or(Poll::Ready(Err(Closed)));
            (poll, Wake::NONE)
        })
    }
}
