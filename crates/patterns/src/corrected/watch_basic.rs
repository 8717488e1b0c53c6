// The guide's example corrected (`watch-basic`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::watch;

pub async fn main() {
    // Create with initial value
    let (tx, rx) = watch::channel("initial");

    // Read current value (doesn't wait, but blocks senders while held)
    println!("Current: {}", *rx.borrow());

    // Update the value
    tx.send("updated").unwrap();

    println!("Current: {}", *rx.borrow());
}
