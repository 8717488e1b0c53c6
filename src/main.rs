//! `channel-patterns`: run the guide's patterns and report whether they print what the guide
//! says; list the guide's errata; run the guide's TCP proxy. The command line is declared in
//! [`channel_patterns::cli`]; `channel-patterns --help` prints it.

use std::process::ExitCode;

use channel_patterns::catalog::{self, Pattern};
use channel_patterns::cli::{Cli, Command, Format};
use channel_patterns::runner::{self, Verdict};
use channel_patterns::{Transcript, errata, guide, report};
use clap::Parser as _;
use proxy::shutdown::Shutdown;
use proxy::{args::ProxyArgs, cores, server};

fn main() -> ExitCode {
    match Cli::parse().command {
        None => print_report(Format::Text),
        Some(Command::Report { format }) => print_report(format),
        Some(Command::List) => {
            for name in catalog::names() {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        Some(Command::Run { name, as_written }) => match catalog::find(&name) {
            Some(pattern) if as_written => run_as_written(pattern),
            Some(pattern) => run_one(pattern),
            None => unreachable!("clap accepts only the catalog's names"),
        },
        Some(Command::Errata { id: None }) => {
            print!("{}", errata_list());
            ExitCode::SUCCESS
        }
        Some(Command::Errata { id: Some(id) }) => match errata::find(&id) {
            Some(erratum) => {
                print!("{}", erratum_page(erratum));
                ExitCode::SUCCESS
            }
            None => unreachable!("clap accepts only the errata's ids"),
        },
        Some(Command::Guide) => {
            print!("{}", guide::CORRECTED);
            ExitCode::SUCCESS
        }
        Some(Command::Proxy(args)) => run_proxy(&args),
    }
}

/// `run NAME`: the corrected program, what it printed (live), and a verdict line unless it
/// finished cleanly.
fn run_one(pattern: &Pattern) -> ExitCode {
    // Printing as it goes: the lines appear in the order the program writes them.
    match runner::run_corrected(pattern, Transcript::printing()) {
        Ok(run) if run.verdict == Verdict::Finished => ExitCode::SUCCESS,
        Ok(run) => {
            eprintln!("error: pattern {}: {}", pattern.name, run.verdict);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: cannot run pattern {}: {e}", pattern.name);
            ExitCode::FAILURE
        }
    }
}

/// `run NAME --as-written`: the guide's code, what it printed (live), the verdict, and the
/// errata: first those that explain the verdict, then the others about this example.
fn run_as_written(pattern: &Pattern) -> ExitCode {
    let run = match runner::run_as_written(pattern, Transcript::printing()) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: cannot run the guide's code: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", run.verdict);
    let about: Vec<&errata::Erratum> = pattern
        .errata
        .iter()
        .filter_map(|id| errata::find(id))
        .collect();
    let (explaining, others): (Vec<_>, Vec<_>) = about
        .into_iter()
        .partition(|e| run.verdict.is_explained_by(e));
    for (title, list) in [
        ("Explained by:", explaining),
        ("Also about this code:", others),
    ] {
        if !list.is_empty() {
            println!("\n{title}");
            for e in list {
                println!(
                    "  {}  {} ({}: channel-patterns errata {})",
                    e.id, e.summary, e.kind, e.id
                );
            }
        }
    }
    if run.verdict == Verdict::Finished {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Exit 0 only when every pattern matches.
fn print_report(format: Format) -> ExitCode {
    let rows = report::rows();
    match format {
        Format::Text => print!("{}", report::text(&rows)),
        Format::Json => print!("{}", report::json(&rows)),
    }
    if rows.iter().all(|r| r.matched) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `errata`: one aligned line per erratum, from ERRATA.md's table.
fn errata_list() -> String {
    let all = errata::all();
    let place = all.iter().map(|e| e.place.len()).max().unwrap_or(0);
    let kind = all.iter().map(|e| e.kind.len()).max().unwrap_or(0);
    let mut out = String::new();
    for e in all {
        out += &format!(
            "{}  {:<place$}  {:<kind$}  {}\n",
            e.id, e.place, e.kind, e.summary
        );
    }
    out += "\nEach one in full, with the command that shows it: channel-patterns errata ID\n";
    out
}

/// `errata ID`: the erratum's section of ERRATA.md, then the commands that show it.
fn erratum_page(erratum: &errata::Erratum) -> String {
    let mut out = format!(
        "{}. {}\n\n{}\n\nShown by:\n",
        erratum.id, erratum.title, erratum.body
    );
    if let Some(command) = erratum.evidence() {
        out += &format!("  {command}\n");
    }
    for pattern in erratum.patterns() {
        out += &format!("  channel-patterns run {} --as-written\n", pattern.name);
    }
    out
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
    let shutdown = Shutdown::new();
    if let Err(e) = watch_signals(shutdown.clone()) {
        eprintln!("error: cannot watch for signals: {e}");
        return ExitCode::FAILURE;
    }
    // Its pid, for whoever stops it: from this line on, SIGTERM or SIGINT to it drains.
    tracing::info!(listen = %local, upstream = %args.upstream, idle_timeout = ?args.idle_timeout, threads, pid = std::process::id(), "proxy listening");
    let config = server::Config::new(
        args.upstream.clone(),
        args.idle_timeout,
        args.max_connections,
        args.drain_timeout,
    );
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

/// Ctrl-C and SIGTERM (what service managers send) trigger `shutdown`, from a thread and runtime
/// of their own beside the servers' threads. The handlers are registered before this returns, so
/// that a signal sent as soon as the proxy says it is listening drains it: until a handler is
/// registered, SIGTERM has its default disposition, which kills the process.
fn watch_signals(shutdown: Shutdown) -> std::io::Result<()> {
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
    fn register() -> std::io::Result<Self> {
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
