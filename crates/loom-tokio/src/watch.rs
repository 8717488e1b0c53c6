//! tokio's `sync::watch` under loom, over [`channel_models::watch`]: the latest value, observed.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Shared, Side, Snapshot, Wake};
use channel_models::watch::{Borrowed, ReceiverId, SenderId, Watch};

/// The errors, as in tokio's `watch::error`.
pub mod error {
    super::super::send_error!("there is no receiver");

    /// The error of `changed` and `wait_for`: every sender is gone.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct RecvError(pub(crate) ());

    impl std::fmt::Display for RecvError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

/// The model with values in snapshots.
pub type Model<T> = Watch<Snapshot<T>>;

/// A borrowed value, as tokio's `watch::Ref`: dereferences to the value. It holds a snapshot,
/// not a lock, so unlike tokio's it cannot block a sender.
#[derive(Debug)]
pub struct Ref<T> {
    value: std::sync::Arc<T>,
    has_changed: bool,
}

impl<T> Ref<T> {
    fn new(borrowed: Borrowed<Snapshot<T>>) -> Self {
        Ref {
            value: borrowed.value.0,
            has_changed: borrowed.has_changed,
        }
    }

    /// Whether the value was unseen by the receiver when it was borrowed.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// The id a handle would have if the model refused it one: the model refuses only dead handles,
/// and a live handle's never is; with this id every operation behaves as on a dropped handle.
const DEAD: usize = usize::MAX;

/// A watch channel holding `init`.
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let (model, tx, rx) = Watch::channel(Snapshot(std::sync::Arc::new(init)));
    let shared = Shared::new(model);
    (
        Sender {
            shared: shared.clone(),
            id: tx,
        },
        Receiver { shared, id: rx },
    )
}

/// A sender of new values.
#[derive(Debug)]
pub struct Sender<T> {
    shared: Shared<Model<T>>,
    id: SenderId,
}

impl<T> Sender<T> {
    /// Stores `value` and wakes every receiver waiting for a change; the value back, storing
    /// nothing, when no receiver is alive.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let snapshot = Snapshot(std::sync::Arc::new(value));
        let result = self
            .shared
            .update(|m| match m.send(self.id, snapshot.clone()) {
                Some(Ok(())) => (Ok(()), Wake::RECEIVERS),
                Some(Err(_)) | None => (Err(()), Wake::NONE),
            });
        result.map_err(|()| SendError(unwrap(snapshot)))
    }

