//! Reference model of tokio's `broadcast` channel: what every `send`, `recv` and `try_recv`
//! returns, made exact.
//!
//! The guide ("broadcast - Multi-Producer, Multi-Consumer") says "every subscriber gets every
//! message", and that a receiver that "falls behind and the buffer fills" lags and "misses
//! messages". Exactly (tokio 1.54):
//!
//! * Every successful `send` gets the next *position* (0, 1, 2, ...). The channel keeps the
//!   messages of the last `capacity` positions, where `capacity` is the requested capacity
//!   **rounded up to a power of two** (`channel(3)` keeps 4). Older ones are overwritten: `send`
//!   never waits, whatever the receivers do.
//! * Each receiver has its own cursor, the position it reads next. `subscribe` and
//!   `resubscribe` start it at the next position to be sent: a receiver never sees what was sent
//!   before it existed.
//! * A receiver whose cursor points at an overwritten position gets `Lagged(n)`, `n` being the
//!   number of messages it lost, and its cursor jumps to the **oldest retained** message.
//! * A receiver that has read everything gets `Empty` (`recv` waits) while a sender lives, and
//!   `Closed` once every sender is gone. Messages still retained come first: `Closed` means
//!   "no sender and nothing more for you".
//! * `send` with no receiver alive fails and gives the value back; nothing is stored.
//!
//! The model is plain data (`Clone + Debug`, no tokio, no async): the property tests
//! (`tests/props/prop_broadcast.rs`) run random operation sequences against it and against tokio and
//! compare every observation; a loom model can put it behind a mutex.

use std::collections::VecDeque;
use std::task::Poll;

use super::slots::Slots;

/// A sender handle of the model: the index of the `Sender` in creation order (the channel's
/// first sender is 0, each `clone_sender` takes the next one).
///
/// guide: broadcast, "Multi-Producer": senders are cloned and dropped freely; the channel
/// closes only when the last one is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SenderId(pub usize);

/// A receiver handle of the model: the index of the `Receiver` in creation order (the
/// channel's first receiver is 0, each `subscribe`/`resubscribe` takes the next one).
///
/// guide: broadcast, Basic Example: "Create two receivers by subscribing to the sender".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiverId(pub usize);

/// What `Receiver::try_recv` returns.
///
/// guide: broadcast, Lagging Receivers matches on `Ok(value)`, `Lagged(n)` and `Closed`;
/// `try_recv` adds `Empty` for "nothing new yet, but a sender is alive".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryRecv<T> {
    /// `Ok(value)`: the message at the receiver's cursor.
    Value(T),
    /// `Err(TryRecvError::Empty)`: everything sent so far has been read, and a sender lives.
    Empty,
    /// `Err(TryRecvError::Lagged(n))`: `n` messages were overwritten before this receiver read
    /// them; its cursor now points at the oldest retained message.
    Lagged(u64),
    /// `Err(TryRecvError::Closed)`: every sender is gone and nothing is left for this receiver.
    Closed,
}

/// What a ready `Receiver::recv()` future returns.
///
/// guide: broadcast, Lagging Receivers: `match rx.recv().await { Ok(value) => ..,
/// Err(Lagged(n)) => .., Err(Closed) => break }`: the same cases as [`TryRecv`] but `Empty`,
/// which `recv` turns into waiting ([`Poll::Pending`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recv<T> {
    /// `Ok(value)`.
    Value(T),
    /// `Err(RecvError::Lagged(n))`.
    Lagged(u64),
    /// `Err(RecvError::Closed)`.
    Closed,
}

/// A receiver's state: its cursor and, if a `recv()` future of it is pending, that future's
/// state.
#[derive(Debug, Clone, PartialEq)]
struct Rx {
    /// The position this receiver reads next.
    next: u64,
    /// `Some(woken)` while a `recv()` future returned `Pending` and was not dropped or
    /// completed since; `woken` says whether its waker was called since that poll.
    pending_recv: Option<bool>,
}

