// The guide's example corrected (`mpsc-shutdown`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::mpsc;

pub async fn main() {
    let (shutdown_tx, mut shutdown_rx) = mpsc::channel::<()>(1);

    let worker = tokio::spawn(async move {
        loop {
            // Check for shutdown signal, between units of work only
            match shutdown_rx.try_recv() {
                Err(mpsc::error::TryRecvError::Empty) => {}
                _ => {
                    println!("Shutdown signal received");
                    break;
                }
            }
            // Normal work: once started, it runs to the end
            do_work().await;
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
