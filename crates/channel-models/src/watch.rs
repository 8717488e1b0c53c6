//! Reference model of tokio's `watch` channel: the current value, its version, and what each
//! receiver has seen, made exact.
//!
//! The guide ("watch - Single Value Observable") says the channel "stores only the latest
//! value" and that receivers "see the current state whenever they check". Exactly (tokio 1.54):
//!
//! * The channel holds one value and a **version**, bumped by every *notifying* send: `send`,
//!   `send_replace`, `send_modify`, and `send_if_modified` when its closure returns `true`.
//!   The version counts sends, not changes: sending the value already there bumps it too (E10).
//! * Each receiver remembers the version it has *seen*. `borrow` reads without marking;
//!   `borrow_and_update`, `changed` and `wait_for` mark the current version seen. `subscribe`
//!   starts at the current version (seen); a cloned receiver inherits the seen version of the
//!   one it was cloned from.
//! * `send` fails, storing nothing, when no receiver is alive; `send_replace`, `send_modify`
//!   and `send_if_modified` always store.
//! * The channel is *closed* for receivers once every sender is gone (for good: a sender
//!   cannot be created from a receiver), and closed for senders while no receiver is alive
//!   (until the next `subscribe`).
//!
//! The model is plain data (`Clone + Debug`, no tokio, no async): the property tests
//! (`tests/props/prop_watch.rs`) run random operation sequences against it and against tokio and
//! compare every observation; a loom model can put it behind a mutex.

use std::task::Poll;

use super::slots::Slots;

/// A sender handle of the model: the index of the `Sender` in creation order (the channel's
/// first sender is 0, each `clone_sender` takes the next one).
///
/// guide: Quick Reference "Multiple senders: watch ❌" - wrong (E11): `watch::Sender` is
/// `Clone`, as the guide's own proxy uses it (`activity_tx.clone()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SenderId(pub usize);

/// A receiver handle of the model: the index of the `Receiver` in creation order (the
/// channel's first receiver is 0, each `clone_receiver`/`subscribe` takes the next one).
///
/// guide: watch, Multiple Receivers "Clone receiver for multiple observers".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiverId(pub usize);

/// `Err(RecvError)` of `has_changed`, `changed` and `wait_for`: every sender is gone.
///
/// guide: watch, borrow() vs changed() "`if rx.changed().await.is_err() { break; // Sender
/// dropped }`".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// What a `watch::Ref` shows: the value and its `has_changed()` flag (whether the version
/// read was unseen by the receiver when it was borrowed).
///
/// guide: watch, Basic Usage "Read current value (never blocks)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Borrowed<T> {
    /// The value borrowed.
    pub value: T,
    /// `Ref::has_changed()`.
    pub has_changed: bool,
}

/// The kind of receiver future pending on a receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wait<T> {
    /// `changed()`.
    Changed,
    /// `wait_for(|v| *v == target)`.
    WaitFor(T),
}

/// A future of a receiver that returned `Pending` and was not dropped or completed since.
#[derive(Debug, Clone, PartialEq)]
struct Pending<T> {
    wait: Wait<T>,
    /// Whether its waker was called since it returned `Pending`.
    woken: bool,
}

/// A receiver's state.
#[derive(Debug, Clone, PartialEq)]
struct Rx<T> {
    /// The version this receiver has seen.
    seen: u64,
    /// Its pending `changed()`/`wait_for()` future, if any.
    pending: Option<Pending<T>>,
}

/// The model of one watch channel with values of type `T`.
///
/// guide: Quick Reference "Stores all messages: watch ❌ (latest only)" - exactly: one value
/// and the version of the last notifying send (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Watch<T> {
    /// The current value.
    value: T,
    /// Number of notifying sends so far.
    version: u64,
    /// The senders, by creation index.
    senders: Slots<()>,
    /// The receivers, by creation index.
    receivers: Slots<Rx<T>>,
}

impl<T: Clone> Watch<T> {
    /// `watch::channel(init)`: the model with its first sender (`SenderId(0)`) and first
    /// receiver (`ReceiverId(0)`), which has seen `init`.
    ///
    /// guide: watch, Basic Usage "Create with initial value".
    pub fn channel(init: T) -> (Self, SenderId, ReceiverId) {
        let model = Watch {
            value: init,
            version: 0,
            senders: Slots::one(()),
            receivers: Slots::one(Rx {
                seen: 0,
                pending: None,
            }),
        };
        (model, SenderId(0), ReceiverId(0))
    }

    /// The senders alive, in creation order.
    pub fn sender_ids(&self) -> Vec<SenderId> {
        self.senders.ids().map(SenderId).collect()
    }

