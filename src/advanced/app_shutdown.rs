//! "Graceful Shutdown with Channels": workers stop on a signal and report back when done.
//!
//! Two defects of the guide's `App` are fixed here:
//! - `shutdown()` panics: it `unwrap()`s `watch::Sender::send`, which fails when no receiver
//!   is left, and none is (the workers' receivers are dropped at once) (erratum E03);
//! - the signal is a broadcast message, which a worker subscribing after it was sent never
//!   gets, so that worker never stops (erratum E04).
//!
//! The watch of the app's state is the signal instead: a worker waits until the state is no
//! longer `Running`, which holds at once for a worker that starts late. `send_replace` cannot
//! fail. Worker tasks are kept in a `JoinSet`, so a worker's panic reaches `main`.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::{PatternResult, Transcript};

/// The application's lifecycle, observed by every worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    /// Workers keep working.
    Running,
    /// Workers finish what they do and report done.
    ShuttingDown,
    /// Every worker has reported done.
    Stopped,
}

/// Owns the state signal and the workers.
#[derive(Debug)]
pub struct App {
    state_tx: watch::Sender<AppState>,
    /// `None` once [`App::wait_stopped`] has run: it drops the app's own report sender so that
    /// the reports can end.
    done_tx: Option<mpsc::Sender<String>>,
    workers: JoinSet<()>,
    out: Transcript,
}

impl App {
    /// An app with no workers yet, and the receiver of the workers' done reports.
    pub fn new(out: Transcript) -> (Self, mpsc::Receiver<String>) {
        let (state_tx, _) = watch::channel(AppState::Running);
        let (done_tx, done_rx) = mpsc::channel(10);
        let app = App {
            state_tx,
            done_tx: Some(done_tx),
            workers: JoinSet::new(),
            out,
        };
        (app, done_rx)
    }

    /// Starts a worker that works in 100 ms steps until the app leaves `Running`, then
    /// reports its name as done. Works the same before and after [`App::shutdown`].
    pub fn spawn_worker(&mut self, name: String) {
        let mut state_rx = self.state_tx.subscribe();
        // After `wait_stopped` nobody collects reports; the worker stops at once anyway.
        let done_tx = self.done_tx.clone();
        let out = self.out.clone();

        self.workers.spawn(async move {
            loop {
                tokio::select! {
                    biased;
                    // Checks the current value first: a late worker stops at once. An Err means
                    // the App is gone, which is a shutdown too.
                    _ = state_rx.wait_for(|s| *s != AppState::Running) => {
                        out.line(format!("{name}: received shutdown"));
                        break;
                    }
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        // Simulated work.
                    }
                }
            }
            if let Some(done_tx) = done_tx {
                // Err only if nobody listens for reports any more; nothing is lost then.
                let _ = done_tx.send(name).await;
            }
        });
    }

    /// Tells every worker, present and future, to stop. Cannot fail.
    pub fn shutdown(&self) {
        self.state_tx.send_replace(AppState::ShuttingDown);
    }

    /// Waits for every worker's report, writing one line each, then marks the app stopped.
    pub async fn wait_stopped(&mut self, mut done_rx: mpsc::Receiver<String>) -> PatternResult {
        // The app's own sender would keep the reports open forever.
        self.done_tx = None;
        while let Some(name) = done_rx.recv().await {
            self.out.line(format!("{name} completed shutdown"));
        }
        while let Some(joined) = self.workers.join_next().await {
            joined?;
        }
        self.state_tx.send_replace(AppState::Stopped);
        Ok(())
    }

    /// The current state, as every worker sees it.
    pub fn state(&self) -> AppState {
        *self.state_tx.borrow()
    }
}

/// The guide's `main`, corrected.
pub async fn run(out: Transcript) -> PatternResult {
    let (mut app, done_rx) = App::new(out);

    app.spawn_worker("worker-1".into());
    app.spawn_worker("worker-2".into());
    app.spawn_worker("worker-3".into());

    tokio::time::sleep(Duration::from_millis(200)).await;

    app.shutdown();
    app.wait_stopped(done_rx).await
}

/// What [`run`] prints on a current-thread runtime.
pub const EXPECTED: &[&str] = &[
    "worker-1: received shutdown",
    "worker-2: received shutdown",
    "worker-3: received shutdown",
    "worker-1 completed shutdown",
    "worker-2 completed shutdown",
    "worker-3 completed shutdown",
];
