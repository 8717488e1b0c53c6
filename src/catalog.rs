//! Every program of the guide: its name (the binary's interface), its guide section, what it
//! prints, the errata that concern it, and how to run it, corrected and as written.

use std::future::Future;
use std::pin::Pin;

use patterns::{as_written, corrected};

use crate::drivers;

/// A program's `main` (or the driver of a block that has none), boxed so that all fit one
/// table; not `Send`, since a run stays on one thread. An error is the driver's, when it cannot
/// set up what the guide's code needs.
pub type Main = fn() -> Pin<Box<dyn Future<Output = std::io::Result<()>>>>;

/// The guide's own code for a pattern, as `run NAME --as-written` runs it: in this table, so
/// that every pattern has one and the names are the same as for the corrected program.
#[derive(Clone, Copy, Debug)]
pub enum AsWritten {
    /// Runs the guide's `main` (its `println!`s going to the captured transcript), or, for a
    /// block without one, a driver of its functions ([`drivers`]).
    Runs(Main),
    /// The guide's block does not compile: there is nothing to run, only the compiler's error.
    DoesNotCompile {
        /// The compiler's error, the one `tests/guide/compile_fail.rs` checks.
        error: &'static str,
    },
}

/// One program of the guide.
#[derive(Debug)]
pub struct Pattern {
    /// The name `channel-patterns run NAME` takes.
    pub name: &'static str,
    /// The guide's `##` heading the example is under, exactly as in the guide.
    pub chapter: &'static str,
    /// The guide's `###` heading of the example, exactly as in the guide.
    pub heading: &'static str,
    /// The whole transcript the corrected program prints on a current-thread runtime in paused
    /// time (the report's runtime), where its schedule is fixed.
    pub expected: &'static [&'static str],
    /// Errata of `ERRATA.md` about this example, e.g. `"E02"`.
    pub errata: &'static [&'static str],
    /// The corrected program ([`patterns::corrected`]), or its driver.
    pub corrected: Main,
    /// The guide's code as written, to run with its defects.
    pub as_written: AsWritten,
}

const MPSC: &str = "mpsc - Multi-Producer, Single-Consumer";
const ONESHOT: &str = "oneshot - Single Value, Single Use";
const BROADCAST: &str = "broadcast - Multi-Producer, Multi-Consumer";
const WATCH: &str = "watch - Single Value Observable";
const ADVANCED: &str = "Advanced Patterns";

/// A block's `main` as a [`Main`].
macro_rules! main {
    ($main:path) => {
        || {
            Box::pin(async {
                $main().await;
                Ok(())
            })
        }
    };
}

