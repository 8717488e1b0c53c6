#![warn(rust_2018_idioms)]
//! Model-based properties of `tokio::sync::watch`: random operation sequences run against
//! tokio and against `channel_models::watch`; the outcome of every op and, after
//! every step, every accessor of every live handle (the handles alive; each sender's `borrow`,
//! `is_closed`, `receiver_count`, `sender_count`; each receiver's `borrow` with its
//! `has_changed` flag, `has_changed()`, `is_closed`, and whether its pending future was woken)
//! are compared (`props::check`; guide/tokio-channels.md, "watch - Single Value
//! Observable").
//!
//! `changed()` and `wait_for()` are hand-polled with `tokio_test::task::spawn`, so no runtime
//! is needed and `is_woken()` shows exactly which operation wakes a waiting receiver. A pending
//! future borrows its receiver (`&mut self`), so that receiver's accessors are not asked while
//! it waits, on either side. Values come from 0..4, so sends of the value already there are
//! frequent.
//!
//! The properties have twins (the model with one rule changed), which they must reject.

use test_support::props;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use channel_models::watch::{Borrowed, Closed, ReceiverId, SenderId, Watch};
use props::{Case, Channel, Suite, case, edge_case, nth, pick, twin_rejected};
use proptest::prelude::*;
use tokio::sync::watch;
use tokio_test::task::{self, Spawn};

type V = u8;

/// One operation on the channel. `usize` fields pick a handle: the `k % alive`-th sender or
/// receiver alive, in creation order; with none alive the operation does nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Send {
        tx: usize,
        value: V,
    },
    SendReplace {
        tx: usize,
        value: V,
    },
    /// `send_modify(|v| *v = value)`.
    SendModify {
        tx: usize,
        value: V,
    },
    /// `send_if_modified(|v| { if let Some(w) = write { *v = w } modified })`.
    SendIfModified {
        tx: usize,
        write: Option<V>,
        modified: bool,
    },
    CloneSender(usize),
    DropSender(usize),
    Subscribe(usize),
    CloneReceiver(usize),
    DropReceiver(usize),
    BorrowAndUpdate(usize),
    MarkChanged(usize),
    MarkUnchanged(usize),
    /// Polls the receiver's `changed()` future, creating it if none is pending.
    PollChanged(usize),
    /// Polls the receiver's `wait_for(|v| *v == target)` future, creating it if no `wait_for`
    /// is pending (a pending one keeps its own target).
    PollWaitFor {
        rx: usize,
        target: V,
    },
    /// Drops the receiver's pending future, if any.
    Cancel(usize),
}

/// Each field (handle, value) lowered to 0 on its own, `write` to `None`: each has a
/// strictly smaller sum of fields.
fn simpler(op: &Op) -> Vec<Op> {
    let lower = |x: usize| (x > 0).then_some(0);
    let lower_v = |x: V| (x > 0).then_some(0);
    let mut out = Vec::new();
    match *op {
        Op::Send { tx, value } => {
            out.extend(lower(tx).map(|tx| Op::Send { tx, value }));
            out.extend(lower_v(value).map(|value| Op::Send { tx, value }));
        }
        Op::SendReplace { tx, value } => {
            out.extend(lower(tx).map(|tx| Op::SendReplace { tx, value }));
            out.extend(lower_v(value).map(|value| Op::SendReplace { tx, value }));
        }
        Op::SendModify { tx, value } => {
            out.extend(lower(tx).map(|tx| Op::SendModify { tx, value }));
            out.extend(lower_v(value).map(|value| Op::SendModify { tx, value }));
        }
        Op::SendIfModified {
            tx,
            write,
            modified,
        } => {
            out.extend(lower(tx).map(|tx| Op::SendIfModified {
                tx,
                write,
                modified,
            }));
            if write.is_some() {
                out.push(Op::SendIfModified {
                    tx,
                    write: None,
                    modified,
                });
            }
        }
        Op::PollWaitFor { rx, target } => {
            out.extend(lower(rx).map(|rx| Op::PollWaitFor { rx, target }));
            out.extend(lower_v(target).map(|target| Op::PollWaitFor { rx, target }));
        }
        Op::CloneSender(k) => out.extend(lower(k).map(Op::CloneSender)),
        Op::DropSender(k) => out.extend(lower(k).map(Op::DropSender)),
        Op::Subscribe(k) => out.extend(lower(k).map(Op::Subscribe)),
        Op::CloneReceiver(k) => out.extend(lower(k).map(Op::CloneReceiver)),
        Op::DropReceiver(k) => out.extend(lower(k).map(Op::DropReceiver)),
        Op::BorrowAndUpdate(k) => out.extend(lower(k).map(Op::BorrowAndUpdate)),
        Op::MarkChanged(k) => out.extend(lower(k).map(Op::MarkChanged)),
        Op::MarkUnchanged(k) => out.extend(lower(k).map(Op::MarkUnchanged)),
        Op::PollChanged(k) => out.extend(lower(k).map(Op::PollChanged)),
        Op::Cancel(k) => out.extend(lower(k).map(Op::Cancel)),
    }
    out
}

