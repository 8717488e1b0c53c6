//! Hand-polled checks of the guide's claims about `tokio::sync::broadcast`
//! (guide/tokio-channels.md, "broadcast - Multi-Producer, Multi-Consumer").

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio_test::task;
use tokio_test::{assert_ok, assert_pending, assert_ready_eq, assert_ready_err};

macro_rules! assert_recv {
    ($rx:expr, $expected:expr) => {
        match $rx.try_recv() {
            Ok(value) => assert_eq!(value, $expected),
            Err(e) => panic!("expected recv of {:?}; got = {:?}", $expected, e),
        }
    };
}

macro_rules! assert_empty {
    ($rx:expr) => {
        match $rx.try_recv() {
            Err(TryRecvError::Empty) => {}
            other => panic!("expected Empty; got = {:?}", other),
        }
    };
}

macro_rules! assert_lagged {
    ($rx:expr, $n:expr) => {
        match $rx.try_recv() {
            Err(TryRecvError::Lagged(n)) => assert_eq!(n, $n, "lag count"),
            other => panic!("expected Lagged({}); got = {:?}", $n, other),
        }
    };
}

macro_rules! assert_closed {
    ($rx:expr) => {
        match $rx.try_recv() {
            Err(TryRecvError::Closed) => {}
            other => panic!("expected Closed; got = {:?}", other),
        }
    };
}

/// Guide: "Send a message - both receivers will get it" (receivers subscribed before the send).
#[test]
fn every_receiver_subscribed_before_send_gets_it() {
    let (tx, mut rx1) = broadcast::channel::<String>(16);
    let mut rx2 = tx.subscribe();
    let mut rx3 = rx1.resubscribe();

    // send reports how many receivers the value was queued for.
    assert_eq!(assert_ok!(tx.send("Hello everyone!".to_string())), 3);

    assert_recv!(rx1, "Hello everyone!");
    assert_recv!(rx2, "Hello everyone!");
    assert_recv!(rx3, "Hello everyone!");
    assert_empty!(rx1);
    assert_empty!(rx2);
    assert_empty!(rx3);
}

/// Guide: "every subscriber gets every message" — false for a subscriber created after the send (E05).
#[test]
fn receiver_subscribed_after_send_does_not_get_it() {
    let (tx, mut early) = broadcast::channel::<i32>(16);
    assert_ok!(tx.send(1));

    let mut late = tx.subscribe();
    assert_empty!(late);
    // Still retained in the buffer for the early receiver, just not visible to the late one.
    assert_eq!(tx.len(), 1);

    assert_ok!(tx.send(2));
    assert_recv!(early, 1);
    assert_recv!(early, 2);
    assert_recv!(late, 2);
    assert_empty!(late);

    // `resubscribe` also starts at the tail, not at the other receiver's position.
    assert_ok!(tx.send(3));
    let mut resub = late.resubscribe();
    assert_recv!(late, 3);
    assert_empty!(resub);
}

/// Guide: "Missed 3 messages / Received: 3 / Received: 4" — exact Lagged(n), then the oldest retained message.
#[test]
fn lagging_receiver_gets_exact_lag_then_oldest_retained() {
    // The guide's example: channel(2), send 0..5.
    let (tx, mut rx) = broadcast::channel::<i32>(2);
    for i in 0..5 {
        assert_ok!(tx.send(i));
    }
    assert_lagged!(rx, 3);
    assert_recv!(rx, 3);
    assert_recv!(rx, 4);
    assert_empty!(rx);

    // The async `recv` reports the same thing.
    for i in 5..10 {
        assert_ok!(tx.send(i));
    }
    assert_eq!(
        assert_ready_err!(task::spawn(rx.recv()).poll()),
        RecvError::Lagged(3)
    );
    assert_ready_eq!(task::spawn(rx.recv()).poll(), Ok(8));
    assert_ready_eq!(task::spawn(rx.recv()).poll(), Ok(9));
}

/// Guide: "Create a broadcast channel with capacity 16" — capacity is rounded up to a power of two (channel(3) keeps 4).
#[test]
fn capacity_is_rounded_up_to_power_of_two() {
    let (tx, mut rx) = broadcast::channel::<i32>(3);
    for i in 0..6 {
        assert_ok!(tx.send(i));
    }
    // With a true capacity of 3 this would be Lagged(3) followed by 3, 4, 5.
    assert_lagged!(rx, 2);
    assert_recv!(rx, 2);
    assert_recv!(rx, 3);
    assert_recv!(rx, 4);
    assert_recv!(rx, 5);
    assert_empty!(rx);

    // Exactly 4 sends on channel(3) never lag.
    let (tx, mut rx) = broadcast::channel::<i32>(3);
    for i in 0..4 {
        assert_ok!(tx.send(i));
    }
    assert_eq!(tx.len(), 4);
    for i in 0..4 {
        assert_recv!(rx, i);
    }
}

