// The guide's example corrected (`oneshot-spawn-with-result`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
#[cfg(channel_patterns_loom)]
use crate::rt as tokio;
// BEGIN GUIDE
use tokio::sync::oneshot;

fn spawn_with_result<F, T>(f: F) -> oneshot::Receiver<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();

    tokio::spawn(async move {
        let result = f.await;
        let _ = tx.send(result); // Ignore error if receiver dropped
    });

    rx
}

pub async fn main() {
    let result_rx = spawn_with_result(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        42
    });

    println!("Result: {}", result_rx.await.unwrap());
}
