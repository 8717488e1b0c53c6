//! Whole transcripts of the guide's mpsc patterns, in paused time (guide section "mpsc").
mod common;

use std::time::Duration;

use channel_patterns::{Transcript, mpsc};
use common::assert_pattern;
use pretty_assertions::assert_eq;

#[tokio::test(start_paused = true)]
async fn basic_receives_every_value_then_sees_the_channel_close() {
    assert_pattern(mpsc::basic, mpsc::BASIC, Duration::ZERO).await;
}

#[tokio::test(start_paused = true)]
async fn multi_producer_gets_one_message_per_producer_and_ends() {
    assert_pattern(mpsc::multi_producer, mpsc::MULTI_PRODUCER, Duration::ZERO).await;
}

/// Ten messages through a buffer of two to a 100 ms consumer: the producer is held back, and
/// the whole run takes the consumer's ten sleeps.
#[tokio::test(start_paused = true)]
async fn backpressure_holds_the_producer_at_two_ahead() {
    assert_pattern(
        mpsc::backpressure,
        mpsc::BACKPRESSURE,
        Duration::from_millis(1000),
    )
    .await;
}

/// The transcript itself shows the bound: at every line, sent minus processed is at most the
/// capacity (2) plus the one message the consumer holds while it processes.
#[tokio::test(start_paused = true)]
async fn backpressure_transcript_never_runs_more_than_capacity_ahead() {
    let out = Transcript::new();
    mpsc::backpressure(out.clone()).await.unwrap();
    let (mut sent, mut processed, mut max_ahead) = (0, 0, 0);
    for line in out.lines() {
        if line.starts_with("Sent ") {
            sent += 1;
        } else if line.starts_with("Processing ") {
            processed += 1;
        }
        max_ahead = max_ahead.max(sent - processed);
    }
    assert_eq!((sent, processed), (10, 10));
    assert_eq!(max_ahead, 2);
}

/// Shutdown after 1 s of 100 ms work units: both lines, and nothing left running.
#[tokio::test(start_paused = true)]
async fn shutdown_stops_the_worker_and_cleans_up() {
    assert_pattern(mpsc::shutdown, mpsc::SHUTDOWN, Duration::from_secs(1)).await;
}

/// The corrected worker finishes the unit it is in when the signal comes (erratum E18).
#[tokio::test(start_paused = true)]
async fn shutdown_lets_the_unit_in_progress_finish() {
    use std::sync::{Arc, Mutex};
    let log = Arc::new(Mutex::new(Vec::new()));
    let (shutdown_tx, shutdown_rx) = tokio::sync::mpsc::channel(1);
    let work_log = log.clone();
    let work = move || {
        let log = work_log.clone();
        async move {
            log.lock().unwrap().push("start");
            tokio::time::sleep(Duration::from_millis(300)).await;
            log.lock().unwrap().push("finish");
        }
    };
    let worker = tokio::spawn(mpsc::run_worker(shutdown_rx, work, Transcript::new()));
    // Mid-way through the first unit.
    tokio::time::sleep(Duration::from_millis(100)).await;
    shutdown_tx.send(()).await.unwrap();
    worker.await.unwrap();
    assert_eq!(*log.lock().unwrap(), ["start", "finish"]);
}

/// A closed signal channel is a shutdown too: the worker does not run forever when the
/// coordinator is gone.
#[tokio::test(start_paused = true)]
async fn shutdown_worker_stops_when_every_signal_sender_is_gone() {
    let (shutdown_tx, shutdown_rx) = tokio::sync::mpsc::channel::<()>(1);
    drop(shutdown_tx);
    let out = Transcript::new();
    mpsc::run_worker(shutdown_rx, mpsc::do_work, out.clone()).await;
    assert_eq!(out.lines(), mpsc::SHUTDOWN);
}
