//! "Combining Channels with `rt::select!`": a worker takes work from an mpsc channel until a
//! oneshot tells it to stop.
//!
//! The guide's worker picks a random ready branch and `break`s at shutdown, so work already
//! queued when the signal arrives can be dropped unprocessed; only its 50 ms sleep hides this
//! (erratum E08). This worker prefers queued work, and at shutdown closes the queue and drains
//! it, so every message that was accepted is processed and later sends fail visibly.

use crate::rt;
use crate::rt::sync::{mpsc, oneshot};

use crate::{PatternResult, Transcript};

/// The guide's `main`, corrected, and without the sleep it needed.
// guide: begin run
pub async fn run(out: Transcript) -> PatternResult {
    let (work_tx, work_rx) = mpsc::channel::<String>(10);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();

    let worker = rt::spawn(worker(work_rx, shutdown_rx, out));

    work_tx.send("task 1".into()).await?;
    work_tx.send("task 2".into()).await?;

    // Err only if the worker is already gone, which `worker.await` then reports.
    let _ = shutdown_tx.send(());
    worker.await?;
    Ok(())
}
// guide: end run

/// Processes work until shutdown, then processes whatever was queued before the queue closed.
///
/// `oneshot::Receiver` is `Unpin`, so `&mut shutdown_rx` can be polled in every iteration as
/// it is; nothing needs pinning (the guide's comment says otherwise: erratum E09).
// guide: begin worker
pub async fn worker(
    mut work_rx: mpsc::Receiver<String>,
    mut shutdown_rx: oneshot::Receiver<()>,
    out: Transcript,
) {
    loop {
        rt::select! {
            // Queued work first: shutdown is taken only when the queue was empty as it was
            // polled. Work and signal sent between the two polls can still put the signal
            // first (loom finds that schedule); the drain below processes that work.
            biased;
            Some(work) = work_rx.recv() => out.line(format!("Processing: {work}")),
            // Sent or sender dropped: either way nobody will ask this worker for more.
            _ = &mut shutdown_rx => {
                out.line("Shutting down...");
                break;
            }
        }
    }
    // A send that raced the signal is still in the queue: close it, then drain it.
    work_rx.close();
    while let Some(work) = work_rx.recv().await {
        out.line(format!("Processing: {work}"));
    }
}
// guide: end worker

/// What [`run`] prints.
pub const EXPECTED: &[&str] = &[
    "Processing: task 1",
    "Processing: task 2",
    "Shutting down...",
];
