// The guide's code as written (`select-shutdown`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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
        // Pin the oneshot future so we can poll it repeatedly
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
    });

    // Send some work
    work_tx.send("task 1".into()).await.unwrap();
    work_tx.send("task 2".into()).await.unwrap();

    tokio::time::sleep(Duration::from_millis(50)).await;

    // Signal shutdown
    shutdown_tx.send(()).unwrap();
    worker.await.unwrap();
}
