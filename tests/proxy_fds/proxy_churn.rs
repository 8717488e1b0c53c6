//! Many short connections through the proxy on real loopback sockets, the traffic of a proxy in
//! front of a web service: each one carries a small request and a small reply, checked byte for
//! byte, and the process ends with exactly the file descriptors it started with.
use std::sync::Arc;
use std::time::Duration;

use test_support::tcp::{BOUND, Payload, client, open_fds, proxy, upstream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::alone;

const CONNECTIONS: usize = 10_000;
/// Connections in flight at once, as a load generator keeps them (`ab -c 32`).
const CONCURRENCY: usize = 32;

#[test]
fn ten_thousand_short_connections_each_relayed_whole() {
    alone(churn());
}

async fn churn() {
    let before = open_fds();
    {
        let (up, results) = upstream(CONNECTIONS, false).await;
        let proxy = proxy(&up, Duration::from_secs(30), Duration::from_secs(5)).await;
        let slots = Arc::new(Semaphore::new(CONCURRENCY));
        let mut clients = JoinSet::new();
        for i in 0..CONNECTIONS as u64 {
            let slot = slots.clone().acquire_owned().await.unwrap();
            let addr = proxy.addr.clone();
            // A request of 40 to 240 bytes, a reply of 100 to 400, each different.
            let request = Payload {
                seed: i * 7919,
                len: 40 + i % 201,
            };
            let reply = Payload {
                seed: i * 104_729 + 1,
                len: 100 + i % 301,
            };
            clients.spawn(async move {
                let checked = timeout(BOUND, client(&addr, request, reply)).await;
                drop(slot);
                (i, checked)
            });
            // Reap as we go, so a failure shows up at once with its connection's number.
            while let Some(done) = clients.try_join_next() {
                let (i, checked) = done.unwrap();
                match checked {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => panic!("connection {i}: {e}"),
                    Err(_) => panic!("connection {i}: no reply within {BOUND:?}"),
                }
            }
        }
        while let Some(done) = timeout(BOUND, clients.join_next())
            .await
            .expect("the last connections end")
        {
            let (i, checked) = done.unwrap();
            checked
                .unwrap_or_else(|_| panic!("connection {i}: no reply within {BOUND:?}"))
                .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        }
        let results = timeout(BOUND, results).await.unwrap().unwrap();
        assert_eq!(results.len(), CONNECTIONS);
        if let Some((n, e)) = results
            .iter()
            .enumerate()
            .find_map(|(n, r)| Some((n, r.as_ref().err()?)))
        {
            panic!("upstream, connection {n} accepted: {e}");
        }

        proxy.shutdown.trigger();
        let summary = timeout(BOUND, proxy.task).await.unwrap().unwrap().unwrap();
        assert_eq!(summary.accepted, CONNECTIONS as u64);
        assert_eq!(summary.closed_at_drain, 0, "every connection had ended");
    }
    assert_eq!(open_fds(), before, "descriptors left behind");
}
