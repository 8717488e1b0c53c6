//! `channel-patterns`: the programs of a guide to Tokio's channels (`guide/tokio-channels.md`)
//! as verified, runnable code, and the guide's errata (`ERRATA.md`).
//!
//! The guide is treated as a hypothesis. Each of its programs is here twice: as written
//! ([`as_written`], defects included, so that each erratum is shown on the guide's own code),
//! and corrected ([`patterns`]: the blocks of `guide/tokio-channels.corrected.md`, byte for
//! byte). The checks run those blocks unchanged: their `println!`s go to a [`Transcript`]
//! ([`capture`]), [`runner`] runs them on a current-thread runtime in paused time, [`report`]
//! judges each against what it must print, and under the loom cfg the same blocks run on
//! [`rt`]'s loom backend. The proxy program is the `proxy` crate (`crates/proxy`). The README
//! maps each guide section to its code and tests.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod catalog;
pub mod cli;
pub mod drivers;
pub mod errata;
pub mod guide;
pub mod report;
pub mod rt;
pub mod runner;
mod transcript;

pub use transcript::Transcript;

// The guide's blocks come last: the `println!` of `capture` is in scope for every module
// declared after it.
#[macro_use]
pub mod capture;

/// Declares modules that hold code blocks of the guide: kept in the guide's own formatting
/// (rustfmt would reorder its imports), with the lint allowances given.
macro_rules! guide_blocks {
    (#[$allow:meta] $($block:ident)*) => {$(
        #[rustfmt::skip]
        #[$allow]
        pub mod $block;
    )*};
}

pub mod as_written;
pub mod patterns;
