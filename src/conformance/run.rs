//! Runs a program of the guide, corrected ([`patterns::corrected`]) or as written
//! ([`patterns::as_written`]), and says how it ended: the [`Verdict`] is what happened to that code
//! in paused time, so that each erratum about a hang, a panic or a leaked task can be seen on the
//! guide's own code, and the corrected code can be seen not to have it.
//!
//! A run is the program's `main` on a current-thread runtime in paused time (sleeps cost no real
//! time and the interleaving is the same on every run) under [`capture`](patterns::capture),
//! bounded by [`BOUND`] of paused time. Nothing here knows which program is defective: the
//! verdict comes only from what the run did.

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};
use std::time::Duration;

use patterns::Transcript;
use tokio::runtime::{Builder, Runtime};

use crate::catalog::{AsWritten, Pattern};
use crate::errata::Erratum;

/// Paused time a run may take before it is called [`Verdict::StillWaiting`]. Paused time
/// passes at once when every task waits, so an hour costs milliseconds; every finishing
/// example of the guide takes at most a few seconds of it, so an hour is not a close call.
pub const BOUND: Duration = Duration::from_secs(3600);

/// How a program ended, as `run NAME` reports it in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `main` returned and no spawned task was left: what a program should do.
    Finished,
    /// `main` panicked (under `#[tokio::main]`, the program would abort with this message).
    Panicked {
        /// The panic's message, as the default panic hook would print it.
        message: String,
    },
    /// `main` had not returned after `after` of paused time: with paused time, that means
    /// every task was waiting for something that never came.
    StillWaiting {
        /// Paused time that passed before the run was given up ([`BOUND`]).
        after: Duration,
        /// Spawned tasks alive at that moment, besides `main` itself.
        tasks: usize,
    },
    /// `main` returned, but spawned tasks were still alive: `#[tokio::main]` cancels them
    /// there, wherever they are, so whatever they had left to do is lost.
    LeftRunning {
        /// Spawned tasks alive when `main` returned.
        tasks: usize,
    },
    /// The guide's code does not compile, so there is nothing to run.
    DoesNotCompile {
        /// The compiler's error, as checked in under `tests/compile_fail/`.
        error: &'static str,
    },
}

impl fmt::Display for Verdict {
    /// The verdict line, e.g. `verdict: finished, but left 1 task running`. For
    /// [`Verdict::DoesNotCompile`], the compiler's error follows on the same line and the next.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Finished => write!(f, "verdict: finished"),
            Verdict::Panicked { message } => write!(f, "verdict: panicked: {message}"),
            Verdict::StillWaiting { after, tasks: 0 } => write!(
                f,
                "verdict: still waiting after {} of paused time, with no task alive besides main",
                humantime::format_duration(*after)
            ),
            Verdict::StillWaiting { after, tasks } => write!(
                f,
                "verdict: still waiting after {} of paused time, with {} alive besides main",
                humantime::format_duration(*after),
                plural(*tasks, "task")
            ),
            Verdict::LeftRunning { tasks } => write!(
                f,
                "verdict: finished, but left {} running",
                plural(*tasks, "task")
            ),
            Verdict::DoesNotCompile { error } => {
                write!(f, "verdict: does not compile: {}", error.trim_end())
            }
        }
    }
}

impl Verdict {
    /// Whether `erratum` explains this verdict: its kind (ERRATA.md's table) is the kind of
    /// defect that ends a run this way. A run that finished is explained by none.
    pub fn is_explained_by(&self, erratum: &Erratum) -> bool {
        let kinds: &[&str] = match self {
            Verdict::Finished => &[],
            Verdict::Panicked { .. } => &["panics"],
            // "untestable": a timeout on the wall clock never fires in paused time.
            Verdict::StillWaiting { .. } => &["never finishes", "hangs", "untestable"],
            Verdict::LeftRunning { .. } => &["sleep as synchronisation", "leak"],
            Verdict::DoesNotCompile { .. } => &["does not compile"],
        };
        kinds.contains(&erratum.kind)
    }
}

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