/// What a ready receiver future returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Waited {
    Changed(Result<(), Closed>),
    WaitFor(Result<Borrowed<V>, Closed>),
}

/// What one operation returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// No handle of the kind the operation needs is alive.
    NoHandle,
    /// A handle was created with this id.
    Created(usize),
    /// A handle was dropped, a value modified or marked, a future cancelled (`true`: one was
    /// pending).
    Done(bool),
    Sent(Result<(), V>),
    Replaced(V),
    Modified(bool),
    Borrowed(Borrowed<V>),
    Polled(Poll<Waited>),
}

/// What a sender's accessors say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SenderSees {
    id: usize,
    /// `*borrow()`.
    value: V,
    is_closed: bool,
    receiver_count: usize,
    sender_count: usize,
}

/// What a receiver's accessors say; `None` while a pending future borrows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReceiverSees {
    id: usize,
    /// `is_woken()` of its pending future, of either kind (`None`: none pending).
    woken: Option<bool>,
    borrow: Option<Borrowed<V>>,
    has_changed: Option<Result<bool, Closed>>,
    is_closed: Option<bool>,
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
    fn inner(&self) -> &Watch<V>;
    fn inner_mut(&mut self) -> &mut Watch<V>;

    fn send(&mut self, tx: SenderId, value: V) -> Option<Result<(), V>> {
        self.inner_mut().send(tx, value)
    }
    fn send_replace(&mut self, tx: SenderId, value: V) -> Option<V> {
        self.inner_mut().send_replace(tx, value)
    }
    fn send_modify(&mut self, tx: SenderId, value: V) -> bool {
        self.inner_mut().send_modify(tx, value)
    }
}

