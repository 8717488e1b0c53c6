//! The proxy's server under generated fault schedules, in turmoil's simulated network and time
//! (`sim_support`): a schedule is a seed, a latency range, a send-buffer size, a connection
//! limit, connections (start, payload size, half-close or not, an upstream that echoes or
//! closes or resets part-way, a slow reader or not) and faults at chosen times (a link held
//! then released, or partitioned then repaired). Properties, on every schedule:
//!
//! 1. **delivery**: on every connection, what the proxy wrote to each side is a prefix of what
//!    it read from the other, in order, nothing repeated; all of it when the connection
//!    finished. Without partitions (which lose bytes in flight: turmoil does not retransmit),
//!    every finished connection whose upstream reads to the end (not one that resets) also
//!    delivered end to end: the client got the whole reply and the upstream everything the
//!    client sent;
//! 2. **idleness**: every connection ends no later than its last activity (a byte read or
//!    written by the proxy on either of its sockets) plus the idle timeout; exactly then when
//!    it ends for idleness;
//! 3. **limit**: the client connections the proxy has open at once never exceed the limit
//!    (counted by its own handles: the upstream's count lags behind, since a close reaches it a
//!    latency later, or never across a partition);
//! 4. **nothing left**: when the server returns, none of its tasks or streams is left;
//! 5. **determinism**: the same schedule gives the same trace (the proxy's reports, what every
//!    client and the upstream saw, with simulated times), byte for byte.
//!
//! The broken twin is the real relay with one rule off (`Rules::keep_leftovers`: it drops the
//! bytes a full writer could not take); the properties reject it, and print the shrunk
//! schedule. Failing schedules persist in `proptest-regressions/sim_schedules.txt`.
//! `ci/deep.sh` runs many more schedules (`PROPTEST_CASES`).
use crate::sim_support;
use test_support::props;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use proxy::relay::CloseReason;
use proxy::rules::Rules;
use proxy::server::End;
use sim_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{sleep, timeout};

/// How long a client waits for any one read, write or connect before it gives up: longer
/// than the idle timeout plus the longest fault, so a client gives up only on a connection
/// whose bytes were lost.
const CLIENT_PATIENCE: Duration = Duration::from_secs(2);
/// The id header each client sends first, so that the upstream knows which connection it
/// serves.
const HEADER: usize = 8;

/// One generated schedule.
#[derive(Clone, Debug)]
struct Schedule {
    /// turmoil's seed: the latencies drawn within the range.
    seed: u64,
    /// Every message's latency is drawn in `min..=max` milliseconds.
    latency_ms: (u64, u64),
    /// Segments in flight per direction of a connection (turmoil's `tcp_capacity`).
    tcp_capacity: usize,
    /// The proxy's `--max-connections`.
    limit: usize,
    connections: Vec<Conn>,
    /// Applied one after the other, never overlapping.
    faults: Vec<Fault>,
}

/// One client connection of a schedule.
#[derive(Clone, Copy, Debug)]
struct Conn {
    /// When the client connects, after the start.
    start_ms: u64,
    /// Payload bytes it sends after its header.
    bytes: usize,
    /// It shuts down its sending side after the payload and reads to EOF; otherwise it reads
    /// the whole reply, then closes.
    half_close: bool,
    upstream: Upstream,
    /// A slow reader: a pause after each read of at most 1 KiB.
    read_pause_ms: u64,
}

/// What the upstream does with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Upstream {
    /// Echoes everything until EOF, then closes.
    Echo,
    /// Echoes the header and this many payload bytes, then closes its sending side (and reads
    /// on to EOF).
    CloseAfter(usize),
    /// Echoes the header and this many payload bytes, then drops the connection (a reset when
    /// bytes are still unread).
    ResetAfter(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    ClientProxy,
    ProxyUpstream,
}

