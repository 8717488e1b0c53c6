//! The proxy's server on turmoil's simulated network: three hosts (`client`, `proxy`,
//! `upstream`), simulated TCP and simulated time in one thread, driven by a seed.
//!
//! The server is the binary's own (`server::serve`); only its listener and connector are
//! turmoil's, through the seam of `proxy::net`. Time inside every host is turmoil's simulated
//! clock (Tokio's paused time, advanced one tick per step), so a timeout is exact here, and a
//! whole test costs milliseconds of real time.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use proxy::WriteLast;
use proxy::net::{Accept, Connect, Connection};
use proxy::server::{self, Config, End, Report, Summary};
use proxy::shutdown::Shutdown;
use test_support::{REAL_LIMIT, Watchdog};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use turmoil::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use turmoil::net::{TcpListener, TcpStream};

/// The port the proxy listens on, on host `proxy`.
pub const PROXY_PORT: u16 = 8080;
/// The port the upstream listens on, on host `upstream`.
pub const UPSTREAM_PORT: u16 = 9000;
/// The proxy's idle timeout in these tests.
pub const IDLE: Duration = Duration::from_millis(500);

/// A connection of the simulated network, as the server's relay takes it; its I/O is
/// recorded in `recorder` when there is one.
pub struct SimConnection {
    stream: TcpStream,
    recorder: Option<Recorder>,
    /// Counts this connection open in `recorder` until it, or both its halves, are dropped.
    open: Option<Arc<Open>>,
}

impl SimConnection {
    fn new(stream: TcpStream, recorder: Option<Recorder>) -> Self {
        let client = stream.local_addr().is_ok_and(|a| a.port() == PROXY_PORT);
        let open = recorder.clone().map(|r| Open::new(r, client));
        SimConnection {
            stream,
            recorder,
            open,
        }
    }
}

/// What the proxy host's sockets did, seen from the proxy: when each last moved a byte (what
/// the relay calls activity), and how many client connections were open at once.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Records>>);

/// The contents of a [`Recorder`].
#[derive(Debug, Default)]
pub struct Records {
    /// For each socket of the proxy, by (local, peer) address: when it last read or wrote at
    /// least one byte, in simulated time since the start.
    pub last_io: HashMap<(SocketAddr, SocketAddr), Duration>,
    /// For each socket of the proxy: every byte it read, in order.
    pub read: HashMap<(SocketAddr, SocketAddr), Vec<u8>>,
    /// For each socket of the proxy: every byte written to it, in order.
    pub written: HashMap<(SocketAddr, SocketAddr), Vec<u8>>,
    /// Connections of the proxy open now, to clients and to the upstream (made, and not
    /// dropped: the connection, or both its halves).
    pub open: usize,
    /// Client connections of the proxy open now.
    pub clients_open: usize,
    /// The most client connections open at once.
    pub most_clients_open: usize,
}

impl Recorder {
    /// The records so far.
    pub fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        lock(&self.0)
    }

    fn read(&self, pair: (SocketAddr, SocketAddr), bytes: &[u8]) {
        let mut records = lock(&self.0);
        records.last_io.insert(pair, now());
        records
            .read
            .entry(pair)
            .or_default()
            .extend_from_slice(bytes);
    }

    fn written(&self, pair: (SocketAddr, SocketAddr), bytes: &[u8]) {
        let mut records = lock(&self.0);
        records.last_io.insert(pair, now());
        records
            .written
            .entry(pair)
            .or_default()
            .extend_from_slice(bytes);
    }
}

/// A connection counted open in a [`Recorder`] until it, or both its halves, are dropped.
struct Open {
    recorder: Recorder,
    client: bool,
}

impl Open {
    fn new(recorder: Recorder, client: bool) -> Arc<Open> {
        {
            let mut records = recorder.records();
            records.open += 1;
            if client {
                records.clients_open += 1;
                records.most_clients_open = records.most_clients_open.max(records.clients_open);
            }
        }
        Arc::new(Open { recorder, client })
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut records = self.recorder.records();
        records.open -= 1;
        if self.client {
            records.clients_open -= 1;
        }
    }
}

/// One half of a recorded [`SimConnection`]: its socket's addresses, where to record, and
/// the client connection it keeps open.
#[derive(Clone)]
struct Tap {
    pair: (SocketAddr, SocketAddr),
    recorder: Recorder,
    _open: Option<Arc<Open>>,
}

/// The read half of a [`SimConnection`].
pub struct SimRead(OwnedReadHalf, Option<Tap>);

impl AsyncRead for SimRead {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.0).poll_read(cx, buf);
        if let (Poll::Ready(Ok(())), Some(tap)) = (&poll, &self.1)
            && buf.filled().len() > before
        {
            tap.recorder.read(tap.pair, &buf.filled()[before..]);
        }
        poll
    }
}

