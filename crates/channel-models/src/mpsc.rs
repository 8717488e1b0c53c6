//! Reference model of tokio's mpsc channel, bounded (`tokio::sync::mpsc::channel`) and
//! unbounded (`tokio::sync::mpsc::unbounded_channel`).
//!
//! The model is a queue, a count of live senders, the receiver's state, the free slots of a
//! bounded channel and the sends waiting for one. What it says, made precise where the guide is
//! vague (checked against tokio 1.54's `sync/mpsc/{bounded,chan}.rs` and
//! `sync/batch_semaphore.rs`, and by `tests/props/prop_mpsc.rs`):
//!
//! - **FIFO** (guide: When to Use Each, mpsc "Order matters"). Messages come out in the order
//!   they went in, whichever sender sent them.
//! - **Capacity is exact** (guide: Bounded vs Unbounded, "fixed capacity"). A bounded channel of
//!   capacity `n` has `n` slots. A message takes one when it is sent and gives it back when it is
//!   received. `Sender::capacity()` (and `Receiver::capacity()`) is the number of free slots:
//!   `n` minus the messages buffered minus the slots handed to waiting sends that have not used
//!   them yet. An unbounded channel never refuses a message for want of room.
//! - **`try_send`** is `Ok` if there is a free slot, `Full(v)` if there is none, and
//!   `Closed(v)` if the receiver is closed or gone, whether or not the buffer is full (closed
//!   wins over full).
//! - **A `send` that finds no free slot waits** (guide: Backpressure, "`send().await` waits
//!   until space is available"), in a queue. **A freed slot goes to the send that has waited
//!   longest**, first come first served: the `recv` that frees it hands it to that send and wakes
//!   it (and no other); the send keeps the slot until it is polled again, and then completes.
//!   Meanwhile the slot is not free: a `try_send`, or a new `send`, does not overtake a waiting
//!   send; it finds the channel full. (tokio: the senders share a semaphore whose released
//!   permits go to the queued waiters first, in order, and to the free count only when nobody
//!   waits.)
//! - **A waiting send can be cancelled** (its future dropped, as `select!` drops a losing
//!   branch): it leaves the queue, and a slot already handed to it goes on to the next waiting
//!   send (woken) or back to the free slots. While a send waits it borrows its sender, which can
//!   do nothing else until the send completes or is cancelled.
//! - **The channel closes for the receiver** (guide: Multiple Producers, "The channel closes
//!   only when ALL senders are dropped") when every sender is gone (clones count) or when
//!   the receiver calls `close()`. Either way the receiver first gets every buffered message.
//!   After every sender is gone it then gets `None` from `recv` and `Disconnected` from
//!   `try_recv`. After `close()` it gets them once no send holds a slot it has not used yet
//!   (the channel is *idle*); until then `recv` is `Pending` and `try_recv` is `Empty`, as with
//!   nothing buffered on an open channel. `Receiver::is_closed()` is true from the moment of
//!   either event, buffered messages or not.
//! - **The channel closes for the senders** (guide: Basic Example, "send() returns Err if
//!   receiver is dropped") when the receiver calls `close()` or is dropped:
//!   `Sender::is_closed()` is true and every send hands its value back, a waiting one too, even
//!   one that had been handed a slot (the slot then becomes free again). `close()` wakes every
//!   send still in the queue. Dropping the receiver also drops what was buffered, so those slots
//!   are free again.
//! - **A pending `recv` is woken** by a message arriving, by the last sender going away, and,
//!   after `close()`, by a send that gives back the last slot held (so that it sees the end);
//!   by nothing else (not by a clone being dropped).
//!
//! The model is plain data: it answers [`Mpsc::apply`] with the [`Outcome`] tokio must produce
//! and [`Mpsc::observe`] with what the accessors must say, and has no tokio inside.

use std::collections::VecDeque;
use std::task::Poll;

use super::slots::Slots;

/// Which kind of mpsc channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `mpsc::channel(n)`: at most `n` buffered messages (`n > 0`).
    Bounded(usize),
    /// `mpsc::unbounded_channel()`.
    Unbounded,
}