impl Rules for Watch<V> {
    fn inner(&self) -> &Watch<V> {
        self
    }
    fn inner_mut(&mut self) -> &mut Watch<V> {
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
        let or_none = |o: Option<Outcome>| o.unwrap_or(Outcome::NoHandle);
        let created = |id: Option<usize>| id.map_or(Outcome::NoHandle, Outcome::Created);
        match *op {
            Op::Send { tx, .. }
            | Op::SendReplace { tx, .. }
            | Op::SendModify { tx, .. }
            | Op::SendIfModified { tx, .. }
            | Op::CloneSender(tx)
            | Op::DropSender(tx)
            | Op::Subscribe(tx) => {
                let Some(id) = nth(&m.inner().sender_ids(), tx) else {
                    return Outcome::NoHandle;
                };
                match *op {
                    Op::Send { value, .. } => or_none(m.send(id, value).map(Outcome::Sent)),
                    Op::SendReplace { value, .. } => {
                        or_none(m.send_replace(id, value).map(Outcome::Replaced))
                    }
                    Op::SendModify { value, .. } => Outcome::Done(m.send_modify(id, value)),
                    Op::SendIfModified {
                        write, modified, ..
                    } => or_none(
                        m.inner_mut()
                            .send_if_modified(id, write, modified)
                            .map(Outcome::Modified),
                    ),
                    Op::CloneSender(_) => created(m.inner_mut().clone_sender(id).map(|i| i.0)),
                    Op::DropSender(_) => Outcome::Done(m.inner_mut().drop_sender(id)),
                    _ => created(m.inner_mut().subscribe(id).map(|i| i.0)),
                }
            }
            Op::CloneReceiver(rx)
            | Op::DropReceiver(rx)
            | Op::BorrowAndUpdate(rx)
            | Op::MarkChanged(rx)
            | Op::MarkUnchanged(rx)
            | Op::PollChanged(rx)
            | Op::PollWaitFor { rx, .. }
            | Op::Cancel(rx) => {
                let Some(id) = nth(&m.inner().receiver_ids(), rx) else {
                    return Outcome::NoHandle;
                };
                let m = m.inner_mut();
                match *op {
                    Op::PollChanged(_) => or_none(
                        m.poll_changed(id)
                            .map(|p| Outcome::Polled(p.map(Waited::Changed))),
                    ),
                    Op::PollWaitFor { target, .. } => or_none(
                        m.poll_wait_for(id, target)
                            .map(|p| Outcome::Polled(p.map(Waited::WaitFor))),
                    ),
                    Op::Cancel(_) => Outcome::Done(m.cancel(id)),
                    Op::DropReceiver(_) => Outcome::Done(m.drop_receiver(id)),
                    // Every other operation needs the receiver itself, which a pending future
                    // borrows: that future is dropped first (tokio's side does the same).
                    Op::CloneReceiver(_) => {
                        m.cancel(id);
                        created(m.clone_receiver(id).map(|i| i.0))
                    }
                    Op::BorrowAndUpdate(_) => {
                        or_none(m.borrow_and_update(id).map(Outcome::Borrowed))
                    }
                    Op::MarkChanged(_) => Outcome::Done(m.mark_changed(id)),
                    _ => Outcome::Done(m.mark_unchanged(id)),
                }
            }
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
                    value: *m.value(),
                    is_closed: m.sender_is_closed(),
                    receiver_count: m.receiver_count(),
                    sender_count: m.sender_count(),
                })
                .collect(),
            receivers: m
                .receiver_ids()
                .into_iter()
                .map(|id| {
                    let woken = m.woken(id);
                    let free = woken.is_none();
                    ReceiverSees {
                        id: id.0,
                        woken,
                        borrow: m.borrow(id).filter(|_| free),
                        has_changed: m.has_changed(id).filter(|_| free),
                        is_closed: free.then(|| m.is_closed()),
                    }
                })
                .collect(),
        }
    }
}

/// The rule a twin changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    /// The guide's "`changed().await` - Waits until the value changes" taken literally (E10):
    /// a send of the value already there notifies no one.
    ChangedOnlyOnChange,
    /// `send` with no receiver stores the value anyway (and still returns `Err`).
    SendStoresWithoutReceivers,
}

/// The reference model with the one rule of `flaw` changed.
#[derive(Debug, Clone)]
struct Twin {
    flaw: Flaw,
    model: Watch<V>,
}

impl Twin {
    fn channel(init: V, flaw: Flaw) -> (Self, SenderId, ReceiverId) {
        let (model, tx, rx) = Watch::channel(init);
        (Twin { flaw, model }, tx, rx)
    }

    /// Under `ChangedOnlyOnChange`, whether a send of `value` by `tx` is a silent no-op.
    fn silent(&self, tx: SenderId, value: V) -> bool {
        self.flaw == Flaw::ChangedOnlyOnChange
            && self.model.sender_ids().contains(&tx)
            && *self.model.value() == value
    }
}

