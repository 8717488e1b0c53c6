//! The proxy leaves no file descriptor behind: after its connections end and it shuts down,
//! the process has exactly the descriptors it had before.
use std::time::Duration;

use proxy::server::Summary;
use test_support::tcp::{
    BOUND, Payload, client, echo_upstream, finish, open_fds, open_served, proxy, upstream,
};
use tokio::time::timeout;

use crate::alone;

const CONNECTIONS: usize = 50;

#[test]
fn descriptors_return_to_their_starting_count() {
    alone(held_open_then_closed());
}

async fn held_open_then_closed() {
    let before = open_fds();
    {
        // Connections held open: four descriptors each in this process (the client's socket,
        // the proxy's two, the upstream's one), on top of what the listeners hold.
        let (echo, echo_task) = echo_upstream().await;
        let proxy = proxy(&echo, Duration::from_secs(30), Duration::from_secs(5)).await;
        let listening = open_fds();
        let mut open = Vec::new();
        for _ in 0..CONNECTIONS {
            open.push(open_served(&proxy.addr).await);
        }
        let during = open_fds();
        assert!(
            during >= listening + 4 * CONNECTIONS,
            "{CONNECTIONS} open connections hold {} descriptors",
            during - listening
        );
        for c in open {
            finish(c).await;
        }

        // Connections that carry payloads both ways and end by themselves.
        let (up, results) = upstream(CONNECTIONS, false).await;
        let summary = carry_payloads(&up).await;
        assert_eq!(summary.accepted, CONNECTIONS as u64);
        assert!(
            timeout(BOUND, results)
                .await
                .unwrap()
                .unwrap()
                .iter()
                .all(Result::is_ok)
        );

        proxy.shutdown.trigger();
        let summary = timeout(BOUND, proxy.task).await.unwrap().unwrap().unwrap();
        assert_eq!(summary.accepted, CONNECTIONS as u64);
        echo_task.abort();
        assert!(echo_task.await.unwrap_err().is_cancelled());
    }
    assert_eq!(open_fds(), before);
}

/// Runs [`CONNECTIONS`] payload clients through a new proxy in front of `up`, checks each
/// client's reply, and shuts that proxy down: its summary.
async fn carry_payloads(up: &str) -> Summary {
    let proxy = proxy(up, Duration::from_secs(30), Duration::from_secs(5)).await;
    let clients: Vec<_> = (0..CONNECTIONS as u64)
        .map(|i| {
            let addr = proxy.addr.clone();
            let out = Payload {
                seed: i,
                len: 1000 + i * 997,
            };
            let back = Payload {
                seed: i + 1,
                len: 5000 + i * 31,
            };
            tokio::spawn(async move { client(&addr, out, back).await })
        })
        .collect();
    for c in clients {
        assert_eq!(timeout(BOUND, c).await.unwrap().unwrap(), Ok(()));
    }
    proxy.shutdown.trigger();
    timeout(BOUND, proxy.task).await.unwrap().unwrap().unwrap()
}
