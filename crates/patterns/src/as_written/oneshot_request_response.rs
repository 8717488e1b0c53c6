// The guide's code as written (`oneshot-request-response`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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
