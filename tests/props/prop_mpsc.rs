//! Model-based property tests of `tokio::sync::mpsc`, bounded and unbounded: random sequences
//! of sends (`try_send`; a `send` polled by hand and kept waiting across steps, polled again or
//! cancelled later), sender clones and drops, receives (`try_recv`, a hand-polled `recv`),
//! `close()` and the receiver's drop are applied both to a real channel and to the reference
//! model (`channel_models::mpsc`), and every outcome and, after every step, every
//! accessor (`is_closed`, `capacity`, `max_capacity`, `len`, `is_empty`, the sender count,
//! whether the pending recv and each waiting send was woken) must agree (`props::check`).
//!
//! Several sends can wait at once, so the properties see who gets a freed slot (the send that
//! has waited longest, not a `try_send` that comes later), which waiting send is woken, a
//! waiting send cancelled, and `close()` or the receiver's drop while sends wait.
//!
//! Each property has twins (the model with one rule changed), which it must reject.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use channel_models::mpsc::{
    Flavor, Mpsc, Observed, Op, Outcome, ReceiverState, TryRecvError, TrySendError, Waiting,
};
use proptest::prelude::*;
use test_support::props::{Case, Channel, Suite, case, edge_case, pick, run, twin_rejected};
use tokio::sync::mpsc;
use tokio_test::task::{self, Spawn};

// ---------------------------------------------------------------------------------------------
// Tokio's channel, driven op by op.

/// A send future, kept while it waits.
type SendFuture = Spawn<Pin<Box<dyn Future<Output = Result<(), u32>>>>>;

/// The receiving half, bounded or unbounded.
trait RxHalf {
    fn try_recv(&mut self) -> Result<u32, TryRecvError>;
    fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Option<u32>>;
    fn close(&mut self);
    fn is_closed(&self) -> bool;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
    fn capacity(&self) -> Option<usize>;
    fn max_capacity(&self) -> Option<usize>;
    fn sender_strong_count(&self) -> usize;
}

/// The sending half, bounded or unbounded.
trait TxHalf: 'static {
    type Rx: RxHalf;
    fn try_send(&self, value: u32) -> Result<(), TrySendError<u32>>;
    /// Bounded: `send(value)` on a task of its own, polled once; `Err` if it is pending (the
    /// future, to keep). Unbounded: the synchronous `send`.
    fn start_send(self: &Rc<Self>, value: u32) -> Result<Outcome<u32>, SendFuture>;
    fn clone_sender(&self) -> Self;
    fn is_closed(&self) -> bool;
    fn capacity(&self) -> Option<usize>;
    fn max_capacity(&self) -> Option<usize>;
    fn strong_count(&self) -> usize;
}