/// Everything one run of a program produced.
#[derive(Debug)]
pub struct Run {
    /// What the program printed, in order (also printed live by a [`Transcript::printing`]).
    pub lines: Vec<String>,
    /// How it ended.
    pub verdict: Verdict,
    /// Tokio time that passed (paused time: simulated, not waited for).
    pub simulated: Duration,
}

/// Runs the corrected program of `pattern`, its `println!`s going to `out`.
///
/// # Errors
/// When the runtime cannot be built, or the driver of a block without a `main` cannot set up
/// its connections.
pub fn run_corrected(pattern: &Pattern, out: Transcript) -> std::io::Result<Run> {
    run_main(pattern.corrected, out)
}

/// Runs the guide's code as written for `pattern`, its `println!`s going to `out`. For a block
/// that does not compile, the verdict says so and nothing runs.
///
/// # Errors
/// As [`run_corrected`].
pub fn run_as_written(pattern: &Pattern, out: Transcript) -> std::io::Result<Run> {
    match pattern.as_written {
        AsWritten::Runs(main) => run_main(main, out),
        AsWritten::DoesNotCompile { error } => Ok(Run {
            lines: out.lines(),
            verdict: Verdict::DoesNotCompile { error },
            simulated: Duration::ZERO,
        }),
    }
}

/// Runs `main` as `#[tokio::main]` would, but on a current-thread runtime in paused time and
/// within [`BOUND`], with the guide's `println!`s going to `out`; the verdict is what it did.
///
/// Tasks alive are counted the moment `main` returns (or is given up), without yielding:
/// exactly the tasks `#[tokio::main]` would cancel by dropping its runtime there.
///
/// A panic of `main` is caught and becomes the verdict; the panic hook stays quiet about it
/// (on this thread, while `main` is polled). A spawned task's panic is reported by the hook as usual, as it would be
/// under `#[tokio::main]`, where it does not end `main` either.
///
/// # Errors
/// When the runtime cannot be built, or `main` returns an error (only a driver does: the
/// guide's `main`s return `()`).
pub fn run_main<Fut>(main: impl FnOnce() -> Fut, out: Transcript) -> std::io::Result<Run>
where
    Fut: Future<Output = std::io::Result<()>>,
{
    let runtime = paused_runtime()?;
    let start = runtime.block_on(async { tokio::time::Instant::now() });
    let (verdict, simulated) = patterns::capture::capture(&out, || {
        runtime.block_on(async {
            let ended = tokio::time::timeout(BOUND, CatchPanic(Box::pin(main()))).await;
            let tasks = tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks();
            let simulated = start.elapsed();
            let verdict = match ended {
                Err(_elapsed) => Verdict::StillWaiting {
                    after: simulated,
                    tasks,
                },
                Ok(Err(message)) => Verdict::Panicked { message },
                Ok(Ok(returned)) => {
                    returned?;
                    match tasks {
                        0 => Verdict::Finished,
                        tasks => Verdict::LeftRunning { tasks },
                    }
                }
            };
            Ok::<_, std::io::Error>((verdict, simulated))
        })
    })?;
    Ok(Run {
        lines: out.lines(),
        verdict,
        simulated,
    })
}

/// A future that turns a panic while polling `main` into `Err(message)`, so that the run goes
/// on (to count the tasks left) instead of unwinding out of the runtime.
struct CatchPanic<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let main = self.0.as_mut();
        match quietly(|| catch_unwind(AssertUnwindSafe(|| main.poll(cx)))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

/// The message of a panic payload, as the default hook prints it.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_string()
    }
}

thread_local! {
    /// Whether a panic on this thread is one a run catches and reports itself.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the panic hook silent for panics on this thread, so that a panic of the
/// guide's `main` is reported once, in the verdict, rather than also as a `thread panicked`
/// message on stderr.
///
/// The hook is process-wide, so it is not swapped per run: a wrapper around the hook found
/// first is installed once, and stays quiet only on a thread inside `quietly`. Panics on other
/// threads (tests running in parallel, or a caller's own) reach the previous hook unchanged,
/// and there is no window in which they are lost.
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.set(self.0);
        }
    }
    let _restore = Restore(QUIET.replace(true));
    f()
}

/// `1 task`, `2 tasks`: a count and its noun, for the verdicts and the report.
pub(super) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
