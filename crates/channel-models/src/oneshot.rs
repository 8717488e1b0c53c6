//! Reference model of tokio's oneshot channel (`tokio::sync::oneshot::channel`).
//!
//! What it says, made precise where the guide is vague:
//!
//! - **One value, once** (guide: oneshot, "sends exactly one value, then closes"). `send`
//!   consumes the sender. It succeeds unless the receiver has
//!   closed the channel (`Receiver::close()`) or is gone; then it hands the value back.
//! - **Completion** (guide: oneshot, Error Handling When Sender Is Dropped: "the receiver gets
//!   an error"). A successful send, or the sender being dropped without sending, completes
//!   the channel, unless the receiver closed it first. A pending receive is woken by that
//!   completion, and by nothing else.
//! - **The receiver** gets `Empty` from `try_recv` (and `Pending` when polled) until the
//!   channel completes or it closes it. Then it gets the value if one was sent (even if it
//!   closed the channel after the value was sent), otherwise `Closed` (`RecvError` when
//!   polled).
//! - **Termination** (guide: Combining Channels with `select!`, "poll it repeatedly": only
//!   until it completes). Once `try_recv` has returned `Ok` or `Closed`, or a poll has returned
//!   `Ready`, the receiver is terminated: `is_terminated()` is true, `try_recv` returns
//!   `Closed`, and polling it again would panic ("called after complete"), so a caller must
//!   know not to. `try_recv` returning `Empty` does not terminate it.
//! - **The sender sees the channel closed** (guide: oneshot, Task with Result, "Ignore error if
//!   receiver dropped") (`is_closed()`, and a pending `poll_closed` woken
//!   and then ready) once the receiver calls `close()` or is dropped. `close()` on a terminated
//!   receiver does nothing.
//! - `Receiver::is_empty()` is false exactly when a sent value is waiting to be taken.

use std::task::Poll;

/// One step applied to the channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<T> {
    /// `Sender::send(value)`, which consumes the sender.
    Send(T),
    /// Drops the sender.
    DropSender,
    /// `Sender::poll_closed()` once, by a task that is kept to see whether it is woken.
    PollClosed,
    /// `Receiver::try_recv()`.
    TryRecv,
    /// Polls the receiver (it is a future) once, by a task that is kept to see whether it is
    /// woken; or, if it is terminated, does not poll it.
    PollRecv,
    /// `Receiver::close()`.
    Close,
    /// Drops the receiver.
    DropReceiver,
}

/// The error of `try_recv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value yet, and the channel is open.
    Empty,
    /// No value, and none will come (or the receiver is terminated).
    Closed,
}

/// The error of awaiting the receiver: no value, and none will come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvError;

/// As tokio's: what an `.await` of a receiver whose sender is gone says.
impl std::fmt::Display for RecvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("channel closed")
    }
}

impl std::error::Error for RecvError {}

/// What a poll of the receiver gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecvPoll<T> {
    /// The receiver is terminated: it must not be polled (tokio panics "called after
    /// complete").
    Terminated,
    /// It was polled.
    Polled(Poll<Result<T, RecvError>>),
}

/// What one [`Op`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    /// A sender op after the sender was consumed or dropped: nothing was done.
    NoSender,
    /// A receiver op after the receiver was dropped: nothing was done.
    NoReceiver,
    /// An op with nothing to report (drop, close).
    Done,
    /// `send`: `Err(value)` hands the value back.
    Send(Result<(), T>),
    /// `poll_closed`.
    PollClosed(Poll<()>),
    /// `try_recv`.
    TryRecv(Result<T, TryRecvError>),
    /// A poll of the receiver.
    PollRecv(RecvPoll<T>),
}

/// What the accessors say between steps; `None` when there is no handle to ask.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Observed {
    /// `Sender::is_closed()`.
    pub sender_is_closed: Option<bool>,
    /// `Receiver::is_terminated()`.
    pub receiver_is_terminated: Option<bool>,
    /// `Receiver::is_empty()`.
    pub receiver_is_empty: Option<bool>,
    /// While the last receiver op was a poll that returned `Pending`: whether its task has
    /// been woken since.
    pub pending_recv_woken: Option<bool>,
    /// While the last sender op was a `poll_closed` that returned `Pending`: whether its task
    /// has been woken since.
    pub pending_closed_woken: Option<bool>,
}

