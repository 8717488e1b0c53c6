// The guide's code as written (`watch-changed`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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
        // Wait until value changes
        if rx.changed().await.is_err() {
            break; // Sender dropped
        }

        // Read the new value
        let value = *rx.borrow();
        println!("Value changed to: {}", value);

        if value >= 3 {
            break;
        }
    }
}
