//! tokio's `sync::mpsc` under loom, over [`channel_models::mpsc`]: the bounded channel of the
//! backpressure, fan-in, shutdown and command-queue patterns, and the unbounded one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Parcel, Shared, Side, Wake};
use channel_models::mpsc::{Flavor, Mpsc, Op, Outcome};

/// The errors, as in tokio's `mpsc::error`.
pub mod error {
    pub use channel_models::mpsc::{TryRecvError, TrySendError};

    super::super::send_error!("the receiver is closed or gone");
}

use error::{SendError, TryRecvError, TrySendError};

/// The model with values in parcels, so that any `T` goes through.
pub type Model<T> = Mpsc<Parcel<T>>;

/// A bounded channel of `capacity` slots.
///
/// # Panics
/// If `capacity` is 0, as tokio does.
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc bounded channel requires buffer > 0");
    let shared = Shared::new(Mpsc::new(Flavor::Bounded(capacity)));
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// A producer's side; clones are more producers, and the channel closes for the receiver when
/// the last one is dropped.
#[derive(Debug)]
pub struct Sender<T> {
    shared: Shared<Model<T>>,
}

/// The model counts senders and does not tell them apart.
const ANY_SENDER: usize = 0;

impl<T> Sender<T> {
    /// Sends without waiting: `Full` hands the value back when there is no free slot.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let parcel = Parcel::new(value);
        self.shared
            .update(|m| try_send(m, parcel))
            .map_err(|e| match e {
                TrySendError::Full(p) => TrySendError::Full(p.take()),
                TrySendError::Closed(p) => TrySendError::Closed(p.take()),
            })
    }

    /// Sends, waiting for a free slot while the channel is full: the backpressure.
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        Send {
            sender: self,
            parcel: Parcel::new(value),
        }
        .await
        .map_err(|p| SendError(p.take()))
    }

    /// Whether the receiver closed the channel or is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.read(Mpsc::closed_for_senders)
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

fn try_send<T>(m: &mut Model<T>, parcel: Parcel<T>) -> (Result<(), TrySendError<Parcel<T>>>, Wake) {
    let op = Op::TrySend {
        sender: ANY_SENDER,
        value: parcel.clone(),
    };
    match m.apply(&op) {
        Outcome::TrySend(result) => {
            let sent = result.is_ok();
            (result, Wake::RECEIVERS.when(sent))
        }
        // Unreachable: the calling handle is a live sender.
        _ => (Err(TrySendError::Closed(parcel)), Wake::NONE),
    }
}

impl<T> Clone for Sender<T> {
    /// One more producer: the channel stays open for the receiver until it is dropped too.
    fn clone(&self) -> Self {
        Sender {
            shared: clone_sender(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    /// The last sender's drop closes the channel for the receiver, which must be woken to see
    /// the end.
    fn drop(&mut self) {
        drop_sender(&self.shared);
    }
}

/// Counts one more sender, of either flavor, and hands back the channel for it.
fn clone_sender<T>(shared: &Shared<Model<T>>) -> Shared<Model<T>> {
    shared.update(|m| {
        m.apply(&Op::CloneSender { sender: ANY_SENDER });
        ((), Wake::NONE)
    });
    shared.clone()
}

/// Counts one sender, of either flavor, gone; the last one wakes the receiver to see the end.
fn drop_sender<T>(shared: &Shared<Model<T>>) {
    shared.update(|m| {
        let dropped = matches!(
            m.apply(&Op::DropSender { sender: ANY_SENDER }),
            Outcome::Done
        );
        ((), Wake::RECEIVERS.when(dropped && m.senders() == 0))
    });
}

/// Future of [`Sender::send`]: `Err(parcel)` if the receiver closed the channel or is gone.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
struct Send<'a, T> {
    sender: &'a Sender<T>,
    parcel: Parcel<T>,
}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), Parcel<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let parcel = self.parcel.clone();
        self.sender
            .shared
            .poll(cx, Side::Senders, "mpsc::Sender::send", |m| {
                let (result, wake) = try_send(m, parcel.clone());
                let poll = match result {
                    Ok(()) => Poll::Ready(Ok(())),
                    Err(TrySendError::Full(_)) => Poll::Pending,
                    Err(TrySendError::Closed(parcel)) => Poll::Ready(Err(parcel)),
                };
                (poll, wake)
            })
    }
}

