//! tokio, or with the feature `loom` tokio's API on loom: the switch that lets a project's
//! unchanged tokio code and tests run under loom's exhaustive schedule search.
//!
//! A project names this crate `tokio` and gives itself a feature that turns on `loom`:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "tokio-or-loom", version = "0.1", features = ["rt", "macros", "sync", "time"] }
//!
//! [features]
//! loom = ["tokio/loom"]
//! ```
//!
//! Without `loom`, this crate is tokio (`pub use tokio::*`, with the features named). With it,
//! it is `loom_tokio`: `tokio::sync`'s channels, `tokio::spawn`, `tokio::task`, `tokio::time`
//! on a paused virtual clock, `tokio::select!`, `join!`, `try_join!`, `pin!`, and
//! `#[tokio::test]`, which runs the test in every interleaving loom explores. Then
//! `cargo test --features loom` explores every test.
//! What loom-tokio covers, and how it differs from tokio, is in its documentation.

#[cfg(not(feature = "loom"))]
pub use tokio::*;

#[cfg(feature = "loom")]
pub use loom_tokio::*;