    /// The receivers alive, in creation order.
    pub fn receiver_ids(&self) -> Vec<ReceiverId> {
        self.receivers.ids().map(ReceiverId).collect()
    }

    fn sender_alive(&self, tx: SenderId) -> bool {
        self.senders.get(tx.0).is_some()
    }

    fn rx(&self, rx: ReceiverId) -> Option<&Rx<T>> {
        self.receivers.get(rx.0)
    }

    fn rx_mut(&mut self, rx: ReceiverId) -> Option<&mut Rx<T>> {
        self.receivers.get_mut(rx.0)
    }

    /// A notifying send: new version, and every pending receiver future is woken.
    fn notify(&mut self) {
        self.version += 1;
        self.wake_all();
    }

    fn wake_all(&mut self) {
        for rx in self.receivers.values_mut() {
            if let Some(pending) = rx.pending.as_mut() {
                pending.woken = true;
            }
        }
    }

    /// The current value, as `Sender::borrow` shows it (its `has_changed()` is always false).
    ///
    /// guide: watch, Real Example "`activity_rx.borrow()`" - the same value every handle sees.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The version: the number of notifying sends so far (not observable through tokio's API
    /// except through `has_changed`, `changed` and `Ref::has_changed`, which the model answers
    /// through this).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// `Sender::clone`: a new sender. `None` if `tx` is not alive.
    ///
    /// guide: watch, Real Example "Multiple producers (both copy directions) can share one
    /// channel" (and E11).
    pub fn clone_sender(&mut self, tx: SenderId) -> Option<SenderId> {
        self.senders.clone_handle(tx.0).map(SenderId)
    }

    /// Drops sender `tx`; returns whether it was alive. Dropping the last one closes the
    /// channel for good and wakes every pending `changed()`/`wait_for()`; the value stays
    /// readable.
    ///
    /// guide: watch, borrow() vs changed() "`break; // Sender dropped`".
    pub fn drop_sender(&mut self, tx: SenderId) -> bool {
        let Some(last) = self.senders.drop_handle(tx.0) else {
            return false;
        };
        if last {
            self.wake_all();
        }
        true
    }

    /// `Sender::subscribe`: a new receiver that has seen the current version. `None` if `tx`
    /// is not alive.
    ///
    /// guide: Graceful Shutdown with Channels "`self.state_tx.subscribe()`" - it sees the
    /// current state at once (`borrow`), but `changed()` waits for the *next* send.
    pub fn subscribe(&mut self, tx: SenderId) -> Option<ReceiverId> {
        if !self.sender_alive(tx) {
            return None;
        }
        let seen = self.version();
        Some(self.push_receiver(seen))
    }

    /// `Receiver::clone`: a new receiver that has seen what `rx` has seen (including a
    /// `mark_changed`). `None` if `rx` is not alive.
    ///
    /// guide: watch, Multiple Receivers "`let rx2 = rx.clone()`".
    pub fn clone_receiver(&mut self, rx: ReceiverId) -> Option<ReceiverId> {
        let seen = self.rx(rx)?.seen;
        Some(self.push_receiver(seen))
    }

    fn push_receiver(&mut self, seen: u64) -> ReceiverId {
        ReceiverId(self.receivers.add(Rx {
            seen,
            pending: None,
        }))
    }

    /// Drops receiver `rx` (and its pending future, if any); returns whether it was alive.
    ///
    /// guide: Graceful Shutdown with Channels - the workers' `state_rx` dropped unused, after
    /// which `send` fails (E03).
    pub fn drop_receiver(&mut self, rx: ReceiverId) -> bool {
        self.receivers.remove(rx.0).is_some()
    }

    /// `Sender::send(value)`: with a receiver alive, stores `value`, bumps the version (even if
    /// `value` equals the current one) and wakes every waiting receiver: `Ok(())`. With none,
    /// `Err(value)` and nothing is stored. `None` if `tx` is not alive.
    ///
    /// guide: watch, Basic Usage "`tx.send(\"updated\").unwrap()`" - exactly: it fails when no
    /// receiver is alive (E03), which the proxy's "`let _ = activity_tx.send(..)`" ignores
    /// (its timestamp is then lost).
    pub fn send(&mut self, tx: SenderId, value: T) -> Option<Result<(), T>> {
        if !self.sender_alive(tx) {
            return None;
        }
        if self.receiver_count() == 0 {
            return Some(Err(value));
        }
        self.value = value;
        self.notify();
        Some(Ok(()))
    }

