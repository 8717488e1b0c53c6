// The guide's code as written (`mpsc-backpressure`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::mpsc;
use std::time::Duration;

pub async fn main() {
    // Small buffer to demonstrate backpressure
    let (tx, mut rx) = mpsc::channel::<i32>(2);

    // Fast producer
    tokio::spawn(async move {
        for i in 0..10 {
            println!("Sending {}", i);
            tx.send(i).await.unwrap();
            println!("Sent {}", i);
        }
    });

    // Slow consumer
    while let Some(value) = rx.recv().await {
        println!("Processing {}", value);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
