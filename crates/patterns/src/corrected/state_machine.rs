// The guide's example corrected (`state-machine`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
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
                println!("Connecting to {}", addr);
                State::Connected(addr)
            }

            (State::Connected(addr), Command::Send(data)) => {
                println!("Sending {} bytes to {}", data.len(), addr);
                State::Connected(addr)
            }

            (State::Connected(addr), Command::Disconnect) => {
                println!("Disconnecting from {}", addr);
                State::Disconnected
            }

            (state, cmd) => {
                println!("Invalid command {:?} in state {:?}", cmd, state);
                state
            }
        };
    }
}

pub async fn main() {
    let (tx, rx) = mpsc::channel(10);

    let manager = tokio::spawn(connection_manager(rx));

    tx.send(Command::Connect("localhost:8080".into())).await.unwrap();
    tx.send(Command::Send(vec![1, 2, 3])).await.unwrap();
    tx.send(Command::Disconnect).await.unwrap();

    // Close the channel, then wait for the manager to handle every command
    drop(tx);
    manager.await.unwrap();
}
