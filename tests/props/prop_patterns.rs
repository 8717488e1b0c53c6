//! Properties of the guide's patterns, in paused time, over random parameters: each pattern of the
//! guide, generalised here (`fan_in`, `backpressure_with`, `lag_and_drain`, `distribute`,
//! `observe`: the guide's programs with their constants made parameters), and checked for the
//! guarantees the guide states. The generalisations are this file's own harness, on tokio directly:
//! the guide's programs (`crates/patterns/src/corrected/`) stay as a reader sees them, and are run
//! as they are by `tests/guide/patterns.rs` and explored by loom.
//!
//! Each property is a `check_*` function applied to what an implementation produced. The
//! properties run it on the patterns; the `twin_*` tests run it on a twin (the pattern with one
//! rule changed) and show that it is rejected, printing the shrunk counterexample
//! (`props::counterexample`).

use test_support::props;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use channel_patterns::conformance;
use patterns::Transcript;
use props::{counterexample, persisted};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc, watch};

/// Runs `f` to completion on a fresh current-thread runtime in paused time.
fn paused<F: std::future::Future>(f: F) -> F::Output {
    conformance::paused_runtime().unwrap().block_on(f)
}

fn millis(max: u64) -> impl Strategy<Value = Duration> {
    (0..=max).prop_map(Duration::from_millis)
}

// ---------------------------------------------------------------------------------------------
// Multiple producers

/// "Multiple Producers", generalised: one spawned task per entry of `producers`, each with its
/// own clone of the sender, sending its messages in order (waiting the given delay before
/// each); returns everything the single receiver got, in arrival order.
async fn fan_in<T: Send + 'static>(producers: Vec<Vec<(Duration, T)>>, capacity: usize) -> Vec<T> {
    let (tx, mut rx) = mpsc::channel::<T>(capacity);
    let mut tasks = Vec::new();
    for messages in producers {
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            for (delay, message) in messages {
                tokio::time::sleep(delay).await;
                tx.send(message).await.unwrap();
            }
        }));
    }
    // The channel closes only when every sender is gone, the original included.
    drop(tx);
    let mut received = Vec::new();
    while let Some(msg) = rx.recv().await {
        received.push(msg);
    }
    for task in tasks {
        task.await.unwrap();
    }
    received
}

type Plan = Vec<Vec<(Duration, (usize, usize))>>;

fn producers() -> impl Strategy<Value = (Plan, usize)> {
    let plan =
        prop::collection::vec(prop::collection::vec(millis(3), 0..8), 1..6).prop_map(|producers| {
            producers
                .into_iter()
                .enumerate()
                .map(|(p, delays)| {
                    delays
                        .into_iter()
                        .enumerate()
                        .map(|(seq, d)| (d, (p, seq)))
                        .collect()
                })
                .collect()
        });
    (plan, 1usize..5)
}

/// Every message exactly once, and each producer's messages in the order it sent them.
fn check_fan_in(plan: &Plan, received: &[(usize, usize)]) -> Result<(), TestCaseError> {
    let mut sorted = received.to_vec();
    sorted.sort_unstable();
    let mut sent: Vec<(usize, usize)> = plan.iter().flatten().map(|(_, m)| *m).collect();
    sent.sort_unstable();
    prop_assert_eq!(sorted, sent, "every message exactly once");
    for p in 0..plan.len() {
        let order: Vec<usize> = received
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, s)| *s)
            .collect();
        prop_assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "producer {p}: {order:?}"
        );
    }
    Ok(())
}

/// The fan-in twin: `try_send`, giving up on a full buffer instead of waiting.
async fn fan_in_lossy(plan: Plan, capacity: usize) -> Vec<(usize, usize)> {
    let (tx, mut rx) = mpsc::channel(capacity);
    for messages in plan {
        let tx = tx.clone();
        tokio::spawn(async move {
            for (delay, message) in messages {
                tokio::time::sleep(delay).await;
                let _ = tx.try_send(message);
            }
        });
    }
    drop(tx);
    let mut received = Vec::new();
    while let Some(m) = rx.recv().await {
        received.push(m);
    }
    received
}

