//! Hand-polled checks of the guide's claims about `tokio::sync::watch`
//! (guide/tokio-channels.md, "watch - Single Value Observable").

use tokio::sync::watch;
use tokio_test::task;
use tokio_test::{assert_err, assert_ok, assert_pending, assert_ready_err, assert_ready_ok};

/// Guide: "`borrow()` - Returns current value immediately, never waits".
#[test]
fn borrow_returns_current_value_immediately() {
    let (tx, rx) = watch::channel("initial");
    assert_eq!(*rx.borrow(), "initial");

    assert_ok!(tx.send("updated"));
    // No polling, no await: the new value is visible at once.
    assert_eq!(*rx.borrow(), "updated");

    // Still readable after every sender is gone.
    drop(tx);
    assert_eq!(*rx.borrow(), "updated");
}

/// Guide: "`changed().await` - Waits until the value changes" — pending until a send, which wakes it.
#[test]
fn changed_is_pending_until_send_and_woken_by_it() {
    let (tx, mut rx) = watch::channel(0);
    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());
    assert_pending!(changed.poll());
    assert!(!changed.is_woken());

    assert_ok!(tx.send(1));
    assert!(changed.is_woken());
    assert_ready_ok!(changed.poll());
    drop(changed);
    assert_eq!(*rx.borrow(), 1);

    // changed() marked 1 as seen: the next call waits again.
    assert_pending!(task::spawn(rx.changed()).poll());
}

/// Guide: "Waits until the value changes" — wrong: it waits for a *send*; sending the same value completes it.
#[test]
fn changed_completes_on_send_of_same_value() {
    let (tx, mut rx) = watch::channel(7);
    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());

    assert_ok!(tx.send(7));
    assert!(changed.is_woken());
    assert_ready_ok!(changed.poll());
    drop(changed);
    assert_eq!(*rx.borrow(), 7);
}

/// Guide: "Waits until the value changes" — only a notifying send wakes it; `send_if_modified` returning false does not.
#[test]
fn send_if_modified_false_does_not_wake_changed() {
    let (tx, mut rx) = watch::channel(0);
    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());

    assert!(!tx.send_if_modified(|_| false));
    assert!(!changed.is_woken());
    assert_pending!(changed.poll());

    // Even an in-place mutation is not announced if the closure returns false...
    assert!(!tx.send_if_modified(|v| {
        *v = 5;
        false
    }));
    assert!(!changed.is_woken());
    assert_pending!(changed.poll());
    drop(changed);
    // ...although borrow() already shows it.
    assert_eq!(*rx.borrow(), 5);
    assert!(!assert_ok!(rx.has_changed()));

    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());
    assert!(tx.send_if_modified(|v| {
        *v = 6;
        true
    }));
    assert!(changed.is_woken());
    assert_ready_ok!(changed.poll());
}

/// Guide (table): "Multiple senders ... watch ❌" — wrong: watch::Sender is Clone and clones can both send (E11).
#[test]
fn sender_is_clone_and_both_clones_send() {
    let (tx1, mut rx) = watch::channel(0);
    // The guide's own proxy does this: `let activity_tx2 = activity_tx.clone();`
    let tx2 = tx1.clone();
    assert!(tx1.same_channel(&tx2));

    assert_ok!(tx1.send(1));
    assert_eq!(*rx.borrow_and_update(), 1);
    assert_ok!(tx2.send(2));
    assert!(assert_ok!(rx.has_changed()));
    assert_eq!(*rx.borrow_and_update(), 2);

    // The channel stays open until the last clone is dropped.
    drop(tx1);
    assert!(!rx.is_closed());
    assert_ok!(tx2.send(3));
    let mut changed = task::spawn(rx.changed());
    assert_ready_ok!(changed.poll());
    drop(changed);
    drop(tx2);
    assert!(rx.is_closed());
}

/// Guide: "self.state_tx.send(AppState::ShuttingDown).unwrap()" — send errors with no receivers; send_replace always succeeds.
#[test]
fn send_errors_without_receivers_but_send_replace_succeeds() {
    // As in the guide's `App`: the channel's receiver is discarded, and the workers'
    // `state_rx` (never used inside the spawned task) is dropped too.
    let (state_tx, _) = watch::channel("Running");
    let state_rx = state_tx.subscribe();
    drop(state_rx);
    assert_eq!(state_tx.receiver_count(), 0);

    let err = assert_err!(state_tx.send("ShuttingDown"));
    assert_eq!(err.0, "ShuttingDown");
    // The failed send did not store the value.
    assert_eq!(*state_tx.borrow(), "Running");

    // send_replace stores it regardless and returns the previous value.
    assert_eq!(state_tx.send_replace("Stopped"), "Running");
    assert_eq!(*state_tx.borrow(), "Stopped");
    // A later subscriber sees it (as already seen).
    let mut rx = state_tx.subscribe();
    assert_eq!(*rx.borrow(), "Stopped");
    assert!(!assert_ok!(rx.has_changed()));
    assert_pending!(task::spawn(rx.changed()).poll());
}