    /// Stores `value` whether or not a receiver is alive, wakes the waiting receivers, and
    /// returns the value it replaced.
    ///
    /// Needs `T: Clone` (tokio's does not) only in case a [`Ref`] still holds the old value.
    pub fn send_replace(&self, value: T) -> T
    where
        T: Clone,
    {
        let snapshot = Snapshot(std::sync::Arc::new(value));
        let old = self.shared.update(|m| {
            let old = m.send_replace(self.id, snapshot.clone());
            let woken = Wake::RECEIVERS.when(old.is_some());
            (old.unwrap_or_else(|| m.value().clone()), woken)
        });
        std::sync::Arc::try_unwrap(old.0).unwrap_or_else(|shared| (*shared).clone())
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<T> {
        let value = self.shared.read(|m| m.value().clone());
        Ref {
            value: value.0,
            has_changed: false,
        }
    }

    /// A new receiver that has seen the current value.
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
        self.shared.read(Watch::receiver_count)
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

fn unwrap<T>(snapshot: Snapshot<T>) -> T {
    match std::sync::Arc::try_unwrap(snapshot.0) {
        Ok(value) => value,
        Err(_) => unreachable!("a refused value was never stored"),
    }
}

impl<T> Drop for Sender<T> {
    /// The sender's drop closes the channel (it is the only one: tokio's watch sender is not
    /// `Clone`): waiting receivers must be woken to see it.
    fn drop(&mut self) {
        self.shared.update(|m| {
            let dropped = m.drop_sender(self.id);
            ((), Wake::RECEIVERS.when(dropped))
        });
    }
}

/// A receiver, with the version it has seen.
#[derive(Debug)]
pub struct Receiver<T> {
    shared: Shared<Model<T>>,
    id: ReceiverId,
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Ref<T> {
        self.shared.read(|m| {
            Ref::new(m.borrow(self.id).unwrap_or_else(|| Borrowed {
                value: m.value().clone(),
                has_changed: false,
            }))
        })
    }

    /// The current value, marked seen in the same critical section: the value and the version
    /// marked are one.
    pub fn borrow_and_update(&mut self) -> Ref<T> {
        self.shared.update(|m| {
            let borrowed = m.borrow_and_update(self.id).unwrap_or_else(|| Borrowed {
                value: m.value().clone(),
                has_changed: false,
            });
            (Ref::new(borrowed), Wake::NONE)
        })
    }

    /// Whether a value this receiver has not seen is there; `Err` once every sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        self.shared.read(|m| {
            m.has_changed(self.id)
                .unwrap_or(Err(channel_models::watch::Closed))
                .map_err(|_| RecvError(()))
        })
    }

    /// Completes when a value this receiver has not seen is there (at once if one already
    /// is), marking it seen; `Err` once every sender is gone and it has seen the last.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        Changed { receiver: self }.await
    }

    /// Completes with the current value as soon as it satisfies `f`, checking the current
    /// value first (a late receiver sees a state reached before it subscribed) and then every
    /// new one, each marked seen; `Err` if every sender is gone and the last value does not
    /// satisfy `f`.
    pub async fn wait_for(&mut self, f: impl FnMut(&T) -> bool) -> Result<Ref<T>, RecvError> {
        WaitFor {
            receiver: self,
            predicate: f,
            first: true,
        }
        .await
    }

    /// This receiver's id in the model, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn id(&self) -> ReceiverId {
        self.id
    }

    /// The channel's state, for building a broken twin of an operation.
    #[cfg(feature = "twins")]
    pub fn shared(&self) -> &Shared<Model<T>> {
        &self.shared
    }
}

impl<T> Clone for Receiver<T> {
    /// Another receiver that has seen what this one has seen.
    fn clone(&self) -> Self {
        let id = self.shared.update(|m| {
            let id = m.clone_receiver(self.id);
            (id.unwrap_or(ReceiverId(DEAD)), Wake::NONE)
        });
        Receiver {
            shared: self.shared.clone(),
            id,
        }
    }
}

impl<T> Drop for Receiver<T> {
    /// A dropped receiver no longer counts for `send`.
    fn drop(&mut self) {
        self.shared.update(|m| {
            m.drop_receiver(self.id);
            ((), Wake::NONE)
        });
    }
}

/// Future of [`Receiver::changed`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
struct Changed<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let id = self.receiver.id;
        self.receiver
            .shared
            .poll(cx, Side::Receivers, "watch::Receiver::changed", |m| {
                let poll = m
                    .poll_changed(id)
                    .unwrap_or(Poll::Ready(Err(channel_models::watch::Closed)));
                (poll.map(|r| r.map_err(|_| RecvError(()))), Wake::NONE)
            })
    }
}

/// Future of [`Receiver::wait_for`].
#[must_use = "futures do nothing unless polled"]
struct WaitFor<'a, T, F> {
    receiver: &'a Receiver<T>,
    predicate: F,
    /// The first poll looks at the current value whether or not it was seen.
    first: bool,
}

// Never pinned structurally: the predicate is only called through `&mut`.
impl<T, F> Unpin for WaitFor<'_, T, F> {}

impl<T, F: FnMut(&T) -> bool> Future for WaitFor<'_, T, F> {
    type Output = Result<Ref<T>, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let id = this.receiver.id;
        let first = std::mem::replace(&mut this.first, false);
        let predicate = &mut this.predicate;
        this.receiver
            .shared
            .poll(cx, Side::Receivers, "watch::Receiver::wait_for", |m| {
                let closed = m.is_closed();
                let poll = match m.borrow_and_update(id) {
                    Some(b) if (first || b.has_changed) && predicate(&b.value.0) => {
                        Poll::Ready(Ok(Ref::new(b)))
                    }
                    _ if closed => Poll::Ready(Err(RecvError(()))),
                    Some(_) => Poll::Pending,
                    None => Poll::Ready(Err(RecvError(()))),
                };
                (poll, Wake::NONE)
            })
    }
}