/// The model of one broadcast channel with values of type `T`.
///
/// guide: broadcast, Quick Reference "Stores all messages: ✅ (bounded)" - exactly: the last
/// [`Broadcast::capacity`] messages, older ones overwritten (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Broadcast<T> {
    /// The capacity tokio really uses: the requested one rounded up to a power of two.
    capacity: usize,
    /// The messages of the last `capacity` positions (fewer at the start), oldest first.
    retained: VecDeque<T>,
    /// The position the next successful `send` gets = the number of successful sends.
    tail: u64,
    /// The senders, by creation index.
    senders: Slots<()>,
    /// The receivers, by creation index.
    receivers: Slots<Rx>,
}

impl<T: Clone> Broadcast<T> {
    /// `broadcast::channel(capacity)`: the model with its first sender (`SenderId(0)`) and
    /// first receiver (`ReceiverId(0)`).
    ///
    /// guide: broadcast, Basic Example "Create a broadcast channel with capacity 16" - exactly:
    /// the capacity is rounded up to the next power of two (`channel(3)` keeps 4 messages,
    /// `channel(16)` keeps 16).
    ///
    /// # Panics
    ///
    /// If `capacity` is 0, as tokio does.
    pub fn channel(capacity: usize) -> (Self, SenderId, ReceiverId) {
        assert!(capacity > 0, "broadcast channel capacity cannot be zero");
        Self::keeping(capacity.next_power_of_two())
    }

    /// A channel that keeps exactly `retained` messages: what [`Broadcast::channel`] builds,
    /// with its capacity rounded up. Used as it is, it is the channel the guide's "buffer of
    /// size 2" suggests for every capacity, which tokio builds only for powers of two.
    ///
    /// # Panics
    ///
    /// If `retained` is 0.
    pub fn keeping(retained: usize) -> (Self, SenderId, ReceiverId) {
        assert!(retained > 0, "broadcast channel capacity cannot be zero");
        let model = Broadcast {
            capacity: retained,
            retained: VecDeque::new(),
            tail: 0,
            senders: Slots::one(()),
            receivers: Slots::one(Rx {
                next: 0,
                pending_recv: None,
            }),
        };
        (model, SenderId(0), ReceiverId(0))
    }

    /// The number of messages the channel keeps: the requested capacity rounded up to a power
    /// of two.
    ///
    /// guide: Quick Reference "Stores all messages: broadcast ✅ (bounded)" - the bound.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The senders alive, in creation order.
    pub fn sender_ids(&self) -> Vec<SenderId> {
        self.senders.ids().map(SenderId).collect()
    }

    /// The receivers alive, in creation order.
    pub fn receiver_ids(&self) -> Vec<ReceiverId> {
        self.receivers.ids().map(ReceiverId).collect()
    }

    fn sender_alive(&self, tx: SenderId) -> bool {
        self.senders.get(tx.0).is_some()
    }

    fn rx_mut(&mut self, rx: ReceiverId) -> Option<&mut Rx> {
        self.receivers.get_mut(rx.0)
    }

    fn rx(&self, rx: ReceiverId) -> Option<&Rx> {
        self.receivers.get(rx.0)
    }

    /// Position of the oldest retained message (= `tail` while nothing was overwritten yet).
    fn oldest(&self) -> u64 {
        self.tail - self.retained.len() as u64
    }

    /// Wakes every pending `recv()`: tokio wakes all waiting receivers on each `send` and when
    /// the last sender goes.
    fn wake_all(&mut self) {
        for rx in self.receivers.values_mut() {
            if let Some(woken) = rx.pending_recv.as_mut() {
                *woken = true;
            }
        }
    }

    /// `Sender::clone`: a new sender. `None` if `tx` is not alive.
    ///
    /// guide: broadcast, "Multi-Producer, Multi-Consumer"; Quick Reference "Multiple senders ✅".
    pub fn clone_sender(&mut self, tx: SenderId) -> Option<SenderId> {
        self.senders.clone_handle(tx.0).map(SenderId)
    }

    /// Drops sender `tx`; returns whether it was alive. Dropping the last sender closes the
    /// channel and wakes every pending `recv()` (which then drains what is left, then gets
    /// `Closed`).
    ///
    /// guide: broadcast, Lagging Receivers "`Err(Closed) => break`" - exactly: `Closed` needs
    /// every sender gone (E02), and comes only after the receiver read what is retained for it.
    pub fn drop_sender(&mut self, tx: SenderId) -> bool {
        let Some(last) = self.senders.drop_handle(tx.0) else {
            return false;
        };
        if last {
            self.wake_all();
        }
        true
    }

