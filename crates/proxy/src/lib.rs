//! The guide's TCP proxy as a real program: the connection core ([`relay()`]), the server that
//! accepts, connects upstream and drains on shutdown ([`server`]), the network it runs on
//! ([`net`]: tokio's TCP, or a simulated one in tests), the server on every core
//! ([`cores`]), its command line ([`args`]), and the program that puts them together
//! ([`run()`]); and the coordination they run on, which loom checks: the shutdown signal
//! ([`shutdown`]), the idle deadline ([`idle`]) and their synchronisation primitives
//! (`sync`: std's, or loom's under the loom cfg).

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod args;
pub mod cores;
pub mod idle;
pub mod net;
pub mod relay;
mod run;
pub mod server;
pub mod shutdown;
mod sync;

// Public only to the workspace's tests, which build the relay's broken twins from it.
#[cfg(feature = "twins")]
pub mod rules;
#[cfg(not(feature = "twins"))]
mod rules;

pub use net::WriteLast;
pub use relay::{CloseReason, Outcome, copy_with_activity, relay, relay_connections};
pub use run::{Error, run};