/// Guide: "let (event_tx, _) = broadcast::channel" — send with no live receiver returns Err with the value.
#[test]
fn send_without_receivers_errors() {
    let (tx, rx) = broadcast::channel::<String>(4);
    drop(rx);
    assert_eq!(tx.receiver_count(), 0);
    let err = tx.send("lost".to_string()).unwrap_err();
    assert_eq!(err.0, "lost");

    // Nothing was stored: a new subscriber sees nothing, and the buffer is empty.
    let mut rx = tx.subscribe();
    assert_eq!(tx.len(), 0);
    assert_empty!(rx);
    assert_eq!(assert_ok!(tx.send("seen".to_string())), 1);
    assert_recv!(rx, "seen");
}

/// Guide: "Err(broadcast::error::RecvError::Closed) => break" — only after all senders drop AND the buffer is drained.
#[test]
fn closed_only_after_all_senders_dropped_and_buffer_drained() {
    let (tx, mut rx) = broadcast::channel::<i32>(8);
    let tx2 = tx.clone();
    assert_ok!(tx.send(1));
    assert_ok!(tx2.send(2));

    drop(tx);
    assert_recv!(rx, 1);
    assert_recv!(rx, 2);
    // tx2 still alive: empty, not closed.
    assert_empty!(rx);

    assert_ok!(tx2.send(3));
    drop(tx2);
    // All senders gone, but the buffered message comes first.
    assert_recv!(rx, 3);
    assert_closed!(rx);
    assert_eq!(
        assert_ready_err!(task::spawn(rx.recv()).poll()),
        RecvError::Closed
    );
}

/// Guide: "loop { match rx.recv().await { ... Closed => break } }" — while `tx` lives, the loop waits forever after 3 and 4.
#[test]
fn guide_lagging_loop_never_sees_closed_while_sender_alive() {
    let (tx, mut rx) = broadcast::channel::<i32>(2);
    for i in 0..5 {
        assert_ok!(tx.send(i));
    }
    let mut seen = Vec::new();
    let mut lagged = None;
    loop {
        let mut recv = task::spawn(rx.recv());
        match recv.poll() {
            std::task::Poll::Ready(Ok(v)) => seen.push(v),
            std::task::Poll::Ready(Err(RecvError::Lagged(n))) => lagged = Some(n),
            std::task::Poll::Ready(Err(RecvError::Closed)) => panic!("closed while tx alive"),
            // The guide's program would hang here: `tx` is still owned by `main`.
            std::task::Poll::Pending => break,
        }
    }
    assert_eq!(lagged, Some(3));
    assert_eq!(seen, [3, 4]);

    // Only dropping the sender lets the loop finish.
    let mut recv = task::spawn(rx.recv());
    assert_pending!(recv.poll());
    drop(tx);
    assert!(recv.is_woken());
    assert_eq!(assert_ready_err!(recv.poll()), RecvError::Closed);
}

/// Guide: "Logger subscriber ... while let Ok(event) = logger_rx.recv().await" — a pending recv is woken by send.
#[test]
fn pending_recv_is_woken_by_send() {
    let (tx, mut rx1) = broadcast::channel::<&str>(4);
    let mut rx2 = tx.subscribe();

    let mut recv1 = task::spawn(rx1.recv());
    let mut recv2 = task::spawn(rx2.recv());
    assert_pending!(recv1.poll());
    assert_pending!(recv2.poll());
    assert!(!recv1.is_woken());
    assert!(!recv2.is_woken());

    assert_eq!(assert_ok!(tx.send("event")), 2);
    assert!(recv1.is_woken());
    assert!(recv2.is_woken());
    assert_ready_eq!(recv1.poll(), Ok("event"));
    assert_ready_eq!(recv2.poll(), Ok("event"));
}

/// Guide: "You can tolerate lagging (missed messages)" — send never waits for a slow receiver; it overwrites.
#[test]
fn send_overwrites_instead_of_waiting() {
    // Compile-time: `Sender::send` is synchronous, so it cannot wait.
    let send: fn(&broadcast::Sender<u32>, u32) -> Result<usize, broadcast::error::SendError<u32>> =
        broadcast::Sender::<u32>::send;

    let (tx, mut rx) = broadcast::channel::<u32>(4);
    for i in 0..1_000 {
        assert_eq!(assert_ok!(send(&tx, i)), 1);
    }
    assert_eq!(tx.len(), 4);
    assert_lagged!(rx, 996);
    for i in 996..1_000 {
        assert_recv!(rx, i);
    }
    assert_empty!(rx);
}
