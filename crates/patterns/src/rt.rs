//! The subset of tokio's API the guide's programs use, through one module: tokio itself in a normal
//! build, and under `--cfg channel_patterns_loom` the loom backend the `loom-tokio` crate
//! (`crates/loom-tokio`), where the channels are the reference models behind loom's primitives and
//! each task is a loom thread.
//!
//! The module has tokio's shape, so that code written against tokio runs under loom with only
//! its imports changed: `use crate::rt as tokio;`, one line above each block of
//! [`crate::corrected`] and [`crate::as_written`] under the loom cfg, makes the block's
//! `tokio::sync::mpsc`, `tokio::spawn`, `tokio::time::sleep` and `tokio::select!` resolve here:
//! the code loom explores (`tests/loom_models/loom_guide.rs`) is the code the report runs.
//!
//! | item | normal build | under loom |
//! |---|---|---|
//! | `sync::{mpsc, oneshot, broadcast, watch}` | tokio's | the models, with tokio's handles, methods and errors |
//! | `spawn`, `task::{JoinHandle, JoinError, yield_now}` | tokio's | a loom thread per task (`loom_tokio::task`) |
//! | `time::{sleep, sleep_until, Sleep, Instant}` | tokio's | a virtual clock with tokio's paused-time rule (`loom_tokio::time`) |
//! | `select!` | tokio's | branches polled in order with `biased;` (`loom_tokio::select`) |
//!
//! A loom test runs a program with `rt::task::run` (loom only), the loom counterpart of a
//! runtime's `block_on`.

#[cfg(not(channel_patterns_loom))]
pub use tokio::{select, spawn};

/// The four channels.
#[cfg(not(channel_patterns_loom))]
pub mod sync {
    pub use tokio::sync::{broadcast, mpsc, oneshot, watch};
}

/// Tasks.
#[cfg(not(channel_patterns_loom))]
pub mod task {
    pub use tokio::task::{JoinError, JoinHandle, spawn, yield_now};
}

/// Time.
#[cfg(not(channel_patterns_loom))]
pub mod time {
    pub use tokio::time::{Instant, Sleep, sleep, sleep_until};
}

#[cfg(channel_patterns_loom)]
pub use loom_tokio::__loom_select as select;
#[cfg(channel_patterns_loom)]
pub use loom_tokio::task::spawn;
#[cfg(channel_patterns_loom)]
pub use loom_tokio::{sync, task, time};
