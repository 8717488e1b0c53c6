//! `channel-patterns`: the patterns of a guide to Tokio's channels
//! (`guide/tokio-channels.md`) as verified, runnable code, and the guide's errata
//! (`ERRATA.md`).
//!
//! The guide is treated as a hypothesis: each of its examples is here twice, as written
//! ([`as_written`], defects included, so that tests can show each defect on the guide's own
//! code) and corrected (the modules below). Every corrected pattern writes what the guide's
//! example prints to a [`Transcript`], and runs deterministically on a current-thread runtime
//! in paused time ([`runner`]), so its whole output is asserted by tests and reproduced by the
//! binary's report.
//!
//! | guide section | module | tests |
//! |---|---|---|
//! | mpsc (basic, producers, backpressure, shutdown) | [`mpsc`] | `tests/mpsc.rs`, `tests/sync_mpsc.rs` |
//! | oneshot (request-response, dropped sender, task with result) | [`oneshot`] | `tests/oneshot.rs`, `tests/sync_oneshot.rs`, `tests/compile_fail/` |
//! | broadcast (basic, lagging, events) | [`broadcast`] | `tests/broadcast.rs`, `tests/sync_broadcast.rs` |
//! | watch (basic, receivers, changed) | [`watch`] | `tests/watch.rs`, `tests/sync_watch.rs` |
//! | watch, idle timeout in proxy.rs; the proxy program | [`proxy`], [`idle`], [`shutdown`] | `tests/watch.rs`, `tests/proxy.rs`, `tests/proxy_tcp.rs`, `tests/proxy_fds.rs` |
//! | Advanced Patterns | [`advanced`] | `tests/advanced.rs` |
//! | Summary, Quick Reference table | - | `tests/quick_reference.rs` |
//! | the corrected guide, generated from `src/` | [`corrected`] | `tests/corrected_guide.rs` |
//! | the command line, the report, the errata read from `ERRATA.md` | [`cli`], [`report`], [`errata`] | `tests/cli.rs`, `tests/proxy_args.rs`, `tests/errata_index.rs` |
//! | the proxy on a simulated network (turmoil) | [`proxy::net`] | `tests/sim_proxy.rs`, `tests/sim_schedules.rs` |
//! | Output blocks of the guide | [`guide`], [`catalog`] | `tests/documented_output.rs` |
//! | every defect | [`as_written`] | `tests/errata.rs`, `tests/as_written.rs` |
//! | the guide's code run by name, with a verdict (`run NAME --as-written`) | [`as_written::run`], [`as_written::driver`] | `tests/as_written_verdict.rs` |
//! | each channel's semantics, made exact | [`model`] | `tests/prop_{mpsc,oneshot,broadcast,watch}.rs` |
//! | the patterns' ordering and lag guarantees | [`mpsc`], [`broadcast`], [`watch`] | `tests/prop_patterns.rs` |
//! | shutdown and idle coordination | [`shutdown`], [`idle`], [`sync`] | `tests/shutdown.rs`, `tests/loom_shutdown.rs`, `tests/loom_idle.rs` |
//! | every pattern on every interleaving (loom) | [`rt`], `model::concurrent` (loom builds) | `tests/loom_patterns_*.rs`, `tests/loom_{mpsc,oneshot,broadcast,watch}.rs` |

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod advanced;
pub mod as_written;
pub mod broadcast;
pub mod catalog;
pub mod cli;
pub mod corrected;
pub mod errata;
mod error;
pub mod guide;
pub mod idle;
pub mod model;
pub mod mpsc;
pub mod oneshot;
pub mod proxy;
pub mod report;
pub mod rt;
pub mod runner;
pub mod shutdown;
pub mod sync;
mod transcript;
pub mod watch;

pub use error::{PatternError, PatternResult};
pub use transcript::Transcript;
