//! The loom suites: over the guide's programs (`loom_guide`), the channels' loom backend, its
//! runtime, and the proxy's coordination (only under `--cfg channel_patterns_loom`: `bash
//! ci/loom.sh`). One binary, one module per suite, and the one harness they share
//! (`loom_support`); `guide_programs`, which builds the guide's programs, is the guide suites'
//! (it needs the root crate, so it cannot be in test-support).

#![cfg(channel_patterns_loom)]

#[path = "../guide/guide_programs.rs"]
mod guide_programs;
mod loom_support;

mod loom_broadcast;
mod loom_guide;
mod loom_idle;
mod loom_mpsc;
mod loom_oneshot;
mod loom_runtime;
mod loom_shutdown;
mod loom_watch;