// ---------------------------------------------------------------------------------------------
// Backpressure

/// "Backpressure and Buffer Management", generalised: a producer of `count` messages into a
/// buffer of `capacity`, and a consumer that takes `processing(value)` for each, writing the
/// guide's "Sending i" / "Sent i" / "Processing i" lines.
async fn backpressure_with(
    capacity: usize,
    count: i32,
    processing: impl Fn(i32) -> Duration,
    out: Transcript,
) {
    let (tx, mut rx) = mpsc::channel::<i32>(capacity);
    let producer_out = out.clone();
    let producer = tokio::spawn(async move {
        for i in 0..count {
            producer_out.line(format!("Sending {i}"));
            tx.send(i).await.unwrap();
            producer_out.line(format!("Sent {i}"));
        }
    });
    while let Some(value) = rx.recv().await {
        out.line(format!("Processing {value}"));
        tokio::time::sleep(processing(value)).await;
    }
    producer.await.unwrap();
}

fn backpressure_case() -> impl Strategy<Value = (usize, Vec<Duration>)> {
    (1usize..6, prop::collection::vec(millis(50), 0..25))
}

/// Runs `mpsc::backpressure_with` with a buffer of `buffer` and the given consumer delays.
fn run_backpressure(buffer: usize, delays: &[Duration]) -> Vec<String> {
    let out = Transcript::new();
    let processing = |i: i32| delays[usize::try_from(i).unwrap()];
    let count = i32::try_from(delays.len()).unwrap();
    paused(backpressure_with(buffer, count, processing, out.clone()));
    out.lines()
}

/// Never more than `capacity` ahead, exactly that far ahead at some point, nothing lost or
/// reordered.
fn check_backpressure(
    capacity: usize,
    count: usize,
    lines: &[String],
) -> Result<(), TestCaseError> {
    let (mut sent, mut processed, mut max_ahead) = (0usize, Vec::new(), 0usize);
    for line in lines {
        if line.starts_with("Sent ") {
            sent += 1;
        } else if let Some(v) = line.strip_prefix("Processing ") {
            processed.push(v.parse::<usize>().unwrap());
        }
        prop_assert!(
            sent <= processed.len() + capacity,
            "ahead by more than {capacity}"
        );
        max_ahead = max_ahead.max(sent - processed.len());
    }
    prop_assert_eq!(processed, (0..count).collect::<Vec<_>>());
    prop_assert_eq!(sent, count);
    prop_assert_eq!(max_ahead, capacity.min(count));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Lagging

/// "Lagging Receivers", corrected and generalised: sends `values` into `tx`, drops it, then
/// receives until `Closed`, writing what the guide's loop prints; returns what it received.
async fn lag_and_drain(
    tx: broadcast::Sender<i32>,
    mut rx: broadcast::Receiver<i32>,
    values: impl IntoIterator<Item = i32>,
    out: &Transcript,
) -> Vec<i32> {
    for i in values {
        tx.send(i).unwrap();
    }
    drop(tx);
    let mut received = Vec::new();
    loop {
        match rx.recv().await {
            Ok(value) => {
                out.line(format!("Received: {value}"));
                received.push(value);
            }
            Err(RecvError::Lagged(n)) => out.line(format!("Missed {n} messages")),
            Err(RecvError::Closed) => return received,
        }
    }
}

/// Tokio's broadcast keeps `capacity` rounded up to a power of two.
fn retained(capacity: usize) -> usize {
    capacity.next_power_of_two()
}

/// Lag n = sends - retained, then exactly the retained messages in order, as `retain` says.
fn check_lagging(
    capacity: usize,
    sends: i32,
    retain: fn(usize) -> usize,
) -> Result<(), TestCaseError> {
    let (tx, rx) = broadcast::channel(capacity);
    let out = Transcript::new();
    let received = paused(lag_and_drain(tx, rx, 0..sends, &out));

    let first = (sends - i32::try_from(retain(capacity)).unwrap()).max(0);
    prop_assert_eq!(received, (first..sends).collect::<Vec<_>>());
    let mut expected = Vec::new();
    if first > 0 {
        expected.push(format!("Missed {first} messages"));
    }
    expected.extend((first..sends).map(|v| format!("Received: {v}")));
    prop_assert_eq!(out.lines(), expected);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Event distribution

/// What one subscriber gets from the channel.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Delivery<T> {
    /// The next event.
    Event(T),
    /// The subscriber fell behind and this many events were overwritten before it read them.
    Missed(u64),
}

/// A subscriber of [`distribute`]: handles each delivery and says how long it is then busy
/// (which is how a slow subscriber comes to lag).
trait Subscriber<T>: Send + 'static {
    fn deliver(&mut self, delivery: Delivery<T>) -> Duration;
}

