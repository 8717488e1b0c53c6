//! `channel-patterns`: checks a guide to Tokio's channels (`guide/tokio-channels.md`) against
//! tokio, and reports. The guide is treated as a hypothesis: each of its programs, as written
//! and corrected (the `patterns` crate), is listed in the [`catalog`] with what it must print;
//! [`conformance`] runs either on a current-thread runtime in paused time and judges
//! each. [`errata`] reads `ERRATA.md`, [`guide`] holds both guides' text, and [`cli`] declares
//! the command line, which also runs the proxy (the `proxy` crate). The README maps each guide
//! section to its code and tests.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod catalog;
pub mod cli;
pub mod conformance;
pub mod drivers;
pub mod errata;
pub mod guide;