impl Rules for Twin {
    fn inner(&self) -> &Watch<V> {
        &self.model
    }
    fn inner_mut(&mut self) -> &mut Watch<V> {
        &mut self.model
    }
    fn send(&mut self, tx: SenderId, value: V) -> Option<Result<(), V>> {
        if self.silent(tx, value) && self.model.receiver_count() > 0 {
            return Some(Ok(()));
        }
        if self.flaw == Flaw::SendStoresWithoutReceivers
            && self.model.receiver_count() == 0
            && self.model.sender_ids().contains(&tx)
        {
            self.model.send_replace(tx, value);
            return Some(Err(value));
        }
        self.model.send(tx, value)
    }
    fn send_replace(&mut self, tx: SenderId, value: V) -> Option<V> {
        if self.silent(tx, value) {
            return Some(value);
        }
        self.model.send_replace(tx, value)
    }
    fn send_modify(&mut self, tx: SenderId, value: V) -> bool {
        if self.silent(tx, value) {
            return true;
        }
        self.model.send_modify(tx, value)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokio's channel, driven op by op.
/// A pending receiver future: it owns a handle on the receiver's cell and holds it borrowed
/// while it waits, exactly as `rx.changed()` holds `&mut rx`.
type WaitFuture = Pin<Box<dyn Future<Output = Waited>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Changed,
    WaitFor,
}

struct TokioRx {
    rx: Rc<RefCell<watch::Receiver<V>>>,
    pending: Option<(Kind, Spawn<WaitFuture>)>,
}

#[allow(
    clippy::await_holding_refcell_ref,
    reason = "the borrow stands for the `&mut Receiver` that `changed()`/`wait_for()` hold while \
              they wait; every other use of the receiver drops the future first"
)]
impl TokioRx {
    fn new(rx: watch::Receiver<V>) -> Self {
        TokioRx {
            rx: Rc::new(RefCell::new(rx)),
            pending: None,
        }
    }

    fn future(&self, kind: Kind, target: V) -> Spawn<WaitFuture> {
        let cell = Rc::clone(&self.rx);
        task::spawn(match kind {
            Kind::Changed => Box::pin(async move {
                Waited::Changed(cell.borrow_mut().changed().await.map_err(|_| Closed))
            }),
            Kind::WaitFor => Box::pin(async move {
                let mut rx = cell.borrow_mut();
                let got = rx.wait_for(|v| *v == target).await;
                Waited::WaitFor(
                    got.map(|r| Borrowed {
                        value: *r,
                        has_changed: r.has_changed(),
                    })
                    .map_err(|_| Closed),
                )
            }),
        })
    }

    /// Polls the pending future of `kind`, or a new one (dropping one of the other kind).
    fn poll(&mut self, kind: Kind, target: V) -> Outcome {
        let mut fut = match self.pending.take() {
            Some((k, fut)) if k == kind => fut,
            _ => self.future(kind, target),
        };
        let poll = fut.poll();
        if poll.is_pending() {
            self.pending = Some((kind, fut));
        }
        Outcome::Polled(poll)
    }
}

/// Tokio's channel: its handles by id (creation order), `None` once dropped.
struct Tokio {
    senders: Vec<Option<watch::Sender<V>>>,
    receivers: Vec<Option<TokioRx>>,
}

impl Tokio {
    fn channel(init: V) -> Self {
        let (tx, rx) = watch::channel(init);
        Tokio {
            senders: vec![Some(tx)],
            receivers: vec![Some(TokioRx::new(rx))],
        }
    }
}

fn borrowed(r: watch::Ref<'_, V>) -> Borrowed<V> {
    Borrowed {
        value: *r,
        has_changed: r.has_changed(),
    }
}

impl Channel for Tokio {
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;

