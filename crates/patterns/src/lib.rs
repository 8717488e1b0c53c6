//! The programs of a guide to Tokio's channels (`guide/tokio-channels.md`), each twice: as
//! written ([`as_written`], defects included, so that each erratum of `ERRATA.md` is shown on
//! the guide's own code), and corrected ([`corrected`]: the blocks of
//! `guide/tokio-channels.corrected.md`, byte for byte). These are the patterns.
//!
//! They run unchanged wherever they are checked: their `println!`s go to a [`Transcript`]
//! ([`capture`]), and under `--cfg channel_patterns_loom` their `tokio::…` is [`rt`]'s loom
//! backend, so that loom explores the very code the guide shows.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod rt;
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
pub mod corrected;
