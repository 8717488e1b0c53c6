#![warn(rust_2018_idioms)]
//! Model-based properties of `tokio::sync::watch`: random operation sequences run against
//! tokio and against `channel_patterns::model::watch`, every observation compared
//! (guide/tokio-channels.md, "watch - Single Value Observable").
//!
//! `changed()` and `wait_for()` are hand-polled with `tokio_test::task::spawn`, so no runtime
//! is needed and `is_woken()` shows exactly which operation wakes a waiting receiver. Values
//! come from 0..4, so sends of the value already there are frequent.

mod prop_support;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use channel_patterns::model::watch::{Borrowed, Closed, ReceiverId, SenderId, Watch};
use prop_support::{counterexample, persisted};
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
    /// `*tx.borrow()`.
    SenderBorrow(usize),
    /// `receiver_count`, `sender_count`, `is_closed` through a sender.
    SenderStats(usize),
    CloneSender(usize),
    DropSender(usize),
    Subscribe(usize),
    CloneReceiver(usize),
    DropReceiver(usize),
    Borrow(usize),
    BorrowAndUpdate(usize),
    HasChanged(usize),
    IsClosed(usize),
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

impl Op {
    /// Simpler variants of this operation: each field (handle, value) lowered to 0 on its
    /// own, `write` to `None`. Each has a strictly smaller sum of fields.
    fn simpler(&self) -> Vec<Op> {
        let lower = |x: usize| (x > 0).then_some(0);
        let lower_v = |x: V| (x > 0).then_some(0);
        let mut out = Vec::new();
        match *self {
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
            Op::SenderBorrow(k) => out.extend(lower(k).map(Op::SenderBorrow)),
            Op::SenderStats(k) => out.extend(lower(k).map(Op::SenderStats)),
            Op::CloneSender(k) => out.extend(lower(k).map(Op::CloneSender)),
            Op::DropSender(k) => out.extend(lower(k).map(Op::DropSender)),
            Op::Subscribe(k) => out.extend(lower(k).map(Op::Subscribe)),
            Op::CloneReceiver(k) => out.extend(lower(k).map(Op::CloneReceiver)),
            Op::DropReceiver(k) => out.extend(lower(k).map(Op::DropReceiver)),
            Op::Borrow(k) => out.extend(lower(k).map(Op::Borrow)),
            Op::BorrowAndUpdate(k) => out.extend(lower(k).map(Op::BorrowAndUpdate)),
            Op::HasChanged(k) => out.extend(lower(k).map(Op::HasChanged)),
            Op::IsClosed(k) => out.extend(lower(k).map(Op::IsClosed)),
            Op::MarkChanged(k) => out.extend(lower(k).map(Op::MarkChanged)),
            Op::MarkUnchanged(k) => out.extend(lower(k).map(Op::MarkUnchanged)),
            Op::PollChanged(k) => out.extend(lower(k).map(Op::PollChanged)),
            Op::Cancel(k) => out.extend(lower(k).map(Op::Cancel)),
        }
        out
    }
}

/// A whole test case: the initial value and the operations.
#[derive(Debug, Clone)]
struct Case {
    init: V,
    ops: Vec<Op>,
}

/// What a ready receiver future returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Waited {
    Changed(Result<(), Closed>),
    WaitFor(Result<Borrowed<V>, Closed>),
}

/// What one operation showed. Equal between tokio and the model, operation by operation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Obs {
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
    Value(V),
    SenderStats {
        receiver_count: usize,
        sender_count: usize,
        is_closed: bool,
    },
    Borrowed(Borrowed<V>),
    HasChanged(Result<bool, Closed>),
    IsClosed(bool),
    /// `woken`: `is_woken()` of the future pending before this poll, of either kind (`None`:
    /// none pending).
    Polled {
        woken: Option<bool>,
        poll: Poll<Waited>,
    },
}