/// One step applied to the channel. `sender` picks an idle sender (one with no send waiting),
/// modulo how many there are: senders are interchangeable, so the model only counts them.
/// `send` picks a waiting send, modulo how many there are, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<T> {
    /// `try_send(value)` (bounded only).
    TrySend {
        /// Which sender.
        sender: usize,
        /// The message.
        value: T,
    },
    /// Bounded: `send(value)`, polled once by a task of its own; if it is pending it is kept
    /// (and its sender is busy) until [`Op::PollSend`] completes it or [`Op::CancelSend`]
    /// drops it. Unbounded: the synchronous `send(value)`.
    StartSend {
        /// Which sender.
        sender: usize,
        /// The message.
        value: T,
    },
    /// Polls a waiting send again.
    PollSend {
        /// Which waiting send.
        send: usize,
    },
    /// Drops a waiting send's future (cancels it); its sender is idle again.
    CancelSend {
        /// Which waiting send.
        send: usize,
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
    /// Nothing buffered, and the channel is open (or closed but not idle).
    Empty,
    /// Nothing buffered, and nothing will ever come.
    Disconnected,
}

/// What one [`Op`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// A sender op with no idle sender: nothing was done.
    NoSender,
    /// A send op with no send waiting: nothing was done.
    NoSend,
    /// A receiver op after the receiver was dropped: nothing was done.
    NoReceiver,
    /// An op with nothing to report (clone, drop, close, cancel).
    Done,
    /// `try_send`.
    TrySend(Result<(), TrySendError<T>>),
    /// Unbounded `send`: `Err(value)` is `SendError(value)`.
    Send(Result<(), T>),
    /// A poll of a bounded `send` (its first or a later one): `Err(value)` is
    /// `SendError(value)`; `Pending`: it waits (kept as a waiting send).
    PollSend(Poll<Result<(), T>>),
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
    /// `Sender::strong_count()`.
    pub sender_strong_count_via_sender: Option<usize>,
    /// `Receiver::is_closed()`.
    pub receiver_is_closed: Option<bool>,
    /// `Receiver::len()`.
    pub receiver_len: Option<usize>,
    /// `Receiver::is_empty()`.
    pub receiver_is_empty: Option<bool>,
    /// `Receiver::capacity()`.
    pub receiver_capacity: Option<usize>,
    /// `Receiver::max_capacity()`.
    pub receiver_max_capacity: Option<usize>,
    /// `Receiver::sender_strong_count()`.
    pub sender_strong_count: Option<usize>,
    /// While the last receiver op was a `poll_recv` that returned `Pending` (the recv is still
    /// waiting): whether its task has been woken since.
    pub pending_recv_woken: Option<bool>,
    /// The waiting sends, oldest first: whether each one's task has been woken since its last
    /// poll.
    pub pending_sends_woken: Vec<bool>,
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

/// Where a waiting send stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// In the queue for a slot.
    Queued,
    /// A freed slot was handed to it; its next poll uses it (or, if the channel has closed
    /// since, gives it back and fails).
    Granted,
    /// Taken out of the queue by `close()` (or the receiver's drop) without a slot; its next
    /// poll fails.
    Refused,
}

/// A send that returned `Pending` and was neither completed nor cancelled since.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingSend<T> {
    value: T,
    state: Waiting,
    /// Whether its task was woken since its last poll.
    woken: bool,
}