fn map_try_recv(r: Result<u32, mpsc::error::TryRecvError>) -> Result<u32, TryRecvError> {
    r.map_err(|e| match e {
        mpsc::error::TryRecvError::Empty => TryRecvError::Empty,
        mpsc::error::TryRecvError::Disconnected => TryRecvError::Disconnected,
    })
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
    fn max_capacity(&self) -> Option<usize> {
        Some(mpsc::Receiver::max_capacity(self))
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
    fn max_capacity(&self) -> Option<usize> {
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
    fn start_send(self: &Rc<Self>, value: u32) -> Result<Outcome<u32>, SendFuture> {
        // The future borrows its sender, as `tx.send(v).await` does: an `Rc` of it.
        let tx = Rc::clone(self);
        let mut send: SendFuture =
            task::spawn(Box::pin(
                async move { tx.send(value).await.map_err(|e| e.0) },
            ));
        match send.poll() {
            Poll::Pending => Err(send),
            ready => Ok(Outcome::PollSend(ready)),
        }
    }
    fn clone_sender(&self) -> Self {
        self.clone()
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
    fn strong_count(&self) -> usize {
        mpsc::Sender::strong_count(self)
    }
}

impl TxHalf for mpsc::UnboundedSender<u32> {
    type Rx = mpsc::UnboundedReceiver<u32>;

    fn try_send(&self, _: u32) -> Result<(), TrySendError<u32>> {
        unreachable!("the unbounded strategy has no try_send")
    }
    fn start_send(self: &Rc<Self>, value: u32) -> Result<Outcome<u32>, SendFuture> {
        Ok(Outcome::Send(self.send(value).map_err(|e| e.0)))
    }
    fn clone_sender(&self) -> Self {
        self.clone()
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
    fn strong_count(&self) -> usize {
        mpsc::UnboundedSender::strong_count(self)
    }
}

/// A send that waits: its future, and its sender, busy until the send completes or is
/// cancelled.
struct Waiter<S> {
    sender: Rc<S>,
    send: SendFuture,
}

/// Tokio's channel: its idle senders, its waiting sends by creation index, its receiver, and
/// the task that polls `recv`.
struct Tokio<S: TxHalf> {
    senders: Vec<Rc<S>>,
    sends: Vec<Option<Waiter<S>>>,
    rx: Option<S::Rx>,
    recv_task: Spawn<()>,
    /// The last receiver op was a `poll_recv` that returned `Pending`.
    recv_pending: bool,
}

impl<S: TxHalf> Tokio<S> {
    fn new((tx, rx): (S, S::Rx)) -> Self {
        Self {
            senders: vec![Rc::new(tx)],
            sends: Vec::new(),
            rx: Some(rx),
            recv_task: task::spawn(()),
            recv_pending: false,
        }
    }

    /// Ends waiting send `i`: drops its future, and its sender is idle again.
    fn end_send(&mut self, i: usize) {
        if let Some(waiter) = self.sends[i].take() {
            drop(waiter.send);
            self.senders.push(waiter.sender);
        }
    }
}

impl<S: TxHalf> Channel for Tokio<S> {
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        match op {
            Op::TrySend { sender, .. }
            | Op::StartSend { sender, .. }
            | Op::CloneSender { sender }
            | Op::DropSender { sender } => {
                if self.senders.is_empty() {
                    return Outcome::NoSender;
                }
                let i = *sender % self.senders.len();
                match op {
                    Op::TrySend { value, .. } => Outcome::TrySend(self.senders[i].try_send(*value)),
                    Op::StartSend { value, .. } => match self.senders[i].start_send(*value) {
                        Ok(outcome) => outcome,
                        Err(send) => {
                            let sender = self.senders.swap_remove(i);
                            self.sends.push(Some(Waiter { sender, send }));
                            Outcome::PollSend(Poll::Pending)
                        }
                    },
                    Op::CloneSender { .. } => {
                        let clone = self.senders[i].clone_sender();
                        self.senders.push(Rc::new(clone));
                        Outcome::Done
                    }
                    _ => {
                        drop(self.senders.swap_remove(i));
                        Outcome::Done
                    }
                }
            }
            Op::PollSend { send } | Op::CancelSend { send } => {
                let Some(i) = pick(&self.sends, *send) else {
                    return Outcome::NoSend;
                };
                if let Op::CancelSend { .. } = op {
                    self.end_send(i);
                    return Outcome::Done;
                }
                let poll = self.sends[i]
                    .as_mut()
                    .map_or(Poll::Pending, |w| w.send.poll());
                if poll.is_ready() {
                    self.end_send(i);
                }
                Outcome::PollSend(poll)
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
        // Any live sender answers: an idle one, or one borrowed by a waiting send.
        let waiting = self.sends.iter().flatten();
        let tx = self
            .senders
            .first()
            .or_else(|| waiting.clone().next().map(|w| &w.sender));
        let rx = self.rx.as_ref();
        Observed {
            sender_is_closed: tx.map(|tx| tx.is_closed()),
            sender_capacity: tx.and_then(|tx| tx.capacity()),
            sender_max_capacity: tx.and_then(|tx| tx.max_capacity()),
            sender_strong_count_via_sender: tx.map(|tx| tx.strong_count()),
            receiver_is_closed: rx.map(RxHalf::is_closed),
            receiver_len: rx.map(RxHalf::len),
            receiver_is_empty: rx.map(RxHalf::is_empty),
            receiver_capacity: rx.and_then(RxHalf::capacity),
            receiver_max_capacity: rx.and_then(RxHalf::max_capacity),
            sender_strong_count: rx.map(RxHalf::sender_strong_count),
            pending_recv_woken: self.recv_pending.then(|| self.recv_task.is_woken()),
            pending_sends_woken: waiting.map(|w| w.send.is_woken()).collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The reference model, and its twins.

/// The reference model under comparison.
struct Model(Mpsc<u32>);

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    /// `try_send` on a full channel whose receiver is closed says `Full` (it is `Closed`).
    FullBeforeClosed,
    /// `Sender::capacity()` is the number of buffered messages, not of free slots.
    CapacityIsLen,
    /// Messages still buffered are lost when the last sender is dropped.
    LastSenderDropLosesMessages,
    /// The receiver's `close()` also drops what is buffered.
    CloseDropsBuffered,
    /// A `try_send` takes a slot freed for a waiting send (no first come, first served).
    TrySendOvertakesWaitingSend,
    /// A freed slot, or `close()`, wakes no waiting send.
    WaitingSendsNeverWoken,
}

/// The reference model with the one rule of `flaw` changed.
struct Twin {
    model: Mpsc<u32>,
    flaw: Flaw,
}

impl Twin {
    fn new(flavor: Flavor, flaw: Flaw) -> Self {
        Twin {
            model: Mpsc::new(flavor),
            flaw,
        }
    }

    /// Receives (and forgets) whatever is buffered: one `TryRecv` per message, a bounded loop
    /// even if the model's `TryRecv` were broken.
    fn lose_buffered(&mut self) {
        for _ in 0..self.model.buffered().len() {
            self.model.apply(&Op::TryRecv);
        }
    }
}

impl Channel for Twin {
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;

    fn apply(&mut self, op: &Op<u32>) -> Outcome<u32> {
        let m = &mut self.model;
        match (self.flaw, op) {
            (Flaw::FullBeforeClosed, Op::TrySend { value, .. })
                if m.idle_senders() > 0 && m.is_full() && m.closed_for_senders() =>
            {
                Outcome::TrySend(Err(TrySendError::Full(*value)))
            }
            (Flaw::TrySendOvertakesWaitingSend, Op::TrySend { value, .. })
                if m.idle_senders() > 0
                    && !m.closed_for_senders()
                    && m.waiting_sends()
                        .iter()
                        .any(|(_, w)| *w == Waiting::Granted) =>
            {
                // As a semaphore without a queue would: the granted slot is still free.
                let _ = value;
                Outcome::TrySend(Ok(()))
            }
            (Flaw::LastSenderDropLosesMessages, Op::DropSender { .. }) if m.senders() == 1 => {
                let out = m.apply(op);
                self.lose_buffered();
                out
            }
            (Flaw::CloseDropsBuffered, Op::Close) => {
                let out = m.apply(op);
                self.lose_buffered();
                out
            }
            _ => m.apply(op),
        }
    }

    fn observe(&self) -> Observed {
        let mut seen = self.model.observe();
        match self.flaw {
            Flaw::CapacityIsLen => {
                seen.sender_capacity = seen.sender_capacity.map(|_| self.model.buffered().len());
            }
            Flaw::WaitingSendsNeverWoken => {
                seen.pending_sends_woken.iter_mut().for_each(|w| *w = false);
            }
            _ => {}
        }
        seen
    }
}

// ---------------------------------------------------------------------------------------------
// The suites.

/// The ops of `case`, then as many `try_recv`s as there were steps plus one: whatever is left
/// buffered comes out in the same order on both sides, and then the same error.
fn with_drain<S>(case: &Case<S, Op<u32>>) -> Vec<Op<u32>> {
    let drain = std::iter::repeat_n(Op::TryRecv, case.ops.len() + 1);
    case.ops.iter().cloned().chain(drain).collect()
}

/// The bounded channel behaves as the model says, step by step: capacities 1..=4.
struct Bounded;

impl Suite for Bounded {
    const NAME: &'static str = "bounded";
    const FILE: &'static str = "prop_mpsc";
    const CASES: u32 = 1024;
    type Setup = usize;
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;
    type Flaw = Flaw;
    const FLAWS: &'static [Flaw] = &[
        Flaw::FullBeforeClosed,
        Flaw::CapacityIsLen,
        Flaw::CloseDropsBuffered,
        Flaw::TrySendOvertakesWaitingSend,
        Flaw::WaitingSendsNeverWoken,
    ];
    const OUTCOMES: &'static [&'static str] = &[
        "no sender",
        "no receiver",
        "done",
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
        "no send waiting",
        "send cancelled",
        "try_send Ok",
        "try_send Full",
        "try_send Full while a slot is granted",
        "try_send Closed",
        "send Ready(Ok)",
        "send Ready(Err)",
        "send Pending",
        "waiting send Ready(Ok)",
        "waiting send Ready(Err)",
        "waiting send still Pending",
        "two sends waiting",
        "waiting send woken",
        "one send granted a slot, another still queued",
        "closed while a send holds a granted slot",
        "waiting send refused by close",
    ];

    fn cases() -> impl Strategy<Value = Case<usize, Op<u32>>> {
        case(1..=4usize, op(true), 47).prop_map(numbered)
    }
    fn lower_setup(capacity: &usize) -> Vec<usize> {
        (1..*capacity).collect()
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(
        capacity: &usize,
    ) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Tokio::new(mpsc::channel::<u32>(*capacity))
    }
    fn model(
        capacity: &usize,
    ) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Model(Mpsc::new(Flavor::Bounded(*capacity)))
    }
    fn twin(
        capacity: &usize,
        flaw: Flaw,
    ) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Twin::new(Flavor::Bounded(*capacity), flaw)
    }
    fn steps(case: &Case<usize, Op<u32>>) -> Vec<Op<u32>> {
        with_drain(case)
    }
    fn outcomes(case: Case<usize, Op<u32>>, seen: &mut dyn FnMut(&'static str)) {
        labels(&mut Mpsc::new(Flavor::Bounded(case.setup)), &case.ops, seen);
    }
}

/// The unbounded channel behaves as the model says, step by step.
struct Unbounded;

impl Suite for Unbounded {
    const NAME: &'static str = "unbounded";
    const FILE: &'static str = "prop_mpsc";
    const CASES: u32 = 1024;
    type Setup = ();
    type Op = Op<u32>;
    type Outcome = Outcome<u32>;
    type Observed = Observed;
    type Flaw = Flaw;
    const FLAWS: &'static [Flaw] = &[Flaw::LastSenderDropLosesMessages];
    const OUTCOMES: &'static [&'static str] = &[
        "no sender",
        "no receiver",
        "done",
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
        "send Ok",
        "send Err",
    ];

    fn cases() -> impl Strategy<Value = Case<(), Op<u32>>> {
        case(Just(()), op(false), 47).prop_map(numbered)
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(_: &()) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Tokio::new(mpsc::unbounded_channel::<u32>())
    }
    fn model(_: &()) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Model(Mpsc::new(Flavor::Unbounded))
    }
    fn twin(
        _: &(),
        flaw: Flaw,
    ) -> impl Channel<Op = Op<u32>, Outcome = Outcome<u32>, Observed = Observed> {
        Twin::new(Flavor::Unbounded, flaw)
    }
    fn steps(case: &Case<(), Op<u32>>) -> Vec<Op<u32>> {
        with_drain(case)
    }
    fn outcomes(case: Case<(), Op<u32>>, seen: &mut dyn FnMut(&'static str)) {
        labels(&mut Mpsc::new(Flavor::Unbounded), &case.ops, seen);
    }
}

test_support::suite_tests!(bounded: Bounded);
test_support::suite_tests!(unbounded: Unbounded);

// ---------------------------------------------------------------------------------------------
// Strategies.

/// Gives every message its index in the sequence, so that every message is distinct and a
/// reordering cannot go unseen, whatever the shrinking does.
fn numbered<S>(mut case: Case<S, Op<u32>>) -> Case<S, Op<u32>> {
    for (i, op) in case.ops.iter_mut().enumerate() {
        if let Op::TrySend { value, .. } | Op::StartSend { value, .. } = op {
            *value = i as u32;
        }
    }
    case
}

fn op(bounded: bool) -> BoxedStrategy<Op<u32>> {
    let sender = || 0..4usize;
    let common = prop_oneof![
        6 => sender().prop_map(|sender| Op::StartSend { sender, value: 0 }),
        2 => sender().prop_map(|sender| Op::CloneSender { sender }),
        2 => sender().prop_map(|sender| Op::DropSender { sender }),
        4 => Just(Op::TryRecv),
        4 => Just(Op::PollRecv),
        1 => Just(Op::Close),
        1 => Just(Op::DropReceiver),
    ];
    if bounded {
        // `try_send` exists on the bounded sender only, and only a bounded send waits.
        let send = || 0..4usize;
        prop_oneof![
            6 => sender().prop_map(|sender| Op::TrySend { sender, value: 0 }),
            4 => send().prop_map(|send| Op::PollSend { send }),
            1 => send().prop_map(|send| Op::CancelSend { send }),
            20 => common,
        ]
        .boxed()
    } else {
        common.boxed()
    }
}

/// Simpler forms of `op`, for the harness's minimising.
fn simpler(op: &Op<u32>) -> Vec<Op<u32>> {
    match *op {
        Op::TrySend { sender, value } if sender > 0 => vec![Op::TrySend { sender: 0, value }],
        Op::StartSend { sender, value } if sender > 0 => {
            vec![Op::StartSend { sender: 0, value }]
        }
        Op::CloneSender { sender } if sender > 0 => vec![Op::CloneSender { sender: 0 }],
        Op::DropSender { sender } if sender > 0 => vec![Op::DropSender { sender: 0 }],
        Op::PollSend { send } if send > 0 => vec![Op::PollSend { send: 0 }],
        Op::CancelSend { send } if send > 0 => vec![Op::CancelSend { send: 0 }],
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// The twins are rejected.

fn count(ops: &[Op<u32>], f: impl Fn(&Op<u32>) -> bool) -> usize {
    ops.iter().filter(|op| f(op)).count()
}

#[test]
fn bounded_twin_where_full_wins_over_closed_is_rejected() {
    let r = twin_rejected::<Bounded>(Flaw::FullBeforeClosed);
    // Minimal: capacity 1, a send fills it, the receiver closes, a try_send gets `Closed`.
    let m = &r.minimal;
    assert_eq!(m.setup, 1, "{m:?}");
    assert_eq!(m.ops.len(), 3, "{m:?}");
    assert!(m.ops.contains(&Op::Close), "{m:?}");
    assert!(matches!(m.ops[2], Op::TrySend { .. }), "{m:?}");
    assert!(r.why.contains("Closed"), "{}", r.why);
}

#[test]
fn bounded_twin_where_capacity_is_the_length_is_rejected() {
    let r = twin_rejected::<Bounded>(Flaw::CapacityIsLen);
    // Minimal: no op at all (capacity n free, the twin says 0).
    assert!(r.minimal.ops.is_empty(), "{:?}", r.minimal);
    assert!(r.why.contains("observed initially"), "{}", r.why);
}

#[test]
fn bounded_twin_where_close_drops_the_buffer_is_rejected() {
    let r = twin_rejected::<Bounded>(Flaw::CloseDropsBuffered);
    // Minimal: a send, close (the twin forgets the message: len 0 where tokio has 1).
    assert_eq!(r.minimal.ops.len(), 2, "{:?}", r.minimal);
    assert_eq!(r.minimal.ops[1], Op::Close, "{:?}", r.minimal);
}

#[test]
fn bounded_twin_where_try_send_overtakes_a_waiting_send_is_rejected() {
    let r = twin_rejected::<Bounded>(Flaw::TrySendOvertakesWaitingSend);
    // It takes a full channel, a send waiting, a recv that frees a slot and grants it to that
    // send, and a try_send by an idle sender that finds the channel full (the twin: Ok). At
    // best five ops (capacity 1: a second sender, two sends, a recv, the try_send); the search
    // can stop at a longer case that no single deletion shortens.
    let m = &r.minimal;
    assert!(m.ops.len() <= 10, "{m:?}");
    assert!(
        count(&m.ops, |op| matches!(op, Op::StartSend { .. })) >= 1,
        "{m:?}"
    );
    assert!(
        count(&m.ops, |op| matches!(op, Op::TryRecv | Op::PollRecv)) >= 1,
        "{m:?}"
    );
    assert!(matches!(m.ops.last(), Some(Op::TrySend { .. })), "{m:?}");
    assert!(r.why.contains("Full"), "{}", r.why);
}

#[test]
fn bounded_twin_whose_waiting_sends_are_never_woken_is_rejected() {
    let r = twin_rejected::<Bounded>(Flaw::WaitingSendsNeverWoken);
    // Minimal: capacity 1, a send fills it, a second send waits; the final drain's first
    // `try_recv` frees the slot and wakes it.
    let m = &r.minimal;
    assert_eq!(m.setup, 1, "{m:?}");
    assert_eq!(m.ops.len(), 2, "{m:?}");
    assert!(matches!(m.ops[1], Op::StartSend { .. }), "{m:?}");
    assert!(r.why.contains("pending_sends_woken"), "{}", r.why);
}

#[test]
fn unbounded_twin_where_the_last_sender_drop_loses_messages_is_rejected() {
    let r = twin_rejected::<Unbounded>(Flaw::LastSenderDropLosesMessages);
    // Minimal: a send, the only sender dropped.
    assert_eq!(r.minimal.ops.len(), 2, "{:?}", r.minimal);
    assert!(
        matches!(r.minimal.ops[1], Op::DropSender { .. }),
        "{:?}",
        r.minimal
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases (`edge_case`): tokio and the model agree, and the twin that gets the rule wrong
// does not.

fn send(value: u32) -> Op<u32> {
    Op::StartSend { sender: 0, value }
}

#[test]
fn edge_a_freed_slot_goes_to_the_waiting_send_not_to_a_later_try_send() {
    let ops = vec![
        Op::CloneSender { sender: 0 },
        Op::CloneSender { sender: 0 },
        send(1),
        send(2), // waits
        send(3), // waits behind it (the first idle sender is another one)
        Op::TryRecv,
        Op::TrySend {
            sender: 0,
            value: 4,
        },
        Op::PollSend { send: 1 }, // the second waiter: still queued
        Op::PollSend { send: 0 }, // the first: done
    ];
    edge_case::<Bounded>(1, ops, Flaw::TrySendOvertakesWaitingSend);
}

#[test]
fn edge_close_wakes_every_waiting_send_to_fail() {
    let ops = vec![
        Op::CloneSender { sender: 0 },
        Op::CloneSender { sender: 0 },
        send(1),
        send(2), // waits
        send(3), // waits
        Op::Close,
        Op::PollSend { send: 0 },
        Op::PollSend { send: 0 },
    ];
    edge_case::<Bounded>(1, ops, Flaw::WaitingSendsNeverWoken);
}

/// tokio 1.54: after `close()`, a send granted a slot before it keeps the receiver from seeing
/// the end (`recv` pending, `try_recv` `Empty`) until it is polled (and fails, giving the slot
/// back) or cancelled; that wakes the pending recv. Checked with the model and tokio only: the
/// rule is the model's, no twin changes it.
#[test]
fn edge_a_granted_slot_delays_the_end_after_close() {
    let case = Case {
        setup: 1,
        ops: vec![
            send(1),
            send(2), // waits
            Op::TryRecv,
            Op::Close,
            Op::TryRecv,  // Empty: a slot is still granted
            Op::PollRecv, // Pending
            Op::PollSend { send: 0 },
            Op::PollRecv, // None
        ],
    };
    run::<Bounded>(&case, None).unwrap();
    let mut model = Mpsc::new(Flavor::Bounded(1));
    let outcomes: Vec<_> = case.ops.iter().map(|op| model.apply(op)).collect();
    assert_eq!(outcomes[4], Outcome::TryRecv(Err(TryRecvError::Empty)));
    assert_eq!(outcomes[5], Outcome::PollRecv(Poll::Pending));
    assert_eq!(outcomes[6], Outcome::PollSend(Poll::Ready(Err(2))));
    assert_eq!(outcomes[7], Outcome::PollRecv(Poll::Ready(None)));
}

#[test]
fn edge_full_then_closed_try_send_says_closed() {
    let ops = vec![
        send(1),
        Op::Close,
        Op::TrySend {
            sender: 0,
            value: 2,
        },
    ];
    edge_case::<Bounded>(1, ops, Flaw::FullBeforeClosed);
}

// ---------------------------------------------------------------------------------------------
// The search is not vacuous: the random sequences reach every outcome the model can give.

fn labels(model: &mut Mpsc<u32>, ops: &[Op<u32>], seen: &mut dyn FnMut(&'static str)) {
    for op in ops {
        let granted_before = model
            .waiting_sends()
            .iter()
            .any(|(_, w)| *w == Waiting::Granted);
        let outcome = model.apply(op);
        seen(match (op, &outcome) {
            (_, Outcome::NoSender) => "no sender",
            (_, Outcome::NoSend) => "no send waiting",
            (_, Outcome::NoReceiver) => "no receiver",
            (Op::CancelSend { .. }, Outcome::Done) => "send cancelled",
            (_, Outcome::Done) => "done",
            (_, Outcome::TrySend(Ok(()))) => "try_send Ok",
            (_, Outcome::TrySend(Err(TrySendError::Full(_)))) if granted_before => {
                "try_send Full while a slot is granted"
            }
            (_, Outcome::TrySend(Err(TrySendError::Full(_)))) => "try_send Full",
            (_, Outcome::TrySend(Err(TrySendError::Closed(_)))) => "try_send Closed",
            (_, Outcome::Send(Ok(()))) => "send Ok",
            (_, Outcome::Send(Err(_))) => "send Err",
            (Op::StartSend { .. }, Outcome::PollSend(Poll::Ready(Ok(())))) => "send Ready(Ok)",
            (Op::StartSend { .. }, Outcome::PollSend(Poll::Ready(Err(_)))) => "send Ready(Err)",
            (Op::StartSend { .. }, Outcome::PollSend(Poll::Pending)) => "send Pending",
            (_, Outcome::PollSend(Poll::Ready(Ok(())))) => "waiting send Ready(Ok)",
            (_, Outcome::PollSend(Poll::Ready(Err(_)))) => "waiting send Ready(Err)",
            (_, Outcome::PollSend(Poll::Pending)) => "waiting send still Pending",
            (_, Outcome::TryRecv(Ok(_))) => "try_recv Ok",
            (_, Outcome::TryRecv(Err(TryRecvError::Empty))) => "try_recv Empty",
            (_, Outcome::TryRecv(Err(TryRecvError::Disconnected))) => "try_recv Disconnected",
            (_, Outcome::PollRecv(Poll::Ready(Some(_)))) => "recv Ready(Some)",
            (_, Outcome::PollRecv(Poll::Ready(None))) => "recv Ready(None)",
            (_, Outcome::PollRecv(Poll::Pending)) => "recv Pending",
        });
        let observed = model.observe();
        match observed.pending_recv_woken {
            Some(true) => seen("pending recv woken"),
            Some(false) => seen("pending recv not woken"),
            None => {}
        }
        if observed.pending_sends_woken.len() >= 2 {
            seen("two sends waiting");
        }
        if observed.pending_sends_woken.contains(&true) {
            seen("waiting send woken");
        }
        let waiting = model.waiting_sends();
        if waiting.iter().any(|(_, w)| *w == Waiting::Granted)
            && waiting.iter().any(|(_, w)| *w == Waiting::Queued)
        {
            seen("one send granted a slot, another still queued");
        }
        if model.closed_for_senders() && waiting.iter().any(|(_, w)| *w == Waiting::Granted) {
            seen("closed while a send holds a granted slot");
        }
        if waiting.iter().any(|(_, w)| *w == Waiting::Refused) {
            seen("waiting send refused by close");
        }
        if model.receiver() == ReceiverState::Closed && !model.buffered().is_empty() {
            seen("closed with messages buffered");
        }
        if model.senders() == 0 && !model.buffered().is_empty() {
            seen("every sender gone with messages buffered");
        }
    }
}
