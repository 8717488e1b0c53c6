//! tokio's `sync::oneshot` under loom, over [`channel_models::oneshot`]: the request/response
//! pattern's reply path.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Parcel, Shared, Side, Wake};
use channel_models::oneshot::{Oneshot, Op, Outcome, RecvPoll};

/// The errors, as in tokio's `oneshot::error`.
pub mod error {
    pub use channel_models::oneshot::{RecvError, TryRecvError};
}

use error::{RecvError, TryRecvError};

/// The model with values in parcels, so that any `T` goes through.
pub type Model<T> = Oneshot<Parcel<T>>;

/// A oneshot channel: one value from the [`Sender`] to the [`Receiver`].
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Shared::new(Oneshot::new());
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// The responder's side: sends the one value, or is dropped, which the receiver observes as
/// `RecvError`.
#[derive(Debug)]
pub struct Sender<T> {
    shared: Shared<Model<T>>,
}

impl<T> Sender<T> {
    /// Sends the value, waking the receiver; `Err(value)` if the receiver closed the channel or
    /// is gone, so that the value is never lost silently.
    pub fn send(self, value: T) -> Result<(), T> {
        let parcel = Parcel::new(value);
        self.shared
            .update(|m| match m.apply(&Op::Send(parcel.clone())) {
                Outcome::Send(result) => {
                    let delivered = result.is_ok();
                    (
                        result.map_err(|p| p.take()),
                        Wake::RECEIVERS.when(delivered),
                    )
                }
                // Unreachable: this handle is the live sender.
                _ => (Err(parcel.take()), Wake::NONE),
            })
        // `self` is dropped here: the model answers `NoSender` and nobody is woken twice.
    }

    /// Whether the receiver closed the channel or is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.read(Oneshot::is_closed)
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

impl<T> Drop for Sender<T> {
    /// Dropping the sender without sending completes the channel: the waiting receiver must be
    /// woken to observe "sender dropped".
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = matches!(m.apply(&Op::DropSender), Outcome::Done);
            ((), Wake::RECEIVERS.when(dropped))
        });
    }
}

/// The requester's side; awaiting it gives the value or `RecvError` ("sender dropped").
#[derive(Debug)]
pub struct Receiver<T> {
    shared: Shared<Model<T>>,
}

impl<T> Receiver<T> {
    /// The value if it is there, `Empty` while the channel is open, `Closed` otherwise.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.shared.update(|m| match m.apply(&Op::TryRecv) {
            Outcome::TryRecv(result) => (result.map(|p| p.take()), Wake::NONE),
            _ => (Err(TryRecvError::Closed), Wake::NONE),
        })
    }

    /// Closes the channel: a later `send` hands its value back; a value already sent can still
    /// be received.
    pub fn close(&mut self) {
        self.shared.update(|m| {
            m.apply(&Op::Close);
            ((), Wake::NONE)
        });
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    /// Ready with the value or `RecvError` once the channel completes; registered as waiting
    /// otherwise. Polled after completion it gives `RecvError` (tokio panics instead).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.shared
            .poll(cx, Side::Receivers, "oneshot::Receiver", |m| {
                let poll = match m.apply(&Op::PollRecv) {
                    Outcome::PollRecv(RecvPoll::Polled(poll)) => poll,
                    _ => Poll::Ready(Err(RecvError)),
                };
                (poll, Wake::NONE)
            })
            // Taken out of the parcel once the step is applied: a step may be tried first.
            .map(|r| r.map(|p| p.take()))
    }
}

impl<T> Drop for Receiver<T> {
    /// Dropping the receiver closes the channel, so that the sender gets its value back.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.apply(&Op::DropReceiver);
            ((), Wake::NONE)
        });
    }
}
