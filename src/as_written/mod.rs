//! The guide's examples exactly as written, defects included, so that every erratum is shown
//! on the guide's own code rather than on a paraphrase of it.
//!
//! Do not use these: the corrected patterns are in the modules named after each channel.
//!
//! Each file below `// BEGIN GUIDE` is a code block of `guide/tokio-channels.md` with only
//! these edits, which `tests/as_written.rs` checks by undoing them and finding the block in the
//! guide:
//! - `#[tokio::main]\nasync fn main()` becomes `pub async fn main()`, so that a test chooses
//!   the runtime (current-thread, paused time) and can run it;
//! - in `watch_idle_timeout`, the guide's two functions are made `pub`;
//! - `println!` resolves to [`println!`](crate::as_written) below, which writes to the
//!   [`Transcript`] given to [`capture`] when there is one, and to stdout otherwise;
//! - above the marker, every file but `watch_idle_timeout` (whose I/O loom cannot see) has
//!   `#[cfg(channel_patterns_loom)] use crate::rt as tokio;`: its only edit for loom. Under the
//!   loom cfg the guide's `tokio::sync::…`, `tokio::spawn`, `tokio::time::sleep` and
//!   `tokio::select!` then resolve to [`crate::rt`]'s loom backend, so the loom tests
//!   (`tests/loom_patterns_*.rs`) run the guide's own code; in a normal build the line is
//!   compiled out and the code is tokio's.
//!
//! `spawn_with_result` is absent: it does not compile (erratum E01, `tests/compile_fail/`).
//!
//! Two modules here are ours, not the guide's: [`run`] runs a block as written and gives its
//! verdict (`channel-patterns run NAME --as-written`), and [`driver`] stands in for the `main`
//! a block does not have.

use std::cell::RefCell;

use crate::Transcript;

thread_local! {
    static CAPTURE: RefCell<Option<Transcript>> = const { RefCell::new(None) };
}

/// Runs `f` with every `println!` of the guide's code on this thread going to `out`.
///
/// Thread-local on purpose: run the guide's code on a current-thread runtime inside `f`, and
/// every task it spawns prints on this thread, while tests on other threads stay separate.
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

// Ours: declared above the `println!` below, so that std's is the one they see.
pub mod driver;
pub mod run;

/// Shadows `std::println!` in the guide's code below (textual scope beats the prelude).
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::as_written::print_line(format!($($arg)*))
    };
}

/// Declares the guide's blocks: unformatted, and with the findings of their own lints
/// allowed, since each is kept exactly as written.
macro_rules! guide_blocks {
    ($($block:ident)*) => {$(
        #[rustfmt::skip]
        #[allow(
            missing_docs,
            dead_code,
            unused_mut,
            unused_variables,
            clippy::all,
            clippy::unwrap_used,
            reason = "the guide's code is kept exactly as written, lint findings included"
        )]
        pub mod $block;
    )*};
}

guide_blocks! {
    app_shutdown
    broadcast_basic
    broadcast_events
    broadcast_lagging
    mpsc_backpressure
    mpsc_basic
    mpsc_multi_producer
    mpsc_shutdown
    oneshot_dropped_sender
    oneshot_request_response
    select_shutdown
    state_machine
    watch_basic
    watch_changed
    watch_idle_timeout
    watch_multi_receiver
}
