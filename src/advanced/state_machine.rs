//! "Channel-Based State Machines": an mpsc channel of commands drives a connection's state.
//!
//! The guide's `main` sleeps 50 ms and returns, hoping the manager is done, and leaves the
//! manager task running (erratum E07). Here `main` drops the sender, which ends the manager's
//! loop, and awaits the task.

use crate::rt;
use crate::rt::sync::mpsc;

use crate::{PatternResult, Transcript};

/// A command for the connection manager.
// guide: begin state_machine
#[derive(Debug)]
pub enum Command {
    /// Connect to an address.
    Connect(String),
    /// Send bytes over the connection.
    Send(Vec<u8>),
    /// Close the connection.
    Disconnect,
}

/// The connection's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Not connected.
    Disconnected,
    /// Connected to this address.
    Connected(String),
}

/// Applies commands in order until every sender is gone, and returns the final state.
pub async fn connection_manager(mut cmd_rx: mpsc::Receiver<Command>, out: Transcript) -> State {
    let mut state = State::Disconnected;
    while let Some(cmd) = cmd_rx.recv().await {
        state = step(state, cmd, &out);
    }
    state
}

/// One transition; an invalid command leaves the state as it was.
pub fn step(state: State, cmd: Command, out: &Transcript) -> State {
    match (state, cmd) {
        (State::Disconnected, Command::Connect(addr)) => {
            out.line(format!("Connecting to {addr}"));
            State::Connected(addr)
        }
        (State::Connected(addr), Command::Send(data)) => {
            out.line(format!("Sending {} bytes to {addr}", data.len()));
            State::Connected(addr)
        }
        (State::Connected(addr), Command::Disconnect) => {
            out.line(format!("Disconnecting from {addr}"));
            State::Disconnected
        }
        (state, cmd) => {
            out.line(format!("Invalid command {cmd:?} in state {state:?}"));
            state
        }
    }
}

/// The guide's `main`, corrected: no sleep, and the manager is awaited.
pub async fn run(out: Transcript) -> PatternResult {
    let (tx, rx) = mpsc::channel(10);
    let manager = rt::spawn(connection_manager(rx, out));

    tx.send(Command::Connect("localhost:8080".into())).await?;
    tx.send(Command::Send(vec![1, 2, 3])).await?;
    tx.send(Command::Disconnect).await?;

    // The last sender gone is the manager's signal that no command will follow.
    drop(tx);
    manager.await?;
    Ok(())
}
// guide: end state_machine

/// What [`run`] prints.
pub const EXPECTED: &[&str] = &[
    "Connecting to localhost:8080",
    "Sending 3 bytes to localhost:8080",
    "Disconnecting from localhost:8080",
];
