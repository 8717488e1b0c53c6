//! Whole transcripts of the guide's oneshot patterns, in paused time (guide section "oneshot").
mod common;

use std::time::Duration;

use channel_patterns::oneshot;
use common::assert_pattern;

#[tokio::test(start_paused = true)]
async fn request_response_gets_the_computed_value_after_100ms() {
    assert_pattern(
        oneshot::request_response,
        oneshot::REQUEST_RESPONSE,
        Duration::from_millis(100),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn dropped_sender_is_reported_to_the_receiver() {
    assert_pattern(
        oneshot::dropped_sender,
        oneshot::DROPPED_SENDER,
        Duration::ZERO,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn spawn_with_result_returns_the_tasks_output() {
    assert_pattern(
        oneshot::spawn_with_result_pattern,
        oneshot::SPAWN_WITH_RESULT,
        Duration::from_millis(50),
    )
    .await;
}

/// The corrected `spawn_with_result` starts the work at the call, not when the receiver is
/// first awaited (the guide's `async fn` version would start it only then: erratum E01).
#[tokio::test(start_paused = true)]
async fn spawn_with_result_starts_the_work_before_anyone_awaits() {
    let mut rx = oneshot::spawn_with_result(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        42
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Nobody awaited `rx`, and the value is there already.
    assert_eq!(rx.try_recv(), Ok(42));
}
