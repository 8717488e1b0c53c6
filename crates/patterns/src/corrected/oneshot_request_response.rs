// The guide's example corrected (`oneshot-request-response`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::oneshot;

pub async fn main() {
    // Create a one-shot channel
    let (tx, rx) = oneshot::channel::<String>();

    // Spawn a task that computes something and sends the result
    tokio::spawn(async move {
        let result = expensive_computation().await;
        // Send the result back (consumes tx)
        tx.send(result).unwrap();
    });

    // Wait for the result
    let answer = rx.await.unwrap();
    println!("Got: {}", answer);
}

async fn expensive_computation() -> String {
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    "Computed value".to_string()
}
