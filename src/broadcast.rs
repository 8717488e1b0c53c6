//! Guide section "broadcast - Multi-Producer, Multi-Consumer": its three examples.
//!
//! Tests: `tests/broadcast.rs` (whole transcripts), `tests/sync_broadcast.rs` (hand-polled
//! semantics), `tests/documented_output.rs` (the guide's Output block for lagging).

use std::time::Duration;

use crate::rt;
use crate::rt::sync::broadcast::{self, error::RecvError};

use crate::{PatternError, PatternResult, Transcript};

/// "Basic Example": two receivers subscribed before the send both get the message.
// guide: begin basic
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
// guide: end basic

/// What [`basic`] prints.
pub const BASIC: &[&str] = &["rx1: Hello everyone!", "rx2: Hello everyone!"];

/// "Lagging Receivers": five sends into a buffer of two, then a receiver catches up.
///
/// The guide keeps the sender alive while it waits for `Closed`, so its loop never ends
/// (erratum E02). Dropping the sender first lets the receiver drain what is retained and
/// then see `Closed`.
// guide: begin lagging
pub async fn lagging(out: Transcript) -> PatternResult {
    let (tx, rx) = broadcast::channel::<i32>(2);
    lag_and_drain(tx, rx, 0..5, &out).await?;
    Ok(())
}
// guide: end lagging

/// Sends `values` into `tx`, drops it, then receives until `Closed`, writing what the guide's
/// loop prints. Returns the values received, in order.
///
/// Taking the sender by value is the fix: the loop can only end once every sender is gone.
/// If clones of `tx` live elsewhere, this waits for them too, as `recv` must.
// guide: begin lag_and_drain
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
// guide: end lag_and_drain

/// What [`lagging`] prints: exactly the guide's Output block.
pub const LAGGING: &[&str] = &["Missed 3 messages", "Received: 3", "Received: 4"];

/// The events of "Example: Event Distribution System".
// guide: begin Event
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
// guide: end Event

/// "Example: Event Distribution System": a logger and an analytics subscriber.
///
/// The guide sleeps 100 ms and hopes the subscribers are done, and leaves both subscriber
/// tasks running when `main` returns (erratum E06). Here [`distribute`] drops the sender when
/// done, each subscriber's loop ends at `Closed`, and both tasks are awaited.
// guide: begin events
pub async fn events(out: Transcript) -> PatternResult {
    let subscribers: Vec<Box<dyn Subscriber<Event>>> = vec![
        Box::new(Logger { out: out.clone() }),
        Box::new(Analytics {
            out,
            login_count: 0,
        }),
    ];
    let events = vec![
        Event::UserLoggedIn("alice".into()),
        Event::UserLoggedIn("bob".into()),
        Event::MessageSent {
            from: "alice".into(),
            to: "bob".into(),
        },
    ];
    distribute(
        events.into_iter().map(|e| (Duration::ZERO, e)),
        subscribers,
        100,
    )
    .await
}
// guide: end events

/// What one subscriber gets from the channel.
// guide: begin Delivery
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery<T> {
    /// The next event.
    Event(T),
    /// The subscriber fell behind and this many events were overwritten before it read them.
    Missed(u64),
}
// guide: end Delivery

/// A subscriber of [`distribute`]: handles each delivery and says how long it takes.
// guide: begin Subscriber
pub trait Subscriber<T>: Send + 'static {
    /// Handles one delivery; the subscriber then is busy for the returned time before it
    /// receives again (which is how a slow subscriber comes to lag).
    fn deliver(&mut self, delivery: Delivery<T>) -> Duration;
}
// guide: end Subscriber

/// The event-distribution pattern in general: subscribes every subscriber before the first
/// event, publishes `events` (waiting each one's delay first), closes the channel, and waits
/// until every subscriber has handled everything it can still get.
///
/// With no subscriber at all the events go nowhere, as nobody asked for them.
///
/// # Errors
/// A subscriber task that panicked.
// guide: begin distribute
pub async fn distribute<T>(
    events: impl IntoIterator<Item = (Duration, T)>,
    subscribers: Vec<Box<dyn Subscriber<T>>>,
    capacity: usize,
) -> PatternResult
where
    T: Clone + Send + 'static,
{
    let (tx, _) = broadcast::channel::<T>(capacity);

    let mut tasks = Vec::new();
    for mut subscriber in subscribers {
        // Subscribed here, before any send: a receiver only gets what is sent after this.
        let mut rx = tx.subscribe();
        tasks.push(rt::spawn(async move {
            loop {
                let delivery = match rx.recv().await {
                    Ok(event) => Delivery::Event(event),
                    Err(RecvError::Lagged(n)) => Delivery::Missed(n),
                    Err(RecvError::Closed) => return,
                };
                rt::time::sleep(subscriber.deliver(delivery)).await;
            }
        }));
    }

    for (delay, event) in events {
        rt::time::sleep(delay).await;
        // Err only when there is no subscriber at all.
        let _ = tx.send(event);
    }
    // Closing the channel is the subscribers' signal that the stream is complete.
    drop(tx);
    for task in tasks {
        task.await?;
    }
    Ok(())
}
// guide: end distribute

/// The guide's logger: one line per event.
// guide: begin Logger
struct Logger {
    out: Transcript,
}

impl Subscriber<Event> for Logger {
    fn deliver(&mut self, delivery: Delivery<Event>) -> Duration {
        match delivery {
            Delivery::Event(event) => self.out.line(format!("[LOG] {event:?}")),
            Delivery::Missed(n) => self.out.line(format!("[LOG] missed {n} events")),
        }
        Duration::ZERO
    }
}
// guide: end Logger

/// The guide's analytics: counts logins.
// guide: begin Analytics
struct Analytics {
    out: Transcript,
    login_count: u64,
}

impl Subscriber<Event> for Analytics {
    fn deliver(&mut self, delivery: Delivery<Event>) -> Duration {
        match delivery {
            Delivery::Event(Event::UserLoggedIn(_)) => {
                self.login_count += 1;
                self.out
                    .line(format!("[ANALYTICS] Total logins: {}", self.login_count));
            }
            Delivery::Event(_) => {}
            // A lost login makes the total a lower bound; say so rather than miscount quietly.
            Delivery::Missed(n) => self.out.line(format!("[ANALYTICS] missed {n} events")),
        }
        Duration::ZERO
    }
}
// guide: end Analytics

/// What [`events`] prints on a current-thread runtime (the logger runs first, having been
/// spawned first).
pub const EVENTS: &[&str] = &[
    "[LOG] UserLoggedIn(\"alice\")",
    "[LOG] UserLoggedIn(\"bob\")",
    "[LOG] MessageSent { from: \"alice\", to: \"bob\" }",
    "[ANALYTICS] Total logins: 1",
    "[ANALYTICS] Total logins: 2",
];
