//! Stand-ins for the `main` that a block of the guide does not have, so that `run NAME` (and
//! `--as-written`) can run every example. A driver calls the guide's functions unchanged and
//! does the least a caller would; what it prints is its own (the guide's functions here print
//! nothing), and it says so in its docs.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use patterns::capture::print_line;

/// The idle timeout the driver gives the proxy.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the upstream takes to answer: activity after the start, which moves the deadline.
pub const ANSWER_AFTER: Duration = Duration::from_secs(1);

/// Drives the corrected "Idle Timeout in proxy.rs" (`watch-idle-timeout`).
///
/// # Errors
/// As [`idle_timeout`].
pub async fn watch_idle_timeout() -> std::io::Result<()> {
    idle_timeout(patterns::corrected::watch_idle_timeout::proxy_with_idle_timeout).await
}

/// Drives the guide's "Idle Timeout in proxy.rs" as written.
///
/// # Errors
/// As [`idle_timeout`].
pub async fn watch_idle_timeout_as_written() -> std::io::Result<()> {
    idle_timeout(patterns::as_written::watch_idle_timeout::proxy_with_idle_timeout).await
}

/// Drives a `proxy_with_idle_timeout` of the guide, which has no `main`: a client and an
/// upstream, each connected to it over loopback TCP, exchange `ping` and, [`ANSWER_AFTER`]
/// later, `pong` through it, and then go idle; the driver waits for the proxy to return (an
/// idle timeout of [`IDLE_TIMEOUT`]), prints what it returned and when, and whether each peer
/// then reads the end of its connection.
///
/// Loopback TCP because the guide's proxy takes `TcpStream`s. The run is in paused time: the
/// clock moves only when no task can run and no I/O event is ready, and every byte written on
/// loopback is readable at once, so the times printed are the deadlines the proxy computed
/// (activity at 1 s, a 5 s timeout: closed at 6 s). The guide's proxy as written reads
/// `std::time::Instant`, which paused time does not move (erratum E15): it never times out
/// here, and the run is still waiting at its bound with its two copy tasks alive.
///
/// # Errors
/// When a loopback connection cannot be set up, or a peer's read or write fails.
pub async fn idle_timeout<P, F>(proxy: P) -> std::io::Result<()>
where
    P: FnOnce(TcpStream, TcpStream, Duration) -> F,
    F: Future<Output = std::io::Result<(u64, u64)>>,
{
    let (mut client, proxy_client_side) = tcp_pair().await?;
    let (proxy_upstream_side, mut upstream) = tcp_pair().await?;
    let start = Instant::now();
    let at = move || start.elapsed().as_millis();
    let proxy = proxy(proxy_client_side, proxy_upstream_side, IDLE_TIMEOUT);
    let peers = async {
        let mut buf = [0u8; 4];
        client.write_all(b"ping").await?;
        upstream.read_exact(&mut buf).await?;
        print_line(format!(
            "upstream got {:?} at {}ms",
            String::from_utf8_lossy(&buf),
            at()
        ));
        tokio::time::sleep(ANSWER_AFTER).await;
        upstream.write_all(b"pong").await?;
        client.read_exact(&mut buf).await?;
        print_line(format!(
            "client got {:?} at {}ms",
            String::from_utf8_lossy(&buf),
            at()
        ));
        Ok::<_, std::io::Error>(())
    };
    // Both peers stay connected (and idle) until the proxy returns: only it may close.
    let (proxied, peers) = tokio::join!(proxy, peers);
    peers?;
    print_line(format!("proxy returned {proxied:?} at {}ms", at()));
    let mut buf = [0u8; 4];
    let client_read = client.read(&mut buf).await?;
    let upstream_read = upstream.read(&mut buf).await?;
    print_line(format!(
        "client read {client_read} bytes, upstream read {upstream_read} bytes"
    ));
    Ok(())
}

/// A connected pair of loopback TCP streams: (the connecting end, the accepted end).
async fn tcp_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (connected, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    Ok((connected?, accepted?.0))
}
