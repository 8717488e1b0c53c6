//! Model-based property tests of `tokio::sync::mpsc`, bounded and unbounded: random sequences
//! of sends (`try_send`, a hand-polled `send`), sender clones and drops, receives (`try_recv`,
//! a hand-polled `recv`), `close()` and the receiver's drop are applied both to a real channel
//! and to the reference model (`channel_patterns::model::mpsc`), and every outcome and, after
//! every step, every accessor (`is_closed`, `capacity`, `len`, `is_empty`, the sender count,
//! whether a pending recv was woken) must agree.
//!
//! Each property has broken twins: the same harness run against a model with one planted
//! mistake must fail, which shows that the harness can tell a wrong model from the right one.

mod prop_support;

use std::task::Poll;

use channel_patterns::model::mpsc::{
    AfterRecv, Flavor, Mpsc, Observed, Op, Outcome, ReceiverState, SendPolled, TryRecvError,
    TrySendError,
};
use prop_support::{counterexample, persisted};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use tokio::sync::mpsc;
use tokio_test::task;

// ---------------------------------------------------------------------------------------------
// The real channel, driven op by op.

/// The receiving half, bounded or unbounded.
trait RxHalf {
    fn try_recv(&mut self) -> Result<u32, TryRecvError>;
    fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Option<u32>>;
    fn close(&mut self);
    fn is_closed(&self) -> bool;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
    fn capacity(&self) -> Option<usize>;
    fn sender_strong_count(&self) -> usize;
}

/// The sending half, bounded or unbounded.
trait TxHalf: Clone {
    type Rx: RxHalf;
    fn try_send(&self, value: u32) -> Result<(), TrySendError<u32>>;
    /// Bounded: the hand-polled send (with a recv on `rx` if it is pending). Unbounded: `send`.
    fn send_polled(&self, value: u32, rx: Option<&mut Self::Rx>) -> Outcome<u32>;
    fn is_closed(&self) -> bool;
    fn capacity(&self) -> Option<usize>;
    fn max_capacity(&self) -> Option<usize>;
}

fn map_try_recv(r: Result<u32, mpsc::error::TryRecvError>) -> Result<u32, TryRecvError> {
    r.map_err(|e| match e {
        mpsc::error::TryRecvError::Empty => TryRecvError::Empty,
        mpsc::error::TryRecvError::Disconnected => TryRecvError::Disconnected,
    })
}

/// One `recv`, polled once by a fresh task.
fn recv_once<R: RxHalf>(rx: Option<&mut R>) -> Poll<Option<u32>> {
    match rx {
        Some(rx) => task::spawn(()).enter(|cx, _| rx.poll_recv(cx)),
        None => Poll::Pending,
    }
}

impl RxHalf for mpsc::Receiver<u32> {
    fn try_recv(&mut self) -> Result<u32, TryRecvError> {
        map_try_recv(mpsc::Receiver::try_recv(self))
    }
    fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Option<u32>> {
        mpsc::Receiver::poll_recv(self, cx)
    }
    fn close(&mut self) {
        mpsc::Receiver::close(self);
    }
    fn is_closed(&self) -> bool {
        mpsc::Receiver::is_closed(self)
    }
    fn len(&self) -> usize {
        mpsc::Receiver::len(self)
    }
    fn is_empty(&self) -> bool {
        mpsc::Receiver::is_empty(self)
    }
    fn capacity(&self) -> Option<usize> {
        Some(mpsc::Receiver::capacity(self))
    }
    fn sender_strong_count(&self) -> usize {
        mpsc::Receiver::sender_strong_count(self)
    }
}

impl RxHalf for mpsc::UnboundedReceiver<u32> {
    fn try_recv(&mut self) -> Result<u32, TryRecvError> {
        map_try_recv(mpsc::UnboundedReceiver::try_recv(self))
    }
    fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Option<u32>> {
        mpsc::UnboundedReceiver::poll_recv(self, cx)
    }
    fn close(&mut self) {
        mpsc::UnboundedReceiver::close(self);
    }
    fn is_closed(&self) -> bool {
        mpsc::UnboundedReceiver::is_closed(self)
    }
    fn len(&self) -> usize {
        mpsc::UnboundedReceiver::len(self)
    }
    fn is_empty(&self) -> bool {
        mpsc::UnboundedReceiver::is_empty(self)
    }
    fn capacity(&self) -> Option<usize> {
        None
    }
    fn sender_strong_count(&self) -> usize {
        mpsc::UnboundedReceiver::sender_strong_count(self)
    }
}

