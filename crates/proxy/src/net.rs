//! The network the server runs on, as three small traits: where clients come from
//! ([`Accept`]), how the upstream is reached ([`Connect`]), and what a connection is
//! ([`Connection`]: two halves that move independently).
//!
//! The binary uses `tokio::net` ([`Tcp`], and `tokio::net::TcpListener`). The simulation tests
//! (`tests/proxy/sim_*.rs`) give the same server turmoil's simulated network, where latency, held
//! links, partitions and full send buffers are scripted and time is simulated, so what the
//! server does on a bad day is tested exactly. The server's logic has one version for both:
//! only these impls differ.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

/// One end of a connection the relay copies to and from.
pub trait Connection: Send + 'static {
    /// The half the relay reads from.
    type Read: AsyncRead + Unpin + Send + 'static;
    /// The half the relay writes to, and shuts down at EOF.
    type Write: WriteLast + Unpin + Send + 'static;

    /// The two halves, so that each direction runs without waiting for the other.
    fn into_halves(self) -> (Self::Read, Self::Write);

    /// This end's address, for the logs.
    ///
    /// # Errors
    /// When the connection is already gone.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// Asks that small writes go out at once (`TCP_NODELAY`), as they would without a proxy;
    /// nothing where that has no meaning.
    fn send_small_writes_at_once(&self) {}
}

/// Where the server's clients come from.
pub trait Accept: Send + 'static {
    /// A client's connection.
    type Connection: Connection;

    /// The next client and its address.
    fn accept(
        &self,
    ) -> impl Future<Output = io::Result<(Self::Connection, SocketAddr)>> + Send + '_;
}

/// How the server reaches its upstream, once per client.
pub trait Connect: Send + Sync + 'static {
    /// A connection to the upstream.
    type Connection: Connection;

    /// Connects to `upstream` (`HOST:PORT`, resolved at each call).
    fn connect<'a>(
        &'a self,
        upstream: &'a str,
    ) -> impl Future<Output = io::Result<Self::Connection>> + Send + 'a;
}

/// `tokio::net`'s TCP: what the binary runs on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tcp;

impl Connect for Tcp {
    type Connection = TcpStream;

    fn connect<'a>(
        &'a self,
        upstream: &'a str,
    ) -> impl Future<Output = io::Result<TcpStream>> + Send + 'a {
        TcpStream::connect(upstream)
    }
}

impl Accept for TcpListener {
    type Connection = TcpStream;

    fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> + Send + '_ {
        TcpListener::accept(self)
    }
}

impl Connection for TcpStream {
    type Read = tokio::net::tcp::OwnedReadHalf;
    type Write = tokio::net::tcp::OwnedWriteHalf;

    /// `into_split`: the halves share the socket without a lock between the two directions,
    /// where the generic `tokio::io::split` takes one on every call.
    fn into_halves(self) -> (Self::Read, Self::Write) {
        self.into_split()
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpStream::local_addr(self)
    }

    fn send_small_writes_at_once(&self) {
        // Only a hint: a socket that refuses it relays all the same.
        let _ = self.set_nodelay(true);
    }
}

/// A writer the relay can hand its last bytes, the ones followed by nothing but the shutdown.
///
/// A peer that replies and closes (an HTTP/1.0 server, say) sends its last bytes and its FIN
/// back to back, and the relay often reads both at once. On a TCP write half the last bytes are
/// then sent with `MSG_MORE`, which holds them for the shutdown that follows at once: the
/// bytes and the FIN leave in one segment instead of two, and the client's acknowledgement of
/// the bytes rides on its own FIN. That is two segments fewer of about twenty per proxied
/// HTTP/1.0 exchange (BENCHMARKS.md). Any other writer writes them as usual.
pub trait WriteLast: AsyncWrite {
    /// Writes bytes that only the shutdown follows; by default, [`AsyncWrite::poll_write`].
    ///
    /// # Errors
    /// As `poll_write`.
    fn poll_write_last(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write(cx, bytes)
    }
}

/// `send` flags for the last bytes: held for the FIN that follows (`MSG_MORE`), and an error
/// rather than a signal if the peer is gone (`MSG_NOSIGNAL`, as std's own `send` does).
#[cfg(target_os = "linux")]
const LAST_BYTES: libc::c_int = libc::MSG_MORE | libc::MSG_NOSIGNAL;

impl WriteLast for tokio::net::tcp::OwnedWriteHalf {
    fn poll_write_last(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        #[cfg(target_os = "linux")]
        {
            let stream: &TcpStream = self.as_ref().get_ref().as_ref();
            // Straight to the socket: when it takes the bytes, tokio's readiness is unchanged
            // and still right; when it would block, `poll_write` below finds that out again
            // and registers the task.
            match socket2::SockRef::from(stream).send_with_flags(bytes, LAST_BYTES) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        self.poll_write(cx, bytes)
    }
}

impl<T: AsyncWrite> WriteLast for tokio::io::WriteHalf<T> {}

impl WriteLast for tokio::io::DuplexStream {}

impl<W: WriteLast + Unpin + ?Sized> WriteLast for &mut W {
    fn poll_write_last(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut **self.get_mut()).poll_write_last(cx, bytes)
    }
}