/// What the comparison needs of a model. Every operation defaults to the reference model
/// returned by `inner`; the flawed models below override the ones they get wrong.
trait Spec {
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
    fn send_if_modified(&mut self, tx: SenderId, write: Option<V>, modified: bool) -> Option<bool> {
        self.inner_mut().send_if_modified(tx, write, modified)
    }
    fn clone_sender(&mut self, tx: SenderId) -> Option<SenderId> {
        self.inner_mut().clone_sender(tx)
    }
    fn drop_sender(&mut self, tx: SenderId) -> bool {
        self.inner_mut().drop_sender(tx)
    }
    fn subscribe(&mut self, tx: SenderId) -> Option<ReceiverId> {
        self.inner_mut().subscribe(tx)
    }
    fn clone_receiver(&mut self, rx: ReceiverId) -> Option<ReceiverId> {
        self.inner_mut().clone_receiver(rx)
    }
    fn drop_receiver(&mut self, rx: ReceiverId) -> bool {
        self.inner_mut().drop_receiver(rx)
    }
    fn borrow(&self, rx: ReceiverId) -> Option<Borrowed<V>> {
        self.inner().borrow(rx)
    }
    fn borrow_and_update(&mut self, rx: ReceiverId) -> Option<Borrowed<V>> {
        self.inner_mut().borrow_and_update(rx)
    }
    fn has_changed(&self, rx: ReceiverId) -> Option<Result<bool, Closed>> {
        self.inner().has_changed(rx)
    }
    fn mark_changed(&mut self, rx: ReceiverId) -> bool {
        self.inner_mut().mark_changed(rx)
    }
    fn mark_unchanged(&mut self, rx: ReceiverId) -> bool {
        self.inner_mut().mark_unchanged(rx)
    }
    fn poll_changed(&mut self, rx: ReceiverId) -> Option<Poll<Result<(), Closed>>> {
        self.inner_mut().poll_changed(rx)
    }
    fn poll_wait_for(
        &mut self,
        rx: ReceiverId,
        target: V,
    ) -> Option<Poll<Result<Borrowed<V>, Closed>>> {
        self.inner_mut().poll_wait_for(rx, target)
    }
    fn woken(&self, rx: ReceiverId) -> Option<bool> {
        self.inner().woken(rx)
    }
    fn cancel(&mut self, rx: ReceiverId) -> bool {
        self.inner_mut().cancel(rx)
    }
}

impl Spec for Watch<V> {
    fn inner(&self) -> &Watch<V> {
        self
    }
    fn inner_mut(&mut self) -> &mut Watch<V> {
        self
    }
}

/// A pending receiver future: it owns a handle on the receiver's cell and holds it borrowed
/// while it waits, exactly as `rx.changed()` holds `&mut rx`.
type WaitFuture = Pin<Box<dyn Future<Output = Waited>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Changed,
    WaitFor,
}

struct RealRx {
    rx: Rc<RefCell<watch::Receiver<V>>>,
    pending: Option<(Kind, Spawn<WaitFuture>)>,
}

