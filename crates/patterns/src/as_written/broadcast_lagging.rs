// The guide's code as written (`broadcast-lagging`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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
