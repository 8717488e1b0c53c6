//! Guide section "watch - Single Value Observable": its first three examples. The fourth, the
//! proxy's idle timeout, is [`crate::proxy`].
//!
//! Tests: `tests/watch.rs` (whole transcripts), `tests/sync_watch.rs` (hand-polled semantics).

use std::time::Duration;

use crate::rt;
use crate::rt::sync::watch;

use crate::{PatternError, PatternResult, Transcript};

/// "Basic Usage": read the value, update it, read it again.
// guide: begin basic
pub async fn basic(out: Transcript) -> PatternResult {
    let (tx, rx) = watch::channel("initial");
    out.line(format!("Current: {}", *rx.borrow()));
    // `send` fails when no receiver is left; `rx` is alive, and an error is reported, not hidden.
    tx.send("updated")?;
    out.line(format!("Current: {}", *rx.borrow()));
    Ok(())
}
// guide: end basic

/// What [`basic`] prints.
pub const BASIC: &[&str] = &["Current: initial", "Current: updated"];

/// "Multiple Receivers": two receivers see the same current value, before and after a send.
// guide: begin multi_receiver
pub async fn multi_receiver(out: Transcript) -> PatternResult {
    let (tx, rx) = watch::channel(0);
    let rx2 = rx.clone();

    out.line(format!("rx1 sees: {}", *rx.borrow()));
    out.line(format!("rx2 sees: {}", *rx2.borrow()));

    tx.send(42)?;

    out.line(format!("rx1 sees: {}", *rx.borrow()));
    out.line(format!("rx2 sees: {}", *rx2.borrow()));
    Ok(())
}
// guide: end multi_receiver

/// What [`multi_receiver`] prints.
pub const MULTI_RECEIVER: &[&str] = &["rx1 sees: 0", "rx2 sees: 0", "rx1 sees: 42", "rx2 sees: 42"];

/// "`borrow()` vs `changed().await`": an updater sends 1, 2, 3 at 100 ms intervals.
///
/// `changed()` completes on every *send*, also one that stores an equal value (erratum E10);
/// the updater here sends distinct values, as the guide's does. The guide's loop stops at 3;
/// [`follow`] stops when the updater is gone, which is the same here and also ends a loop whose
/// updater stops early.
// guide: begin changed
pub async fn changed(out: Transcript) -> PatternResult {
    let (tx, rx) = watch::channel(0);

    let updater = rt::spawn(async move {
        for i in 1..=3 {
            rt::time::sleep(Duration::from_millis(100)).await;
            tx.send(i)?;
        }
        Ok::<_, watch::error::SendError<i32>>(())
    });

    for value in follow(rx).await {
        out.line(format!("Value changed to: {value}"));
    }
    updater.await??;
    Ok(())
}
// guide: end changed

/// Every value a `changed()` loop sees until the last sender is gone: at least the latest
/// value at each wake-up, in send order, never an older one after a newer one.
// guide: begin follow
pub async fn follow<T: Clone>(mut rx: watch::Receiver<T>) -> Vec<T> {
    let mut seen = Vec::new();
    // Err once every sender is gone and the last value has been seen.
    while rx.changed().await.is_ok() {
        // Cloned out at once: a `Ref` held across an await would block the senders.
        seen.push(rx.borrow_and_update().clone());
    }
    seen
}
// guide: end follow

/// What [`observe`] saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed<T> {
    /// `(time since start, value)` of each `borrow()` by the sampling reader.
    pub samples: Vec<(Duration, T)>,
    /// Each value the `changed()` reader saw ([`follow`]).
    pub changes: Vec<T>,
}

/// The watch pattern in general: one updater sends `sends` (waiting each one's delay first),
/// while one reader samples with `borrow()` after each of `reads`' delays and another follows
/// every change. Returns what both readers saw.
///
/// # Errors
/// A reader task that panicked.
pub async fn observe<T>(
    initial: T,
    sends: Vec<(Duration, T)>,
    reads: Vec<Duration>,
) -> Result<Observed<T>, PatternError>
where
    T: Clone + Send + Sync + 'static,
{
    let start = tokio::time::Instant::now();
    let (tx, rx) = watch::channel(initial);

    let follower = rt::spawn(follow(rx.clone()));
    let sampler = rt::spawn(async move {
        let mut samples = Vec::new();
        for delay in reads {
            rt::time::sleep(delay).await;
            samples.push((start.elapsed(), rx.borrow().clone()));
        }
        samples
    });

    for (delay, value) in sends {
        rt::time::sleep(delay).await;
        // send_replace: the readers may be done already, and the value is stored regardless.
        tx.send_replace(value);
    }
    drop(tx);
    Ok(Observed {
        samples: sampler.await?,
        changes: follower.await?,
    })
}

/// What [`changed`] prints.
pub const CHANGED: &[&str] = &[
    "Value changed to: 1",
    "Value changed to: 2",
    "Value changed to: 3",
];

/// "Real Example: Idle Timeout in proxy.rs", over in-memory streams: a client sends `ping`, the
/// upstream answers `pong` a second later, then both fall silent until the 5 s idle timeout.
///
/// The relay is [`crate::proxy::relay()`]: its timeout fires at exactly latest activity + 5 s on
/// Tokio's clock, and both peers then see EOF.
///
/// Nothing is spawned: tokio's I/O and timer, which loom cannot see, stay out of
/// [`crate::rt`].
// guide: begin idle_timeout
pub async fn idle_timeout(out: Transcript) -> PatternResult {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Instant;

    let start = Instant::now();
    let at = move || start.elapsed().as_millis();
    let (mut client, proxy_client_side) = tokio::io::duplex(1024);
    let (proxy_upstream_side, mut upstream) = tokio::io::duplex(1024);
    // The relay runs beside the peers in this one task.
    let relay = crate::proxy::relay(
        proxy_client_side,
        proxy_upstream_side,
        Duration::from_secs(5),
    );
    let peers = async {
        let mut buf = [0u8; 4];
        client.write_all(b"ping").await?;
        upstream.read_exact(&mut buf).await?;
        out.line(format!("upstream got {:?} at {}ms", bytes_str(&buf), at()));

        tokio::time::sleep(Duration::from_secs(1)).await;
        upstream.write_all(b"pong").await?;
        client.read_exact(&mut buf).await?;
        out.line(format!("client got {:?} at {}ms", bytes_str(&buf), at()));
        Ok::<_, std::io::Error>(())
    };
    let (outcome, peers) = tokio::join!(relay, peers);
    peers?;
    out.line(format!(
        "relay closed at {}ms: {:?}, {} bytes client->upstream, {} bytes upstream->client",
        at(),
        outcome.reason,
        outcome.client_to_upstream,
        outcome.upstream_to_client
    ));
    // Both streams were dropped with the relay: each peer reads EOF.
    let mut buf = [0u8; 4];
    let client_read = client.read(&mut buf).await?;
    let upstream_read = upstream.read(&mut buf).await?;
    out.line(format!(
        "client read {client_read} bytes, upstream read {upstream_read} bytes: both closed"
    ));
    Ok(())
}
// guide: end idle_timeout

// guide: begin bytes_str
fn bytes_str(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
// guide: end bytes_str

/// What [`idle_timeout`] prints: the timeout fires 5 s after the last activity, at 6 s.
pub const IDLE_TIMEOUT: &[&str] = &[
    "upstream got \"ping\" at 0ms",
    "client got \"pong\" at 1000ms",
    "relay closed at 6000ms: IdleTimeout, 4 bytes client->upstream, 4 bytes upstream->client",
    "client read 0 bytes, upstream read 0 bytes: both closed",
];
