// The guide's example corrected (`app-shutdown`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
#[cfg(test)]
mod tests;
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
                // A worker started after the signal never receives it: the state shows it
                if !matches!(*state_rx.borrow(), AppState::Running) {
                    println!("{}: received shutdown", name);
                    break;
                }
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
        // With no worker left there is no receiver: that must not make shutdown fail
        self.state_tx.send_replace(AppState::ShuttingDown);
        let _ = self.shutdown_tx.send(());
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
    app.state_tx.send_replace(AppState::Stopped);
}