/// The write half of a [`SimConnection`]: turmoil's, with the relay's [`WriteLast`] (the
/// default: last bytes are written as any others).
pub struct SimWrite(OwnedWriteHalf, Option<Tap>);

impl AsyncWrite for SimWrite {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.0).poll_write(cx, buf);
        if let (Poll::Ready(Ok(n)), Some(tap)) = (&poll, &self.1)
            && *n > 0
        {
            tap.recorder.written(tap.pair, &buf[..*n]);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl WriteLast for SimWrite {}

impl Connection for SimConnection {
    type Read = SimRead;
    type Write = SimWrite;

    fn into_halves(self) -> (SimRead, SimWrite) {
        let tap = match (
            self.recorder,
            self.stream.local_addr(),
            self.stream.peer_addr(),
        ) {
            (Some(recorder), Ok(local), Ok(peer)) => Some(Tap {
                pair: (local, peer),
                recorder,
                _open: self.open,
            }),
            _ => None,
        };
        let (read, write) = self.stream.into_split();
        (SimRead(read, tap.clone()), SimWrite(write, tap))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }
}

/// The proxy's listener on the simulated network.
pub struct SimListener(pub TcpListener, pub Option<Recorder>);

impl Accept for SimListener {
    type Connection = SimConnection;

    async fn accept(&self) -> io::Result<(SimConnection, SocketAddr)> {
        let (stream, peer) = self.0.accept().await?;
        Ok((SimConnection::new(stream, self.1.clone()), peer))
    }
}

/// How the proxy reaches `upstream:9000` on the simulated network.
#[derive(Clone)]
pub struct SimConnector(pub Option<Recorder>);

impl Connect for SimConnector {
    type Connection = SimConnection;

    async fn connect(&self, upstream: &str) -> io::Result<SimConnection> {
        let stream = TcpStream::connect(upstream).await?;
        Ok(SimConnection::new(stream, self.0.clone()))
    }
}

/// The proxy's configuration in these tests: `IDLE`, and the limit and drain timeout given.
pub fn config(max_connections: usize, drain_timeout: Duration) -> Config {
    Config::new(
        format!("upstream:{UPSTREAM_PORT}"),
        IDLE,
        max_connections,
        drain_timeout,
    )
}

/// A connection as the proxy reported it ([`Report`]), its times in simulated time since the
/// start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported {
    /// The client's address.
    pub peer: SocketAddr,
    /// When the upstream connection was made, and the proxy's address on it.
    pub upstream: Option<(Duration, Option<SocketAddr>)>,
    /// When the connection ended.
    pub ended: Duration,
    /// How it ended.
    pub end: End,
}

impl Reported {
    /// `report`, its instants on the proxy host's clock, which read `start.0` at `start.1`.
    fn new(report: Report, start: (tokio::time::Instant, Duration)) -> Self {
        let at = |instant: tokio::time::Instant| start.1 + (instant - start.0);
        Reported {
            peer: report.peer,
            upstream: report.upstream.map(|(connected, via)| (at(connected), via)),
            ended: at(report.ended_at),
            end: report.end,
        }
    }
}

/// What the proxy host left behind when its server returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyEnd {
    /// The server's summary.
    pub summary: Summary,
    /// Tasks of the proxy host's runtime still alive right after the server returned.
    pub tasks_alive: usize,
    /// Streams of the proxy host still established then (turmoil's count).
    pub streams_open: usize,
    /// When the server returned, in simulated time since the start.
    pub at: Duration,
    /// Every connection the server reported, in the order they ended.
    pub connections: Vec<Reported>,
}

/// The real server, running on host `proxy`: how a client stops it and learns how it ended.
#[derive(Clone)]
pub struct Proxy {
    shutdown: Shutdown,
    end: Arc<Mutex<Option<tokio::sync::oneshot::Receiver<ProxyEnd>>>>,
}

impl Proxy {
    /// Triggers the shutdown (as SIGTERM does), and waits for the server to drain and return.
    pub async fn stop(&self) -> ProxyEnd {
        self.shutdown.trigger();
        let end = lock(&self.end).take().expect("the proxy is stopped once");
        end.await
            .expect("the proxy host reports how its server ended")
    }
}

/// Runs the real server on host `proxy`, with `config`, until it is stopped.
pub fn proxy_host(sim: &mut turmoil::Sim<'_>, config: Config) -> Proxy {
    recorded_proxy_host(sim, config, None)
}

