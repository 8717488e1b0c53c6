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

use std::cell::RefCell;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

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
/// An idle direction holds no buffer: each read goes into the thread's scratch buffer, held
/// only while the read is polled, and only the bytes read are kept until written. A connection
/// that waits for its peer costs its sockets and this future's few words, not 2 x 8 KiB (the
/// guide's `[0u8; 8192]` per direction lives for the whole connection).
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
    loop {
        let chunk = std::future::poll_fn(|cx| read_chunk(Pin::new(&mut reader), cx)).await?;
        if chunk.is_empty() {
            break;
        }
        activity.record();
        writer.write_all(&chunk).await?;
        activity.record();
        copied.fetch_add(chunk.len() as u64, Ordering::Relaxed);
    }
    writer.shutdown().await
}

/// How much one read may take: large reads mean few system calls per byte.
const SCRATCH_SIZE: usize = 64 * 1024;

thread_local! {
    /// One read buffer per thread, shared by every connection polled on it.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_SIZE].into_boxed_slice());
}

/// Polls one read into the thread's scratch buffer and returns the bytes read (empty at EOF).
fn read_chunk<R: AsyncRead>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<Vec<u8>>> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let mut buf = ReadBuf::new(&mut scratch[..]);
        reader
            .poll_read(cx, &mut buf)
            .map_ok(|()| buf.filled().to_vec())
    })
}
