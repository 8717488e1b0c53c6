//! The guide's TCP proxy as a real program: the connection core ([`relay()`]), the server that
//! accepts, connects upstream and drains on shutdown ([`server`]), the network it runs on
//! ([`net`]: tokio's TCP, or a simulated one in tests), the server on every core
//! ([`cores`]), and its command line ([`args`]).

pub mod args;
pub mod cores;
pub mod net;
pub mod relay;
pub mod server;

pub use net::WriteLast;
pub use relay::{CloseReason, Outcome, copy_with_activity, relay, relay_connections};
