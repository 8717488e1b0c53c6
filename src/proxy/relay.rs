//! The connection core (guide section "Real Example: Idle Timeout in proxy.rs"), generic over
//! `AsyncRead + AsyncWrite` so that tests run it over in-memory duplex streams in paused time.
//!
//! Fixes against the guide's `proxy_with_idle_timeout`:
//! - the timeout fires at latest activity + timeout on Tokio's clock ([`crate::idle`]; E14, E15);
//! - both directions run inside this future, not in detached tasks, so when it returns for any
//!   reason (done, timed out, error) both streams are dropped and nothing keeps forwarding (E16);
//! - each direction flushes and shuts down its writer at EOF, so a half-close reaches the peer
//!   and buffered bytes are not lost (E17);
//! - an error in either direction ends the whole connection at once.
//!
//! Tests: `tests/watch.rs` (the `watch-idle-timeout` pattern), `tests/proxy.rs` (timing,
//! half-close, cleanup), `tests/errata.rs` (the guide's version as written).

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::idle::{self, Activity};

/// Why a relayed connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// Both directions reached EOF and were shut down.
    Finished,
    /// Neither direction moved a byte for the whole idle timeout.
    IdleTimeout,
    /// A read, write or shutdown failed on either side; the other direction was abandoned.
    Failed(io::ErrorKind),
}

/// What a relayed connection did: the bytes each way and why it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes copied from the client to the upstream.
    pub client_to_upstream: u64,
    /// Bytes copied from the upstream to the client.
    pub upstream_to_client: u64,
    /// Why the connection ended.
    pub reason: CloseReason,
}

/// Relays bytes both ways between `client` and `upstream` until both directions finish, the
/// connection has been idle for `idle_timeout`, or either side fails. Both streams are
/// dropped, and so closed, when this returns; the outcome says why, with the bytes moved each
/// way either way (an error is an outcome here, not a reason to lose the counts).
pub async fn relay<C, U>(client: C, upstream: U, idle_timeout: Duration) -> Outcome
where
    C: AsyncRead + AsyncWrite,
    U: AsyncRead + AsyncWrite,
{
    let (client_read, client_write) = tokio::io::split(client);
    let (upstream_read, upstream_write) = tokio::io::split(upstream);
    let (activity, mut monitor) = idle::track(idle_timeout);

    let client_to_upstream = AtomicU64::new(0);
    let upstream_to_client = AtomicU64::new(0);
    let both = async {
        tokio::try_join!(
            copy_with_activity(client_read, upstream_write, &activity, &client_to_upstream),
            copy_with_activity(upstream_read, client_write, &activity, &upstream_to_client),
        )
    };

    let reason = tokio::select! {
        done = both => match done {
            Ok(_) => CloseReason::Finished,
            Err(e) => CloseReason::Failed(e.kind()),
        },
        () = monitor.expired() => CloseReason::IdleTimeout,
    };
    Outcome {
        client_to_upstream: client_to_upstream.load(Ordering::Relaxed),
        upstream_to_client: upstream_to_client.load(Ordering::Relaxed),
        reason,
    }
}

/// Copies `reader` to `writer` until EOF, recording activity and counting bytes as they go,
/// then flushes and shuts `writer` down so the peer sees EOF too (a half-close).
///
/// The count lives outside the future so that it survives the future being dropped at a
/// timeout.
///
/// # Errors
/// The first read, write, flush or shutdown error.
pub async fn copy_with_activity<R, W>(
    mut reader: R,
    mut writer: W,
    activity: &Activity,
    copied: &AtomicU64,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer = vec![0u8; 8192];
    loop {
        let n = reader.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        activity.record();
        writer.write_all(&buffer[..n]).await?;
        activity.record();
        copied.fetch_add(n as u64, Ordering::Relaxed);
    }
    writer.shutdown().await
}
