//! Guide section "broadcast - Multi-Producer, Multi-Consumer": its three examples.
//!
//! Tests: `tests/broadcast.rs` (whole transcripts), `tests/sync_broadcast.rs` (hand-polled
//! semantics), `tests/documented_output.rs` (the guide's Output block for lagging).

use tokio::sync::broadcast::{self, error::RecvError};

use crate::{PatternError, PatternResult, Transcript};

/// "Basic Example": two receivers subscribed before the send both get the message.
pub async fn basic(out: Transcript) -> PatternResult {
    let (tx, _) = broadcast::channel::<String>(16);

    // Subscribed before the send: a receiver only gets what is sent after it subscribes.
    let mut rx1 = tx.subscribe();
    let mut rx2 = tx.subscribe();

    tx.send("Hello everyone!".to_string())?;

    out.line(format!("rx1: {}", rx1.recv().await?));
    out.line(format!("rx2: {}", rx2.recv().await?));
    Ok(())
}

/// What [`basic`] prints.
pub const BASIC: &[&str] = &["rx1: Hello everyone!", "rx2: Hello everyone!"];

/// "Lagging Receivers": five sends into a buffer of two, then a receiver catches up.
///
/// The guide keeps the sender alive while it waits for `Closed`, so its loop never ends
/// (erratum E02). Dropping the sender first lets the receiver drain what is retained and
/// then see `Closed`.
pub async fn lagging(out: Transcript) -> PatternResult {
    let (tx, rx) = broadcast::channel::<i32>(2);
    lag_and_drain(tx, rx, 0..5, &out).await?;
    Ok(())
}

/// Sends `values` into `tx`, drops it, then receives until `Closed`, writing what the guide's
/// loop prints. Returns the values received, in order.
///
/// Taking the sender by value is the fix: the loop can only end once every sender is gone.
/// If clones of `tx` live elsewhere, this waits for them too, as `recv` must.
pub async fn lag_and_drain<I>(
    tx: broadcast::Sender<i32>,
    mut rx: broadcast::Receiver<i32>,
    values: I,
    out: &Transcript,
) -> Result<Vec<i32>, PatternError>
where
    I: IntoIterator<Item = i32>,
{
    for i in values {
        tx.send(i)?;
    }
    drop(tx);

    let mut received = Vec::new();
    loop {
        match rx.recv().await {
            Ok(value) => {
                out.line(format!("Received: {value}"));
                received.push(value);
            }
            Err(RecvError::Lagged(n)) => out.line(format!("Missed {n} messages")),
            Err(RecvError::Closed) => return Ok(received),
        }
    }
}

/// What [`lagging`] prints: exactly the guide's Output block.
pub const LAGGING: &[&str] = &["Missed 3 messages", "Received: 3", "Received: 4"];

/// The events of "Example: Event Distribution System".
#[derive(Clone, Debug)]
pub enum Event {
    /// A user logged in.
    UserLoggedIn(String),
    /// A user logged out (the guide declares it but never sends it).
    UserLoggedOut(String),
    /// A message from one user to another.
    MessageSent {
        /// The sender's name.
        from: String,
        /// The recipient's name.
        to: String,
    },
}

/// "Example: Event Distribution System": a logger and an analytics subscriber.
///
/// The guide sleeps 100 ms and hopes the subscribers are done, and leaves both subscriber
/// tasks running when `main` returns (erratum E06). Here the publisher drops its sender when
/// done, each subscriber's loop ends at `Closed`, and both tasks are awaited.
pub async fn events(out: Transcript) -> PatternResult {
    let (event_tx, _) = broadcast::channel::<Event>(100);

    let mut logger_rx = event_tx.subscribe();
    let logger_out = out.clone();
    let logger = tokio::spawn(async move {
        loop {
            match logger_rx.recv().await {
                Ok(event) => logger_out.line(format!("[LOG] {event:?}")),
                Err(RecvError::Closed) => return Ok(()),
                // A subscriber that must see everything reports a lag instead of hiding it.
                Err(RecvError::Lagged(n)) => return Err(RecvError::Lagged(n)),
            }
        }
    });

    let mut analytics_rx = event_tx.subscribe();
    let analytics_out = out.clone();
    let analytics = tokio::spawn(async move {
        let mut login_count = 0;
        loop {
            match analytics_rx.recv().await {
                Ok(Event::UserLoggedIn(_)) => {
                    login_count += 1;
                    analytics_out.line(format!("[ANALYTICS] Total logins: {login_count}"));
                }
                Ok(_) => {}
                Err(RecvError::Closed) => return Ok(()),
                Err(RecvError::Lagged(n)) => return Err(RecvError::Lagged(n)),
            }
        }
    });

    event_tx.send(Event::UserLoggedIn("alice".into()))?;
    event_tx.send(Event::UserLoggedIn("bob".into()))?;
    event_tx.send(Event::MessageSent {
        from: "alice".into(),
        to: "bob".into(),
    })?;

    // Closing the channel is the subscribers' signal that the stream is complete.
    drop(event_tx);
    logger.await??;
    analytics.await??;
    Ok(())
}

/// What [`events`] prints on a current-thread runtime (the logger runs first, having been
/// spawned first).
pub const EVENTS: &[&str] = &[
    "[LOG] UserLoggedIn(\"alice\")",
    "[LOG] UserLoggedIn(\"bob\")",
    "[LOG] MessageSent { from: \"alice\", to: \"bob\" }",
    "[ANALYTICS] Total logins: 1",
    "[ANALYTICS] Total logins: 2",
];