    /// `Sender::subscribe`: a new receiver whose cursor is the next position to be sent. `None`
    /// if `tx` is not alive.
    ///
    /// guide: broadcast intro "every subscriber gets every message" - exactly: every message
    /// sent *after* it subscribed (E05); what was sent before is invisible to it.
    pub fn subscribe(&mut self, tx: SenderId) -> Option<ReceiverId> {
        if !self.sender_alive(tx) {
            return None;
        }
        Some(self.new_receiver())
    }

    /// `Receiver::resubscribe`: like [`Broadcast::subscribe`], a new receiver starting at the
    /// next position to be sent, *not* at `rx`'s cursor. Works with no sender left too (the new
    /// receiver then gets `Closed` at once). `None` if `rx` is not alive.
    ///
    /// guide: broadcast, Basic Example "Create two receivers by subscribing to the sender" - the
    /// other way to get a receiver.
    pub fn resubscribe(&mut self, rx: ReceiverId) -> Option<ReceiverId> {
        self.rx(rx)?;
        Some(self.new_receiver())
    }

    fn new_receiver(&mut self) -> ReceiverId {
        ReceiverId(self.receivers.add(Rx {
            next: self.tail,
            pending_recv: None,
        }))
    }

    /// Drops receiver `rx` (and its pending `recv()`, if any); returns whether it was alive.
    ///
    /// guide: broadcast, Event Distribution: a subscriber that exits drops its receiver; the
    /// messages it did not read stop counting against [`Broadcast::len`].
    pub fn drop_receiver(&mut self, rx: ReceiverId) -> bool {
        self.receivers.remove(rx.0).is_some()
    }

    /// `Sender::send(value)`: `Ok(number of receivers alive)`, or `Err(value)` when there is
    /// none, in which case nothing is stored (a later subscriber will not see it).
    /// `None` if `tx` is not alive.
    ///
    /// guide: broadcast, Basic Example "`tx.send(..).unwrap()`" - exactly: it fails whenever no
    /// receiver is alive (`let (event_tx, _) = broadcast::channel(100)` drops the first one at
    /// once). A successful send never waits: it overwrites the oldest message when the
    /// channel is full (Quick Reference "Backpressure ❌ (lagging)"), and wakes every pending
    /// `recv()`.
    pub fn send(&mut self, tx: SenderId, value: T) -> Option<Result<usize, T>> {
        if !self.sender_alive(tx) {
            return None;
        }
        let receivers = self.receiver_count();
        if receivers == 0 {
            return Some(Err(value));
        }
        self.retained.push_back(value);
        if self.retained.len() > self.capacity() {
            self.retained.pop_front();
        }
        self.tail += 1;
        self.wake_all();
        Some(Ok(receivers))
    }

    /// `Receiver::try_recv`: the message at the cursor, `Lagged(n)`, `Empty` or `Closed`.
    /// A pending `recv()` of `rx` is dropped first (the borrow checker forbids calling
    /// `try_recv` while it lives). `None` if `rx` is not alive.
    ///
    /// guide: broadcast, Lagging Receivers "Missed 3 messages / Received: 3 / Received: 4" -
    /// exactly: `Lagged(n)` with `n` = overwritten messages this receiver had not read
    /// (`oldest retained position - cursor`); the next call returns the oldest retained one.
    /// "Continue receiving from current position": the cursor moved to that oldest message.
    pub fn try_recv(&mut self, rx: ReceiverId) -> Option<TryRecv<T>> {
        let (oldest, tail, closed) = (self.oldest(), self.tail, self.is_closed());
        let r = self.receivers.get_mut(rx.0)?;
        r.pending_recv = None;
        if r.next < oldest {
            let missed = oldest - r.next;
            r.next = oldest;
            return Some(TryRecv::Lagged(missed));
        }
        if r.next == tail {
            return Some(if closed {
                TryRecv::Closed
            } else {
                TryRecv::Empty
            });
        }
        let value = self.retained.get(usize::try_from(r.next - oldest).ok()?)?;
        r.next += 1;
        Some(TryRecv::Value(value.clone()))
    }

