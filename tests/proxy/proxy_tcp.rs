//! The proxy over real loopback TCP, in real time: every byte of many concurrent connections,
//! half-close, an unreachable upstream, and draining at shutdown. Waits are bounded
//! (`test_support::tcp::BOUND`) and loops are finite: these tests stop by themselves.

use std::time::Duration;

use proxy::server::Summary;
use test_support::tcp::{
    BOUND, Payload, client, echo_upstream, echoes, finish, open_served, proxy, upstream,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const IDLE: Duration = Duration::from_secs(30);

/// A small deterministic generator for sizes and seeds.
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

/// 100 concurrent connections, each with its own pseudo-random payload of up to 1 MiB each
/// way: every byte arrives, in order, both ways. (A smoke test on real sockets: delivery under
/// faults is `tests/proxy/sim_schedules.rs`'s.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_connections_deliver_every_byte_both_ways() {
    const CONNECTIONS: usize = 100;
    let (up, results) = upstream(CONNECTIONS, false).await;
    let proxy = proxy(&up, IDLE, Duration::from_secs(5)).await;

    let mut state = 42;
    let mut clients = Vec::new();
    let mut total = 0;
    for _ in 0..CONNECTIONS {
        let out = Payload {
            seed: lcg(&mut state),
            len: lcg(&mut state) % (1 << 20) + 1,
        };
        let back = Payload {
            seed: lcg(&mut state),
            len: lcg(&mut state) % (1 << 20) + 1,
        };
        total += out.len + back.len;
        let addr = proxy.addr.clone();
        clients.push(tokio::spawn(async move { client(&addr, out, back).await }));
    }
    for (i, c) in clients.into_iter().enumerate() {
        let checked = timeout(BOUND, c).await.expect("client finished").unwrap();
        assert_eq!(checked, Ok(()), "client {i}");
    }
    let upstream_checks = timeout(BOUND, results).await.unwrap().unwrap();
    assert_eq!(upstream_checks.len(), CONNECTIONS);
    assert!(
        upstream_checks.iter().all(Result::is_ok),
        "{upstream_checks:?}"
    );
    assert!(total > 64 << 20, "only {total} bytes moved");

    proxy.shutdown.trigger();
    let summary = timeout(BOUND, proxy.task).await.unwrap().unwrap().unwrap();
    assert_eq!(summary.accepted, CONNECTIONS as u64);
    assert_eq!(summary.closed_at_drain, 0);
}

/// A client that half-closes (sends its request, then FIN) still gets the whole reply, which
/// the upstream sends only after seeing that FIN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_half_closes_gets_the_whole_reply() {
    let (up, results) = upstream(1, true).await;
    let proxy = proxy(&up, IDLE, Duration::from_secs(5)).await;
    let request = Payload {
        seed: 7,
        len: 100_000,
    };
    let reply = Payload {
        seed: 99,
        len: 3 << 20,
    };
    assert_eq!(
        timeout(BOUND, client(&proxy.addr, request, reply))
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(timeout(BOUND, results).await.unwrap().unwrap(), [Ok(())]);
}

/// An unreachable upstream: each client is closed promptly (EOF, not a hang), and the server
/// keeps serving the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_closes_the_client_and_the_server_goes_on() {
    // A port that was just free: nothing listens there.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let proxy = proxy(&dead, IDLE, Duration::from_secs(5)).await;
    for _ in 0..3 {
        let mut c = TcpStream::connect(&proxy.addr).await.unwrap();
        let mut buf = [0u8; 16];
        let read = timeout(Duration::from_secs(10), c.read(&mut buf)).await;
        let n = read.expect("closed promptly, not left hanging");
        assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    }
    proxy.shutdown.trigger();
    let summary = timeout(BOUND, proxy.task).await.unwrap().unwrap().unwrap();
    assert_eq!(summary.accepted, 3);
}

/// Shutdown with connections open: the server stops accepting at once (its listener is
/// dropped: a new client is refused or reset, never served), the open connections keep
/// working, and the server returns as soon as the last of them ends, not at the drain timeout
/// (an hour here, so a server that waited it out fails the test's bound).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_accepting_and_ends_as_soon_as_the_last_connection_does() {
    let (up, _echo) = echo_upstream().await;
    let proxy = proxy(&up, IDLE, Duration::from_secs(3600)).await;
    let mut first = open_served(&proxy.addr).await;
    let mut second = open_served(&proxy.addr).await;

    proxy.shutdown.trigger();
    // The server holds a shutdown listener of its own besides one per connection, and drops
    // it right after its socket: once it has, a new client must be refused.
    timeout(BOUND, async {
        while proxy.shutdown.listeners() > 2 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the server stops accepting");
    assert!(
        TcpStream::connect(&proxy.addr).await.is_err(),
        "a client after the signal is refused while the others drain"
    );
    echoes(&mut first, b'a', "an open connection during the drain").await;
    finish(first).await;
    echoes(
        &mut second,
        b'b',
        "the last connection, after the first ended",
    )
    .await;
    assert!(
        !proxy.task.is_finished(),
        "the server drains while a connection is open"
    );
    finish(second).await;

    let summary = timeout(BOUND, proxy.task)
        .await
        .expect("the server returns once its last connection ends")
        .unwrap()
        .unwrap();
    assert_eq!(
        summary,
        Summary {
            accepted: 2,
            closed_at_drain: 0
        }
    );
}

/// The corrected relay over real sockets: an upstream reset ends the connection at once, with
/// the reset as the reason (the guide's proxy reports an idle timeout instead: erratum E20).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_reset_ends_the_relay_at_once_with_the_reset() {
    use proxy::{CloseReason, relay};
    let pair = || async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let (c, a) = tokio::join!(TcpStream::connect(addr), l.accept());
        (c.unwrap(), a.unwrap().0)
    };
    let (mut client, proxy_client_side) = pair().await;
    let (proxy_upstream_side, upstream) = pair().await;
    let relay = tokio::spawn(relay(proxy_client_side, proxy_upstream_side, IDLE));
    upstream.set_zero_linger().unwrap();
    drop(upstream);
    let outcome = timeout(BOUND, relay).await.unwrap().unwrap();
    assert_eq!(
        outcome.reason,
        CloseReason::Failed(std::io::ErrorKind::ConnectionReset)
    );
    let mut buf = [0u8; 4];
    let n = timeout(BOUND, client.read(&mut buf)).await.unwrap();
    assert!(
        matches!(n, Ok(0) | Err(_)),
        "the client is closed too: {n:?}"
    );
}

