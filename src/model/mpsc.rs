//! Reference model of tokio's mpsc channel, bounded ([`tokio::sync::mpsc::channel`]) and
//! unbounded ([`tokio::sync::mpsc::unbounded_channel`]).
//!
//! The model is a queue, a count of live senders and the receiver's state. What it says, made
//! precise where the guide is vague:
//!
//! - **FIFO** (guide: When to Use Each, mpsc "Order matters"). Messages come out in the order they went in, whichever sender sent them.
//! - **Capacity is exact** (guide: Bounded vs Unbounded, "fixed capacity"). A bounded channel of capacity `n` buffers exactly `n` messages;
//!   `Sender::capacity()` (and `Receiver::capacity()`) is the number of free slots, `n` minus
//!   the messages buffered. An unbounded channel never refuses a message for want of room.
//! - **`try_send`** is `Ok` if there is a free slot, `Full(v)` if there is none, and
//!   `Closed(v)` if the receiver is closed or gone, whether or not the buffer is full (closed
//!   wins over full).
//! - **A `send` that finds the buffer full waits** (guide: Backpressure, "`send().await` waits
//!   until space is available") (`Pending`), and the `recv` that frees a slot
//!   wakes it; polled again it completes. The model answers this as one step
//!   ([`Op::SendPolled`]): pending, then a recv that gets the oldest message, then the send
//!   woken and done. A `send` on a closed channel returns the value at once.
//! - **The channel closes for the receiver** (guide: Multiple Producers, "The channel closes
//!   only when ALL senders are dropped") when every sender is gone (clones count) or when
//!   the receiver calls `close()`. Either way the receiver first gets every buffered message,
//!   then `None` from `recv` and `Disconnected` from `try_recv`; before that, with nothing
//!   buffered, `recv` is `Pending` and `try_recv` is `Empty`. `Receiver::is_closed()` is true
//!   from the moment of either event, buffered messages or not.
//! - **The channel closes for the senders** (guide: Basic Example, "send() returns Err if
//!   receiver is dropped") when the receiver calls `close()` or is dropped:
//!   `Sender::is_closed()` is true and every send hands its value back. Dropping the receiver
//!   also drops what was buffered, so the free capacity is back to `n`.
//! - **A pending `recv` is woken** by a message arriving and by the last sender going away, and
//!   by nothing else (not by a clone being dropped).
//!
//! The model is plain data: it answers [`Mpsc::apply`] with the [`Outcome`] tokio must produce
//! and [`Mpsc::observe`] with what the accessors must say, and has no tokio inside.

use std::collections::VecDeque;
use std::task::Poll;

/// Which kind of mpsc channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `mpsc::channel(n)`: at most `n` buffered messages (`n > 0`).
    Bounded(usize),
    /// `mpsc::unbounded_channel()`.
    Unbounded,
}

/// One step applied to the channel. `sender` picks a live sender, modulo how many there are
/// (senders are interchangeable, so the model only counts them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<T> {
    /// `try_send(value)` (bounded only).
    TrySend {
        /// Which sender.
        sender: usize,
        /// The message.
        value: T,
    },
    /// Bounded: a hand-polled `send(value)`; if it is pending, a `recv` follows, then the send
    /// is polled again. Unbounded: the synchronous `send(value)`.
    SendPolled {
        /// Which sender.
        sender: usize,
        /// The message.
        value: T,
    },
    /// `sender.clone()`, the clone kept as one more live sender.
    CloneSender {
        /// Which sender.
        sender: usize,
    },
    /// Drops one sender.
    DropSender {
        /// Which sender.
        sender: usize,
    },
    /// `Receiver::try_recv()`.
    TryRecv,
    /// `Receiver::poll_recv()` once, by a task that is kept to see whether it is woken.
    PollRecv,
    /// `Receiver::close()`.
    Close,
    /// Drops the receiver.
    DropReceiver,
}

/// The error of `try_send`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// No free slot: the value is handed back.
    Full(T),
    /// The receiver is closed or gone: the value is handed back.
    Closed(T),
}

/// The error of `try_recv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing buffered, and the channel is open.
    Empty,
    /// Nothing buffered, and nothing will ever come.
    Disconnected,
}

/// What a hand-polled bounded `send` went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendPolled<T> {
    /// The first poll: `Err(value)` is `SendError(value)`.
    pub first: Poll<Result<(), T>>,
    /// If the first poll was pending: the `recv` made then, and the send after it.
    pub after_recv: Option<AfterRecv<T>>,
}

