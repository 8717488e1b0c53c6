//! The guide's programs, corrected: one module per code block of
//! `guide/tokio-channels.corrected.md`, each the block exactly as a reader sees it there. These
//! are the patterns: the report runs them, the tests run them, loom explores them, and the
//! corrected guide shows them. Each differs from the original ([`crate::as_written`]) only where
//! an erratum of `ERRATA.md` required it, and a note under the block in the guide says what
//! changed and why.
//!
//! Each file below `// BEGIN GUIDE` is the block with only these edits, which
//! `tests/guide/corrected_guide.rs` checks by undoing them and finding the block in the corrected
//! guide (the same edits as in [`crate::as_written`]):
//! - `#[tokio::main]\nasync fn main()` becomes `pub async fn main()`, so that a check chooses
//!   the runtime: current-thread in paused time for the report and the tests, loom, or none
//!   of that for the standalone programs, which run the block as the guide shows it;
//! - in `watch_idle_timeout`, which has no `main`, the two functions are made `pub`, for the
//!   driver that runs them (the checker's `drivers`);
//! - none for `println!`: the one in scope is [`crate::capture`]'s;
//! - above the marker, every file but `watch_idle_timeout` (whose I/O loom cannot see) has
//!   `#[cfg(channel_patterns_loom)] use crate::rt as tokio;`: under the loom cfg the block's
//!   `tokio::…` then resolves to [`crate::rt`]'s loom backend, so loom explores the block
//!   itself; in a normal build the line is compiled out and the code is tokio's;
//! - above the marker too, a block may declare its test module (`#[cfg(test)] mod tests;`, in
//!   `<block>/tests.rs`), for cases its `main` does not reach: a child module sees the block's
//!   private items, so the block makes nothing public for a test.
//!
//! The bounded-versus-unbounded snippet of the mpsc chapter is a fragment, not a program, and
//! has no module: `tests/guide/corrected_guide.rs` compiles it inside a `main` of its own.

guide_blocks! {
    #[allow(
        missing_docs,
        clippy::unwrap_used,
        reason = "a block of the guide, in the guide's style: `main` has no docs, and \
                  `unwrap` is how the guide's programs say a failure cannot happen"
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
    oneshot_spawn_with_result
    select_shutdown
    state_machine
    watch_basic
    watch_changed
    watch_idle_timeout
    watch_multi_receiver
}
