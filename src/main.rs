//! `channel-patterns`: run the guide's patterns and report whether they print what the guide
//! says; list the guide's errata; run the guide's TCP proxy. The command line is declared in
//! [`channel_patterns::cli`]; `channel-patterns --help` prints it.

use std::process::ExitCode;

use channel_patterns::catalog::{self, Pattern};
use channel_patterns::cli::{Cli, Command, Format};
use channel_patterns::conformance::{self, Verdict};
use channel_patterns::{errata, guide};
use clap::Parser as _;
use patterns::Transcript;
use proxy::args::ProxyArgs;

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
    match conformance::run_corrected(pattern, Transcript::printing()) {
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
    let run = match conformance::run_as_written(pattern, Transcript::printing()) {
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
    let rows = conformance::rows();
    match format {
        Format::Text => print!("{}", conformance::text(&rows)),
        Format::Json => print!("{}", conformance::json(&rows)),
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

/// Runs the proxy until Ctrl-C or SIGTERM, then drains, logging to stderr (`RUST_LOG` sets
/// the level; info by default). Exit 1 when it cannot start (the listen address is taken,
/// say), 0 after a clean shutdown.
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
    match proxy::run(args) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
