// The guide's code as written (`state-machine`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
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

    tokio::spawn(connection_manager(rx));

    tx.send(Command::Connect("localhost:8080".into())).await.unwrap();
    tx.send(Command::Send(vec![1, 2, 3])).await.unwrap();
    tx.send(Command::Disconnect).await.unwrap();

    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
}
