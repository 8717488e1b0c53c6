//! The proxy benchmark's helper binary (`harness = false`), driven by `ci/bench.sh`; what it
//! measures and the latest figures are in BENCHMARKS.md.
//!
//! `cargo bench --bench proxy -- SUBCOMMAND ARGS` (cargo appends `--bench`, which is ignored;
//! with no subcommand it prints its usage and exits 0, so that plain `cargo bench` passes):
//!
//! - `serve-copy-bidirectional LISTEN UPSTREAM`: a minimal proxy around
//!   `tokio::io::copy_bidirectional`, until killed.
//! - `serve-guide LISTEN UPSTREAM IDLE_SECS`: the same accept loop around the guide's
//!   `proxy_with_idle_timeout` as written, until killed.
//! - `lateness PROXY_BIN [TRIALS]`: how late `PROXY_BIN proxy --idle-timeout 200ms` closes an
//!   idle connection, and, for comparison, the guide's proxy (in this process).
//! - `idle-memory LABEL PID PROXY_ADDR UPSTREAM_LISTEN [CONNECTIONS]`: the resident memory that
//!   the proxy process `PID`, listening on `PROXY_ADDR` and connecting to `UPSTREAM_LISTEN`
//!   (which this process serves), spends per idle connection.
//!
//! Both serve loops connect upstream per client and set `TCP_NODELAY` on both sockets, as the
//! crate's server does, so that they differ from it only in the relay.
//!
//! Lines starting with `RESULT ` are for the script: `RESULT key=value ...`.

use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use patterns::as_written::watch_idle_timeout::proxy_with_idle_timeout;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

type BoxError = Box<dyn Error + Send + Sync>;
type Result<T, E = BoxError> = std::result::Result<T, E>;

const USAGE: &str = "usage: proxy (serve-copy-bidirectional LISTEN UPSTREAM | serve-guide LISTEN \
                     UPSTREAM IDLE_SECS | lateness PROXY_BIN [TRIALS] | idle-memory LABEL PID \
                     PROXY_ADDR UPSTREAM_LISTEN [CONNECTIONS])";

/// The idle timeout of the lateness runs.
const IDLE_TIMEOUT: Duration = Duration::from_millis(200);
/// Connections opened and kept before the "before" reading of the idle-memory run, so that
/// one-off allocations (runtime, first buffers, pools) are not counted per connection.
const WARM_UP: usize = 16;
/// Connections being set up at once in the idle-memory run.
const CONNECT_BATCH: usize = 100;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["serve-copy-bidirectional", listen, upstream] => run(serve(
            listen,
            upstream,
            |mut client, _, mut upstream| async move {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            },
        )),
        ["serve-guide", listen, upstream, idle] => match parse_secs(idle) {
            Ok(idle) => run(serve(
                listen,
                upstream,
                move |client, _, upstream| async move {
                    let _ = proxy_with_idle_timeout(client, upstream, idle).await;
                },
            )),
            Err(e) => Err(e),
        },
        ["lateness", bin] => run(lateness(bin, 20)),
        ["lateness", bin, trials] => match trials.parse() {
            Ok(trials) => run(lateness(bin, trials)),
            Err(e) => Err(format!("TRIALS '{trials}': {e}").into()),
        },
        ["idle-memory", label, pid, proxy, upstream] => {
            run(idle_memory(label, pid, proxy, upstream, 5000))
        }
        ["idle-memory", label, pid, proxy, upstream, n] => match n.parse() {
            Ok(n) => run(idle_memory(label, pid, proxy, upstream, n)),
            Err(e) => Err(format!("CONNECTIONS '{n}': {e}").into()),
        },
        // Plain `cargo bench` (and `cargo test --benches`) run this with no subcommand.
        [] => {
            println!("proxy benchmark: run `bash ci/bench.sh` (BENCHMARKS.md); {USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `future` on a multi-thread runtime (one worker per core, as the proxy binary).
fn run(future: impl Future<Output = Result<()>>) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(future)
}

fn parse_secs(s: &str) -> Result<Duration> {
    let secs: f64 = s.parse().map_err(|e| format!("IDLE_SECS '{s}': {e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| format!("IDLE_SECS '{s}': {e}").into())
}

/// A minimal proxy: accept, connect upstream, set `TCP_NODELAY` on both, hand both to
/// `relay` in a task of its own. Runs until killed.
async fn serve<F, Fut>(listen: &str, upstream: &str, relay: F) -> Result<()>
where
    F: Fn(TcpStream, SocketAddr, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    serve_on(listener, upstream.to_string(), relay).await;
    Ok(())
}

async fn serve_on<F, Fut>(listener: TcpListener, upstream: String, relay: F)
where
    F: Fn(TcpStream, SocketAddr, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let upstream = Arc::new(upstream);
    let relay = Arc::new(relay);
    loop {
        let (client, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE and the like: back off instead of spinning.
                eprintln!("accept failed: {e}; retrying in 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let upstream = upstream.clone();
        let relay = relay.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream.as_str()).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            relay(client, peer, server).await;
        });
    }
}

/// A free port on 127.0.0.1 (free when this returns; the caller binds it at once).
fn free_local_addr() -> Result<SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// Kills the child process when dropped, so that an early return or a panic leaves no proxy.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// When each idle-test connection's upstream side read EOF, by connection id.
type Eofs = Arc<Mutex<HashMap<u32, Instant>>>;

/// The lateness runs' upstream: reads a 4-byte connection id, echoes it, then reads until EOF
/// (or an error) and records when.
async fn echo_id_upstream() -> Result<(SocketAddr, Eofs)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let eofs = Eofs::default();
    let recorded = eofs.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let mut id = [0u8; 4];
                if stream.read_exact(&mut id).await.is_err() || stream.write_all(&id).await.is_err()
                {
                    return; // a readiness probe, not a trial
                }
                let mut buffer = [0u8; 64];
                while let Ok(1..) = stream.read(&mut buffer).await {}
                recorded
                    .lock()
                    .expect("not poisoned")
                    .insert(u32::from_be_bytes(id), Instant::now());
            });
        }
    });
    Ok((addr, eofs))
}

