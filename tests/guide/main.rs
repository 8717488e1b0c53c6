//! The checker's tests: the guide's programs, as corrected (`patterns`, `corrected_guide`) and
//! as written (`as_written`, `as_written_verdict`, `documented_output`, `compile_fail`), its
//! errata (`errata`, `errata_index`), its claims about tokio (`sync_*`, `quick_reference`,
//! `send_sync`), the binary (`cli`, `verdict`), and the workspace's layers (`layers`). One
//! binary, one module per suite, and the helpers only these suites use (`common`, and
//! `guide_programs`, which the guide's loom suite includes too); `tests/as_written_quiet.rs`,
//! which installs a process-wide panic hook, has its own.
//!
//! `cargo test --test guide sync_mpsc::` runs one suite.
#![warn(rust_2018_idioms)]

mod common;
mod guide_programs;

mod as_written;
mod as_written_verdict;
mod cli;
mod compile_fail;
mod corrected_guide;
mod documented_output;
mod errata;
mod errata_index;
mod layers;
mod patterns;
mod quick_reference;
mod send_sync;
mod sync_broadcast;
mod sync_mpsc;
mod sync_oneshot;
mod sync_watch;
mod verdict;
