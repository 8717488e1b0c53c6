//! The guide's state machine, verbatim but for its `println!`s (captured by
//! `patterns::capture`) and without the final sleep of its `main`: what erratum E07 says the
//! sleep hides. Through `patterns::rt`, it is tokio's in a normal build (`tests/guide/errata.rs`)
//! and loom's under the loom cfg (`tests/loom_models/loom_guide.rs`).

use patterns::capture::print_line;
use patterns::rt as tokio;
use tokio::sync::mpsc;

#[derive(Debug)]
enum Command {
    Connect(String),
    Send(Vec<u8>),
    Disconnect,
}

#[derive(Debug)]
enum State {
    Disconnected,
    Connected(String),
}

async fn connection_manager(mut cmd_rx: mpsc::Receiver<Command>) {
    let mut state = State::Disconnected;

    while let Some(cmd) = cmd_rx.recv().await {
        state = match (state, cmd) {
            (State::Disconnected, Command::Connect(addr)) => {
                print_line(format!("Connecting to {}", addr));
                State::Connected(addr)
            }

            (State::Connected(addr), Command::Send(data)) => {
                print_line(format!("Sending {} bytes to {}", data.len(), addr));
                State::Connected(addr)
            }

            (State::Connected(addr), Command::Disconnect) => {
                print_line(format!("Disconnecting from {}", addr));
                State::Disconnected
            }

            (state, cmd) => {
                print_line(format!("Invalid command {:?} in state {:?}", cmd, state));
                state
            }
        };
    }
}

/// The guide's `main`, without its `tokio::time::sleep(..).await` at the end.
pub async fn main() {
    let (tx, rx) = mpsc::channel(10);

    tokio::spawn(connection_manager(rx));

    tx.send(Command::Connect("localhost:8080".into()))
        .await
        .unwrap();
    tx.send(Command::Send(vec![1, 2, 3])).await.unwrap();
    tx.send(Command::Disconnect).await.unwrap();
}
