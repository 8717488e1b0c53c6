//! The relay behind the `watch-idle-timeout` pattern and the proxy (`proxy::relay`), over
//! in-memory duplex streams in paused time: exact idle timeout, half-close, errors, cleanup.
use std::time::Duration;

use pretty_assertions::assert_eq;
use proxy::{self, CloseReason, Outcome};
use test_support::{tasks_alive, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const TIMEOUT: Duration = Duration::from_secs(2);

/// A relay between a test client and a test upstream: (client end, upstream end, relay).
fn relay() -> (DuplexStream, DuplexStream, JoinHandle<Outcome>) {
    relay_with_buffers(64, 64)
}

/// The same, the client's side taking `client` bytes at a time and the upstream's `upstream`.
fn relay_with_buffers(
    client: usize,
    upstream: usize,
) -> (DuplexStream, DuplexStream, JoinHandle<Outcome>) {
    let (client, proxy_client_side) = tokio::io::duplex(client);
    let (proxy_upstream_side, upstream) = tokio::io::duplex(upstream);
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
    let outcome = within("the relay", relay).await.unwrap();
    assert_eq!(start.elapsed(), TIMEOUT);
    assert_eq!(outcome.reason, CloseReason::IdleTimeout);
}

/// Activity in either direction moves the deadline to that activity + timeout, exactly.
#[tokio::test(start_paused = true)]
async fn activity_in_either_direction_moves_the_deadline() {
    for client_speaks in [true, false] {
        let start = Instant::now();
        let (mut client, mut upstream, relay) = relay();
        within("a sleep", tokio::time::sleep(Duration::from_millis(1500))).await;
        let mut buf = [0u8; 2];
        if client_speaks {
            within("client write_all", client.write_all(b"hi"))
                .await
                .unwrap();
            within("upstream read_exact", upstream.read_exact(&mut buf))
                .await
                .unwrap();
        } else {
            within("upstream write_all", upstream.write_all(b"hi"))
                .await
                .unwrap();
            within("client read_exact", client.read_exact(&mut buf))
                .await
                .unwrap();
        }
        let outcome = within("the relay", relay).await.unwrap();
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
    within(
        "a sleep",
        tokio::time::sleep_until(start + TIMEOUT - Duration::from_millis(1)),
    )
    .await;
    assert!(!relay.is_finished());
    within("the relay", relay).await.unwrap();
    assert_eq!(start.elapsed(), TIMEOUT);
}

/// After a timeout both peers read EOF, and the relay left no task behind.
#[tokio::test(start_paused = true)]
async fn after_a_timeout_both_sides_see_eof_and_no_task_is_left() {
    let (mut client, mut upstream, relay) = relay();
    within("the relay", relay).await.unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(
        within("client read", client.read(&mut buf)).await.unwrap(),
        0
    );
    assert_eq!(
        within("upstream read", upstream.read(&mut buf))
            .await
            .unwrap(),
        0
    );
    assert_eq!(tasks_alive().await, 0);
}

/// A client that half-closes still gets the whole reply: the FIN reaches the upstream, and the
/// other direction keeps flowing until it finishes too.
#[tokio::test(start_paused = true)]
async fn half_close_from_the_client_reaches_upstream_and_the_reply_still_flows() {
    let (mut client, mut upstream, relay) = relay();
    within("client write_all", client.write_all(b"request"))
        .await
        .unwrap();
    within("client shutdown", client.shutdown()).await.unwrap();

    let mut request = Vec::new();
    within("upstream read_to_end", upstream.read_to_end(&mut request))
        .await
        .unwrap();
    assert_eq!(request, b"request");

    within("upstream write_all", upstream.write_all(b"a long reply"))
        .await
        .unwrap();
    within("upstream shutdown", upstream.shutdown())
        .await
        .unwrap();
    let mut reply = Vec::new();
    within("client read_to_end", client.read_to_end(&mut reply))
        .await
        .unwrap();
    assert_eq!(reply, b"a long reply");

    let outcome = within("the relay", relay).await.unwrap();
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
    within("upstream write_all", upstream.write_all(b"banner"))
        .await
        .unwrap();
    within("upstream shutdown", upstream.shutdown())
        .await
        .unwrap();
    let mut banner = Vec::new();
    within("client read_to_end", client.read_to_end(&mut banner))
        .await
        .unwrap();
    assert_eq!(banner, b"banner");

    within("client write_all", client.write_all(b"bye"))
        .await
        .unwrap();
    within("client shutdown", client.shutdown()).await.unwrap();
    let mut got = Vec::new();
    within("upstream read_to_end", upstream.read_to_end(&mut got))
        .await
        .unwrap();
    assert_eq!(got, b"bye");
    assert_eq!(
        within("the relay", relay).await.unwrap().reason,
        CloseReason::Finished
    );
}

/// An error in one direction (the upstream vanished) ends the whole relay at once, and the
/// client sees EOF instead of waiting for the idle timeout.
#[tokio::test(start_paused = true)]
async fn an_error_in_one_direction_closes_both() {
    let start = Instant::now();
    let (mut client, upstream, relay) = relay();
    drop(upstream);
    within("client write_all", client.write_all(b"into the void"))
        .await
        .unwrap();
    let outcome = within("the relay", relay).await.unwrap();
    assert_eq!(
        outcome.reason,
        CloseReason::Failed(std::io::ErrorKind::BrokenPipe)
    );
    assert!(start.elapsed() < TIMEOUT);
    let mut buf = [0u8; 8];
    assert_eq!(
        within("client read", client.read(&mut buf)).await.unwrap(),
        0
    );
}

/// A relay in front of a slow reader: the client side takes `window` bytes at a time, the
/// upstream side can hold the whole reply.
fn relay_to_slow_reader(window: usize) -> (DuplexStream, DuplexStream, JoinHandle<Outcome>) {
    relay_with_buffers(window, 64 * 1024)
}

/// A reply of 20 KiB, read by the relay at once, of which the client takes 1 KiB every 1.5 s:
/// the relay keeps what the client could not take yet and delivers every byte, in order, and
/// each partial write is activity, so a reply moving slower than the idle timeout but without
/// a gap as long keeps the connection open for the 28.5 s it takes.
#[tokio::test(start_paused = true)]
async fn a_slow_reader_gets_every_byte_and_its_progress_is_activity() {
    const WINDOW: usize = 1024;
    const GAP: Duration = Duration::from_millis(1500);
    let reply: Vec<u8> = (0..20 * 1024u32).map(|i| (i % 251) as u8).collect();
    let start = Instant::now();
    let (mut client, mut upstream, relay) = relay_to_slow_reader(WINDOW);
    // The client has nothing to send: its direction finishes at once.
    within("client shutdown", client.shutdown()).await.unwrap();
    within("upstream write_all", upstream.write_all(&reply))
        .await
        .unwrap();
    within("upstream shutdown", upstream.shutdown())
        .await
        .unwrap();

    let mut got = Vec::new();
    let mut chunk = vec![0u8; WINDOW];
    loop {
        within("a sleep", tokio::time::sleep(GAP)).await;
        let n = within("client read", client.read(&mut chunk))
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&chunk[..n]);
        assert!(
            got.len() <= reply.len(),
            "more bytes than the upstream sent"
        );
    }
    assert_eq!(got.len(), reply.len(), "bytes the client got");
    assert!(got == reply, "the reply arrived changed or out of order");
    // 20 reads of 1 KiB and one of EOF, each after a gap.
    assert_eq!(start.elapsed(), GAP * 21);
    let outcome = within("the relay", relay).await.unwrap();
    assert_eq!(
        outcome,
        Outcome {
            client_to_upstream: 0,
            upstream_to_client: reply.len() as u64,
            reason: CloseReason::Finished,
        }
    );
}

/// A client that reads nothing: the relay holds the reply it could not deliver, and times out
/// exactly one timeout after the last byte moved. A write that takes nothing is not activity.
#[tokio::test(start_paused = true)]
async fn a_reader_that_takes_nothing_times_out_one_timeout_after_the_last_byte_moved() {
    let start = Instant::now();
    let (_client, mut upstream, relay) = relay_to_slow_reader(1024);
    within("upstream write_all", upstream.write_all(&[7u8; 20 * 1024]))
        .await
        .unwrap();
    let outcome = within("the relay", relay).await.unwrap();
    assert_eq!(start.elapsed(), TIMEOUT);
    assert_eq!(
        outcome,
        Outcome {
            client_to_upstream: 0,
            upstream_to_client: 1024,
            reason: CloseReason::IdleTimeout,
        }
    );
}

/// A writer that records each write, and whether the relay handed it as the last bytes before
/// the shutdown ([`proxy::WriteLast`]).
#[derive(Default)]
struct Recorder {
    /// (written as last, bytes), in order.
    writes: Vec<(bool, Vec<u8>)>,
    shut_down: bool,
}

impl tokio::io::AsyncWrite for Recorder {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.writes.push((false, bytes.to_vec()));
        std::task::Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.shut_down = true;
        std::task::Poll::Ready(Ok(()))
    }
}

