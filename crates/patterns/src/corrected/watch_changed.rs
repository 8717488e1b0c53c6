// The guide's example corrected (`watch-changed`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::watch;
use std::time::Duration;

pub async fn main() {
    let (tx, mut rx) = watch::channel(0);

    // Spawn an updater
    tokio::spawn(async move {
        for i in 1..=3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            tx.send(i).unwrap();
        }
    });

    // Wait for changes
    loop {
        // Wait for the next send (even one of an equal value)
        if rx.changed().await.is_err() {
            break; // Sender dropped
        }

        // Read the new value, and mark it seen: a send since changed() is not seen twice
        let value = *rx.borrow_and_update();
        println!("Value changed to: {}", value);

        if value >= 3 {
            break;
        }
    }
}
