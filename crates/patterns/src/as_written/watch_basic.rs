// The guide's code as written (`watch-basic`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::watch;

pub async fn main() {
    // Create with initial value
    let (tx, rx) = watch::channel("initial");

    // Read current value (never blocks)
    println!("Current: {}", *rx.borrow());

    // Update the value
    tx.send("updated").unwrap();

    println!("Current: {}", *rx.borrow());
}
