//! One test per defect of the guide, shown on the guide's code as written
//! (`channel_patterns::as_written`) wherever the defect is in its code, and on tokio directly
//! where it is in a claim; and, where the corrected program's own output does not show the fix
//! (tests/guide/patterns.rs runs each), the same case on the corrected code (`patterns`). The
//! IDs are those of ERRATA.md. Errata shown elsewhere: E01 `tests/guide/compile_fail.rs`; E05,
//! E11, E12, E19 `tests/guide/quick_reference.rs`; E09 `tests/guide/sync_oneshot.rs`; E10, E25,
//! E26 `tests/guide/sync_watch.rs`; E24, E28 `tests/guide/corrected_guide.rs`.
use crate::common;

use std::time::Duration;

use channel_patterns::conformance::Verdict;
use common::run_as_written;
use patterns::{Transcript, as_written, corrected};
use pretty_assertions::assert_eq;
use test_support::tasks_alive;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// E02: the lagging example prints the guide's three lines and then waits for `Closed`
/// forever, because its own `tx` is still alive. An hour of (paused) time later it is still
/// waiting.
#[test]
fn e02_broadcast_lagging_as_written_never_finishes() {
    let run = run_as_written("broadcast-lagging");
    assert_eq!(
        run.verdict,
        Verdict::StillWaiting {
            after: Duration::from_secs(3600),
            tasks: 0
        },
        "the guide's loop ended, but nothing closes the channel"
    );
    assert_eq!(
        run.lines,
        ["Missed 3 messages", "Received: 3", "Received: 4"]
    );
}

/// E03: the graceful-shutdown example panics in `App::shutdown`: the workers never use their
/// `state_rx`, so it is dropped at once, the watch has no receiver, and
/// `state_tx.send(..).unwrap()` panics. As under `#[tokio::main]`, the panic ends `main`
/// before any worker has reported done.
#[test]
fn e03_app_shutdown_as_written_panics_on_the_state_send() {
    let run = run_as_written("app-shutdown");
    let Verdict::Panicked { message } = run.verdict else {
        panic!("the guide's main panics, but: {}", run.verdict);
    };
    assert!(
        message.contains("called `Result::unwrap()` on an `Err` value: SendError"),
        "{message}"
    );
    assert_eq!(
        run.lines,
        Vec::<String>::new(),
        "no worker got to shut down"
    );
}

/// E04: a worker that subscribes to the guide's broadcast shutdown signal after it was sent
/// never sees it: the guide's worker loop (below, verbatim but for its `println!`) runs
/// forever.
#[tokio::test(start_paused = true)]
async fn e04_a_worker_started_after_the_broadcast_shutdown_never_stops() {
    let (shutdown_tx, _keep) = tokio::sync::broadcast::channel::<()>(1);
    shutdown_tx.send(()).unwrap();

    let mut shutdown_rx = shutdown_tx.subscribe(); // spawn_worker, after shutdown()
    let worker = async move {
        loop {
            tokio::select! {
                _ = shutdown_rx.recv() => {
                    break;
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    // Simulate work
                }
            }
        }
    };
    let hour = Duration::from_secs(3600);
    assert!(tokio::time::timeout(hour, worker).await.is_err());
}

/// E06: the event example's subscribers are still running when `main` returns: only its
/// 100 ms sleep let them print, and `#[tokio::main]` then cancels them.
#[test]
fn e06_broadcast_events_as_written_leaves_its_subscribers_running() {
    let run = run_as_written("broadcast-events");
    assert_eq!(
        run.lines.len(),
        5,
        "the sleep was long enough here: {:?}",
        run.lines
    );
    assert_eq!(
        run.verdict,
        Verdict::LeftRunning { tasks: 2 },
        "logger and analytics tasks still alive when main returns"
    );
}

/// E07: the state machine's manager is still running when `main` returns; only the 50 ms
/// sleep let it process the commands.
#[test]
fn e07_state_machine_as_written_leaves_its_manager_running() {
    let run = run_as_written("state-machine");
    assert_eq!(run.lines.len(), 3);
    assert_eq!(
        run.verdict,
        Verdict::LeftRunning { tasks: 1 },
        "connection_manager still alive when main returns"
    );
}

