//! One test per cell of the guide's "Quick Reference" table
//! (guide/tokio-channels.md, "Summary & Decision Guide"), named `<row>_<channel>`.
//! Cells that are wrong or misleading are named `<row>_<channel>_erratum_<id>`.

use std::marker::PhantomData;

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_test::task;
use tokio_test::{
    assert_err, assert_ok, assert_pending, assert_ready, assert_ready_eq, assert_ready_ok,
};

/// Compile-time `Clone` detection that works on concrete types without failing to
/// compile: the inherent method applies only when `T: Clone`, otherwise method
/// resolution falls back to the trait's default method.
struct CloneProbe<T>(PhantomData<T>);

trait NotClone {
    fn is_clone(&self) -> bool {
        false
    }
}

impl<T> NotClone for CloneProbe<T> {}

impl<T: Clone> CloneProbe<T> {
    fn is_clone(&self) -> bool {
        true
    }
}

macro_rules! is_clone {
    ($t:ty) => {
        CloneProbe::<$t>(PhantomData).is_clone()
    };
}

macro_rules! bcast_recv {
    ($rx:expr, $expected:expr) => {
        match $rx.try_recv() {
            Ok(v) => assert_eq!(v, $expected),
            Err(e) => panic!("expected {:?}, got {:?}", $expected, e),
        }
    };
}

macro_rules! bcast_err {
    ($rx:expr, $err:pat) => {
        match $rx.try_recv() {
            Err($err) => {}
            other => panic!("expected {}, got {:?}", stringify!($err), other),
        }
    };
}

// ---------------------------------------------------------------------------
// Row 1: Send multiple messages | ✅ | ❌ | ✅ | ✅
// ---------------------------------------------------------------------------

/// Table: "Send multiple messages | mpsc ✅" — one sender delivers many messages in order.
#[test]
fn send_multiple_messages_mpsc() {
    let (tx, mut rx) = mpsc::channel::<u32>(8);
    for i in 0..5 {
        assert_ready_eq!(task::spawn(tx.send(i)).poll(), Ok(()));
    }
    for i in 0..5 {
        assert_ready_eq!(task::spawn(rx.recv()).poll(), Some(i));
    }
}

/// Table: "Send multiple messages | oneshot ❌" — `send` takes `self`, so a sender sends at most once.
#[test]
fn send_multiple_messages_oneshot() {
    // Compile-time: `send` consumes the sender (a second `tx.send` would be a use-after-move).
    let send: fn(oneshot::Sender<i32>, i32) -> Result<(), i32> = oneshot::Sender::<i32>::send;
    assert!(!is_clone!(oneshot::Sender<i32>));

    let (tx, mut rx) = oneshot::channel::<i32>();
    assert_ok!(send(tx, 1));
    assert_ready_eq!(task::spawn(&mut rx).poll(), Ok(1));
    // At runtime the receiver is finished after one value: nothing more can ever arrive.
    assert!(rx.is_terminated());
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
}

/// Table: "Send multiple messages | broadcast ✅" — many sends, each delivered to the receiver.
#[test]
fn send_multiple_messages_broadcast() {
    let (tx, mut rx) = broadcast::channel::<u32>(8);
    for i in 0..5 {
        assert_eq!(assert_ok!(tx.send(i)), 1);
    }
    for i in 0..5 {
        bcast_recv!(rx, i);
    }
    bcast_err!(rx, broadcast::error::TryRecvError::Empty);
}

/// Table: "Send multiple messages | watch ✅" — repeated sends succeed; a receiver that keeps up sees each.
#[test]
fn send_multiple_messages_watch() {
    let (tx, mut rx) = watch::channel(0u32);
    for i in 1..=5 {
        let mut changed = task::spawn(rx.changed());
        assert_pending!(changed.poll());
        assert_ok!(tx.send(i));
        assert!(changed.is_woken());
        assert_ready_ok!(changed.poll());
        drop(changed);
        assert_eq!(*rx.borrow_and_update(), i);
    }
}

// ---------------------------------------------------------------------------
// Row 2: Multiple senders | ✅ | ❌ | ✅ | ❌
// ---------------------------------------------------------------------------

/// Table: "Multiple senders | mpsc ✅" — `Sender` is Clone and every clone feeds the one receiver.
#[test]
fn multiple_senders_mpsc() {
    assert!(is_clone!(mpsc::Sender<i32>));
    assert!(is_clone!(mpsc::UnboundedSender<i32>));

    let (tx1, mut rx) = mpsc::channel::<&str>(4);
    let tx2 = tx1.clone();
    assert_ok!(tx1.try_send("from tx1"));
    assert_ok!(tx2.try_send("from tx2"));
    drop((tx1, tx2));
    assert_ready_eq!(task::spawn(rx.recv()).poll(), Some("from tx1"));
    assert_ready_eq!(task::spawn(rx.recv()).poll(), Some("from tx2"));
    assert_ready_eq!(task::spawn(rx.recv()).poll(), None);
}

