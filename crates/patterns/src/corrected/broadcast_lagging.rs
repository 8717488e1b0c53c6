// The guide's example corrected (`broadcast-lagging`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::broadcast;

pub async fn main() {
    // Small buffer to demonstrate lagging
    let (tx, mut rx) = broadcast::channel::<i32>(2);

    // Send 5 messages into a buffer of size 2
    for i in 0..5 {
        tx.send(i).unwrap();
    }

    // Drop the sender: `Closed` comes only once every sender is gone
    drop(tx);

    // Try to receive - we've missed messages 0, 1, 2
    loop {
        match rx.recv().await {
            Ok(value) => println!("Received: {}", value),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                println!("Missed {} messages", n);
                // Continue receiving from current position
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}
