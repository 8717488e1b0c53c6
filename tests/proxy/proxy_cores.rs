//! The proxy on every core (`proxy::cores`), over real loopback sockets: listeners that share
//! one port, refused when the port is taken (even by another proxy's group), and servers on
//! threads of their own whose summaries add up.

use std::net::TcpListener;
use std::time::Duration;

use proxy::cores;
use proxy::server::Config;
use proxy::shutdown::Shutdown;
use test_support::tcp::{self, echo_upstream, finish, open_served};

/// One thread per core the process may use, as the README says.
#[test]
fn one_thread_per_core() {
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(cores::threads(), cores);
}

#[test]
fn listeners_share_the_port_the_system_picked() {
    let listeners = cores::bind("127.0.0.1:0".parse().unwrap(), 3).unwrap();
    assert_eq!(listeners.len(), 3);
    let ports: Vec<_> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    assert_ne!(ports[0], 0);
    assert!(ports.iter().all(|&p| p == ports[0]), "{ports:?}");
    assert_eq!(
        cores::bind("127.0.0.1:0".parse().unwrap(), 0)
            .unwrap()
            .len(),
        1
    );
}

/// A taken port is refused, whoever holds it: a plain listener, or another proxy's listeners,
/// which the new ones would otherwise join and split the clients with.
#[test]
fn a_taken_port_is_refused_even_by_a_reuse_port_group() {
    let plain = TcpListener::bind("127.0.0.1:0").unwrap();
    let e = cores::bind(plain.local_addr().unwrap(), 2).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "{e}");

    let group = cores::bind("127.0.0.1:0".parse().unwrap(), 2).unwrap();
    let e = cores::bind(group[0].local_addr().unwrap(), 2).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "{e}");
}

/// Two threads serve one address: every client is relayed, the shutdown stops both, and the
/// summary adds up both: the clients accepted, and the one still open at the drain timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_on_two_threads_serve_one_address_and_add_up() {
    const CLIENTS: usize = 40;
    let (echo, echo_task) = echo_upstream().await;
    let listeners = cores::bind("127.0.0.1:0".parse().unwrap(), 2).unwrap();
    let addr = listeners[0].local_addr().unwrap().to_string();
    let shutdown = Shutdown::new();
    let config = Config::new(
        echo,
        Duration::from_secs(30),
        100,
        Duration::from_millis(100),
    );
    let stop = shutdown.clone();
    // The servers on threads of their own, and a channel to wait for them with a bound: a
    // thread that never ends must fail this test, not hang it.
    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(cores::serve(listeners, config, stop)));
    for _ in 1..CLIENTS {
        finish(open_served(&addr).await).await;
    }
    // Open through the drain: closed by the servers at its timeout.
    let mut held = open_served(&addr).await;
    shutdown.trigger();
    // The drain takes 100 ms; ten seconds is room for any load.
    let summary = tokio::task::block_in_place(|| stopped.recv_timeout(Duration::from_secs(10)))
        .expect("both servers stop once the drain times out")
        .unwrap();
    assert_eq!(summary.accepted, CLIENTS as u64);
    assert_eq!(summary.closed_at_drain, 1);
    assert!(tcp::closed(&mut held).await, "closed at the drain timeout");
    echo_task.abort();
}