/// E06/E07, the other half: what the sleep hides. Without it (and nothing else changed), on a
/// current-thread runtime the spawned task has not run when `main` returns, and its output is
/// lost. (On the guide's multi-thread runtime the manager may run at once on a worker thread
/// and print some or all of its lines first: without the sleep, what is printed is up to the
/// schedule.)
#[test]
fn e06_e07_without_the_sleep_the_output_is_lost() {
    let run = common::run_block(test_support::state_machine_without_sleep::main);
    assert_eq!(run.lines, Vec::<String>::new(), "no command was processed");
    assert_eq!(run.verdict, Verdict::LeftRunning { tasks: 1 });
}

/// The guide's select! worker loop, verbatim but for its `println!`s, which go to `out`.
async fn guide_select_worker(
    mut work_rx: tokio::sync::mpsc::Receiver<String>,
    shutdown_rx: tokio::sync::oneshot::Receiver<()>,
    out: Transcript,
) {
    let mut shutdown_rx = shutdown_rx;
    loop {
        tokio::select! {
            Some(work) = work_rx.recv() => {
                out.line(format!("Processing: {}", work));
            }
            _ = &mut shutdown_rx => {
                out.line("Shutting down...");
                break;
            }
        }
    }
}

/// E08: when work is still queued as the shutdown arrives (the guide avoids this only by
/// sleeping 50 ms first), `select!` picks a ready branch at random and the worker can break
/// with work unprocessed. Over 64 runs (each losing nothing with probability 1/4), some run
/// loses work; the corrected worker (below) never does.
#[tokio::test(start_paused = true)]
async fn e08_select_shutdown_can_drop_queued_work() {
    let mut runs_that_lost_work = 0;
    for _ in 0..64 {
        let (work_tx, work_rx) = tokio::sync::mpsc::channel(10);
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        work_tx.send("task 1".to_string()).await.unwrap();
        work_tx.send("task 2".to_string()).await.unwrap();
        shutdown_tx.send(()).unwrap();
        let out = Transcript::new();
        guide_select_worker(work_rx, shutdown_rx, out.clone()).await;
        let processed = out
            .lines()
            .iter()
            .filter(|l| l.starts_with("Processing"))
            .count();
        if processed < 2 {
            runs_that_lost_work += 1;
        }
    }
    assert!(runs_that_lost_work > 0);
}

/// E08, fixed: the corrected worker's loop (`crates/patterns/src/corrected/select_shutdown.rs`),
/// verbatim but for its `println!`s: with both tasks queued and the signal there before it runs, on
/// each of 64 runs it processes both, and a send after it stopped fails instead of vanishing.
#[tokio::test(start_paused = true)]
async fn e08_corrected_worker_processes_queued_work() {
    for _ in 0..64 {
        let (work_tx, mut work_rx) = tokio::sync::mpsc::channel::<String>(10);
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        work_tx.send("task 1".to_string()).await.unwrap();
        work_tx.send("task 2".to_string()).await.unwrap();
        shutdown_tx.send(()).unwrap();
        let out = Transcript::new();
        let mut shutdown_rx = shutdown_rx;
        loop {
            tokio::select! {
                Some(work) = work_rx.recv() => {
                    out.line(format!("Processing: {}", work));
                }
                _ = &mut shutdown_rx => {
                    out.line("Shutting down...");
                    break;
                }
            }
        }
        work_rx.close();
        while let Some(work) = work_rx.recv().await {
            out.line(format!("Processing: {}", work));
        }
        let processed = out
            .lines()
            .iter()
            .filter(|l| l.starts_with("Processing"))
            .count();
        assert_eq!(processed, 2, "{:?}", out.lines());
        assert!(work_tx.send("late".into()).await.is_err());
    }
}

/// Units of work of 300 ms that count how many started and how many finished.
#[derive(Clone, Default)]
struct Units {
    started: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    finished: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Units {
    async fn do_work(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.started.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.finished.fetch_add(1, SeqCst);
    }

    fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.started.load(SeqCst), self.finished.load(SeqCst))
    }
}