    fn apply(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Send { tx, .. }
            | Op::SendReplace { tx, .. }
            | Op::SendModify { tx, .. }
            | Op::SendIfModified { tx, .. }
            | Op::CloneSender(tx)
            | Op::DropSender(tx)
            | Op::Subscribe(tx) => {
                let Some(i) = pick(&self.senders, tx) else {
                    return Outcome::NoHandle;
                };
                let Some(sender) = self.senders[i].as_ref() else {
                    return Outcome::NoHandle;
                };
                match *op {
                    Op::Send { value, .. } => Outcome::Sent(sender.send(value).map_err(|e| e.0)),
                    Op::SendReplace { value, .. } => Outcome::Replaced(sender.send_replace(value)),
                    Op::SendModify { value, .. } => {
                        sender.send_modify(|v| *v = value);
                        Outcome::Done(true)
                    }
                    Op::SendIfModified {
                        write, modified, ..
                    } => Outcome::Modified(sender.send_if_modified(|v| {
                        if let Some(w) = write {
                            *v = w;
                        }
                        modified
                    })),
                    Op::CloneSender(_) => {
                        let clone = sender.clone();
                        self.senders.push(Some(clone));
                        Outcome::Created(self.senders.len() - 1)
                    }
                    Op::DropSender(_) => {
                        self.senders[i] = None;
                        Outcome::Done(true)
                    }
                    _ => {
                        let rx = TokioRx::new(sender.subscribe());
                        self.receivers.push(Some(rx));
                        Outcome::Created(self.receivers.len() - 1)
                    }
                }
            }
            Op::CloneReceiver(rx)
            | Op::DropReceiver(rx)
            | Op::BorrowAndUpdate(rx)
            | Op::MarkChanged(rx)
            | Op::MarkUnchanged(rx)
            | Op::PollChanged(rx)
            | Op::PollWaitFor { rx, .. }
            | Op::Cancel(rx) => {
                let Some(i) = pick(&self.receivers, rx) else {
                    return Outcome::NoHandle;
                };
                let Some(r) = self.receivers[i].as_mut() else {
                    return Outcome::NoHandle;
                };
                match *op {
                    Op::PollChanged(_) => r.poll(Kind::Changed, 0),
                    Op::PollWaitFor { target, .. } => r.poll(Kind::WaitFor, target),
                    Op::Cancel(_) => Outcome::Done(r.pending.take().is_some()),
                    Op::DropReceiver(_) => {
                        self.receivers[i] = None;
                        Outcome::Done(true)
                    }
                    // Every other operation needs the receiver itself, which a pending future
                    // borrows: drop that future first (the model does the same).
                    _ => {
                        r.pending = None;
                        let rx = &r.rx;
                        match *op {
                            Op::CloneReceiver(_) => {
                                let clone = TokioRx::new(rx.borrow().clone());
                                self.receivers.push(Some(clone));
                                Outcome::Created(self.receivers.len() - 1)
                            }
                            Op::BorrowAndUpdate(_) => {
                                Outcome::Borrowed(borrowed(rx.borrow_mut().borrow_and_update()))
                            }
                            Op::MarkChanged(_) => {
                                rx.borrow_mut().mark_changed();
                                Outcome::Done(true)
                            }
                            _ => {
                                rx.borrow_mut().mark_unchanged();
                                Outcome::Done(true)
                            }
                        }
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
                    value: *s.borrow(),
                    is_closed: s.is_closed(),
                    receiver_count: s.receiver_count(),
                    sender_count: s.sender_count(),
                })
                .collect(),
            receivers: self
                .receivers
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().map(|r| (i, r)))
                .map(|(id, r)| {
                    // A pending future holds the receiver borrowed.
                    let rx = r.rx.try_borrow().ok();
                    let rx = rx.as_deref();
                    ReceiverSees {
                        id,
                        woken: r.pending.as_ref().map(|(_, fut)| fut.is_woken()),
                        borrow: rx.map(|rx| borrowed(rx.borrow())),
                        has_changed: rx.map(|rx| rx.has_changed().map_err(|_| Closed)),
                        is_closed: rx.map(watch::Receiver::is_closed),
                    }
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The suites.

/// The model `(model, tx, rx)` under comparison, whose first handles are ids 0, as tokio's are.
fn first_handles<R: Rules>((model, tx, rx): (R, SenderId, ReceiverId)) -> Model<R> {
    assert_eq!((tx, rx), (SenderId(0), ReceiverId(0)));
    Model(model)
}

/// guide: watch (all sections) - tokio behaves as `channel_models::watch` says, step by step.
struct General;

impl Suite for General {
    const NAME: &'static str = "watch";
    const FILE: &'static str = "prop_watch";
    const CASES: u32 = 256;
    type Setup = V;
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;
    type Flaw = Flaw;
    const FLAWS: &'static [Flaw] = &[Flaw::ChangedOnlyOnChange, Flaw::SendStoresWithoutReceivers];
    const OUTCOMES: &'static [&'static str] = &[
        "no handle",
        "created",
        "done",
        "did nothing",
        "send Ok",
        "send Err",
        "send_replace",
        "send_if_modified true",
        "send_if_modified false",
        "borrow_and_update changed",
        "borrow_and_update unchanged",
        "changed Ok",
        "changed Err",
        "wait_for Ok, changed",
        "wait_for Ok, unchanged",
        "wait_for Err",
        "Pending",
        "pending future woken",
        "pending future not woken",
        "has_changed true",
        "has_changed false",
        "has_changed Err",
        "sender sees no receiver",
    ];

    /// Initial values 0..4, up to 50 ops.
    fn cases() -> impl Strategy<Value = Case<V, Op>> {
        case(0..4u8, op(), 50)
    }
    fn lower_setup(init: &V) -> Vec<V> {
        (0..*init).collect()
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(init: &V) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        Tokio::channel(*init)
    }
    fn model(init: &V) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        first_handles(Watch::<V>::channel(*init))
    }
    fn twin(init: &V, flaw: Flaw) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        first_handles(Twin::channel(*init, flaw))
    }
    fn outcomes(case: Case<V, Op>, seen: &mut dyn FnMut(&'static str)) {
        labels(case, seen);
    }
}

/// guide: watch, borrow() vs changed() - `changed()` and `wait_for()` complete, wait and wake
/// as `channel_models::watch` says: the general suite's channels, on the ops of the first
/// receiver's futures.
struct Futures;

impl Suite for Futures {
    const NAME: &'static str = "watch futures";
    const FILE: &'static str = "prop_watch";
    const CASES: u32 = 256;
    type Setup = V;
    type Op = Op;
    type Outcome = Outcome;
    type Observed = Observed;
    type Flaw = Flaw;
    /// Not `SendStoresWithoutReceivers`: the first receiver, whose futures these are, lives.
    const FLAWS: &'static [Flaw] = &[Flaw::ChangedOnlyOnChange];
    const OUTCOMES: &'static [&'static str] = &[
        "changed Ok",
        "changed Err",
        "wait_for Ok, changed",
        "wait_for Ok, unchanged",
        "wait_for Err",
        "Pending",
        "pending future woken",
        "pending future not woken",
    ];

    /// Initial values 0..4, up to 40 ops.
    fn cases() -> impl Strategy<Value = Case<V, Op>> {
        case(0..4u8, future_op(), 40)
    }
    fn lower_setup(init: &V) -> Vec<V> {
        General::lower_setup(init)
    }
    fn lower_op(op: &Self::Op) -> Vec<Self::Op> {
        simpler(op)
    }

    fn tokio(init: &V) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        General::tokio(init)
    }
    fn model(init: &V) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        General::model(init)
    }
    fn twin(init: &V, flaw: Flaw) -> impl Channel<Op = Op, Outcome = Outcome, Observed = Observed> {
        General::twin(init, flaw)
    }
    fn outcomes(case: Case<V, Op>, seen: &mut dyn FnMut(&'static str)) {
        labels(case, seen);
    }
}