/// "Example: Event Distribution System", corrected and generalised: subscribes every
/// subscriber before the first event, publishes `events` (waiting each one's delay first),
/// closes the channel, and waits until every subscriber has handled everything it can still
/// get, its lags included.
async fn distribute<T: Clone + Send + 'static>(
    events: impl IntoIterator<Item = (Duration, T)>,
    subscribers: Vec<Box<dyn Subscriber<T>>>,
    capacity: usize,
) {
    let (tx, _) = broadcast::channel::<T>(capacity);
    let mut tasks = Vec::new();
    for mut subscriber in subscribers {
        let mut rx = tx.subscribe();
        tasks.push(tokio::spawn(async move {
            loop {
                let delivery = match rx.recv().await {
                    Ok(event) => Delivery::Event(event),
                    Err(RecvError::Lagged(n)) => Delivery::Missed(n),
                    Err(RecvError::Closed) => return,
                };
                tokio::time::sleep(subscriber.deliver(delivery)).await;
            }
        }));
    }
    for (delay, event) in events {
        tokio::time::sleep(delay).await;
        // Err only when there is no subscriber at all.
        let _ = tx.send(event);
    }
    drop(tx);
    for task in tasks {
        task.await.unwrap();
    }
}

/// Records every delivery (or, when `drops_lags`, every event but no lag), then is busy.
struct Recorder {
    log: Arc<Mutex<Vec<Delivery<usize>>>>,
    busy: Duration,
    drops_lags: bool,
}

impl Subscriber<usize> for Recorder {
    fn deliver(&mut self, delivery: Delivery<usize>) -> Duration {
        if !(self.drops_lags && matches!(delivery, Delivery::Missed(_))) {
            self.log.lock().unwrap().push(delivery);
        }
        self.busy
    }
}

fn events_case() -> impl Strategy<Value = (Vec<Duration>, Vec<Duration>, usize)> {
    (
        prop::collection::vec(millis(2), 0..30),
        prop::collection::vec(millis(3), 1..5),
        1usize..16,
    )
}

/// What each subscriber logged when `distribute` published `events` to subscribers busy for
/// `busy` per delivery.
fn run_distribute(
    events: &[Duration],
    busy: &[Duration],
    capacity: usize,
    drops_lags: bool,
) -> Vec<Vec<Delivery<usize>>> {
    let logs: Vec<_> = busy
        .iter()
        .map(|_| Arc::new(Mutex::new(Vec::new())))
        .collect();
    let subscribers = logs
        .iter()
        .zip(busy)
        .map(|(log, busy)| {
            let recorder = Recorder {
                log: log.clone(),
                busy: *busy,
                drops_lags,
            };
            Box::new(recorder) as Box<dyn Subscriber<usize>>
        })
        .collect();
    let plan = events.iter().enumerate().map(|(i, d)| (*d, i));
    paused(distribute(plan, subscribers, capacity));
    logs.iter().map(|l| l.lock().unwrap().clone()).collect()
}

