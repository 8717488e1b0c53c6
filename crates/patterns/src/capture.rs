//! Where the `println!`s of the guide's programs go.
//!
//! The guide's blocks print with `println!`. The checks run those very blocks, unchanged, so
//! the modules that hold them ([`crate::as_written`], [`crate::corrected`]) see the `println!`
//! macro defined here instead of std's (a macro in textual scope beats the prelude's): each
//! line goes to the [`Transcript`] that [`capture`] set on this thread, or to stdout when there
//! is none. Under loom, a transcript is a loom mutex, so each line printed is a point of the
//! schedule: loom explores every order of the lines of tasks that run at the same time, as a
//! multi-thread runtime can print them.

use std::cell::RefCell;

use crate::Transcript;

thread_local! {
    static CAPTURE: RefCell<Option<Transcript>> = const { RefCell::new(None) };
}

/// Runs `f` with every `println!` of the guide's code on this thread going to `out`.
///
/// Thread-local on purpose: run the guide's code on a current-thread runtime inside `f` (or
/// under loom, whose threads all run on this one), and every task it spawns prints on this
/// thread, while tests on other threads stay separate.
pub fn capture<R>(out: &Transcript, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Transcript>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CAPTURE.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CAPTURE.with(|c| c.borrow_mut().replace(out.clone()));
    // Restored on unwind too: a test that expects a panic must not leave its capture behind.
    let _restore = Restore(previous);
    f()
}

/// Sends every `println!` of the guide's code on this thread to `out` from now on.
///
/// For the worker threads of a multi-thread runtime (`Builder::on_thread_start`), where the
/// guide's tasks run on threads that [`capture`] cannot scope.
pub fn capture_thread(out: &Transcript) {
    CAPTURE.with(|c| *c.borrow_mut() = Some(out.clone()));
}

/// Where a `println!` of the guide's code goes: the captured transcript, or stdout.
pub fn print_line(line: String) {
    let captured = CAPTURE.with(|c| c.borrow().clone());
    match captured {
        Some(out) => out.line(line),
        None => std::println!("{line}"),
    }
}

/// Shadows `std::println!` in the modules declared after this one (see the module docs).
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::capture::print_line(format!($($arg)*))
    };
}