test_support::suite_tests!(general: General);
test_support::suite_tests!(futures: Futures);

fn op() -> impl Strategy<Value = Op> {
    let h = || 0..4usize;
    let v = || 0..4u8;
    prop_oneof![
        4 => (h(), v()).prop_map(|(tx, value)| Op::Send { tx, value }),
        1 => (h(), v()).prop_map(|(tx, value)| Op::SendReplace { tx, value }),
        1 => (h(), v()).prop_map(|(tx, value)| Op::SendModify { tx, value }),
        3 => (h(), prop::option::of(v()), any::<bool>())
            .prop_map(|(tx, write, modified)| Op::SendIfModified { tx, write, modified }),
        1 => h().prop_map(Op::CloneSender),
        1 => h().prop_map(Op::DropSender),
        1 => h().prop_map(Op::Subscribe),
        1 => h().prop_map(Op::CloneReceiver),
        1 => h().prop_map(Op::DropReceiver),
        1 => h().prop_map(Op::BorrowAndUpdate),
        1 => h().prop_map(Op::MarkChanged),
        1 => h().prop_map(Op::MarkUnchanged),
        4 => h().prop_map(Op::PollChanged),
        4 => (h(), v()).prop_map(|(rx, target)| Op::PollWaitFor { rx, target }),
        1 => h().prop_map(Op::Cancel),
    ]
}

