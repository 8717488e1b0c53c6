//! Hand-polled checks of the guide's claims about `tokio::sync::mpsc`
//! (guide/tokio-channels.md, "mpsc - Multi-Producer, Single-Consumer").

use tokio::sync::mpsc;
use tokio::sync::mpsc::error::{SendError, TryRecvError, TrySendError};
use tokio_test::task;
use tokio_test::{assert_ok, assert_pending, assert_ready, assert_ready_eq, assert_ready_err};

/// Polls one fresh `recv()` future and asserts it is ready with `$expected`.
macro_rules! assert_recv_now {
    ($rx:expr, $expected:expr) => {{
        let mut recv = task::spawn($rx.recv());
        assert_ready_eq!(recv.poll(), $expected);
    }};
}

/// Polls one fresh `recv()` future and asserts it is pending.
macro_rules! assert_recv_pending {
    ($rx:expr) => {{
        let mut recv = task::spawn($rx.recv());
        assert_pending!(recv.poll());
    }};
}

/// Guide: "when the buffer is full, `send().await` waits until space is available".
#[test]
fn bounded_send_waits_when_full_and_is_woken_by_recv() {
    let (tx, mut rx) = mpsc::channel::<i32>(2);

    assert_ready_eq!(task::spawn(tx.send(0)).poll(), Ok(()));
    assert_ready_eq!(task::spawn(tx.send(1)).poll(), Ok(()));
    assert_eq!(tx.capacity(), 0);

    let mut send = task::spawn(tx.send(2));
    assert_pending!(send.poll());
    assert!(!send.is_woken());
    // Still pending on a second poll: nothing made room.
    assert_pending!(send.poll());

    assert_recv_now!(rx, Some(0));
    assert!(send.is_woken(), "recv must wake the waiting sender");
    assert_ready_eq!(send.poll(), Ok(()));
    drop(send);

    assert_recv_now!(rx, Some(1));
    assert_recv_now!(rx, Some(2));
    assert_recv_pending!(rx);
}

/// Guide: "Bounded: fixed capacity" — the capacity is exact, not rounded like broadcast's.
#[test]
fn bounded_capacity_is_exact() {
    let (tx, _rx) = mpsc::channel::<i32>(3);
    for i in 0..3 {
        assert_ok!(tx.try_send(i));
    }
    match tx.try_send(3) {
        Err(TrySendError::Full(v)) => assert_eq!(v, 3),
        other => panic!("expected Full(3), got {other:?}"),
    }
    assert_eq!(tx.max_capacity(), 3);
}

/// Guide: "Unbounded: grows indefinitely, send() never blocks" — send is a plain synchronous fn.
#[test]
fn unbounded_send_never_waits() {
    // Compile-time: `UnboundedSender::send` is not async; it returns a Result, not a future.
    let send: fn(&mpsc::UnboundedSender<i32>, i32) -> Result<(), SendError<i32>> =
        mpsc::UnboundedSender::<i32>::send;

    let (tx, mut rx) = mpsc::unbounded_channel::<i32>();
    for i in 0..10_000 {
        assert_ok!(send(&tx, i));
    }
    // The receiver was never polled, yet every message is buffered.
    assert_eq!(rx.len(), 10_000);
    for i in 0..10_000 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

/// Guide: "tx is dropped here, closing the channel" — None only after every sender clone is dropped.
#[test]
fn recv_none_only_after_all_senders_dropped_and_buffer_drained() {
    let (tx, mut rx) = mpsc::channel::<i32>(8);
    let tx2 = tx.clone();

    assert_ok!(tx.try_send(1));
    drop(tx);

    // One clone gone: the buffered message is still delivered, then recv waits.
    assert_recv_now!(rx, Some(1));
    let mut recv = task::spawn(rx.recv());
    assert_pending!(recv.poll());

    assert_ok!(tx2.try_send(2));
    assert_ok!(tx2.try_send(3));
    assert!(recv.is_woken());
    assert_ready_eq!(recv.poll(), Some(2));
    drop(recv);

    drop(tx2);
    // Last sender gone, but buffered messages come first.
    assert_recv_now!(rx, Some(3));
    assert_recv_now!(rx, None);
    assert_recv_now!(rx, None);
}

/// Guide: "recv returns None" once closed — a pending recv is woken by the last sender's drop.
#[test]
fn pending_recv_is_woken_by_last_sender_drop() {
    let (tx, mut rx) = mpsc::channel::<i32>(1);
    let tx2 = tx.clone();
    let mut recv = task::spawn(rx.recv());
    assert_pending!(recv.poll());

    drop(tx);
    assert!(!recv.is_woken(), "a clone is still alive");
    assert_pending!(recv.poll());

    drop(tx2);
    assert!(recv.is_woken());
    assert_ready_eq!(recv.poll(), None);
}

/// Guide: "send() returns Err if receiver is dropped" — and the value is handed back.
#[test]
fn send_errors_once_receiver_dropped() {
    let (tx, rx) = mpsc::channel::<String>(4);
    assert_ok!(tx.try_send("buffered".to_string()));
    drop(rx);

    assert!(tx.is_closed());
    let err = assert_ready_err!(task::spawn(tx.send("late".to_string())).poll());
    assert_eq!(err.0, "late");
    match tx.try_send("try".to_string()) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, "try"),
        other => panic!("expected Closed, got {other:?}"),
    }
}

