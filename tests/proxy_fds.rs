//! The proxy leaves no file descriptor behind: after its connections end and it shuts down,
//! the process has exactly the descriptors it had before. Alone in its own test binary, so
//! that no other test opens or closes descriptors meanwhile.
mod tcp_support;

use std::time::Duration;

use tcp_support::{BOUND, Payload, client, proxy, upstream};
use tokio::time::timeout;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd (Linux)")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn descriptors_return_to_their_starting_count() {
    let before = open_fds();
    {
        let (up, results) = upstream(50, false).await;
        let proxy = proxy(&up, Duration::from_secs(30), Duration::from_secs(5)).await;
        let clients: Vec<_> = (0..50u64)
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
        let during = open_fds();
        for c in clients {
            assert_eq!(timeout(BOUND, c).await.unwrap().unwrap(), Ok(()));
        }
        assert!(
            during > before,
            "the test did open descriptors ({during} vs {before})"
        );
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
        assert_eq!(summary.accepted, 50);
    }
    assert_eq!(open_fds(), before);
}