/// All programs, in the guide's order.
pub const PATTERNS: &[Pattern] = &[
    Pattern {
        name: "mpsc-basic",
        chapter: MPSC,
        heading: "Basic Example",
        expected: &[
            "Received: 0",
            "Received: 1",
            "Received: 2",
            "Received: 3",
            "Received: 4",
            "Channel closed",
        ],
        errata: &[],
        corrected: main!(corrected::mpsc_basic::main),
        as_written: AsWritten::Runs(main!(as_written::mpsc_basic::main)),
    },
    Pattern {
        name: "mpsc-multi-producer",
        chapter: MPSC,
        heading: "Multiple Producers",
        expected: &[
            "Hello from task 0",
            "Hello from task 1",
            "Hello from task 2",
        ],
        errata: &[],
        corrected: main!(corrected::mpsc_multi_producer::main),
        as_written: AsWritten::Runs(main!(as_written::mpsc_multi_producer::main)),
    },
    Pattern {
        name: "mpsc-backpressure",
        chapter: MPSC,
        heading: "Backpressure and Buffer Management",
        expected: &[
            "Sending 0",
            "Sent 0",
            "Sending 1",
            "Sent 1",
            "Sending 2",
            "Processing 0",
            "Sent 2",
            "Sending 3",
            "Processing 1",
            "Sent 3",
            "Sending 4",
            "Processing 2",
            "Sent 4",
            "Sending 5",
            "Processing 3",
            "Sent 5",
            "Sending 6",
            "Processing 4",
            "Sent 6",
            "Sending 7",
            "Processing 5",
            "Sent 7",
            "Sending 8",
            "Processing 6",
            "Sent 8",
            "Sending 9",
            "Processing 7",
            "Sent 9",
            "Processing 8",
            "Processing 9",
        ],
        errata: &["E13"],
        corrected: main!(corrected::mpsc_backpressure::main),
        as_written: AsWritten::Runs(main!(as_written::mpsc_backpressure::main)),
    },
    Pattern {
        name: "mpsc-shutdown",
        chapter: MPSC,
        heading: "Graceful Shutdown Pattern",
        expected: &["Shutdown signal received", "Worker cleaned up"],
        errata: &["E18"],
        corrected: main!(corrected::mpsc_shutdown::main),
        as_written: AsWritten::Runs(main!(as_written::mpsc_shutdown::main)),
    },
    Pattern {
        name: "oneshot-request-response",
        chapter: ONESHOT,
        heading: "Use Case: Async Request-Response",
        expected: &["Got: Computed value"],
        errata: &[],
        corrected: main!(corrected::oneshot_request_response::main),
        as_written: AsWritten::Runs(main!(as_written::oneshot_request_response::main)),
    },
    Pattern {
        name: "oneshot-dropped-sender",
        chapter: ONESHOT,
        heading: "Error Handling When Sender Is Dropped",
        expected: &["Sender was dropped without sending"],
        errata: &[],
        corrected: main!(corrected::oneshot_dropped_sender::main),
        as_written: AsWritten::Runs(main!(as_written::oneshot_dropped_sender::main)),
    },
    Pattern {
        name: "oneshot-spawn-with-result",
        chapter: ONESHOT,
        heading: "Common Pattern: Task with Result",
        expected: &["Result: 42"],
        errata: &["E01"],
        corrected: main!(corrected::oneshot_spawn_with_result::main),
        as_written: AsWritten::DoesNotCompile {
            error: include_str!("../tests/compile_fail/spawn_with_result.stderr"),
        },
    },
    Pattern {
        name: "broadcast-basic",
        chapter: BROADCAST,
        heading: "Basic Example",
        expected: &["rx1: Hello everyone!", "rx2: Hello everyone!"],
        errata: &["E05"],
        corrected: main!(corrected::broadcast_basic::main),
        as_written: AsWritten::Runs(main!(as_written::broadcast_basic::main)),
    },
    Pattern {
        name: "broadcast-lagging",
        chapter: BROADCAST,
        heading: "Lagging Receivers",
        expected: &["Missed 3 messages", "Received: 3", "Received: 4"],
        errata: &["E02", "E12"],
        corrected: main!(corrected::broadcast_lagging::main),
        as_written: AsWritten::Runs(main!(as_written::broadcast_lagging::main)),
    },
    Pattern {
        name: "broadcast-events",
        chapter: BROADCAST,
        heading: "Example: Event Distribution System",
        expected: &[
            "[LOG] UserLoggedIn(\"alice\")",
            "[LOG] UserLoggedIn(\"bob\")",
            "[LOG] MessageSent { from: \"alice\", to: \"bob\" }",
            "[ANALYTICS] Total logins: 1",
            "[ANALYTICS] Total logins: 2",
        ],
        errata: &["E06", "E22", "E28"],
        corrected: main!(corrected::broadcast_events::main),
        as_written: AsWritten::Runs(main!(as_written::broadcast_events::main)),
    },
    Pattern {
        name: "watch-basic",
        chapter: WATCH,
        heading: "Basic Usage",
        expected: &["Current: initial", "Current: updated"],
        errata: &["E25"],
        corrected: main!(corrected::watch_basic::main),
        as_written: AsWritten::Runs(main!(as_written::watch_basic::main)),
    },
    Pattern {
        name: "watch-multi-receiver",
        chapter: WATCH,
        heading: "Multiple Receivers",
        expected: &["rx1 sees: 0", "rx2 sees: 0", "rx1 sees: 42", "rx2 sees: 42"],
        errata: &[],
        corrected: main!(corrected::watch_multi_receiver::main),
        as_written: AsWritten::Runs(main!(as_written::watch_multi_receiver::main)),
    },
    Pattern {
        name: "watch-changed",
        chapter: WATCH,
        heading: "`borrow()` vs `changed().await`",
        expected: &[
            "Value changed to: 1",
            "Value changed to: 2",
            "Value changed to: 3",
        ],
        errata: &["E10", "E25", "E26"],
        corrected: main!(corrected::watch_changed::main),
        as_written: AsWritten::Runs(main!(as_written::watch_changed::main)),
    },
    Pattern {
        name: "watch-idle-timeout",
        chapter: WATCH,
        heading: "Real Example: Idle Timeout in proxy.rs",
        expected: &[
            "upstream got \"ping\" at 0ms",
            "client got \"pong\" at 1000ms",
            "proxy returned Err(Custom { kind: TimedOut, error: \"idle timeout\" }) at 6000ms",
            "client read 0 bytes, upstream read 0 bytes",
        ],
        errata: &[
            "E11", "E14", "E15", "E16", "E17", "E20", "E21", "E23", "E28",
        ],
        corrected: || Box::pin(drivers::watch_idle_timeout()),
        as_written: AsWritten::Runs(|| Box::pin(drivers::watch_idle_timeout_as_written())),
    },
    Pattern {
        name: "select-shutdown",
        chapter: ADVANCED,
        heading: "Combining Channels with `tokio::select!`",
        expected: &[
            "Processing: task 1",
            "Processing: task 2",
            "Shutting down...",
        ],
        errata: &["E08", "E09"],
        corrected: main!(corrected::select_shutdown::main),
        as_written: AsWritten::Runs(main!(as_written::select_shutdown::main)),
    },
    Pattern {
        name: "app-shutdown",
        chapter: ADVANCED,
        heading: "Graceful Shutdown with Channels",
        expected: &[
            "worker-1: received shutdown",
            "worker-2: received shutdown",
            "worker-3: received shutdown",
            "worker-1 completed shutdown",
            "worker-2 completed shutdown",
            "worker-3 completed shutdown",
        ],
        errata: &["E03", "E04", "E28"],
        corrected: main!(corrected::app_shutdown::main),
        as_written: AsWritten::Runs(main!(as_written::app_shutdown::main)),
    },
    Pattern {
        name: "state-machine",
        chapter: ADVANCED,
        heading: "Channel-Based State Machines",
        expected: &[
            "Connecting to localhost:8080",
            "Sending 3 bytes to localhost:8080",
            "Disconnecting from localhost:8080",
        ],
        errata: &["E07"],
        corrected: main!(corrected::state_machine::main),
        as_written: AsWritten::Runs(main!(as_written::state_machine::main)),
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