/// Operations on the first receiver's futures and what wakes them: every send variant,
/// including unannounced writes (`send_if_modified` returning false), and the senders' drop.
/// The general mix reaches these interleavings less often.
fn future_op() -> impl Strategy<Value = Op> {
    let v = || 0..4u8;
    prop_oneof![
        3 => v().prop_map(|value| Op::Send { tx: 0, value }),
        1 => v().prop_map(|value| Op::SendReplace { tx: 0, value }),
        3 => (prop::option::of(v()), any::<bool>())
            .prop_map(|(write, modified)| Op::SendIfModified { tx: 0, write, modified }),
        1 => Just(Op::CloneSender(0)),
        1 => Just(Op::DropSender(0)),
        1 => Just(Op::BorrowAndUpdate(0)),
        1 => Just(Op::MarkChanged(0)),
        4 => Just(Op::PollChanged(0)),
        4 => v().prop_map(|target| Op::PollWaitFor { rx: 0, target }),
        1 => Just(Op::Cancel(0)),
    ]
}

// ---------------------------------------------------------------------------------------------
// The twins are rejected.

/// The reference model's state before each operation of `case`.
fn states_before(case: &Case<V, Op>) -> Vec<Watch<V>> {
    let mut model = Model(Watch::channel(case.setup).0);
    case.ops
        .iter()
        .map(|op| {
            let before = model.0.clone();
            model.apply(op);
            before
        })
        .collect()
}

/// The guide's reading of `changed()` (E10) is rejected by a send of the value already there:
/// the receivers see it as changed (`has_changed`), the twin does not.
#[test]
fn twin_where_equal_sends_notify_no_one_is_rejected() {
    let r = twin_rejected::<General>(Flaw::ChangedOnlyOnChange);
    assert!(r.shrunk.ops.len() <= 20, "{:?}", r.shrunk);
    // Minimal: one send of the initial value (`[Send { value: init }]`), or a send that
    // puts back a value already there.
    let m = &r.minimal;
    assert!(m.ops.len() <= 2, "{m:?}");
    let before = states_before(m);
    let equal_send = m.ops.iter().zip(&before).any(|(op, state)| match *op {
        Op::Send { value, .. } | Op::SendReplace { value, .. } | Op::SendModify { value, .. } => {
            value == *state.value() && state.sender_count() > 0 && state.receiver_count() > 0
        }
        _ => false,
    });
    assert!(equal_send, "no send of the value already there: {m:?}");
    assert!(r.why.contains("has_changed"), "{}", r.why);
}

