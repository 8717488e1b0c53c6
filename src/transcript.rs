//! The ordered log every pattern writes instead of `println!`.
//!
//! The guide's examples print to stdout, which a test cannot compare and which interleaves
//! across tasks in whatever order the scheduler picks. A pattern here writes each line to a
//! [`Transcript`] instead: tests compare [`Transcript::lines`] with the expected output, and the
//! binary prints the same lines, so what is tested is exactly what a user sees.

use std::sync::{Arc, Mutex, PoisonError};

/// A shared, append-only list of output lines.
///
/// Cloning gives another handle to the same log, so spawned tasks can write to it. It uses a
/// `std` mutex because a line is appended without ever awaiting while the lock is held.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    lines: Mutex<Vec<String>>,
    /// Echo each line to stdout as it is written, so a pattern run by hand shows its output live.
    print_through: bool,
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
                lines: Mutex::default(),
                print_through: true,
            }),
        }
    }

    /// Appends one line, as the guide's `println!` would print it.
    pub fn line(&self, line: impl Into<String>) {
        let line = line.into();
        if self.inner.print_through {
            println!("{line}");
        }
        self.lock().push(line);
    }

    /// Every line written so far, in order.
    pub fn lines(&self) -> Vec<String> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A panic while pushing a String cannot leave the Vec half-updated, so a poisoned
        // lock still guards consistent data: keep the lines rather than lose the transcript.
        self.inner
            .lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
