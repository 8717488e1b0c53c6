//! Guide section "oneshot - Single Value, Single Use": its three examples.
//!
//! Tests: `tests/oneshot.rs` (whole transcripts), `tests/sync_oneshot.rs` (hand-polled
//! semantics), `tests/compile_fail/` (the guide's `spawn_with_result`, which does not compile).

use std::future::Future;
use std::time::Duration;

use crate::rt;
use crate::rt::sync::oneshot;

use crate::{PatternResult, Transcript};

/// "Use Case: Async Request-Response": a spawned task computes a value and sends it back.
// guide: begin request_response
pub async fn request_response(out: Transcript) -> PatternResult {
    let (tx, rx) = oneshot::channel::<String>();

    let worker = rt::spawn(async move {
        let result = expensive_computation().await;
        // Err only when the requester has gone away, and then nobody wants the value.
        let _ = tx.send(result);
    });

    let answer = rx.await?;
    out.line(format!("Got: {answer}"));
    worker.await?;
    Ok(())
}
// guide: end request_response

/// The guide's computation: 100 ms, then a string.
// guide: begin expensive_computation
pub async fn expensive_computation() -> String {
    rt::time::sleep(Duration::from_millis(100)).await;
    "Computed value".to_string()
}
// guide: end expensive_computation

/// What [`request_response`] prints.
pub const REQUEST_RESPONSE: &[&str] = &["Got: Computed value"];

/// "Error Handling When Sender Is Dropped": the task returns early, dropping the sender.
// guide: begin dropped_sender
pub async fn dropped_sender(out: Transcript) -> PatternResult {
    let (tx, rx) = oneshot::channel::<String>();

    let worker = rt::spawn(async move {
        // The guide's task returns before it sends; dropping `tx` is what the receiver sees.
        drop(tx);
    });

    match rx.await {
        Ok(value) => out.line(format!("Got: {value}")),
        Err(_) => out.line("Sender was dropped without sending"),
    }
    worker.await?;
    Ok(())
}
// guide: end dropped_sender

/// What [`dropped_sender`] prints.
pub const DROPPED_SENDER: &[&str] = &["Sender was dropped without sending"];

/// "Common Pattern: Task with Result": spawn `f` now and get a receiver for its output.
///
/// The guide declares this `async fn`, which makes it return a future of the receiver: its
/// `main` does not compile, and the task would not even be spawned until that future is
/// awaited (erratum E01). A plain `fn` spawns at the call, which is what the name promises.
/// Must be called within a Tokio runtime.
// guide: begin spawn_with_result
pub fn spawn_with_result<F, T>(f: F) -> oneshot::Receiver<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    rt::spawn(async move {
        let result = f.await;
        // Err only when the receiver was dropped: nobody wants the result then.
        let _ = tx.send(result);
    });
    rx
}
// guide: end spawn_with_result

/// The guide's `main` for [`spawn_with_result`], corrected.
// guide: begin spawn_with_result_pattern
pub async fn spawn_with_result_pattern(out: Transcript) -> PatternResult {
    let result_rx = spawn_with_result(async {
        rt::time::sleep(Duration::from_millis(50)).await;
        42
    });
    out.line(format!("Result: {}", result_rx.await?));
    Ok(())
}
// guide: end spawn_with_result_pattern

/// What [`spawn_with_result_pattern`] prints.
pub const SPAWN_WITH_RESULT: &[&str] = &["Result: 42"];
