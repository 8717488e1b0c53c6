//! Whole transcripts of the guide's broadcast patterns, in paused time (guide section
//! "broadcast").
mod common;

use std::time::Duration;

use channel_patterns::{Transcript, broadcast};
use common::assert_pattern;
use pretty_assertions::assert_eq;

#[tokio::test(start_paused = true)]
async fn basic_both_receivers_get_the_message() {
    assert_pattern(broadcast::basic, broadcast::BASIC, Duration::ZERO).await;
}

/// The corrected lagging example ends by itself (erratum E02) with the guide's three lines.
#[tokio::test(start_paused = true)]
async fn lagging_reports_the_lag_then_the_retained_messages_and_ends() {
    assert_pattern(broadcast::lagging, broadcast::LAGGING, Duration::ZERO).await;
}

/// With a capacity that is not a power of two, tokio keeps the next power of two (erratum
/// E12): capacity 3 keeps 4 of 6 messages.
#[tokio::test(start_paused = true)]
async fn lagging_capacity_three_retains_four() {
    let (tx, rx) = tokio::sync::broadcast::channel(3);
    let out = Transcript::new();
    let received = broadcast::lag_and_drain(tx, rx, 0..6, &out).await.unwrap();
    assert_eq!(received, [2, 3, 4, 5]);
    assert_eq!(
        out.lines(),
        [
            "Missed 2 messages",
            "Received: 2",
            "Received: 3",
            "Received: 4",
            "Received: 5"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn events_every_subscriber_sees_its_events_and_ends() {
    assert_pattern(broadcast::events, broadcast::EVENTS, Duration::ZERO).await;
}