/// In order; seen + reported missed = all; a subscriber that keeps up sees everything.
fn check_distribution(
    events: usize,
    capacity: usize,
    logs: &[Vec<Delivery<usize>>],
) -> Result<(), TestCaseError> {
    for (s, log) in logs.iter().enumerate() {
        let mut next = 0usize;
        for delivery in log {
            match delivery {
                Delivery::Event(i) => {
                    prop_assert_eq!(*i, next, "subscriber {} out of order", s);
                    next += 1;
                }
                Delivery::Missed(n) => next += usize::try_from(*n).unwrap(),
            }
        }
        prop_assert_eq!(next, events, "subscriber {} lost events unreported", s);
        if retained(capacity) >= events {
            prop_assert!(log.iter().all(|d| matches!(d, Delivery::Event(_))));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// watch

/// Every value a `changed()` loop (the guide's, corrected: `borrow_and_update`) sees until the
/// last sender is gone.
async fn follow<T: Clone>(mut rx: watch::Receiver<T>) -> Vec<T> {
    let mut seen = Vec::new();
    while rx.changed().await.is_ok() {
        seen.push(rx.borrow_and_update().clone());
    }
    seen
}

/// What [`observe`] saw.
struct Observed<T> {
    /// `(time since start, value)` of each `borrow()` by the sampling reader.
    samples: Vec<(Duration, T)>,
    /// Each value the `changed()` reader saw ([`follow`]).
    changes: Vec<T>,
}

/// The watch section, generalised: one updater sends `sends` (waiting each one's delay first),
/// while one reader samples with `borrow()` after each of `reads`' delays and another follows
/// every change. Returns what both readers saw.
async fn observe<T: Clone + Send + Sync + 'static>(
    initial: T,
    sends: Vec<(Duration, T)>,
    reads: Vec<Duration>,
) -> Observed<T> {
    let start = tokio::time::Instant::now();
    let (tx, rx) = watch::channel(initial);
    let follower = tokio::spawn(follow(rx.clone()));
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        for delay in reads {
            tokio::time::sleep(delay).await;
            samples.push((start.elapsed(), rx.borrow().clone()));
        }
        samples
    });
    for (delay, value) in sends {
        tokio::time::sleep(delay).await;
        tx.send_replace(value);
    }
    drop(tx);
    Observed {
        samples: sampler.await.unwrap(),
        changes: follower.await.unwrap(),
    }
}

/// Sends at even milliseconds, reads at odd ones (no read ties with a send); send i stores i.
fn watch_case() -> impl Strategy<Value = (Vec<(Duration, usize)>, Vec<Duration>)> {
    let sends = prop::collection::vec(0u64..5, 0..20).prop_map(|gaps| {
        gaps.into_iter()
            .enumerate()
            .map(|(i, g)| (Duration::from_millis(2 * g), i + 1))
            .collect()
    });
    let reads = prop::collection::vec(0u64..5, 0..20).prop_map(|gaps| {
        gaps.into_iter()
            .enumerate()
            .map(|(i, g)| Duration::from_millis(2 * g + u64::from(i == 0)))
            .collect()
    });
    (sends, reads)
}