#[allow(
    clippy::await_holding_refcell_ref,
    reason = "the borrow stands for the `&mut Receiver` that `changed()`/`wait_for()` hold while \
              they wait; every other use of the receiver drops the future first"
)]
impl RealRx {
    fn new(rx: watch::Receiver<V>) -> Self {
        RealRx {
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
    /// `woken`: whether the future pending before, of either kind, was woken.
    fn poll(&mut self, kind: Kind, target: V) -> Obs {
        let woken = self.pending.as_ref().map(|(_, fut)| fut.is_woken());
        let mut fut = match self.pending.take() {
            Some((k, fut)) if k == kind => fut,
            _ => self.future(kind, target),
        };
        let poll = fut.poll();
        if poll.is_pending() {
            self.pending = Some((kind, fut));
        }
        Obs::Polled { woken, poll }
    }
}

/// The real channel: its handles by id (creation order), `None` once dropped.
struct Real {
    senders: Vec<Option<watch::Sender<V>>>,
    receivers: Vec<Option<RealRx>>,
}

/// The `k % alive`-th live handle's id, if any is alive.
fn pick<T>(handles: &[Option<T>], k: usize) -> Option<usize> {
    let alive: Vec<usize> = (0..handles.len())
        .filter(|&i| handles[i].is_some())
        .collect();
    (!alive.is_empty()).then(|| alive[k % alive.len()])
}

fn borrowed(r: watch::Ref<'_, V>) -> Borrowed<V> {
    Borrowed {
        value: *r,
        has_changed: r.has_changed(),
    }
}

/// Applies a sender operation to tokio's sender `tx` and to `model`'s sender `id`.
fn apply_tx<S: Spec>(real: &mut Real, model: &mut S, i: usize, op: &Op) -> (Obs, Obs) {
    let id = SenderId(i);
    let Some(tx) = real.senders[i].as_ref() else {
        return (Obs::NoHandle, Obs::NoHandle);
    };
    let or_none = |o: Option<Obs>| o.unwrap_or(Obs::NoHandle);
    match *op {
        Op::Send { value, .. } => (
            Obs::Sent(tx.send(value).map_err(|e| e.0)),
            or_none(model.send(id, value).map(Obs::Sent)),
        ),
        Op::SendReplace { value, .. } => (
            Obs::Replaced(tx.send_replace(value)),
            or_none(model.send_replace(id, value).map(Obs::Replaced)),
        ),
        Op::SendModify { value, .. } => {
            tx.send_modify(|v| *v = value);
            (Obs::Done(true), Obs::Done(model.send_modify(id, value)))
        }
        Op::SendIfModified {
            write, modified, ..
        } => {
            let real_obs = Obs::Modified(tx.send_if_modified(|v| {
                if let Some(w) = write {
                    *v = w;
                }
                modified
            }));
            let model_obs = or_none(
                model
                    .send_if_modified(id, write, modified)
                    .map(Obs::Modified),
            );
            (real_obs, model_obs)
        }
        Op::SenderBorrow(_) => (Obs::Value(*tx.borrow()), Obs::Value(*model.inner().value())),
        Op::SenderStats(_) => (
            Obs::SenderStats {
                receiver_count: tx.receiver_count(),
                sender_count: tx.sender_count(),
                is_closed: tx.is_closed(),
            },
            Obs::SenderStats {
                receiver_count: model.inner().receiver_count(),
                sender_count: model.inner().sender_count(),
                is_closed: model.inner().sender_is_closed(),
            },
        ),
        Op::CloneSender(_) => {
            let clone = tx.clone();
            real.senders.push(Some(clone));
            let model_id = model.clone_sender(id).map(|id| id.0);
            (
                Obs::Created(real.senders.len() - 1),
                model_id.map_or(Obs::NoHandle, Obs::Created),
            )
        }
        Op::DropSender(_) => {
            real.senders[i] = None;
            (Obs::Done(true), Obs::Done(model.drop_sender(id)))
        }
        Op::Subscribe(_) => {
            let rx = RealRx::new(tx.subscribe());
            real.receivers.push(Some(rx));
            let model_id = model.subscribe(id).map(|id| id.0);
            (
                Obs::Created(real.receivers.len() - 1),
                model_id.map_or(Obs::NoHandle, Obs::Created),
            )
        }
        _ => unreachable!("not a sender operation: {op:?}"),
    }
}

/// Applies a receiver operation to tokio's receiver `i` and to `model`'s receiver `i`.
fn apply_rx<S: Spec>(real: &mut Real, model: &mut S, i: usize, op: &Op) -> (Obs, Obs) {
    let id = ReceiverId(i);
    let Some(r) = real.receivers[i].as_mut() else {
        return (Obs::NoHandle, Obs::NoHandle);
    };
    let or_none = |o: Option<Obs>| o.unwrap_or(Obs::NoHandle);
    match *op {
        Op::PollChanged(_) => {
            let woken = model.woken(id);
            let model_obs = model.poll_changed(id).map(|p| Obs::Polled {
                woken,
                poll: p.map(Waited::Changed),
            });
            (r.poll(Kind::Changed, 0), or_none(model_obs))
        }
        Op::PollWaitFor { target, .. } => {
            let woken = model.woken(id);
            let model_obs = model.poll_wait_for(id, target).map(|p| Obs::Polled {
                woken,
                poll: p.map(Waited::WaitFor),
            });
            (r.poll(Kind::WaitFor, target), or_none(model_obs))
        }
        Op::Cancel(_) => (
            Obs::Done(r.pending.take().is_some()),
            Obs::Done(model.cancel(id)),
        ),
        Op::DropReceiver(_) => {
            real.receivers[i] = None;
            (Obs::Done(true), Obs::Done(model.drop_receiver(id)))
        }
        // Every other operation needs the receiver itself, which a pending future borrows:
        // drop that future first, on both sides.
        _ => {
            r.pending = None;
            model.cancel(id);
            let rx = &r.rx;
            match *op {
                Op::CloneReceiver(_) => {
                    let clone = RealRx::new(rx.borrow().clone());
                    real.receivers.push(Some(clone));
                    let model_id = model.clone_receiver(id).map(|id| id.0);
                    (
                        Obs::Created(real.receivers.len() - 1),
                        model_id.map_or(Obs::NoHandle, Obs::Created),
                    )
                }
                Op::Borrow(_) => (
                    Obs::Borrowed(borrowed(rx.borrow().borrow())),
                    or_none(model.borrow(id).map(Obs::Borrowed)),
                ),
                Op::BorrowAndUpdate(_) => (
                    Obs::Borrowed(borrowed(rx.borrow_mut().borrow_and_update())),
                    or_none(model.borrow_and_update(id).map(Obs::Borrowed)),
                ),
                Op::HasChanged(_) => (
                    Obs::HasChanged(rx.borrow().has_changed().map_err(|_| Closed)),
                    or_none(model.has_changed(id).map(Obs::HasChanged)),
                ),
                Op::IsClosed(_) => (
                    Obs::IsClosed(rx.borrow().is_closed()),
                    Obs::IsClosed(model.inner().is_closed()),
                ),
                Op::MarkChanged(_) => {
                    rx.borrow_mut().mark_changed();
                    (Obs::Done(true), Obs::Done(model.mark_changed(id)))
                }
                Op::MarkUnchanged(_) => {
                    rx.borrow_mut().mark_unchanged();
                    (Obs::Done(true), Obs::Done(model.mark_unchanged(id)))
                }
                _ => unreachable!("not a receiver operation: {op:?}"),
            }
        }
    }
}

/// Applies `op` to tokio's channel and to `model`; returns both observations.
fn apply<S: Spec>(real: &mut Real, model: &mut S, op: &Op) -> (Obs, Obs) {
    let (on_sender, k) = match *op {
        Op::Send { tx, .. }
        | Op::SendReplace { tx, .. }
        | Op::SendModify { tx, .. }
        | Op::SendIfModified { tx, .. }
        | Op::SenderBorrow(tx)
        | Op::SenderStats(tx)
        | Op::CloneSender(tx)
        | Op::DropSender(tx)
        | Op::Subscribe(tx) => (true, tx),
        Op::CloneReceiver(rx)
        | Op::DropReceiver(rx)
        | Op::Borrow(rx)
        | Op::BorrowAndUpdate(rx)
        | Op::HasChanged(rx)
        | Op::IsClosed(rx)
        | Op::MarkChanged(rx)
        | Op::MarkUnchanged(rx)
        | Op::PollChanged(rx)
        | Op::PollWaitFor { rx, .. }
        | Op::Cancel(rx) => (false, rx),
    };
    if on_sender {
        match pick(&real.senders, k) {
            Some(i) => apply_tx(real, model, i, op),
            None => (Obs::NoHandle, Obs::NoHandle),
        }
    } else {
        match pick(&real.receivers, k) {
            Some(i) => apply_rx(real, model, i, op),
            None => (Obs::NoHandle, Obs::NoHandle),
        }
    }
}

/// The property: on `case`, tokio and the model (made by `channel`) observe the same thing at
/// every step.
fn check<S: Spec>(
    case: &Case,
    channel: impl Fn(V) -> (S, SenderId, ReceiverId),
) -> Result<(), TestCaseError> {
    let (tx, rx) = watch::channel(case.init);
    let mut real = Real {
        senders: vec![Some(tx)],
        receivers: vec![Some(RealRx::new(rx))],
    };
    let (mut model, tx0, rx0) = channel(case.init);
    prop_assert_eq!((tx0, rx0), (SenderId(0), ReceiverId(0)));
    for (step, op) in case.ops.iter().enumerate() {
        let (real_obs, model_obs) = apply(&mut real, &mut model, op);
        prop_assert_eq!(real_obs, model_obs, "step {}: {:?}", step, op);
    }
    Ok(())
}

fn op() -> impl Strategy<Value = Op> {
    let h = || 0..4usize;
    let v = || 0..4u8;
    prop_oneof![
        4 => (h(), v()).prop_map(|(tx, value)| Op::Send { tx, value }),
        1 => (h(), v()).prop_map(|(tx, value)| Op::SendReplace { tx, value }),
        1 => (h(), v()).prop_map(|(tx, value)| Op::SendModify { tx, value }),
        3 => (h(), prop::option::of(v()), any::<bool>())
            .prop_map(|(tx, write, modified)| Op::SendIfModified { tx, write, modified }),
        1 => h().prop_map(Op::SenderBorrow),
        1 => h().prop_map(Op::SenderStats),
        1 => h().prop_map(Op::CloneSender),
        1 => h().prop_map(Op::DropSender),
        1 => h().prop_map(Op::Subscribe),
        1 => h().prop_map(Op::CloneReceiver),
        1 => h().prop_map(Op::DropReceiver),
        2 => h().prop_map(Op::Borrow),
        1 => h().prop_map(Op::BorrowAndUpdate),
        2 => h().prop_map(Op::HasChanged),
        1 => h().prop_map(Op::IsClosed),
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

fn case() -> impl Strategy<Value = Case> {
    (0..4u8, prop::collection::vec(op(), 0..=50)).prop_map(|(init, ops)| Case { init, ops })
}

fn future_case() -> impl Strategy<Value = Case> {
    (0..4u8, prop::collection::vec(future_op(), 0..=40)).prop_map(|(init, ops)| Case { init, ops })
}

proptest! {
    #![proptest_config(persisted("proptest-regressions/prop_watch.txt", 256))]

    /// guide: watch (all sections) - tokio behaves as `model::watch` says, step by step.
    #[test]
    fn tokio_watch_matches_the_model(case in case()) {
        check(&case, Watch::<V>::channel)?;
    }

    /// guide: watch, borrow() vs changed() - `changed()` and `wait_for()` complete, wait and
    /// wake as `model::watch` says.
    #[test]
    fn tokio_watch_futures_match_the_model(case in future_case()) {
        check(&case, Watch::<V>::channel)?;
    }
}

// ---- Teeth: flawed models the property must reject ----

/// What a flawed model gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    /// The guide's "`changed().await` - Waits until the value changes" taken literally (E10):
    /// a send of the value already there notifies no one.
    ChangedOnlyOnChange,
    /// `send` with no receiver stores the value anyway (and still returns `Err`).
    SendStoresWithoutReceivers,
}

/// The reference model with one flaw.
#[derive(Debug, Clone)]
struct Flawed {
    flaw: Flaw,
    inner: Watch<V>,
}

impl Flawed {
    fn channel(init: V, flaw: Flaw) -> (Self, SenderId, ReceiverId) {
        let (inner, tx, rx) = Watch::channel(init);
        (Flawed { flaw, inner }, tx, rx)
    }

    /// Under `ChangedOnlyOnChange`, whether a send of `value` by `tx` is a silent no-op.
    fn silent(&self, tx: SenderId, value: V) -> bool {
        self.flaw == Flaw::ChangedOnlyOnChange
            && self.inner.sender_ids().contains(&tx)
            && *self.inner.value() == value
    }
}

impl Spec for Flawed {
    fn inner(&self) -> &Watch<V> {
        &self.inner
    }
    fn inner_mut(&mut self) -> &mut Watch<V> {
        &mut self.inner
    }
    fn send(&mut self, tx: SenderId, value: V) -> Option<Result<(), V>> {
        if self.silent(tx, value) && self.inner.receiver_count() > 0 {
            return Some(Ok(()));
        }
        if self.flaw == Flaw::SendStoresWithoutReceivers
            && self.inner.receiver_count() == 0
            && self.inner.sender_ids().contains(&tx)
        {
            self.inner.send_replace(tx, value);
            return Some(Err(value));
        }
        self.inner.send(tx, value)
    }
    fn send_replace(&mut self, tx: SenderId, value: V) -> Option<V> {
        if self.silent(tx, value) {
            return Some(value);
        }
        self.inner.send_replace(tx, value)
    }
    fn send_modify(&mut self, tx: SenderId, value: V) -> bool {
        if self.silent(tx, value) {
            return true;
        }
        self.inner.send_modify(tx, value)
    }
}

/// Runs the property against a flawed model, which it must reject. Returns proptest's shrunk
/// counterexample, and that case minimised further by [`minimise`].
fn rejected(flaw: Flaw) -> (Case, Case) {
    let fails = |case: &Case| check(case, |init| Flawed::channel(init, flaw)).is_err();
    let (reason, shrunk) = counterexample(case(), |case| {
        check(&case, |init| Flawed::channel(init, flaw))
    });
    println!("{flaw:?} rejected: {reason}");
    println!("shrunk by proptest: {shrunk:#?}");
    let minimal = minimise(shrunk.clone(), fails);
    println!("minimal: {minimal:#?}");
    (shrunk, minimal)
}

/// Deletes single operations (trying every initial value with each deletion), lowers the
/// initial value, and makes single operations [`Op::simpler`], while the case still fails.
/// Proptest's shrinking does not go back to deleting operations once it has simplified them,
/// and an operation on the `k % alive`-th handle pins the handles before it, so its result
/// sometimes keeps superfluous operations; this makes the teeth assertions tighter. Every step
/// makes the case strictly simpler, so it ends.
fn minimise(mut case: Case, fails: impl Fn(&Case) -> bool) -> Case {
    'smaller: loop {
        for i in 0..case.ops.len() {
            for init in std::iter::once(case.init).chain(0..4) {
                let mut candidate = Case {
                    init,
                    ops: case.ops.clone(),
                };
                candidate.ops.remove(i);
                if fails(&candidate) {
                    case = candidate;
                    continue 'smaller;
                }
            }
        }
        for init in 0..case.init {
            let candidate = Case {
                init,
                ops: case.ops.clone(),
            };
            if fails(&candidate) {
                case = candidate;
                continue 'smaller;
            }
        }
        for i in 0..case.ops.len() {
            for simpler in case.ops[i].simpler() {
                let mut candidate = case.clone();
                candidate.ops[i] = simpler;
                if fails(&candidate) {
                    case = candidate;
                    continue 'smaller;
                }
            }
        }
        return case;
    }
}

/// The reference model's state before each operation of `case`.
fn states_before(case: &Case) -> Vec<Watch<V>> {
    let (tx, rx) = watch::channel(case.init);
    let mut real = Real {
        senders: vec![Some(tx)],
        receivers: vec![Some(RealRx::new(rx))],
    };
    let (mut model, _, _) = Watch::channel(case.init);
    case.ops
        .iter()
        .map(|op| {
            let before = model.clone();
            apply(&mut real, &mut model, op);
            before
        })
        .collect()
}

/// Teeth: the guide's reading of `changed()` (E10) is rejected by a send of the value already
/// there, followed by a look at a receiver.
#[test]
fn flawed_model_where_equal_sends_notify_no_one_is_rejected() {
    let (shrunk, minimal) = rejected(Flaw::ChangedOnlyOnChange);
    assert!(shrunk.ops.len() <= 20, "{shrunk:?}");
    // Usually `[Send { value: init }, PollChanged]` or `[.., Borrow]`; one or two more
    // operations when minimising stops on an equivalent case.
    assert!(minimal.ops.len() <= 5, "{minimal:?}");
    let before = states_before(&minimal);
    let equal_send = minimal
        .ops
        .iter()
        .zip(&before)
        .any(|(op, state)| match *op {
            Op::Send { value, .. }
            | Op::SendReplace { value, .. }
            | Op::SendModify { value, .. } => {
                value == *state.value() && state.sender_count() > 0 && state.receiver_count() > 0
            }
            _ => false,
        });
    assert!(
        equal_send,
        "no send of the value already there: {minimal:?}"
    );
    assert!(
        matches!(
            minimal.ops.last(),
            Some(
                Op::Borrow(_)
                    | Op::BorrowAndUpdate(_)
                    | Op::HasChanged(_)
                    | Op::PollChanged(_)
                    | Op::PollWaitFor { .. }
            )
        ),
        "{minimal:?}"
    );
}

/// Teeth: a `send` that stores its value although it fails (no receiver) is rejected: drop the
/// receiver, send a new value, look at the value.
#[test]
fn flawed_model_where_a_failed_send_stores_is_rejected() {
    let (shrunk, minimal) = rejected(Flaw::SendStoresWithoutReceivers);
    assert!(shrunk.ops.len() <= 20, "{shrunk:?}");
    // Usually `[DropReceiver, Send { value: 1 }, SenderBorrow]`, or ends with another look at
    // the value (`send_replace` returning it, a new receiver's `borrow`).
    assert!(minimal.ops.len() <= 5, "{minimal:?}");
    assert!(minimal.ops.contains(&Op::DropReceiver(0)), "{minimal:?}");
    let before = states_before(&minimal);
    let failed_send_of_new_value = minimal.ops.iter().zip(&before).any(|(op, state)| {
        matches!(*op, Op::Send { value, .. }
            if value != *state.value() && state.sender_count() > 0 && state.receiver_count() == 0)
    });
    assert!(failed_send_of_new_value, "{minimal:?}");
}
