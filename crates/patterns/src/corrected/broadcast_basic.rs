// The guide's example corrected (`broadcast-basic`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::broadcast;

pub async fn main() {
    // Create a broadcast channel with capacity 16
    let (tx, _) = broadcast::channel::<String>(16);

    // Create two receivers by subscribing to the sender
    let mut rx1 = tx.subscribe();
    let mut rx2 = tx.subscribe();

    // Send a message - both receivers will get it
    tx.send("Hello everyone!".to_string()).unwrap();

    // Both receivers get the same message
    println!("rx1: {}", rx1.recv().await.unwrap());
    println!("rx2: {}", rx2.recv().await.unwrap());
}
