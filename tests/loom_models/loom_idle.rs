//! Loom model of idle tracking (`idle::ActivityClock`, `idle::is_idle`), on a logical clock:
//! two directions record activity while a monitor checks the deadline. The monitor never
//! closes a connection that was active within the window and always closes one that was not.
//! Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use loom::thread;
use loom_support::{explore, rejected};
use proxy::idle::{ActivityClock, is_idle};

const TIMEOUT: u64 = 2;

/// The activity store under test: the real clock, or a twin.
trait Store: Send + Sync + 'static {
    fn record(&self, at: u64);
    fn last(&self) -> u64;
}

impl Store for ActivityClock {
    fn record(&self, at: u64) {
        ActivityClock::record(self, at);
    }
    fn last(&self) -> u64 {
        ActivityClock::last(self)
    }
}

/// The broken twin: a plain store of the latest time, as the guide's
/// `activity_tx.send(Instant::now())`. Two directions can finish recording in either order.
#[derive(Default)]
struct LastWriteWins(AtomicU64);

impl Store for LastWriteWins {
    fn record(&self, at: u64) {
        self.0.store(at, SeqCst);
    }
    fn last(&self) -> u64 {
        self.0.load(SeqCst)
    }
}

/// Two directions each take a time from the logical clock and record it; a monitor checks
/// concurrently at the current time. Then, with both directions done, the monitor checks just
/// inside and just past the window of the latest activity.
fn model<S: Store>(store: S) {
    let store = Arc::new(store);
    let clock = Arc::new(AtomicU64::new(1));
    let done: Arc<[AtomicBool; 2]> = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let times: Arc<[AtomicU64; 2]> = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);

    let directions: Vec<_> = (0..2)
        .map(|d| {
            let (store, clock, done, times) =
                (store.clone(), clock.clone(), done.clone(), times.clone());
            thread::spawn(move || {
                let at = clock.fetch_add(1, SeqCst);
                times[d].store(at, SeqCst);
                store.record(at);
                done[d].store(true, SeqCst);
            })
        })
        .collect();

    // The monitor, concurrently: it closes only if no activity it knows of is in the window.
    let now = clock.load(SeqCst) + TIMEOUT - 1;
    let finished: Vec<u64> = (0..2)
        .filter(|d| done[*d].load(SeqCst))
        .map(|d| times[d].load(SeqCst))
        .collect();
    let idle = is_idle(store.last(), now, TIMEOUT);
    let active_in_window = finished.iter().any(|t| now - t < TIMEOUT);
    assert!(
        !(idle && active_in_window),
        "closed although active at {finished:?}, now {now}"
    );

    for d in directions {
        d.join().unwrap();
    }
    let latest = times.iter().map(|t| t.load(SeqCst)).max().unwrap_or(0);
    assert!(
        !is_idle(store.last(), latest + TIMEOUT - 1, TIMEOUT),
        "closed inside the window of the latest activity ({latest})"
    );
    assert!(
        is_idle(store.last(), latest + TIMEOUT, TIMEOUT),
        "still open a whole timeout after the latest activity ({latest})"
    );
}

#[test]
fn the_monitor_closes_exactly_the_idle_connections() {
    explore("idle tracking", || model(ActivityClock::new()));
}

#[test]
fn twin_with_last_write_wins_closes_an_active_connection() {
    let message = rejected("idle tracking, last write wins", || {
        model(LastWriteWins::default());
    });
    assert!(message.contains("closed inside the window"), "{message}");
}
