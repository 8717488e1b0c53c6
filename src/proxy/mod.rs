//! The guide's TCP proxy as a real program: the connection core ([`relay()`]), the server that
//! accepts, connects upstream and drains on shutdown ([`server`]), the server on every core
//! ([`cores`]), and its command line ([`args`]).

pub mod args;
pub mod cores;
pub mod relay;
pub mod server;

pub use relay::{CloseReason, Outcome, WriteLast, copy_with_activity, relay, relay_tcp};