impl TxHalf for mpsc::Sender<u32> {
    type Rx = mpsc::Receiver<u32>;

    fn try_send(&self, value: u32) -> Result<(), TrySendError<u32>> {
        mpsc::Sender::try_send(self, value).map_err(|e| match e {
            mpsc::error::TrySendError::Full(v) => TrySendError::Full(v),
            mpsc::error::TrySendError::Closed(v) => TrySendError::Closed(v),
        })
    }

    fn send_polled(&self, value: u32, rx: Option<&mut Self::Rx>) -> Outcome<u32> {
        let mut send = task::spawn(self.send(value));
        let unwrap =
            |p: Poll<Result<(), mpsc::error::SendError<u32>>>| p.map(|r| r.map_err(|e| e.0));
        let first = unwrap(send.poll());
        let after_recv = first.is_pending().then(|| {
            let recv = recv_once(rx);
            let send_woken = send.is_woken();
            AfterRecv {
                recv,
                send_woken,
                second: unwrap(send.poll()),
            }
        });
        Outcome::SendPolled(SendPolled { first, after_recv })
    }

    fn is_closed(&self) -> bool {
        mpsc::Sender::is_closed(self)
    }
    fn capacity(&self) -> Option<usize> {
        Some(mpsc::Sender::capacity(self))
    }
    fn max_capacity(&self) -> Option<usize> {
        Some(mpsc::Sender::max_capacity(self))
    }
}

impl TxHalf for mpsc::UnboundedSender<u32> {
    type Rx = mpsc::UnboundedReceiver<u32>;

    fn try_send(&self, _: u32) -> Result<(), TrySendError<u32>> {
        unreachable!("the unbounded strategy has no try_send")
    }
    fn send_polled(&self, value: u32, _: Option<&mut Self::Rx>) -> Outcome<u32> {
        Outcome::Send(self.send(value).map_err(|e| e.0))
    }
    fn is_closed(&self) -> bool {
        mpsc::UnboundedSender::is_closed(self)
    }
    fn capacity(&self) -> Option<usize> {
        None
    }
    fn max_capacity(&self) -> Option<usize> {
        None
    }
}

/// A real channel: its live senders, its receiver, and the task that polls `recv`.
struct Real<S: TxHalf> {
    senders: Vec<S>,
    rx: Option<S::Rx>,
    recv_task: task::Spawn<()>,
    /// The last receiver op was a `poll_recv` that returned `Pending`.
    recv_pending: bool,
}

