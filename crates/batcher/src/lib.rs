//! Groups a stream of items into batches: a batch goes out when it holds `max_items`, or
//! `max_delay` after its first item came in, whichever is first, so that a busy stream is sent
//! in full batches and a quiet one is not held back for long.
//!
//! Plain tokio code: its tests (`tests/batching.rs`) run on tokio with `cargo test`, and
//! unchanged under loom, in every interleaving up to loom's preemption bound, with
//! `cargo test --features loom`, which only switches the `tokio` dependency to `loom-tokio`.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, timeout_at};

/// Receives `items` and sends them on `batches`, in the order received, grouped: a batch is
/// sent once it holds `max_items`, or `max_delay` after its first item was received. When every
/// sender of `items` is gone, the last batch is sent and the batcher returns; it returns too
/// when nobody receives `batches` any more. No item received is lost while `batches` is open.
///
/// # Panics
/// If `max_items` is 0: a batch holds at least one item.
pub async fn batch<T>(
    mut items: mpsc::Receiver<T>,
    batches: mpsc::Sender<Vec<T>>,
    max_items: usize,
    max_delay: Duration,
) {
    assert!(max_items > 0, "a batch holds at least one item");
    let mut batch = Vec::with_capacity(max_items);
    // When the batch being filled must go: `max_delay` after its first item.
    let mut deadline = None;
    loop {
        let next = match deadline {
            None => items.recv().await,
            Some(at) => match timeout_at(at, items.recv()).await {
                Ok(next) => next,
                Err(_elapsed) => {
                    deadline = None;
                    if batches.send(std::mem::take(&mut batch)).await.is_err() {
                        return;
                    }
                    continue;
                }
            },
        };
        let Some(item) = next else { break };
        if batch.is_empty() {
            deadline = Some(Instant::now() + max_delay);
        }
        batch.push(item);
        if batch.len() == max_items {
            deadline = None;
            if batches.send(std::mem::take(&mut batch)).await.is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        // Nobody left to take it if this fails: there is no one to hand the items to.
        let _ = batches.send(batch).await;
    }
}
