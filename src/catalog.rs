//! Every pattern of the guide: its name (the binary's interface), its guide section, what it
//! prints, the errata that concern it, and how to run it.

use std::future::Future;
use std::pin::Pin;

use crate::{PatternResult, Transcript, advanced, broadcast, guide, mpsc, oneshot, watch};

/// A pattern's entry point, boxed so that all patterns fit one table.
pub type Entry = fn(Transcript) -> Pin<Box<dyn Future<Output = PatternResult> + Send>>;

/// One pattern of the guide.
#[derive(Debug)]
pub struct Pattern {
    /// The name `channel-patterns run NAME` takes.
    pub name: &'static str,
    /// The guide's `##` heading the example is under, exactly as in the guide.
    pub chapter: &'static str,
    /// The guide's `###` heading of the example, exactly as in the guide.
    pub heading: &'static str,
    /// The whole transcript the pattern must print on a current-thread runtime: the guide's
    /// Output block where it has one, else what the example's `println!`s print.
    pub expected: &'static [&'static str],
    /// Errata of `ERRATA.md` about this example, e.g. `"E02"`.
    pub errata: &'static [&'static str],
    /// Runs the (corrected) pattern.
    pub run: Entry,
}

impl Pattern {
    /// The guide's Output block for this example, if the guide shows one.
    pub fn documented(&self) -> Option<guide::Documented> {
        guide::documented_output(self.chapter, self.heading)
    }
}

const MPSC: &str = "mpsc - Multi-Producer, Single-Consumer";
const ONESHOT: &str = "oneshot - Single Value, Single Use";
const BROADCAST: &str = "broadcast - Multi-Producer, Multi-Consumer";
const WATCH: &str = "watch - Single Value Observable";
const ADVANCED: &str = "Advanced Patterns";

macro_rules! entry {
    ($f:path) => {
        |out| Box::pin($f(out))
    };
}

/// All patterns, in the guide's order.
pub const PATTERNS: &[Pattern] = &[
    Pattern {
        name: "mpsc-basic",
        chapter: MPSC,
        heading: "Basic Example",
        expected: mpsc::BASIC,
        errata: &[],
        run: entry!(mpsc::basic),
    },
    Pattern {
        name: "mpsc-multi-producer",
        chapter: MPSC,
        heading: "Multiple Producers",
        expected: mpsc::MULTI_PRODUCER,
        errata: &[],
        run: entry!(mpsc::multi_producer),
    },
    Pattern {
        name: "mpsc-backpressure",
        chapter: MPSC,
        heading: "Backpressure and Buffer Management",
        expected: mpsc::BACKPRESSURE,
        errata: &["E13"],
        run: entry!(mpsc::backpressure),
    },
    Pattern {
        name: "mpsc-shutdown",
        chapter: MPSC,
        heading: "Graceful Shutdown Pattern",
        expected: mpsc::SHUTDOWN,
        errata: &["E18"],
        run: entry!(mpsc::shutdown),
    },
    Pattern {
        name: "oneshot-request-response",
        chapter: ONESHOT,
        heading: "Use Case: Async Request-Response",
        expected: oneshot::REQUEST_RESPONSE,
        errata: &[],
        run: entry!(oneshot::request_response),
    },
    Pattern {
        name: "oneshot-dropped-sender",
        chapter: ONESHOT,
        heading: "Error Handling When Sender Is Dropped",
        expected: oneshot::DROPPED_SENDER,
        errata: &[],
        run: entry!(oneshot::dropped_sender),
    },
    Pattern {
        name: "oneshot-spawn-with-result",
        chapter: ONESHOT,
        heading: "Common Pattern: Task with Result",
        expected: oneshot::SPAWN_WITH_RESULT,
        errata: &["E01"],
        run: entry!(oneshot::spawn_with_result_pattern),
    },
    Pattern {
        name: "broadcast-basic",
        chapter: BROADCAST,
        heading: "Basic Example",
        expected: broadcast::BASIC,
        errata: &["E05"],
        run: entry!(broadcast::basic),
    },
    Pattern {
        name: "broadcast-lagging",
        chapter: BROADCAST,
        heading: "Lagging Receivers",
        expected: broadcast::LAGGING,
        errata: &["E02", "E12"],
        run: entry!(broadcast::lagging),
    },
    Pattern {
        name: "broadcast-events",
        chapter: BROADCAST,
        heading: "Example: Event Distribution System",
        expected: broadcast::EVENTS,
        errata: &["E06"],
        run: entry!(broadcast::events),
    },
    Pattern {
        name: "watch-basic",
        chapter: WATCH,
        heading: "Basic Usage",
        expected: watch::BASIC,
        errata: &[],
        run: entry!(watch::basic),
    },
    Pattern {
        name: "watch-multi-receiver",
        chapter: WATCH,
        heading: "Multiple Receivers",
        expected: watch::MULTI_RECEIVER,
        errata: &[],
        run: entry!(watch::multi_receiver),
    },
    Pattern {
        name: "watch-changed",
        chapter: WATCH,
        heading: "`borrow()` vs `changed().await`",
        expected: watch::CHANGED,
        errata: &["E10"],
        run: entry!(watch::changed),
    },
    Pattern {
        name: "watch-idle-timeout",
        chapter: WATCH,
        heading: "Real Example: Idle Timeout in proxy.rs",
        expected: watch::IDLE_TIMEOUT,
        errata: &["E11", "E14", "E15", "E16", "E17", "E20", "E21"],
        run: entry!(watch::idle_timeout),
    },
    Pattern {
        name: "select-shutdown",
        chapter: ADVANCED,
        heading: "Combining Channels with `tokio::select!`",
        expected: advanced::select_shutdown::EXPECTED,
        errata: &["E08", "E09"],
        run: entry!(advanced::select_shutdown::run),
    },
    Pattern {
        name: "app-shutdown",
        chapter: ADVANCED,
        heading: "Graceful Shutdown with Channels",
        expected: advanced::app_shutdown::EXPECTED,
        errata: &["E03", "E04"],
        run: entry!(advanced::app_shutdown::run),
    },
    Pattern {
        name: "state-machine",
        chapter: ADVANCED,
        heading: "Channel-Based State Machines",
        expected: advanced::state_machine::EXPECTED,
        errata: &["E07"],
        run: entry!(advanced::state_machine::run),
    },
];

/// The pattern called `name`.
pub fn find(name: &str) -> Option<&'static Pattern> {
    PATTERNS.iter().find(|p| p.name == name)
}

/// Every pattern's name, in the guide's order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PATTERNS.iter().map(|p| p.name)
}
