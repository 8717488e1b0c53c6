//! Stand-ins for the `main` a block of the guide does not have, so that
//! `run NAME --as-written` can run every example. A driver calls the guide's functions
//! unchanged and does the least a caller would; what it prints is its own (the guide's
//! functions here print nothing), and it says so in its docs.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::print_line;
use super::watch_idle_timeout::proxy_with_idle_timeout;

/// The idle timeout the driver gives the guide's proxy: the corrected pattern's
/// (`watch::idle_timeout`), so the two runs can be compared.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Drives the guide's "Idle Timeout in proxy.rs" (`watch-idle-timeout`), which has no `main`:
/// a client and an upstream, each connected to the guide's `proxy_with_idle_timeout` over
/// loopback TCP, exchange `ping` and `pong` through it and then go idle, as the corrected
/// pattern's peers do; then it waits for the proxy to return, and prints what it returned.
///
/// Loopback TCP because the guide's proxy takes `TcpStream`s, not any stream (an in-memory
/// `tokio::io::duplex` would not type-check). Paused time and real sockets do not mix well
/// (DESIGN.md): while a socket read is pending the runtime may advance the paused clock. Here
/// that costs nothing that matters: the only timer is the guide's monitor, which sleeps a
/// second and then reads `std::time::Instant`, real time, which paused time does not move.
/// So the run shows erratum E15 as it is: after the peers go idle, the proxy never times
/// out, and the run is still waiting at the bound with the two copy tasks alive. (In real
/// time it would return after 5 to 6 s, E14, and leave those tasks running, E16.)
///
/// The lines are the driver's (`upstream got "ping"`, `client got "pong"`, and `proxy
/// returned ...` if it returns); they carry no times, since the paused clock is not
/// meaningful across real socket I/O.
///
/// # Errors
/// When a loopback connection cannot be set up, or a peer's read or write fails.
pub async fn watch_idle_timeout() -> std::io::Result<()> {
    let (mut client, proxy_client_side) = tcp_pair().await?;
    let (proxy_upstream_side, mut upstream) = tcp_pair().await?;
    let proxy = proxy_with_idle_timeout(proxy_client_side, proxy_upstream_side, IDLE_TIMEOUT);
    let peers = async {
        let mut buf = [0u8; 4];
        client.write_all(b"ping").await?;
        upstream.read_exact(&mut buf).await?;
        print_line(format!("upstream got {:?}", String::from_utf8_lossy(&buf)));
        upstream.write_all(b"pong").await?;
        client.read_exact(&mut buf).await?;
        print_line(format!("client got {:?}", String::from_utf8_lossy(&buf)));
        Ok::<_, std::io::Error>(())
    };
    // Both peers stay connected (and idle) until the proxy returns: only it may close.
    let (proxied, peers) = tokio::join!(proxy, peers);
    peers?;
    print_line(format!("proxy returned {proxied:?}"));
    Ok(())
}

/// A connected pair of loopback TCP streams: (the connecting end, the accepted end).
async fn tcp_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (connected, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    Ok((connected?, accepted?.0))
}