/// Guide: "send() returns Err if receiver is dropped" — also for a send already waiting on a full buffer.
#[test]
fn waiting_send_is_woken_with_err_when_receiver_dropped() {
    let (tx, rx) = mpsc::channel::<i32>(1);
    assert_ok!(tx.try_send(0));

    let mut send = task::spawn(tx.send(1));
    assert_pending!(send.poll());

    drop(rx);
    assert!(send.is_woken());
    assert_eq!(assert_ready_err!(send.poll()), SendError(1));
}

/// Guide: "Order matters" (use mpsc) — a single producer's messages arrive in FIFO order.
#[test]
fn single_producer_fifo_order() {
    let (tx, mut rx) = mpsc::channel::<u32>(16);
    let mut expected = 0;
    for i in 0..100 {
        // Mix immediate and hand-polled sends; drain whenever the buffer is full.
        let mut send = task::spawn(tx.send(i));
        if send.poll().is_pending() {
            while let Ok(v) = rx.try_recv() {
                assert_eq!(v, expected);
                expected += 1;
            }
            assert!(send.is_woken());
            assert_ready_eq!(send.poll(), Ok(()));
        }
    }
    drop(tx);
    while let Some(v) = assert_ready!(task::spawn(rx.recv()).poll()) {
        assert_eq!(v, expected);
        expected += 1;
    }
    assert_eq!(expected, 100);
}

/// Guide: "Receive messages until the channel closes" — a pending recv is woken by a send.
#[test]
fn recv_is_woken_by_send() {
    let (tx, mut rx) = mpsc::channel::<&str>(4);
    let mut recv = task::spawn(rx.recv());
    assert_pending!(recv.poll());
    assert!(!recv.is_woken());

    let mut send = task::spawn(tx.send("hello"));
    assert_ready_eq!(send.poll(), Ok(()));

    assert!(recv.is_woken());
    assert_ready_eq!(recv.poll(), Some("hello"));
}

/// Guide: "The sender (`tx`) can be cloned to create multiple producers" — all reach the one receiver.
#[test]
fn cloned_senders_all_reach_single_receiver() {
    let (tx, mut rx) = mpsc::unbounded_channel::<(u8, u32)>();
    let producers: Vec<_> = (0..3).map(|_| tx.clone()).collect();
    drop(tx);

    for round in 0..10 {
        for (id, p) in producers.iter().enumerate() {
            assert_ok!(p.send((id as u8, round)));
        }
    }
    drop(producers);

    let mut per_producer = [Vec::new(), Vec::new(), Vec::new()];
    while let Some((id, round)) = assert_ready!(task::spawn(rx.recv()).poll()) {
        per_producer[id as usize].push(round);
    }
    for rounds in per_producer {
        // Per-producer order is preserved.
        assert_eq!(rounds, (0..10).collect::<Vec<_>>());
    }
}
