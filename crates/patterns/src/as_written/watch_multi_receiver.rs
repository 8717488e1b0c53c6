// The guide's code as written (`watch-multi-receiver`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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
