//! Model-based property tests of `tokio::sync::oneshot`: random sequences of `send`, the
//! sender's drop, a hand-polled `poll_closed`, `try_recv`, a hand-polled receive, `close()` and
//! the receiver's drop are applied both to a real channel and to the reference model
//! (`channel_models::oneshot`), and every outcome and, after every step, every accessor
//! (`Sender::is_closed`, `Receiver::is_terminated`, `Receiver::is_empty`, whether a pending
//! receive or `poll_closed` was woken) must agree.
//!
//! The receiver is never polled once it is terminated (tokio panics "called after complete"):
//! the harness asks the real receiver `is_terminated()` first and reports `Terminated` instead
//! of polling, so the model must know exactly when the receiver is terminated.
//!
//! The property has twins (the model with one rule changed), which it must reject.

use test_support::props;

use std::task::Poll;

use channel_models::oneshot::{Observed, Oneshot, Op, Outcome, RecvError, RecvPoll, TryRecvError};
use props::{Case, Channel, Suite, case, edge_case, twin_rejected};
use proptest::prelude::*;
use tokio::sync::oneshot;
use tokio_test::task;

// ---------------------------------------------------------------------------------------------
// Tokio's channel, driven op by op.

struct Tokio {
    tx: Option<oneshot::Sender<u32>>,
    /// The receiver, inside the task that polls it.
    rx: Option<task::Spawn<oneshot::Receiver<u32>>>,
    /// The task that polls `poll_closed`.
    closed_task: task::Spawn<()>,
    recv_pending: bool,
    closed_pending: bool,
}

impl Tokio {
    fn new() -> Self {
        let (tx, rx) = oneshot::channel();
        Self {
            tx: Some(tx),
            rx: Some(task::spawn(rx)),
            closed_task: task::spawn(()),
            recv_pending: false,
            closed_pending: false,
        }
    }
}

