//! Every pattern of the guide: its name (the binary's interface), its guide section, what it
//! prints, the errata that concern it, and how to run it, corrected and as written.

use std::future::Future;
use std::pin::Pin;

use crate::{
    PatternResult, Transcript, advanced, as_written, broadcast, guide, mpsc, oneshot, watch,
};

/// A pattern's entry point, boxed so that all patterns fit one table.
pub type Entry = fn(Transcript) -> Pin<Box<dyn Future<Output = PatternResult> + Send>>;

/// The guide's `main` for a pattern (or its driver), boxed so that all fit one table; not
/// `Send`, since a run stays on one thread. An error is the driver's, when it cannot set up
/// what the guide's code needs.
pub type Main = fn() -> Pin<Box<dyn Future<Output = std::io::Result<()>>>>;

/// The guide's own code for a pattern, as `run NAME --as-written` runs it
/// ([`as_written::run`]): in this table, so that every pattern has one and the names are the
/// same as for the corrected pattern.
#[derive(Clone, Copy, Debug)]
pub enum AsWritten {
    /// Runs the guide's `main` (its `println!`s going to the captured transcript), or, for a
    /// block without one, a driver of its functions ([`as_written::driver`]).
    Runs(Main),
    /// The guide's block does not compile: there is nothing to run, only the compiler's error.
    DoesNotCompile {
        /// The compiler's error, the one `tests/compile_fail.rs` checks.
        error: &'static str,
    },
}

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
    /// The guide's code as written, to run with its defects.
    pub as_written: AsWritten,
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

macro_rules! as_written {
    ($main:path) => {
        AsWritten::Runs(|| {
            Box::pin(async {
                $main().await;
                Ok(())
            })
        })
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
        as_written: as_written!(as_written::mpsc_basic::main),
    },
    Pattern {
        name: "mpsc-multi-producer",
        chapter: MPSC,
        heading: "Multiple Producers",
        expected: mpsc::MULTI_PRODUCER,
        errata: &[],
        run: entry!(mpsc::multi_producer),
        as_written: as_written!(as_written::mpsc_multi_producer::main),
    },
    Pattern {
        name: "mpsc-backpressure",
        chapter: MPSC,
        heading: "Backpressure and Buffer Management",
        expected: mpsc::BACKPRESSURE,
        errata: &["E13"],
        run: entry!(mpsc::backpressure),
        as_written: as_written!(as_written::mpsc_backpressure::main),
    },
    Pattern {
        name: "mpsc-shutdown",
        chapter: MPSC,
        heading: "Graceful Shutdown Pattern",
        expected: mpsc::SHUTDOWN,
        errata: &["E18"],
        run: entry!(mpsc::shutdown),
        as_written: as_written!(as_written::mpsc_shutdown::main),
    },
    Pattern {
        name: "oneshot-request-response",
        chapter: ONESHOT,
        heading: "Use Case: Async Request-Response",
        expected: oneshot::REQUEST_RESPONSE,
        errata: &[],
        run: entry!(oneshot::request_response),
        as_written: as_written!(as_written::oneshot_request_response::main),
    },
    Pattern {
        name: "oneshot-dropped-sender",
        chapter: ONESHOT,
        heading: "Error Handling When Sender Is Dropped",
        expected: oneshot::DROPPED_SENDER,
        errata: &[],
        run: entry!(oneshot::dropped_sender),
        as_written: as_written!(as_written::oneshot_dropped_sender::main),
    },
    Pattern {
        name: "oneshot-spawn-with-result",
        chapter: ONESHOT,
        heading: "Common Pattern: Task with Result",
        expected: oneshot::SPAWN_WITH_RESULT,
        errata: &["E01"],
        run: entry!(oneshot::spawn_with_result_pattern),
        as_written: AsWritten::DoesNotCompile {
            error: include_str!("../tests/compile_fail/spawn_with_result.stderr"),
        },
    },
    Pattern {
        name: "broadcast-basic",
        chapter: BROADCAST,
        heading: "Basic Example",
        expected: broadcast::BASIC,
        errata: &["E05"],
        run: entry!(broadcast::basic),
        as_written: as_written!(as_written::broadcast_basic::main),
    },
    Pattern {
        name: "broadcast-lagging",
        chapter: BROADCAST,
        heading: "Lagging Receivers",
        expected: broadcast::LAGGING,
        errata: &["E02", "E12"],
        run: entry!(broadcast::lagging),
        as_written: as_written!(as_written::broadcast_lagging::main),
    },
    Pattern {
        name: "broadcast-events",
        chapter: BROADCAST,
        heading: "Example: Event Distribution System",
        expected: broadcast::EVENTS,
        errata: &["E06"],
        run: entry!(broadcast::events),
        as_written: as_written!(as_written::broadcast_events::main),
    },
    Pattern {
        name: "watch-basic",
        chapter: WATCH,
        heading: "Basic Usage",
        expected: watch::BASIC,
        errata: &[],
        run: entry!(watch::basic),
        as_written: as_written!(as_written::watch_basic::main),
    },
    Pattern {
        name: "watch-multi-receiver",
        chapter: WATCH,
        heading: "Multiple Receivers",
        expected: watch::MULTI_RECEIVER,
        errata: &[],
        run: entry!(watch::multi_receiver),
        as_written: as_written!(as_written::watch_multi_receiver::main),
    },
    Pattern {
        name: "watch-changed",
        chapter: WATCH,
        heading: "`borrow()` vs `changed().await`",
        expected: watch::CHANGED,
        errata: &["E10"],
        run: entry!(watch::changed),
        as_written: as_written!(as_written::watch_changed::main),
    },
    Pattern {
        name: "watch-idle-timeout",
        chapter: WATCH,
        heading: "Real Example: Idle Timeout in proxy.rs",
        expected: watch::IDLE_TIMEOUT,
        errata: &["E11", "E14", "E15", "E16", "E17", "E20", "E21"],
        run: entry!(watch::idle_timeout),
        as_written: AsWritten::Runs(|| Box::pin(as_written::driver::watch_idle_timeout())),
    },
    Pattern {
        name: "select-shutdown",
        chapter: ADVANCED,
        heading: "Combining Channels with `tokio::select!`",
        expected: advanced::select_shutdown::EXPECTED,
        errata: &["E08", "E09"],
        run: entry!(advanced::select_shutdown::run),
        as_written: as_written!(as_written::select_shutdown::main),
    },
    Pattern {
        name: "app-shutdown",
        chapter: ADVANCED,
        heading: "Graceful Shutdown with Channels",
        expected: advanced::app_shutdown::EXPECTED,
        errata: &["E03", "E04"],
        run: entry!(advanced::app_shutdown::run),
        as_written: as_written!(as_written::app_shutdown::main),
    },
    Pattern {
        name: "state-machine",
        chapter: ADVANCED,
        heading: "Channel-Based State Machines",
        expected: advanced::state_machine::EXPECTED,
        errata: &["E07"],
        run: entry!(advanced::state_machine::run),
        as_written: as_written!(as_written::state_machine::main),
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
