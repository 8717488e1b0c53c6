// The guide's example corrected (`watch-idle-timeout`), as guide/tokio-channels.corrected.md shows it.
// Below the marker: the block, with only the edits listed in patterns/mod.rs.
// BEGIN GUIDE
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::watch,
    time::Instant,
};

// Copy data and report activity via watch channel
pub async fn copy_with_metrics<R, W>(
    mut reader: R,
    mut writer: W,
    activity_tx: watch::Sender<Instant>,
) -> std::io::Result<u64>
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut total = 0u64;
    let mut buffer = [0u8; 8192];

    loop {
        let bytes_read = reader.read(&mut buffer).await?;
        if bytes_read == 0 {
            break;
        }

        // Write in steps: each one that moves bytes is activity, even to a slow reader
        let mut written = 0;
        while written < bytes_read {
            let n = writer.write(&buffer[written..bytes_read]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            written += n;

            // Update the activity timestamp
            // Receivers will see the latest timestamp, not every update
            // (the clock is read under the channel's lock, so it never goes back)
            activity_tx.send_modify(|last| *last = Instant::now());
        }
        total += bytes_read as u64;
    }

    // Pass the end of the stream on, flushing whatever the writer buffers
    writer.shutdown().await?;
    Ok(total)
}

pub async fn proxy_with_idle_timeout(
    client: TcpStream,
    upstream: TcpStream,
    idle_timeout: Duration,
) -> std::io::Result<(u64, u64)> {
    let (client_read, client_write) = client.into_split();
    let (upstream_read, upstream_write) = upstream.into_split();

    // Watch channel tracks the last activity time
    let (activity_tx, activity_rx) = watch::channel(Instant::now());
    let activity_tx2 = activity_tx.clone();

    // Two copies, both report activity to the same watch channel. Not spawned: they run
    // inside this future, so when it returns they stop, and both connections close
    let client2upstream = copy_with_metrics(client_read, upstream_write, activity_tx);
    let upstream2client = copy_with_metrics(upstream_read, client_write, activity_tx2);

    // Idle timeout monitor - checks the latest activity timestamp
    let timeout_monitor = async {
        loop {
            // borrow() gives us the current value without waiting
            let last = *activity_rx.borrow();
            if last.elapsed() >= idle_timeout {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "idle timeout"
                ));
            }
            // Sleep until the connection would be idle; activity meanwhile moves that
            tokio::time::sleep_until(last + idle_timeout).await;
        }
    };

    tokio::select! {
        // Ends at the first error in either direction
        result = async { tokio::try_join!(client2upstream, upstream2client) } => {
            let (c2u, u2c) = result?;
            Ok((c2u, u2c))
        }
        err = timeout_monitor => {
            Err(err?)
        }
    }
}
