#![warn(rust_2018_idioms)]
//! Model-based properties of `tokio::sync::broadcast`: random operation sequences run against
//! tokio and against `channel_models::broadcast`; the outcome of every op and, after
//! every step, every accessor of every live handle (the handles alive, each sender's
//! `receiver_count`, `len`, `is_empty`, `strong_count`, each receiver's `len`, `is_empty`,
//! `is_closed`, `sender_strong_count`, and whether its pending `recv()` was woken) are compared
//! (`props::check`; guide/tokio-channels.md, "broadcast - Multi-Producer,
//! Multi-Consumer").
//!
//! The async `recv()` is hand-polled with `tokio_test::task::spawn`, so no runtime is needed
//! and `is_woken()` shows exactly which operation wakes a waiting receiver. A pending `recv()`
//! borrows its receiver (`&mut self`), so that receiver's accessors are not asked while it
//! waits, on either side.
//!
//! The property has twins (the model with one rule changed), which it must reject.

use test_support::props;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use channel_models::broadcast::{Broadcast, ReceiverId, Recv, SenderId, TryRecv};
use props::{Case, Channel, Suite, case, edge_case, nth, pick, twin_rejected};
use proptest::prelude::*;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio_test::task::{self, Spawn};

/// Message values: distinct enough that a message delivered out of order shows.
type V = u8;

/// One operation on the channel. `usize` fields pick a handle: the `k % alive`-th sender or
/// receiver alive, in creation order; with none alive the operation does nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Send {
        tx: usize,
        value: V,
    },
    CloneSender(usize),
    DropSender(usize),
    Subscribe(usize),
    Resubscribe(usize),
    DropReceiver(usize),
    TryRecv(usize),
    /// Polls the receiver's `recv()` future, creating it if none is pending.
    PollRecv(usize),
    /// Drops the receiver's pending `recv()` future, if any.
    CancelRecv(usize),
}

/// The same operation on the first handle alive, and sending 0.
fn simpler(op: &Op) -> Vec<Op> {
    let first = match *op {
        Op::Send { .. } => Op::Send { tx: 0, value: 0 },
        Op::CloneSender(_) => Op::CloneSender(0),
        Op::DropSender(_) => Op::DropSender(0),
        Op::Subscribe(_) => Op::Subscribe(0),
        Op::Resubscribe(_) => Op::Resubscribe(0),
        Op::DropReceiver(_) => Op::DropReceiver(0),
        Op::TryRecv(_) => Op::TryRecv(0),
        Op::PollRecv(_) => Op::PollRecv(0),
        Op::CancelRecv(_) => Op::CancelRecv(0),
    };
    if first == *op { vec![] } else { vec![first] }
}

/// What one operation returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// No handle of the kind the operation needs is alive.
    NoHandle,
    /// A handle was created with this id.
    Created(usize),
    /// A handle was dropped, or a pending `recv()` cancelled (`true` if one was pending).
    Done(bool),
    Sent(Result<usize, V>),
    TryRecv(TryRecv<V>),
    Polled(Poll<Recv<V>>),
}

/// What a sender's accessors say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SenderSees {
    id: usize,
    receiver_count: usize,
    len: usize,
    is_empty: bool,
    strong_count: usize,
}

/// What a receiver's accessors say; `None` while a pending `recv()` borrows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReceiverSees {
    id: usize,
    /// `is_woken()` of its pending `recv()` (`None`: none pending).
    recv_woken: Option<bool>,
    len: Option<usize>,
    is_empty: Option<bool>,
    is_closed: Option<bool>,
    sender_strong_count: Option<usize>,
}

/// Every accessor of every live handle.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observed {
    senders: Vec<SenderSees>,
    receivers: Vec<ReceiverSees>,
}

// ---------------------------------------------------------------------------------------------
// The reference model, and its twins.

/// The model's rules, one method per operation, each the reference model's unless a twin
/// changes it; observations are always the reference model's accessors.
trait Rules {
    fn inner(&self) -> &Broadcast<V>;
    fn inner_mut(&mut self) -> &mut Broadcast<V>;

