//! The command line of `channel-patterns`, declared once with clap (derive): `--help`,
//! `--version`, the errors (exit code 2) and the usage text all come from here.

use clap::builder::PossibleValuesParser;

use crate::{catalog, errata};
use proxy::args::ProxyArgs;

/// `channel-patterns [COMMAND]`: without a command, the report.
#[derive(Debug, clap::Parser)]
#[command(
    name = "channel-patterns",
    version,
    about = "The patterns of a guide to Tokio's channels, run and checked against what the guide \
             says",
    long_about = "The patterns of guide/tokio-channels.md, run and checked against what the guide \
                  says.\n\nEach pattern runs on a current-thread Tokio runtime in paused time, so \
                  its output is the same on every run. Without a command, prints the report.",
    after_help = "The guide's defects are in ERRATA.md: see `channel-patterns errata`."
)]
pub struct Cli {
    /// What to do; the report when absent.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run every pattern and report whether each prints what the guide says (the default)
    Report {
        /// `text` for people, `json` for CI: an array with one object per pattern
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the patterns' names, one per line
    List,
    /// Run one pattern and print what it prints
    #[command(
        long_about = "Run one pattern and print what it prints.\n\nWith --as-written, run the \
                      guide's own code for it instead, in paused time (for at most an hour of \
                      it), print what that code printed, then a verdict: finished, panicked, \
                      still waiting, or finished but left tasks running; then the errata that \
                      explain it. Exit code 0 when the code finished cleanly, 1 otherwise."
    )]
    Run {
        /// The pattern, as `channel-patterns list` names it
        #[arg(value_parser = PossibleValuesParser::new(catalog::names()))]
        name: String,
        /// Run the guide's code as written, defects included, and say how it ended
        #[arg(long)]
        as_written: bool,
    },
    /// List the guide's errata, or print one with the command that shows it
    Errata {
        /// An erratum's id, e.g. E02
        #[arg(
            ignore_case = true,
            hide_possible_values = true,
            value_parser = PossibleValuesParser::new(errata::all().iter().map(|e| e.id))
        )]
        id: Option<String>,
    },
    /// Print the guide with its errata corrected: the crate's code and what it prints
    #[command(
        long_about = "Print the guide with its errata corrected (markdown): every code block is \
                      the crate's code that the tests run, every Output block what that code \
                      prints, the Quick Reference's cells corrected, and a note linking to \
                      ERRATA.md at each correction. guide/tokio-channels.corrected.md is this \
                      output, committed."
    )]
    Guide,
    /// Run the guide's TCP proxy, with an exact idle timeout
    Proxy(ProxyArgs),
}

/// How `report` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Text,
    /// JSON for programs: an array with one object per pattern.
    Json,
}