/// The model of one mpsc channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Mpsc<T> {
    flavor: Flavor,
    buffer: VecDeque<T>,
    senders: usize,
    receiver: ReceiverState,
    /// `Some(woken)` while a recv is pending.
    pending_recv: Option<bool>,
    /// Free slots (bounded; 0 for unbounded, unused).
    free: usize,
    /// The waiting sends, by creation index.
    sends: Slots<PendingSend<T>>,
    /// The indices of the [`Waiting::Queued`] sends, oldest first.
    queue: VecDeque<usize>,
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
            free: match flavor {
                Flavor::Bounded(n) => n,
                Flavor::Unbounded => 0,
            },
            sends: Slots::empty(),
            queue: VecDeque::new(),
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

    /// How many senders are alive (idle or busy with a waiting send).
    pub fn senders(&self) -> usize {
        self.senders
    }

    /// How many senders are idle: alive and not borrowed by a waiting send.
    pub fn idle_senders(&self) -> usize {
        self.senders - self.sends.count()
    }

    /// The waiting sends, oldest first: their creation index and where each stands.
    pub fn waiting_sends(&self) -> Vec<(usize, Waiting)> {
        self.sends
            .ids()
            .filter_map(|i| self.sends.get(i).map(|s| (i, s.state)))
            .collect()
    }

    /// The receiver's state.
    pub fn receiver(&self) -> ReceiverState {
        self.receiver
    }

    /// Whether sends fail: the receiver closed the channel or is gone.
    pub fn closed_for_senders(&self) -> bool {
        self.receiver != ReceiverState::Open
    }

    /// Whether the receiver will get nothing more than what is buffered (and what the sends
    /// granted a slot may still put there).
    pub fn closed_for_receiver(&self) -> bool {
        self.receiver == ReceiverState::Closed || self.senders == 0
    }

    /// Whether a new message finds no free slot.
    pub fn is_full(&self) -> bool {
        match self.flavor {
            Flavor::Bounded(_) => self.free == 0,
            Flavor::Unbounded => false,
        }
    }

    /// Free slots (bounded only): what `capacity()` says.
    pub fn free_capacity(&self) -> Option<usize> {
        match self.flavor {
            Flavor::Bounded(_) => Some(self.free),
            Flavor::Unbounded => None,
        }
    }

    /// Whether every slot is free: no message buffered and no slot held by a waiting send.
    /// After `close()`, the receiver sees the end only then. (Unbounded: no message buffered.)
    pub fn is_idle(&self) -> bool {
        match self.flavor {
            Flavor::Bounded(n) => self.free == n,
            Flavor::Unbounded => self.buffer.is_empty(),
        }
    }

    /// Applies one step and returns what tokio must produce.
    pub fn apply(&mut self, op: &Op<T>) -> Outcome<T> {
        match op {
            Op::TrySend { .. }
            | Op::StartSend { .. }
            | Op::CloneSender { .. }
            | Op::DropSender { .. } => {
                if self.idle_senders() == 0 {
                    return Outcome::NoSender;
                }
            }
            Op::PollSend { send } | Op::CancelSend { send } => {
                let Some(id) = self.pick_send(*send) else {
                    return Outcome::NoSend;
                };
                return if matches!(op, Op::PollSend { .. }) {
                    Outcome::PollSend(self.poll_send(id))
                } else {
                    self.cancel_send(id);
                    Outcome::Done
                };
            }
            Op::TryRecv | Op::PollRecv | Op::Close | Op::DropReceiver => {
                if self.receiver == ReceiverState::Dropped {
                    return Outcome::NoReceiver;
                }
                // Any other use of the receiver means the pending recv future is gone.
                self.pending_recv = None;
            }
        }
        match op {
            Op::TrySend { value, .. } => Outcome::TrySend(self.try_send(value.clone())),
            Op::StartSend { value, .. } => match self.flavor {
                Flavor::Unbounded => Outcome::Send(self.send_unbounded(value.clone())),
                Flavor::Bounded(_) => Outcome::PollSend(self.start_send(value.clone())),
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
            Op::TryRecv => Outcome::TryRecv(match self.take() {
                Some(v) => Ok(v),
                None if self.receiver_sees_end() => Err(TryRecvError::Disconnected),
                None => Err(TryRecvError::Empty),
            }),
            Op::PollRecv => {
                let poll = match self.take() {
                    Some(v) => Poll::Ready(Some(v)),
                    None if self.receiver_sees_end() => Poll::Ready(None),
                    None => Poll::Pending,
                };
                if poll.is_pending() {
                    self.pending_recv = Some(false);
                }
                Outcome::PollRecv(poll)
            }
            Op::Close => {
                if self.receiver == ReceiverState::Open {
                    self.receiver = ReceiverState::Closed;
                    self.refuse_queued();
                }
                Outcome::Done
            }
            Op::DropReceiver => {
                if self.receiver == ReceiverState::Open {
                    self.refuse_queued();
                }
                self.receiver = ReceiverState::Dropped;
                while self.take().is_some() {}
                Outcome::Done
            }
            Op::PollSend { .. } | Op::CancelSend { .. } => unreachable!("handled above"),
        }
    }

    /// What the accessors say now.
    pub fn observe(&self) -> Observed {
        let has_sender = self.senders() > 0;
        let has_receiver = self.receiver() != ReceiverState::Dropped;
        let max = match self.flavor() {
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
            sender_strong_count_via_sender: only(has_sender, Some(self.senders)),
            receiver_is_closed: only(has_receiver, Some(self.closed_for_receiver())),
            receiver_len: only(has_receiver, Some(self.buffer.len())),
            receiver_is_empty: only(has_receiver, Some(self.buffer.is_empty())),
            receiver_capacity: only(has_receiver, self.free_capacity()),
            receiver_max_capacity: only(has_receiver, max),
            sender_strong_count: only(has_receiver, Some(self.senders)),
            pending_recv_woken: self.pending_recv,
            pending_sends_woken: self.sends.values().map(|s| s.woken).collect(),
        }
    }

    /// The creation index of the `k % count`-th waiting send, oldest first.
    fn pick_send(&self, k: usize) -> Option<usize> {
        let ids: Vec<usize> = self.sends.ids().collect();
        (!ids.is_empty()).then(|| ids[k % ids.len()])
    }

    /// With nothing buffered: whether the receiver gets the end (`None`, `Disconnected`)
    /// rather than waiting (`Pending`, `Empty`).
    fn receiver_sees_end(&self) -> bool {
        self.senders == 0 || (self.receiver != ReceiverState::Open && self.is_idle())
    }

    fn try_send(&mut self, value: T) -> Result<(), TrySendError<T>> {
        if self.closed_for_senders() {
            Err(TrySendError::Closed(value))
        } else if self.is_full() {
            Err(TrySendError::Full(value))
        } else {
            self.free -= 1;
            self.push(value);
            Ok(())
        }
    }

    fn send_unbounded(&mut self, value: T) -> Result<(), T> {
        if self.closed_for_senders() {
            Err(value)
        } else {
            self.push(value);
            Ok(())
        }
    }

    /// The first poll of a bounded send: done at once if a slot is free (no send can be
    /// queued then), fails at once on a closed channel, otherwise joins the queue.
    fn start_send(&mut self, value: T) -> Poll<Result<(), T>> {
        if self.closed_for_senders() {
            self.send_gave_up();
            return Poll::Ready(Err(value));
        }
        if !self.is_full() {
            self.free -= 1;
            self.push(value);
            return Poll::Ready(Ok(()));
        }
        let id = self.sends.add(PendingSend {
            value,
            state: Waiting::Queued,
            woken: false,
        });
        self.queue.push_back(id);
        Poll::Pending
    }

    /// A later poll of waiting send `id`.
    fn poll_send(&mut self, id: usize) -> Poll<Result<(), T>> {
        let closed = self.closed_for_senders();
        let Some(send) = self.sends.get_mut(id) else {
            return Poll::Pending;
        };
        send.woken = false;
        let state = send.state;
        if state == Waiting::Queued {
            return Poll::Pending;
        }
        let Some(send) = self.sends.remove(id) else {
            return Poll::Pending;
        };
        if state == Waiting::Granted && !closed {
            self.push(send.value);
            return Poll::Ready(Ok(()));
        }
        if state == Waiting::Granted {
            // The channel closed after the slot was granted: the send fails and gives it back.
            self.release();
        }
        self.send_gave_up();
        Poll::Ready(Err(send.value))
    }

    /// Drops waiting send `id`: out of the queue, and a slot it was granted goes on.
    fn cancel_send(&mut self, id: usize) {
        if let Some(send) = self.sends.remove(id) {
            match send.state {
                Waiting::Queued => self.queue.retain(|&q| q != id),
                Waiting::Granted => self.release(),
                Waiting::Refused => {}
            }
            self.send_gave_up();
        }
    }

    /// A send ended without sending: if the channel is closed and now idle, the receiver is
    /// woken to see the end.
    fn send_gave_up(&mut self) {
        if self.closed_for_senders() && self.is_idle() {
            self.wake_recv();
        }
    }

    /// `close()` or the receiver's drop: every queued send is woken, to fail.
    fn refuse_queued(&mut self) {
        while let Some(id) = self.queue.pop_front() {
            if let Some(send) = self.sends.get_mut(id) {
                send.state = Waiting::Refused;
                send.woken = true;
            }
        }
    }

    /// The oldest buffered message, its slot released.
    fn take(&mut self) -> Option<T> {
        let v = self.buffer.pop_front()?;
        if let Flavor::Bounded(_) = self.flavor {
            self.release();
        }
        Some(v)
    }

    /// A slot is given back: to the send that has waited longest (woken), or to the free ones.
    fn release(&mut self) {
        while let Some(id) = self.queue.pop_front() {
            if let Some(send) = self.sends.get_mut(id) {
                send.state = Waiting::Granted;
                send.woken = true;
                return;
            }
        }
        self.free += 1;
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
