// The guide's example corrected (`watch-multi-receiver`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::watch;

pub async fn main() {
    let (tx, rx) = watch::channel(0);

    // Clone receiver for multiple observers
    let rx2 = rx.clone();

    println!("rx1 sees: {}", *rx.borrow());
    println!("rx2 sees: {}", *rx2.borrow());

    tx.send(42).unwrap();

    // Both see the new value
    println!("rx1 sees: {}", *rx.borrow());
    println!("rx2 sees: {}", *rx2.borrow());
}