impl proxy::WriteLast for Recorder {
    fn poll_write_last(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.writes.push((true, bytes.to_vec()));
        std::task::Poll::Ready(Ok(bytes.len()))
    }
}

/// Copies `reader` into a [`Recorder`] (within the test bounds): its writes, whether it was
/// shut down, and the copy's result.
async fn record(reader: tokio_test::io::Mock) -> (Recorder, std::io::Result<()>) {
    let (activity, _monitor) = proxy::idle::track(TIMEOUT);
    let copied = std::sync::atomic::AtomicU64::new(0);
    let mut recorder = Recorder::default();
    let result = within(
        "the copy",
        proxy::copy_with_activity(reader, &mut recorder, &activity, &copied),
    )
    .await;
    (recorder, result)
}

/// Bytes whose end is already known when they are read (a reply and the peer's FIN, back to
/// back) go out as the last bytes, so that a TCP writer sends them with its FIN; bytes read
/// before the end is known go out as usual.
#[tokio::test(start_paused = true)]
async fn bytes_read_together_with_the_end_are_written_as_the_last() {
    let reader = tokio_test::io::Builder::new()
        .read(b"hello, ")
        .wait(Duration::from_millis(1))
        .read(b"world")
        .build();
    let (recorder, result) = record(reader).await;
    result.unwrap();
    assert_eq!(
        recorder.writes,
        [(false, b"hello, ".to_vec()), (true, b"world".to_vec())]
    );
    assert!(recorder.shut_down);
}

/// A read error right after some bytes ends the copy with that error, but only once those
/// bytes are written: the error neither loses them nor turns into an end of stream.
#[tokio::test(start_paused = true)]
async fn an_error_right_after_some_bytes_comes_after_them() {
    let reader = tokio_test::io::Builder::new()
        .read(b"abc")
        .read_error(std::io::ErrorKind::ConnectionReset.into())
        .build();
    let (recorder, result) = record(reader).await;
    assert_eq!(
        result.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionReset
    );
    assert_eq!(recorder.writes, [(false, b"abc".to_vec())]);
    assert!(!recorder.shut_down, "a failed copy is not a finished one");
}