/// The consumer's side.
#[derive(Debug)]
pub struct Receiver<T> {
    shared: Shared<Model<T>>,
}

impl<T> Receiver<T> {
    /// The oldest message, waiting while the channel is empty and open; `None` once it is
    /// closed and drained.
    pub async fn recv(&mut self) -> Option<T> {
        Recv { receiver: self }.await
    }

    /// The oldest message without waiting. Taking one frees a slot, so it wakes the senders
    /// waiting for room.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.shared.update(|m| match m.apply(&Op::TryRecv) {
            Outcome::TryRecv(result) => {
                let took = result.is_ok();
                (result.map(|p| p.take()), Wake::SENDERS.when(took))
            }
            _ => (Err(TryRecvError::Disconnected), Wake::NONE),
        })
    }

    /// Closes the channel: buffered messages can still be received, and every sender waiting
    /// for room is woken to get its value back.
    pub fn close(&mut self) {
        self.shared.update(|m| {
            m.apply(&Op::Close);
            ((), Wake::ALL)
        });
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

impl<T> Drop for Receiver<T> {
    /// Dropping the receiver closes the channel and frees every slot: waiting senders are woken
    /// to get their values back.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.apply(&Op::DropReceiver);
            ((), Wake::ALL)
        });
    }
}

/// Future of [`Receiver::recv`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
struct Recv<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.receiver
            .shared
            .poll(cx, Side::Receivers, "mpsc::Receiver::recv", |m| {
                match m.apply(&Op::PollRecv) {
                    Outcome::PollRecv(Poll::Ready(Some(p))) => {
                        (Poll::Ready(Some(p)), Wake::SENDERS)
                    }
                    Outcome::PollRecv(Poll::Pending) => (Poll::Pending, Wake::NONE),
                    _ => (Poll::Ready(None), Wake::NONE),
                }
            })
            // Taken out of the parcel once the step is applied: a step may be tried first.
            .map(|p| p.map(|p| p.take()))
    }
}

/// An unbounded channel: a send never waits, as tokio's `mpsc::unbounded_channel`.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let shared = Shared::new(Mpsc::new(Flavor::Unbounded));
    (
        UnboundedSender {
            shared: shared.clone(),
        },
        UnboundedReceiver {
            receiver: Receiver { shared },
        },
    )
}

/// A producer's side of an unbounded channel; clones are more producers, as with [`Sender`].
#[derive(Debug)]
pub struct UnboundedSender<T> {
    shared: Shared<Model<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends at once (there is always room); the value is handed back if the receiver closed
    /// the channel or is gone.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let parcel = Parcel::new(value);
        self.shared.update(|m| {
            let op = Op::StartSend {
                sender: ANY_SENDER,
                value: parcel.clone(),
            };
            match m.apply(&op) {
                Outcome::Send(Ok(())) => (Ok(()), Wake::RECEIVERS),
                // Closed, or (unreachable: the calling handle is a live sender) no sender.
                _ => (Err(SendError(parcel.take())), Wake::NONE),
            }
        })
    }

    /// Whether the receiver closed the channel or is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.read(Mpsc::closed_for_senders)
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

impl<T> Clone for UnboundedSender<T> {
    /// One more producer: the channel stays open for the receiver until it is dropped too.
    fn clone(&self) -> Self {
        UnboundedSender {
            shared: clone_sender(&self.shared),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    /// The last sender's drop closes the channel for the receiver, which must be woken to see
    /// the end.
    fn drop(&mut self) {
        drop_sender(&self.shared);
    }
}

/// The consumer's side of an unbounded channel: a [`Receiver`] under tokio's other name.
#[derive(Debug)]
pub struct UnboundedReceiver<T> {
    receiver: Receiver<T>,
}

impl<T> UnboundedReceiver<T> {
    /// The oldest message, waiting while the channel is empty and open; `None` once it is
    /// closed and drained.
    pub async fn recv(&mut self) -> Option<T> {
        self.receiver.recv().await
    }

    /// The oldest message without waiting.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.receiver.try_recv()
    }

    /// Closes the channel: buffered messages can still be received, and every later send
    /// hands its value back.
    pub fn close(&mut self) {
        self.receiver.close();
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        self.receiver.shared()
    }
}