/// Table: "Multiple senders | oneshot ❌" — `oneshot::Sender` is not Clone and `channel()` yields exactly one.
#[test]
fn multiple_senders_oneshot() {
    assert!(!is_clone!(oneshot::Sender<i32>));

    // The only way to get a sender is `channel()`, which returns one sender and one receiver.
    let (tx, rx): (oneshot::Sender<i32>, oneshot::Receiver<i32>) = oneshot::channel();
    // Dropping that single sender closes the channel: there is no other sender to keep it open.
    drop(tx);
    assert!(assert_ready!(task::spawn(rx).poll()).is_err());
}

/// Table: "Multiple senders | broadcast ✅" — `Sender` is Clone and both clones reach every receiver.
#[test]
fn multiple_senders_broadcast() {
    assert!(is_clone!(broadcast::Sender<i32>));

    let (tx1, mut rx) = broadcast::channel::<&str>(4);
    let tx2 = tx1.clone();
    assert!(tx1.same_channel(&tx2));
    assert_ok!(tx1.send("from tx1"));
    assert_ok!(tx2.send("from tx2"));
    bcast_recv!(rx, "from tx1");
    bcast_recv!(rx, "from tx2");
}

/// Erratum E11. Table: "Multiple senders | watch ❌". Wrong: `watch::Sender` is Clone (the
/// guide's own proxy does `activity_tx.clone()`), every clone can send, and the channel
/// closes only when the last clone is dropped.
#[test]
fn multiple_senders_watch_erratum_e11() {
    assert!(is_clone!(watch::Sender<i32>));

    let (activity_tx, mut rx) = watch::channel(0);
    let activity_tx2 = activity_tx.clone();
    assert_ok!(activity_tx.send(1));
    assert_eq!(*rx.borrow_and_update(), 1);
    assert_ok!(activity_tx2.send(2));
    assert_eq!(*rx.borrow_and_update(), 2);

    drop(activity_tx);
    assert!(!rx.is_closed());
    drop(activity_tx2);
    assert!(rx.is_closed());
}

// ---------------------------------------------------------------------------
// Row 3: Multiple receivers | ❌ | ❌ | ✅ | ✅
// ---------------------------------------------------------------------------

/// Table: "Multiple receivers | mpsc ❌" — `mpsc::Receiver` is not Clone; all messages go to the single receiver.
#[test]
fn multiple_receivers_mpsc() {
    assert!(!is_clone!(mpsc::Receiver<i32>));
    assert!(!is_clone!(mpsc::UnboundedReceiver<i32>));

    let (tx, mut rx) = mpsc::channel::<i32>(4);
    // Even with several senders alive, there is exactly one receiver to observe.
    let _tx2 = tx.clone();
    assert_eq!(tx.strong_count(), 2);
    assert_ok!(tx.try_send(1));
    assert_eq!(rx.len(), 1);
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.is_empty());
}

/// Table: "Multiple receivers | oneshot ❌" — `oneshot::Receiver` is not Clone; one receiver per channel.
#[test]
fn multiple_receivers_oneshot() {
    assert!(!is_clone!(oneshot::Receiver<i32>));

    let (tx, rx) = oneshot::channel::<i32>();
    // Dropping the only receiver closes the channel for the sender.
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
}

/// Table: "Multiple receivers | broadcast ✅" — `subscribe`/`resubscribe` create more receivers.
#[test]
fn multiple_receivers_broadcast() {
    // Not via Clone: `broadcast::Receiver` has its own read position.
    assert!(!is_clone!(broadcast::Receiver<i32>));

    let (tx, mut rx1) = broadcast::channel::<i32>(4);
    let mut rx2 = tx.subscribe();
    let mut rx3 = rx2.resubscribe();
    assert_eq!(tx.receiver_count(), 3);
    assert_eq!(assert_ok!(tx.send(9)), 3);
    bcast_recv!(rx1, 9);
    bcast_recv!(rx2, 9);
    bcast_recv!(rx3, 9);
}

/// Table: "Multiple receivers | watch ✅" — `watch::Receiver` is Clone and `subscribe` adds more.
#[test]
fn multiple_receivers_watch() {
    assert!(is_clone!(watch::Receiver<i32>));

    let (tx, rx1) = watch::channel(0);
    let rx2 = rx1.clone();
    let rx3 = tx.subscribe();
    assert_eq!(tx.receiver_count(), 3);
    assert_ok!(tx.send(42));
    for rx in [&rx1, &rx2, &rx3] {
        assert_eq!(*rx.borrow(), 42);
    }
}

