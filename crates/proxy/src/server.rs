//! The proxy server: accepts clients, connects upstream for each, relays with an idle timeout,
//! and drains on shutdown.
//!
//! - At `max_connections` the server stops accepting until a connection ends: new clients wait
//!   in the kernel's listen backlog (and time out there if it fills), and the connections
//!   already open are not slowed by them.
//! - An upstream that cannot be reached closes that client at once; the error is logged and
//!   the server goes on.
//! - On shutdown ([`Shutdown::trigger`]) it stops accepting, lets open connections finish for
//!   up to the drain timeout, then closes the rest, and returns. Every connection task holds a
//!   shutdown [`crate::shutdown::Listener`]; [`Shutdown::drained`] is how the server knows they
//!   are all done, which is the code the loom model of shutdown checks.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use crate::net::{Accept, Connect, Connection};
use crate::relay::{CloseReason, Outcome, relay_by};
use crate::rules::Rules;
use crate::shutdown::Shutdown;

/// How the server treats each connection.
#[derive(Clone, Debug)]
pub struct Config {
    /// `HOST:PORT` to connect to for each client.
    pub upstream: String,
    /// Close a connection after this long with no byte moving either way. Also bounds the
    /// upstream connect.
    pub idle_timeout: Duration,
    /// Clients served at once.
    pub max_connections: usize,
    /// After shutdown, how long open connections may go on.
    pub drain_timeout: Duration,
    /// Where to send a [`Report`] of each connection as it ends, besides the log: for a caller
    /// that keeps its own record of connections (counts, an audit trail). The channel is
    /// unbounded so that the server never waits for it: its receiver must keep up.
    pub reports: Option<mpsc::UnboundedSender<Report>>,
    /// The relay's rules: the default, but in a broken twin (`crate::rules`).
    relay: Rules,
}

impl Config {
    /// A configuration with no [`Report`]s sent.
    pub fn new(
        upstream: String,
        idle_timeout: Duration,
        max_connections: usize,
        drain_timeout: Duration,
    ) -> Self {
        Config {
            upstream,
            idle_timeout,
            max_connections,
            drain_timeout,
            reports: None,
            relay: Rules::default(),
        }
    }

    /// This configuration with the relay following `rules`: a broken twin of the server, for
    /// the tests that must reject it.
    #[cfg(feature = "twins")]
    #[must_use]
    pub fn with_rules(mut self, rules: Rules) -> Self {
        self.relay = rules;
        self
    }
}

/// How one client's connection went: what the server logs when it ends, and sends to
/// [`Config::reports`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// The client's address.
    pub peer: SocketAddr,
    /// When the upstream connection was made (the relay starts then) and the proxy's address
    /// on it; `None` when the upstream was not reached.
    pub upstream: Option<(Instant, Option<SocketAddr>)>,
    /// When the connection ended, on Tokio's clock.
    pub ended_at: Instant,
    /// How it ended.
    pub end: End,
}

/// How a client's connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Connecting to the upstream failed; the client was closed at once.
    Unreachable(io::ErrorKind),
    /// Connecting to the upstream took longer than the idle timeout; the client was closed.
    ConnectTimedOut,
    /// Relayed until this outcome.
    Relayed(Outcome),
    /// Still open at the drain timeout, and closed then (or when the server's runtime was
    /// dropped).
    ClosedAtDrain,
}

/// What a [`serve`] run did, for the caller's last log line and for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Clients accepted.
    pub accepted: u64,
    /// Connections still open at the drain timeout, and closed then.
    pub closed_at_drain: usize,
}

/// Serves the clients of `listener` until `shutdown` is triggered, then drains; reaches the
/// upstream through `connector`. On TCP: `serve(tcp_listener, net::Tcp, ...)`.
///
/// # Errors
/// None in practice: accept errors (such as running out of file descriptors) are logged and
/// retried after a pause; the `Result` is for the caller's convenience.
pub async fn serve<A, C>(
    listener: A,
    connector: C,
    config: Config,
    shutdown: Shutdown,
) -> io::Result<Summary>
where
    A: Accept,
    C: Connect + Clone,
{
    let limit = Limit::new(config.max_connections);
    serve_within(listener, connector, Arc::new(config), shutdown, limit).await
}

/// The connections a group of servers may serve at once, shared between them: one per core
/// ([`crate::cores`]) each take from the same limit, so `--max-connections` holds for
/// the process.
#[derive(Clone, Debug)]
pub(crate) struct Limit(Arc<Semaphore>);

impl Limit {
    /// Room for `max_connections` at once.
    pub(crate) fn new(max_connections: usize) -> Self {
        Limit(Arc::new(Semaphore::new(max_connections)))
    }
}