/// The TCP write half's last bytes (`WriteLast`, sent with `MSG_MORE` so that the FIN after
/// them leaves in the same segment) arrive whole, followed by the end. When the socket is
/// full, the write waits (pending, woken when there is room) instead of failing.
#[tokio::test]
async fn last_bytes_on_a_tcp_write_half_arrive_and_wait_when_full() {
    use std::pin::Pin;

    use proxy::WriteLast;

    let (mut peer, _read, mut write) = connected().await;
    let n = std::future::poll_fn(|cx| Pin::new(&mut write).poll_write_last(cx, b"the end"))
        .await
        .unwrap();
    assert_eq!(n, 7);
    write.shutdown().await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(BOUND, peer.read_to_end(&mut got))
        .await
        .expect("the bytes and the end arrive")
        .unwrap();
    assert_eq!(got, b"the end");

    // A full socket: the peer reads nothing until the sender's buffers are full.
    let (mut peer, _read, mut write) = connected().await;
    let mut queued = 0;
    let chunk = vec![1u8; 64 * 1024];
    while let Ok(n) = write.try_write(&chunk) {
        queued += n;
    }
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(
        Pin::new(&mut write)
            .poll_write_last(&mut cx, b"more")
            .is_pending(),
        "a full socket makes the last write wait, not fail"
    );
    let drain = async {
        let mut total = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = peer.read(&mut buf).await.unwrap();
            if n == 0 {
                return total;
            }
            total += n;
        }
    };
    let send = async {
        let n = std::future::poll_fn(|cx| Pin::new(&mut write).poll_write_last(cx, b"more"))
            .await
            .unwrap();
        write.shutdown().await.unwrap();
        n
    };
    let (total, sent) = tokio::time::timeout(BOUND, async { tokio::join!(drain, send) })
        .await
        .expect("room comes once the peer reads");
    assert_eq!(total, queued + sent);
}

/// A last write to a connection the peer reset fails with the reset itself: the socket's own
/// error, not that of a second attempt (which would be a broken pipe, the reset being
/// consumed), so the connection's log says what happened.
#[tokio::test]
async fn last_bytes_to_a_reset_peer_fail_with_the_reset() {
    use std::pin::Pin;

    use proxy::WriteLast;

    let (peer, _read, mut write) = connected().await;
    // Closed with a zero linger: a reset instead of a FIN.
    socket2::SockRef::from(&peer)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(peer);
    let e = timeout(
        BOUND,
        std::future::poll_fn(|cx| Pin::new(&mut write).poll_write_last(cx, b"late")),
    )
    .await
    .expect("a reset peer fails the write at once")
    .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
}

/// A loopback connection: the accepted end, and the connecting end's halves.
async fn connected() -> (
    TcpStream,
    tokio::net::tcp::OwnedReadHalf,
    tokio::net::tcp::OwnedWriteHalf,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sender, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
    let (read, write) = sender.unwrap().into_split();
    (accepted.unwrap().0, read, write)
}

/// The server's TCP connections, as `proxy::net` gives them: small writes go out at once
/// (`TCP_NODELAY`), the address is the socket's own, and the halves are the two ends of one
/// socket.
#[tokio::test]
async fn tcp_connections_send_small_writes_at_once_and_split_into_their_halves() {
    use proxy::net::{Accept, Connect, Connection, Tcp};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let target = addr.to_string();
    let (connected, accepted) = tokio::join!(Tcp.connect(&target), Accept::accept(&listener));
    let (client, (server, peer)) = (connected.unwrap(), accepted.unwrap());
    assert_eq!(Connection::local_addr(&client).unwrap(), peer);
    assert_eq!(Connection::local_addr(&server).unwrap(), addr);
    assert!(!client.nodelay().unwrap());
    client.send_small_writes_at_once();
    assert!(client.nodelay().unwrap());

    let (mut read, mut write) = server.into_halves();
    write.write_all(b"ping").await.unwrap();
    let (mut client_read, mut client_write) = client.into_halves();
    let mut got = [0; 4];
    timeout(BOUND, client_read.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"ping");
    client_write.write_all(b"pong").await.unwrap();
    timeout(BOUND, read.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"pong");
}