/// E18: the guide's "graceful" mpsc shutdown cancels the unit of work in progress: `select!`
/// drops the `do_work()` future when the signal wins. Its loop, verbatim but for a `do_work`
/// that records when it starts and finishes.
#[tokio::test(start_paused = true)]
async fn e18_mpsc_shutdown_cancels_the_work_in_progress() {
    let units = Units::default();
    let work = units.clone();
    let (shutdown_tx, mut shutdown_rx) = tokio::sync::mpsc::channel::<()>(1);
    let worker = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown_rx.recv() => {
                    break;
                }
                _ = work.do_work() => {}
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = shutdown_tx.send(()).await;
    worker.await.unwrap();
    // Units at 0, 300, 600 ms finished; the one started at 900 ms was dropped half done.
    assert_eq!(units.counts(), (4, 3));
}

/// E18, fixed: the corrected worker's loop (`crates/patterns/src/corrected/mpsc_shutdown.rs`),
/// verbatim but for the same recording `do_work`: it looks for the signal between units only, so
/// the unit in progress at 1 s finishes, at 1.2 s, before the worker stops.
#[tokio::test(start_paused = true)]
#[allow(
    clippy::while_let_loop,
    reason = "the corrected block's loop, as the guide shows it (there its arm also prints)"
)]
async fn e18_corrected_worker_finishes_the_unit_in_progress() {
    let units = Units::default();
    let work = units.clone();
    let start = tokio::time::Instant::now();
    let (shutdown_tx, mut shutdown_rx) = tokio::sync::mpsc::channel::<()>(1);
    let worker = tokio::spawn(async move {
        loop {
            match shutdown_rx.try_recv() {
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {}
                _ => {
                    break;
                }
            }
            work.do_work().await;
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = shutdown_tx.send(()).await;
    worker.await.unwrap();
    assert_eq!(units.counts(), (4, 4));
    assert_eq!(start.elapsed(), Duration::from_millis(1200));
}

/// A connected pair of loopback TCP streams.
async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connected, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    (connected.unwrap(), accepted.unwrap().0)
}

/// The guide's proxy between a test client and a test upstream over loopback TCP: returns the
/// client's end, the upstream's end and the proxy's future.
async fn guide_proxy(
    idle_timeout: Duration,
) -> (
    TcpStream,
    TcpStream,
    impl std::future::Future<Output = std::io::Result<(u64, u64)>>,
) {
    let (client, proxy_client_side) = tcp_pair().await;
    let (proxy_upstream_side, upstream) = tcp_pair().await;
    let proxy = as_written::watch_idle_timeout::proxy_with_idle_timeout(
        proxy_client_side,
        proxy_upstream_side,
        idle_timeout,
    );
    (client, upstream, proxy)
}

/// E14: the guide's monitor checks once a second, so a 100 ms idle timeout fires only after
/// a whole second (real time, real sockets: the bound is a lower one, so load cannot break it).
#[tokio::test]
async fn e14_guide_proxy_idle_timeout_fires_a_second_late() {
    let (_client, _upstream, proxy) = guide_proxy(Duration::from_millis(100)).await;
    let start = std::time::Instant::now();
    let err = proxy.await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "fired after {:?}",
        start.elapsed()
    );
}

/// E15: the guide's monitor reads `std::time::Instant`, which Tokio's paused clock does not
/// move: in a paused-time test an idle connection never times out. After an hour of Tokio
/// time with a 5 s timeout, it is still open.
#[tokio::test(start_paused = true)]
async fn e15_guide_proxy_ignores_tokios_clock() {
    let (_client, _upstream, proxy) = guide_proxy(Duration::from_secs(5)).await;
    let hour = Duration::from_secs(3600);
    assert!(tokio::time::timeout(hour, proxy).await.is_err());
}

/// E16: after the guide's proxy returns its idle-timeout error, the two copy tasks are still
/// running (dropping a `JoinHandle` does not stop its task): the connection is not closed,
/// and bytes written afterwards are still forwarded.
#[tokio::test]
async fn e16_guide_proxy_keeps_forwarding_after_its_timeout() {
    let (mut client, mut upstream, proxy) = guide_proxy(Duration::from_millis(100)).await;
    let err = proxy.await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);

    client.write_all(b"late").await.unwrap();
    let mut buf = [0u8; 4];
    let forwarded = tokio::time::timeout(Duration::from_secs(10), upstream.read_exact(&mut buf))
        .await
        .expect("forwarded within 10 s");
    forwarded.unwrap();
    assert_eq!(&buf, b"late");
    assert!(
        tasks_alive().await >= 2,
        "both copy tasks outlive the proxy"
    );
}

