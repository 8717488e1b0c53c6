//! The relay behind the `watch-idle-timeout` pattern and the proxy (`proxy::relay`), over
//! in-memory duplex streams in paused time: exact idle timeout, half-close, errors, cleanup.
mod common;

use std::time::Duration;

use channel_patterns::proxy::{self, CloseReason, Outcome};
use common::tasks_alive;
use pretty_assertions::assert_eq;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const TIMEOUT: Duration = Duration::from_secs(2);

/// A relay between a test client and a test upstream: (client end, upstream end, relay).
fn relay() -> (DuplexStream, DuplexStream, JoinHandle<Outcome>) {
    let (client, proxy_client_side) = tokio::io::duplex(64);
    let (proxy_upstream_side, upstream) = tokio::io::duplex(64);
    let relay = tokio::spawn(proxy::relay(
        proxy_client_side,
        proxy_upstream_side,
        TIMEOUT,
    ));
    (client, upstream, relay)
}

/// With no activity at all, the timeout fires exactly one timeout after the start.
#[tokio::test(start_paused = true)]
async fn idle_from_the_start_times_out_at_exactly_the_timeout() {
    let start = Instant::now();
    let (_client, _upstream, relay) = relay();
    let outcome = relay.await.unwrap();
    assert_eq!(start.elapsed(), TIMEOUT);
    assert_eq!(outcome.reason, CloseReason::IdleTimeout);
}

/// Activity in either direction moves the deadline to that activity + timeout, exactly.
#[tokio::test(start_paused = true)]
async fn activity_in_either_direction_moves_the_deadline() {
    for client_speaks in [true, false] {
        let start = Instant::now();
        let (mut client, mut upstream, relay) = relay();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let mut buf = [0u8; 2];
        if client_speaks {
            client.write_all(b"hi").await.unwrap();
            upstream.read_exact(&mut buf).await.unwrap();
        } else {
            upstream.write_all(b"hi").await.unwrap();
            client.read_exact(&mut buf).await.unwrap();
        }
        let outcome = relay.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(1500) + TIMEOUT);
        assert_eq!(outcome.reason, CloseReason::IdleTimeout);
        let (c2u, u2c) = if client_speaks { (2, 0) } else { (0, 2) };
        assert_eq!(
            (outcome.client_to_upstream, outcome.upstream_to_client),
            (c2u, u2c)
        );
    }
}

/// Never before: one millisecond before the deadline the relay is still open.
#[tokio::test(start_paused = true)]
async fn the_timeout_never_fires_before_the_deadline() {
    let start = Instant::now();
    let (_client, _upstream, relay) = relay();
    tokio::time::sleep_until(start + TIMEOUT - Duration::from_millis(1)).await;
    assert!(!relay.is_finished());
    relay.await.unwrap();
    assert_eq!(start.elapsed(), TIMEOUT);
}

/// After a timeout both peers read EOF, and the relay left no task behind.
#[tokio::test(start_paused = true)]
async fn after_a_timeout_both_sides_see_eof_and_no_task_is_left() {
    let (mut client, mut upstream, relay) = relay();
    relay.await.unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(client.read(&mut buf).await.unwrap(), 0);
    assert_eq!(upstream.read(&mut buf).await.unwrap(), 0);
    assert_eq!(tasks_alive().await, 0);
}

/// A client that half-closes still gets the whole reply: the FIN reaches the upstream, and the
/// other direction keeps flowing until it finishes too.
#[tokio::test(start_paused = true)]
async fn half_close_from_the_client_reaches_upstream_and_the_reply_still_flows() {
    let (mut client, mut upstream, relay) = relay();
    client.write_all(b"request").await.unwrap();
    client.shutdown().await.unwrap();

    let mut request = Vec::new();
    upstream.read_to_end(&mut request).await.unwrap();
    assert_eq!(request, b"request");

    upstream.write_all(b"a long reply").await.unwrap();
    upstream.shutdown().await.unwrap();
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).await.unwrap();
    assert_eq!(reply, b"a long reply");

    let outcome = relay.await.unwrap();
    assert_eq!(
        outcome,
        Outcome {
            client_to_upstream: 7,
            upstream_to_client: 12,
            reason: CloseReason::Finished,
        }
    );
}

/// The same, the other way round: the upstream finishes first.
#[tokio::test(start_paused = true)]
async fn half_close_from_the_upstream_reaches_the_client() {
    let (mut client, mut upstream, relay) = relay();
    upstream.write_all(b"banner").await.unwrap();
    upstream.shutdown().await.unwrap();
    let mut banner = Vec::new();
    client.read_to_end(&mut banner).await.unwrap();
    assert_eq!(banner, b"banner");

    client.write_all(b"bye").await.unwrap();
    client.shutdown().await.unwrap();
    let mut got = Vec::new();
    upstream.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"bye");
    assert_eq!(relay.await.unwrap().reason, CloseReason::Finished);
}

/// An error in one direction (the upstream vanished) ends the whole relay at once, and the
/// client sees EOF instead of waiting for the idle timeout.
#[tokio::test(start_paused = true)]
async fn an_error_in_one_direction_closes_both() {
    let start = Instant::now();
    let (mut client, upstream, relay) = relay();
    drop(upstream);
    client.write_all(b"into the void").await.unwrap();
    let outcome = relay.await.unwrap();
    assert_eq!(
        outcome.reason,
        CloseReason::Failed(std::io::ErrorKind::BrokenPipe)
    );
    assert!(start.elapsed() < TIMEOUT);
    let mut buf = [0u8; 8];
    assert_eq!(client.read(&mut buf).await.unwrap(), 0);
}