impl Link {
    fn hosts(self) -> (&'static str, &'static str) {
        match self {
            Link::ClientProxy => ("client", "proxy"),
            Link::ProxyUpstream => ("proxy", "upstream"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaultKind {
    /// Messages in flight wait, then are all delivered.
    Hold,
    /// Messages in flight are lost.
    Partition,
}

/// A fault: after a gap (from the start, or from the end of the previous fault), `kind` on
/// `link` for `for_ms`.
#[derive(Clone, Copy, Debug)]
struct Fault {
    after_ms: u64,
    kind: FaultKind,
    link: Link,
    for_ms: u64,
}

fn schedules() -> impl Strategy<Value = Schedule> {
    let upstream = prop_oneof![
        4 => Just(Upstream::Echo),
        1 => (0..20_000usize).prop_map(Upstream::CloseAfter),
        1 => (0..20_000usize).prop_map(Upstream::ResetAfter),
    ];
    let conn = (
        0..400u64,
        // Up to several times what the smaller send buffers hold in flight, so that a slow
        // reader or a held link fills them.
        0..150_000usize,
        any::<bool>(),
        upstream,
        prop_oneof![3 => Just(0u64), 1 => 1..20u64],
    )
        .prop_map(
            |(start_ms, bytes, half_close, upstream, read_pause_ms)| Conn {
                start_ms,
                bytes,
                half_close,
                upstream,
                read_pause_ms,
            },
        );
    let fault = (
        0..400u64,
        prop_oneof![Just(FaultKind::Hold), Just(FaultKind::Partition)],
        prop_oneof![Just(Link::ClientProxy), Just(Link::ProxyUpstream)],
        1..900u64,
    )
        .prop_map(|(after_ms, kind, link, for_ms)| Fault {
            after_ms,
            kind,
            link,
            for_ms,
        });
    (
        any::<u64>(),
        (0..5u64, 0..20u64),
        // At least one more than the connections: turmoil's listen backlog is this size too,
        // and it panics when a connect finds it full (a kernel would drop the SYN).
        prop_oneof![Just(64usize), 4..9usize],
        1..4usize,
        proptest::collection::vec(conn, 1..4),
        proptest::collection::vec(fault, 0..4),
    )
        .prop_map(
            |(seed, (min, spread), tcp_capacity, limit, connections, faults)| Schedule {
                seed,
                latency_ms: (min, min + spread),
                tcp_capacity,
                limit,
                connections,
                faults,
            },
        )
}

/// What connection `id` of a schedule sends: its id, then its payload.
fn request(id: usize, conn: &Conn) -> Vec<u8> {
    let mut bytes = (id as u64).to_le_bytes().to_vec();
    bytes.extend(payload(id as u64 + 1, conn.bytes));
    bytes
}

/// What connection `id` gets back when nothing is lost: its request, or as much of it as the
/// upstream echoes before it closes.
fn reply(id: usize, conn: &Conn) -> Vec<u8> {
    let mut all = request(id, conn);
    if let Upstream::CloseAfter(n) | Upstream::ResetAfter(n) = conn.upstream {
        all.truncate(HEADER + n.min(conn.bytes));
    }
    all
}

/// How a client's connection ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientEnd {
    /// The proxy refused or did not answer the connect.
    NoConnection,
    /// It read EOF.
    Eof,
    /// It had the whole reply (and was not waiting for EOF).
    GotAll,
    /// A read failed.
    Failed(std::io::ErrorKind),
    /// Nothing came for [`CLIENT_PATIENCE`].
    GaveUp,
}

/// What one client saw.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ClientRecord {
    /// Its address: the `peer` of the proxy's reports.
    local: Option<SocketAddr>,
    /// Bytes of its request it handed to the network.
    sent: usize,
    received: Vec<u8>,
    end: ClientEnd,
    /// When it ended, in simulated time since the start.
    at: Duration,
}

/// Everything a run produced.
struct Run {
    clients: Vec<ClientRecord>,
    /// What the upstream received, by connection id.
    upstream_got: HashMap<usize, Vec<u8>>,
    records: Records,
    end: Option<ProxyEnd>,
    /// The simulation's own error (it ran out of time, a host failed), if any.
    failure: Option<String>,
}

impl Run {
    /// The trace: every observation of the run, in a fixed order, as text.
    fn trace(&self) -> String {
        let mut trace = String::new();
        for (id, client) in self.clients.iter().enumerate() {
            let _ = write!(
                trace,
                "\nclient {id}: {:?} sent {} received {} ({:016x}) {:?} at {:?}",
                client.local,
                client.sent,
                client.received.len(),
                fingerprint(&client.received),
                client.end,
                client.at
            );
        }
        let mut ids: Vec<_> = self.upstream_got.keys().collect();
        ids.sort();
        for id in ids {
            let got = &self.upstream_got[id];
            let _ = write!(
                trace,
                "\nupstream {id}: {} ({:016x})",
                got.len(),
                fingerprint(got)
            );
        }
        let _ = write!(trace, "\nend: {:?} {:?}", self.end, self.failure);
        trace
    }
}

/// FNV-1a: a short stand-in for a byte string in the trace.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Runs `schedule` with the relay following `rules`.
fn run(schedule: &Schedule, rules: Rules) -> Run {
    let (min, max) = schedule.latency_ms;
    let mut sim = turmoil::Builder::new()
        .rng_seed(schedule.seed)
        .min_message_latency(Duration::from_millis(min))
        .max_message_latency(Duration::from_millis(max))
        .tcp_capacity(schedule.tcp_capacity)
        .simulation_duration(Duration::from_secs(120))
        .build();
    let recorder = Recorder::default();
    let config = config(schedule.limit, Duration::from_secs(1)).with_rules(rules);
    let proxy = recorded_proxy_host(&mut sim, config, Some(recorder.clone()));

    let upstream_got = Arc::new(Mutex::new(HashMap::new()));
    let upstream = {
        let (conns, got) = (schedule.connections.clone(), upstream_got.clone());
        upstream_host(&mut sim, move |stream| {
            let (conns, got) = (conns.clone(), got.clone());
            async move { serve_upstream(stream, &conns, &got).await }
        })
    };

    let clients = Arc::new(Mutex::new(Vec::new()));
    let end = Arc::new(Mutex::new(None));
    {
        let (schedule, clients, end) = (schedule.clone(), clients.clone(), end.clone());
        sim.client("client", async move {
            let chaos = tokio::task::spawn_local(chaos(schedule.faults.clone()));
            let tasks: Vec<_> = schedule
                .connections
                .iter()
                .enumerate()
                .map(|(id, conn)| tokio::task::spawn_local(client(id, *conn)))
                .collect();
            for task in tasks {
                let record = task.await?;
                lock(&clients).push(record);
            }
            chaos.await?;
            *lock(&end) = Some(proxy.stop().await);
            // The upstream reads what is still in flight to it, unless it was lost.
            let settled = async {
                while lock(&upstream).open > 0 {
                    sleep(Duration::from_millis(1)).await;
                }
            };
            let _ = timeout(CLIENT_PATIENCE, settled).await;
            Ok(())
        });
    }
    let result = run_sim(&mut sim);
    let clients = lock(&clients).clone();
    let upstream_got = lock(&upstream_got).clone();
    let end = lock(&end).take();
    let records = std::mem::take(&mut *recorder.records());
    Run {
        clients,
        upstream_got,
        records,
        end,
        failure: result.err().map(|e| e.to_string()),
    }
}

/// The faults, one after the other.
async fn chaos(faults: Vec<Fault>) {
    for fault in faults {
        sleep(Duration::from_millis(fault.after_ms)).await;
        let (a, b) = fault.link.hosts();
        match fault.kind {
            FaultKind::Hold => turmoil::hold(a, b),
            FaultKind::Partition => turmoil::partition(a, b),
        }
        sleep(Duration::from_millis(fault.for_ms)).await;
        match fault.kind {
            FaultKind::Hold => turmoil::release(a, b),
            FaultKind::Partition => turmoil::repair(a, b),
        }
    }
}

/// Connection `id`: connect at its start, send the request (and shut down, if it
/// half-closes) while reading the reply; every wait bounded by [`CLIENT_PATIENCE`].
async fn client(id: usize, conn: Conn) -> ClientRecord {
    sleep(Duration::from_millis(conn.start_ms)).await;
    let mut record = ClientRecord {
        local: None,
        sent: 0,
        received: Vec::new(),
        end: ClientEnd::NoConnection,
        at: Duration::ZERO,
    };
    let Ok(Ok(stream)) = timeout(CLIENT_PATIENCE, connect()).await else {
        record.at = now();
        return record;
    };
    record.local = stream.local_addr().ok();
    let (mut read, mut write) = stream.into_split();
    let request = request(id, &conn);
    let expected = reply(id, &conn).len();
    let sending = async {
        let mut sent = 0;
        for chunk in request.chunks(4096) {
            match timeout(CLIENT_PATIENCE, write.write_all(chunk)).await {
                Ok(Ok(())) => sent += chunk.len(),
                _ => return sent,
            }
        }
        if conn.half_close {
            let _ = timeout(CLIENT_PATIENCE, write.shutdown()).await;
        }
        sent
    };
    let receiving = async {
        let mut received = Vec::new();
        let mut buf = vec![0; if conn.read_pause_ms > 0 { 1024 } else { 16_384 }];
        let end = loop {
            match timeout(CLIENT_PATIENCE, read.read(&mut buf)).await {
                Ok(Ok(0)) => break ClientEnd::Eof,
                Ok(Ok(n)) => {
                    received.extend_from_slice(&buf[..n]);
                    if !conn.half_close && received.len() >= expected {
                        break ClientEnd::GotAll;
                    }
                    sleep(Duration::from_millis(conn.read_pause_ms)).await;
                }
                Ok(Err(e)) => break ClientEnd::Failed(e.kind()),
                Err(_) => break ClientEnd::GaveUp,
            }
        };
        (received, end)
    };
    let (sent, (received, end)) = tokio::join!(sending, receiving);
    record.sent = sent;
    record.received = received;
    record.end = end;
    record.at = now();
    record
}

/// The upstream's side of a connection: read the id, then do what the schedule says for it,
/// recording everything it reads.
async fn serve_upstream(
    mut stream: turmoil::net::TcpStream,
    conns: &[Conn],
    got: &Mutex<HashMap<usize, Vec<u8>>>,
) -> std::io::Result<()> {
    let mut header = [0; HEADER];
    stream.read_exact(&mut header).await?;
    let id = u64::from_le_bytes(header) as usize;
    let conn = conns[id];
    lock(got).insert(id, header.to_vec());
    stream.write_all(&header).await?;
    let limit = match conn.upstream {
        Upstream::Echo => usize::MAX,
        Upstream::CloseAfter(n) | Upstream::ResetAfter(n) => n,
    };
    let mut echoed = 0;
    let mut buf = [0; 4096];
    loop {
        if echoed == limit {
            match conn.upstream {
                Upstream::ResetAfter(_) => return Ok(()),
                _ => {
                    stream.shutdown().await?;
                    // Reads on (and records) until the client's side ends.
                    loop {
                        let n = stream.read(&mut buf).await?;
                        if n == 0 {
                            return Ok(());
                        }
                        lock(got)
                            .entry(id)
                            .or_default()
                            .extend_from_slice(&buf[..n]);
                    }
                }
            }
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return stream.shutdown().await;
        }
        lock(got)
            .entry(id)
            .or_default()
            .extend_from_slice(&buf[..n]);
        let take = n.min(limit - echoed);
        stream.write_all(&buf[..take]).await?;
        echoed += take;
    }
}

/// One relayed connection as the proxy reported it.
#[derive(Debug)]
struct Relayed {
    /// When the upstream connection was made (the relay starts then).
    connected: Duration,
    /// The proxy's address on the upstream connection.
    via: SocketAddr,
    /// When the connection ended and how, unless the drain timeout closed it.
    closed: Option<(Duration, CloseReason)>,
}

/// The connections the proxy relayed, by client address, from its reports.
fn relayed(end: &ProxyEnd) -> Result<HashMap<SocketAddr, Relayed>, TestCaseError> {
    let mut connections = HashMap::new();
    for reported in &end.connections {
        let Some((connected, via)) = reported.upstream else {
            continue;
        };
        let via = via.ok_or_else(|| TestCaseError::fail(format!("no address: {reported:?}")))?;
        let closed = match reported.end {
            End::Relayed(outcome) => Some((reported.ended, outcome.reason)),
            End::ClosedAtDrain => None,
            End::Unreachable(_) | End::ConnectTimedOut => {
                return Err(TestCaseError::fail(format!(
                    "connected, yet not relayed: {reported:?}"
                )));
            }
        };
        let relayed = Relayed {
            connected,
            via,
            closed,
        };
        if connections.insert(reported.peer, relayed).is_some() {
            return Err(TestCaseError::fail(format!("reported twice: {reported:?}")));
        }
    }
    Ok(connections)
}

/// Properties 1 to 4 on one run of `schedule`.
fn check(schedule: &Schedule, run: &Run) -> Result<(), TestCaseError> {
    if let Some(failure) = &run.failure {
        return Err(TestCaseError::fail(format!(
            "the simulation failed: {failure}"
        )));
    }
    let end = run
        .end
        .as_ref()
        .ok_or_else(|| TestCaseError::fail("the proxy never stopped"))?;
    // 4. Nothing left: no task, no connection (counted by the proxy's own handles: turmoil's
    // count keeps a socket whose connect was abandoned, as the proxy does at its timeout).
    prop_assert_eq!(
        (end.tasks_alive, run.records.open),
        (0, 0),
        "tasks and connections left behind by the server"
    );
    // 3. The limit.
    prop_assert!(
        run.records.most_clients_open <= schedule.limit,
        "{} client connections open at once at the proxy, limit {}",
        run.records.most_clients_open,
        schedule.limit
    );

    let relayed = relayed(end)?;
    let upstream = SocketAddr::new(turmoil_ip(&run.records, &relayed), UPSTREAM_PORT);
    let partitioned = schedule
        .faults
        .iter()
        .any(|f| f.kind == FaultKind::Partition);
    let empty = Vec::new();
    for (id, client) in run.clients.iter().enumerate() {
        let Some(local) = client.local else { continue };
        let Some(conn) = relayed.get(&local) else {
            continue;
        };
        let client_side = run
            .records
            .read
            .keys()
            .chain(run.records.written.keys())
            .find(|(l, p)| *p == local && l.port() == PROXY_PORT)
            .copied();
        let upstream_side = (conn.via, upstream);
        let bytes = |map: &HashMap<(SocketAddr, SocketAddr), Vec<u8>>,
                     pair: Option<(SocketAddr, SocketAddr)>| {
            pair.and_then(|p| map.get(&p)).unwrap_or(&empty).clone()
        };
        let from_client = bytes(&run.records.read, client_side);
        let to_client = bytes(&run.records.written, client_side);
        let from_upstream = bytes(&run.records.read, Some(upstream_side));
        let to_upstream = bytes(&run.records.written, Some(upstream_side));
        let finished = conn
            .closed
            .is_some_and(|(_, reason)| reason == CloseReason::Finished);

        // 1. Delivery, at the proxy.
        for (direction, wrote, read) in [
            ("to the upstream", &to_upstream, &from_client),
            ("to the client", &to_client, &from_upstream),
        ] {
            prop_assert!(
                read.starts_with(wrote),
                "connection {id}: the proxy wrote {direction} {} bytes that are not a prefix of \
                 the {} it read (first difference at {:?})",
                wrote.len(),
                read.len(),
                wrote.iter().zip(read.iter()).position(|(a, b)| a != b)
            );
            if finished {
                prop_assert_eq!(
                    wrote.len(),
                    read.len(),
                    "connection {}: finished, but wrote {} only part of what it read",
                    id,
                    direction
                );
            }
        }
        // 1. Delivery, end to end, where no partition could lose bytes in flight and the
        // upstream reads to the end (one that resets drops what it had not read, as TCP does).
        let reads_to_end = !matches!(schedule.connections[id].upstream, Upstream::ResetAfter(_));
        if finished && !partitioned && reads_to_end {
            let expected = reply(id, &schedule.connections[id]);
            prop_assert!(
                client.received == expected,
                "connection {id}: finished, but the client got {} bytes of the {} reply",
                client.received.len(),
                expected.len()
            );
            let sent = &request(id, &schedule.connections[id])[..client.sent];
            let got = run.upstream_got.get(&id).unwrap_or(&empty);
            prop_assert!(
                got.as_slice() == sent,
                "connection {id}: finished, but the upstream got {} bytes of the {} sent",
                got.len(),
                sent.len()
            );
        }

        // 2. Idleness: closed by the last activity plus the idle timeout, exactly then when
        // idle.
        if let Some((closed, reason)) = conn.closed {
            let last_io = [client_side, Some(upstream_side)]
                .into_iter()
                .flatten()
                .filter_map(|pair| run.records.last_io.get(&pair).copied())
                .max()
                .unwrap_or_default();
            let last = last_io.max(conn.connected);
            prop_assert!(
                closed <= last + IDLE,
                "connection {id}: closed at {closed:?} ({reason:?}), last activity {last:?}"
            );
            if reason == CloseReason::IdleTimeout {
                prop_assert_eq!(closed, last + IDLE, "connection {}: idle close", id);
            }
        }
    }
    Ok(())
}

/// The upstream host's address, as the proxy's sockets to it show it.
fn turmoil_ip(records: &Records, relayed: &HashMap<SocketAddr, Relayed>) -> std::net::IpAddr {
    relayed
        .values()
        .find_map(|c| {
            records
                .read
                .keys()
                .chain(records.written.keys())
                .find(|(local, _)| *local == c.via)
                .map(|(_, peer)| peer.ip())
        })
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

/// What a schedule puts the proxy through, for the deep mode's tally (`ci/deep.sh`).
fn kinds(schedule: &Schedule) -> Vec<&'static str> {
    let conns = &schedule.connections;
    let fault = |kind, link| {
        schedule
            .faults
            .iter()
            .any(|f| f.kind == kind && f.link == link)
    };
    [
        (
            schedule.latency_ms.1 > schedule.latency_ms.0,
            "latency-range",
        ),
        (
            fault(FaultKind::Hold, Link::ClientProxy),
            "hold-client-proxy",
        ),
        (
            fault(FaultKind::Hold, Link::ProxyUpstream),
            "hold-proxy-upstream",
        ),
        (
            fault(FaultKind::Partition, Link::ClientProxy),
            "partition-client-proxy",
        ),
        (
            fault(FaultKind::Partition, Link::ProxyUpstream),
            "partition-proxy-upstream",
        ),
        (conns.iter().any(|c| c.half_close), "half-close"),
        (
            conns
                .iter()
                .any(|c| matches!(c.upstream, Upstream::CloseAfter(_))),
            "upstream-close-mid-reply",
        ),
        (
            conns
                .iter()
                .any(|c| matches!(c.upstream, Upstream::ResetAfter(_))),
            "upstream-reset",
        ),
        (conns.iter().any(|c| c.read_pause_ms > 0), "slow-reader"),
        (schedule.tcp_capacity < 64, "small-send-buffer"),
        (conns.len() > schedule.limit, "over-the-limit"),
    ]
    .into_iter()
    .filter_map(|(has, kind)| has.then_some(kind))
    .collect()
}

proptest! {
    #![proptest_config(props::persisted("sim_schedules", 24))]

    /// Properties 1 to 4 hold on every schedule. With `SIM_TALLY` set, each schedule that
    /// passes prints what it put the proxy through (`ci/deep.sh` counts them).
    #[test]
    fn the_proxy_survives_every_schedule(schedule in schedules()) {
        let run = run(&schedule, Rules::default());
        check(&schedule, &run)?;
        if std::env::var_os("SIM_TALLY").is_some() {
            println!("survived: {}", kinds(&schedule).join(" "));
        }
    }
}

proptest! {
    // Two simulations per case: fewer cases in the everyday suite.
    #![proptest_config(props::persisted("sim_schedules", 6))]

    /// Property 5: a schedule run twice gives the same trace, byte for byte.
    #[test]
    fn the_same_schedule_gives_the_same_trace(schedule in schedules()) {
        let first = run(&schedule, Rules::default()).trace();
        let second = run(&schedule, Rules::default()).trace();
        prop_assert!(first == second, "traces differ:\n{first}\n---\n{second}");
    }
}

/// Shrinking steps for the twin's counterexample: each is a simulation, and this many make a
/// schedule of one connection and no fault, in well under a second.
const SHRINK: u32 = 48;

/// The relay with `keep_leftovers` off drops what a full writer could not take: the
/// properties reject it, on a schedule proptest shrinks and prints.
#[test]
fn a_relay_that_drops_leftover_bytes_is_rejected() {
    let twin = Rules {
        keep_leftovers: false,
    };
    let (why, shrunk) = props::counterexample_shrunk_within(schedules(), SHRINK, |schedule| {
        check(&schedule, &run(&schedule, twin))
    });
    assert!(
        why.contains("not a prefix") || why.contains("only part of what it read"),
        "rejected for another reason: {why}"
    );
    // The real relay passes the very schedule the twin fails.
    check(&shrunk, &run(&shrunk, Rules::default())).unwrap();
}