/// One lateness trial, as the client and the upstream saw it.
struct Trial {
    /// The client's local address: the proxy's view of the peer.
    local: SocketAddr,
    /// When the client received the echo: the connection's last activity.
    last_activity: Instant,
    /// When both the client and the upstream had read EOF, if within the cap.
    closed: Option<Instant>,
}

/// Connects through `proxy`, exchanges the id both ways, then waits (up to `cap` after the
/// deadline) for both the client and the upstream to read EOF.
async fn trial(id: u32, proxy: SocketAddr, eofs: &Eofs, cap: Duration) -> Result<Trial> {
    let mut client = TcpStream::connect(proxy).await?;
    client.set_nodelay(true)?;
    let local = client.local_addr()?;
    client.write_all(&id.to_be_bytes()).await?;
    let mut echo = [0u8; 4];
    client.read_exact(&mut echo).await?;
    let last_activity = Instant::now();
    if echo != id.to_be_bytes() {
        return Err(format!("connection {id}: wrong echo {echo:?}").into());
    }
    let give_up = last_activity + IDLE_TIMEOUT + cap;
    let mut byte = [0u8; 1];
    let client_eof = match tokio::time::timeout_at(give_up.into(), client.read(&mut byte)).await {
        Ok(Ok(0) | Err(_)) => Some(Instant::now()), // EOF, or a reset: closed either way
        Ok(Ok(_)) => return Err(format!("connection {id}: unexpected data").into()),
        Err(_) => None,
    };
    let upstream_eof = loop {
        if let Some(&at) = eofs.lock().expect("not poisoned").get(&id) {
            break Some(at);
        }
        if Instant::now() >= give_up {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let closed = match (client_eof, upstream_eof) {
        (Some(c), Some(u)) if c.max(u) <= give_up => Some(c.max(u)),
        _ => None,
    };
    Ok(Trial {
        local,
        last_activity,
        closed,
    })
}

/// Milliseconds after the idle deadline (negative: before it).
fn late_ms(last_activity: Instant, at: Instant) -> f64 {
    let deadline = last_activity + IDLE_TIMEOUT;
    if at >= deadline {
        (at - deadline).as_secs_f64() * 1e3
    } else {
        -((deadline - at).as_secs_f64() * 1e3)
    }
}

/// min, median (upper), max; `None` when empty.
fn stats(mut values: Vec<f64>) -> Option<(f64, f64, f64)> {
    values.sort_by(f64::total_cmp);
    Some((*values.first()?, values[values.len() / 2], *values.last()?))
}

fn stats_line(values: &[f64]) -> String {
    match stats(values.to_vec()) {
        Some((min, median, max)) => {
            format!("min {min:.2}  median {median:.2}  max {max:.2}")
        }
        None => "none".to_string(),
    }
}

/// Waits until `addr` accepts connections (a probe that the upstream ignores).
async fn wait_until_listening(addr: SocketAddr) -> Result<()> {
    let start = Instant::now();
    loop {
        if TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(10) {
            return Err(format!("nothing listens on {addr} after 10 s").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn lateness(bin: &str, trials: u32) -> Result<()> {
    let (upstream, eofs) = echo_id_upstream().await?;

    // The crate's proxy, as a process of its own.
    let listen = free_local_addr()?;
    let child = Command::new(bin)
        .args(["proxy", "--listen", &listen.to_string()])
        .args([
            "--upstream",
            &upstream.to_string(),
            "--idle-timeout",
            "200ms",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {bin}: {e}"))?;
    let _child = KillOnDrop(child);
    wait_until_listening(listen).await?;
    let cap = Duration::from_secs(2);
    let mut late = Vec::new();
    for id in 0..trials {
        let t = trial(id, listen, &eofs, cap).await?;
        if let Some(closed) = t.closed {
            late.push(late_ms(t.last_activity, closed));
        }
    }
    println!(
        "lateness, channel-patterns proxy (--idle-timeout 200ms), {trials} connections one \
         after another:"
    );
    println!(
        "  both sockets closed, ms after the deadline: {}",
        stats_line(&late)
    );
    if late.len() < trials as usize {
        println!(
            "  NOT closed within {} s of the deadline: {} of {trials}",
            cap.as_secs(),
            trials as usize - late.len()
        );
    }
    let (min, median, max) = stats(late.clone()).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
    let proxy_closed = late.len();

    // The guide's proxy as written, in this process, so that it can say when it returned.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let guide = listener.local_addr()?;
    let returned: Arc<Mutex<HashMap<SocketAddr, Instant>>> = Arc::default();
    let record = returned.clone();
    tokio::spawn(serve_on(
        listener,
        upstream.to_string(),
        move |client, peer, server| {
            let record = record.clone();
            async move {
                let _ = proxy_with_idle_timeout(client, server, IDLE_TIMEOUT).await;
                record
                    .lock()
                    .expect("not poisoned")
                    .insert(peer, Instant::now());
            }
        },
    ));
    // All at once: each waits up to the cap, and they do not depend on each other.
    let cap = Duration::from_secs(3);
    let mut set = JoinSet::new();
    for id in trials..2 * trials {
        let eofs = eofs.clone();
        set.spawn(async move { trial(id, guide, &eofs, cap).await });
    }
    let mut fired = Vec::new();
    let mut closed = Vec::new();
    while let Some(t) = set.join_next().await {
        let t = t??;
        if let Some(&at) = returned.lock().expect("not poisoned").get(&t.local) {
            fired.push(late_ms(t.last_activity, at));
        }
        if let Some(at) = t.closed {
            closed.push(late_ms(t.last_activity, at));
        }
    }
    println!(
        "lateness, the guide's proxy_with_idle_timeout as written (200 ms), {trials} connections \
         at once:"
    );
    println!(
        "  timeout fired (the function returned), ms after the deadline: {}",
        stats_line(&fired)
    );
    println!(
        "  both sockets closed within {} s of the deadline: {} of {trials}{}",
        cap.as_secs(),
        closed.len(),
        if closed.len() < trials as usize {
            " (its copy tasks keep the sockets open after the timeout: erratum E16)"
        } else {
            ""
        }
    );
    let guide_fired = stats(fired).map_or(f64::NAN, |s| s.1);
    println!(
        "RESULT lateness_trials={trials} lateness_closed={proxy_closed} \
         lateness_min_ms={min:.2} lateness_median_ms={median:.2} lateness_max_ms={max:.2} \
         guide_fired_median_ms={guide_fired:.1} guide_closed={}",
        closed.len()
    );
    Ok(())
}

/// A field of `/proc/PID/status` such as `VmRSS`, in KiB.
fn proc_status_kib(pid: &str, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status").into())
}

/// The soft limit on open files of process `pid` ("self" for this one).
fn open_files_limit(pid: &str) -> Result<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits"))?;
    limits
        .lines()
        .find_map(|line| {
            line.strip_prefix("Max open files")?
                .split_whitespace()
                .next()
        })
        .and_then(|soft| soft.parse().ok())
        .ok_or_else(|| format!("no open-files limit in /proc/{pid}/limits").into())
}

/// Connects through `proxy` and moves one byte each way, so that the connection is
/// established end to end; returns the open client socket.
async fn establish(proxy: SocketAddr) -> Result<TcpStream> {
    let exchange = async {
        let mut stream = TcpStream::connect(proxy).await?;
        stream.write_all(b"x").await?;
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await?;
        Ok::<_, std::io::Error>(stream)
    };
    match tokio::time::timeout(Duration::from_secs(10), exchange).await {
        Ok(stream) => Ok(stream?),
        Err(_) => Err("no byte back through the proxy within 10 s".into()),
    }
}

async fn idle_memory(
    label: &str,
    pid: &str,
    proxy: &str,
    upstream_listen: &str,
    connections: usize,
) -> Result<()> {
    let proxy: SocketAddr = proxy.parse().map_err(|e| format!("PROXY_ADDR: {e}"))?;
    // This process holds both ends: the clients and the upstream's accepted sockets.
    let needed = 2 * (connections + WARM_UP) as u64 + 64;
    let have = open_files_limit("self")?;
    if have < needed {
        return Err(format!(
            "{connections} connections need about {needed} open files, the limit is {have}: \
             run under `ulimit -n {needed}` or more"
        )
        .into());
    }
    let proxy_limit = open_files_limit(pid)?;
    if proxy_limit < needed - 64 {
        return Err(format!(
            "the proxy (pid {pid}) may open {proxy_limit} files, it needs about {}",
            needed - 64
        )
        .into());
    }

    // The upstream: echoes one byte, then holds the connection until the proxy closes it.
    let listener = TcpListener::bind(upstream_listen)
        .await
        .map_err(|e| format!("cannot listen on {upstream_listen}: {e}"))?;
    let echoed = Arc::new(AtomicUsize::new(0));
    let counter = echoed.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut byte = [0u8; 1];
                if stream.read_exact(&mut byte).await.is_err()
                    || stream.write_all(&byte).await.is_err()
                {
                    return;
                }
                counter.fetch_add(1, Ordering::Relaxed);
                while let Ok(1..) = stream.read(&mut byte).await {}
            });
        }
    });

    let mut held = Vec::with_capacity(connections + WARM_UP);
    for _ in 0..WARM_UP {
        held.push(establish(proxy).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = proc_status_kib(pid, "VmRSS")?;

    let start = Instant::now();
    let mut opened = 0;
    while opened < connections {
        let batch = CONNECT_BATCH.min(connections - opened);
        let mut set = JoinSet::new();
        for _ in 0..batch {
            set.spawn(establish(proxy));
        }
        while let Some(stream) = set.join_next().await {
            held.push(stream?.map_err(|e| {
                format!(
                    "{label}: connection {} of {connections}: {e}",
                    held.len() + 1 - WARM_UP
                )
            })?);
        }
        opened += batch;
    }
    let setup = start.elapsed();
    // Let the proxy settle (deferred frees, buffer pools) before reading.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = proc_status_kib(pid, "VmRSS")?;
    let upstream_count = echoed.load(Ordering::Relaxed);
    if upstream_count != connections + WARM_UP {
        return Err(format!(
            "{label}: the upstream echoed on {upstream_count} connections, expected {}",
            connections + WARM_UP
        )
        .into());
    }
    let per_connection = after.saturating_sub(before) as f64 / connections as f64;
    println!(
        "idle memory, {label}: {connections} idle connections (set up in {:.1} s): VmRSS \
         {:.1} MiB -> {:.1} MiB, {per_connection:.2} KiB per connection",
        setup.as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
    );
    println!(
        "RESULT idle_label={label} idle_connections={connections} idle_rss_before_kib={before} \
         idle_rss_after_kib={after} idle_kib_per_connection={per_connection:.2}"
    );
    drop(held);
    Ok(())
}