// ---------------------------------------------------------------------------
// Row 4: Receivers share messages | N/A | N/A | No (all get all) | N/A
// ---------------------------------------------------------------------------

/// Table: "Receivers share messages | mpsc N/A" — there is only one receiver (not Clone), which gets every message.
#[test]
fn receivers_share_messages_mpsc() {
    assert!(!is_clone!(mpsc::Receiver<u8>));

    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let senders = [tx.clone(), tx.clone(), tx];
    for (i, s) in senders.iter().enumerate() {
        assert_ok!(s.send(i as u8));
    }
    drop(senders);
    let mut got = Vec::new();
    while let Some(v) = assert_ready!(task::spawn(rx.recv()).poll()) {
        got.push(v);
    }
    // Nothing to share with: the single receiver gets all of them.
    assert_eq!(got, [0, 1, 2]);
}

/// Table: "Receivers share messages | oneshot N/A" — one receiver (not Clone) takes the one value.
#[test]
fn receivers_share_messages_oneshot() {
    assert!(!is_clone!(oneshot::Receiver<u8>));

    let (tx, mut rx) = oneshot::channel::<u8>();
    assert_ok!(tx.send(5));
    assert_eq!(rx.try_recv(), Ok(5));
    // Taken: the value is gone from the channel, there is no one else to hand it to.
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
}

/// Erratum E05. Table: "Receivers share messages | broadcast No (all get all)" and prose "every
/// subscriber gets every message". "No" is right (each receiver gets its own clone), but "all get
/// all" is wrong: a receiver gets only messages sent after it subscribed, minus those it lagged past.
#[test]
fn receivers_share_messages_broadcast_erratum_e05() {
    let (tx, mut early) = broadcast::channel::<u32>(2);
    assert_ok!(tx.send(0));

    // Subscribed after message 0: never sees it.
    let mut late = tx.subscribe();
    assert_ok!(tx.send(1));
    bcast_recv!(early, 0);
    bcast_recv!(early, 1);
    bcast_recv!(late, 1);
    bcast_err!(late, broadcast::error::TryRecvError::Empty);

    // Not shared: both got message 1. But `early` keeps up and `late` does not.
    for i in 2..6 {
        assert_ok!(tx.send(i));
        bcast_recv!(early, i);
    }
    bcast_err!(late, broadcast::error::TryRecvError::Lagged(2));
    bcast_recv!(late, 4);
    bcast_recv!(late, 5);
    // `early` got 0..6 (6 messages); `late` got 1, 4, 5.
}

/// Erratum E19. Table: "Receivers share messages | watch N/A". Misleading: watch has multiple
/// receivers (row 3 says ✅), so the question applies, and the answer is "No": each receiver
/// tracks what it has seen on its own, and one receiver reading a value does not consume it.
#[test]
fn receivers_share_messages_watch_erratum_e19() {
    let (tx, mut rx1) = watch::channel(0);
    let mut rx2 = rx1.clone();
    assert_ok!(tx.send(1));

    assert_ready_ok!(task::spawn(rx1.changed()).poll());
    assert_eq!(*rx1.borrow_and_update(), 1);
    assert!(!assert_ok!(rx1.has_changed()));
    // rx1 seeing the value did not take it away from rx2.
    assert!(assert_ok!(rx2.has_changed()));
    assert_ready_ok!(task::spawn(rx2.changed()).poll());
    assert_eq!(*rx2.borrow_and_update(), 1);
}

// ---------------------------------------------------------------------------
// Row 5: Stores all messages | ✅ | N/A | ✅ (bounded) | ❌ (latest only)
// ---------------------------------------------------------------------------

/// Table: "Stores all messages | mpsc ✅" — accepted messages are queued, never overwritten; a full bounded channel refuses instead.
#[test]
fn stores_all_messages_mpsc() {
    let (tx, mut rx) = mpsc::channel::<u32>(3);
    for i in 0..3 {
        assert_ok!(tx.try_send(i));
    }
    // Full: the new message is handed back, the stored ones are untouched.
    match tx.try_send(3) {
        Err(mpsc::error::TrySendError::Full(v)) => assert_eq!(v, 3),
        other => panic!("expected Full(3), got {other:?}"),
    }
    for i in 0..3 {
        assert_eq!(rx.try_recv(), Ok(i));
    }

    let (utx, mut urx) = mpsc::unbounded_channel::<u32>();
    for i in 0..5_000 {
        assert_ok!(utx.send(i));
    }
    assert_eq!(urx.len(), 5_000);
    for i in 0..5_000 {
        assert_eq!(urx.try_recv(), Ok(i));
    }
}