/// The second half of a send that waited: a `recv`, then the send polled again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AfterRecv<T> {
    /// What the `recv` got.
    pub recv: Poll<Option<T>>,
    /// Whether the waiting send was woken by it.
    pub send_woken: bool,
    /// The send's second poll.
    pub second: Poll<Result<(), T>>,
}

/// What one [`Op`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// A sender op with no live sender: nothing was done.
    NoSender,
    /// A receiver op after the receiver was dropped: nothing was done.
    NoReceiver,
    /// An op with nothing to report (clone, drop, close).
    Done,
    /// `try_send`.
    TrySend(Result<(), TrySendError<T>>),
    /// Unbounded `send`: `Err(value)` is `SendError(value)`.
    Send(Result<(), T>),
    /// A hand-polled bounded `send`.
    SendPolled(SendPolled<T>),
    /// `try_recv`.
    TryRecv(Result<T, TryRecvError>),
    /// `poll_recv`.
    PollRecv(Poll<Option<T>>),
}

/// What the accessors say between steps. `None`: there is no handle to ask (no live sender,
/// receiver dropped), or the flavor has no such accessor (capacity of an unbounded channel).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Observed {
    /// `Sender::is_closed()`.
    pub sender_is_closed: Option<bool>,
    /// `Sender::capacity()`: free slots.
    pub sender_capacity: Option<usize>,
    /// `Sender::max_capacity()`.
    pub sender_max_capacity: Option<usize>,
    /// `Receiver::is_closed()`.
    pub receiver_is_closed: Option<bool>,
    /// `Receiver::len()`.
    pub receiver_len: Option<usize>,
    /// `Receiver::is_empty()`.
    pub receiver_is_empty: Option<bool>,
    /// `Receiver::capacity()`.
    pub receiver_capacity: Option<usize>,
    /// `Receiver::sender_strong_count()`.
    pub sender_strong_count: Option<usize>,
    /// While the last receiver op was a `poll_recv` that returned `Pending` (the recv is still
    /// waiting): whether its task has been woken since.
    pub pending_recv_woken: Option<bool>,
}

/// The receiver's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiverState {
    /// Open.
    Open,
    /// `close()` was called.
    Closed,
    /// Dropped.
    Dropped,
}

/// The model of one mpsc channel.
#[derive(Clone, Debug)]
pub struct Mpsc<T> {
    flavor: Flavor,
    buffer: VecDeque<T>,
    senders: usize,
    receiver: ReceiverState,
    /// `Some(woken)` while a recv is pending.
    pending_recv: Option<bool>,
}

impl<T: Clone> Mpsc<T> {
    /// A new channel with one sender and the receiver.
    ///
    /// # Panics
    ///
    /// On `Bounded(0)`, as tokio does.
    pub fn new(flavor: Flavor) -> Self {
        assert!(
            flavor != Flavor::Bounded(0),
            "mpsc bounded channel requires buffer > 0"
        );
        Self {
            flavor,
            buffer: VecDeque::new(),
            senders: 1,
            receiver: ReceiverState::Open,
            pending_recv: None,
        }
    }

    /// The flavor.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The messages buffered, oldest first.
    pub fn buffered(&self) -> &VecDeque<T> {
        &self.buffer
    }

    /// How many senders are alive.
    pub fn senders(&self) -> usize {
        self.senders
    }

    /// The receiver's state.
    pub fn receiver(&self) -> ReceiverState {
        self.receiver
    }

    /// Whether sends fail: the receiver closed the channel or is gone.
    pub fn closed_for_senders(&self) -> bool {
        self.receiver != ReceiverState::Open
    }

    /// Whether the receiver will get nothing more than what is buffered.
    pub fn closed_for_receiver(&self) -> bool {
        self.receiver == ReceiverState::Closed || self.senders == 0
    }

    /// Whether a new message finds no free slot.
    pub fn is_full(&self) -> bool {
        match self.flavor {
            Flavor::Bounded(n) => self.buffer.len() >= n,
            Flavor::Unbounded => false,
        }
    }

    /// Free slots (bounded only).
    pub fn free_capacity(&self) -> Option<usize> {
        match self.flavor {
            Flavor::Bounded(n) => Some(n - self.buffer.len()),
            Flavor::Unbounded => None,
        }
    }

