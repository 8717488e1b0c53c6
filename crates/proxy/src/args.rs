//! The `proxy` command line: `--listen ADDR --upstream HOST:PORT --idle-timeout DURATION
//! [--max-connections N] [--drain-timeout DURATION] [--threads N]`, declared with clap.
//!
//! The declaration below is the only copy of the usage text: `--help`, the errors and the
//! README's example all come from it or are checked against it (`tests/guide/cli.rs`).

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

/// Connections served at once unless `--max-connections` says otherwise: two file descriptors
/// each, well inside the 20,000 a process may open here.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// How long open connections may finish after a shutdown signal unless `--drain-timeout` says,
/// as `--help` shows it.
pub const DEFAULT_DRAIN_TIMEOUT: &str = "30s";

/// What `channel-patterns proxy` was asked to do.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
#[command(
    about = "Run the guide's TCP proxy, with an exact idle timeout",
    long_about = "Run the guide's TCP proxy, with an exact idle timeout: every client \
                  connection is relayed to a new connection to the upstream, and closed when no \
                  byte has moved either way for the idle timeout. Ctrl-C or SIGTERM stops \
                  accepting and lets open connections finish for the drain timeout.\n\n\
                  Durations are humantime's: 1.5s, 250ms, 1m30s, 2h.",
    after_help = "Logs go to stderr, one line per connection at level info; RUST_LOG=warn \
                  turns the per-connection lines off."
)]
pub struct ProxyArgs {
    /// Where to accept clients: an IP address and a port.
    #[arg(
        long,
        value_name = "ADDR",
        value_parser = parse_listen,
        help = "Where to accept clients: IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"
    )]
    pub listen: SocketAddr,
    /// Where to connect for each client: HOST:PORT, resolved at each connection.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_upstream)]
    pub upstream: String,
    /// Close a connection once no byte has moved either way for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Clients served at once; more wait in the listen backlog until one finishes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS,
          value_parser = parse_count)]
    pub max_connections: usize,
    /// After Ctrl-C or SIGTERM, how long open connections may go on before they are closed.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_DRAIN_TIMEOUT, value_parser = parse_duration)]
    pub drain_timeout: Duration,
    /// Threads serving clients, each with a runtime and a listener of its own; one per core
    /// when absent.
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub threads: Option<usize>,
}

fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| "expected IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080".to_string())
}

fn parse_upstream(value: &str) -> Result<String, String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(value.to_string())
        }
        _ => Err("expected HOST:PORT, e.g. 127.0.0.1:9000 or localhost:9000".to_string()),
    }
}

fn parse_count(value: &str) -> Result<usize, String> {
    value
        .parse::<NonZeroUsize>()
        .map(NonZeroUsize::get)
        .map_err(|_| "expected a whole number of at least 1".to_string())
}

/// A duration as humantime reads it (`1.5s`, `250ms`, `1m30s`, `2h`), more than zero: a zero
/// idle timeout would close every connection at once.
///
/// # Errors
/// Anything else, as a message saying what is accepted.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(duration) if duration.is_zero() => Err("it must be more than zero".to_string()),
        Ok(duration) => Ok(duration),
        Err(e) => Err(format!(
            "{e}; expected a number and a unit, e.g. 1.5s, 250ms, 1m30s or 2h"
        )),
    }
}
