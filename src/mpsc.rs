//! Guide section "mpsc - Multi-Producer, Single-Consumer": its four examples.
//!
//! Tests: `tests/mpsc.rs` (whole transcripts, paused time), `tests/sync_mpsc.rs` (hand-polled
//! semantics), `tests/documented_output.rs` (the guide's Output block for backpressure).

use std::future::Future;
use std::time::Duration;

use crate::rt;
use crate::rt::sync::mpsc;
use crate::rt::sync::mpsc::error::TryRecvError;

use crate::{PatternError, PatternResult, Transcript};

/// "Basic Example": one producer sends 0..5, the receiver reads until the channel closes.
// guide: begin basic
pub async fn basic(out: Transcript) -> PatternResult {
    let (tx, mut rx) = mpsc::channel::<i32>(10);

    let producer_out = out.clone();
    let producer = rt::spawn(async move {
        for i in 0..5 {
            if tx.send(i).await.is_err() {
                producer_out.line("Receiver dropped, stopping");
                break;
            }
        }
        // tx is dropped here, closing the channel.
    });

    while let Some(value) = rx.recv().await {
        out.line(format!("Received: {value}"));
    }
    out.line("Channel closed");
    producer.await?;
    Ok(())
}
// guide: end basic

/// What [`basic`] prints.
pub const BASIC: &[&str] = &[
    "Received: 0",
    "Received: 1",
    "Received: 2",
    "Received: 3",
    "Received: 4",
    "Channel closed",
];

/// "Multiple Producers": three cloned senders, and the original dropped so the channel closes.
///
/// The order of the three lines is the order the tasks run in: spawn order on a current-thread
/// runtime, any order on the guide's multi-thread `#[tokio::main]`.
// guide: begin multi_producer
pub async fn multi_producer(out: Transcript) -> PatternResult {
    let producers = (0..3)
        .map(|id| vec![(Duration::ZERO, format!("Hello from task {id}"))])
        .collect();
    for msg in fan_in(producers, 32).await? {
        out.line(msg);
    }
    Ok(())
}
// guide: end multi_producer

/// The multiple-producers pattern in general: one spawned task per entry of `producers`, each
/// with its own clone of the sender, sending its messages in order (waiting the given delay
/// before each); returns everything the single receiver got, in arrival order.
///
/// Ends because the original sender is dropped once cloned: the channel closes when the last
/// producer finishes. `capacity` must be at least 1.
///
/// # Errors
/// A producer task that panicked.
// guide: begin fan_in
pub async fn fan_in<T: Send + 'static>(
    producers: Vec<Vec<(Duration, T)>>,
    capacity: usize,
) -> Result<Vec<T>, PatternError> {
    let (tx, mut rx) = mpsc::channel::<T>(capacity);

    let mut tasks = Vec::new();
    for messages in producers {
        let tx = tx.clone();
        tasks.push(rt::spawn(async move {
            for (delay, message) in messages {
                rt::time::sleep(delay).await;
                tx.send(message).await?;
            }
            Ok::<_, mpsc::error::SendError<T>>(())
        }));
    }
    // The channel closes only when every sender is gone, the original included.
    drop(tx);

    let mut received = Vec::new();
    while let Some(msg) = rx.recv().await {
        received.push(msg);
    }
    for task in tasks {
        task.await??;
    }
    Ok(received)
}
// guide: end fan_in

/// What [`multi_producer`] prints on a current-thread runtime.
pub const MULTI_PRODUCER: &[&str] = &[
    "Hello from task 0",
    "Hello from task 1",
    "Hello from task 2",
];

/// "Backpressure and Buffer Management": a producer of ten messages into a buffer of two,
/// and a consumer that takes 100 ms per message.
///
/// The interleaving printed is the one the guide's Output block shows only on a current-thread
/// runtime (erratum E13); run this on one.
// guide: begin backpressure
pub async fn backpressure(out: Transcript) -> PatternResult {
    backpressure_with(2, 10, |_| Duration::from_millis(100), out).await
}
// guide: end backpressure