    /// Applies one step and returns what tokio must produce.
    pub fn apply(&mut self, op: &Op<T>) -> Outcome<T> {
        let sender_op = matches!(
            op,
            Op::TrySend { .. }
                | Op::SendPolled { .. }
                | Op::CloneSender { .. }
                | Op::DropSender { .. }
        );
        if sender_op && self.senders == 0 {
            return Outcome::NoSender;
        }
        if !sender_op {
            if self.receiver == ReceiverState::Dropped {
                return Outcome::NoReceiver;
            }
            // Any other use of the receiver means the pending recv future is gone.
            self.pending_recv = None;
        }
        match op {
            Op::TrySend { value, .. } => Outcome::TrySend(self.try_send(value.clone())),
            Op::SendPolled { value, .. } => match self.flavor {
                Flavor::Unbounded => Outcome::Send(self.send_now(value.clone())),
                Flavor::Bounded(_) => Outcome::SendPolled(self.send_polled(value.clone())),
            },
            Op::CloneSender { .. } => {
                self.senders += 1;
                Outcome::Done
            }
            Op::DropSender { .. } => {
                self.senders -= 1;
                if self.senders == 0 {
                    self.wake_recv();
                }
                Outcome::Done
            }
            Op::TryRecv => Outcome::TryRecv(match self.buffer.pop_front() {
                Some(v) => Ok(v),
                None if self.closed_for_receiver() => Err(TryRecvError::Disconnected),
                None => Err(TryRecvError::Empty),
            }),
            Op::PollRecv => {
                let poll = self.poll_recv();
                if poll.is_pending() {
                    self.pending_recv = Some(false);
                }
                Outcome::PollRecv(poll)
            }
            Op::Close => {
                self.receiver = ReceiverState::Closed;
                Outcome::Done
            }
            Op::DropReceiver => {
                self.receiver = ReceiverState::Dropped;
                self.buffer.clear();
                Outcome::Done
            }
        }
    }

    /// What the accessors say now.
    pub fn observe(&self) -> Observed {
        let has_sender = self.senders > 0;
        let has_receiver = self.receiver != ReceiverState::Dropped;
        let max = match self.flavor {
            Flavor::Bounded(n) => Some(n),
            Flavor::Unbounded => None,
        };
        fn only<V>(there: bool, v: Option<V>) -> Option<V> {
            v.filter(|_| there)
        }
        Observed {
            sender_is_closed: only(has_sender, Some(self.closed_for_senders())),
            sender_capacity: only(has_sender, self.free_capacity()),
            sender_max_capacity: only(has_sender, max),
            receiver_is_closed: only(has_receiver, Some(self.closed_for_receiver())),
            receiver_len: only(has_receiver, Some(self.buffer.len())),
            receiver_is_empty: only(has_receiver, Some(self.buffer.is_empty())),
            receiver_capacity: only(has_receiver, self.free_capacity()),
            sender_strong_count: only(has_receiver, Some(self.senders)),
            pending_recv_woken: self.pending_recv,
        }
    }

    fn try_send(&mut self, value: T) -> Result<(), TrySendError<T>> {
        if self.closed_for_senders() {
            Err(TrySendError::Closed(value))
        } else if self.is_full() {
            Err(TrySendError::Full(value))
        } else {
            self.push(value);
            Ok(())
        }
    }

    fn send_now(&mut self, value: T) -> Result<(), T> {
        if self.closed_for_senders() {
            Err(value)
        } else {
            self.push(value);
            Ok(())
        }
    }

    fn send_polled(&mut self, value: T) -> SendPolled<T> {
        if self.closed_for_senders() || !self.is_full() {
            return SendPolled {
                first: Poll::Ready(self.send_now(value)),
                after_recv: None,
            };
        }
        // Full and open: pending; the recv takes the oldest message and frees the slot the
        // send was waiting for.
        self.pending_recv = None;
        let recv = self.poll_recv();
        self.push(value);
        SendPolled {
            first: Poll::Pending,
            after_recv: Some(AfterRecv {
                recv,
                send_woken: true,
                second: Poll::Ready(Ok(())),
            }),
        }
    }

    fn poll_recv(&mut self) -> Poll<Option<T>> {
        match self.buffer.pop_front() {
            Some(v) => Poll::Ready(Some(v)),
            None if self.closed_for_receiver() => Poll::Ready(None),
            None => Poll::Pending,
        }
    }

    fn push(&mut self, value: T) {
        self.buffer.push_back(value);
        self.wake_recv();
    }

    fn wake_recv(&mut self) {
        if let Some(woken) = &mut self.pending_recv {
            *woken = true;
        }
    }
}