/// A `send` that stores its value although it fails (no receiver) is rejected: drop the
/// receiver, send a new value; the senders' `borrow` shows it.
#[test]
fn twin_where_a_failed_send_stores_is_rejected() {
    let r = twin_rejected::<General>(Flaw::SendStoresWithoutReceivers);
    assert!(r.shrunk.ops.len() <= 20, "{:?}", r.shrunk);
    // Minimal: `[DropReceiver(0), Send { value: v != init }]`.
    let m = &r.minimal;
    assert_eq!(m.ops.len(), 2, "{m:?}");
    assert_eq!(m.ops[0], Op::DropReceiver(0), "{m:?}");
    let before = states_before(m);
    assert!(
        matches!(m.ops[1], Op::Send { value, .. } if value != *before[1].value()),
        "{m:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases (`edge_case`): tokio and the model agree, and the twin that gets the rule wrong
// does not.

/// E10: init 3, `send_modify` writing 3, then `changed()` is ready at once.
#[test]
fn edge_an_equal_value_send_wakes_changed() {
    let ops = vec![Op::SendModify { tx: 0, value: 3 }, Op::PollChanged(0)];
    edge_case::<General>(3, ops, Flaw::ChangedOnlyOnChange);
    let (mut model, tx, rx) = Watch::channel(3u8);
    model.send_modify(tx, 3);
    assert_eq!(model.poll_changed(rx), Some(Poll::Ready(Ok(()))));
}

/// E10 with a waiting `changed()`: it is woken by a send of the same value.
#[test]
fn edge_an_equal_value_send_wakes_a_waiting_changed() {
    let ops = vec![
        Op::PollChanged(0),
        Op::Send { tx: 0, value: 3 },
        Op::PollChanged(0),
    ];
    edge_case::<General>(3, ops, Flaw::ChangedOnlyOnChange);
}

#[test]
fn edge_a_failed_send_stores_nothing() {
    let ops = vec![Op::DropReceiver(0), Op::Send { tx: 0, value: 1 }];
    edge_case::<General>(0, ops, Flaw::SendStoresWithoutReceivers);
}

// ---------------------------------------------------------------------------------------------
// The search is not vacuous: the random sequences reach every outcome the model can give.

fn label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::NoHandle => "no handle",
        Outcome::Created(_) => "created",
        Outcome::Done(true) => "done",
        Outcome::Done(false) => "did nothing",
        Outcome::Sent(Ok(())) => "send Ok",
        Outcome::Sent(Err(_)) => "send Err",
        Outcome::Replaced(_) => "send_replace",
        Outcome::Modified(true) => "send_if_modified true",
        Outcome::Modified(false) => "send_if_modified false",
        Outcome::Borrowed(b) if b.has_changed => "borrow_and_update changed",
        Outcome::Borrowed(_) => "borrow_and_update unchanged",
        Outcome::Polled(Poll::Ready(Waited::Changed(Ok(())))) => "changed Ok",
        Outcome::Polled(Poll::Ready(Waited::Changed(Err(_)))) => "changed Err",
        Outcome::Polled(Poll::Ready(Waited::WaitFor(Ok(b)))) if b.has_changed => {
            "wait_for Ok, changed"
        }
        Outcome::Polled(Poll::Ready(Waited::WaitFor(Ok(_)))) => "wait_for Ok, unchanged",
        Outcome::Polled(Poll::Ready(Waited::WaitFor(Err(_)))) => "wait_for Err",
        Outcome::Polled(Poll::Pending) => "Pending",
    }
}

fn labels(case: Case<V, Op>, seen: &mut dyn FnMut(&'static str)) {
    let mut model = Model(Watch::<V>::channel(case.setup).0);
    for op in &case.ops {
        seen(label(&model.apply(op)));
        let observed = model.observe();
        for r in &observed.receivers {
            match r.woken {
                Some(true) => seen("pending future woken"),
                Some(false) => seen("pending future not woken"),
                None => {}
            }
            match r.has_changed {
                Some(Ok(true)) => seen("has_changed true"),
                Some(Ok(false)) => seen("has_changed false"),
                Some(Err(_)) => seen("has_changed Err"),
                None => {}
            }
        }
        if observed.senders.first().is_some_and(|s| s.is_closed) {
            seen("sender sees no receiver");
        }
    }
}