/// [`proxy_host`], recording the proxy's I/O in `recorder`.
pub fn recorded_proxy_host(
    sim: &mut turmoil::Sim<'_>,
    config: Config,
    recorder: Option<Recorder>,
) -> Proxy {
    let (report, end) = tokio::sync::oneshot::channel();
    let report = Arc::new(Mutex::new(Some(report)));
    let shutdown = Shutdown::new();
    let proxy = Proxy {
        shutdown: shutdown.clone(),
        end: Arc::new(Mutex::new(Some(end))),
    };
    sim.host("proxy", move || {
        let (config, shutdown, report) = (config.clone(), shutdown.clone(), report.clone());
        let recorder = recorder.clone();
        async move {
            let start = (tokio::time::Instant::now(), now());
            let (reports, mut reported) = tokio::sync::mpsc::unbounded_channel();
            let mut config = config;
            config.reports = Some(reports);
            let listener = TcpListener::bind(("0.0.0.0", PROXY_PORT)).await?;
            let (accept, connect) = (
                SimListener(listener, recorder.clone()),
                SimConnector(recorder),
            );
            let summary = server::serve(accept, connect, config, shutdown).await?;
            let tasks_alive = tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks();
            // Every connection's task has ended, and so has sent its report.
            let mut connections = Vec::new();
            while let Ok(report) = reported.try_recv() {
                connections.push(Reported::new(report, start));
            }
            let end = ProxyEnd {
                summary,
                tasks_alive,
                streams_open: turmoil::established_tcp_stream_count(),
                at: now(),
                connections,
            };
            if let Some(report) = lock(&report).take() {
                let _ = report.send(end);
            }
            Ok(())
        }
    });
    proxy
}

/// An upstream on host `upstream` that echoes every connection until its client closes, then
/// closes too; counts the connections open at once (the most at any time in `peak`).
pub fn echo_upstream(sim: &mut turmoil::Sim<'_>) -> Arc<Mutex<Peak>> {
    upstream_host(sim, |stream| async move {
        let (mut read, mut write) = stream.into_split();
        tokio::io::copy(&mut read, &mut write).await?;
        write.shutdown().await
    })
}

/// An upstream on host `upstream` that runs `serve` for each connection (each in a task of
/// its own); counts the connections open at once.
pub fn upstream_host<F, Fut>(sim: &mut turmoil::Sim<'_>, serve: F) -> Arc<Mutex<Peak>>
where
    F: Fn(TcpStream) -> Fut + Clone + 'static,
    Fut: Future<Output = io::Result<()>> + 'static,
{
    let peak = Arc::new(Mutex::new(Peak::default()));
    let counts = peak.clone();
    sim.host("upstream", move || {
        let (serve, counts) = (serve.clone(), counts.clone());
        async move {
            let listener = TcpListener::bind(("0.0.0.0", UPSTREAM_PORT)).await?;
            loop {
                let (stream, _) = listener.accept().await?;
                lock(&counts).opened();
                let (serve, counts) = (serve.clone(), counts.clone());
                tokio::task::spawn_local(async move {
                    let _ = serve(stream).await;
                    lock(&counts).closed();
                });
            }
        }
    });
    peak
}

/// Connections open at once at the upstream: now, and the most ever.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Peak {
    /// Open now.
    pub open: usize,
    /// The most open at once so far.
    pub most: usize,
    /// Opened in all.
    pub total: usize,
}

impl Peak {
    fn opened(&mut self) {
        self.open += 1;
        self.total += 1;
        self.most = self.most.max(self.open);
    }

    fn closed(&mut self) {
        self.open -= 1;
    }
}

/// Simulated time since the start of the simulation: the same clock on every host.
pub fn now() -> Duration {
    turmoil::sim_elapsed().unwrap_or_default()
}

/// A client's connection to the proxy.
pub async fn connect() -> io::Result<TcpStream> {
    TcpStream::connect(("proxy", PROXY_PORT)).await
}

/// Reads until EOF, returning the bytes and the simulated time EOF came.
pub async fn read_to_eof(
    stream: &mut (impl AsyncRead + Unpin),
) -> io::Result<(Vec<u8>, tokio::time::Instant)> {
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await?;
    Ok((bytes, tokio::time::Instant::now()))
}

/// `len` bytes that differ from one position to the next and from one `seed` to another, so
/// that a lost, repeated or reordered stretch shows.
pub fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A simulation with fixed latency `latency` on every link, `duration` of simulated time at
/// most, and `seed` for everything random.
pub fn sim<'a>(seed: u64, latency: Duration, duration: Duration) -> turmoil::Sim<'a> {
    turmoil::Builder::new()
        .rng_seed(seed)
        .min_message_latency(latency)
        .max_message_latency(latency)
        .simulation_duration(duration)
        .build()
}

/// Runs `sim` to its end within [`REAL_LIMIT`] of real time. A host that never yields (a
/// relay that spins) stops turmoil's step, and with it the simulated clock, so no simulated
/// timeout can end the test: the watchdog ends the process with a message instead.
pub fn run_sim(sim: &mut turmoil::Sim<'_>) -> turmoil::Result {
    let _watchdog = Watchdog::new("a simulation", REAL_LIMIT);
    sim.run()
}

/// A lock that a panicking test thread does not poison for the rest.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