/// Table: "Stores all messages | oneshot N/A" — it stores its single value until received, even after the sender is gone.
#[test]
fn stores_all_messages_oneshot() {
    let (tx, rx) = oneshot::channel::<String>();
    assert_ok!(tx.send("kept".to_string()));
    // `tx` was consumed by `send`; the value lives in the channel until received.
    assert!(!rx.is_empty());
    assert!(!rx.is_terminated());
    assert_ready_eq!(task::spawn(rx).poll(), Ok("kept".to_string()));
}

/// Erratum E12. Table: "Stores all messages | broadcast ✅ (bounded)". Wrong: it keeps only the
/// last `capacity` messages, with capacity rounded up to a power of two (channel(3) keeps 4),
/// and a send on a full buffer overwrites the oldest instead of waiting.
#[test]
fn stores_all_messages_broadcast_erratum_e12() {
    let (tx, mut rx) = broadcast::channel::<u32>(3);
    for i in 0..6 {
        // Never refuses, never waits: always Ok.
        assert_eq!(assert_ok!(tx.send(i)), 1);
    }
    // Only 4 retained (3 rounded up to 4), not 6 and not 3.
    assert_eq!(tx.len(), 4);
    // The receiver's `len` counts all 6 it has not seen, including the 2 already overwritten.
    assert_eq!(rx.len(), 6);
    bcast_err!(rx, broadcast::error::TryRecvError::Lagged(2));
    assert_eq!(rx.len(), 4);
    for i in 2..6 {
        bcast_recv!(rx, i);
    }
    bcast_err!(rx, broadcast::error::TryRecvError::Empty);
}

/// Table: "Stores all messages | watch ❌ (latest only)" — three sends leave only the last value.
#[test]
fn stores_all_messages_watch() {
    let (tx, mut rx) = watch::channel(0);
    for i in 1..=3 {
        assert_ok!(tx.send(i));
    }
    assert_ready_ok!(task::spawn(rx.changed()).poll());
    assert_eq!(*rx.borrow_and_update(), 3);
    // 1 and 2 were never stored anywhere a receiver could reach.
    assert_pending!(task::spawn(rx.changed()).poll());
}

// ---------------------------------------------------------------------------
// Row 6: Backpressure | ✅ (bounded) | N/A | ❌ (lagging) | ❌
// ---------------------------------------------------------------------------

/// Table: "Backpressure | mpsc ✅ (bounded)" — bounded send waits when full; unbounded never waits.
#[test]
fn backpressure_mpsc() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    assert_ready_eq!(task::spawn(tx.send(0)).poll(), Ok(()));
    let mut send = task::spawn(tx.send(1));
    assert_pending!(send.poll());
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(send.is_woken());
    assert_ready_eq!(send.poll(), Ok(()));

    // The "(bounded)" qualifier: unbounded has no backpressure at all.
    let (utx, urx) = mpsc::unbounded_channel::<u32>();
    for i in 0..10_000 {
        assert_ok!(utx.send(i));
    }
    assert_eq!(urx.len(), 10_000);
}

/// Table: "Backpressure | oneshot N/A" — `send` is synchronous and succeeds before the receiver is ever polled.
#[test]
fn backpressure_oneshot() {
    let send: fn(oneshot::Sender<u8>, u8) -> Result<(), u8> = oneshot::Sender::<u8>::send;
    let (tx, rx) = oneshot::channel::<u8>();
    // Nothing to wait for: a single slot that is always free for the single send.
    assert_ok!(send(tx, 1));
    assert_ready_eq!(task::spawn(rx).poll(), Ok(1));
}

/// Table: "Backpressure | broadcast ❌ (lagging)" — `send` is synchronous; a slow receiver lags instead of slowing the sender.
#[test]
fn backpressure_broadcast() {
    let send: fn(&broadcast::Sender<u32>, u32) -> Result<usize, broadcast::error::SendError<u32>> =
        broadcast::Sender::<u32>::send;
    let (tx, mut rx) = broadcast::channel::<u32>(2);
    for i in 0..100 {
        assert_ok!(send(&tx, i));
    }
    bcast_err!(rx, broadcast::error::TryRecvError::Lagged(98));
    bcast_recv!(rx, 98);
    bcast_recv!(rx, 99);
}

/// Table: "Backpressure | watch ❌" — `send` is synchronous and never waits for receivers; it just overwrites.
#[test]
fn backpressure_watch() {
    let send: fn(&watch::Sender<u32>, u32) -> Result<(), watch::error::SendError<u32>> =
        watch::Sender::<u32>::send;
    let (tx, mut rx) = watch::channel(0u32);
    for i in 1..=10_000 {
        assert_ok!(send(&tx, i));
    }
    assert!(assert_ok!(rx.has_changed()));
    assert_eq!(*rx.borrow_and_update(), 10_000);
    // The only thing that makes watch's send fail is having no receiver at all.
    drop(rx);
    assert_err!(send(&tx, 0));
}