/// The model of one oneshot channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Oneshot<T> {
    sender_alive: bool,
    receiver_alive: bool,
    /// The receiver closed the channel (`close()` or drop) before it completed.
    closed: bool,
    /// The sender sent or was dropped, before the receiver closed the channel.
    complete: bool,
    /// The value sent and not yet taken.
    value: Option<T>,
    terminated: bool,
    pending_recv: Option<bool>,
    pending_closed: Option<bool>,
}

impl<T: Clone> Default for Oneshot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone> Oneshot<T> {
    /// A new channel: both halves alive, nothing sent.
    pub fn new() -> Self {
        Self {
            sender_alive: true,
            receiver_alive: true,
            closed: false,
            complete: false,
            value: None,
            terminated: false,
            pending_recv: None,
            pending_closed: None,
        }
    }

    /// Whether the sender is still there (not consumed by `send`, not dropped).
    pub fn sender_alive(&self) -> bool {
        self.sender_alive
    }

    /// Whether the receiver is still there.
    pub fn receiver_alive(&self) -> bool {
        self.receiver_alive
    }

    /// Whether the receiver is terminated: polling it again would panic.
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }

    /// Whether the sender sees the channel closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Applies one step and returns what tokio must produce.
    pub fn apply(&mut self, op: &Op<T>) -> Outcome<T> {
        let sender_op = matches!(op, Op::Send(_) | Op::DropSender | Op::PollClosed);
        if sender_op {
            if !self.sender_alive {
                return Outcome::NoSender;
            }
            // Any other use of the sender means the pending `closed` future is gone.
            self.pending_closed = None;
        } else {
            if !self.receiver_alive {
                return Outcome::NoReceiver;
            }
            self.pending_recv = None;
        }
        match op {
            Op::Send(value) => {
                self.sender_alive = false;
                if self.closed {
                    Outcome::Send(Err(value.clone()))
                } else {
                    self.value = Some(value.clone());
                    self.complete();
                    Outcome::Send(Ok(()))
                }
            }
            Op::DropSender => {
                self.sender_alive = false;
                if !self.closed {
                    self.complete();
                }
                Outcome::Done
            }
            Op::PollClosed => {
                if self.closed {
                    Outcome::PollClosed(Poll::Ready(()))
                } else {
                    self.pending_closed = Some(false);
                    Outcome::PollClosed(Poll::Pending)
                }
            }
            Op::TryRecv => Outcome::TryRecv(if self.terminated {
                Err(TryRecvError::Closed)
            } else if self.complete || self.closed {
                self.terminated = true;
                self.value.take().ok_or(TryRecvError::Closed)
            } else {
                Err(TryRecvError::Empty)
            }),
            Op::PollRecv => Outcome::PollRecv(if self.terminated {
                RecvPoll::Terminated
            } else if self.complete || self.closed {
                self.terminated = true;
                RecvPoll::Polled(Poll::Ready(self.value.take().ok_or(RecvError)))
            } else {
                self.pending_recv = Some(false);
                RecvPoll::Polled(Poll::Pending)
            }),
            Op::Close => {
                if !self.terminated {
                    self.close();
                }
                Outcome::Done
            }
            Op::DropReceiver => {
                self.receiver_alive = false;
                if !self.terminated {
                    self.close();
                }
                self.value = None;
                Outcome::Done
            }
        }
    }

    /// What the accessors say now.
    pub fn observe(&self) -> Observed {
        let if_receiver = |v| if self.receiver_alive() { Some(v) } else { None };
        Observed {
            sender_is_closed: self.sender_alive().then_some(self.is_closed()),
            receiver_is_terminated: if_receiver(self.is_terminated()),
            receiver_is_empty: if_receiver(self.value.is_none()),
            pending_recv_woken: self.pending_recv,
            pending_closed_woken: self.pending_closed,
        }
    }

    fn complete(&mut self) {
        self.complete = true;
        if let Some(woken) = &mut self.pending_recv {
            *woken = true;
        }
    }

    fn close(&mut self) {
        if !self.closed
            && !self.complete
            && let Some(woken) = &mut self.pending_closed
        {
            *woken = true;
        }
        self.closed = true;
    }
}