impl Channel for Tokio {
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        match op {
            Op::Send(_) | Op::DropSender | Op::PollClosed => {
                if self.tx.is_none() {
                    return Outcome::NoSender;
                }
                self.closed_pending = false;
                match op {
                    Op::Send(value) => Outcome::Send(self.tx.take().expect("sender").send(*value)),
                    Op::DropSender => {
                        self.tx = None;
                        Outcome::Done
                    }
                    _ => {
                        let tx = self.tx.as_mut().expect("sender");
                        let poll = self.closed_task.enter(|cx, _| tx.poll_closed(cx));
                        self.closed_pending = poll.is_pending();
                        Outcome::PollClosed(poll)
                    }
                }
            }
            Op::TryRecv | Op::PollRecv | Op::Close | Op::DropReceiver => {
                let Some(rx) = self.rx.as_mut() else {
                    return Outcome::NoReceiver;
                };
                self.recv_pending = false;
                match op {
                    Op::TryRecv => Outcome::TryRecv(rx.try_recv().map_err(|e| match e {
                        oneshot::error::TryRecvError::Empty => TryRecvError::Empty,
                        oneshot::error::TryRecvError::Closed => TryRecvError::Closed,
                    })),
                    Op::PollRecv => Outcome::PollRecv(if rx.is_terminated() {
                        RecvPoll::Terminated
                    } else {
                        let poll = rx.poll().map(|r| r.map_err(|_| RecvError));
                        self.recv_pending = poll.is_pending();
                        RecvPoll::Polled(poll)
                    }),
                    Op::Close => {
                        rx.close();
                        Outcome::Done
                    }
                    _ => {
                        self.rx = None;
                        Outcome::Done
                    }
                }
            }
        }
    }

    fn observe(&self) -> Observed {
        let rx = self.rx.as_ref();
        Observed {
            sender_is_closed: self.tx.as_ref().map(oneshot::Sender::is_closed),
            receiver_is_terminated: rx.map(|rx| rx.is_terminated()),
            receiver_is_empty: rx.map(|rx| rx.is_empty()),
            pending_recv_woken: rx.filter(|_| self.recv_pending).map(|rx| rx.is_woken()),
            pending_closed_woken: self.closed_pending.then(|| self.closed_task.is_woken()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The reference model, and its twins.

/// The reference model under comparison.
struct Model(Oneshot<u32>);

impl Channel for Model {
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        self.0.apply(op)
    }
    fn observe(&self) -> Observed {
        self.0.observe()
    }
}

/// The rule a twin changes.
#[derive(Clone, Copy, Debug)]
enum Flaw {
    /// `send` fails only when the receiver is dropped, not when it called `close()` (the guide
    /// says only "send() returns Err if receiver is dropped").
    SendFailsOnlyOnDrop,
    /// `try_recv` returning a value does not terminate the receiver.
    TryRecvOkDoesNotTerminate,
    /// `close()` throws away a value that was already sent.
    CloseDropsTheValue,
}

/// The reference model with the one rule of `flaw` changed.
struct Twin {
    model: Oneshot<u32>,
    flaw: Flaw,
    /// `TryRecvOkDoesNotTerminate`: a value was taken by `try_recv`, and the twin believes the
    /// receiver is still live.
    believes_live: bool,
    /// `CloseDropsTheValue`: the twin believes the value sent was thrown away by `close()`.
    believes_discarded: bool,
}

impl Twin {
    fn new(flaw: Flaw) -> Self {
        Self {
            model: Oneshot::new(),
            flaw,
            believes_live: false,
            believes_discarded: false,
        }
    }
}

impl Channel for Twin {
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        let m = &mut self.model;
        let out = match (self.flaw, op) {
            (Flaw::SendFailsOnlyOnDrop, Op::Send(_)) => match m.apply(op) {
                Outcome::Send(Err(_)) if m.receiver_alive() => Outcome::Send(Ok(())),
                out => out,
            },
            (Flaw::TryRecvOkDoesNotTerminate, Op::PollRecv) if self.believes_live => {
                // A live receiver whose sender is gone: it expects the poll to say so.
                m.apply(op);
                Outcome::PollRecv(RecvPoll::Polled(Poll::Ready(Err(RecvError))))
            }
            (Flaw::CloseDropsTheValue, Op::Close) => {
                let waiting = m.observe().receiver_is_empty == Some(false);
                self.believes_discarded |= waiting;
                m.apply(op)
            }
            (Flaw::CloseDropsTheValue, Op::TryRecv | Op::PollRecv) if self.believes_discarded => {
                match m.apply(op) {
                    Outcome::TryRecv(Ok(_)) => Outcome::TryRecv(Err(TryRecvError::Closed)),
                    Outcome::PollRecv(RecvPoll::Polled(Poll::Ready(Ok(_)))) => {
                        Outcome::PollRecv(RecvPoll::Polled(Poll::Ready(Err(RecvError))))
                    }
                    out => out,
                }
            }
            _ => m.apply(op),
        };
        if let (Flaw::TryRecvOkDoesNotTerminate, Outcome::TryRecv(Ok(_))) = (self.flaw, &out) {
            self.believes_live = true;
        }
        out
    }

    fn observe(&self) -> Observed {
        let mut seen = self.model.observe();
        if self.believes_live && seen.receiver_is_terminated.is_some() {
            seen.receiver_is_terminated = Some(false);
        }
        if self.believes_discarded && seen.receiver_is_empty.is_some() {
            seen.receiver_is_empty = Some(true);
        }
        seen
    }
}

// ---------------------------------------------------------------------------------------------
// The suite.

/// The oneshot channel behaves as the model says, step by step.
struct Property;

impl Suite for Property {
    const NAME: &'static str = "oneshot";
    const FILE: &'static str = "prop_oneshot";
    const CASES: u32 = 1024;
    type Setup = ();
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;
    type Flaw = Flaw;
    const FLAWS: &'static [Flaw] = &[
        Flaw::SendFailsOnlyOnDrop,
        Flaw::TryRecvOkDoesNotTerminate,
        Flaw::CloseDropsTheValue,
    ];
    const OUTCOMES: &'static [&'static str] = &[
        "no sender",
        "no receiver",
        "done",
        "send Ok",
        "send Err",
        "closed Ready",
        "closed Pending",
        "try_recv Ok",
        "try_recv Empty",
        "try_recv Closed",
        "recv terminated, not polled",
        "recv Ready(Ok)",
        "recv Ready(Err)",
        "recv Pending",
        "value received after close",
        "pending recv woken",
        "pending recv not woken",
        "pending closed woken",
        "pending closed not woken",
        "sender gone, receiver alive",
    ];

    /// Up to 16 ops.
    fn cases() -> impl Strategy<Value = Case<(), Op<u32>>> {
        case(Just(()), op(), 15)
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(_: &()) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Tokio::new()
    }
    fn model(_: &()) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Model(Oneshot::new())
    }
    fn twin(
        _: &(),
        flaw: Flaw,
    ) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Twin::new(flaw)
    }
    fn outcomes(case: Case<(), Op<u32>>, seen: &mut dyn FnMut(&'static str)) {
        let mut model = Oneshot::new();
        for op in &case.ops {
            let before_closed = model.is_closed();
            let outcome = model.apply(op);
            seen(label(&outcome));
            if before_closed && matches!(outcome, Outcome::TryRecv(Ok(_))) {
                seen("value received after close");
            }
            let observed = model.observe();
            match observed.pending_recv_woken {
                Some(true) => seen("pending recv woken"),
                Some(false) => seen("pending recv not woken"),
                None => {}
            }
            match observed.pending_closed_woken {
                Some(true) => seen("pending closed woken"),
                Some(false) => seen("pending closed not woken"),
                None => {}
            }
            if !model.sender_alive() && model.receiver_alive() {
                seen("sender gone, receiver alive");
            }
        }
    }
}

