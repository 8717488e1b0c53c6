//! tokio's `sync::broadcast` under loom, over [`channel_models::broadcast`]: fan-out with
//! lagging receivers, the events pattern.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Shared, Side, Snapshot, Wake};
use channel_models::broadcast::{ReceiverId, Recv, SenderId, TryRecv};

/// The model, with values in snapshots, compared by identity.
pub type Broadcast<T> = channel_models::broadcast::Broadcast<Snapshot<T>>;

/// The errors, as in tokio's `broadcast::error`.
pub mod error {
    super::super::send_error!("there is no receiver");

    /// The error of `recv`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RecvError {
        /// Every sender is gone and nothing is left for this receiver.
        Closed,
        /// This many messages were overwritten before this receiver read them.
        Lagged(u64),
    }

    impl std::fmt::Display for RecvError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// The error of `try_recv`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Everything sent so far has been read, and a sender lives.
        Empty,
        /// Every sender is gone and nothing is left for this receiver.
        Closed,
        /// This many messages were overwritten before this receiver read them.
        Lagged(u64),
    }
}

use error::{RecvError, SendError, TryRecvError};

/// The id a handle would have if the model refused it one: the model refuses only dead handles,
/// and a live handle's never is; with this id every operation behaves as on a dropped handle.
const DEAD: usize = usize::MAX;

/// A broadcast channel that keeps the last `capacity` messages (rounded up to a power of two,
/// as tokio does).
///
/// # Panics
/// If `capacity` is 0, as tokio does.
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (model, tx, rx) = channel_models::broadcast::Broadcast::channel(capacity);
    let shared = Shared::new(model);
    (
        Sender {
            shared: shared.clone(),
            id: tx,
        },
        Receiver { shared, id: rx },
    )
}

/// A sender; never waits: a full channel overwrites its oldest message.
#[derive(Debug)]
pub struct Sender<T: Clone> {
    shared: Shared<Broadcast<T>>,
    id: SenderId,
}

impl<T: Clone> Sender<T> {
    /// Sends to every receiver alive, waking those waiting: `Ok(receivers)`, or the value back
    /// when there is none.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        self.shared
            .update(|m| match m.send(self.id, Snapshot::new(value.clone())) {
                Some(Ok(receivers)) => (Ok(receivers), Wake::RECEIVERS),
                Some(Err(_)) | None => (Err(SendError(value)), Wake::NONE),
            })
    }

    /// A new receiver that sees what is sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let id = self.shared.update(|m| {
            let id = m.subscribe(self.id);
            (id.unwrap_or(ReceiverId(DEAD)), Wake::NONE)
        });
        Receiver {
            shared: self.shared.clone(),
            id,
        }
    }

    /// Receivers alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.read(|m| m.receiver_count())
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Broadcast<T>> {
        &self.shared
    }
}

impl<T: Clone> Clone for Sender<T> {
    /// One more sender: the channel stays open until it is dropped too.
    fn clone(&self) -> Self {
        let id = self.shared.update(|m| {
            let id = m.clone_sender(self.id);
            (id.unwrap_or(SenderId(DEAD)), Wake::NONE)
        });
        Sender {
            shared: self.shared.clone(),
            id,
        }
    }
}

impl<T: Clone> Drop for Sender<T> {
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
pub struct Receiver<T: Clone> {
    shared: Shared<Broadcast<T>>,
    id: ReceiverId,
}

impl<T: Clone> Receiver<T> {
    /// The next message, `Lagged(n)` or `Closed`, waiting while there is nothing new.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        RecvFuture { receiver: self }.await
    }

    /// The next message, `Lagged(n)`, `Empty` or `Closed`, without waiting.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.shared.update(|m| {
            let got = match m.try_recv(self.id).unwrap_or(TryRecv::Closed) {
                TryRecv::Value(value) => Ok((*value.0).clone()),
                TryRecv::Empty => Err(TryRecvError::Empty),
                TryRecv::Lagged(n) => Err(TryRecvError::Lagged(n)),
                TryRecv::Closed => Err(TryRecvError::Closed),
            };
            (got, Wake::NONE)
        })
    }

    /// This receiver's id in the model, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn id(&self) -> ReceiverId {
        self.id
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Broadcast<T>> {
        &self.shared
    }
}

impl<T: Clone> Drop for Receiver<T> {
    /// A dropped receiver no longer holds messages back (nor counts for `send`).
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.drop_receiver(self.id);
            ((), Wake::NONE)
        });
    }
}

/// Future of [`Receiver::recv`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
struct RecvFuture<'a, T: Clone> {
    receiver: &'a Receiver<T>,
}

impl<T: Clone> Future for RecvFuture<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.receiver.id;
        self.receiver
            .shared
            .poll(cx, Side::Receivers, "broadcast::Receiver::recv", |m| {
                let poll = match m.poll_recv(id).unwrap_or(Poll::Ready(Recv::Closed)) {
                    Poll::Ready(Recv::Value(value)) => Poll::Ready(Ok((*value.0).clone())),
                    Poll::Ready(Recv::Lagged(n)) => Poll::Ready(Err(RecvError::Lagged(n))),
                    Poll::Ready(Recv::Closed) => Poll::Ready(Err(RecvError::Closed)),
                    Poll::Pending => Poll::Pending,
                };
                (poll, Wake::NONE)
            })
    }
}