    /// `Sender::send_replace(value)`: stores `value` whether or not a receiver is alive, bumps
    /// the version, wakes waiting receivers, and returns the previous value. `None` if `tx` is
    /// not alive.
    ///
    /// guide: Graceful Shutdown with Channels - the `send` that cannot fail (fix of E03).
    pub fn send_replace(&mut self, tx: SenderId, value: T) -> Option<T> {
        if !self.sender_alive(tx) {
            return None;
        }
        let previous = std::mem::replace(&mut self.value, value);
        self.notify();
        Some(previous)
    }

    /// `Sender::send_modify(|v| *v = value)`: stores, bumps, wakes, whether or not a receiver
    /// is alive; returns whether `tx` is alive.
    ///
    /// guide: watch intro "Configuration that changes at runtime" - an in-place update.
    pub fn send_modify(&mut self, tx: SenderId, value: T) -> bool {
        if !self.sender_alive(tx) {
            return false;
        }
        self.value = value;
        self.notify();
        true
    }

    /// `Sender::send_if_modified(|v| { if let Some(w) = write { *v = w } modified })`: the
    /// closure always runs (its write is kept even when it returns `false`, and is then visible
    /// to `borrow`, unannounced), but only `modified == true` bumps the version and wakes
    /// receivers. Returns `modified`; `None` if `tx` is not alive.
    ///
    /// guide: watch, borrow() vs changed() "Waits until the value changes" - the way to make
    /// that true (E10): notify only when the closure says it changed something.
    pub fn send_if_modified(
        &mut self,
        tx: SenderId,
        write: Option<T>,
        modified: bool,
    ) -> Option<bool> {
        if !self.sender_alive(tx) {
            return None;
        }
        if let Some(value) = write {
            self.value = value;
        }
        if modified {
            self.notify();
        }
        Some(modified)
    }

    /// `Receiver::borrow`: the current value, and whether its version is unseen by `rx`.
    /// Marks nothing seen. `None` if `rx` is not alive.
    ///
    /// guide: watch, borrow() vs changed() "`borrow()` - Returns current value immediately,
    /// never waits" - and does not mark it seen: `changed()` after `borrow()` still completes.
    pub fn borrow(&self, rx: ReceiverId) -> Option<Borrowed<T>> {
        let r = self.rx(rx)?;
        Some(Borrowed {
            value: self.value.clone(),
            has_changed: r.seen != self.version(),
        })
    }

    /// `Receiver::borrow_and_update`: as [`Watch::borrow`], and marks the current version
    /// seen. A pending future of `rx` is dropped first (the borrow checker forbids the call
    /// while it lives). `None` if `rx` is not alive.
    ///
    /// guide: watch, borrow() vs changed() "Read the new value" - the read that also
    /// acknowledges it.
    pub fn borrow_and_update(&mut self, rx: ReceiverId) -> Option<Borrowed<T>> {
        let (value, version) = (self.value.clone(), self.version());
        let r = self.rx_mut(rx)?;
        r.pending = None;
        let has_changed = r.seen != version;
        r.seen = version;
        Some(Borrowed { value, has_changed })
    }

    /// `Receiver::has_changed`: `Err(Closed)` as soon as every sender is gone, **even if** `rx`
    /// has not seen the last value; otherwise `Ok(whether the version is unseen)`. `None` if
    /// `rx` is not alive.
    ///
    /// guide: watch, borrow() vs changed() - the non-waiting form of `changed()`, which
    /// differs from it after the last sender's drop: `changed()` still reports an unseen value
    /// first.
    pub fn has_changed(&self, rx: ReceiverId) -> Option<Result<bool, Closed>> {
        let r = self.rx(rx)?;
        Some(if self.is_closed() {
            Err(Closed)
        } else {
            Ok(r.seen != self.version())
        })
    }

    /// `Receiver::mark_changed`: makes the current version unseen by `rx` (tokio steps its seen
    /// version one back), so the next `changed()` completes at once. A pending future of `rx`
    /// is dropped first. Returns whether `rx` is alive.
    pub fn mark_changed(&mut self, rx: ReceiverId) -> bool {
        self.rx_mut(rx)
            .map(|r| {
                r.pending = None;
                r.seen = r.seen.wrapping_sub(1);
            })
            .is_some()
    }

    /// `Receiver::mark_unchanged`: marks the current version seen without reading it. A
    /// pending future of `rx` is dropped first. Returns whether `rx` is alive.
    pub fn mark_unchanged(&mut self, rx: ReceiverId) -> bool {
        let version = self.version();
        self.rx_mut(rx)
            .map(|r| {
                r.pending = None;
                r.seen = version;
            })
            .is_some()
    }