test_support::suite_tests!(property: Property);

fn op() -> impl Strategy<Value = Op<u32>> {
    prop_oneof![
        2 => (1..100u32).prop_map(Op::Send),
        1 => Just(Op::DropSender),
        2 => Just(Op::PollClosed),
        3 => Just(Op::TryRecv),
        3 => Just(Op::PollRecv),
        1 => Just(Op::Close),
        1 => Just(Op::DropReceiver),
    ]
}

/// Simpler forms of `op`, for the harness's minimising.
fn simpler(op: &Op<u32>) -> Vec<Op<u32>> {
    match *op {
        Op::Send(v) if v > 1 => vec![Op::Send(1)],
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// The twins are rejected.

#[test]
fn twin_where_send_succeeds_after_close_is_rejected() {
    let r = twin_rejected::<Property>(Flaw::SendFailsOnlyOnDrop);
    // Minimal: `[Close, Send(1)]`.
    assert_eq!(
        r.minimal.ops,
        vec![Op::Close, Op::Send(1)],
        "{:?}",
        r.minimal
    );
    assert!(r.why.contains("Send(Err("), "{}", r.why);
}

#[test]
fn twin_that_does_not_know_try_recv_terminates_is_rejected() {
    let r = twin_rejected::<Property>(Flaw::TryRecvOkDoesNotTerminate);
    // Minimal: a send, a `try_recv` that takes the value; the receiver is now terminated.
    assert_eq!(
        r.minimal.ops,
        vec![Op::Send(1), Op::TryRecv],
        "{:?}",
        r.minimal
    );
    assert!(r.why.contains("receiver_is_terminated"), "{}", r.why);
}

#[test]
fn twin_where_close_drops_the_value_is_rejected() {
    let r = twin_rejected::<Property>(Flaw::CloseDropsTheValue);
    // Minimal: a send, then `close()`: the value is still there (`is_empty` false).
    assert_eq!(
        r.minimal.ops,
        vec![Op::Send(1), Op::Close],
        "{:?}",
        r.minimal
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases (`edge_case`): tokio and the model agree, and the twin that gets the rule wrong
// does not.

#[test]
fn edge_send_after_close_fails() {
    edge_case::<Property>((), vec![Op::Close, Op::Send(1)], Flaw::SendFailsOnlyOnDrop);
}

#[test]
fn edge_a_value_sent_before_close_is_still_received() {
    edge_case::<Property>(
        (),
        vec![Op::Send(1), Op::Close, Op::TryRecv],
        Flaw::CloseDropsTheValue,
    );
}

#[test]
fn edge_try_recv_ok_terminates_the_receiver() {
    edge_case::<Property>(
        (),
        vec![Op::Send(1), Op::TryRecv, Op::PollRecv],
        Flaw::TryRecvOkDoesNotTerminate,
    );
}

// ---------------------------------------------------------------------------------------------
// The search is not vacuous: the random sequences reach every outcome the model can give.

fn label(outcome: &Outcome<u32>) -> &'static str {
    match outcome {
        Outcome::NoSender => "no sender",
        Outcome::NoReceiver => "no receiver",
        Outcome::Done => "done",
        Outcome::Send(Ok(())) => "send Ok",
        Outcome::Send(Err(_)) => "send Err",
        Outcome::PollClosed(Poll::Ready(())) => "closed Ready",
        Outcome::PollClosed(Poll::Pending) => "closed Pending",
        Outcome::TryRecv(Ok(_)) => "try_recv Ok",
        Outcome::TryRecv(Err(TryRecvError::Empty)) => "try_recv Empty",
        Outcome::TryRecv(Err(TryRecvError::Closed)) => "try_recv Closed",
        Outcome::PollRecv(RecvPoll::Terminated) => "recv terminated, not polled",
        Outcome::PollRecv(RecvPoll::Polled(Poll::Ready(Ok(_)))) => "recv Ready(Ok)",
        Outcome::PollRecv(RecvPoll::Polled(Poll::Ready(Err(_)))) => "recv Ready(Err)",
        Outcome::PollRecv(RecvPoll::Polled(Poll::Pending)) => "recv Pending",
    }
}

/// The model's `RecvError` prints what tokio's does, so that a program on the loom backend
/// prints the same line as on tokio.
#[test]
fn recv_error_reads_as_tokios() {
    let (tx, rx) = oneshot::channel::<u32>();
    drop(tx);
    let tokio = tokio_test::block_on(rx).expect_err("the sender is gone");
    assert_eq!(RecvError.to_string(), tokio.to_string());
}