/// [`serve`], taking its connections from `limit`, which other servers may share.
///
/// # Errors
/// As [`serve`].
pub(crate) async fn serve_within<A, C>(
    listener: A,
    connector: C,
    config: Arc<Config>,
    shutdown: Shutdown,
    limit: Limit,
) -> io::Result<Summary>
where
    A: Accept,
    C: Connect + Clone,
{
    let permits = limit.0;
    let stop = shutdown.listener();
    let mut connections = JoinSet::new();
    let mut summary = Summary::default();

    loop {
        tokio::select! {
            biased;
            () = stop.triggered() => break,
            // Reap finished connections, so the set holds only live ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            permit = permits.clone().acquire_owned() => {
                let Ok(permit) = permit else { break };
                // Accept only with a permit in hand: at the limit, clients wait in the backlog.
                let accepted = tokio::select! {
                    biased;
                    () = stop.triggered() => break,
                    accepted = listener.accept() => accepted,
                };
                match accepted {
                    Ok((client, peer)) => {
                        summary.accepted += 1;
                        let config = config.clone();
                        let connector = connector.clone();
                        let done = shutdown.listener();
                        connections.spawn(async move {
                            handle(client, peer, &connector, &config).await;
                            drop((permit, done));
                        });
                    }
                    Err(e) => {
                        // EMFILE and the like: back off instead of spinning.
                        warn!(error = %e, "accept failed; retrying in 100 ms");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }

    drop(listener);
    drop(stop);
    // Connections that ended but were not reaped yet are not "still open". The count is this
    // server's own: the shutdown's listeners would also count the other threads' servers.
    while connections.try_join_next().is_some() {}
    info!(open = connections.len(), drain_timeout = ?config.drain_timeout, "shutting down: no longer accepting");
    if tokio::time::timeout(config.drain_timeout, shutdown.drained())
        .await
        .is_err()
    {
        while connections.try_join_next().is_some() {}
        summary.closed_at_drain = connections.len();
        warn!(
            closing = summary.closed_at_drain,
            "drain timeout: closing the connections still open"
        );
    }
    connections.shutdown().await;
    Ok(summary)
}

/// One client: connect upstream, relay, log what happened and send its [`Report`] to
/// [`Config::reports`]. Never fails: every error is the end of this connection only.
async fn handle<C: Connect>(
    client: impl Connection,
    peer: SocketAddr,
    connector: &C,
    config: &Config,
) {
    let mut report = Reporter::new(peer, config.reports.as_ref());
    let end = connect_and_relay(client, peer, connector, config, &mut report).await;
    if let End::Relayed(outcome) = end {
        log_closed(peer, outcome);
    }
    report.end(end);
}

/// A connection's [`Report`], sent when the connection's task ends: at its end, or when the
/// drain timeout drops it (then with [`End::ClosedAtDrain`]). Boxed, and only when reports are
/// wanted: the connection's task holds it across the relay, and each byte of that task is a
/// byte of memory per open connection.
struct Reporter(Option<Box<(Report, mpsc::UnboundedSender<Report>)>>);

impl Reporter {
    fn new(peer: SocketAddr, to: Option<&mpsc::UnboundedSender<Report>>) -> Self {
        Reporter(to.map(|to| {
            let report = Report {
                peer,
                upstream: None,
                ended_at: Instant::now(),
                end: End::ClosedAtDrain,
            };
            Box::new((report, to.clone()))
        }))
    }

    /// The upstream connection was made, now, with the proxy's address `via` on it.
    fn upstream(&mut self, via: Option<SocketAddr>) {
        if let Some(pending) = &mut self.0 {
            pending.0.upstream = Some((Instant::now(), via));
        }
    }

    /// How the connection ended.
    fn end(&mut self, end: End) {
        if let Some(pending) = &mut self.0 {
            pending.0.end = end;
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        if let Some(pending) = self.0.take() {
            let (mut report, to) = *pending;
            report.ended_at = Instant::now();
            // A receiver that is gone wants no more reports; the connection is over either way.
            let _ = to.send(report);
        }
    }
}

/// Connects upstream and relays; tells `report` when the upstream connection was made and the
/// proxy's address on it. Returns how the connection ended.
async fn connect_and_relay<C: Connect>(
    client: impl Connection,
    peer: SocketAddr,
    connector: &C,
    config: &Config,
    report: &mut Reporter,
) -> End {
    let upstream = match tokio::time::timeout(
        config.idle_timeout,
        connector.connect(config.upstream.as_str()),
    )
    .await
    {
        Ok(Ok(upstream)) => upstream,
        Ok(Err(e)) => {
            warn!(%peer, upstream = %config.upstream, error = %e, "upstream unreachable; closing client");
            return End::Unreachable(e.kind());
        }
        Err(_) => {
            warn!(%peer, upstream = %config.upstream, "upstream connect timed out; closing client");
            return End::ConnectTimedOut;
        }
    };
    let via = upstream.local_addr().ok();
    // Which upstream connection serves which client: for matching this proxy's connections
    // with the upstream's logs.
    if let Some(via) = via {
        debug!(%peer, %via, upstream = %config.upstream, "upstream connected");
    }
    report.upstream(via);
    // Small writes (prompts, acks) go out at once, as they would without a proxy.
    client.send_small_writes_at_once();
    upstream.send_small_writes_at_once();
    End::Relayed(relay_by(client, upstream, config.idle_timeout, config.relay).await)
}

/// The log line of a relayed connection that ended.
fn log_closed(peer: SocketAddr, outcome: Outcome) {
    let reason = match outcome.reason {
        CloseReason::Finished => "finished".to_string(),
        CloseReason::IdleTimeout => "idle timeout".to_string(),
        CloseReason::Failed(kind) => format!("error: {kind}"),
    };
    info!(
        %peer,
        client_to_upstream = outcome.client_to_upstream,
        upstream_to_client = outcome.upstream_to_client,
        %reason,
        "connection closed"
    );
}
