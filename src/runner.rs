//! Runs a pattern the way the report and the tests do: on a current-thread runtime in paused
//! time, where sleeps cost no real time and the interleaving is the same on every run.

use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use crate::catalog::Pattern;
use crate::report::plural;
use crate::{PatternResult, Transcript};

/// A current-thread runtime with time paused (and I/O enabled, for the TCP examples).
///
/// # Errors
/// When the runtime cannot be built (the OS refuses its resources).
pub fn paused_runtime() -> std::io::Result<Runtime> {
    Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
}

/// Everything one run of a pattern produced.
#[derive(Debug)]
pub struct Run {
    /// What the pattern wrote, in order.
    pub lines: Vec<String>,
    /// How the pattern ended.
    pub result: PatternResult,
    /// Tokio time that passed (paused time: simulated, not waited for).
    pub simulated: Duration,
    /// Tasks still alive when the pattern returned: a correct pattern leaves none.
    pub tasks_left: usize,
}

/// Runs `pattern` to completion in paused time, writing to `out`.
///
/// # Errors
/// When the runtime cannot be built.
pub fn run(pattern: &Pattern, out: Transcript) -> std::io::Result<Run> {
    let runtime = paused_runtime()?;
    let (result, simulated, tasks_left) = runtime.block_on(async {
        let start = tokio::time::Instant::now();
        let result = (pattern.run)(out.clone()).await;
        let simulated = start.elapsed();
        // Counted at once, as `#[tokio::main]` would drop the runtime right here.
        let tasks_left = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        (result, simulated, tasks_left)
    });
    Ok(Run {
        lines: out.lines(),
        result,
        simulated,
        tasks_left,
    })
}

/// The report's verdict on a run: `Ok(description)` when it printed exactly the expected
/// transcript, agrees with the guide's Output block where there is one, returned `Ok` and left
/// no task running; otherwise `Err` saying which of these failed first.
///
/// # Errors
/// The first check the run fails, as the report prints it.
pub fn verdict(pattern: &Pattern, run: &Run) -> Result<String, String> {
    if let Err(e) = &run.result {
        return Err(format!("failed: {e}"));
    }
    if run.lines != pattern.expected {
        return Err(format!(
            "{}, expected {}",
            plural(run.lines.len(), "line"),
            pattern.expected.len()
        ));
    }
    if run.tasks_left > 0 {
        return Err(format!("{} left running", plural(run.tasks_left, "task")));
    }
    match pattern.documented() {
        None => Ok(format!(
            "ok, {} as expected",
            plural(run.lines.len(), "line")
        )),
        Some(doc) if doc.matches(&run.lines) => Ok(format!(
            "ok, {} guide's Output block",
            if doc.continues {
                "starts with the"
            } else {
                "is the"
            }
        )),
        Some(_) => Err("differs from the guide's Output block".to_string()),
    }
}
