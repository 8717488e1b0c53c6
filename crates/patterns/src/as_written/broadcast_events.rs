// The guide's code as written (`broadcast-events`), defects included: see ERRATA.md.
// Generated from guide/tokio-channels.md; the only edits are listed in as_written/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::broadcast;
use std::time::Duration;

#[derive(Clone, Debug)]
enum Event {
    UserLoggedIn(String),
    UserLoggedOut(String),
    MessageSent { from: String, to: String },
}

pub async fn main() {
    let (event_tx, _) = broadcast::channel::<Event>(100);

    // Logger subscriber
    let mut logger_rx = event_tx.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = logger_rx.recv().await {
            println!("[LOG] {:?}", event);
        }
    });

    // Analytics subscriber
    let mut analytics_rx = event_tx.subscribe();
    tokio::spawn(async move {
        let mut login_count = 0;
        while let Ok(event) = analytics_rx.recv().await {
            if matches!(event, Event::UserLoggedIn(_)) {
                login_count += 1;
                println!("[ANALYTICS] Total logins: {}", login_count);
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

    // Give subscribers time to process
    tokio::time::sleep(Duration::from_millis(100)).await;
}