    fn send(&mut self, tx: SenderId, value: V) -> Option<Result<usize, V>> {
        self.inner_mut().send(tx, value)
    }
    fn try_recv(&mut self, rx: ReceiverId) -> Option<TryRecv<V>> {
        self.inner_mut().try_recv(rx)
    }
    fn poll_recv(&mut self, rx: ReceiverId) -> Option<Poll<Recv<V>>> {
        self.inner_mut().poll_recv(rx)
    }
}

impl Rules for Broadcast<V> {
    fn inner(&self) -> &Broadcast<V> {
        self
    }
    fn inner_mut(&mut self) -> &mut Broadcast<V> {
        self
    }
}

/// A model, driven op by op: `k % alive` picks among the ids the model says are alive.
struct Model<R>(R);

impl<R: Rules> Channel for Model<R> {
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;

    fn apply(&mut self, op: &Op) -> Outcome {
        let m = &mut self.0;
        let tx = |k| nth(&m.inner().sender_ids(), k);
        let rx = |k| nth(&m.inner().receiver_ids(), k);
        let created = |id: Option<usize>| id.map_or(Outcome::NoHandle, Outcome::Created);
        match *op {
            Op::Send { tx: k, value } => match tx(k) {
                None => Outcome::NoHandle,
                Some(id) => m.send(id, value).map_or(Outcome::NoHandle, Outcome::Sent),
            },
            Op::CloneSender(k) => match tx(k) {
                None => Outcome::NoHandle,
                Some(id) => created(m.inner_mut().clone_sender(id).map(|id| id.0)),
            },
            Op::DropSender(k) => match tx(k) {
                None => Outcome::NoHandle,
                Some(id) => Outcome::Done(m.inner_mut().drop_sender(id)),
            },
            Op::Subscribe(k) => match tx(k) {
                None => Outcome::NoHandle,
                Some(id) => created(m.inner_mut().subscribe(id).map(|id| id.0)),
            },
            Op::Resubscribe(k) => match rx(k) {
                None => Outcome::NoHandle,
                Some(id) => {
                    m.inner_mut().cancel_recv(id);
                    created(m.inner_mut().resubscribe(id).map(|id| id.0))
                }
            },
            Op::DropReceiver(k) => match rx(k) {
                None => Outcome::NoHandle,
                Some(id) => Outcome::Done(m.inner_mut().drop_receiver(id)),
            },
            Op::TryRecv(k) => match rx(k) {
                None => Outcome::NoHandle,
                Some(id) => m.try_recv(id).map_or(Outcome::NoHandle, Outcome::TryRecv),
            },
            Op::PollRecv(k) => match rx(k) {
                None => Outcome::NoHandle,
                Some(id) => m.poll_recv(id).map_or(Outcome::NoHandle, Outcome::Polled),
            },
            Op::CancelRecv(k) => match rx(k) {
                None => Outcome::NoHandle,
                Some(id) => Outcome::Done(m.inner_mut().cancel_recv(id)),
            },
        }
    }

    fn observe(&self) -> Observed {
        let m = self.0.inner();
        Observed {
            senders: m
                .sender_ids()
                .into_iter()
                .map(|id| SenderSees {
                    id: id.0,
                    receiver_count: m.receiver_count(),
                    len: m.len(),
                    is_empty: m.is_empty(),
                    strong_count: m.sender_count(),
                })
                .collect(),
            receivers: m
                .receiver_ids()
                .into_iter()
                .map(|id| {
                    let recv_woken = m.recv_woken(id);
                    let free = recv_woken.is_none();
                    let len = m.receiver_len(id).filter(|_| free);
                    ReceiverSees {
                        id: id.0,
                        recv_woken,
                        len,
                        is_empty: len.map(|n| n == 0),
                        is_closed: free.then(|| m.is_closed()),
                        sender_strong_count: free.then(|| m.sender_count()),
                    }
                })
                .collect(),
        }
    }
}