/// Each sample is the latest value at its time; both readers see values in send order; the
/// `changed()` reader ends on the last value.
fn check_watch(sends: &[(Duration, usize)], seen: &Observed<usize>) -> Result<(), TestCaseError> {
    let send_times: Vec<Duration> = sends
        .iter()
        .scan(Duration::ZERO, |t, (gap, _)| {
            *t += *gap;
            Some(*t)
        })
        .collect();
    for (at, value) in &seen.samples {
        let latest = send_times.iter().filter(|t| *t <= at).count();
        prop_assert_eq!(*value, latest, "read at {:?}", at);
    }
    prop_assert!(seen.samples.windows(2).all(|w| w[0].1 <= w[1].1));
    prop_assert!(
        seen.changes.windows(2).all(|w| w[0] < w[1]),
        "{:?}",
        seen.changes
    );
    let last_sent = (!sends.is_empty()).then_some(sends.len());
    prop_assert_eq!(seen.changes.last().copied(), last_sent);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties, on the library's patterns

proptest! {
    #![proptest_config(persisted("prop_patterns", 256))]

    /// Multiple producers: every message arrives exactly once, in each producer's order,
    /// whatever the capacity and the producers' pacing.
    #[test]
    fn fan_in_delivers_everything_once_in_per_producer_order((plan, capacity) in producers()) {
        let received = paused(fan_in(plan.clone(), capacity));
        check_fan_in(&plan, &received)?;
    }

    /// Backpressure: for any capacity and consumer delays, the producer is at most `capacity`
    /// messages ahead, gets exactly that far, and nothing is lost.
    #[test]
    fn backpressure_bounds_the_producer_to_capacity((capacity, delays) in backpressure_case()) {
        check_backpressure(capacity, delays.len(), &run_backpressure(capacity, &delays))?;
    }

    /// Lagging: for any capacity and number of sends before the first receive, `Lagged(n)`
    /// with the exact n, then exactly the retained messages, in order.
    #[test]
    fn lagging_reports_the_exact_lag_then_the_retained_messages(
        capacity in 1usize..20,
        sends in 0i32..70,
    ) {
        check_lagging(capacity, sends, retained)?;
    }

    /// Event distribution: in order, everything seen or reported missed, and every event for a
    /// subscriber that keeps up.
    #[test]
    fn every_subscriber_sees_events_in_order_and_counts_what_it_missed(
        (events, busy, capacity) in events_case(),
    ) {
        let logs = run_distribute(&events, &busy, capacity, false);
        check_distribution(events.len(), capacity, &logs)?;
    }

    /// watch: the latest value at each read, in send order, never older after newer.
    #[test]
    fn watch_readers_see_the_latest_value_in_send_order((sends, reads) in watch_case()) {
        let seen = paused(observe(0usize, sends.clone(), reads));
        check_watch(&sends, &seen)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Each property rejects a twin: the pattern with one rule changed

#[test]
fn twin_fan_in_rejects_a_lossy_fan_in() {
    let (_, (plan, capacity)) = counterexample(producers(), |(plan, capacity)| {
        check_fan_in(&plan, &paused(fan_in_lossy(plan.clone(), capacity)))
    });
    // Shrunk to the essence: more messages at once than the buffer holds.
    let total: usize = plan.iter().map(Vec::len).sum();
    assert!(total > capacity, "{plan:?} with capacity {capacity}");
}

#[test]
fn twin_backpressure_rejects_a_buffer_one_larger_than_claimed() {
    let (_, (capacity, delays)) = counterexample(backpressure_case(), |(capacity, delays)| {
        check_backpressure(
            capacity,
            delays.len(),
            &run_backpressure(capacity + 1, &delays),
        )
    });
    // One message more than the claimed capacity is enough to show it.
    assert_eq!(delays.len(), capacity + 1);
}

#[test]
fn twin_lagging_rejects_an_oracle_that_ignores_the_power_of_two_rounding() {
    let (_, (capacity, sends)) = counterexample((1usize..20, 0i32..70), |(capacity, sends)| {
        check_lagging(capacity, sends, |c| c)
    });
    // A capacity that is not a power of two, and one send more than it.
    assert!(!capacity.is_power_of_two(), "capacity {capacity}");
    assert_eq!(usize::try_from(sends).unwrap(), capacity + 1);
}

#[test]
fn twin_distribution_rejects_a_subscriber_that_hides_its_lag() {
    let (_, (events, _, capacity)) = counterexample(events_case(), |(events, busy, capacity)| {
        let logs = run_distribute(&events, &busy, capacity, true);
        check_distribution(events.len(), capacity, &logs)
    });
    // More events than the channel retains, so that somebody lags.
    assert!(
        events.len() > capacity.next_power_of_two(),
        "{events:?}, {capacity}"
    );
}

#[test]
fn twin_watch_rejects_a_reader_that_reports_the_previous_read() {
    let (_, (sends, reads)) = counterexample(watch_case(), |(sends, reads)| {
        let mut seen = paused(observe(0usize, sends.clone(), reads));
        // The twin reader: each sample reports what the previous read saw.
        let values: Vec<usize> = seen.samples.iter().map(|(_, v)| *v).collect();
        for (i, sample) in seen.samples.iter_mut().enumerate().skip(1) {
            sample.1 = values[i - 1];
        }
        check_watch(&sends, &seen)
    });
    // It takes a send and two reads: the twin reader is right on its first read.
    assert!(!sends.is_empty() && reads.len() >= 2, "{sends:?} {reads:?}");
}
