//! Whole transcripts of the guide's advanced patterns, in paused time (guide section
//! "Advanced Patterns").
mod common;

use std::time::Duration;

use channel_patterns::Transcript;
use channel_patterns::advanced::{app_shutdown, select_shutdown, state_machine};
use common::{assert_pattern, tasks_alive, within};
use pretty_assertions::assert_eq;

/// Both tasks processed, then shutdown, with no sleep before the signal (erratum E08).
#[tokio::test(start_paused = true)]
async fn select_shutdown_processes_queued_work_before_stopping() {
    assert_pattern(
        select_shutdown::run,
        select_shutdown::EXPECTED,
        Duration::ZERO,
    )
    .await;
}

/// Work that is queued when the signal is already there is still processed, and a send after
/// the worker stopped fails instead of vanishing.
#[tokio::test(start_paused = true)]
async fn select_shutdown_worker_loses_no_accepted_work() {
    let (work_tx, work_rx) = tokio::sync::mpsc::channel(10);
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
    shutdown_tx.send(()).unwrap();
    for i in 0..5 {
        work_tx.send(format!("task {i}")).await.unwrap();
    }
    let out = Transcript::new();
    within(
        "the worker",
        select_shutdown::worker(work_rx, shutdown_rx, out.clone()),
    )
    .await;
    assert_eq!(
        out.lines(),
        [
            "Processing: task 0",
            "Processing: task 1",
            "Processing: task 2",
            "Processing: task 3",
            "Processing: task 4",
            "Shutting down...",
        ]
    );
    assert!(work_tx.send("late".into()).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn app_shutdown_every_worker_stops_and_reports() {
    assert_pattern(
        app_shutdown::run,
        app_shutdown::EXPECTED,
        Duration::from_millis(200),
    )
    .await;
}

/// A worker started after the signal stops at once and reports (erratum E04).
#[tokio::test(start_paused = true)]
async fn app_shutdown_a_worker_started_after_the_signal_stops_too() {
    let out = Transcript::new();
    let (mut app, done_rx) = app_shutdown::App::new(out.clone());
    app.spawn_worker("early".into());
    app.shutdown();
    app.spawn_worker("late".into());
    within("the workers' stop", app.wait_stopped(done_rx))
        .await
        .unwrap();
    assert_eq!(
        out.lines(),
        [
            "early: received shutdown",
            "late: received shutdown",
            "early completed shutdown",
            "late completed shutdown",
        ]
    );
    assert_eq!(app.state(), app_shutdown::AppState::Stopped);
    assert_eq!(tasks_alive().await, 0);
}

/// Shutdown with no worker at all succeeds (the guide's version panics: erratum E03).
#[tokio::test(start_paused = true)]
async fn app_shutdown_with_no_workers_does_not_fail() {
    let (mut app, done_rx) = app_shutdown::App::new(Transcript::new());
    app.shutdown();
    within("the workers' stop", app.wait_stopped(done_rx))
        .await
        .unwrap();
    assert_eq!(app.state(), app_shutdown::AppState::Stopped);
}

#[tokio::test(start_paused = true)]
async fn state_machine_connects_sends_and_disconnects() {
    assert_pattern(state_machine::run, state_machine::EXPECTED, Duration::ZERO).await;
}

/// An invalid command is reported and leaves the state unchanged.
#[tokio::test]
async fn state_machine_rejects_send_while_disconnected() {
    use state_machine::{Command, State};
    let out = Transcript::new();
    let state = state_machine::step(State::Disconnected, Command::Send(vec![1]), &out);
    assert_eq!(state, State::Disconnected);
    assert_eq!(
        out.lines(),
        ["Invalid command Send([1]) in state Disconnected"]
    );
}
