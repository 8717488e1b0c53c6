// The guide's code as written (`app-shutdown`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::{broadcast, mpsc, watch};
use std::time::Duration;

struct App {
    // Broadcast for shutdown signal to all workers
    shutdown_tx: broadcast::Sender<()>,
    // Watch for current app state
    state_tx: watch::Sender<AppState>,
    // mpsc for workers to report completion
    done_tx: mpsc::Sender<String>,
}

#[derive(Clone, Debug)]
enum AppState {
    Running,
    ShuttingDown,
    Stopped,
}

impl App {
    fn new() -> (Self, mpsc::Receiver<String>) {
        let (shutdown_tx, _) = broadcast::channel(1);
        let (state_tx, _) = watch::channel(AppState::Running);
        let (done_tx, done_rx) = mpsc::channel(10);

        (App { shutdown_tx, state_tx, done_tx }, done_rx)
    }

    fn spawn_worker(&self, name: String) {
        let mut shutdown_rx = self.shutdown_tx.subscribe();
        let state_rx = self.state_tx.subscribe();
        let done_tx = self.done_tx.clone();

        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown_rx.recv() => {
                        println!("{}: received shutdown", name);
                        break;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {
                        // Simulate work
                    }
                }
            }

            // Cleanup and report done
            done_tx.send(name).await.unwrap();
        });
    }

    async fn shutdown(&self) {
        self.state_tx.send(AppState::ShuttingDown).unwrap();
        self.shutdown_tx.send(()).unwrap();
    }
}

pub async fn main() {
    let (app, mut done_rx) = App::new();

    // Spawn workers
    app.spawn_worker("worker-1".into());
    app.spawn_worker("worker-2".into());
    app.spawn_worker("worker-3".into());

    // Let them run
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Shutdown and wait for all to report done
    app.shutdown().await;
    drop(app.done_tx); // Close the channel

    while let Some(name) = done_rx.recv().await {
        println!("{} completed shutdown", name);
    }
}