    /// Polls `rx`'s `recv()` future (creating it if none is pending): `Ready` with what
    /// [`Broadcast::try_recv`] would return, but `Empty` becomes `Pending`, after which the
    /// future waits for the next `send` (or the last sender's drop) to wake it. `None` if `rx`
    /// is not alive.
    ///
    /// guide: broadcast, Event Distribution "`while let Ok(event) = logger_rx.recv().await`":
    /// it waits while a sender lives and nothing new is there.
    pub fn poll_recv(&mut self, rx: ReceiverId) -> Option<Poll<Recv<T>>> {
        let outcome = self.try_recv(rx)?;
        let r = self.rx_mut(rx)?;
        Some(match outcome {
            TryRecv::Value(v) => Poll::Ready(Recv::Value(v)),
            TryRecv::Lagged(n) => Poll::Ready(Recv::Lagged(n)),
            TryRecv::Closed => Poll::Ready(Recv::Closed),
            TryRecv::Empty => {
                r.pending_recv = Some(false);
                Poll::Pending
            }
        })
    }

    /// Whether `rx`'s pending `recv()` was woken since it last returned `Pending`; `None` if
    /// `rx` has no pending `recv()` (or is not alive).
    ///
    /// guide: broadcast, Event Distribution - a subscriber task is woken by every `send`
    /// (woken, not necessarily given a value: after a lag it gets `Lagged(n)`), and by the
    /// last sender's drop.
    pub fn recv_woken(&self, rx: ReceiverId) -> Option<bool> {
        self.rx(rx)?.pending_recv
    }

    /// Drops `rx`'s pending `recv()` future, if any (as `select!` does to the losing branch).
    /// `recv` is cancel safe: the cursor does not move, no message is lost. Returns whether a
    /// future was pending.
    ///
    /// guide: Graceful Shutdown with Channels, `select! { _ = shutdown_rx.recv() => .. }`.
    pub fn cancel_recv(&mut self, rx: ReceiverId) -> bool {
        self.rx_mut(rx)
            .and_then(|r| r.pending_recv.take())
            .is_some()
    }

    /// `Sender::receiver_count`: receivers alive (each clone of a `Receiver` through
    /// `resubscribe` counts, dropped ones do not).
    ///
    /// guide: broadcast, Basic Example - what a successful `send` returns.
    pub fn receiver_count(&self) -> usize {
        self.receivers.count()
    }

    /// `Sender::strong_count` / `Receiver::sender_strong_count`: senders alive.
    ///
    /// guide: broadcast, Lagging Receivers - `Closed` needs this to be 0.
    pub fn sender_count(&self) -> usize {
        self.senders.count()
    }

    /// `Receiver::is_closed`: whether every sender is gone (even if messages are still there
    /// for the receiver).
    ///
    /// guide: broadcast, Lagging Receivers "`Err(Closed) => break`".
    pub fn is_closed(&self) -> bool {
        self.sender_count() == 0
    }

    /// `Sender::len`: the retained messages that at least one receiver alive has not read yet
    /// (the slowest receiver's backlog, at most [`Broadcast::capacity`]; 0 with no receiver).
    ///
    /// guide: Quick Reference "Stores all messages: broadcast ✅ (bounded)" - exactly what is
    /// stored, from tokio's point of view.
    pub fn len(&self) -> usize {
        let oldest = self.oldest();
        self.receivers
            .values()
            .map(|r| r.next.max(oldest))
            .min()
            .map_or(0, |first_unread| {
                usize::try_from(self.tail - first_unread).unwrap_or(usize::MAX)
            })
    }

    /// `Sender::is_empty`: `len() == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Receiver::len`: messages sent since `rx`'s cursor, *including* overwritten ones it
    /// will only see as `Lagged(n)` (so it can exceed the capacity). `None` if `rx` is not
    /// alive.
    ///
    /// guide: broadcast, Lagging Receivers "falls behind" - by exactly this many messages.
    pub fn receiver_len(&self, rx: ReceiverId) -> Option<usize> {
        let r = self.rx(rx)?;
        usize::try_from(self.tail - r.next).ok()
    }
}
