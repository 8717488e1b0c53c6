// The guide's code as written (`mpsc-shutdown`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::mpsc;

pub async fn main() {
    let (shutdown_tx, mut shutdown_rx) = mpsc::channel::<()>(1);

    let worker = tokio::spawn(async move {
        loop {
            tokio::select! {
                // Check for shutdown signal
                _ = shutdown_rx.recv() => {
                    println!("Shutdown signal received");
                    break;
                }
                // Normal work
                _ = do_work() => {}
            }
        }
        println!("Worker cleaned up");
    });

    // Simulate running for a while
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;

    // Signal shutdown
    let _ = shutdown_tx.send(()).await;

    // Wait for worker to finish
    worker.await.unwrap();
}

async fn do_work() {
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}