    /// Polls `rx`'s `changed()` future (creating it if none is pending; a pending `wait_for`
    /// is dropped first): `Ready(Ok(()))` and marks seen if the version is unseen, else
    /// `Ready(Err(Closed))` if every sender is gone, else `Pending` until a notifying send or
    /// the last sender's drop wakes it. `None` if `rx` is not alive.
    ///
    /// guide: watch, borrow() vs changed() "`changed().await` - Waits until the value
    /// changes" - exactly: until the next notifying *send*, equal value or not (E10); and after
    /// the last sender's drop it first reports a value `rx` has not seen, then `Err`.
    pub fn poll_changed(&mut self, rx: ReceiverId) -> Option<Poll<Result<(), Closed>>> {
        let (version, closed) = (self.version(), self.is_closed());
        let r = self.rx_mut(rx)?;
        if r.seen != version {
            r.seen = version;
            r.pending = None;
            return Some(Poll::Ready(Ok(())));
        }
        if closed {
            r.pending = None;
            return Some(Poll::Ready(Err(Closed)));
        }
        r.pending = Some(Pending {
            wait: Wait::Changed,
            woken: false,
        });
        Some(Poll::Pending)
    }
}

/// `wait_for` compares values: the one part of the model that needs `T: PartialEq` (the loom
/// backend, whose `wait_for` takes a predicate, does not use it).
impl<T: Clone + PartialEq> Watch<T> {
    /// Polls `rx`'s `wait_for(|v| *v == target)` future (creating it with `target` if no
    /// `wait_for` is pending; a pending `changed()` is dropped first; a pending `wait_for` keeps
    /// its own target). `None` if `rx` is not alive.
    ///
    /// Its first poll looks at the current value whatever `rx` has seen (and marks it seen):
    /// if it matches, `Ready(Ok)` with `has_changed` telling whether it was unseen, even on a
    /// closed channel. Later polls look only at new versions, and a match found after waiting
    /// is returned with `has_changed == false` (tokio marks the version seen before it builds
    /// the `Ref`). No match and every sender gone: `Ready(Err(Closed))`; otherwise `Pending`.
    ///
    /// guide: Graceful Shutdown with Channels - a worker must stop even if it starts after the
    /// signal (E04); waiting for a *state* with `wait_for` gives that.
    pub fn poll_wait_for(
        &mut self,
        rx: ReceiverId,
        target: T,
    ) -> Option<Poll<Result<Borrowed<T>, Closed>>> {
        let (value, version, closed) = (self.value.clone(), self.version(), self.is_closed());
        let r = self.rx_mut(rx)?;
        let (target, first_poll) = match r.pending.take() {
            Some(Pending {
                wait: Wait::WaitFor(original),
                ..
            }) => (original, false),
            _ => (target, true),
        };
        let unseen = r.seen != version;
        r.seen = version;
        if (first_poll || unseen) && value == target {
            return Some(Poll::Ready(Ok(Borrowed {
                value,
                has_changed: first_poll && unseen,
            })));
        }
        if closed {
            return Some(Poll::Ready(Err(Closed)));
        }
        r.pending = Some(Pending {
            wait: Wait::WaitFor(target),
            woken: false,
        });
        Some(Poll::Pending)
    }
}

impl<T: Clone> Watch<T> {
    /// Whether `rx`'s pending future was woken since it last returned `Pending`; `None` if
    /// `rx` has none (or is not alive).
    ///
    /// guide: watch, borrow() vs changed() - the receiver task is woken by every notifying
    /// send (not by `send_if_modified` returning `false`) and by the last sender's drop.
    pub fn woken(&self, rx: ReceiverId) -> Option<bool> {
        self.rx(rx)?.pending.as_ref().map(|p| p.woken)
    }

    /// Drops `rx`'s pending future, if any (as `select!` drops a losing branch); returns
    /// whether one was pending. Cancel safe: the seen version does not move.
    pub fn cancel(&mut self, rx: ReceiverId) -> bool {
        self.rx_mut(rx).and_then(|r| r.pending.take()).is_some()
    }

    /// `Sender::receiver_count`: receivers alive.
    ///
    /// guide: watch, Multiple Receivers.
    pub fn receiver_count(&self) -> usize {
        self.receivers.count()
    }

    /// `Sender::sender_count`: senders alive.
    ///
    /// guide: Quick Reference "Multiple senders: watch ❌" (E11): it can be more than one.
    pub fn sender_count(&self) -> usize {
        self.senders.count()
    }

    /// `Receiver::is_closed`: every sender is gone (for good).
    ///
    /// guide: watch, borrow() vs changed() "`// Sender dropped`".
    pub fn is_closed(&self) -> bool {
        self.sender_count() == 0
    }

    /// `Sender::is_closed`: no receiver is alive right now, so `send` would fail. Not final:
    /// `subscribe` reopens it.
    ///
    /// guide: Graceful Shutdown with Channels - the state E03's `unwrap` runs into.
    pub fn sender_is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}
