//! The guide's examples exactly as written, defects included, so that every erratum is shown
//! on the guide's own code rather than on a paraphrase of it.
//!
//! Do not use these: the corrected programs are in [`crate::corrected`].
//!
//! Each file below `// BEGIN GUIDE` is a code block of `guide/tokio-channels.md` with only
//! these edits, which `tests/guide/as_written.rs` checks by undoing them and finding the block in
//! the guide (the same edits as in [`crate::corrected`]):
//! - `#[tokio::main]\nasync fn main()` becomes `pub async fn main()`, so that a test chooses
//!   the runtime (current-thread, paused time) and can run it;
//! - in `watch_idle_timeout`, the guide's two functions are made `pub`;
//! - none for `println!`: the one in scope is [`crate::capture`]'s, which writes to the
//!   transcript of the run when there is one, and to stdout otherwise;
//! - above the marker, every file but `watch_idle_timeout` (whose I/O loom cannot see) has
//!   `#[cfg(channel_patterns_loom)] use crate::rt as tokio;`: its only edit for loom. Under the
//!   loom cfg the guide's `tokio::sync::…`, `tokio::spawn`, `tokio::time::sleep` and
//!   `tokio::select!` then resolve to [`crate::rt`]'s loom backend, so the loom tests
//!   (`tests/loom_models/loom_guide.rs`) run the guide's own code; in a normal build the line is
//!   compiled out and the code is tokio's.
//!
//! `spawn_with_result` is absent: it does not compile (erratum E01, `tests/compile_fail/`).

guide_blocks! {
    #[allow(
        missing_docs,
        dead_code,
        unused_mut,
        unused_variables,
        clippy::all,
        clippy::unwrap_used,
        reason = "the guide's code is kept exactly as written, lint findings included"
    )]
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
