//! `channel-patterns`: run the guide's patterns and report whether they print what the guide
//! says.
//!
//! - `channel-patterns` or `channel-patterns report`: run every pattern in paused time, one
//!   line each; exit 0 only when every pattern matches.
//! - `channel-patterns list`: the pattern names.
//! - `channel-patterns run NAME`: run one pattern and print its output as the guide's example
//!   prints it.
//! - `channel-patterns proxy --listen ADDR --upstream ADDR --idle-timeout DURATION
//!   [--max-connections N] [--drain-timeout DURATION]`: the guide's TCP proxy, for real.

use std::process::ExitCode;

use channel_patterns::catalog::{self, Pattern};
use channel_patterns::proxy::{self, args::ProxyArgs, cores, server};
use channel_patterns::shutdown::Shutdown;
use channel_patterns::{Transcript, runner};

const USAGE: &str = "usage: channel-patterns [report | list | run NAME | proxy --listen ADDR --upstream ADDR --idle-timeout DURATION ...]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["report"] => report(),
        ["list"] => {
            for name in catalog::names() {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        ["run", name] => match catalog::find(name) {
            Some(pattern) => run_one(pattern),
            None => usage_error(&format!(
                "unknown pattern '{name}'; valid names: {}",
                catalog::names().collect::<Vec<_>>().join(", ")
            )),
        },
        ["run"] => usage_error("run needs a pattern NAME; see `channel-patterns list`"),
        ["proxy", rest @ ..] => match proxy::args::parse(rest) {
            Ok(args) => run_proxy(&args),
            Err(e) => usage_error(&e.to_string()),
        },
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        [other, ..] => usage_error(&format!("unknown command '{other}'; {USAGE}")),
    }
}

/// Bad input: one line on stderr, exit code 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn run_one(pattern: &Pattern) -> ExitCode {
    // Printing as it goes: the lines appear in the order the pattern writes them.
    match runner::run(pattern, Transcript::printing()) {
        Ok(run) => match run.result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: pattern {} failed: {e}", pattern.name);
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: cannot start a Tokio runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report() -> ExitCode {
    println!(
        "channel-patterns: the {} patterns of guide/tokio-channels.md, each on a current-thread \
         runtime in paused time",
        catalog::PATTERNS.len()
    );
    println!();
    println!(
        "{:<26} {:<60} {:<34} {:>7}  ERRATA",
        "PATTERN", "GUIDE SECTION", "OUTPUT", "TIME"
    );
    let mut matching = 0;
    for pattern in catalog::PATTERNS {
        let (verdict, time) = match runner::run(pattern, Transcript::new()) {
            Ok(run) => {
                let time = format!("{:.3}s", run.simulated.as_secs_f64());
                (runner::verdict(pattern, &run), time)
            }
            Err(e) => (Err(format!("no runtime: {e}")), "-".to_string()),
        };
        let verdict = match verdict {
            Ok(ok) => {
                matching += 1;
                ok
            }
            Err(why) => format!("MISMATCH: {why}"),
        };
        let errata = if pattern.errata.is_empty() {
            "-".to_string()
        } else {
            pattern.errata.join(" ")
        };
        println!(
            "{:<26} {:<60} {:<34} {:>7}  {}",
            pattern.name,
            section(pattern),
            verdict,
            time,
            errata
        );
    }
    println!();
    let total = catalog::PATTERNS.len();
    println!("{matching} of {total} patterns match; every erratum is described in ERRATA.md");
    if matching == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// "mpsc > Backpressure and Buffer Management": the chapter's first word and the heading.
fn section(pattern: &Pattern) -> String {
    let chapter = pattern
        .chapter
        .split(" - ")
        .next()
        .unwrap_or(pattern.chapter);
    format!("{chapter} > {}", pattern.heading.replace('`', ""))
}

/// Runs the proxy until Ctrl-C or SIGTERM, then drains. Exit 1 when it cannot start (the
/// listen address is taken, say), 0 after a clean shutdown.
fn run_proxy(args: &ProxyArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal, not in log files and pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let threads = args.threads.unwrap_or_else(cores::threads);
    let listeners = match cores::bind(args.listen, threads) {
        Ok(listeners) => listeners,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let local = listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .unwrap_or(args.listen);
    // The signals on a thread and runtime of their own, beside the servers' threads.
    let shutdown = Shutdown::new();
    let signals = shutdown.clone();
    let watcher = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .and_then(|runtime| {
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    runtime.block_on(wait_for_signal());
                    signals.trigger();
                })
        });
    if let Err(e) = watcher {
        eprintln!("error: cannot watch for signals: {e}");
        return ExitCode::FAILURE;
    }
    tracing::info!(listen = %local, upstream = %args.upstream, idle_timeout = ?args.idle_timeout, threads, "proxy listening");
    let config = server::Config {
        upstream: args.upstream.clone(),
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
        drain_timeout: args.drain_timeout,
    };
    match cores::serve(listeners, config, shutdown) {
        Ok(summary) => {
            tracing::info!(
                accepted = summary.accepted,
                closed_at_drain = summary.closed_at_drain,
                "proxy stopped"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: proxy failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM (what service managers send).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
