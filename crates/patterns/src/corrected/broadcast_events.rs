// The guide's example corrected (`broadcast-events`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::broadcast;

#[derive(Clone, Debug)]
#[allow(dead_code)] // UserLoggedOut is never sent below
enum Event {
    UserLoggedIn(String),
    UserLoggedOut(String),
    MessageSent { from: String, to: String },
}

pub async fn main() {
    let (event_tx, _) = broadcast::channel::<Event>(100);

    // Logger subscriber
    let mut logger_rx = event_tx.subscribe();
    let logger = tokio::spawn(async move {
        loop {
            match logger_rx.recv().await {
                Ok(event) => println!("[LOG] {:?}", event),
                // Fell behind: events were overwritten, but more may come
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    println!("[LOG] missed {} events", n);
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });

    // Analytics subscriber
    let mut analytics_rx = event_tx.subscribe();
    let analytics = tokio::spawn(async move {
        let mut login_count = 0;
        loop {
            match analytics_rx.recv().await {
                Ok(event) => {
                    if matches!(event, Event::UserLoggedIn(_)) {
                        login_count += 1;
                        println!("[ANALYTICS] Total logins: {}", login_count);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    println!("[ANALYTICS] missed {} events", n);
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });

    // Publish events
    event_tx.send(Event::UserLoggedIn("alice".into())).unwrap();
    event_tx.send(Event::UserLoggedIn("bob".into())).unwrap();
    event_tx.send(Event::MessageSent {
        from: "alice".into(),
        to: "bob".into(),
    }).unwrap();

    // Close the channel: each subscriber's loop ends after the last event
    drop(event_tx);
    logger.await.unwrap();
    analytics.await.unwrap();
}
