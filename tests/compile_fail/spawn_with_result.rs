use tokio::sync::oneshot;

async fn spawn_with_result<F, T>(f: F) -> oneshot::Receiver<T>
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

#[tokio::main]
async fn main() {
    let result_rx = spawn_with_result(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        42
    });

    println!("Result: {}", result_rx.await.unwrap());
}