/// The rule a twin changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    /// Keeps exactly the capacity asked for, as the guide's "buffer of size 2" suggests.
    IgnoresRounding,
    /// Reports `Lagged(n + 1)` (counts the message it resumes at as missed too).
    LagOffByOne,
}

/// The reference model with the one rule of `flaw` changed.
struct Twin {
    flaw: Flaw,
    model: Broadcast<V>,
}

impl Twin {
    fn channel(capacity: usize, flaw: Flaw) -> (Self, SenderId, ReceiverId) {
        let (model, tx, rx) = match flaw {
            Flaw::IgnoresRounding => Broadcast::keeping(capacity),
            Flaw::LagOffByOne => Broadcast::channel(capacity),
        };
        (Twin { flaw, model }, tx, rx)
    }
}

impl Rules for Twin {
    fn inner(&self) -> &Broadcast<V> {
        &self.model
    }
    fn inner_mut(&mut self) -> &mut Broadcast<V> {
        &mut self.model
    }
    fn try_recv(&mut self, rx: ReceiverId) -> Option<TryRecv<V>> {
        match (self.flaw, self.model.try_recv(rx)) {
            (Flaw::LagOffByOne, Some(TryRecv::Lagged(n))) => Some(TryRecv::Lagged(n + 1)),
            (_, got) => got,
        }
    }
    fn poll_recv(&mut self, rx: ReceiverId) -> Option<Poll<Recv<V>>> {
        match (self.flaw, self.model.poll_recv(rx)) {
            (Flaw::LagOffByOne, Some(Poll::Ready(Recv::Lagged(n)))) => {
                Some(Poll::Ready(Recv::Lagged(n + 1)))
            }
            (_, got) => got,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tokio's channel, driven op by op.

/// A pending `recv()`: it owns a handle on the receiver's cell and holds it borrowed while it
/// waits, exactly as `rx.recv()` holds `&mut rx`.
type RecvFuture = Pin<Box<dyn Future<Output = Result<V, RecvError>>>>;

struct TokioRx {
    rx: Rc<RefCell<broadcast::Receiver<V>>>,
    recv: Option<Spawn<RecvFuture>>,
}

impl TokioRx {
    fn new(rx: broadcast::Receiver<V>) -> Self {
        TokioRx {
            rx: Rc::new(RefCell::new(rx)),
            recv: None,
        }
    }

    #[allow(
        clippy::await_holding_refcell_ref,
        reason = "the borrow stands for the `&mut Receiver` that `recv()` holds while it waits; \
                  every other use of the receiver drops this future first"
    )]
    fn recv_future(&self) -> Spawn<RecvFuture> {
        let cell = Rc::clone(&self.rx);
        task::spawn(Box::pin(async move { cell.borrow_mut().recv().await }))
    }
}

/// Tokio's channel: its handles by id (creation order), `None` once dropped.
struct Tokio {
    senders: Vec<Option<broadcast::Sender<V>>>,
    receivers: Vec<Option<TokioRx>>,
}

impl Tokio {
    fn channel(capacity: usize) -> Self {
        let (tx, rx) = broadcast::channel(capacity);
        Tokio {
            senders: vec![Some(tx)],
            receivers: vec![Some(TokioRx::new(rx))],
        }
    }
}

fn try_recv_outcome(r: Result<V, TryRecvError>) -> TryRecv<V> {
    match r {
        Ok(v) => TryRecv::Value(v),
        Err(TryRecvError::Empty) => TryRecv::Empty,
        Err(TryRecvError::Lagged(n)) => TryRecv::Lagged(n),
        Err(TryRecvError::Closed) => TryRecv::Closed,
    }
}

fn recv_outcome(r: Result<V, RecvError>) -> Recv<V> {
    match r {
        Ok(v) => Recv::Value(v),
        Err(RecvError::Lagged(n)) => Recv::Lagged(n),
        Err(RecvError::Closed) => Recv::Closed,
    }
}

impl Channel for Tokio {
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;

