//! The loom suites of the channels' loom backend, its runtime, and the proxy's coordination
//! (only under `--cfg channel_patterns_loom`: `bash ci/loom.sh`). One binary, one module per
//! suite; `tests/loom_guide.rs`, over the guide's programs, has its own.

#![cfg(channel_patterns_loom)]

#[path = "../loom_support/mod.rs"]
mod loom_support;

mod loom_broadcast;
mod loom_idle;
mod loom_mpsc;
mod loom_oneshot;
mod loom_runtime;
mod loom_shutdown;
mod loom_watch;