/// E20: an error in one direction does not end the guide's proxy: `try_join!` over the two
/// `JoinHandle`s short-circuits only if a task panics, not if it returns an I/O error. An
/// upstream that resets the connection leaves the proxy waiting on the other direction until
/// the idle timeout, which then replaces the real error.
#[tokio::test]
async fn e20_guide_proxy_swallows_an_upstream_reset() {
    let (_client, upstream, proxy) = guide_proxy(Duration::from_millis(100)).await;
    upstream.set_zero_linger().unwrap();
    drop(upstream); // RST
    let err = proxy.await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
}

/// What a copy delivers through a buffered writer: `hello` copied into a `BufWriter` over an
/// in-memory pipe; returns the count the copy reports and what the pipe's other end read, to
/// its end.
async fn through_a_buffered_writer<T, F>(
    initial: T,
    copy: impl FnOnce(
        &'static [u8],
        tokio::io::BufWriter<tokio::io::DuplexStream>,
        tokio::sync::watch::Sender<T>,
    ) -> F,
) -> (u64, Vec<u8>)
where
    F: std::future::Future<Output = std::io::Result<u64>>,
{
    let (activity_tx, _activity_rx) = tokio::sync::watch::channel(initial);
    let (writer, mut peer) = tokio::io::duplex(64);
    let copied = copy(b"hello", tokio::io::BufWriter::new(writer), activity_tx)
        .await
        .unwrap();
    let mut received = Vec::new();
    peer.read_to_end(&mut received).await.unwrap();
    (copied, received)
}

/// E17: `copy_with_metrics` never flushes or shuts down its writer: through a buffered writer
/// the bytes it "copied" never arrive, although it counts them. The corrected copy shuts its
/// writer down at the end of the stream, which flushes it: the peer gets all five bytes, then
/// the end of the stream.
#[tokio::test(start_paused = true)]
async fn e17_copy_with_metrics_loses_buffered_bytes_and_the_corrected_one_does_not() {
    let (copied, received) = through_a_buffered_writer(
        std::time::Instant::now(),
        as_written::watch_idle_timeout::copy_with_metrics,
    )
    .await;
    assert_eq!(copied, 5, "it reports five bytes copied");
    assert_eq!(received, b"", "and the peer got none of them");

    let (copied, received) = through_a_buffered_writer(
        tokio::time::Instant::now(),
        corrected::watch_idle_timeout::copy_with_metrics,
    )
    .await;
    assert_eq!((copied, received.as_slice()), (5, &b"hello"[..]));
}

/// E20, fixed: the corrected proxy runs both copies in one `try_join!`, so the upstream's reset
/// ends it at once, with the reset as its error, long before its idle timeout.
#[tokio::test]
async fn e20_corrected_proxy_ends_at_an_upstream_reset_with_the_reset() {
    let (_client, proxy_client_side) = tcp_pair().await;
    let (proxy_upstream_side, upstream) = tcp_pair().await;
    let proxy = corrected::watch_idle_timeout::proxy_with_idle_timeout(
        proxy_client_side,
        proxy_upstream_side,
        Duration::from_secs(3600),
    );
    upstream.set_zero_linger().unwrap();
    drop(upstream); // RST
    let err = tokio::time::timeout(test_support::REAL_LIMIT, proxy)
        .await
        .expect("the proxy returned at the reset")
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
}

