//! The ordered log of what a program of the guide printed.
//!
//! A test cannot compare stdout, and tasks print in whatever order the scheduler picks. The
//! checks run each program with its `println!`s going to a [`Transcript`] instead
//! ([`crate::capture`]): tests compare [`Transcript::lines`] with the expected output, and the
//! binary prints the same lines, so what is tested is exactly what a user sees.

#[cfg(channel_patterns_loom)]
use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(channel_patterns_loom))]
use std::sync::{Arc, Mutex, MutexGuard};

/// A shared, append-only list of output lines.
///
/// Cloning gives another handle to the same log, so spawned tasks can write to it. Its mutex
/// is std's normally, and loom's under the loom cfg, where each line appended is a point at
/// which loom may run another task first.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    lines: Mutex<Vec<String>>,
    /// Echo each line to stdout as it is written, so a program run by hand shows its output
    /// live.
    print_through: bool,
    /// Under loom, the lines a search wants ([`Transcript::expecting`]).
    #[cfg(channel_patterns_loom)]
    expected: Option<Vec<String>>,
}

impl Transcript {
    /// A transcript that only records; what tests use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A transcript that also prints each line to stdout when written; what `run NAME` uses.
    pub fn printing() -> Self {
        Transcript {
            inner: Arc::new(Inner {
                print_through: true,
                ..Inner::default()
            }),
        }
    }

    /// Under loom: a transcript for a search of the schedules that print `expected` (as its
    /// first lines, at least). At the first line that differs, loom stops exploring the
    /// schedules that follow from there, since none of them can print `expected`; the run goes
    /// on to its end, and its lines tell the search it missed. So loom looks for one output
    /// among the few schedules that keep printing it, instead of among them all.
    #[cfg(channel_patterns_loom)]
    pub fn expecting(expected: Vec<String>) -> Self {
        Transcript {
            inner: Arc::new(Inner {
                lines: Mutex::default(),
                print_through: false,
                expected: Some(expected),
            }),
        }
    }

    /// Appends one line, as the guide's `println!` would print it.
    pub fn line(&self, line: impl Into<String>) {
        let line = line.into();
        let mut lines = lock(&self.inner.lines);
        // Printed under the lock, so that stdout has the lines in the transcript's order.
        if self.inner.print_through {
            println!("{line}");
        }
        #[cfg(channel_patterns_loom)]
        if let Some(expected) = &self.inner.expected
            && expected.get(lines.len()).is_some_and(|e| *e != line)
        {
            loom::skip_branch();
        }
        lines.push(line);
    }

    /// Every line written so far, in order.
    pub fn lines(&self) -> Vec<String> {
        lock(&self.inner.lines).clone()
    }
}

/// Locks the lines, recovering them if a panicking thread poisoned the lock: a line is
/// appended whole or not at all, so they stay valid. (loom's `Mutex::lock` returns std's
/// `LockResult` too.)
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
