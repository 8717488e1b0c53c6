//! Helpers shared by the pattern tests.
#![allow(dead_code, reason = "each test crate uses a different subset")]

use std::future::Future;
use std::time::Duration;

use channel_patterns::catalog;
use channel_patterns::runner::{self, Run};
use patterns::Transcript;

pub mod watchdog;

pub use watchdog::{REAL_LIMIT, Watchdog};

/// Paused time any single wait may take. It passes at once when nothing else can run, so a
/// lost wake-up fails the test in milliseconds.
pub const PAUSED_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// Awaits `fut` within [`PAUSED_LIMIT`] of Tokio's clock and [`REAL_LIMIT`] of real time (the
/// second catches a task that spins and so stops the paused clock): a hang fails with `what`.
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    let _watchdog = Watchdog::new(what, REAL_LIMIT);
    tokio::time::timeout(PAUSED_LIMIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: still waiting after {PAUSED_LIMIT:?} of Tokio's time"))
}

/// Tasks of the current runtime still alive right now, without yielding: measured when a
/// `main` returns, this is what `#[tokio::main]` would cancel by dropping the runtime.
pub async fn tasks_alive() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Runs a block's `main` the way `run NAME` does (`runner::run_main`: a fresh current-thread
/// runtime in paused time, within `runner::BOUND` of it), capturing what it prints, and within
/// [`REAL_LIMIT`] of real time. Returns the lines and the verdict: how it ended, and the tasks
/// it left alive.
pub fn run_block<Fut>(main: impl FnOnce() -> Fut) -> Run
where
    Fut: Future<Output = ()>,
{
    let _watchdog = Watchdog::new("the guide's code", REAL_LIMIT);
    let main = || async {
        main().await;
        Ok(())
    };
    runner::run_main(main, Transcript::new()).expect("a runtime")
}

/// The catalog's pattern `name`.
pub fn pattern(name: &str) -> &'static catalog::Pattern {
    catalog::find(name).unwrap_or_else(|| panic!("{name} is a pattern of the catalog"))
}

/// Runs the corrected program of the catalog's pattern `name` as `run NAME` does, within
/// [`REAL_LIMIT`] of real time.
pub fn run_corrected(name: &str) -> Run {
    let _watchdog = Watchdog::new(&format!("the corrected {name}"), REAL_LIMIT);
    runner::run_corrected(pattern(name), Transcript::new())
        .expect("a runtime, and the driver's connections")
}

/// Runs the guide's code for the catalog's pattern `name` as `run NAME --as-written` does,
/// within [`REAL_LIMIT`] of real time.
pub fn run_as_written(name: &str) -> Run {
    let _watchdog = Watchdog::new(&format!("the guide's code for {name}"), REAL_LIMIT);
    runner::run_as_written(pattern(name), Transcript::new())
        .expect("a runtime, and the driver's connections")
}

/// The code block a file of `crates/patterns/src/as_written/` or `crates/patterns/src/corrected/`
/// holds, as the guide shows it: the text below its `// BEGIN GUIDE` marker with the documented
/// edits undone (`main` made callable, the functions of a block without `main` made `pub`). Above
/// the marker there may be only comments, the declaration of the block's test module, and, in every
/// file but `watch_idle_timeout.rs`, whose I/O loom cannot see, the one line for loom
/// (`use crate::rt as tokio;` under its cfg).
pub fn block_file(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let (header, code) = text
        .split_once("// BEGIN GUIDE\n")
        .unwrap_or_else(|| panic!("{} has no BEGIN GUIDE marker", path.display()));
    let loom_edit = "#[cfg(channel_patterns_loom)]\nuse crate::rt as tokio;\n";
    let is_idle_timeout = path.ends_with("watch_idle_timeout.rs");
    assert_eq!(
        header.contains(loom_edit),
        !is_idle_timeout,
        "{}: the loom import edit is missing or misplaced",
        path.display()
    );
    // A block's own tests, as a child module that reaches its private items.
    let rest = header
        .replace(loom_edit, "")
        .replace("#[cfg(test)]\nmod tests;\n", "");
    assert!(
        rest.lines().all(|l| l.starts_with("// ")),
        "{} has an edit above BEGIN GUIDE other than the documented ones",
        path.display()
    );
    let code = code.replace("pub async fn main()", "#[tokio::main]\nasync fn main()");
    if is_idle_timeout {
        code.replace("\npub async fn ", "\nasync fn ")
    } else {
        code
    }
}