/// The backpressure pattern in general: a producer of `count` messages into a buffer of
/// `capacity`, and a consumer that takes `processing(value)` for each. Writes the guide's
/// "Sending i" / "Sent i" / "Processing i" lines.
///
/// `capacity` must be at least 1 (tokio panics otherwise).
///
/// # Errors
/// The producer task panicked, or the receiver vanished (which cannot happen here).
// guide: begin backpressure_with
pub async fn backpressure_with(
    capacity: usize,
    count: i32,
    processing: impl Fn(i32) -> Duration,
    out: Transcript,
) -> PatternResult {
    let (tx, mut rx) = mpsc::channel::<i32>(capacity);

    let producer_out = out.clone();
    let producer = rt::spawn(async move {
        for i in 0..count {
            producer_out.line(format!("Sending {i}"));
            tx.send(i).await?;
            producer_out.line(format!("Sent {i}"));
        }
        Ok::<_, mpsc::error::SendError<i32>>(())
    });

    while let Some(value) = rx.recv().await {
        out.line(format!("Processing {value}"));
        rt::time::sleep(processing(value)).await;
    }
    producer.await??;
    Ok(())
}
// guide: end backpressure_with

/// What [`backpressure`] prints, whole: the guide shows the first seven lines and "...".
pub const BACKPRESSURE: &[&str] = &[
    "Sending 0",
    "Sent 0",
    "Sending 1",
    "Sent 1",
    "Sending 2",
    "Processing 0",
    "Sent 2",
    "Sending 3",
    "Processing 1",
    "Sent 3",
    "Sending 4",
    "Processing 2",
    "Sent 4",
    "Sending 5",
    "Processing 3",
    "Sent 5",
    "Sending 6",
    "Processing 4",
    "Sent 6",
    "Sending 7",
    "Processing 5",
    "Sent 7",
    "Sending 8",
    "Processing 6",
    "Sent 8",
    "Sending 9",
    "Processing 7",
    "Sent 9",
    "Processing 8",
    "Processing 9",
];

/// "Graceful Shutdown Pattern": a worker that stops when told to through an mpsc channel.
///
/// The guide's worker races the shutdown signal against `do_work()` in `select!`, so a shutdown
/// cancels a unit of work half done (erratum E18). This worker checks for shutdown only
/// between units: a unit once started always finishes.
// guide: begin shutdown
pub async fn shutdown(out: Transcript) -> PatternResult {
    let (shutdown_tx, shutdown_rx) = mpsc::channel::<()>(1);

    let worker = rt::spawn(run_worker(shutdown_rx, do_work, out));

    rt::time::sleep(Duration::from_secs(1)).await;
    // The worker also stops if it never gets this: a closed channel means shutdown too.
    let _ = shutdown_tx.send(()).await;
    worker.await?;
    Ok(())
}
// guide: end shutdown

/// The worker of [`shutdown`]: runs `work` unit after unit until shutdown is signalled (or
/// every sender of the signal is gone), and never abandons a unit it has started.
// guide: begin run_worker
pub async fn run_worker<W, F>(mut shutdown_rx: mpsc::Receiver<()>, mut work: W, out: Transcript)
where
    W: FnMut() -> F,
    F: Future<Output = ()>,
{
    loop {
        match shutdown_rx.try_recv() {
            Err(TryRecvError::Empty) => {}
            Ok(()) | Err(TryRecvError::Disconnected) => {
                out.line("Shutdown signal received");
                break;
            }
        }
        // Outside any select!: nothing can cancel a unit once it has started.
        work().await;
        // Let the signal's sender run between units even when a unit never waits.
        rt::task::yield_now().await;
    }
    out.line("Worker cleaned up");
}
// guide: end run_worker

/// The guide's unit of work: 100 ms of pretend effort.
// guide: begin do_work
pub async fn do_work() {
    rt::time::sleep(Duration::from_millis(100)).await;
}
// guide: end do_work

/// What [`shutdown`] prints.
pub const SHUTDOWN: &[&str] = &["Shutdown signal received", "Worker cleaned up"];
