//! The helpers of the suites that run the catalog's programs. They need the root crate (its
//! `catalog` and `conformance`), which `test-support` cannot depend on, so they are this binary's.

use std::future::Future;

use channel_patterns::catalog;
use channel_patterns::conformance::{self, Run};
use patterns::Transcript;
use test_support::{REAL_LIMIT, Watchdog};

/// Runs a block's `main` the way `run NAME` does (`conformance::run_main`: a fresh current-thread
/// runtime in paused time, within `conformance::BOUND` of it), capturing what it prints, and within
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
    conformance::run_main(main, Transcript::new()).expect("a runtime")
}

/// The catalog's pattern `name`.
pub fn pattern(name: &str) -> &'static catalog::Pattern {
    catalog::find(name).unwrap_or_else(|| panic!("{name} is a pattern of the catalog"))
}

/// Runs the corrected program of the catalog's pattern `name` as `run NAME` does, within
/// [`REAL_LIMIT`] of real time.
pub fn run_corrected(name: &str) -> Run {
    let _watchdog = Watchdog::new(&format!("the corrected {name}"), REAL_LIMIT);
    conformance::run_corrected(pattern(name), Transcript::new())
        .expect("a runtime, and the driver's connections")
}

/// Runs the guide's code for the catalog's pattern `name` as `run NAME --as-written` does,
/// within [`REAL_LIMIT`] of real time.
pub fn run_as_written(name: &str) -> Run {
    let _watchdog = Watchdog::new(&format!("the guide's code for {name}"), REAL_LIMIT);
    conformance::run_as_written(pattern(name), Transcript::new())
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

/// Under cargo-mutants (ci/mutants.sh), where every mutant would rebuild the crates that
/// compile the guide's blocks (`corrected_guide`'s programs, `compile_fail`'s fixture). They
/// depend on tokio alone: nothing a mutant changes can change them, so those tests skip that.
pub fn under_mutants() -> bool {
    std::env::var_os("CHANNEL_PATTERNS_MUTANTS").is_some()
}
