// The guide's code as written (`mpsc-basic`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::mpsc;

pub async fn main() {
    // Create a channel with capacity for 10 messages
    let (tx, mut rx) = mpsc::channel::<i32>(10);

    // Spawn a producer task
    tokio::spawn(async move {
        for i in 0..5 {
            // send() returns Err if receiver is dropped
            if tx.send(i).await.is_err() {
                println!("Receiver dropped, stopping");
                break;
            }
        }
        // tx is dropped here, closing the channel
    });

    // Receive messages until the channel closes
    while let Some(value) = rx.recv().await {
        println!("Received: {}", value);
    }

    println!("Channel closed");
}