/// Guide: "if rx.changed().await.is_err() { break; // Sender dropped }" — Err only once the last value was seen.
#[test]
fn changed_after_sender_drop_yields_unseen_value_first() {
    let (tx, mut rx) = watch::channel(0);
    assert_ok!(tx.send(3));
    drop(tx);

    // Surprise: has_changed() already reports Err although 3 was never seen...
    assert!(rx.has_changed().is_err());
    // ...but changed() first reports the unseen value,
    assert_ready_ok!(task::spawn(rx.changed()).poll());
    assert_eq!(*rx.borrow(), 3);
    // and only then the closed channel.
    assert_ready_err!(task::spawn(rx.changed()).poll());
    assert_ready_err!(task::spawn(rx.changed()).poll());
}

/// Guide: "break; // Sender dropped" — with the value already seen, changed() is woken with Err by the drop.
#[test]
fn pending_changed_is_woken_with_err_when_sender_dropped() {
    let (tx, mut rx) = watch::channel(0);
    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());

    drop(tx);
    assert!(changed.is_woken());
    assert_ready_err!(changed.poll());
}

/// Guide: "Read the new value: let value = *rx.borrow()" — borrow() does not mark seen; borrow_and_update() does.
#[test]
fn borrow_does_not_mark_seen_but_borrow_and_update_does() {
    let (tx, mut rx) = watch::channel(0);
    assert_ok!(tx.send(1));

    {
        let r = rx.borrow();
        assert_eq!(*r, 1);
        assert!(r.has_changed());
    }
    assert!(assert_ok!(rx.has_changed()));
    // Because borrow() did not mark 1 seen, changed() returns immediately.
    assert_ready_ok!(task::spawn(rx.changed()).poll());

    assert_ok!(tx.send(2));
    {
        let r = rx.borrow_and_update();
        assert_eq!(*r, 2);
        assert!(r.has_changed());
    }
    assert!(!assert_ok!(rx.has_changed()));
    assert_pending!(task::spawn(rx.changed()).poll());
}

/// Guide: "Receivers don't see every update—they see the current state" — three sends, one wake-up, latest value.
#[test]
fn receiver_sees_only_latest_of_many_sends() {
    let (tx, mut rx) = watch::channel(0);
    let mut changed = task::spawn(rx.changed());
    assert_pending!(changed.poll());
    for i in 1..=3 {
        assert_ok!(tx.send(i));
    }
    assert!(changed.is_woken());
    assert_ready_ok!(changed.poll());
    drop(changed);
    assert_eq!(*rx.borrow_and_update(), 3);
    // The intermediate values 1 and 2 are gone: nothing more to observe.
    assert_pending!(task::spawn(rx.changed()).poll());
}

/// Guide: "Clone receiver for multiple observers ... Both see the new value" — each receiver tracks "seen" on its own.
#[test]
fn cloned_receivers_see_same_value_independently() {
    let (tx, mut rx1) = watch::channel(0);
    let mut rx2 = rx1.clone();
    assert_ok!(tx.send(42));

    assert_eq!(*rx1.borrow_and_update(), 42);
    // rx1 marking the value seen does not consume it for rx2.
    assert!(!assert_ok!(rx1.has_changed()));
    assert!(assert_ok!(rx2.has_changed()));
    assert_ready_ok!(task::spawn(rx2.changed()).poll());
    assert_eq!(*rx2.borrow(), 42);
}

/// E26: the guide's `changed()` loop, `changed().await` then `*rx.borrow()`: a send between the
/// two is read by `borrow()` but not marked seen, so the next `changed()` completes at once and
/// the loop reads, and prints, the same value again. The corrected loop reads with
/// `borrow_and_update()`, which marks what it reads as seen: the next `changed()` waits.
#[test]
fn e26_changed_then_borrow_sees_a_value_twice_borrow_and_update_once() {
    for (read, printed) in [("borrow", vec![2, 2]), ("borrow_and_update", vec![2])] {
        let (tx, mut rx) = watch::channel(0);
        let mut seen = Vec::new();
        assert_ok!(tx.send(1));
        assert_ready_ok!(task::spawn(rx.changed()).poll());
        // Sent after changed() returned, before the loop reads.
        assert_ok!(tx.send(2));
        let value = if read == "borrow" {
            *rx.borrow()
        } else {
            *rx.borrow_and_update()
        };
        seen.push(value);
        // The loop's next turn: changed() again, then the read.
        let mut next = task::spawn(rx.changed());
        if next.poll().is_ready() {
            drop(next);
            seen.push(*rx.borrow());
        }
        assert_eq!(seen, printed, "with {read}()");
    }
}

/// E25: `borrow()` does not wait for a value, but the guard it returns holds the channel's read
/// lock, and `send` takes the write lock: while a borrow is held, a send on another thread
/// cannot complete; once it is dropped, it does. (The first wait is an observation window, not
/// a synchronisation: a send that did not block would be done in microseconds.)
#[test]
fn e25_a_held_borrow_makes_send_wait() {
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::Duration;
    let (tx, rx) = watch::channel(0);
    let held = rx.borrow();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        tx.send(1).unwrap();
        done_tx.send(()).unwrap();
    });
    assert_eq!(
        done_rx.recv_timeout(Duration::from_millis(300)),
        Err(RecvTimeoutError::Timeout),
        "the send completed while a borrow was held"
    );
    drop(held);
    done_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the send completes once the borrow is dropped");
    sender.join().unwrap();
    assert_eq!(*rx.borrow(), 1);
}
