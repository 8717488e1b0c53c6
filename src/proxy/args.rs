//! The `proxy` command line: `--listen ADDR --upstream ADDR --idle-timeout DURATION
//! [--max-connections N] [--drain-timeout DURATION] [--threads N]`.
//!
//! Hand-parsed, so that every mistake is one line naming the argument and what it accepts
//! (the binary prints it and exits with code 2).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// Connections served at once unless `--max-connections` says otherwise: two file descriptors
/// each, well inside the 20,000 a process may open here.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// How long open connections may finish after a shutdown signal unless `--drain-timeout` says.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// What `channel-patterns proxy` was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyArgs {
    /// Where to accept clients.
    pub listen: SocketAddr,
    /// Where to connect for each client: `HOST:PORT`, resolved at each connection.
    pub upstream: String,
    /// A connection with no byte moving either way for this long is closed.
    pub idle_timeout: Duration,
    /// Clients served at once; more wait in the listen backlog until one finishes.
    pub max_connections: usize,
    /// After Ctrl-C or SIGTERM, how long open connections may go on before they are closed.
    pub drain_timeout: Duration,
    /// Threads serving clients, each with a runtime and a listener of its own
    /// ([`crate::proxy::cores`]); `None` for one per core.
    pub threads: Option<usize>,
}

/// A bad command line, as the one line to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError(pub String);

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgError {}

/// The usage line of the `proxy` command.
pub const USAGE: &str = "usage: channel-patterns proxy --listen ADDR --upstream ADDR \
                         --idle-timeout DURATION [--max-connections N] [--drain-timeout DURATION] \
                         [--threads N]";

/// Parses the arguments after `proxy`.
///
/// # Errors
/// An unknown flag, a flag without its value, a value that does not parse, or a missing
/// required flag: one line saying which and what is accepted.
pub fn parse(args: &[&str]) -> Result<ProxyArgs, ArgError> {
    let mut listen = None;
    let mut upstream = None;
    let mut idle_timeout = None;
    let mut max_connections = DEFAULT_MAX_CONNECTIONS;
    let mut drain_timeout = DEFAULT_DRAIN_TIMEOUT;
    let mut threads = None;

    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (*flag, None),
        };
        let mut value = || {
            inline
                .or_else(|| rest.next().copied())
                .ok_or_else(|| ArgError(format!("{flag} needs a value; {USAGE}")))
        };
        match flag {
            "--listen" => listen = Some(parse_listen(value()?)?),
            "--upstream" => upstream = Some(parse_upstream(value()?)?),
            "--idle-timeout" => idle_timeout = Some(parse_duration_arg(flag, value()?)?),
            "--drain-timeout" => drain_timeout = parse_duration_arg(flag, value()?)?,
            "--max-connections" => max_connections = parse_count(flag, value()?)?,
            "--threads" => threads = Some(parse_count(flag, value()?)?),
            other => return Err(ArgError(format!("unknown argument '{other}'; {USAGE}"))),
        }
    }
    let missing = |name: &str| ArgError(format!("{name} is required; {USAGE}"));
    Ok(ProxyArgs {
        listen: listen.ok_or_else(|| missing("--listen"))?,
        upstream: upstream.ok_or_else(|| missing("--upstream"))?,
        idle_timeout: idle_timeout.ok_or_else(|| missing("--idle-timeout"))?,
        max_connections,
        drain_timeout,
        threads,
    })
}

fn parse_listen(value: &str) -> Result<SocketAddr, ArgError> {
    value.parse().map_err(|_| {
        ArgError(format!(
            "--listen: invalid address '{value}'; expected IP:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"
        ))
    })
}

fn parse_upstream(value: &str) -> Result<String, ArgError> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(value.to_string())
        }
        _ => Err(ArgError(format!(
            "--upstream: invalid address '{value}'; expected HOST:PORT, e.g. 127.0.0.1:9000 or localhost:9000"
        ))),
    }
}

fn parse_count(flag: &str, value: &str) -> Result<usize, ArgError> {
    match value.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ArgError(format!(
            "{flag}: invalid value '{value}'; expected a whole number of at least 1"
        ))),
    }
}

fn parse_duration_arg(flag: &str, value: &str) -> Result<Duration, ArgError> {
    parse_duration(value).map_err(|why| ArgError(format!("{flag}: {why}")))
}

/// `500ms`, `30s`, `5m`, `1h`: a whole number and a unit. Zero is refused: a zero idle timeout
/// would close every connection at once.
///
/// # Errors
/// Anything else, as a message saying what is accepted.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let amount: u64 = number.parse().map_err(|_| invalid_duration(value))?;
    let duration = match unit {
        "ms" => Duration::from_millis(amount),
        "s" => Duration::from_secs(amount),
        "m" => Duration::from_secs(amount.saturating_mul(60)),
        "h" => Duration::from_secs(amount.saturating_mul(3600)),
        _ => return Err(invalid_duration(value)),
    };
    if duration.is_zero() {
        return Err(format!(
            "invalid duration '{value}'; it must be more than zero"
        ));
    }
    Ok(duration)
}

fn invalid_duration(value: &str) -> String {
    format!("invalid duration '{value}'; expected a whole number and a unit: 500ms, 30s, 5m or 1h")
}
