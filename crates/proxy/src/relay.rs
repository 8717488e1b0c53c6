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
//! Tests: `tests/proxy/proxy.rs` (timing, half-close, cleanup), `tests/proxy/proxy_tcp.rs`, and the
//! simulation (`tests/proxy/sim_*.rs`).

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::idle::{self, Activity};
use crate::net::{Connection, WriteLast};
use crate::rules::Rules;

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
    relay_halves(
        (client_read, client_write),
        (upstream_read, upstream_write),
        idle_timeout,
        Rules::default(),
    )
    .await
}

async fn relay_halves<CR, CW, UR, UW>(
    (client_read, client_write): (CR, CW),
    (upstream_read, upstream_write): (UR, UW),
    idle_timeout: Duration,
    rules: Rules,
) -> Outcome
where
    CR: AsyncRead + Unpin,
    CW: WriteLast + Unpin,
    UR: AsyncRead + Unpin,
    UW: WriteLast + Unpin,
{
    let (activity, mut monitor) = idle::track(idle_timeout);

    let client_to_upstream = AtomicU64::new(0);
    let upstream_to_client = AtomicU64::new(0);
    let both = async {
        tokio::try_join!(
            copy_by(
                client_read,
                upstream_write,
                &activity,
                &client_to_upstream,
                rules
            ),
            copy_by(
                upstream_read,
                client_write,
                &activity,
                &upstream_to_client,
                rules
            ),
        )
    };

    // Biased, the copies first: bytes that are ready when the deadline comes are relayed (and
    // are activity), and the order, so the outcome, does not depend on a random draw.
    let reason = tokio::select! {
        biased;
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

/// [`relay`] for the server's connections, on whichever network it runs
/// ([`crate::net`]): each is split into halves its own way (on TCP, without the lock
/// the generic `tokio::io::split` takes on every call).
pub async fn relay_connections<C, U>(client: C, upstream: U, idle_timeout: Duration) -> Outcome
where
    C: Connection,
    U: Connection,
{
    relay_by(client, upstream, idle_timeout, Rules::default()).await
}

/// [`relay_connections`], following `rules`.
pub(crate) async fn relay_by<C, U>(
    client: C,
    upstream: U,
    idle_timeout: Duration,
    rules: Rules,
) -> Outcome
where
    C: Connection,
    U: Connection,
{
    relay_halves(
        client.into_halves(),
        upstream.into_halves(),
        idle_timeout,
        rules,
    )
    .await
}

/// Copies `reader` to `writer` until EOF, recording activity and counting bytes as they go,
/// then flushes and shuts `writer` down so the peer sees EOF too (a half-close).
///
/// An idle direction holds no buffer. Each read goes into the thread's scratch buffer, held
/// only while the copy is polled, and is written straight from there; only bytes the writer
/// could not take at once are kept (in a buffer freed once written). A connection that waits
/// for its peer costs its sockets and this future's few words, not 2 x 8 KiB (the guide's
/// `[0u8; 8192]` per direction lives for the whole connection).
///
/// The count lives outside the future so that it survives the future being dropped at a
/// timeout.
///
/// # Errors
/// The first read, write, flush or shutdown error.
pub async fn copy_with_activity<R, W>(
    reader: R,
    writer: W,
    activity: &Activity,
    copied: &AtomicU64,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: WriteLast + Unpin,
{
    copy_by(reader, writer, activity, copied, Rules::default()).await
}

/// [`copy_with_activity`], following `rules`.
async fn copy_by<R, W>(
    mut reader: R,
    mut writer: W,
    activity: &Activity,
    copied: &AtomicU64,
    rules: Rules,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: WriteLast + Unpin,
{
    let mut state = Copy {
        unwritten: Vec::new(),
        written: 0,
        eof: false,
        failed: None,
        rules,
    };
    std::future::poll_fn(|cx| {
        state.poll(
            Pin::new(&mut reader),
            Pin::new(&mut writer),
            activity,
            copied,
            cx,
        )
    })
    .await
}

/// How much one read may take. Measured on loopback with one iperf3 stream (ci/bench.sh's
/// setup): 8 KiB moved about 9.5 Gbit/s, 16 KiB 12, 32 KiB 14-15, 64 KiB 8-10 (a read shorter
/// than the buffer makes tokio wait for the next readiness event, and at 64 KiB most are).
///
/// A literal, not `32 * 1024`: the size is a matter of speed alone (any size relays every byte),
/// and a mutant of the arithmetic would be one no test could tell from the original.
const SCRATCH_SIZE: usize = 32_768;

thread_local! {
    /// One read buffer per thread, shared by every connection polled on it.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_SIZE].into_boxed_slice());
}

/// One direction's progress between polls.
struct Copy {
    /// Bytes read but not yet written (empty, and unallocated, most of the time).
    unwritten: Vec<u8>,
    /// How much of `unwritten` is written.
    written: usize,
    /// The reader reached EOF: what is left is to write `unwritten` and shut down.
    eof: bool,
    /// The reader failed after a read: the error ends the copy once `unwritten` is written.
    failed: Option<io::Error>,
    /// What to do with bytes the writer cannot take at once.
    rules: Rules,
}

impl Copy {
    fn poll<R, W>(
        &mut self,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
        activity: &Activity,
        copied: &AtomicU64,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>>
    where
        R: AsyncRead,
        W: WriteLast,
    {
        loop {
            // Bytes left over from an earlier read go first.
            if !self.unwritten.is_empty() {
                let n = write_what_fits(
                    writer.as_mut(),
                    &self.unwritten[self.written..],
                    self.eof,
                    copied,
                    cx,
                )?;
                if n > 0 {
                    activity.record();
                }
                self.written += n;
                if self.written < self.unwritten.len() {
                    return Poll::Pending;
                }
                // Freed, not kept: the connection may now stay idle for a long time.
                self.unwritten = Vec::new();
                self.written = 0;
            }
            if let Some(e) = self.failed.take() {
                return Poll::Ready(Err(e));
            }
            if self.eof {
                return writer.as_mut().poll_shutdown(cx);
            }
            ready!(self.read_and_write(reader.as_mut(), writer.as_mut(), activity, copied, cx))?;
        }
    }

    /// One read into the scratch buffer, written straight from it as far as the writer takes;
    /// the rest is kept in `unwritten`.
    ///
    /// A read that did not fill the buffer is followed by a second one into the rest, which
    /// costs no system call unless the socket has more to give: tokio marks a socket not ready
    /// after a short read, except when it has seen the peer's FIN. So a peer that sends its
    /// last bytes and closes (an HTTP/1.0 reply) is usually read to its end at once, and its
    /// bytes go out with [`WriteLast::poll_write_last`], to leave with the FIN.
    fn read_and_write<R, W>(
        &mut self,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
        activity: &Activity,
        copied: &AtomicU64,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>>
    where
        R: AsyncRead,
        W: WriteLast,
    {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut read = {
                let mut buf = ReadBuf::new(&mut scratch[..]);
                ready!(reader.as_mut().poll_read(cx, &mut buf))?;
                buf.filled().len()
            };
            if read == 0 {
                self.eof = true;
                return Poll::Ready(Ok(()));
            }
            // An error there ends the connection, once what was read is written (see `poll`).
            let mut failed = None;
            if read < scratch.len() {
                let mut rest = ReadBuf::new(&mut scratch[read..]);
                match reader.poll_read(cx, &mut rest) {
                    Poll::Ready(Ok(())) => {
                        self.eof = rest.filled().is_empty();
                        read += rest.filled().len();
                    }
                    Poll::Ready(Err(e)) => failed = Some(e),
                    Poll::Pending => {}
                }
            }
            // One record covers the write too: it follows at once, without waiting.
            activity.record();
            let written = write_what_fits(writer.as_mut(), &scratch[..read], self.eof, copied, cx)?;
            // Empty, and so unallocated, when the writer took it all.
            if self.rules.keep_leftovers {
                self.unwritten = scratch[written..read].to_vec();
            }
            self.failed = failed;
            Poll::Ready(Ok(()))
        })
    }
}

/// Writes as much of `bytes` as `writer` takes without waiting, counting it in `copied`;
/// `last` when nothing but the shutdown follows them. Fewer bytes than `bytes.len()` means the
/// writer would block, and has registered the task to be woken when it can take more.
fn write_what_fits<W: WriteLast>(
    mut writer: Pin<&mut W>,
    bytes: &[u8],
    last: bool,
    copied: &AtomicU64,
    cx: &mut Context<'_>,
) -> io::Result<usize> {
    let mut written = 0;
    while written < bytes.len() {
        let rest = &bytes[written..];
        let poll = if last {
            writer.as_mut().poll_write_last(cx, rest)
        } else {
            writer.as_mut().poll_write(cx, rest)
        };
        match poll {
            Poll::Ready(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
            Poll::Ready(Ok(n)) => {
                written += n;
                copied.fetch_add(n as u64, Ordering::Relaxed);
            }
            Poll::Ready(Err(e)) => return Err(e),
            Poll::Pending => break,
        }
    }
    Ok(written)
}
