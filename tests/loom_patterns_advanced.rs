//! Loom over the advanced patterns' own code (`channel_patterns::advanced`, and the guide's
//! code in `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of
//! their tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

mod loom_support;

use channel_patterns::advanced::app_shutdown::{self, App, AppState, Listen, Signal};
use channel_patterns::advanced::{select_shutdown, state_machine};
use channel_patterns::rt::{self, sync::broadcast};
use channel_patterns::shutdown::Shutdown;
use channel_patterns::{Transcript, as_written};
use loom_support::{
    explore, explore_bounded, interleaving, rejected, run_as_written, run_pattern,
};
use pretty_assertions::assert_eq;

/// Every work item accepted before the signal is processed, once and in order, and the worker
/// says it shuts down once. Where "Shutting down..." falls among them is not fixed, even with
/// `biased;`: a poll can find the queue empty, then the signal, both sent between the two
/// polls; the drain then processes what came. Loom found that schedule; the report's runtime
/// never runs it.
fn every_accepted_item_is_processed(lines: &[String], why: &str) {
    let processed: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("Processing"))
        .collect();
    assert_eq!(
        processed,
        ["Processing: task 1", "Processing: task 2"],
        "accepted work was not processed{why}"
    );
    let stops = lines.iter().filter(|l| *l == "Shutting down...").count();
    assert_eq!(stops, 1, "{why}");
}

/// E08: the guide's worker polls its branches without priority and `break`s at the signal, so
/// a schedule where the signal is ready while work is still queued drops that work. (Under
/// loom an unbiased `select!` rotates its first branch, see `rt::select`.)
#[test]
fn select_shutdown_every_accepted_item_is_processed() {
    explore("select-shutdown", || {
        let (lines, ran) = run_pattern(select_shutdown::run);
        let why = interleaving(&lines, &ran);
        ran.finished().unwrap();
        every_accepted_item_is_processed(&lines, &why);
    });
    let message = rejected("E08: the guide's select! worker", || {
        let (lines, ran) = run_as_written(as_written::select_shutdown::main);
        let why = interleaving(&lines, &ran);
        every_accepted_item_is_processed(&lines, &why);
        ran.finished();
    });
    assert!(
        message.contains("accepted work was not processed"),
        "{message}"
    );
}

/// Every worker reports that it received the signal, then that it completed, and the app ends
/// stopped with no task left. Workers run in any order, so each worker's pair of lines is what
/// is asserted, and that all three completed.
fn every_worker_stops_and_reports(lines: &[String], workers: &[&str], why: &str) {
    for name in workers {
        let received = lines
            .iter()
            .position(|l| *l == format!("{name}: received shutdown"));
        let completed = lines
            .iter()
            .position(|l| *l == format!("{name} completed shutdown"));
        assert!(
            matches!((received, completed), (Some(r), Some(c)) if r < c),
            "{name} did not stop and report{why}"
        );
    }
    assert_eq!(lines.len(), 2 * workers.len(), "unexpected lines{why}");
}

/// The guide's app: three workers, each stops and reports. Four tasks, each with a loop, are
/// more than CI's time allows at LOOM_MAX_PREEMPTIONS=3: this explores them at one preemption
/// with one pause per worker; the late-worker test below checks the same app at the full bound.
#[test]
fn app_shutdown_every_worker_stops_and_reports() {
    explore_bounded("app-shutdown, one pause per task", 1, || {
        let (lines, ran) = run_pattern(app_shutdown::run);
        let why = interleaving(&lines, &ran);
        ran.finished().unwrap();
        every_worker_stops_and_reports(&lines, &["worker-1", "worker-2", "worker-3"], &why);
    });
}

/// The app with an early worker, a shutdown, then a late worker: both stop and report.
async fn late_worker<S: Signal>(signal: S, out: Transcript) -> AppState {
    let (mut app, done_rx) = App::with_signal(signal, out);
    app.spawn_worker("early".into());
    app.shutdown();
    app.spawn_worker("late".into());
    // Err only if a worker panicked: fail the run then.
    app.wait_stopped(done_rx)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    app.state()
}

/// The guide's signal, as the one rule changed in the app: a broadcast message, which a
/// worker subscribed after it was sent never gets.
struct BroadcastSignal(broadcast::Sender<()>);

impl Signal for BroadcastSignal {
    type Listener = Subscription;

    fn listener(&self) -> Subscription {
        Subscription(self.0.subscribe())
    }