/// What a copy does to a slow reader: it sends 16 KiB through a 1 KiB pipe whose reader takes
/// what is there every 100 ms, and another task notes when (on Tokio's paused clock) the
/// watched activity moves. Returns the bytes copied and those times.
async fn activity_times_with_a_slow_reader<T, F>(
    initial: T,
    copy: impl FnOnce(&'static [u8], tokio::io::DuplexStream, tokio::sync::watch::Sender<T>) -> F,
) -> (u64, Vec<Duration>)
where
    F: std::future::Future<Output = std::io::Result<u64>>,
{
    static DATA: [u8; 16 * 1024] = [7; 16 * 1024];
    let (activity_tx, mut activity_rx) = tokio::sync::watch::channel(initial);
    let (writer, mut reader) = tokio::io::duplex(1024);
    let start = tokio::time::Instant::now();
    let reading = async move {
        let mut buf = [0u8; 1024];
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if reader.read(&mut buf).await.unwrap() == 0 {
                break;
            }
        }
    };
    let watching = async {
        let mut moved = Vec::new();
        // Err once the copy has returned, dropping its sender.
        while activity_rx.changed().await.is_ok() {
            moved.push(start.elapsed());
        }
        moved
    };
    let (copied, (), moved) = tokio::join!(copy(&DATA[..], writer, activity_tx), reading, watching);
    (copied.unwrap(), moved)
}

/// The longest time between two moves of the activity, from the start.
fn longest_gap(moved: &[Duration]) -> Duration {
    std::iter::once(&Duration::ZERO)
        .chain(moved)
        .zip(moved)
        .map(|(a, b)| *b - *a)
        .max()
        .unwrap()
}

/// E23: the guide's `copy_with_metrics` records activity only once a whole `write_all` of up
/// to 8 KiB is done: to a reader that takes 1 KiB every 100 ms, the bytes move all the time,
/// but the activity moves only every 800 ms or so, so an idle timeout under that closes a
/// connection in full flow. The corrected copy records each write that moves bytes: the
/// activity moves every 100 ms, with the reader.
#[tokio::test(start_paused = true)]
async fn e23_activity_moves_with_a_slow_reader_only_in_the_corrected_copy() {
    let (copied, moved) = activity_times_with_a_slow_reader(
        std::time::Instant::now(),
        as_written::watch_idle_timeout::copy_with_metrics,
    )
    .await;
    assert_eq!(copied, 16 * 1024);
    assert!(
        longest_gap(&moved) >= Duration::from_millis(700),
        "the guide's copy recorded activity every {:?}: {moved:?}",
        longest_gap(&moved)
    );

    let (copied, moved) = activity_times_with_a_slow_reader(
        tokio::time::Instant::now(),
        corrected::watch_idle_timeout::copy_with_metrics,
    )
    .await;
    assert_eq!(copied, 16 * 1024);
    assert_eq!(longest_gap(&moved), Duration::from_millis(100), "{moved:?}");
}

/// E22: the guide's subscriber loop, `while let Ok(event) = rx.recv().await`, ends at the first
/// `Lagged`, while the channel is still open: every later event is lost to it. A loop that
/// matches `Lagged` and goes on, as the corrected subscribers do, gets the rest.
#[tokio::test(start_paused = true)]
async fn e22_a_subscriber_that_lags_stops_for_good() {
    use tokio::sync::broadcast::{self, error::RecvError};
    let (tx, mut guide_rx) = broadcast::channel::<u32>(2);
    let mut corrected_rx = tx.subscribe();
    // Both fall three behind.
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    let guide = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Ok(event) = guide_rx.recv().await {
            got.push(event);
        }
        got
    });
    let corrected = tokio::spawn(async move {
        let mut got = Vec::new();
        loop {
            match corrected_rx.recv().await {
                Ok(event) => got.push(event),
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
        }
        got
    });
    // The guide's loop has ended while `tx` is alive: at the lag, with nothing received.
    assert_eq!(
        test_support::within("the guide's subscriber", guide)
            .await
            .unwrap(),
        Vec::<u32>::new()
    );
    tx.send(5).unwrap();
    drop(tx);
    assert_eq!(
        test_support::within("the corrected subscriber", corrected)
            .await
            .unwrap(),
        [3, 4, 5]
    );
}
