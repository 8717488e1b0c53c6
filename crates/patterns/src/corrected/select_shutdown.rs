// The guide's example corrected (`select-shutdown`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::{mpsc, oneshot};
use std::time::Duration;

pub async fn main() {
    let (work_tx, mut work_rx) = mpsc::channel::<String>(10);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();

    // Worker that handles multiple event sources
    let worker = tokio::spawn(async move {
        // `&mut shutdown_rx` polls it in place on each loop (it is Unpin, no pinning
        // needed); once it has completed it must not be polled again, hence the break
        let mut shutdown_rx = shutdown_rx;

        loop {
            tokio::select! {
                // Handle incoming work
                Some(work) = work_rx.recv() => {
                    println!("Processing: {}", work);
                }

                // Handle shutdown signal
                _ = &mut shutdown_rx => {
                    println!("Shutting down...");
                    break;
                }
            }
        }

        // Work sent before the signal may still be queued: process it too
        work_rx.close();
        while let Some(work) = work_rx.recv().await {
            println!("Processing: {}", work);
        }
    });

    // Send some work
    work_tx.send("task 1".into()).await.unwrap();
    work_tx.send("task 2".into()).await.unwrap();

    tokio::time::sleep(Duration::from_millis(50)).await;

    // Signal shutdown
    shutdown_tx.send(()).unwrap();
    worker.await.unwrap();
}
