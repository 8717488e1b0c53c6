//! The proxy as a program: one server per core on the listen address, until Ctrl-C or SIGTERM,
//! then a drain. What the binary's `proxy` command runs.

use std::io;
use std::net::SocketAddr;

use crate::args::ProxyArgs;
use crate::cores;
use crate::server::{Config, Summary};
use crate::shutdown::Shutdown;

/// Why the proxy could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listen address cannot be bound (taken, say, or not this host's).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: io::Error,
    },
    /// The stop signals' handlers cannot be installed.
    #[error("cannot watch for signals: {0}")]
    Signals(io::Error),
    /// A server's thread or runtime failed.
    #[error("proxy failed: {0}")]
    Serve(io::Error),
}

/// Runs the proxy that `args` describe until Ctrl-C or SIGTERM, then drains it, and returns
/// what the servers did. Logs through `tracing`: "proxy listening" (with the pid, for whoever
/// stops it) once signals drain it, and "proxy stopped" at the end.
///
/// # Errors
/// When it cannot start ([`Error::Listen`], [`Error::Signals`]) or a server fails.
pub fn run(args: &ProxyArgs) -> Result<Summary, Error> {
    let threads = args.threads.unwrap_or_else(cores::threads);
    let listeners = cores::bind(args.listen, threads).map_err(|source| Error::Listen {
        addr: args.listen,
        source,
    })?;
    let local = listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .unwrap_or(args.listen);
    let shutdown = Shutdown::new();
    watch_signals(shutdown.clone()).map_err(Error::Signals)?;
    // Its pid, for whoever stops it: from this line on, SIGTERM or SIGINT to it drains.
    tracing::info!(listen = %local, upstream = %args.upstream, idle_timeout = ?args.idle_timeout, threads, pid = std::process::id(), "proxy listening");
    let config = Config::new(
        args.upstream.clone(),
        args.idle_timeout,
        args.max_connections,
        args.drain_timeout,
    );
    let summary = cores::serve(listeners, config, shutdown).map_err(Error::Serve)?;
    tracing::info!(
        accepted = summary.accepted,
        closed_at_drain = summary.closed_at_drain,
        "proxy stopped"
    );
    Ok(summary)
}

/// Ctrl-C and SIGTERM (what service managers send) trigger `shutdown`, from a thread and runtime
/// of their own beside the servers' threads. The handlers are registered before this returns, so
/// that a signal sent as soon as the proxy says it is listening drains it: until a handler is
/// registered, SIGTERM has its default disposition, which kills the process.
fn watch_signals(shutdown: Shutdown) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let signals = {
        let _context = runtime.enter();
        Signals::register()?
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            runtime.block_on(signals.recv());
            shutdown.trigger();
        })?;
    Ok(())
}

/// The registered stop signals: Ctrl-C, and on Unix SIGTERM.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
}

impl Signals {
    /// Installs the handlers now; needs a runtime context.
    fn register() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(windows)]
        {
            Ok(Self {
                ctrl_c: tokio::signal::windows::ctrl_c()?,
            })
        }
    }

    /// Waits for the first of them.
    async fn recv(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(windows)]
        self.ctrl_c.recv().await;
    }
}
