//! The proxy on every core: one current-thread runtime per core, each serving a listener of its
//! own on the same address (`SO_REUSEPORT`), so that the kernel spreads new clients over them
//! and each connection lives on one thread from accept to close.
//!
//! Why not one multi-thread runtime: profiled under connection churn (BENCHMARKS.md), the
//! proxy's own code is a tenth of its time and the kernel the rest, and what set it behind
//! HAProxy was the work the runtime adds in the kernel: a worker that spawns a connection wakes
//! an idle one to steal it (a futex wake and a context switch, for about every other
//! connection). Threads that share nothing have nothing to wake. HAProxy is built the same
//! way: a thread per core, each with its own poller.
//!
//! The threads share what must hold for the whole process: the connection limit
//! (`--max-connections`) and the shutdown signal, whose drain waits for every thread's
//! connections.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::num::NonZeroUsize;
use std::sync::Arc;

use socket2::{Domain, Socket, Type};

use crate::net::Tcp;
use crate::server::{self, Config, Limit, Summary};
use crate::shutdown::Shutdown;

/// The listen backlog of each listener: tokio's own default for `TcpListener::bind`.
const BACKLOG: i32 = 1024;

/// One thread per core the process may use.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Binds `threads` listeners to `listen` (at least one), all sharing its port.
///
/// First it binds `listen` alone, without `SO_REUSEPORT`: a port in use fails here with
/// "address in use", even when what holds it is another proxy's reuse-port group, which the
/// new listeners would otherwise join without a word, splitting the clients between the two.
/// With port 0, the listeners share the port the system picked.
///
/// # Errors
/// The address is taken, or not this machine's, or the system refuses a socket.
pub fn bind(listen: SocketAddr, threads: usize) -> io::Result<Vec<TcpListener>> {
    let addr = TcpListener::bind(listen)?.local_addr()?;
    (0..threads.max(1))
        .map(|_| {
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
            socket.set_reuse_address(true)?;
            socket.set_reuse_port(true)?;
            socket.set_nonblocking(true)?;
            socket.bind(&addr.into())?;
            socket.listen(BACKLOG)?;
            Ok(socket.into())
        })
        .collect()
}

/// Serves each of `listeners` on a thread of its own, with its own current-thread runtime,
/// until `shutdown` is triggered and every thread has drained; the summaries added up.
/// Blocks until then.
///
/// # Errors
/// A thread could not start its runtime or take its listener. Then the shutdown is triggered,
/// so that the other threads drain and stop, and the first error is returned.
pub fn serve(
    listeners: Vec<TcpListener>,
    config: Config,
    shutdown: Shutdown,
) -> io::Result<Summary> {
    let limit = Limit::new(config.max_connections);
    let config = Arc::new(config);
    let threads: Vec<_> = listeners
        .into_iter()
        .enumerate()
        .map(|(i, listener)| {
            let (config, shutdown, limit) = (config.clone(), shutdown.clone(), limit.clone());
            std::thread::Builder::new()
                .name(format!("proxy-{i}"))
                .spawn(move || serve_one(listener, config, shutdown, limit))
        })
        .collect();
    let mut total = Summary::default();
    let mut first_error = None;
    for thread in threads {
        let outcome = match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a proxy thread panicked"))),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(summary) => {
                total.accepted += summary.accepted;
                total.closed_at_drain += summary.closed_at_drain;
            }
            Err(e) => {
                shutdown.trigger();
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(total), Err)
}

/// One thread's server: a current-thread runtime serving `listener`. A failure to start
/// triggers the shutdown at once, so the other threads do not serve on without it.
fn serve_one(
    listener: TcpListener,
    config: Arc<Config>,
    shutdown: Shutdown,
    limit: Limit,
) -> io::Result<Summary> {
    let started = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .and_then(|runtime| {
            let _entered = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(listener)?;
            Ok((runtime, listener))
        });
    match started {
        Ok((runtime, listener)) => {
            runtime.block_on(server::serve_within(listener, Tcp, config, shutdown, limit))
        }
        Err(e) => {
            shutdown.trigger();
            Err(e)
        }
    }
}
