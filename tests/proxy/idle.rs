//! Idle tracking (`idle`), the rule and clock behind the proxy's idle timeout, in paused time:
//! the rule's edge, the deadline each activity moves, and the monitor waking exactly then.
use std::time::Duration;

use proxy::idle::{self, ActivityClock};
use test_support::within;
use tokio::time::{Instant, advance};

const TIMEOUT: Duration = Duration::from_secs(2);

#[test]
fn idle_exactly_when_a_whole_timeout_has_passed() {
    assert!(!idle::is_idle(0, 1_999, 2_000));
    assert!(idle::is_idle(0, 2_000, 2_000));
    assert!(idle::is_idle(500, 3_000, 2_000));
    assert!(!idle::is_idle(1_500, 3_000, 2_000));
    // A clock read before the latest record (another thread recorded in between) is not idle.
    assert!(!idle::is_idle(3_000, 2_000, 500));
}

#[test]
fn the_clock_keeps_the_latest_activity() {
    let clock = ActivityClock::new();
    assert_eq!(clock.last(), 0);
    clock.record(7);
    assert_eq!(clock.last(), 7);
    clock.record(3);
    assert_eq!(clock.last(), 7, "an earlier record never moves it back");
    clock.record(9);
    assert_eq!(clock.last(), 9);
}

#[tokio::test(start_paused = true)]
async fn each_activity_moves_the_deadline_to_that_activity_plus_the_timeout() {
    let start = Instant::now();
    let (activity, monitor) = idle::track(TIMEOUT);
    assert_eq!(monitor.deadline(), start + TIMEOUT);
    advance(Duration::from_millis(1500)).await;
    activity.record();
    assert_eq!(
        monitor.deadline(),
        start + Duration::from_millis(1500) + TIMEOUT
    );
    advance(Duration::from_millis(1999)).await;
    assert!(!monitor.is_idle(), "1 ms before the deadline");
    advance(Duration::from_millis(1)).await;
    assert!(monitor.is_idle(), "at the deadline");
}

/// The monitor completes at latest activity + timeout, exactly, however often the activity
/// moved the deadline meanwhile.
#[tokio::test(start_paused = true)]
async fn the_monitor_expires_exactly_at_the_latest_deadline() {
    let start = Instant::now();
    let (activity, mut monitor) = idle::track(TIMEOUT);
    let active = async {
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(700)).await;
            activity.record();
        }
    };
    let ((), ()) = within("the monitor", async {
        tokio::join!(active, monitor.expired())
    })
    .await;
    assert_eq!(start.elapsed(), Duration::from_millis(3500) + TIMEOUT);
}
