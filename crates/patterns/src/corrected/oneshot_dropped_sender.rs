// The guide's example corrected (`oneshot-dropped-sender`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::oneshot;

pub async fn main() {
    let (tx, rx) = oneshot::channel::<String>();

    tokio::spawn(async move {
        // Task panics or returns early without sending
        if true {
            return; // tx is dropped here
        }
        tx.send("never sent".to_string()).unwrap();
    });

    // rx.await returns Err(RecvError) when sender is dropped
    match rx.await {
        Ok(value) => println!("Got: {}", value),
        Err(_) => println!("Sender was dropped without sending"),
    }
}
