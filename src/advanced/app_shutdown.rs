//! "Graceful Shutdown with Channels": workers stop on a signal and report back when done.
//!
//! Two defects of the guide's `App` are fixed here:
//! - `shutdown()` panics: it `unwrap()`s `watch::Sender::send`, which fails when no receiver
//!   is left, and none is (the workers' receivers are dropped at once) (erratum E03);
//! - the signal is a broadcast message, which a worker subscribing after it was sent never
//!   gets, so that worker never stops (erratum E04).
//!
//! The signal is [`crate::shutdown::Shutdown`], the one shutdown of this crate (the proxy's
//! drain uses it too): a state, not a message, so a worker that starts after it sees it at
//! once. The watch of the app's state stays, for observers, and is updated with `send_replace`,
//! which cannot fail. Worker tasks' handles are kept and joined, so a worker's panic reaches
//! `main`.
//!
//! The app is generic over its [`Signal`] so that a loom test can run this very app with the
//! guide's broadcast message in its place (one rule changed) and show E04 on every schedule.

use std::future::Future;
use std::time::Duration;

use crate::rt;
use crate::rt::sync::{mpsc, watch};
use crate::rt::task::JoinHandle;
use crate::shutdown::{Listener, Shutdown};

use crate::{PatternResult, Transcript};

/// The application's lifecycle, observed by every worker.
// guide: begin app
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    /// Workers keep working.
    Running,
    /// Workers finish what they do and report done.
    ShuttingDown,
    /// Every worker has reported done.
    Stopped,
}

/// What tells the workers to stop.
pub trait Signal: Send + Sync + 'static {
    /// A worker's side of the signal.
    type Listener: Listen;
    /// A new worker's side; the app takes one for each worker when it starts it.
    fn listener(&self) -> Self::Listener;
    /// Tells the workers to stop.
    fn trigger(&self);
}

/// A worker's side of a [`Signal`].
pub trait Listen: Send + 'static {
    /// Completes once the worker is to stop.
    fn triggered(&mut self) -> impl Future<Output = ()> + Send + '_;
}

impl Signal for Shutdown {
    type Listener = Listener;

    fn listener(&self) -> Listener {
        Shutdown::listener(self)
    }

    fn trigger(&self) {
        Shutdown::trigger(self);
    }
}

impl Listen for Listener {
    fn triggered(&mut self) -> impl Future<Output = ()> + Send + '_ {
        Listener::triggered(self)
    }
}

/// Owns the signal, the state and the workers.
#[derive(Debug)]
pub struct App<S: Signal = Shutdown> {
    signal: S,
    state_tx: watch::Sender<AppState>,
    /// `None` once [`App::wait_stopped`] has run: it drops the app's own report sender so that
    /// the reports can end.
    done_tx: Option<mpsc::Sender<String>>,
    workers: Vec<JoinHandle<()>>,
    out: Transcript,
}

impl App {
    /// An app with no workers yet, and the receiver of the workers' done reports.
    pub fn new(out: Transcript) -> (Self, mpsc::Receiver<String>) {
        App::with_signal(Shutdown::new(), out)
    }
}

impl<S: Signal> App<S> {
    /// [`App::new`] with another signal.
    pub fn with_signal(signal: S, out: Transcript) -> (Self, mpsc::Receiver<String>) {
        let (state_tx, _) = watch::channel(AppState::Running);
        let (done_tx, done_rx) = mpsc::channel(10);
        let app = App {
            signal,
            state_tx,
            done_tx: Some(done_tx),
            workers: Vec::new(),
            out,
        };
        (app, done_rx)
    }

    /// Starts a worker that works in 100 ms steps until the signal, then reports its name as
    /// done. Works the same before and after [`App::shutdown`].
    #[track_caller]
    pub fn spawn_worker(&mut self, name: String) {
        let mut listener = self.signal.listener();
        // After `wait_stopped` nobody collects reports; the worker stops at once anyway.
        let done_tx = self.done_tx.clone();
        let out = self.out.clone();

        self.workers.push(rt::spawn(async move {
            loop {
                rt::select! {
                    biased;
                    // Checked first: a worker that starts after the signal stops at once.
                    () = listener.triggered() => {
                        out.line(format!("{name}: received shutdown"));
                        break;
                    }
                    () = rt::time::sleep(Duration::from_millis(100)) => {
                        // Simulated work.
                    }
                }
            }
            if let Some(done_tx) = done_tx {
                // Err only if nobody listens for reports any more; nothing is lost then.
                let _ = done_tx.send(name).await;
            }
        }));
    }

    /// Tells every worker, present and future, to stop. Cannot fail.
    pub fn shutdown(&self) {
        self.state_tx.send_replace(AppState::ShuttingDown);
        self.signal.trigger();
    }

    /// Waits for every worker's report, writing one line each, then marks the app stopped.
    ///
    /// # Errors
    /// A worker that panicked.
    pub async fn wait_stopped(&mut self, mut done_rx: mpsc::Receiver<String>) -> PatternResult {
        // The app's own sender would keep the reports open forever.
        self.done_tx = None;
        while let Some(name) = done_rx.recv().await {
            self.out.line(format!("{name} completed shutdown"));
        }
        for worker in self.workers.drain(..) {
            worker.await?;
        }
        self.state_tx.send_replace(AppState::Stopped);
        Ok(())
    }

    /// The current state, as observers see it.
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

    rt::time::sleep(Duration::from_millis(200)).await;

    app.shutdown();
    app.wait_stopped(done_rx).await
}
// guide: end app

/// What [`run`] prints on a current-thread runtime.
pub const EXPECTED: &[&str] = &[
    "worker-1: received shutdown",
    "worker-2: received shutdown",
    "worker-3: received shutdown",
    "worker-1 completed shutdown",
    "worker-2 completed shutdown",
    "worker-3 completed shutdown",
];