impl<S: TxHalf> Real<S> {
    fn new((tx, rx): (S, S::Rx)) -> Self {
        Self {
            senders: vec![tx],
            rx: Some(rx),
            recv_task: task::spawn(()),
            recv_pending: false,
        }
    }

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        match op {
            Op::TrySend { sender, .. }
            | Op::SendPolled { sender, .. }
            | Op::CloneSender { sender }
            | Op::DropSender { sender } => {
                if self.senders.is_empty() {
                    return Outcome::NoSender;
                }
                let i = *sender % self.senders.len();
                match op {
                    Op::TrySend { value, .. } => Outcome::TrySend(self.senders[i].try_send(*value)),
                    Op::SendPolled { value, .. } => {
                        let out = self.senders[i].send_polled(*value, self.rx.as_mut());
                        if let Outcome::SendPolled(SendPolled {
                            after_recv: Some(_),
                            ..
                        }) = out
                        {
                            // It waited, and a recv was made: any pending recv is over.
                            self.recv_pending = false;
                        }
                        out
                    }
                    Op::CloneSender { .. } => {
                        let clone = self.senders[i].clone();
                        self.senders.push(clone);
                        Outcome::Done
                    }
                    _ => {
                        drop(self.senders.swap_remove(i));
                        Outcome::Done
                    }
                }
            }
            Op::TryRecv | Op::PollRecv | Op::Close | Op::DropReceiver => {
                let Some(rx) = self.rx.as_mut() else {
                    return Outcome::NoReceiver;
                };
                self.recv_pending = false;
                match op {
                    Op::TryRecv => Outcome::TryRecv(rx.try_recv()),
                    Op::PollRecv => {
                        let poll = self.recv_task.enter(|cx, _| rx.poll_recv(cx));
                        self.recv_pending = poll.is_pending();
                        Outcome::PollRecv(poll)
                    }
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
        let tx = self.senders.first();
        let rx = self.rx.as_ref();
        Observed {
            sender_is_closed: tx.map(S::is_closed),
            sender_capacity: tx.and_then(S::capacity),
            sender_max_capacity: tx.and_then(S::max_capacity),
            receiver_is_closed: rx.map(RxHalf::is_closed),
            receiver_len: rx.map(RxHalf::len),
            receiver_is_empty: rx.map(RxHalf::is_empty),
            receiver_capacity: rx.and_then(RxHalf::capacity),
            sender_strong_count: rx.map(RxHalf::sender_strong_count),
            pending_recv_woken: self.recv_pending.then(|| self.recv_task.is_woken()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Oracles: the model, and its broken twins.

trait Oracle {
    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32>;
    fn observe(&self) -> Observed;
}

impl Oracle for Mpsc<u32> {
    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        Mpsc::apply(self, op)
    }
    fn observe(&self) -> Observed {
        Mpsc::observe(self)
    }
}

/// A model with one planted mistake.
#[derive(Clone, Copy, Debug)]
enum Flaw {
    /// `try_send` on a full channel whose receiver is closed says `Full` (it is `Closed`).
    FullBeforeClosed,
    /// `Sender::capacity()` is the number of buffered messages, not of free slots.
    CapacityIsLen,
    /// Messages still buffered are lost when the last sender is dropped.
    LastSenderDropLosesMessages,
    /// The receiver's `close()` also drops what is buffered.
    CloseDropsBuffered,
}

struct Twin {
    model: Mpsc<u32>,
    flaw: Flaw,
}

impl Oracle for Twin {
    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        let m = &mut self.model;
        match (self.flaw, op) {
            (Flaw::FullBeforeClosed, Op::TrySend { value, .. })
                if m.senders() > 0 && m.is_full() && m.closed_for_senders() =>
            {
                Outcome::TrySend(Err(TrySendError::Full(*value)))
            }
            (Flaw::LastSenderDropLosesMessages, Op::DropSender { .. }) if m.senders() == 1 => {
                let out = m.apply(op);
                while m.buffered().front().is_some() {
                    m.apply(&Op::TryRecv);
                }
                out
            }
            (Flaw::CloseDropsBuffered, Op::Close) => {
                let out = m.apply(op);
                while m.buffered().front().is_some() {
                    m.apply(&Op::TryRecv);
                }
                out
            }
            _ => m.apply(op),
        }
    }

    fn observe(&self) -> Observed {
        let mut seen = self.model.observe();
        if let Flaw::CapacityIsLen = self.flaw {
            seen.sender_capacity = seen.sender_capacity.map(|_| self.model.buffered().len());
        }
        seen
    }
}

// ---------------------------------------------------------------------------------------------
// The harness.

/// Applies `ops` to the real channel and to the oracle; every outcome and every observation
/// must agree. Then as many `try_recv`s as there were steps plus one: whatever is left
/// buffered comes out in the same order on both sides, and then the same error.
fn check<S: TxHalf>(
    mut real: Real<S>,
    oracle: &mut dyn Oracle,
    ops: &[Op<u32>],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(real.observe(), oracle.observe(), "initially");
    let drain = std::iter::repeat_n(Op::TryRecv, ops.len() + 1);
    for (step, op) in ops.iter().cloned().chain(drain).enumerate() {
        let expected = oracle.apply(&op);
        let actual = real.apply(&op);
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

fn check_bounded(
    cap: usize,
    ops: &[Op<u32>],
    oracle: &mut dyn Oracle,
) -> Result<(), TestCaseError> {
    check(Real::new(mpsc::channel::<u32>(cap)), oracle, ops)
}

fn check_unbounded(ops: &[Op<u32>], oracle: &mut dyn Oracle) -> Result<(), TestCaseError> {
    check(Real::new(mpsc::unbounded_channel::<u32>()), oracle, ops)
}

// ---------------------------------------------------------------------------------------------
// Strategies.

/// Gives every message its index in the sequence, so that every message is distinct and a
/// reordering cannot go unseen, whatever the shrinking does.
fn numbered(mut ops: Vec<Op<u32>>) -> Vec<Op<u32>> {
    for (i, op) in ops.iter_mut().enumerate() {
        if let Op::TrySend { value, .. } | Op::SendPolled { value, .. } = op {
            *value = i as u32;
        }
    }
    ops
}

fn op(bounded: bool) -> impl Strategy<Value = Op<u32>> {
    let sender = || 0..4usize;
    let common = prop_oneof![
        6 => sender().prop_map(|sender| Op::SendPolled { sender, value: 0 }),
        2 => sender().prop_map(|sender| Op::CloneSender { sender }),
        2 => sender().prop_map(|sender| Op::DropSender { sender }),
        4 => Just(Op::TryRecv),
        4 => Just(Op::PollRecv),
        1 => Just(Op::Close),
        1 => Just(Op::DropReceiver),
    ];
    if bounded {
        // `try_send` exists on the bounded sender only.
        prop_oneof![
            6 => sender().prop_map(|sender| Op::TrySend { sender, value: 0 }),
            20 => common,
        ]
        .boxed()
    } else {
        common.boxed()
    }
}

fn ops(bounded: bool) -> impl Strategy<Value = Vec<Op<u32>>> {
    prop::collection::vec(op(bounded), 0..48).prop_map(numbered)
}

fn bounded_case() -> impl Strategy<Value = (usize, Vec<Op<u32>>)> {
    (1..=4usize, ops(true))
}

proptest! {
    #![proptest_config(persisted("proptest-regressions/prop_mpsc.txt", 1024))]

    /// The bounded channel behaves as the model says, step by step.
    #[test]
    fn bounded_mpsc_agrees_with_the_model((cap, ops) in bounded_case()) {
        check_bounded(cap, &ops, &mut Mpsc::new(Flavor::Bounded(cap)))?;
    }

    /// The unbounded channel behaves as the model says, step by step.
    #[test]
    fn unbounded_mpsc_agrees_with_the_model(ops in ops(false)) {
        check_unbounded(&ops, &mut Mpsc::new(Flavor::Unbounded))?;
    }
}

// ---------------------------------------------------------------------------------------------
// The broken twins are rejected.

fn bounded_twin_rejected(flaw: Flaw) -> (String, (usize, Vec<Op<u32>>)) {
    counterexample(bounded_case(), |(cap, ops)| {
        let mut twin = Twin {
            model: Mpsc::new(Flavor::Bounded(cap)),
            flaw,
        };
        check_bounded(cap, &ops, &mut twin)
    })
}

#[test]
fn bounded_twin_where_full_wins_over_closed_is_rejected() {
    let (why, (cap, ops)) = bounded_twin_rejected(Flaw::FullBeforeClosed);
    // The shrunk case fills the buffer, closes the receiver, then tries a send.
    assert!(ops.contains(&Op::Close), "{why}\n{cap} {ops:?}");
    assert!(why.contains("Closed"), "{why}");
}

#[test]
fn bounded_twin_where_capacity_is_the_length_is_rejected() {
    let (why, _) = bounded_twin_rejected(Flaw::CapacityIsLen);
    assert!(why.contains("sender_capacity"), "{why}");
}

#[test]
fn bounded_twin_where_close_drops_the_buffer_is_rejected() {
    let (why, (cap, ops)) = bounded_twin_rejected(Flaw::CloseDropsBuffered);
    assert!(ops.contains(&Op::Close), "{why}\n{cap} {ops:?}");
}

#[test]
fn unbounded_twin_where_the_last_sender_drop_loses_messages_is_rejected() {
    let (why, ops) = counterexample(ops(false), |ops| {
        let mut twin = Twin {
            model: Mpsc::new(Flavor::Unbounded),
            flaw: Flaw::LastSenderDropLosesMessages,
        };
        check_unbounded(&ops, &mut twin)
    });
    assert!(
        ops.iter().any(|op| matches!(op, Op::DropSender { .. })),
        "{why}\n{ops:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The search is not vacuous: the random sequences reach every outcome the model can give.

fn label(outcome: &Outcome<u32>) -> &'static str {
    match outcome {
        Outcome::NoSender => "no sender",
        Outcome::NoReceiver => "no receiver",
        Outcome::Done => "done",
        Outcome::TrySend(Ok(())) => "try_send Ok",
        Outcome::TrySend(Err(TrySendError::Full(_))) => "try_send Full",
        Outcome::TrySend(Err(TrySendError::Closed(_))) => "try_send Closed",
        Outcome::Send(Ok(())) => "send Ok",
        Outcome::Send(Err(_)) => "send Err",
        Outcome::SendPolled(SendPolled {
            first: Poll::Ready(Ok(())),
            ..
        }) => "send Ready(Ok)",
        Outcome::SendPolled(SendPolled {
            first: Poll::Ready(Err(_)),
            ..
        }) => "send Ready(Err)",
        Outcome::SendPolled(SendPolled {
            first: Poll::Pending,
            ..
        }) => "send Pending, woken by recv",
        Outcome::TryRecv(Ok(_)) => "try_recv Ok",
        Outcome::TryRecv(Err(TryRecvError::Empty)) => "try_recv Empty",
        Outcome::TryRecv(Err(TryRecvError::Disconnected)) => "try_recv Disconnected",
        Outcome::PollRecv(Poll::Ready(Some(_))) => "recv Ready(Some)",
        Outcome::PollRecv(Poll::Ready(None)) => "recv Ready(None)",
        Outcome::PollRecv(Poll::Pending) => "recv Pending",
    }
}

fn labels_reached<V>(
    strategy: impl Strategy<Value = V>,
    mut run: impl FnMut(V, &mut dyn FnMut(&'static str)),
) -> std::collections::BTreeSet<&'static str> {
    use proptest::strategy::ValueTree;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..512 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        run(case, &mut |l| {
            seen.insert(l);
        });
    }
    seen
}

fn model_labels(model: &mut Mpsc<u32>, ops: &[Op<u32>], seen: &mut dyn FnMut(&'static str)) {
    for op in ops {
        seen(label(&model.apply(op)));
        match model.observe().pending_recv_woken {
            Some(true) => seen("pending recv woken"),
            Some(false) => seen("pending recv not woken"),
            None => {}
        }
        if model.receiver() == ReceiverState::Closed && !model.buffered().is_empty() {
            seen("closed with messages buffered");
        }
        if model.senders() == 0 && !model.buffered().is_empty() {
            seen("every sender gone with messages buffered");
        }
    }
}

const COMMON: &[&str] = &[
    "no sender",
    "no receiver",
    "try_recv Ok",
    "try_recv Empty",
    "try_recv Disconnected",
    "recv Ready(Some)",
    "recv Ready(None)",
    "recv Pending",
    "pending recv woken",
    "pending recv not woken",
    "closed with messages buffered",
    "every sender gone with messages buffered",
];

#[test]
fn bounded_search_reaches_every_outcome() {
    let seen = labels_reached(bounded_case(), |(cap, ops), seen| {
        model_labels(&mut Mpsc::new(Flavor::Bounded(cap)), &ops, seen)
    });
    let bounded = [
        "try_send Ok",
        "try_send Full",
        "try_send Closed",
        "send Ready(Ok)",
        "send Ready(Err)",
        "send Pending, woken by recv",
    ];
    for label in COMMON.iter().chain(&bounded) {
        assert!(seen.contains(label), "never reached: {label}");
    }
}

#[test]
fn unbounded_search_reaches_every_outcome() {
    let seen = labels_reached(ops(false), |ops, seen| {
        model_labels(&mut Mpsc::new(Flavor::Unbounded), &ops, seen)
    });
    for label in COMMON.iter().chain(&["send Ok", "send Err"]) {
        assert!(seen.contains(label), "never reached: {label}");
    }
}
