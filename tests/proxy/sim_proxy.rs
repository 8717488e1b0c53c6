//! The proxy's server on a simulated network (turmoil): each test is a client host, the proxy
//! host and an upstream host, in simulated time, with the network misbehaving on purpose.
//! Every timing assertion here is exact: the clock is simulated.
use crate::sim_support;

use std::time::Duration;

use pretty_assertions::assert_eq;
use proxy::server::End;
use proxy::{CloseReason, Outcome};
use sim_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const MS: Duration = Duration::from_millis(1);

/// The outcome of the one connection the proxy reported, which it relayed.
fn one_relayed(end: &ProxyEnd) -> Outcome {
    match end.connections.as_slice() {
        [
            Reported {
                end: End::Relayed(outcome),
                ..
            },
        ] => *outcome,
        other => panic!("one relayed connection reported, not {other:#?}"),
    }
}

/// What a relay moved each way, and why it ended.
fn outcome(client_to_upstream: u64, upstream_to_client: u64, reason: CloseReason) -> Outcome {
    Outcome {
        client_to_upstream,
        upstream_to_client,
        reason,
    }
}

/// An idle connection is closed exactly one idle timeout after the last byte the proxy
/// relayed: the client, at a fixed latency, sees EOF exactly `IDLE` after that byte arrived.
#[test]
fn the_idle_timeout_is_exact_in_simulated_time() {
    let mut sim = sim(1, MS, Duration::from_secs(60));
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    echo_upstream(&mut sim);
    sim.client("client", async move {
        let mut stream = connect().await?;
        stream.write_all(b"ping").await?;
        let mut echo = [0; 4];
        stream.read_exact(&mut echo).await?;
        let last_byte = Instant::now();
        assert_eq!(&echo, b"ping");
        let (rest, eof) = read_to_eof(&mut stream).await?;
        assert_eq!(rest, b"");
        assert_eq!(eof - last_byte, IDLE);
        let end = proxy.stop().await;
        assert_eq!(one_relayed(&end), outcome(4, 4, CloseReason::IdleTimeout));
        assert_eq!((end.summary.accepted, end.summary.closed_at_drain), (1, 0));
        assert_eq!((end.tasks_alive, end.streams_open), (0, 0));
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// On shutdown the server stops accepting at once, and returns as soon as the last open
/// connection ends by itself, long before the drain timeout.
#[test]
fn a_drain_ends_as_soon_as_the_last_connection_does() {
    let mut sim = sim(2, MS, Duration::from_secs(60));
    let drain = Duration::from_secs(10);
    let proxy = proxy_host(&mut sim, config(16, drain));
    echo_upstream(&mut sim);
    sim.client("client", async move {
        let mut first = connect().await?;
        let mut second = connect().await?;
        for stream in [&mut first, &mut second] {
            stream.write_all(b"hi").await?;
            let mut echo = [0; 2];
            stream.read_exact(&mut echo).await?;
        }
        let stopping = proxy.clone();
        let stopped = tokio::task::spawn_local(async move { stopping.stop().await });
        tokio::time::sleep(10 * MS).await;
        let refused = connect().await.expect_err("no longer accepting");
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        // Both still relay while the drain waits for them.
        tokio::time::sleep(100 * MS).await;
        first.write_all(b"more").await?;
        first.shutdown().await?;
        assert_eq!(read_to_eof(&mut first).await?.0, b"more");
        tokio::time::sleep(200 * MS).await;
        assert!(
            !stopped.is_finished(),
            "the server returned with a connection open"
        );
        let last_close = now();
        second.shutdown().await?;
        assert_eq!(read_to_eof(&mut second).await?.0, b"");
        let end = stopped.await?;
        assert_eq!(end.summary.closed_at_drain, 0);
        assert_eq!((end.tasks_alive, end.streams_open), (0, 0));
        // The close goes client -> proxy -> upstream, and the upstream's back: three links of
        // 1 ms, and the server returns in the same tick as the last connection ends.
        assert_eq!(end.at - last_close, 3 * MS);
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// Connections still open at the drain timeout are closed then, exactly, and counted.
#[test]
fn a_drain_closes_the_rest_at_the_drain_timeout() {
    let mut sim = sim(3, MS, Duration::from_secs(60));
    let drain = Duration::from_millis(300);
    let proxy = proxy_host(&mut sim, config(16, drain));
    echo_upstream(&mut sim);
    sim.client("client", async move {
        let mut open = connect().await?;
        open.write_all(b"hi").await?;
        let mut echo = [0; 2];
        open.read_exact(&mut echo).await?;
        // Activity within the idle timeout, so only the drain can close it.
        let stopping = proxy.clone();
        let triggered = now();
        let stopped = tokio::task::spawn_local(async move { stopping.stop().await });
        let (rest, _) = read_to_eof(&mut open).await?;
        let eof = now();
        assert_eq!(rest, b"");
        let end = stopped.await?;
        assert_eq!(end.summary.closed_at_drain, 1);
        match end.connections.as_slice() {
            [reported] => {
                assert_eq!(reported.end, End::ClosedAtDrain);
                assert!(reported.upstream.is_some(), "{reported:?}");
                assert_eq!(reported.ended, end.at);
            }
            other => panic!("one connection reported, not {other:#?}"),
        }
        assert_eq!((end.tasks_alive, end.streams_open), (0, 0));
        // Within a tick of the trigger (the proxy host sees it at its next step), and the FIN
        // one latency later.
        let closed = end.at - triggered;
        assert!(
            closed >= drain && closed <= drain + MS,
            "closed {closed:?} after the trigger"
        );
        assert_eq!(eof - triggered, closed + MS);
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// At the limit, a new client waits (its connect is not even answered) while the open ones
/// keep working; it is served as soon as one of them ends. The upstream never sees more than
/// the limit at once.
#[test]
fn at_the_limit_new_clients_wait_and_open_ones_keep_working() {
    let mut sim = sim(4, MS, Duration::from_secs(60));
    let proxy = proxy_host(&mut sim, config(2, Duration::from_secs(1)));
    let peak = echo_upstream(&mut sim);
    sim.client("client", async move {
        let mut first = connect().await?;
        let mut second = connect().await?;
        let third = tokio::task::spawn_local(async {
            let mut third = connect().await?;
            third.write_all(b"third").await?;
            third.shutdown().await?;
            let (echo, _) = read_to_eof(&mut third).await?;
            Ok::<_, std::io::Error>((echo, Instant::now()))
        });
        // Longer than the idle timeout: the open ones stay busy, the third waits.
        for round in 0..20u8 {
            for stream in [&mut first, &mut second] {
                stream.write_all(&[round]).await?;
                let mut echo = [0];
                stream.read_exact(&mut echo).await?;
                assert_eq!(echo, [round]);
            }
            tokio::time::sleep(50 * MS).await;
        }
        assert!(
            !third.is_finished(),
            "a third client was served at a limit of 2"
        );
        let freed = Instant::now();
        first.shutdown().await?;
        read_to_eof(&mut first).await?;
        let (echo, served) = third.await??;
        assert_eq!(echo, b"third");
        assert!(
            served - freed <= 10 * MS,
            "served {:?} after a slot freed",
            served - freed
        );
        second.shutdown().await?;
        read_to_eof(&mut second).await?;
        let end = proxy.stop().await;
        assert_eq!((end.summary.accepted, end.summary.closed_at_drain), (3, 0));
        Ok(())
    });
    run_sim(&mut sim).unwrap();
    assert_eq!(lock(&peak).most, 2);
    assert_eq!(lock(&peak).total, 3);
}

/// The link from the proxy to the upstream is held (nothing crosses it) for less than the
/// idle timeout, with the send buffers full, then released: every byte arrives, in order.
#[test]
fn a_stalled_upstream_then_released_loses_nothing() {
    let mut sim = turmoil::Builder::new()
        .rng_seed(5)
        .min_message_latency(MS)
        .max_message_latency(MS)
        .tcp_capacity(2)
        .simulation_duration(Duration::from_secs(60))
        .build();
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    echo_upstream(&mut sim);
    sim.client("client", async move {
        let sent = payload(5, 300_000);
        let stream = connect().await?;
        let (mut read, mut write) = stream.into_split();
        let reader = tokio::task::spawn_local(async move { read_to_eof(&mut read).await });
        write.write_all(&sent[..1000]).await?;
        turmoil::hold("proxy", "upstream");
        let writer = tokio::task::spawn_local({
            let sent = sent.clone();
            async move {
                for chunk in sent[1000..].chunks(10_000) {
                    write.write_all(chunk).await?;
                }
                write.shutdown().await
            }
        });
        tokio::time::sleep(400 * MS).await;
        assert!(!writer.is_finished(), "the hold did not stall the writer");
        turmoil::release("proxy", "upstream");
        writer.await??;
        let (echoed, _) = reader.await??;
        assert!(
            echoed == sent,
            "{} bytes echoed of {}",
            echoed.len(),
            sent.len()
        );
        let end = proxy.stop().await;
        assert_eq!(end.summary.closed_at_drain, 0);
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// A partition between the proxy and the upstream: nothing moves, so the connection is
/// closed exactly one idle timeout after the last bytes reached the proxy, and its report says
/// why.
#[test]
fn a_partition_ends_the_connection_at_the_idle_timeout_and_says_why() {
    let mut sim = sim(6, MS, Duration::from_secs(60));
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    echo_upstream(&mut sim);
    sim.client("client", async move {
        let mut stream = connect().await?;
        stream.write_all(b"ping").await?;
        let mut echo = [0; 4];
        stream.read_exact(&mut echo).await?;
        turmoil::partition("proxy", "upstream");
        let last_write = Instant::now();
        stream.write_all(b"lost").await?;
        let (rest, eof) = read_to_eof(&mut stream).await?;
        assert_eq!(rest, b"");
        // One latency to the proxy, the idle timeout there, one latency back.
        assert_eq!(eof - last_write, IDLE + 2 * MS);
        let end = proxy.stop().await;
        assert_eq!(one_relayed(&end), outcome(8, 4, CloseReason::IdleTimeout));
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// An upstream that closes in the middle of its reply: the client gets every byte sent
/// before the close, then EOF, at once, not at the idle timeout.
#[test]
fn an_upstream_closing_mid_reply_passes_the_close_on() {
    let mut sim = sim(7, MS, Duration::from_secs(60));
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    upstream_host(&mut sim, |mut stream| async move {
        let mut request = [0; 7];
        stream.read_exact(&mut request).await?;
        stream.write_all(&payload(7, 1500)).await?;
        // The rest of the reply never comes: the upstream closes.
        stream.shutdown().await
    });
    sim.client("client", async move {
        let mut stream = connect().await?;
        let asked = Instant::now();
        stream.write_all(b"GET /\r\n").await?;
        let (reply, eof) = read_to_eof(&mut stream).await?;
        assert!(reply == payload(7, 1500), "{} bytes", reply.len());
        // At once: the request and the reply cross two links each way, and the proxy connects
        // to the upstream meanwhile (one round trip); the idle timeout is far off.
        assert!(
            eof - asked <= 10 * MS,
            "EOF {:?} after the request",
            eof - asked
        );
        stream.shutdown().await?;
        let end = proxy.stop().await;
        assert_eq!(one_relayed(&end), outcome(7, 1500, CloseReason::Finished));
        assert_eq!(end.summary.closed_at_drain, 0);
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// A slow reader behind a small send buffer (two segments in flight per direction): the
/// proxy holds what the client cannot take yet, and the client gets every byte in order, taking
/// longer than the idle timeout to read them all (bytes keep moving, so it is not idle).
///
/// The client reads exactly the reply's length rather than to EOF: turmoil 0.7 keeps a FIN
/// that reaches a full receive queue in its reorder buffer until another segment arrives, which
/// after a FIN none does. So the close is checked in the proxy's report instead.
#[test]
fn a_slow_reader_with_a_small_tcp_capacity_gets_every_byte() {
    let mut sim = turmoil::Builder::new()
        .rng_seed(8)
        .min_message_latency(MS)
        .max_message_latency(MS)
        .tcp_capacity(2)
        .simulation_duration(Duration::from_secs(60))
        .build();
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    let sent = payload(8, 200_000);
    let reply = sent.clone();
    upstream_host(&mut sim, move |mut stream| {
        let reply = reply.clone();
        async move {
            for chunk in reply.chunks(4096) {
                stream.write_all(chunk).await?;
            }
            stream.shutdown().await
        }
    });
    sim.client("client", async move {
        let mut stream = connect().await?;
        let started = Instant::now();
        let mut got = vec![0; sent.len()];
        for chunk in got.chunks_mut(1024) {
            stream.read_exact(chunk).await?;
            tokio::time::sleep(10 * MS).await;
        }
        assert!(got == sent, "the bytes differ");
        assert!(
            started.elapsed() > 2 * IDLE,
            "read in {:?}",
            started.elapsed()
        );
        stream.shutdown().await?;
        let end = proxy.stop().await;
        assert_eq!(one_relayed(&end), outcome(0, 200000, CloseReason::Finished));
        assert_eq!(end.summary.closed_at_drain, 0);
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}

/// An upstream host that is up but does not listen: the client is closed at once, and the
/// proxy's report says why, with no upstream connection.
#[test]
fn an_upstream_that_refuses_closes_the_client_and_is_reported() {
    let mut sim = sim(9, MS, Duration::from_secs(60));
    let proxy = proxy_host(&mut sim, config(16, Duration::from_secs(1)));
    sim.host("upstream", || async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    });
    sim.client("client", async move {
        let mut stream = connect().await?;
        let connected = Instant::now();
        let (rest, eof) = read_to_eof(&mut stream).await?;
        assert_eq!(rest, b"");
        assert!(
            eof - connected <= 10 * MS,
            "EOF {:?} after",
            eof - connected
        );
        let end = proxy.stop().await;
        match end.connections.as_slice() {
            [reported] => {
                assert_eq!(
                    reported.end,
                    End::Unreachable(std::io::ErrorKind::ConnectionRefused)
                );
                assert_eq!(reported.upstream, None);
            }
            other => panic!("one connection reported, not {other:#?}"),
        }
        Ok(())
    });
    run_sim(&mut sim).unwrap();
}