    fn trigger(&self) {
        // Err when no worker is subscribed: the guide unwraps it (E03).
        let _ = self.0.send(());
    }
}

/// A worker's subscription to the broadcast.
struct Subscription(broadcast::Receiver<()>);

impl Listen for Subscription {
    async fn triggered(&mut self) {
        // A message or the channel closed: either way the worker is told.
        let _ = self.0.recv().await;
    }
}

/// E04: every worker stops, also one started after the signal. With the guide's broadcast
/// message as the app's signal, the late worker never hears it: it works on, the app waits
/// for its report for ever, and the run is reported stuck.
#[test]
fn app_shutdown_a_worker_started_after_the_signal_stops_too() {
    explore("app-shutdown, a late worker", || {
        let (lines, ran) = run_pattern(|out| late_worker(Shutdown::new(), out));
        let why = interleaving(&lines, &ran);
        assert_eq!(ran.finished(), AppState::Stopped);
        every_worker_stops_and_reports(&lines, &["early", "late"], &why);
    });
    let message = rejected("E04: a broadcast signal and a late worker", || {
        let (lines, ran) = run_pattern(|out| {
            let (tx, _) = broadcast::channel(1);
            late_worker(BroadcastSignal(tx), out)
        });
        let why = interleaving(&lines, &ran);
        if let Some(stuck) = &ran.stuck {
            panic!("a worker never stopped: {}{why}", stuck.join("; "));
        }
    });
    assert!(message.contains("never stopped"), "{message}");
}

/// E03: the guide's app panics at shutdown (`watch::Sender::send` with no receiver left).
#[test]
fn app_shutdown_the_guide_panics_at_shutdown() {
    let message = rejected("E03: the guide's app", || {
        let (_, ran) = run_as_written(as_written::app_shutdown::main);
        ran.finished();
    });
    assert!(message.contains("SendError"), "{message}");
}

/// The manager applies every command in order and reaches its final state before the pattern
/// returns. E07: the guide's `main` only sleeps and returns, so a schedule where it returns
/// before the manager is done is found.
#[test]
fn state_machine_reaches_its_final_state() {
    explore("state-machine", || {
        let (lines, ran) = run_pattern(state_machine::run);
        let why = interleaving(&lines, &ran);
        ran.finished().unwrap();
        assert_eq!(lines, state_machine::EXPECTED, "{why}");
    });
    explore("state-machine, the final state", || {
        let (lines, ran) = run_pattern(|out| async move {
            let (tx, rx) = rt::sync::mpsc::channel(10);
            let manager = rt::spawn(state_machine::connection_manager(rx, out));
            for cmd in [
                state_machine::Command::Connect("localhost:8080".into()),
                state_machine::Command::Send(vec![1, 2, 3]),
                state_machine::Command::Disconnect,
            ] {
                tx.send(cmd)
                    .await
                    .unwrap_or_else(|_| panic!("manager gone"));
            }
            drop(tx);
            manager.await
        });
        let why = interleaving(&lines, &ran);
        let state = ran.finished().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(state, state_machine::State::Disconnected, "{why}");
        assert_eq!(lines, state_machine::EXPECTED, "{why}");
    });
    let message = rejected(
        "E07: the guide's state machine, synchronised by a sleep",
        || {
            let (lines, ran) = run_as_written(as_written::state_machine::main);
            let why = interleaving(&lines, &ran);
            assert_eq!(lines, state_machine::EXPECTED, "main returned first{why}");
            assert!(
                ran.left_running.is_empty(),
                "the manager was left running{why}"
            );
        },
    );
    assert!(
        message.contains("main returned first") || message.contains("left running"),
        "{message}"
    );
}

/// The loom `select!` (behind `rt::select!`) when every branch is ready: `biased;` always
/// takes the first, and an unbiased one rotates which branch it polls first, one step per
/// `select!` the task runs, so successive selects each let a different branch win.
#[test]
fn select_rotates_its_first_branch_unless_biased() {
    loom::model(|| {
        tokio_test::block_on(async {
            let mut winners = Vec::new();
            for _ in 0..6 {
                winners.push(rt::select! {
                    a = std::future::ready(0) => a,
                    b = std::future::ready(1) => b,
                    c = std::future::ready(2) => c,
                });
            }
            assert_eq!(winners, [0, 1, 2, 0, 1, 2]);
            for _ in 0..3 {
                let first = rt::select! {
                    biased;
                    a = std::future::ready(0) => a,
                    b = std::future::ready(1) => b,
                };
                assert_eq!(first, 0);
            }
        });
    });
}
