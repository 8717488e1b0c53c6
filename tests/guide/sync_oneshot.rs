//! Hand-polled checks of the guide's claims about `tokio::sync::oneshot`
//! (guide/tokio-channels.md, "oneshot" and "Combining Channels with `tokio::select!`").

use tokio::sync::oneshot::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};
use tokio_test::task;
use tokio_test::{assert_ok, assert_pending, assert_ready, assert_ready_eq, assert_ready_err};

fn assert_unpin<T: Unpin>() {}

/// Guide: "rx.await returns Err(RecvError) when sender is dropped" — and the waiting receiver is woken.
#[test]
fn receiver_errors_and_is_woken_when_sender_dropped_without_sending() {
    let (tx, rx) = oneshot::channel::<String>();
    let mut rx = task::spawn(rx);
    assert_pending!(rx.poll());
    assert!(!rx.is_woken());

    drop(tx);
    assert!(rx.is_woken());
    let err: oneshot::error::RecvError = assert_ready_err!(rx.poll());
    assert_eq!(err.to_string(), "channel closed");
}

/// Guide: "let _ = tx.send(result); // Ignore error if receiver dropped" — the error is the value itself.
#[test]
fn send_returns_value_back_when_receiver_dropped() {
    let (tx, rx) = oneshot::channel::<String>();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send("payload".to_string()), Err("payload".to_string()));
}

/// Guide: "If the sender is dropped without sending" is the only error — a value sent before rx is polled is kept.
#[test]
fn value_sent_before_receiver_polled_is_received() {
    let (tx, rx) = oneshot::channel::<i32>();
    assert_ok!(tx.send(42));
    // The sender is consumed and gone; the value is stored in the channel.
    let mut rx = task::spawn(rx);
    assert_ready_eq!(rx.poll(), Ok(42));
}

/// Guide: "Returning results from spawned tasks" — a pending receiver is woken by send.
#[test]
fn pending_receiver_is_woken_by_send() {
    let (tx, rx) = oneshot::channel::<&str>();
    let mut rx = task::spawn(rx);
    assert_pending!(rx.poll());
    assert_ok!(tx.send("done"));
    assert!(rx.is_woken());
    assert_ready_eq!(rx.poll(), Ok("done"));
}

/// Guide: "Pin the oneshot future so we can poll it repeatedly" — nothing is pinned; `&mut rx` works because Receiver: Unpin.
#[test]
fn receiver_is_unpin_and_the_guide_select_loop_works_without_pinning() {
    assert_unpin::<oneshot::Receiver<()>>();
    assert_unpin::<oneshot::Receiver<String>>();

    let (work_tx, mut work_rx) = mpsc::channel::<String>(10);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();

    // The guide's worker loop, verbatim apart from recording instead of printing.
    let mut worker = task::spawn(async move {
        // A plain move: `shutdown_rx` is not pinned, and does not need to be.
        let mut shutdown_rx = shutdown_rx;
        let mut processed = Vec::new();
        let mut iterations = 0;
        loop {
            iterations += 1;
            tokio::select! {
                Some(work) = work_rx.recv() => {
                    processed.push(work);
                }
                _ = &mut shutdown_rx => {
                    break;
                }
            }
        }
        (processed, iterations)
    });

    assert_pending!(worker.poll());
    assert_ok!(work_tx.try_send("task 1".into()));
    assert!(worker.is_woken());
    assert_pending!(worker.poll());
    assert_ok!(work_tx.try_send("task 2".into()));
    assert!(worker.is_woken());
    assert_pending!(worker.poll());

    // `&mut shutdown_rx` has now been polled (Pending) in three loop iterations.
    assert_ok!(shutdown_tx.send(()));
    assert!(worker.is_woken());
    let (processed, iterations) = assert_ready!(worker.poll());
    assert_eq!(processed, ["task 1", "task 2"]);
    assert_eq!(iterations, 3);
}

/// Guide: "so we can poll it repeatedly" — but never again after it completed: tokio panics.
#[test]
#[should_panic(expected = "called after complete")]
fn polling_receiver_after_completion_panics() {
    let (tx, mut rx) = oneshot::channel::<()>();
    assert_ok!(tx.send(()));

    let mut first = task::spawn(&mut rx);
    assert_ready_eq!(first.poll(), Ok(()));
    drop(first);

    // This is what a `select!` loop that did not `break` on shutdown would do next.
    let mut second = task::spawn(&mut rx);
    let _ = second.poll();
}

/// Guide: "so we can poll it repeatedly" — a loop that must keep going can check `is_terminated()` instead.
#[test]
fn completed_receiver_is_terminated_and_try_recv_reports_closed() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert!(!rx.is_terminated());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));

    assert_ok!(tx.send(7));
    assert!(!rx.is_terminated());
    assert_ready_eq!(task::spawn(&mut rx).poll(), Ok(7));

    assert!(rx.is_terminated());
    // Unlike `poll`, `try_recv` does not panic after completion.
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

/// Guide: "Task panics or returns early without sending" — the sender can observe the receiver going away.
#[test]
fn sender_closed_is_woken_by_receiver_drop() {
    let (mut tx, rx) = oneshot::channel::<i32>();
    let mut closed = task::spawn(tx.closed());
    assert_pending!(closed.poll());
    drop(rx);
    assert!(closed.is_woken());
    assert_ready!(closed.poll());
}
