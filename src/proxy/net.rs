//! The network the server runs on, as three small traits: where clients come from
//! ([`Accept`]), how the upstream is reached ([`Connect`]), and what a connection is
//! ([`Connection`]: two halves that move independently).
//!
//! The binary uses `tokio::net` ([`Tcp`], and `tokio::net::TcpListener`). The simulation tests
//! (`tests/sim_*.rs`) give the same server turmoil's simulated network, where latency, held
//! links, partitions and full send buffers are scripted and time is simulated, so what the
//! server does on a bad day is tested exactly. The server's logic has one version for both:
//! only these impls differ.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::AsyncRead;
use tokio::net::{TcpListener, TcpStream};

use crate::proxy::relay::WriteLast;

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