    fn apply(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Send { tx, .. } | Op::CloneSender(tx) | Op::DropSender(tx) | Op::Subscribe(tx) => {
                let Some(i) = pick(&self.senders, tx) else {
                    return Outcome::NoHandle;
                };
                let Some(sender) = self.senders[i].as_ref() else {
                    return Outcome::NoHandle;
                };
                match *op {
                    Op::Send { value, .. } => Outcome::Sent(sender.send(value).map_err(|e| e.0)),
                    Op::CloneSender(_) => {
                        let clone = sender.clone();
                        self.senders.push(Some(clone));
                        Outcome::Created(self.senders.len() - 1)
                    }
                    Op::Subscribe(_) => {
                        let rx = TokioRx::new(sender.subscribe());
                        self.receivers.push(Some(rx));
                        Outcome::Created(self.receivers.len() - 1)
                    }
                    _ => {
                        self.senders[i] = None;
                        Outcome::Done(true)
                    }
                }
            }
            Op::Resubscribe(rx)
            | Op::DropReceiver(rx)
            | Op::TryRecv(rx)
            | Op::PollRecv(rx)
            | Op::CancelRecv(rx) => {
                let Some(i) = pick(&self.receivers, rx) else {
                    return Outcome::NoHandle;
                };
                let Some(r) = self.receivers[i].as_mut() else {
                    return Outcome::NoHandle;
                };
                match *op {
                    Op::PollRecv(_) => {
                        let mut recv = r.recv.take().unwrap_or_else(|| r.recv_future());
                        let poll = recv.poll().map(recv_outcome);
                        if poll.is_pending() {
                            r.recv = Some(recv);
                        }
                        Outcome::Polled(poll)
                    }
                    Op::CancelRecv(_) => Outcome::Done(r.recv.take().is_some()),
                    Op::DropReceiver(_) => {
                        self.receivers[i] = None;
                        Outcome::Done(true)
                    }
                    // Every other operation needs the receiver itself, which a pending
                    // `recv()` borrows: drop that future first (the model does the same).
                    Op::TryRecv(_) => {
                        r.recv = None;
                        Outcome::TryRecv(try_recv_outcome(r.rx.borrow_mut().try_recv()))
                    }
                    _ => {
                        r.recv = None;
                        let new = TokioRx::new(r.rx.borrow().resubscribe());
                        self.receivers.push(Some(new));
                        Outcome::Created(self.receivers.len() - 1)
                    }
                }
            }
        }
    }

