//! The corrected `App` beyond what its `main` does: the cases of errata E03 and E04, which the
//! guide's program never reaches. A child module, so that it reaches the block's private items
//! without the block making anything public for it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failure is the test's failure"
)]

use super::{App, AppState};
use crate::Transcript;
use crate::capture::capture;

/// An early worker, the shutdown, then a late worker (E04: with the guide's broadcast alone, it
/// never stops); waits for both reports, as the guide's `main` does, and returns the final
/// state.
async fn early_and_late_worker() -> AppState {
    let (app, mut done_rx) = App::new();
    app.spawn_worker("early".into());
    app.shutdown().await;
    app.spawn_worker("late".into());
    drop(app.done_tx);
    while let Some(name) = done_rx.recv().await {
        println!("{} completed shutdown", name);
    }
    app.state_tx.send_replace(AppState::Stopped);
    app.state_tx.borrow().clone()
}

/// Both reports, each after its worker's "received shutdown".
fn both_stop_and_report(lines: &[String]) -> bool {
    let at = |line: &str| lines.iter().position(|l| l == line);
    ["early", "late"].iter().all(|name| {
        matches!(
            (at(&format!("{name}: received shutdown")), at(&format!("{name} completed shutdown"))),
            (Some(r), Some(c)) if r < c
        )
    }) && lines.len() == 4
}

#[cfg(not(channel_patterns_loom))]
mod tokio_paused {
    use std::time::Duration;

    use super::*;

    /// Runs `f` on a current-thread runtime in paused time, its prints captured, within an hour
    /// of Tokio's time.
    fn paused<T>(f: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
        let out = Transcript::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let result = capture(&out, || {
            runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(3600), f)
                    .await
                    .expect("still waiting after an hour of Tokio's time")
            })
        });
        (result, out.lines())
    }

    /// E04, fixed: a worker started after the signal, which it never receives, sees the state
    /// and stops at once; both workers report, and the app ends stopped.
    #[test]
    fn a_worker_started_after_the_shutdown_stops_and_reports() {
        let (state, lines) = paused(early_and_late_worker());
        assert!(both_stop_and_report(&lines), "{lines:?}");
        assert!(matches!(state, AppState::Stopped), "{state:?}");
    }

    /// E03, fixed: with no worker at all, neither the state nor the signal has a receiver, and
    /// shutting down does not panic.
    #[test]
    fn shutdown_with_no_worker_does_not_fail() {
        let ((), lines) = paused(async {
            let (app, _done_rx) = App::new();
            app.shutdown().await;
        });
        assert_eq!(lines, Vec::<String>::new());
    }
}

#[cfg(channel_patterns_loom)]
mod loom {
    use super::*;

    /// E04, fixed, on every schedule: the late worker stops whether it looks at the state
    /// before or after the signal, and both report.
    #[test]
    fn a_worker_started_after_the_shutdown_stops_and_reports_on_every_schedule() {
        ::loom::model(|| {
            let out = Transcript::new();
            let ran = capture(&out, || crate::rt::task::run(early_and_late_worker()));
            let lines = out.lines();
            let state = ran.finished();
            assert!(both_stop_and_report(&lines), "{lines:?}");
            assert!(matches!(state, AppState::Stopped), "{state:?}");
        });
    }
}
