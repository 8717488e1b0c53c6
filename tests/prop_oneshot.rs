//! Model-based property tests of `tokio::sync::oneshot`: random sequences of `send`, the
//! sender's drop, a hand-polled `poll_closed`, `try_recv`, a hand-polled receive, `close()` and
//! the receiver's drop are applied both to a real channel and to the reference model
//! (`channel_patterns::model::oneshot`), and every outcome and, after every step, every accessor
//! (`Sender::is_closed`, `Receiver::is_terminated`, `Receiver::is_empty`, whether a pending
//! receive or `poll_closed` was woken) must agree.
//!
//! The receiver is never polled once it is terminated (tokio panics "called after complete"):
//! the harness asks the real receiver `is_terminated()` first and reports `Terminated` instead
//! of polling, so the model must know exactly when the receiver is terminated.
//!
//! The property has broken twins: the same harness run against a model with one planted
//! mistake must fail.

mod prop_support;

use std::task::Poll;

use channel_patterns::model::oneshot::{
    Observed, Oneshot, Op, Outcome, RecvError, RecvPoll, TryRecvError,
};
use prop_support::{counterexample, persisted};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use tokio::sync::oneshot;
use tokio_test::task;

// ---------------------------------------------------------------------------------------------
// The real channel, driven op by op.

struct Real {
    tx: Option<oneshot::Sender<u32>>,
    /// The receiver, inside the task that polls it.
    rx: Option<task::Spawn<oneshot::Receiver<u32>>>,
    /// The task that polls `poll_closed`.
    closed_task: task::Spawn<()>,
    recv_pending: bool,
    closed_pending: bool,
}

impl Real {
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
// Oracles: the model, and its broken twins.

trait Oracle {
    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32>;
    fn observe(&self) -> Observed;
}

impl Oracle for Oneshot<u32> {
    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        Oneshot::apply(self, op)
    }
    fn observe(&self) -> Observed {
        Oneshot::observe(self)
    }
}

/// A model with one planted mistake.
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

impl Oracle for Twin {
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
// The harness.

/// Applies `ops` to the real channel and to the oracle; every outcome and every observation
/// must agree.
fn check(oracle: &mut dyn Oracle, ops: &[Op<u32>]) -> Result<(), TestCaseError> {
    let mut real = Real::new();
    prop_assert_eq!(real.observe(), oracle.observe(), "initially");
    for (step, op) in ops.iter().enumerate() {
        let expected = oracle.apply(op);
        let actual = real.apply(op);
        prop_assert_eq!(&actual, &expected, "outcome of step {} ({:?})", step, op);
        prop_assert_eq!(
            real.observe(),
            oracle.observe(),
            "observed after step {} ({:?})",
            step,
            op
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Strategies.

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

fn ops() -> impl Strategy<Value = Vec<Op<u32>>> {
    prop::collection::vec(op(), 0..16)
}

proptest! {
    #![proptest_config(persisted("proptest-regressions/prop_oneshot.txt", 1024))]

    /// The oneshot channel behaves as the model says, step by step.
    #[test]
    fn oneshot_agrees_with_the_model(ops in ops()) {
        check(&mut Oneshot::new(), &ops)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The broken twins are rejected.

/// Runs the property's search against a broken twin (fixed seed, no persistence) and returns
/// why it failed and the minimal failing case; panics if it finds none.
fn rejected(flaw: Flaw) -> (String, Vec<Op<u32>>) {
    counterexample(ops(), |ops| check(&mut Twin::new(flaw), &ops))
}

#[test]
fn twin_where_send_succeeds_after_close_is_rejected() {
    let (why, ops) = rejected(Flaw::SendFailsOnlyOnDrop);
    assert!(ops.contains(&Op::Close), "{why}\n{ops:?}");
    assert!(why.contains("Send(Err("), "{why}");
}

#[test]
fn twin_that_does_not_know_try_recv_terminates_is_rejected() {
    let (why, ops) = rejected(Flaw::TryRecvOkDoesNotTerminate);
    assert!(ops.contains(&Op::TryRecv), "{why}\n{ops:?}");
}

#[test]
fn twin_where_close_drops_the_value_is_rejected() {
    let (why, ops) = rejected(Flaw::CloseDropsTheValue);
    assert!(ops.contains(&Op::Close), "{why}\n{ops:?}");
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

#[test]
fn search_reaches_every_outcome() {
    use proptest::strategy::ValueTree;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..1024 {
        let ops = ops().new_tree(&mut runner).expect("a case").current();
        let mut model = Oneshot::new();
        for op in &ops {
            let before_closed = model.is_closed();
            let outcome = model.apply(op);
            seen.insert(label(&outcome));
            if before_closed && matches!(outcome, Outcome::TryRecv(Ok(_))) {
                seen.insert("value received after close");
            }
            let observed = model.observe();
            for (name, woken) in [
                ("pending recv", observed.pending_recv_woken),
                ("pending closed", observed.pending_closed_woken),
            ] {
                match woken {
                    Some(true) => seen.insert(if name == "pending recv" {
                        "pending recv woken"
                    } else {
                        "pending closed woken"
                    }),
                    Some(false) => seen.insert(if name == "pending recv" {
                        "pending recv not woken"
                    } else {
                        "pending closed not woken"
                    }),
                    None => false,
                };
            }
        }
    }
    for label in [
        "no sender",
        "no receiver",
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
    ] {
        assert!(seen.contains(label), "never reached: {label}");
    }
}