    fn observe(&self) -> Observed {
        Observed {
            senders: self
                .senders
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
                .map(|(id, s)| SenderSees {
                    id,
                    receiver_count: s.receiver_count(),
                    len: s.len(),
                    is_empty: s.is_empty(),
                    strong_count: s.strong_count(),
                })
                .collect(),
            receivers: self
                .receivers
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().map(|r| (i, r)))
                .map(|(id, r)| {
                    // A pending `recv()` holds the receiver borrowed.
                    let rx = r.rx.try_borrow().ok();
                    let rx = rx.as_deref();
                    ReceiverSees {
                        id,
                        recv_woken: r.recv.as_ref().map(Spawn::is_woken),
                        len: rx.map(broadcast::Receiver::len),
                        is_empty: rx.map(broadcast::Receiver::is_empty),
                        is_closed: rx.map(broadcast::Receiver::is_closed),
                        sender_strong_count: rx.map(broadcast::Receiver::sender_strong_count),
                    }
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The suite.

/// The model `(model, tx, rx)` under comparison, whose first handles are ids 0, as tokio's are.
fn first_handles<R: Rules>((model, tx, rx): (R, SenderId, ReceiverId)) -> Model<R> {
    assert_eq!((tx, rx), (SenderId(0), ReceiverId(0)));
    Model(model)
}

/// guide: broadcast (all sections) - tokio behaves as `channel_models::broadcast` says, step by
/// step.
struct Property;

impl Suite for Property {
    const NAME: &'static str = "broadcast";
    const FILE: &'static str = "prop_broadcast";
    const CASES: u32 = 256;
    type Setup = usize;
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;
    type Flaw = Flaw;
    const FLAWS: &'static [Flaw] = &[Flaw::IgnoresRounding, Flaw::LagOffByOne];
    const OUTCOMES: &'static [&'static str] = &[
        "no handle",
        "created",
        "done",
        "cancelled nothing",
        "send Ok",
        "send Err",
        "try_recv Ok",
        "try_recv Empty",
        "try_recv Lagged",
        "try_recv Closed",
        "recv Ok",
        "recv Lagged",
        "recv Closed",
        "recv Pending",
        "pending recv woken",
        "pending recv not woken",
        "receiver behind by more than the capacity",
        "channel full",
        "every sender gone, a receiver alive",
    ];

    /// Capacities 1..=9: powers of two and, more often, not; up to 50 ops.
    fn cases() -> impl Strategy<Value = Case<usize, Op>> {
        case(1..=9usize, op(), 50)
    }
    fn lower_setup(capacity: &usize) -> Vec<usize> {
        (1..*capacity).collect()
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(capacity: &usize) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        Tokio::channel(*capacity)
    }
    fn model(capacity: &usize) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        first_handles(Broadcast::<V>::channel(*capacity))
    }
    fn twin(
        capacity: &usize,
        flaw: Flaw,
    ) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        first_handles(Twin::channel(*capacity, flaw))
    }
    fn outcomes(case: Case<usize, Op>, seen: &mut dyn FnMut(&'static str)) {
        let mut model = Model(Broadcast::<V>::channel(case.setup).0);
        for op in &case.ops {
            seen(label(&model.apply(op)));
            let observed = model.observe();
            for r in &observed.receivers {
                match r.recv_woken {
                    Some(true) => seen("pending recv woken"),
                    Some(false) => seen("pending recv not woken"),
                    None => {}
                }
                if r.len.is_some_and(|n| n > model.0.capacity()) {
                    seen("receiver behind by more than the capacity");
                }
            }
            if observed
                .senders
                .first()
                .is_some_and(|s| s.len == model.0.capacity())
            {
                seen("channel full");
            }
            if observed.senders.is_empty() && !observed.receivers.is_empty() {
                seen("every sender gone, a receiver alive");
            }
        }
    }
}

test_support::suite_tests!(property: Property);

fn op() -> impl Strategy<Value = Op> {
    let h = || 0..8usize;
    prop_oneof![
        6 => (h(), 0..100u8).prop_map(|(tx, value)| Op::Send { tx, value }),
        1 => h().prop_map(Op::CloneSender),
        1 => h().prop_map(Op::DropSender),
        2 => h().prop_map(Op::Subscribe),
        1 => h().prop_map(Op::Resubscribe),
        1 => h().prop_map(Op::DropReceiver),
        4 => h().prop_map(Op::TryRecv),
        4 => h().prop_map(Op::PollRecv),
        1 => h().prop_map(Op::CancelRecv),
    ]
}

/// The guide's own lagging example, on the model alone: channel(2), five sends, then
/// "Missed 3 messages / Received: 3 / Received: 4" - and then `Empty`, not `Closed` (E02).
#[test]
fn model_reproduces_the_guide_lagging_example() {
    let (mut m, tx, rx) = Broadcast::<i32>::channel(2);
    assert_eq!(m.capacity(), 2);
    for i in 0..5 {
        assert_eq!(m.send(tx, i), Some(Ok(1)));
    }
    assert_eq!(m.try_recv(rx), Some(TryRecv::Lagged(3)));
    assert_eq!(m.try_recv(rx), Some(TryRecv::Value(3)));
    assert_eq!(m.try_recv(rx), Some(TryRecv::Value(4)));
    assert_eq!(m.try_recv(rx), Some(TryRecv::Empty));
    assert!(m.drop_sender(tx));
    assert_eq!(m.try_recv(rx), Some(TryRecv::Closed));
}

// ---------------------------------------------------------------------------------------------
// The twins are rejected.

fn sends(case: &Case<usize, Op>) -> usize {
    case.ops
        .iter()
        .filter(|op| matches!(op, Op::Send { .. }))
        .count()
}

/// A model with `channel(n)` keeping exactly `n` messages is rejected, on a capacity that is
/// not a power of two, once more than `n` messages were sent.
#[test]
fn twin_ignoring_power_of_two_rounding_is_rejected() {
    let r = twin_rejected::<Property>(Flaw::IgnoresRounding);
    assert!(!r.shrunk.setup.is_power_of_two(), "{:?}", r.shrunk);
    assert!(sends(&r.shrunk) > r.shrunk.setup, "{:?}", r.shrunk);
    // Minimal: channel(3), 4 sends; `Sender::len` then says 4 (the twin: 3).
    assert_eq!(r.minimal.setup, 3, "{:?}", r.minimal);
    assert_eq!(r.minimal.ops.len(), 4, "{:?}", r.minimal);
    assert_eq!(sends(&r.minimal), 4, "{:?}", r.minimal);
}

/// A model reporting `Lagged(n + 1)` is rejected by the first lag: channel(1), two sends, one
/// read.
#[test]
fn twin_with_lagged_off_by_one_is_rejected() {
    let r = twin_rejected::<Property>(Flaw::LagOffByOne);
    assert!(
        sends(&r.shrunk) > r.shrunk.setup.next_power_of_two(),
        "{:?}",
        r.shrunk
    );
    assert_eq!(r.minimal.setup, 1, "{:?}", r.minimal);
    assert_eq!(r.minimal.ops.len(), 3, "{:?}", r.minimal);
    assert_eq!(sends(&r.minimal), 2, "{:?}", r.minimal);
    assert!(
        matches!(r.minimal.ops.last(), Some(Op::TryRecv(_) | Op::PollRecv(_))),
        "{:?}",
        r.minimal
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases (`edge_case`): tokio and the model agree, and the twin that gets the rule wrong
// does not.

fn send(value: V) -> Op {
    Op::Send { tx: 0, value }
}

#[test]
fn edge_capacity_3_keeps_4_messages() {
    let ops = vec![send(1), send(2), send(3), send(4), Op::TryRecv(0)];
    edge_case::<Property>(3, ops, Flaw::IgnoresRounding);
}

#[test]
fn edge_capacity_1_two_sends_lag_by_exactly_1() {
    let ops = vec![send(1), send(2), Op::TryRecv(0), Op::TryRecv(0)];
    edge_case::<Property>(1, ops, Flaw::LagOffByOne);
}

// ---------------------------------------------------------------------------------------------
// The search is not vacuous: the random sequences reach every outcome the model can give.

fn label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::NoHandle => "no handle",
        Outcome::Created(_) => "created",
        Outcome::Done(true) => "done",
        Outcome::Done(false) => "cancelled nothing",
        Outcome::Sent(Ok(_)) => "send Ok",
        Outcome::Sent(Err(_)) => "send Err",
        Outcome::TryRecv(TryRecv::Value(_)) => "try_recv Ok",
        Outcome::TryRecv(TryRecv::Empty) => "try_recv Empty",
        Outcome::TryRecv(TryRecv::Lagged(_)) => "try_recv Lagged",
        Outcome::TryRecv(TryRecv::Closed) => "try_recv Closed",
        Outcome::Polled(Poll::Ready(Recv::Value(_))) => "recv Ok",
        Outcome::Polled(Poll::Ready(Recv::Lagged(_))) => "recv Lagged",
        Outcome::Polled(Poll::Ready(Recv::Closed)) => "recv Closed",
        Outcome::Polled(Poll::Pending) => "recv Pending",
    }
}
