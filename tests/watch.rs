//! Whole transcripts of the guide's watch patterns, in paused time (guide section "watch").
mod common;

use std::time::Duration;

use channel_patterns::watch;
use common::assert_pattern;

#[tokio::test(start_paused = true)]
async fn basic_reads_initial_then_updated() {
    assert_pattern(watch::basic, watch::BASIC, Duration::ZERO).await;
}

#[tokio::test(start_paused = true)]
async fn multi_receiver_both_see_each_value() {
    assert_pattern(watch::multi_receiver, watch::MULTI_RECEIVER, Duration::ZERO).await;
}

#[tokio::test(start_paused = true)]
async fn changed_sees_each_of_three_spaced_sends() {
    assert_pattern(watch::changed, watch::CHANGED, Duration::from_millis(300)).await;
}

/// The idle timeout fires exactly 5 s after the last activity (at 6 s), and both peers see
/// EOF at once.
#[tokio::test(start_paused = true)]
async fn idle_timeout_fires_at_last_activity_plus_timeout() {
    assert_pattern(
        watch::idle_timeout,
        watch::IDLE_TIMEOUT,
        Duration::from_secs(6),
    )
    .await;
}
