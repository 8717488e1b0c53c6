// The guide's example corrected (`mpsc-multi-producer`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::mpsc;

pub async fn main() {
    let (tx, mut rx) = mpsc::channel::<String>(32);

    // Spawn 3 producer tasks, each with its own sender clone
    for id in 0..3 {
        let tx = tx.clone();
        tokio::spawn(async move {
            tx.send(format!("Hello from task {}", id)).await.unwrap();
            // Each cloned tx is dropped when its task completes
        });
    }

    // Drop the original sender - important!
    // The channel closes only when ALL senders are dropped
    drop(tx);

    // Collect all messages
    while let Some(msg) = rx.recv().await {
        println!("{}", msg);
    }
}
